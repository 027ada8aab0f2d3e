"""Environment failures on the command line (review of issue 17, items 1 and 2).

A data folder that is read-only, refused (EACCES) or full when the command takes its hold
(locks/) is said in Chinese with exit status 1, not as an internal error; a data command's
environment failure (SQLite busy, read-only, …) goes to the log with the driver's words and
code, as `cli.main` logs its own."""

from __future__ import annotations

import errno
import io
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

import desktop.db as dbmod
from desktop import datalock
from desktop.cli import main
from tests.cli_users import TEST_PASSWORD


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv("RISKDESK_PASSWORD", TEST_PASSWORD)


def run(capsys, argv: list[str]) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out + err


def _log(folder: Path) -> str:
    path = folder / "logs" / "riskdesk.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _lock_folder_fails(monkeypatch, error: OSError) -> None:
    """The lock folder cannot be made or written (as on a read-only mount, a folder of another
    account, a full disk): the first file-system step of holding the data folder fails."""

    def refuse(data_dir: Path) -> Path:
        raise error

    monkeypatch.setattr(datalock, "_folder", refuse)


def _workbook(path: Path) -> Path:
    book = Workbook()
    book.active.append(["项目编号", "隐患描述", "隐患等级", "发现日期"])
    book.active.append(["P-1", "临边防护缺失", "一般", "2026-08-05"])
    book.save(path)
    return path


@pytest.mark.parametrize(("error", "said"), [
    (OSError(errno.EROFS, "Read-only file system", "/x/locks/restore.lock"), "数据目录为只读或没有写入权限"),
    (PermissionError(errno.EACCES, "Permission denied", "/x/locks"), "数据目录为只读或没有写入权限"),
    (OSError(errno.ENOSPC, "No space left on device", "/x/locks/restore.lock"), "磁盘空间不足"),
])
@pytest.mark.parametrize("command", [["check"], ["import", "--dry-run", "--user", "admin", "hazards"]])
def test_a_folder_that_cannot_be_held_is_the_environment(tmp_path, capsys, monkeypatch, error, said,
                                                         command):
    argv = ["--data-dir", tmp_path, *command]
    if "import" in command:
        argv.append(_workbook(tmp_path / "list.xlsx"))
    _lock_folder_fails(monkeypatch, error)
    code, text = run(capsys, argv)
    assert code == 1
    assert said in text and "内部错误" not in text and "数据库错误" not in text, text
    log = _log(tmp_path)
    assert "data error" in log and errno.errorcode[error.errno] in log  # the errno, for whoever looks


def test_another_os_error_while_holding_the_folder_is_still_a_bug(tmp_path, capsys, monkeypatch):
    _lock_folder_fails(monkeypatch, OSError(errno.EINVAL, "Invalid argument", "/x/locks"))
    code, text = run(capsys, ["--data-dir", tmp_path, "check"])
    assert code == 1 and "内部错误" in text and "详细信息见日志" in text


def test_a_failure_inside_the_command_is_not_taken_for_the_folder(tmp_path, capsys, monkeypatch):
    """Only holding the folder is translated here: an OSError the command itself raises keeps
    its own way (a bug's crash path, with the log named)."""
    from desktop import cli

    def broken(args, config):  # type: ignore[no-untyped-def]
        raise OSError(errno.EINVAL, "Invalid argument", "somewhere")

    monkeypatch.setitem(cli.COMMANDS, "check", broken)
    code, text = run(capsys, ["--data-dir", tmp_path, "check"])
    assert code == 1 and "内部错误" in text


def _can_mount() -> bool:
    return sys.platform.startswith("linux") and os.geteuid() == 0 and shutil.which("mount") is not None


@pytest.mark.skipif(not _can_mount(), reason="needs root to mount a read-only tmpfs")
def test_a_really_read_only_data_folder(tmp_path, capsys):
    mount = tmp_path / "ro"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("mount refused (a container without CAP_SYS_ADMIN)")
    try:
        folder = mount / "d"
        folder.mkdir()
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        for command in (["check"], ["import", "--dry-run", "--user", "admin", "hazards",
                                    _workbook(tmp_path / "list.xlsx")]):
            code, text = run(capsys, ["--data-dir", folder, *command])
            assert code == 1 and "数据目录为只读或没有写入权限" in text and "内部错误" not in text, text
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


# -- item 2: a data command's environment failure reaches the log --------------------------


def test_a_busy_database_in_a_data_command_is_logged_with_its_code(db, users, tmp_path,
                                                                   capsys, monkeypatch):
    if not db.is_sqlite:
        pytest.skip("SQLite's write lock")
    sqlite_db = db
    assert sqlite_db.sqlite_path == tmp_path / "riskdesk.sqlite3"  # the folder's own database
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 0)  # fail at once instead of after 10 s
    blocker = sqlite3.connect(sqlite_db.sqlite_path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        code, text = run(capsys, ["--data-dir", tmp_path, "import", "--user", "admin", "hazards",
                                  _workbook(tmp_path / "list.xlsx")])
    finally:
        blocker.rollback()
        blocker.close()
    assert code == 1 and "数据库正被其他程序占用" in text and "内部错误" not in text
    log = _log(tmp_path)
    assert "data error: 数据库正被其他程序占用" in log
    assert "SQLITE_BUSY" in log and "database is locked" in log  # the driver's words and code
    assert "data error" not in text  # the log's English stays in the log


def test_a_guarded_command_logs_the_data_error(caplog, capsys):
    from desktop import cli_data

    def readonly() -> sqlite3.OperationalError:
        con = sqlite3.connect(":memory:")
        con.execute("PRAGMA query_only = 1")
        try:
            con.execute("CREATE TABLE t(x)")
        except sqlite3.OperationalError as exc:
            return exc
        raise AssertionError("query_only did not refuse")

    error = readonly()

    @cli_data._guarded
    def cmd_read_only(args):  # type: ignore[no-untyped-def]
        raise dbmod.translate_error(error) or error

    with caplog.at_level("ERROR", logger="desktop.cli"):
        assert cmd_read_only(None) == 1
    assert "数据库为只读" in capsys.readouterr().err
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "data error: 数据库为只读" in logged and "SQLITE_READONLY" in logged
