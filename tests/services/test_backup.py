"""Backups: consistent snapshot under writes, restore once every hash checks, undo on failure."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from desktop.config import Config
from desktop.db import Database
from desktop.models import Hazard, Project, Sequence
from desktop.services import agency, hazards, signing
from desktop.services.context import Actor, Cancelled, PermissionDenied, ServiceError
from desktop.services.exchange import attachments, backup, zipstream
from tests.factories import make_project


def jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def config(db, tmp_path):
    return Config(data_dir=tmp_path, values={} if db.is_sqlite else {"database_url": db.url})


@pytest.fixture
def seeded(db, admin, config):
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")
        signing.setup_key(s, data_dir=config.data_dir)
        ids = make_project(s, admin, name="备份前的项目")
        h = hazards.record(s, admin, hazards.HazardForm(
            project_id=ids.project, description="临边防护缺失", level=3, measures="设置防护栏杆",
            found_at=dt.datetime(2026, 8, 5, 10)))
        attachments.store_file(s, admin, store_dir=config.attachments_dir, data=jpeg("red"),
                               owner_type="hazard", owner_id=h.id, role="before")
        s.add_all(Sequence(name=f"filler:{i}", value=i) for i in range(20_000))  # a few MB to copy
    return ids


def tree(folder) -> dict[str, str]:
    """Every file under `folder` with its hash: to show that nothing changed (the data-folder
    locks in locks/ are not data)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and p.relative_to(folder).parts[0] != "locks"}


def snapshot_state(config, db) -> dict:
    state = {"store": tree(config.attachments_dir)}
    with db.read() as s:
        state["projects"] = sorted(s.execute(select(Project.name)).scalars())
        state["sequences"] = s.execute(select(func.count(Sequence.id))).scalar_one()
    return state


class Writer(threading.Thread):
    """Another connection committing rows one by one while the backup runs."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.db, self.stop, self.written, self.error = Database(url), threading.Event(), 0, None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                with self.db.session() as s:
                    s.add(Sequence(name=f"writer:{self.written:06d}", value=self.written))
                self.written += 1
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            self.db.dispose()


def try_to_write(db_path, name: str) -> str:
    """One commit by another desk that will not wait (timeout 0): "ok" or SQLite's refusal."""
    con = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT INTO sequences (name, value) VALUES (?, 0)", (name,))
        con.execute("COMMIT")
        return "ok"
    except sqlite3.OperationalError as exc:
        return str(exc)
    finally:
        con.close()


def backup_database(zip_path, folder) -> sqlite3.Connection:
    """The database inside a backup, unpacked (with its WAL, if any) and opened."""
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path) as z:
        for name in (backup.DB_SQLITE, backup.DB_SQLITE_WAL):
            if name in z.namelist():
                (folder / name.split("/")[-1]).write_bytes(z.read(name))
    return sqlite3.connect(folder / "riskdesk.sqlite3")


def test_backup_while_writing_then_restore_round_trip(db, admin, config, seeded, tmp_path):
    writer = Writer(db.url)
    writer.start()
    while writer.written < 20:
        pass
    try:
        result = backup.backup(db, config, tmp_path / "backups" / "manual.zip", actor=admin)
    finally:
        writer.stop.set()
        writer.join()
    assert writer.error is None and writer.written > 20
    with zipfile.ZipFile(result.path) as z:
        manifest = json.loads(z.read("manifest.json"))
        names = set(z.namelist())
    assert manifest["database"] in names and f"keys/{signing.KEY_FILE}" not in names
    assert manifest["attachments"] == 1 and manifest["revision"] == db.current_revision()
    assert len(manifest["files"]) == result.files == len(names) - 1
    with db.session() as s:  # changes after the backup, which the restore must undo
        make_project(s, admin, name="备份后的项目")
        attachments.store_file(s, admin, store_dir=config.attachments_dir, data=jpeg("blue"),
                               owner_type="project", owner_id=seeded.project)
    db.dispose()  # the application is closed while restoring
    restored = backup.restore(config, result.path, actor=Actor.system())
    assert restored.aside.is_dir() and restored.attachments == 1
    again = Database(config.database_url)
    try:
        with again.read() as s:
            names = sorted(s.execute(select(Project.name)).scalars())
            assert [n[:5] for n in names] == ["备份前的项"]
            stmt = select(Sequence.name).where(Sequence.name.like("writer:%"))
            writes = sorted(s.execute(stmt).scalars())
            assert writes == [f"writer:{i:06d}" for i in range(len(writes))]  # a prefix: consistent
            assert s.execute(select(func.count(Hazard.id))).scalar_one() == 1
            report = attachments.verify_store(s, config.attachments_dir)
        assert report.ok and report.checked == 1
        assert again.integrity_check() == []
    finally:
        again.dispose()
    aside_files = {p.name for p in restored.aside.rglob("*") if p.is_file()}
    old_store = [p for p in (restored.aside / "attachments").rglob("*/*/*")
                 if p.is_file() and "thumbs" not in p.relative_to(restored.aside).parts]
    assert len(old_store) == 2  # the store as it was before the restore, both photos (print copies aside)
    assert ("riskdesk.sqlite3" in aside_files) if config.database_url.startswith("sqlite") \
        else ("database.pgdump" in aside_files)


