"""Automatic backups: started when due, quietly on a worker, reported to the status bar."""

from __future__ import annotations

from desktop.ui.auto_backup import AutoBackup


def test_backup_runs_when_due_and_not_again(qtbot, state, agency_profile):
    state.config.set("backup_interval_hours", 24)
    auto = AutoBackup(state)
    with qtbot.waitSignal(auto.message, timeout=60_000) as blocker:
        assert auto.check()
        assert not auto.check()  # one at a time
    assert "自动备份完成" in blocker.args[0]
    made = list(state.config.backup_dir.glob("riskdesk-auto-*.zip"))
    assert len(made) == 1 and made[0].stat().st_size > 0
    qtbot.waitUntil(lambda: auto.task is None)
    assert not auto.check()  # not due again for 24 hours


def test_disabled_schedule_never_starts(qtbot, state):
    state.config.set("backup_interval_hours", 0)
    assert not AutoBackup(state).check()
