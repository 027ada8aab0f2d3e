"""The month-end dialog (issue 16 §5): the period and scope, every due document drafted on a
worker, signed by the technical lead with a refusal shown on its row, submissions logged."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from desktop.models import Submission
from desktop.services import documents
from desktop.services.context import now
from desktop.ui.document_dialogs import DraftChoice
from desktop.ui.month_end_dialog import BatchScopeDialog, MonthEndDialog, last_month

SLOW = 60_000


@pytest.fixture
def dialog(qtbot, state, hazard_data):
    choice = DraftChoice("hazard_list", last_month(now().date()), "agency", None)
    dialog = MonthEndDialog(state, choice)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def column(dialog, col: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [dialog.table.item(r, col).text() for r in range(dialog.table.rowCount())]


def test_scope_dialog_asks_period_and_scope_only(qtbot, state):
    picker = BatchScopeDialog(state)
    qtbot.addWidget(picker)
    picker.show()
    assert not picker.kind.isVisible()
    assert picker.period.text() == last_month(now().date())
    assert picker.chosen().scope_type == "agency"


def test_draft_sign_and_submit(qtbot, state, users, dialog, dialog_log):
    rows = dialog.table.rowCount()
    assert rows >= 3 and set(column(dialog, 3)) == {"未生成"}
    assert not dialog.sign_button.isEnabled()  # nothing drafted yet (and admin may not sign)
    with qtbot.waitSignal(state.changed, timeout=SLOW):
        qtbot.mouseClick(dialog.draft_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: set(column(dialog, 3)) == {"草稿"}, timeout=SLOW)
    lead = users["tech_lead"]
    own = dialog.planned[0]
    with state.db.session() as s:  # the lead compiles one himself: he may not also sign it
        documents.generate_draft(s, lead, kind=own.kind, scope_type="agency", scope_id=None, period=own.period,
                                 store_dir=state.config.attachments_dir, work_dir=state.config.attachments_dir)
    state.set_actor(lead)
    assert dialog.sign_button.isEnabled()
    dialog.table.selectRow(0)  # the preview shows the draft
    for r in range(rows):
        dialog.table.item(r, 0).setCheckState(Qt.CheckState.Checked)
    with qtbot.waitSignal(state.changed, timeout=SLOW):
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: column(dialog, 3).count("已签发") == rows - 1, timeout=SLOW)
    assert column(dialog, 3)[0] == "草稿" and "编制人与审核人不能为同一人" in column(dialog, 4)[0]
    assert "1 份未能完成" in dialog.error.text()
    dialog.channel.setCurrentText("电子邮件")
    with qtbot.waitSignal(state.changed, timeout=SLOW):
        qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: state.read(lambda s: s.execute(select(func.count(Submission.id))).scalar_one()) == (rows - 1) * 2,
                    timeout=SLOW)
    channels = state.read(lambda s: set(s.execute(select(Submission.channel)).scalars()))
    assert channels == {"电子邮件"}