def corrupt_copy(src, dst, *, member_prefix: str):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith(member_prefix):
                data = data[:-10] + b"0123456789"
            zout.writestr(info, data)
    return dst


def test_a_corrupted_backup_is_refused_and_nothing_changes(db, admin, config, seeded, tmp_path):
    good = backup.backup(db, config, tmp_path / "b" / "good.zip").path
    with db.session() as s:
        make_project(s, admin, name="恢复前的新项目")
    before = snapshot_state(config, db)
    db.dispose()
    files = {k: v for k, v in tree(tmp_path).items() if not k.startswith("b/")}  # db, key, store
    damaged = corrupt_copy(good, tmp_path / "b" / "photo.zip", member_prefix="attachments/")
    truncated = tmp_path / "b" / "cut.zip"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    garbage = tmp_path / "b" / "other.zip"
    with zipfile.ZipFile(garbage, "w") as z:
        z.writestr("manifest.json", json.dumps({"format": "something-else"}))
    for bad, words in ((damaged, "文件已损坏或被修改：attachments/"), (truncated, "无法读取或已损坏"),
                       (garbage, "不是 RiskDesk 备份文件")):
        with pytest.raises(backup.RestoreRefused, match=words):
            backup.restore(config, bad, actor=Actor.system())
        assert {k: v for k, v in tree(tmp_path).items() if not k.startswith("b/")} == files
    assert snapshot_state(config, db) == before
    assert not [p for p in tmp_path.iterdir() if "restore" in p.name]


