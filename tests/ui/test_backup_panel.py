"""Backup and restore from the settings: a backup on a worker, the schedule, a verified restore."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from desktop.models import Hazard
from desktop.services.exchange import backup
from desktop.ui import backup_panel
from desktop.ui.app_state import AppState
from desktop.ui.backup_panel import BackupPanel


@pytest.fixture
def panel(qtbot, state):
    widget = BackupPanel(state)
    qtbot.addWidget(widget)
    widget.refresh()
    return widget


def hazard_count(db) -> int:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.execute(select(func.count()).select_from(Hazard)).scalar_one()


def test_backup_to_a_chosen_file_runs_with_progress(qtbot, panel, hazard_data, dialog_log,
                                                   monkeypatch, tmp_path):
    target = tmp_path / "out" / "我的备份.zip"
    asked = []
    monkeypatch.setattr(backup_panel, "choose_save_file",
                        lambda _p, _t, start, _f: asked.append(start) or str(target))
    with qtbot.waitSignal(panel.backed_up, timeout=20_000) as done:
        panel.backup_button.click()
        assert not panel.backup_button.isEnabled()  # one backup at a time
    assert asked[0].endswith(".zip")
    assert done.args[0].path == target and target.is_file()
    assert backup.verify_backup(target)["format"] == "riskdesk-backup"
    assert dialog_log.kinds() == ["inform"] and str(target) in dialog_log.texts("inform")[0]
    qtbot.waitUntil(lambda: panel.task is None)
    assert panel.backup_button.isEnabled()


def test_cancelled_chooser_does_nothing(panel, dialog_log, monkeypatch):
    monkeypatch.setattr(backup_panel, "choose_save_file", lambda *_a: "")
    panel.backup_button.click()
    assert panel.task is None and dialog_log.calls == []


def test_schedule_is_saved_to_the_settings_file(panel, config, dialog_log):
    panel.interval.setValue(12)
    panel.keep.setValue(3)
    panel.save_button.click()
    assert (config.get("backup_interval_hours"), config.get("backup_keep")) == (12, 3)
    saved = json.loads((config.data_dir / "settings.json").read_text(encoding="utf-8"))
    assert saved["backup_interval_hours"] == 12 and saved["backup_keep"] == 3
    assert dialog_log.kinds() == ["inform"]


def test_restore_is_for_administrators(qtbot, db, users, config):
    for role, can_backup in (("clerk", True), ("tech_lead", True), ("inspector", False)):
        widget = BackupPanel(AppState(db=db, config=config, actor=users[role]))
        qtbot.addWidget(widget)
        assert not widget.restore_button.isEnabled()
        assert widget.backup_button.isEnabled() is can_backup


def test_restore_verifies_asks_and_closes_the_program(qtbot, panel, state, db, admin, config,
                                                      hazard_data, dialog_log, monkeypatch,
                                                      tmp_path):
    if not db.is_sqlite:
        pytest.skip("the restore of a PostgreSQL database is covered by the service tests")
    config.set("database_url", db.url)  # restore into the database this test uses
    saved = tmp_path / "before.zip"
    backup.backup(db, config, saved)
    before = hazard_count(db)
    from desktop.services import recycle  # a change made after the backup, then undone

    with db.session() as session:
        first = session.execute(select(Hazard).order_by(Hazard.id)).scalars().first()
        recycle.soft_delete(session, admin, "hazards", first.id, expected_version=first.version)
        recycle.purge(session, admin, "hazards", first.id)
    assert hazard_count(db) == before - 1
    closed = []
    monkeypatch.setattr(backup_panel, "quit_application", lambda: closed.append(True))
    monkeypatch.setattr(backup_panel, "choose_open_file", lambda *_a: str(saved))
    with qtbot.waitSignal(panel.restored, timeout=30_000) as done:
        panel.restore_button.click()
    assert dialog_log.kinds() == ["ask", "inform"]
    asked = dialog_log.texts("ask")[0]
    assert "文件完整" in asked and "重新打开" in asked
    # only what was checked: a backup without signed checkpoints is not called authentic
    assert "校验通过" not in asked and "备份中没有签名检查点" in asked
    assert closed == [True]
    assert done.args[0].aside is not None and done.args[0].aside.is_dir()
    assert hazard_count(db) == before


def test_a_damaged_backup_is_refused_before_anything_changes(qtbot, panel, dialog_log,
                                                             monkeypatch, tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    monkeypatch.setattr(backup_panel, "choose_open_file", lambda *_a: str(bad))
    panel.restore_button.click()
    qtbot.waitUntil(lambda: dialog_log.calls != [], timeout=10_000)
    assert dialog_log.kinds() == ["warn"] and "未做任何改动" in dialog_log.texts("warn")[0]
