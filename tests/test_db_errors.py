"""Environment failures are recognised by code (SQLite result codes, PostgreSQL SQLSTATE, errno),
each with its own message; everything else is a bug and is not disguised as a DataError."""

from __future__ import annotations

import errno
import sqlite3

import psycopg.errors
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

import desktop.db as dbmod
from desktop.db import Database, DataError, translate_error


def _insert(session, name: str = "x") -> None:  # type: ignore[no-untyped-def]
    session.execute(text("INSERT INTO sequences(name, value) VALUES (:name, 1)"), {"name": name})


# -- real SQLite failures ------------------------------------------------------------------


def test_a_locked_database_is_busy(sqlite_db, monkeypatch):
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 0)
    quick = Database(sqlite_db.url)  # busy_timeout = 0: fails at once
    blocker = sqlite3.connect(sqlite_db.sqlite_path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DataError) as info, quick.session() as session:
            _insert(session)
        assert info.value.message == dbmod.BUSY
        assert info.value.__cause__.orig.sqlite_errorname == "SQLITE_BUSY"
    finally:
        blocker.rollback()
        blocker.close()
        quick.dispose()


def test_a_table_locked_by_its_own_connection_is_busy(tmp_path):
    con = sqlite3.connect(tmp_path / "t.sqlite3")
    con.executescript("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2);")
    reading = con.execute("SELECT x FROM t")
    reading.fetchone()
    with pytest.raises(sqlite3.OperationalError) as info:
        con.execute("DROP TABLE t")
    con.close()
    assert info.value.sqlite_errorname == "SQLITE_LOCKED"
    assert translate_error(info.value).message == dbmod.BUSY


def test_a_read_only_database_says_read_only(sqlite_db):
    ro = Database(f"sqlite:///file:{sqlite_db.sqlite_path}?mode=ro&uri=true")
    try:
        with pytest.raises(DataError) as info, ro.session() as session:
            _insert(session, "y")
        assert info.value.message == dbmod.READ_ONLY
        assert info.value.__cause__.orig.sqlite_errorname.startswith("SQLITE_READONLY")
    finally:
        ro.dispose()


def test_a_full_database_says_disk_full(sqlite_db):
    with pytest.raises(DataError) as info, sqlite_db.session() as session:
        connection = session.connection()
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
        connection.exec_driver_sql(f"PRAGMA max_page_count = {pages}")  # SQLITE_FULL at once
        for i in range(200):
            _insert(session, f"{i:04d}" + "满" * 2000)
    sqlite_db.dispose()  # the connection keeps its page limit: drop it
    assert info.value.message == dbmod.FULL
    assert info.value.__cause__.orig.sqlite_errorname == "SQLITE_FULL"


def test_a_file_that_is_not_a_database_says_damaged(tmp_path):
    path = tmp_path / "riskdesk.sqlite3"
    path.write_bytes(b"this is a spreadsheet, not a database" * 200)
    db = Database(f"sqlite:///{path}")
    try:
        with pytest.raises(DataError) as info:
            db.current_revision()
        assert info.value.message == dbmod.DAMAGED
    finally:
        db.dispose()


def test_a_folder_in_place_of_the_file_cannot_be_opened(tmp_path):
    (tmp_path / "riskdesk.sqlite3").mkdir()
    db = Database(f"sqlite:///{tmp_path / 'riskdesk.sqlite3'}")
    try:
        with pytest.raises(DataError) as info:
            db.current_revision()
        assert info.value.message == dbmod.CANNOT_OPEN
    finally:
        db.dispose()


def test_an_io_error_code_says_read_write_error():
    exc = sqlite3.OperationalError("disk I/O error")
    exc.sqlite_errorcode, exc.sqlite_errorname = 778, "SQLITE_IOERR_WRITE"  # as SQLite sets them
    mapped = translate_error(OperationalError("INSERT", {}, exc))
    assert mapped is not None and mapped.message == dbmod.IO_ERROR


# -- bugs stay bugs -----------------------------------------------------------------------


def test_no_such_column_is_a_bug_not_a_data_error(sqlite_db):
    with pytest.raises(OperationalError) as info, sqlite_db.session() as session:
        session.execute(text("SELECT no_such_column FROM sequences"))
    assert not isinstance(info.value, DataError)
    assert info.value.orig.sqlite_errorname == "SQLITE_ERROR"
    with pytest.raises(OperationalError), sqlite_db.read() as session:
        session.execute(text("SELECT no_such_column FROM sequences"))
    assert translate_error(info.value) is None


def test_words_in_a_message_without_a_code_decide_nothing():
    # "locked" in a bug's message (a column named so) must not make it an environment failure
    assert translate_error(sqlite3.OperationalError("no such column: locked")) is None
    assert translate_error(ValueError("database is locked")) is None


def test_a_broken_constraint_is_a_bug(db):
    with db.session() as session:
        _insert(session, "dup")
    with pytest.raises(IntegrityError) as info, db.session() as session:
        _insert(session, "dup")
    assert translate_error(info.value) is None


# -- PostgreSQL SQLSTATE (the driver's own exception classes) ------------------------------


@pytest.mark.parametrize(("sqlstate", "expected"), [
    ("08006", "CONNECTION"),  # connection_failure
    ("08001", "CONNECTION"),  # sqlclient_unable_to_establish_sqlconnection
    ("53100", "FULL"),
    ("57P01", "CONNECTION"),
    ("57P02", "CONNECTION"),
    ("57P03", "CONNECTION"),
    ("40001", "RETRY"),
    ("40P01", "RETRY"),
    ("25006", "READ_ONLY_SERVER"),
    ("55P03", "BUSY"),
])
def test_postgres_environment_codes(sqlstate, expected):
    driver_error = psycopg.errors.lookup(sqlstate)("server said so")
    assert driver_error.sqlstate == sqlstate
    mapped = translate_error(DBAPIError("SELECT 1", {}, driver_error))
    assert mapped is not None and mapped.message == getattr(dbmod, expected)


