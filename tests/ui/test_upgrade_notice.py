"""An existing database being upgraded at start-up shows a notice while the migration runs on
a thread (converting a large agency's stored times takes a while); a new one does not."""

from __future__ import annotations

import pytest
from alembic import command
from PySide6.QtWidgets import QProgressDialog

from desktop import app
from desktop.db import Database, DataError


class Recorded(QProgressDialog):
    shown: list[Recorded] = []

    def show(self) -> None:
        Recorded.shown.append(self)
        super().show()


@pytest.fixture
def recorded(monkeypatch):
    Recorded.shown = []
    monkeypatch.setattr(app, "QProgressDialog", Recorded)
    return Recorded.shown


def test_an_older_database_is_upgraded_behind_a_notice(qtbot, tmp_path, recorded):
    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    db.migrate(backup=False)
    with db.engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), "0022")
    seen_during: list[bool] = []
    migrate = db.migrate

    def watched(**kwargs):
        seen_during.append(bool(recorded) and recorded[0].isVisible())
        return migrate(**kwargs)

    db.migrate = watched  # type: ignore[method-assign]
    copy = app.upgrade(db)
    assert db.current_revision() == db.head_revision()
    assert seen_during == [True]  # the notice was up while the work ran
    assert len(recorded) == 1 and "正在升级数据库" in recorded[0].labelText()
    assert not recorded[0].isVisible()
    assert copy is not None and copy.exists()  # the file was copied aside first
    db.dispose()


def test_a_new_database_opens_without_a_notice(qtbot, tmp_path, recorded):
    db = Database(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    assert app.upgrade(db) is None
    assert db.current_revision() == db.head_revision() and recorded == []
    db.dispose()


def test_a_failed_upgrade_reaches_the_caller(qtbot, tmp_path, recorded):
    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    db.migrate(backup=False)
    with db.engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), "0022")

    def fails(**_kwargs):
        raise DataError("磁盘已满", detail="disk full")

    db.migrate = fails  # type: ignore[method-assign]
    with pytest.raises(DataError, match="磁盘已满"):
        app.upgrade(db)
    assert not recorded[0].isVisible()
    db.dispose()
