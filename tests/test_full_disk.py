"""A full disk (simulated ENOSPC): atomic writes, backups and review packages leave no `.part`
file behind, even when closing the file fails too, and say "磁盘空间不足：…", never
"数据库错误"."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from desktop import fileutil
from desktop.config import Config
from desktop.db import DataError, data_error_text, translate_error
from desktop.services.context import ServiceError
from desktop.services.exchange import backup
from tests.services.test_packages import config, export, world  # noqa: F401 - fixtures

NO_SPACE = OSError(errno.ENOSPC, "No space left on device")


class FillingUp:
    """A file whose disk fills up after `room` bytes: writes raise ENOSPC from then on, and
    so does closing it (the buffered rest cannot be written out either)."""

    def __init__(self, real, room: int) -> None:
        self._real, self._room = real, room

    def write(self, data) -> int:  # type: ignore[no-untyped-def]
        size = len(data.encode()) if isinstance(data, str) else memoryview(data).nbytes
        if size > self._room:
            raise OSError(errno.ENOSPC, "No space left on device")
        self._room -= size
        return self._real.write(data)

    def close(self) -> None:
        full = self._room <= 0
        self._real.close()
        if full:
            raise OSError(errno.ENOSPC, "No space left on device")

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self

    def __exit__(self, *exc) -> None:  # type: ignore[no-untyped-def]
        self.close()

    def __getattr__(self, name):  # type: ignore[no-untyped-def]
        return getattr(self._real, name)


def fill_up_after(monkeypatch, room: int) -> None:
    """Every file opened through os.fdopen (atomic writes, zips) meets a full disk."""
    real = os.fdopen

    def fdopen(fd, *args, **kwargs):  # type: ignore[no-untyped-def]
        return FillingUp(real(fd, *args, **kwargs), room)

    monkeypatch.setattr(os, "fdopen", fdopen)


def parts(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".part")]


def test_an_atomic_write_whose_close_fails_leaves_no_part_file(tmp_path, monkeypatch):
    real = os.fdopen

    class CloseFails(FillingUp):
        def close(self) -> None:
            self._real.close()
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: CloseFails(real(fd, *a, **k), 1 << 30))
    target = tmp_path / "out" / "report.pdf"
    with pytest.raises(fileutil.DiskFull) as info:
        fileutil.atomic_write_bytes(target, b"%PDF-1.7 ...")
    assert str(info.value).startswith("磁盘空间不足：") and str(target) in str(info.value)
    assert list(target.parent.iterdir()) == []  # neither the target nor its .part


def test_an_atomic_write_that_runs_out_of_room_leaves_no_part_file(tmp_path, monkeypatch):
    fill_up_after(monkeypatch, 10)
    target = tmp_path / "settings.json"
    with pytest.raises(fileutil.DiskFull):
        fileutil.atomic_write_text(target, "x" * 100)
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_in_a_write_unit_is_named_as_such_not_as_a_database_error(tmp_path):
    full = fileutil.DiskFull(tmp_path / "x.xlsx", NO_SPACE)
    for exc in (full, NO_SPACE, OSError(getattr(errno, "EDQUOT", errno.ENOSPC), "Disk quota exceeded")):
        mapped = translate_error(exc)
        assert isinstance(mapped, DataError)
        assert data_error_text(mapped).startswith("磁盘空间不足：")
        assert "数据库错误" not in data_error_text(mapped)
    assert str(tmp_path / "x.xlsx") in data_error_text(translate_error(full))  # type: ignore[arg-type]


@pytest.mark.parametrize("room", [0, 4096, 200_000])
def test_a_backup_on_a_full_disk_leaves_nothing(sqlite_db, tmp_path, monkeypatch, room):
    config = Config(data_dir=tmp_path / "data")
    folder = tmp_path / "out"
    fill_up_after(monkeypatch, room)
    with pytest.raises(ServiceError) as info:
        backup.backup(sqlite_db, config, folder / "b.zip")
    monkeypatch.undo()
    assert info.value.message.startswith("磁盘空间不足：")
    assert list(folder.iterdir()) == []  # no zip, no .part, no snapshot folder


@pytest.mark.parametrize("room", [0, 50_000])
def test_a_package_export_on_a_full_disk_leaves_nothing(db, admin, config, world, tmp_path,  # noqa: F811
                                                        monkeypatch, room):
    p, _, _ = world
    folder = tmp_path / "out"
    folder.mkdir()
    fill_up_after(monkeypatch, room)
    with pytest.raises((ServiceError, DataError)) as info:
        export(db, config, admin, p, folder / "pkg.zip")
    monkeypatch.undo()
    text = info.value.message if isinstance(info.value, ServiceError) else data_error_text(info.value)
    assert text.startswith("磁盘空间不足：") and "数据库错误" not in text
    assert list(folder.iterdir()) == []
    assert parts(tmp_path) == []
