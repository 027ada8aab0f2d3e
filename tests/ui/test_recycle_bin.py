"""The recycle bin: a deleted hazard comes back; only an administrator purges, after a question."""

from __future__ import annotations

import pytest

from desktop.services import recycle
from desktop.ui.app_state import AppState
from desktop.ui.recycle_bin import BinColumn, RecycleBin


def first_hazard(db):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from desktop.models import Hazard

    with db.read() as session:
        hazard = session.execute(select(Hazard).order_by(Hazard.id)).scalars().first()
        return hazard.id, hazard.number, hazard.version


@pytest.fixture
def deleted(db, admin, hazard_data):
    hazard_id, number, version = first_hazard(db)
    with db.session() as session:
        recycle.soft_delete(session, admin, "hazards", hazard_id, expected_version=version,
                            reason="重复登记")
    return hazard_id, number


def make_bin(qtbot, state):  # type: ignore[no-untyped-def]
    panel = RecycleBin(state)
    qtbot.addWidget(panel)
    panel.refresh()
    return panel


def in_bin(db, admin):  # type: ignore[no-untyped-def]
    with db.read() as session:
        return [(r.entity, r.entity_id) for r in recycle.list_bin(session, admin)]


def test_deleted_hazard_is_listed_and_restored(qtbot, state, db, admin, deleted, dialog_log,
                                               qtmodeltester):
    hazard_id, number = deleted
    panel = make_bin(qtbot, state)
    qtmodeltester.check(panel.model)
    assert panel.model.rowCount() == 1
    assert panel.model.data(panel.model.index(0, BinColumn.KIND)) == "隐患"
    assert panel.model.data(panel.model.index(0, BinColumn.TITLE)) == number
    assert not panel.restore_button.isEnabled()
    assert panel.select("hazards", hazard_id)
    with qtbot.waitSignal(state.changed) as announced:
        panel.restore_button.click()
    assert announced.args[0].hazards and hazard_id in announced.args[0].ids["hazards"]
    assert dialog_log.kinds() == ["inform"]
    assert in_bin(db, admin) == []
    assert panel.model.rowCount() == 0 and not panel.empty.isHidden()


def test_purge_asks_first_and_is_for_admins_only(qtbot, db, users, config, deleted, dialog_log):
    hazard_id, _ = deleted
    clerk = AppState(db=db, config=config, actor=users["tech_lead"])
    panel = make_bin(qtbot, clerk)
    panel.select("hazards", hazard_id)
    assert panel.restore_button.isEnabled() and not panel.purge_button.isEnabled()
    panel.purge()  # reached some other way, the service still refuses
    assert dialog_log.kinds() == ["ask", "warn"]
    assert dialog_log.calls[-1][1] == "没有权限"
    assert in_bin(db, users["admin"]) == [("hazards", hazard_id)]

    admin_state = AppState(db=db, config=config, actor=users["admin"])
    panel = make_bin(qtbot, admin_state)
    panel.select("hazards", hazard_id)
    assert panel.purge_button.isEnabled()
    dialog_log.answer = False
    panel.purge_button.click()
    assert in_bin(db, users["admin"]) == [("hazards", hazard_id)]  # said no: nothing happens
    dialog_log.answer = True
    panel.purge_button.click()
    assert in_bin(db, users["admin"]) == []
    assert panel.model.rowCount() == 0


def test_history_of_a_deleted_record(qtbot, state, deleted, dialog_log):
    hazard_id, _ = deleted
    panel = make_bin(qtbot, state)
    panel.select("hazards", hazard_id)
    seen = []
    dialog_log.on_run = lambda dialog: seen.append(dialog.panel.lines()) or False
    panel.history_button.click()
    actions = [line.action for line in seen[0]]
    assert actions[0] == "删除（移入回收站）" and "新建" in actions
    assert any(line.note == "重复登记" for line in seen[0])