def test_a_failure_while_swapping_puts_the_old_data_back(sqlite_db, tmp_path, monkeypatch):
    config = Config(data_dir=tmp_path)
    with sqlite_db.session() as s:
        make_project(s, Actor.system(), name="原有项目")
        attachments.store_file(s, Actor.system(), store_dir=config.attachments_dir,
                               data=jpeg("red"), owner_type="project", owner_id=1)
    good = backup.backup(sqlite_db, config, tmp_path / "b" / "good.zip").path
    with sqlite_db.session() as s:
        make_project(s, Actor.system(), name="备份之后的项目")
    sqlite_db.dispose()
    before = {k: v for k, v in tree(tmp_path).items() if not k.startswith("b/")}
    real = os.replace
    failures = []

    def failing(src, dst):  # the new database cannot be put in place, once
        if str(dst) == str(config.sqlite_path) and not failures:
            failures.append(dst)
            raise OSError(5, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(backup.os, "replace", failing)
    with pytest.raises(ServiceError, match="恢复失败，原有数据已放回"):
        backup.restore(config, good, actor=Actor.system())
    monkeypatch.setattr(backup.os, "replace", real)
    assert {k: v for k, v in tree(tmp_path).items() if not k.startswith("b/")} == before
    assert not [p for p in tmp_path.iterdir() if "restore" in p.name]


def test_restore_refuses_while_the_database_is_in_use(sqlite_db, tmp_path):
    config = Config(data_dir=tmp_path)
    good = backup.backup(sqlite_db, config, tmp_path / "b" / "good.zip").path
    holder = sqlite3.connect(config.sqlite_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(backup.RestoreRefused, match="正在被使用"):
            backup.restore(config, good, actor=Actor.system())
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert config.sqlite_path.exists()
    assert not [p for p in tmp_path.iterdir() if "restore" in p.name]
    with pytest.raises(PermissionDenied):
        backup.restore(config, good, actor=Actor(None, "clerk", "clerk"))


def test_cancel_leaves_no_file(db, config, seeded, tmp_path):
    folder = tmp_path / "out"
    with pytest.raises(Cancelled):
        backup.backup(db, config, folder / "x.zip", lambda done, total, text: done == 0)
    assert list(folder.iterdir()) == []


def test_scheduled_backups_and_rotation(db, config, seeded):
    config.set("backup_keep", 2)
    config.set("backup_interval_hours", 24)
    start = dt.datetime(2026, 11, 1, 9, 0, 0)
    assert backup.due(config, start)
    first = backup.run_scheduled(db, config, now=start)
    assert first is not None and first.path.name == "riskdesk-auto-20261101-090000.zip"
    assert not backup.due(config, start + dt.timedelta(hours=23))
    assert backup.run_scheduled(db, config, now=start + dt.timedelta(hours=23)) is None
    manual = backup.backup(db, config, config.backup_dir / "before-upgrade.zip").path
    for hours in (25, 50):
        assert backup.run_scheduled(db, config, now=start + dt.timedelta(hours=hours)) is not None
    kept = sorted(p.name for p in config.backup_dir.iterdir())
    assert kept == ["before-upgrade.zip", "riskdesk-auto-20261102-100000.zip",
                    "riskdesk-auto-20261103-110000.zip"]
    assert manual.exists()
    config.set("backup_interval_hours", 0)
    assert not backup.due(config, start + dt.timedelta(days=30))
    assert backup.verify_backup(config.backup_dir / kept[-1])["attachments"] == 1


def test_a_full_disk_during_backup_leaves_nothing_and_says_so(db, config, seeded, tmp_path, monkeypatch):

    calls = []

    def filling_up(real):  # type: ignore[no-untyped-def]
        def add(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            calls.append(1)
            if len(calls) > 1:  # the database went in; the next member does not fit
                raise OSError(errno.ENOSPC, "No space left on device")
            return real(self, *args, **kwargs)
        return add

    monkeypatch.setattr(backup.StreamingZip, "add_file", filling_up(backup.StreamingZip.add_file))
    target = tmp_path / "out" / "full.zip"
    with pytest.raises(ServiceError) as info:
        backup.backup(db, config, target)
    assert info.value.message.startswith("磁盘空间不足：") and str(target) in info.value.message
    assert not target.exists()
    assert list(target.parent.iterdir()) == []  # no hidden .part file either


def _threads(name: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == name and t.is_alive()]


def test_the_database_is_stored_and_an_older_deflated_backup_still_restores(sqlite_db, tmp_path):
    from desktop.services.context import Actor

    config = Config(data_dir=tmp_path / "data")
    with sqlite_db.session() as s:
        make_project(s, Actor.system(), name="旧格式备份中的项目")
    result = backup.backup(sqlite_db, config, tmp_path / "b" / "new.zip")
    with zipfile.ZipFile(result.path) as z:
        info = z.getinfo(backup.DB_SQLITE)
        manifest = json.loads(z.read("manifest.json"))
        listed = {f["path"]: f for f in manifest["files"]}
        assert info.compress_type == zipfile.ZIP_STORED  # no deflate pass over the database
        # the snapshot is one file: the format old versions read
        assert backup.DB_SQLITE_WAL not in z.namelist() and manifest["format_version"] == 1
        data = z.read(backup.DB_SQLITE)
    assert hashlib.sha256(data).hexdigest() == listed[backup.DB_SQLITE]["sha256"]
    assert len(data) == listed[backup.DB_SQLITE]["size"] == info.file_size
    # the format before: the same members, the database deflated at level 1
    old = tmp_path / "b" / "old.zip"
    with zipfile.ZipFile(result.path) as zin, zipfile.ZipFile(old, "w") as zout:
        for member in zin.infolist():
            copy = zipfile.ZipInfo(member.filename, member.date_time)
            copy.compress_type = (zipfile.ZIP_DEFLATED if member.filename == backup.DB_SQLITE
                                  else member.compress_type)
            zout.writestr(copy, zin.read(member.filename), compresslevel=1)
    with zipfile.ZipFile(old) as z:
        assert z.getinfo(backup.DB_SQLITE).compress_type == zipfile.ZIP_DEFLATED
    with sqlite_db.session() as s:
        make_project(s, Actor.system(), name="备份之后的项目")
    sqlite_db.dispose()
    assert backup.verify_backup(old)["database"] == backup.DB_SQLITE
    backup.restore(config, old, actor=Actor.system())
    again = Database(config.database_url)
    try:
        with again.read() as s:
            names = list(s.execute(select(Project.name)).scalars())
        assert len(names) == 1 and names[0].startswith("旧格式备份中的项目")  # the later one gone
    finally:
        again.dispose()


def test_a_snapshot_that_fails_its_check_never_becomes_a_backup(sqlite_db, tmp_path, monkeypatch):
    from desktop.db import DataError

    config = Config(data_dir=tmp_path / "data")
    with sqlite_db.session() as s:
        s.add_all(Sequence(name=f"filler:{i}", value=i) for i in range(5_000))
    real = backup._sqlite_snapshot

    def damaged(source, target):  # type: ignore[no-untyped-def]
        real(source, target)
        con = sqlite3.connect(target)
        page = con.execute("PRAGMA page_size").fetchone()[0]
        root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sequences'"
                           ).fetchone()[0]
        con.close()
        with open(target, "r+b") as fh:  # scribble over the table's root page
            fh.seek((root - 1) * page)
            fh.write(b"\xff" * page)

    monkeypatch.setattr(backup, "_sqlite_snapshot", damaged)
    folder = tmp_path / "out"
    with pytest.raises(DataError, match="数据库快照(未通过检查|检查失败)"):
        backup.backup(sqlite_db, config, folder / "bad.zip")
    assert list(folder.iterdir()) == []  # neither the zip nor its temporary file
    assert _threads("backup-quick-check") == []


def test_cancel_while_zipping_stops_the_snapshot_check(sqlite_db, tmp_path):
    config = Config(data_dir=tmp_path / "data")
    seen: list[str] = []

    def cancel_at_the_database(done, total, text):  # type: ignore[no-untyped-def]
        seen.append(text)
        return text != backup.DB_SQLITE

    folder = tmp_path / "out"
    with pytest.raises(Cancelled):
        backup.backup(sqlite_db, config, folder / "x.zip", cancel_at_the_database)
    assert seen[-1] == backup.DB_SQLITE
    assert list(folder.iterdir()) == []
    assert _threads("backup-quick-check") == []
    assert try_to_write(sqlite_db.sqlite_path, "after the cancel") == "ok"


def test_a_failed_early_write_back_fails_the_zip(tmp_path, monkeypatch):
    """StreamingZip.write_behind (review packages start the disk writing early): an error
    the sync met is raised when the zip closes, and nothing is left."""

    calls = []

    def failing(fd):  # type: ignore[no-untyped-def]
        calls.append(fd)
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(zipstream, "_datasync", failing)
    folder = tmp_path / "out"
    with pytest.raises(ServiceError, match="Input/output error"):
        with zipstream.StreamingZip(folder / "x.zip", zipstream.Meter(None, 0)) as z:
            z.add_bytes("a.txt", b"a" * 1000)
            z.write_behind()
            z.add_bytes("b.txt", b"b" * 1000)
    assert calls and list(folder.iterdir()) == []  # reported once by Linux, still not lost


def test_a_photo_stored_while_the_snapshot_is_taken_is_in_the_backup(sqlite_db, tmp_path,
                                                                     monkeypatch):
    from desktop.services.context import Actor

    config = Config(data_dir=tmp_path / "data")
    with sqlite_db.session() as s:
        ids = make_project(s, Actor.system(), name="快照期间")
        attachments.store_file(s, Actor.system(), store_dir=config.attachments_dir,
                               data=jpeg("red"), owner_type="project", owner_id=ids.project)
    added = []

    def store_a_photo() -> None:  # another desk stores a photo (file, then row)
        with sqlite_db.session() as s:
            added.append(attachments.store_file(
                s, Actor.system(), store_dir=config.attachments_dir, data=jpeg("green"),
                owner_type="project", owner_id=ids.project).sha256)

    real = backup._sqlite_snapshot

    def busy_desk(source, target):  # type: ignore[no-untyped-def]
        store_a_photo()
        real(source, target)

    monkeypatch.setattr(backup, "_sqlite_snapshot", busy_desk)
    result = backup.backup(sqlite_db, config, tmp_path / "b" / "x.zip")
    manifest = backup.verify_backup(result.path)
    paths = [f["path"] for f in manifest["files"]]
    assert manifest["attachments"] == 2 and any(p.endswith(added[0]) for p in paths)
    assert paths[0] == backup.DB_SQLITE
    with zipfile.ZipFile(result.path) as z:
        assert z.namelist()[0] == backup.DB_SQLITE


def test_a_backup_while_one_desk_writes_and_another_reads_restores_a_consistent_prefix(
        sqlite_db, tmp_path):
    config = Config(data_dir=tmp_path)  # the live database's own folder: restored in place
    # A desk in the middle of a long read: the WAL cannot be folded back or restarted past it,
    # so every row the writer commits from now on lives only in the WAL — which must come along.
    reader = sqlite3.connect(sqlite_db.sqlite_path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM sequences").fetchone()
    writer = Writer(sqlite_db.url)
    writer.start()
    try:
        while writer.written < 20 and writer.is_alive():
            pass
        before = writer.written
        result = backup.backup(sqlite_db, config, tmp_path / "b" / "busy.zip")
    finally:
        writer.stop.set()
        writer.join()
        reader.execute("ROLLBACK")
        reader.close()
    assert writer.error is None and before >= 20
    manifest = backup.verify_backup(result.path)
    # the rows only in the live WAL are in the snapshot file: one self-contained database
    assert backup.DB_SQLITE_WAL not in {f["path"] for f in manifest["files"]}
    assert manifest["format_version"] == 1
    with sqlite_db.session() as s:  # after the backup: the restore must undo it
        s.add(Sequence(name="after the backup", value=0))
    sqlite_db.dispose()  # the application is closed while restoring
    restored = backup.restore(config, result.path, actor=Actor.system())
    assert (restored.aside / "database" / "riskdesk.sqlite3").is_file()
    assert not Path(f"{config.sqlite_path}-wal").exists()  # folded into the one file put in place
    con = sqlite3.connect(config.sqlite_path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        writes = [r[0] for r in con.execute(
            "SELECT name FROM sequences WHERE name LIKE 'writer:%' ORDER BY name")]
        assert con.execute("SELECT count(*) FROM sequences WHERE name = 'after the backup'"
                           ).fetchone()[0] == 0
    finally:
        con.close()
    assert writes == [f"writer:{i:06d}" for i in range(len(writes))]  # a prefix, no gap
    assert before <= len(writes) <= writer.written


def test_desks_go_on_writing_while_a_backup_runs(sqlite_db, tmp_path, monkeypatch):
    from desktop.services.context import Actor

    config = Config(data_dir=tmp_path)
    with sqlite_db.session() as s:
        ids = make_project(s, Actor.system(), name="并发写入")
        for colour in ("red", "green", "blue"):
            attachments.store_file(s, Actor.system(), store_dir=config.attachments_dir,
                                   data=jpeg(colour), owner_type="project", owner_id=ids.project)
    tried: dict[str, str] = {}
    real = backup._sqlite_snapshot

    def snapshot_then_write(source, target):  # type: ignore[no-untyped-def]
        real(source, target)
        tried["snapshot"] = try_to_write(sqlite_db.sqlite_path, "after the snapshot")

    def progress(done, total, text):  # type: ignore[no-untyped-def]
        if str(text).startswith(backup.STORE_PREFIX) and "attachments" not in tried:
            tried["attachments"] = try_to_write(sqlite_db.sqlite_path, "during the attachments")
        return True

    monkeypatch.setattr(backup, "_sqlite_snapshot", snapshot_then_write)
    result = backup.backup(sqlite_db, config, tmp_path / "b" / "x.zip", progress)
    assert tried == {"snapshot": "ok", "attachments": "ok"}  # nobody waited for the backup
    con = backup_database(result.path, tmp_path / "unpacked")
    try:  # the snapshot is the state when it was taken: the later commits are not in it
        names = {r[0] for r in con.execute("SELECT name FROM sequences")}
    finally:
        con.close()
    assert not names & {"after the snapshot", "during the attachments"}
    with sqlite_db.read() as s:
        assert s.execute(select(func.count()).where(Sequence.name.in_(
            ["after the snapshot", "during the attachments"]))).scalar_one() == 2


def _project_with_a_photo(session, config, name):  # type: ignore[no-untyped-def]
    from desktop.services.context import Actor

    ids = make_project(session, Actor.system(), name=name)
    attachments.store_file(session, Actor.system(), store_dir=config.attachments_dir,
                           data=jpeg("red"), owner_type="project", owner_id=ids.project)
    return ids


def test_the_snapshot_is_made_by_the_online_backup_beside_the_target(sqlite_db, tmp_path,
                                                                      monkeypatch):
    config = Config(data_dir=tmp_path)
    with sqlite_db.session() as s:
        _project_with_a_photo(s, config, "回退路径")
    snapshots = []
    real = backup._sqlite_snapshot
    monkeypatch.setattr(backup, "_sqlite_snapshot",
                        lambda source, target: (snapshots.append(target), real(source, target)))
    result = backup.backup(sqlite_db, config, tmp_path / "b" / "x.zip")
    assert len(snapshots) == 1 and snapshots[0].parent.parent == tmp_path / "b"
    manifest = backup.verify_backup(result.path)
    assert manifest["format_version"] == 1 and manifest["attachments"] == 1
    assert [f["path"] for f in manifest["files"]][0] == backup.DB_SQLITE
    assert backup.DB_SQLITE_WAL not in {f["path"] for f in manifest["files"]}
    assert try_to_write(sqlite_db.sqlite_path, "after the backup") == "ok"  # no lock left behind
    assert not [p for p in (tmp_path / "b").iterdir() if p.name != "x.zip"]
    other = Config(data_dir=tmp_path / "elsewhere")
    backup.restore(other, result.path, actor=Actor.system())
    con = sqlite3.connect(other.sqlite_path)
    try:
        assert con.execute("SELECT count(*) FROM projects WHERE name LIKE '回退路径%'"
                           ).fetchone()[0] == 1
    finally:
        con.close()


def test_a_database_that_fails_its_check_never_becomes_a_backup(sqlite_db, tmp_path):
    from desktop.db import DataError

    config = Config(data_dir=tmp_path / "data")
    with sqlite_db.session() as s:
        s.add_all(Sequence(name=f"filler:{i}", value=i) for i in range(5_000))
    path = sqlite_db.sqlite_path
    sqlite_db.dispose()  # the last connection folds the WAL into the file
    con = sqlite3.connect(path)
    page = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sequences'").fetchone()[0]
    con.close()
    with open(path, "r+b") as fh:  # scribble over the table's root page in the live file
        fh.seek((root - 1) * page)
        fh.write(b"\xff" * page)
    folder = tmp_path / "out"
    with pytest.raises(DataError, match="数据库快照(未通过检查|检查失败)"):
        backup.backup(sqlite_db, config, folder / "bad.zip")
    assert list(folder.iterdir()) == []
    assert _threads("backup-quick-check") == []


@pytest.mark.skipif(os.name == "nt", reason="Windows locks belong to the handle, not the process")
def test_a_backup_keeps_this_process_s_locks_on_the_database(sqlite_db, tmp_path):
    """Closing any descriptor of the database file would drop the POSIX locks this process's
    connections hold; another desk closing its last connection would then delete the WAL under
    them, and what they commit next would be lost."""
    config = Config(data_dir=tmp_path)
    path = sqlite_db.sqlite_path
    mine = sqlite3.connect(path, isolation_level=None)  # this desk's connection stays open
    mine.execute("SELECT count(*) FROM sequences").fetchone()
    try:
        for n in range(2):  # the second backup uses the descriptor the first one kept
            backup.backup(sqlite_db, config, tmp_path / "b" / f"{n}.zip")
        other_desk = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                      "c.execute('SELECT count(*) FROM sequences').fetchone(); c.close()")
        subprocess.run([sys.executable, "-c", other_desk, str(path)], check=True)
        assert Path(f"{path}-wal").exists()  # it saw our locks: not the last one, WAL kept
        mine.execute("INSERT INTO sequences (name, value) VALUES ('after the backups', 1)")
        count = ("import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT "
                 "count(*) FROM sequences WHERE name = 'after the backups'\").fetchone()[0])")
        seen = subprocess.run([sys.executable, "-c", count, str(path)], check=True,
                              capture_output=True, text=True).stdout.strip()
        assert seen == "1"
    finally:
        mine.close()


# -- format 2, written by earlier versions: the live database file and its WAL beside it ------

_COPY_UNDER_THE_WRITE_LOCK = """
import sqlite3, sys
holder = sqlite3.connect(sys.argv[1], isolation_level=None)
holder.execute("BEGIN IMMEDIATE")
for suffix in ("", "-wal"):
    with open(sys.argv[1] + suffix, "rb") as src, open(sys.argv[2] + suffix, "wb") as dst:
        dst.write(src.read())
holder.execute("ROLLBACK")
"""


def format_2_backup(db, target: Path) -> Path:
    """A backup as RiskDesk wrote it before the online backup: the database file and its WAL
    copied as they were under SQLite's write lock (in another process: closing a descriptor
    of the database file here would drop this process's locks)."""
    copy = target.parent / "copied.sqlite3"
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-c", _COPY_UNDER_THE_WRITE_LOCK, str(db.sqlite_path),
                    str(copy)], check=True)
    members = {backup.DB_SQLITE: copy.read_bytes(),
               backup.DB_SQLITE_WAL: Path(f"{copy}-wal").read_bytes()}
    manifest = {"format": backup.FORMAT, "format_version": 2, "generator": "RiskDesk 0.9",
                "created_at": "2026-11-30T10:00:00+08:00", "dialect": "sqlite",
                "revision": db.current_revision(), "database": backup.DB_SQLITE,
                "attachments": 0,
                "files": [{"path": n, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
                          for n, d in members.items()]}
    with zipfile.ZipFile(target, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
        z.writestr("manifest.json", json.dumps(manifest))
    return target


def rows_only_in_the_wal(db) -> sqlite3.Connection:
    """A desk in the middle of a long read: the WAL cannot be folded back past it, so what is
    committed from now on lives only in the WAL. The caller rolls back and closes it."""
    reader = sqlite3.connect(db.sqlite_path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM sequences").fetchone()
    return reader


def test_a_format_2_backup_with_its_wal_still_restores(sqlite_db, tmp_path):
    config = Config(data_dir=tmp_path / "data")
    reader = rows_only_in_the_wal(sqlite_db)
    try:
        assert try_to_write(sqlite_db.sqlite_path, "in the WAL") == "ok"
        old = format_2_backup(sqlite_db, tmp_path / "b" / "wal.zip")
    finally:
        reader.execute("ROLLBACK")
        reader.close()
    with zipfile.ZipFile(old) as z:
        assert len(z.read(backup.DB_SQLITE_WAL)) > 0  # the row is only in the WAL member
    assert backup.verify_backup(old)["format_version"] == 2
    backup.restore(config, old, actor=Actor.system())
    assert not Path(f"{config.sqlite_path}-wal").exists()  # folded into the one file put in place
    con = sqlite3.connect(config.sqlite_path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM sequences WHERE name = 'in the WAL'"
                           ).fetchone()[0] == 1
    finally:
        con.close()


def test_verify_accepts_the_wal_member_only_beside_a_sqlite_database(sqlite_db, tmp_path):
    reader = rows_only_in_the_wal(sqlite_db)
    try:
        assert try_to_write(sqlite_db.sqlite_path, "in the WAL") == "ok"
        good = format_2_backup(sqlite_db, tmp_path / "b" / "wal.zip")
    finally:
        reader.execute("ROLLBACK")
        reader.close()
    assert backup.verify_backup(good)["format_version"] == 2
    relabelled = tmp_path / "b" / "pg.zip"  # the same members claiming a PostgreSQL dump
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(relabelled, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "manifest.json":
                manifest = json.loads(data)
                manifest["database"] = backup.DB_PG
                for f in manifest["files"]:
                    f["path"] = backup.DB_PG if f["path"] == backup.DB_SQLITE else f["path"]
                data = json.dumps(manifest).encode()
            name = backup.DB_PG if info.filename == backup.DB_SQLITE else info.filename
            zout.writestr(name, data)
    with pytest.raises(backup.RestoreRefused, match="无法识别的文件：database/riskdesk.sqlite3-wal"):
        backup.verify_backup(relabelled)


