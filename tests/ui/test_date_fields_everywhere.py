"""Every date in every dialog is typed through the keyboard and read back as typed (year too)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDateTimeEdit, QWidget

from desktop.services import hazards
from desktop.services.queries import archive_view, compliance_view, training_view
from desktop.ui.archive_dialogs import ItemDialog
from desktop.ui.date_field import DateField, TimeField
from desktop.ui.fee_ledger import FeeEntryDialog
from desktop.ui.hazard_actions import IssueNoticeDialog, ReportDialog, VerifyCloseDialog
from desktop.ui.hazard_dialog import HazardDialog
from desktop.ui.inspection_dialog import InspectionDialog
from desktop.ui.project_dialog import ProjectDialog
from desktop.ui.quality_panels import ComplaintDialog, EvaluationDialog, IncidentDialog
from desktop.ui.training_dialogs import AssistDialog, DrillDialog, SessionDialog

from .keyboard import replace_text

UI = Path(__file__).resolve().parents[2] / "desktop" / "ui"
FORMS = ("{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}{m:02d}{d:02d}", "{y}年{m}月{d}日", "{y}.{m}.{d}")


def test_no_spin_box_dates_are_left_in_the_window_code():
    offenders = [p.name for p in UI.rglob("*.py")
                 if any(name in p.read_text(encoding="utf-8")
                        for name in ("QDateEdit", "QDateTimeEdit", "QTimeEdit"))]
    assert offenders == []


def _dialogs(state, ids):  # type: ignore[no-untyped-def]
    hazard = state.read(hazards.get, 1)
    level_1 = state.read(hazards.get, 4)  # hazard_data's level-1 hazard owes reports
    report = state.read(hazards.pending_reports, level_1.id)[0]
    scope = state.read(compliance_view.scope_choices)
    training = state.read(training_view.project_choices)
    archive = state.read(archive_view.project_choices)
    return {
        "hazard": (lambda: HazardDialog(state, project_id=ids.project), 2),
        "inspection": (lambda: InspectionDialog(state, project_id=ids.project), 2),
        "project": (lambda: ProjectDialog(state, ids.project), 6),
        "issue_notice": (lambda: IssueNoticeDialog(state, hazard), 1),
        "verify_close": (lambda: VerifyCloseDialog(state, hazard), 2),
        "report": (lambda: ReportDialog(state, level_1, report), 1),
        "session": (lambda: SessionDialog(state, training, project_id=ids.project), 1),
        "assist": (lambda: AssistDialog(state, training, ids.project), 1),
        "drill": (lambda: DrillDialog(state, training, ids.project), 1),
        "complaint": (lambda: ComplaintDialog(state, scope), 1),
        "incident": (lambda: IncidentDialog(state, scope), 1),
        "evaluation": (lambda: EvaluationDialog(state, scope), 1),
        "fee": (lambda: FeeEntryDialog(state, ids.policy), 1),
        "archive_item": (lambda: ItemDialog(state, archive, project_id=ids.project), 1),
    }


@pytest.mark.parametrize("name", ["hazard", "inspection", "project", "issue_notice", "verify_close",
                                  "report", "session", "assist", "drill", "complaint", "incident",
                                  "evaluation", "fee", "archive_item"])
def test_every_date_field_takes_a_typed_date(qtbot, state, hazard_data, name):
    make, at_least = _dialogs(state, hazard_data)[name]
    dialog: QWidget = make()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.findChildren(QDateTimeEdit) == []
    fields = dialog.findChildren(DateField)
    assert len(fields) >= at_least, name
    for n, field in enumerate(fields):
        day = dt.date(2027 + n % 3, 1 + n % 12, 28 - n % 5)
        y, m, d = day.year, day.month, day.day
        replace_text(field.edit, FORMS[n % len(FORMS)].format(y=y, m=m, d=d))
        if field.maximum is not None and day > field.maximum:  # an inspection is not in the future
            assert field.date() is None and "不能晚于" in field.error()
            continue
        assert field.date() == day, (name, n, field.text())
        assert field.error() == ""
    for time in dialog.findChildren(TimeField):
        replace_text(time, "16时05分")
        assert time.time() == dt.time(16, 5)
