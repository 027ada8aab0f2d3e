"""The history panel: who changed which field of a record, when, from what to what."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from desktop.models import Hazard
from desktop.services import hazards
from desktop.ui.app_state import AppState
from desktop.ui.history_panel import HistoryColumn, HistoryDialog, HistoryPanel, show_history


def edited_hazard(db, admin):  # type: ignore[no-untyped-def]
    with db.read() as session:
        hazard = session.execute(select(Hazard).order_by(Hazard.id)).scalars().first()
        hazard_id, version, old = hazard.id, hazard.version, hazard.location
    with db.session() as session:
        hazards.update(session, admin, hazard_id, expected_version=version, location="3#楼 6 层临边")
    return hazard_id, old


def test_panel_shows_a_field_change(qtbot, state, db, admin, hazard_data, qtmodeltester):
    hazard_id, old = edited_hazard(db, admin)
    panel = HistoryPanel(state)
    qtbot.addWidget(panel)
    panel.load("hazards", hazard_id)
    qtmodeltester.check(panel.model)
    newest = panel.lines()[0]
    assert (newest.action, newest.field, newest.before, newest.after) == (
        "修改", "location", old, "3#楼 6 层临边")
    assert newest.user == "系统管理员甲"
    model = panel.model
    assert model.data(model.index(0, HistoryColumn.AFTER)) == "3#楼 6 层临边"
    assert model.headerData(HistoryColumn.BEFORE, Qt.Orientation.Horizontal) == "原值"
    assert any(line.action == "新建" for line in panel.lines())
    assert panel.empty.isHidden()


def test_show_history_opens_a_dialog_through_the_seam(qtbot, state, db, admin, hazard_data,
                                                      dialog_log):
    hazard_id, _ = edited_hazard(db, admin)
    shown = []
    dialog_log.on_run = lambda dialog: shown.append(dialog) or False
    show_history(None, state, "hazards", hazard_id, title="隐患历史")
    assert isinstance(shown[0], HistoryDialog)
    qtbot.addWidget(shown[0])
    assert shown[0].windowTitle() == "隐患历史"
    assert shown[0].panel.lines()[0].field == "location"


def test_a_record_without_history_says_so(qtbot, state, hazard_data):
    panel = HistoryPanel(state)
    qtbot.addWidget(panel)
    panel.load("hazards", 999_999)
    assert panel.model.rowCount() == 0 and not panel.empty.isHidden()


def test_refusal_is_told_not_raised(qtbot, db, users, config, hazard_data, dialog_log,
                                    monkeypatch):
    from desktop.services.context import PermissionDenied
    from desktop.services.queries import history

    def refuse(*_args, **_kw):  # type: ignore[no-untyped-def]
        raise PermissionDenied("没有查看权限")

    monkeypatch.setattr(history, "history", refuse)
    show_history(None, AppState(db=db, config=config, actor=users["clerk"]), "hazards", 1)
    assert dialog_log.kinds() == ["warn"]

