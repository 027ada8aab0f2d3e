"""The foundation: core free of Qt, migrations equal to the ORM, db pragmas and error translation."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from desktop.db import Database, DataError, translate_error
from desktop.models import Base


def test_core_imports_no_qt():
    code = (
        "import sys, desktop.models, desktop.db, desktop.services.users, desktop.services.audit, "
        "desktop.services.numbering, desktop.services.rules, desktop.services.permissions\n"
        "import pkgutil, importlib, desktop.services, desktop.reports, desktop.demo\n"
        "for pkg in (desktop.services, desktop.reports, desktop.demo):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.startswith('PySide6')]\n"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_migrations_match_orm(db):
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={
            "include_object": lambda o, n, t, r, c: not (
                (t == "table" and n.startswith("hazards_fts")) or (t == "index" and n.endswith("_trgm"))
            ),
            "compare_type": True,
        })
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_migration_round_trip(tmp_path):
    from alembic import command

    db = Database(f"sqlite:///{tmp_path / 'rt.sqlite3'}")
    db.migrate(backup=False)
    with db.engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), "base")
    with db.engine.connect() as conn:
        names = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    assert [n for (n,) in names if n != "alembic_version" and not n.startswith("sqlite_")] == []
    assert db.current_revision() is None
    db.migrate(backup=False)
    assert db.current_revision() == db.head_revision()
    db.dispose()


def test_sqlite_pragmas(sqlite_db):
    with sqlite_db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_migrate_copies_existing_file_first(tmp_path):
    from alembic import command

    path = tmp_path / "old.sqlite3"
    db = Database(f"sqlite:///{path}")
    db.migrate(backup=False)
    with db.engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), "0001")
    copy = db.migrate()
    assert copy is not None and copy.exists()
    assert "0001" in copy.name
    assert db.current_revision() == db.head_revision()
    db.dispose()


def test_locked_database_becomes_data_error(sqlite_db, monkeypatch):
    import desktop.db as dbmod

    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 100)
    quick = Database(sqlite_db.url)  # picks up the short timeout
    blocker = sqlite3.connect(sqlite_db.sqlite_path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DataError) as info:
            with quick.session() as session:
                session.connection().exec_driver_sql("INSERT INTO sequences(name, value) VALUES ('x', 1)")
        assert "锁定" in info.value.message
    finally:
        blocker.rollback()
        blocker.close()
        quick.dispose()


def test_bugs_are_not_translated():
    assert translate_error(ValueError("bug")) is None
    assert translate_error(KeyError("bug")) is None


def test_read_only_file_gives_data_error(tmp_path, sqlite_db):
    import os
    import shutil

    if os.geteuid() == 0:
        # root ignores file modes; use SQLite's own read-only open instead
        ro = Database(f"sqlite:///file:{sqlite_db.sqlite_path}?mode=ro&uri=true")
    else:
        target = tmp_path / "ro" / "sqlite_db.sqlite3"
        target.parent.mkdir()
        shutil.copy(sqlite_db.sqlite_path, target)
        target.chmod(0o444)
        target.parent.chmod(0o555)
        ro = Database(f"sqlite:///{target}")
    with pytest.raises(DataError) as info:
        with ro.session() as session:
            session.connection().exec_driver_sql("INSERT INTO sequences(name, value) VALUES ('y', 1)")
    assert "只读" in info.value.message or "无法打开" in info.value.message
    ro.dispose()


def test_unreachable_postgres_is_a_data_error():
    db = Database("postgresql://nobody:x@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(DataError) as info:
        db.current_revision()
    assert "无法连接" in info.value.message


def test_schema_head_constant_matches_alembic(db):
    from desktop.migrations import SCHEMA_HEAD

    assert db.head_revision() == SCHEMA_HEAD
    assert db.current_revision() == SCHEMA_HEAD
    assert not db.needs_upgrade()
