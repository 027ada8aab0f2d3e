"""Shared fixtures: a fresh migrated database per test, actors for every role, offscreen Qt."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("RISKDESK_DATA_DIR", "/nonexistent-riskdesk-test-guard")  # never the user's data

# Tests write only into temporary folders: Hypothesis keeps no example database, and its
# caches (Unicode tables) go to a folder removed when the run ends, not .hypothesis/ here.
_HYPOTHESIS_HOME = "" if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY") else \
    tempfile.mkdtemp(prefix="riskdesk-hypothesis-")
if _HYPOTHESIS_HOME:
    os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = _HYPOTHESIS_HOME
# Saving a PostgreSQL address moves its password into libpq's password file: in a test,
# never the user's ~/.pgpass (tests that look at the file name their own with monkeypatch).
_PGPASS_HOME = tempfile.mkdtemp(prefix="riskdesk-pgpass-")
os.environ["PGPASSFILE"] = os.path.join(_PGPASS_HOME, "pgpass")

import pytest
from hypothesis import settings

settings.register_profile("riskdesk", database=None)
settings.load_profile("riskdesk")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _HYPOTHESIS_HOME:
        shutil.rmtree(_HYPOTHESIS_HOME, ignore_errors=True)
    shutil.rmtree(_PGPASS_HOME, ignore_errors=True)


from desktop.db import Database
from desktop.models.enums import Role
from desktop.services.context import Actor


def _cheap_password_hashing() -> None:
    """argon2 at production cost takes ~0.1 s a hash; tests create many accounts."""
    from argon2 import PasswordHasher

    from desktop.services import users as user_service

    user_service._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


_cheap_password_hashing()


PG_URL = os.environ.get("RISKDESK_TEST_PG_URL", "")

# A test module's day constants taken from the clock (TODAY = now().date() …) are read when the
# module is imported: a run that crosses China's midnight (16:00 UTC) would then use yesterday's
# date against the program's today. A module names them in CLOCK_DAYS, and each is set again at
# the start of every test of the module (constants with a fixed date are left alone).
_DAY_CONSTANTS = {
    "TODAY": lambda clock: clock.today(),
    "YESTERDAY": lambda clock: clock.today() - dt.timedelta(days=1),
    "MOMENT": lambda clock: clock.wall_now(),
}


@pytest.fixture(autouse=True)
def _day_constants_of_today(request):
    from desktop import clock

    module = getattr(request, "module", None)
    for name in getattr(module, "CLOCK_DAYS", ()):
        setattr(module, name, _DAY_CONSTANTS[name](clock))


def _settle_workers() -> None:
    """Let GUI workers still running on this test's database finish, and deliver their
    results, before the database goes away: otherwise a worker fails after the test and
    reports through a real message box once the test's dialog seam is gone."""
    import sys

    if "PySide6.QtCore" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QThreadPool

    QThreadPool.globalInstance().waitForDone(60_000)
    app = QCoreApplication.instance()
    if app is not None:
        app.processEvents()
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory):
    """Migrate once per run; each test copies the file (migrating 40 tables costs ~0.3 s)."""
    folder = tmp_path_factory.mktemp("template")
    db = Database(f"sqlite:///{folder / 'template.sqlite3'}")
    db.migrate(backup=False)
    db.dispose()
    return folder / "template.sqlite3"


@pytest.fixture
def sqlite_db(tmp_path, _template_db):
    """A SQLite database, for tests of SQLite-specific behaviour (pragmas, files, locks)."""
    import shutil

    path = tmp_path / "riskdesk.sqlite3"
    shutil.copyfile(_template_db, path)
    database = Database(f"sqlite:///{path}")
    yield database
    _settle_workers()
    database.dispose()


def _pg_admin():
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    return url, create_engine(url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def _pg_template():
    from sqlalchemy import text

    url, engine = _pg_admin()
    name = f"riskdesk_tpl_{os.getpid()}"
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    template = Database(url.set(database=name).render_as_string(hide_password=False))
    template.migrate(backup=False)
    template.dispose()
    yield name
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


_pg_counter = iter(range(1, 1_000_000))


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path, _template_db):
    """A fresh migrated database per test: SQLite always, PostgreSQL too when
    RISKDESK_TEST_PG_URL names a server (as .ci/run does)."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_db")
        return
    from sqlalchemy import text

    template = request.getfixturevalue("_pg_template")
    url, engine = _pg_admin()
    name = f"riskdesk_t{os.getpid()}_{next(_pg_counter)}"
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    database = Database(url.set(database=name).render_as_string(hide_password=False))
    try:
        yield database
    finally:
        _settle_workers()
        database.dispose()
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture
def users(db):
    """One account per role; returns {role: Actor}. Passwords are 'Secret-Desk-2026'."""
    from desktop.services import users as user_service

    actors: dict[str, Actor] = {}
    with db.session() as session:
        for role in Role:
            row = user_service.create_user(
                session, Actor.system(), username=role.value, display_name=f"{role.label}甲",
                role=role.value, password="Secret-Desk-2026",
            )
            actors[role.value] = Actor(row.id, row.username, row.role, row.display_name)
    return actors


@pytest.fixture
def admin(users):
    return users["admin"]