@pytest.mark.parametrize("sqlstate", ["42703", "42P01", "23505", "22P02", "57014"])
def test_postgres_bug_codes_are_not_translated(sqlstate):
    # undefined column, undefined table, unique violation, bad input syntax, query cancelled
    driver_error = psycopg.errors.lookup(sqlstate)("server said so")
    assert translate_error(DBAPIError("SELECT 1", {}, driver_error)) is None


def test_a_client_side_failure_without_sqlstate_is_a_lost_connection():
    driver_error = psycopg.OperationalError("connection failed: Connection refused")
    assert driver_error.sqlstate is None
    mapped = translate_error(OperationalError("connect", {}, driver_error))
    assert mapped is not None and mapped.message == dbmod.CONNECTION


def test_an_unreachable_server_is_a_connection_failure():
    db = Database("postgresql://nobody:x@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(DataError) as info:
        db.current_revision()
    assert info.value.message == dbmod.CONNECTION


# -- the OS --------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "expected"), [
    (errno.ENOSPC, "FULL"), (errno.EROFS, "READ_ONLY_DIR"), (errno.EACCES, "READ_ONLY_DIR"),
    (errno.EIO, "IO_ERROR"),
])
def test_os_errors_by_errno(code, expected):
    assert translate_error(OSError(code, "said")).message == getattr(dbmod, expected)


def test_other_os_errors_are_bugs():
    assert translate_error(FileNotFoundError(errno.ENOENT, "gone")) is None
    assert translate_error(OSError("no errno")) is None


# -- real PostgreSQL failures (RISKDESK_TEST_PG_URL) ---------------------------------------


@pytest.fixture
def pg(db):
    if db.is_sqlite:
        pytest.skip("PostgreSQL only")
    with db.session() as session:
        _insert(session, "row")
    return db


def _raw(db):  # type: ignore[no-untyped-def]
    """A second desk: its own autocommit connection to the same database."""
    return db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def test_postgres_a_row_locked_elsewhere_is_busy(pg):
    other = _raw(pg)
    try:
        other.exec_driver_sql("BEGIN")
        other.exec_driver_sql("SELECT * FROM sequences WHERE name = 'row' FOR UPDATE")
        with pytest.raises(DataError) as info, pg.session() as session:
            session.execute(text("SELECT * FROM sequences WHERE name = 'row' FOR UPDATE NOWAIT"))
        assert info.value.__cause__.orig.sqlstate == "55P03"
        assert info.value.message == dbmod.BUSY
    finally:
        other.exec_driver_sql("ROLLBACK")
        other.close()


def test_postgres_a_read_only_transaction_says_read_only(pg):
    with pytest.raises(DataError) as info, pg.session() as session:
        session.execute(text("SET TRANSACTION READ ONLY"))
        _insert(session, "ro")
    assert info.value.__cause__.orig.sqlstate == "25006"
    assert info.value.message == dbmod.READ_ONLY_SERVER


def test_postgres_a_concurrent_update_asks_to_retry(pg):
    other = _raw(pg)
    try:
        with pytest.raises(DataError) as info, pg.session() as session:
            session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
            session.execute(text("SELECT value FROM sequences WHERE name = 'row'")).all()
            other.exec_driver_sql("UPDATE sequences SET value = value + 1 WHERE name = 'row'")
            session.execute(text("UPDATE sequences SET value = value + 1 WHERE name = 'row'"))
        assert info.value.__cause__.orig.sqlstate == "40001"
        assert info.value.message == dbmod.RETRY
    finally:
        other.close()


def test_postgres_a_terminated_connection_is_a_lost_connection(pg):
    admin = _raw(pg)
    try:
        with pytest.raises(DataError) as info, pg.session() as session:
            pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            admin.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
            session.execute(text("SELECT 1"))
        assert info.value.message == dbmod.CONNECTION
    finally:
        admin.close()
    with pg.read() as session:  # the pool hands out a fresh connection afterwards
        assert session.execute(text("SELECT 1")).scalar_one() == 1


def test_postgres_no_such_column_is_a_bug(pg):
    with pytest.raises(DBAPIError) as info, pg.session() as session:
        session.execute(text("SELECT no_such_column FROM sequences"))
    assert not isinstance(info.value, DataError)
    assert info.value.orig.sqlstate == "42703"


def test_sqlite_binds_no_more_values_than_on_windows(db):
    """db.py holds SQLite to 32,766 bound values a statement (the default since 3.32, and the
    SQLite of Python's Windows build) on every platform, so a statement that would fail on an
    agency's PC fails here too."""
    import sqlite3

    from sqlalchemy import select

    from desktop.db import SQLITE_MAX_VARIABLES
    from desktop.models import Project

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    assert SQLITE_MAX_VARIABLES == 32766
    with db.read() as s:
        assert s.execute(select(Project.id).where(Project.id.in_(range(32766)))).all() == []
        with pytest.raises(Exception) as info:
            s.execute(select(Project.id).where(Project.id.in_(range(32767)))).all()
    assert isinstance(getattr(info.value, "orig", None), sqlite3.OperationalError)
    assert "too many SQL variables" in str(info.value)
