"""A bug in a query reaches the crash dialog with the log file named; a locked database is a
message, not a crash (errors are told apart by code: desktop/db.py translate_error)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

import desktop.db as dbmod
from desktop.db import Database, DataError
from desktop.ui.crash import CrashHandler
from desktop.ui.tasks import handle_failure


def _failure(fn):  # type: ignore[no-untyped-def]
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - the test hands it on
        return exc
    raise AssertionError("no failure")


def test_no_such_column_reaches_the_crash_dialog_with_the_log_file(sqlite_db, tmp_path,
                                                                     dialog_log, monkeypatch):
    def buggy_read():  # type: ignore[no-untyped-def]
        with sqlite_db.read() as session:
            session.execute(text("SELECT no_such_column FROM sequences")).all()

    exc = _failure(buggy_read)
    assert not isinstance(exc, DataError)
    handler = CrashHandler(tmp_path / "riskdesk.log")
    monkeypatch.setattr("sys.excepthook", handler)
    handle_failure(None, exc)
    assert dialog_log.kinds() == ["error"]
    shown = dialog_log.texts("error")[0]
    assert str(tmp_path / "riskdesk.log") in shown and "no_such_column" in shown


def test_a_locked_database_is_a_message_not_a_crash(sqlite_db, tmp_path, dialog_log, monkeypatch):
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 0)
    quick = Database(sqlite_db.url)
    blocker = sqlite3.connect(sqlite_db.sqlite_path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")

    def write():  # type: ignore[no-untyped-def]
        with quick.session() as session:
            session.connection().exec_driver_sql("INSERT INTO sequences(name, value) VALUES ('z', 1)")

    try:
        exc = _failure(write)
    finally:
        blocker.rollback()
        blocker.close()
        quick.dispose()
    assert isinstance(exc, DataError)
    monkeypatch.setattr("sys.excepthook", CrashHandler(tmp_path / "riskdesk.log"))
    handle_failure(None, exc)
    assert dialog_log.kinds() == ["warn"]
    assert "锁定" in dialog_log.texts("warn")[0]


@pytest.fixture(autouse=True)
def _quiet_crash_log(caplog):
    caplog.set_level("CRITICAL", logger="desktop.ui")  # the handler logs the bug: expected here
