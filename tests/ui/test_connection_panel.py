"""Pointing a desk at a shared database: checked, saved for the next start, admins only."""

from __future__ import annotations

import os

import pytest

from desktop import pgpass
from desktop.config import Config
from desktop.services import connection
from desktop.services.context import ValidationError
from desktop.ui.app_state import AppState
from desktop.ui.connection_panel import ConnectionPanel


def test_bad_addresses_are_refused_next_to_the_field(qtbot, state, dialog_log):
    panel = ConnectionPanel(state)
    qtbot.addWidget(panel)
    for bad in ("mysql://x@y/z", "postgresql://only-a-host", "::not a url::"):
        panel.url.setText(bad)
        assert not panel.save()
        assert panel.error.text()
    assert "database_url" not in state.config.values


def test_test_and_save_a_database(qtbot, state, dialog_log, tmp_path):
    panel = ConnectionPanel(state)
    qtbot.addWidget(panel)
    url = state.db.engine.url.render_as_string(hide_password=False)
    panel.url.setText(url)
    panel.store.setText(str(tmp_path / "shared-store"))
    assert panel.test()
    assert "连接成功" in dialog_log.texts("inform")[-1]
    assert panel.save()
    reloaded = Config.load(state.config.data_dir)
    saved = pgpass.without_password(url)  # a PostgreSQL password goes to the password file
    assert reloaded.get("database_url") == saved == panel.url.text()
    assert reloaded.attachments_dir == tmp_path / "shared-store"
    if not os.environ.get("RISKDESK_DATABASE_URL"):
        assert reloaded.database_url == saved


def test_the_password_goes_to_the_password_file_not_the_settings(qtbot, state, dialog_log,
                                                               tmp_path, monkeypatch):
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "pgpass"))
    panel = ConnectionPanel(state)
    qtbot.addWidget(panel)
    panel.url.setText("postgresql://desk@db.local:5432/riskdesk")
    panel.password.setText("s3cret:pw")
    panel.owner_url.setText("postgresql://owner:0wner-pw@db.local:5432/riskdesk")
    assert panel.save()
    text = (state.config.data_dir / "settings.json").read_text(encoding="utf-8")
    assert "s3cret" not in text and "0wner-pw" not in text
    reloaded = Config.load(state.config.data_dir)
    assert reloaded.get("database_url") == "postgresql://desk@db.local:5432/riskdesk"
    assert reloaded.get("migration_database_url") == "postgresql://owner@db.local:5432/riskdesk"
    assert panel.owner_url.text() == "postgresql://owner@db.local:5432/riskdesk"
    assert pgpass.lookup("db.local", "5432", "riskdesk", "desk") == "s3cret:pw"
    assert pgpass.lookup("db.local", "5432", "riskdesk", "owner") == "0wner-pw"
    assert str(tmp_path / "pgpass") in dialog_log.texts("inform")[-1]
    assert panel.password.text() == ""


def test_unreachable_server_is_reported_not_raised(qtbot, state, dialog_log):
    panel = ConnectionPanel(state)
    qtbot.addWidget(panel)
    panel.url.setText("postgresql://nobody:x@127.0.0.1:1/none?connect_timeout=2")
    assert not panel.test()
    assert "无法连接" in dialog_log.texts("warn")[-1]


def test_only_admins_change_it(qtbot, db, users, config):
    panel = ConnectionPanel(AppState(db=db, config=config, actor=users["clerk"]))
    qtbot.addWidget(panel)
    assert not panel.save_button.isEnabled() and not panel.url.isEnabled()
    assert panel.test_button.isEnabled()


def test_empty_address_means_the_local_file():
    assert connection.validate_url("  ") == ""
    assert connection.check("").ok
    with pytest.raises(ValidationError):
        connection.validate_url("oracle://a/b")


def _stamped(path, revision):  # type: ignore[no-untyped-def]
    """A SQLite file whose schema revision reads `revision` (only the alembic_version table)."""
    import sqlite3

    con = sqlite3.connect(path)
    with con:
        con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        con.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
    con.close()
    return f"sqlite:///{path}"


def test_a_database_of_a_newer_riskdesk_is_refused_in_its_own_words(qtbot, state, dialog_log, tmp_path):
    url = _stamped(tmp_path / "newer.sqlite3", "9999_from_a_newer_version")
    result = connection.check(url)
    assert not result.ok
    assert result.message == "数据库来自更新版本的 RiskDesk（结构版本 9999_from_a_newer_version），请升级程序。"
    assert "先升级" not in result.message
    panel = ConnectionPanel(state)
    qtbot.addWidget(panel)
    panel.url.setText(url)
    assert not panel.test()
    assert "更新版本的 RiskDesk" in dialog_log.texts("warn")[-1]


def test_an_older_database_is_upgraded_at_the_next_start(tmp_path):
    from desktop.db import known_revisions
    from desktop.migrations import SCHEMA_HEAD

    older = sorted(known_revisions() - {SCHEMA_HEAD})[0]
    result = connection.check(_stamped(tmp_path / "older.sqlite3", older))
    assert result.ok and f"结构版本为 {older}，切换后启动时将先升级" in result.message
