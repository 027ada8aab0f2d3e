"""月末批量 · 批量登记报送 with the 报送时间 typed: an unreadable time (25:70) or an impossible date
(2026-02-30) is refused with the field's reason and nothing is logged — never logged as "now";
a readable one is logged as typed."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from desktop.models import Submission
from desktop.services import month_end
from desktop.services.context import now
from desktop.ui.document_dialogs import DraftChoice
from desktop.ui.month_end_dialog import MonthEndDialog, last_month

SLOW = 60_000


@pytest.fixture
def signed(qtbot, state, users, hazard_data, tmp_path):  # type: ignore[no-untyped-def]
    """The dialog of last month with every due document drafted and signed."""
    period = last_month(now().date())
    drafted = month_end.draft_all(state.db.session, users["clerk"], period=period,
                                  scope_type="agency", scope_id=None,
                                  store_dir=state.config.attachments_dir, work_dir=tmp_path)
    month_end.sign_all(state.db.session, users["tech_lead"], [r.id for r in drafted.drafted],
                       store_dir=state.config.attachments_dir, work_dir=tmp_path)
    state.set_actor(users["clerk"])
    dialog = MonthEndDialog(state, DraftChoice("hazard_list", period, "agency", None))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.submit_button.isEnabled()
    dialog.channel.setCurrentText("电子邮件")
    return dialog


def type_moment(dialog, day: str, time: str | None = None) -> None:  # type: ignore[no-untyped-def]
    dialog.when.date_field.edit.setText(day)
    dialog.when.date_field.edit.editingFinished.emit()
    if time is not None:
        dialog.when.time_field.setText(time)
        dialog.when.time_field.editingFinished.emit()


def logged(state) -> list[dt.datetime]:  # type: ignore[no-untyped-def]
    return state.read(lambda s: list(s.execute(select(Submission.submitted_at)).scalars()))


@pytest.mark.parametrize(("day", "time", "reason"), [
    ("2026-12-01", "25:70", "无法识别的时间“25:70”，请按 14:30 的格式填写"),
    ("2026-02-30", None, "无法识别的日期“2026-02-30”"),
    ("", None, "请填写日期"),
])
def test_an_unreadable_time_is_refused_and_nothing_logged(qtbot, state, signed, day, time, reason):
    type_moment(signed, day, time)
    qtbot.mouseClick(signed.submit_button, Qt.MouseButton.LeftButton)
    assert signed.task is None  # no worker started
    assert reason in signed.error.text()
    qtbot.wait(200)
    assert logged(state) == []


def test_a_readable_time_is_logged_as_typed(qtbot, state, signed):
    day = now().date()
    type_moment(signed, day.isoformat(), "00:30")
    with qtbot.waitSignal(state.changed, timeout=SLOW):
        qtbot.mouseClick(signed.submit_button, Qt.MouseButton.LeftButton)
    assert signed.error.text() == ""
    assert set(logged(state)) == {dt.datetime.combine(day, dt.time(0, 30))}
