"""Shared fixtures: a fresh migrated database per test, actors for every role, offscreen Qt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("RISKDESK_DATA_DIR", "/nonexistent-riskdesk-test-guard")  # never the user's data

import pytest

from desktop.db import Database
from desktop.models.enums import Role
from desktop.services.context import Actor


def _cheap_password_hashing() -> None:
    """argon2 at production cost takes ~0.1 s a hash; tests create many accounts."""
    from argon2 import PasswordHasher

    from desktop.services import users as user_service

    user_service._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


_cheap_password_hashing()


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory):
    """Migrate once per run; each test copies the file (migrating 40 tables costs ~0.3 s)."""
    folder = tmp_path_factory.mktemp("template")
    db = Database(f"sqlite:///{folder / 'template.sqlite3'}")
    db.migrate(backup=False)
    db.dispose()
    return folder / "template.sqlite3"


@pytest.fixture
def db(tmp_path, _template_db):
    import shutil

    path = tmp_path / "riskdesk.sqlite3"
    shutil.copyfile(_template_db, path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


@pytest.fixture
def users(db):
    """One account per role; returns {role: Actor}. Passwords are 'secret123'."""
    from desktop.services import users as user_service

    actors: dict[str, Actor] = {}
    with db.session() as session:
        for role in Role:
            row = user_service.create_user(
                session, Actor.system(), username=role.value, display_name=f"{role.label}甲",
                role=role.value, password="secret123",
            )
            actors[role.value] = Actor(row.id, row.username, row.role, row.display_name)
    return actors


@pytest.fixture
def admin(users):
    return users["admin"]
