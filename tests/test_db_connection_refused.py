"""A PostgreSQL server that refuses the sign-in, or has no such database, says so (review of
issue 17, item 3): not "cannot reach the server, check the network". libpq gives no SQLSTATE
for a connection refused while it is being made, only the server's text; the driver's text
goes to the log."""

from __future__ import annotations

import logging
import os

import psycopg
import psycopg.errors
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

import desktop.db as dbmod
from desktop.db import Database, DataError, translate_error

PG_URL = os.environ.get("RISKDESK_TEST_PG_URL", "")
needs_pg = pytest.mark.skipif(not PG_URL, reason="RISKDESK_TEST_PG_URL not set")


def _connect_failure(text: str) -> DataError | None:
    return translate_error(OperationalError("connect", {}, psycopg.OperationalError(text)))


@pytest.mark.parametrize("said", [
    'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
    'FATAL:  password authentication failed for user "riskdesk"',
    'connection failed: connection to server at "db", port 5432 failed: '
    'FATAL:  role "nobody" does not exist',
    'connection failed: connection to server at "db", port 5432 failed: FATAL:  no pg_hba.conf '
    'entry for host "10.0.0.9", user "riskdesk", database "riskdesk", no encryption',
    'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
    'fe_sendauth: no password supplied',
    'connection failed: connection to server at "db", port 5432 failed: '
    '致命错误:  用户 "riskdesk" Password 认证失败',  # a server speaking Chinese (zh_CN)
])
def test_a_refused_sign_in_says_so(said):
    mapped = _connect_failure(said)
    assert mapped is not None and mapped.message == dbmod.AUTHENTICATION
    assert "用户名和密码" in mapped.message and said in mapped.detail


@pytest.mark.parametrize("said", [
    'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
    'FATAL:  database "riskdesk_2024" does not exist',
    'connection failed: connection to server at "db", port 5432 failed: 致命错误:  数据库 "风控" 不存在',
])
def test_a_database_that_does_not_exist_says_so(said):
    mapped = _connect_failure(said)
    assert mapped is not None and mapped.message == dbmod.NO_DATABASE
    assert "数据库名称" in mapped.message


def test_a_network_failure_keeps_the_network_message():
    said = ('connection failed: connection to server at "127.0.0.1", port 5499 failed: '
            'Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?')
    assert _connect_failure(said).message == dbmod.CONNECTION  # type: ignore[union-attr]


@pytest.mark.parametrize(("sqlstate", "expected"), [
    ("28P01", "AUTHENTICATION"), ("28000", "AUTHENTICATION"), ("3D000", "NO_DATABASE"),
])
def test_the_same_by_sqlstate_when_the_driver_has_one(sqlstate, expected):
    driver_error = psycopg.errors.lookup(sqlstate)("server said so")
    mapped = translate_error(DBAPIError("SELECT 1", {}, driver_error))
    assert mapped is not None and mapped.message == getattr(dbmod, expected)


def test_the_words_never_turn_a_bug_into_an_environment_failure():
    # a bug's message that happens to contain the words (a statement, a SQLSTATE of a bug)
    driver_error = psycopg.errors.lookup("42P01")('relation "database "x" does not exist" …')
    assert translate_error(DBAPIError("SELECT 1", {}, driver_error)) is None


def _with(**parts: str) -> str:
    return make_url(PG_URL).set(drivername="postgresql", **parts).render_as_string(hide_password=False)


@needs_pg
def test_postgres_a_wrong_password_is_a_refused_sign_in(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))  # no password file to fall back on
    db = Database(_with(password="certainly-not-the-password"))
    try:
        with caplog.at_level(logging.WARNING, logger="desktop.db"), pytest.raises(DataError) as info:
            db.current_revision()
    finally:
        db.dispose()
    assert info.value.message == dbmod.AUTHENTICATION
    assert "password authentication failed" in info.value.detail
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "password authentication failed" in logged
    assert "certainly-not-the-password" not in logged + info.value.detail


@needs_pg
def test_postgres_a_database_that_does_not_exist_says_so(caplog):
    db = Database(_with(database="riskdesk_no_such_database_17"))
    try:
        with caplog.at_level(logging.WARNING, logger="desktop.db"), pytest.raises(DataError) as info:
            db.current_revision()
    finally:
        db.dispose()
    assert info.value.message == dbmod.NO_DATABASE
    assert "riskdesk_no_such_database_17" in " ".join(r.getMessage() for r in caplog.records)


def test_an_unreachable_server_still_says_network(caplog):
    db = Database("postgresql://nobody:x@127.0.0.1:1/none?connect_timeout=2")
    try:
        with caplog.at_level(logging.WARNING, logger="desktop.db"), pytest.raises(DataError) as info:
            db.current_revision()
    finally:
        db.dispose()
    assert info.value.message == dbmod.CONNECTION
    assert "127.0.0.1" in " ".join(r.getMessage() for r in caplog.records)  # the driver's text
