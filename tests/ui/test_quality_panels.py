"""Complaints with their working-day reply deadline, incidents and missed hazards, evaluations
received: recorded in their dialogs, listed with overdue colouring, and on the compliance page."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from desktop.models.enums import IncidentKind
from desktop.ui.pages.compliance_page import CompliancePage
from desktop.ui.quality_panels import (
    ComplaintColumn,
    ComplaintDialog,
    ComplaintsPanel,
    EvaluationColumn,
    EvaluationDialog,
    EvaluationsPanel,
    IncidentDialog,
    IncidentsPanel,
    ReplyDialog,
)

from .keyboard import replace_text

FRIDAY = dt.date(2025, 3, 14)  # no holiday in the fortnight after


def accepted(dialog) -> bool:  # type: ignore[no-untyped-def]
    dialog.accept()
    return dialog.result() == dialog.DialogCode.Accepted


def shown(qtbot, panel):  # type: ignore[no-untyped-def]
    qtbot.addWidget(panel)
    panel.resize(1000, 500)
    panel.show()
    return panel


def test_a_complaint_is_due_in_ten_working_days_and_replied(qtbot, state, hazard_data, dialog_log,
                                                            qtmodeltester):
    panel = shown(qtbot, ComplaintsPanel(state))
    assert panel.model.rowCount() == 0 and panel.empty.isVisible()
    recorded = []
    panel.recorded.connect(lambda: recorded.append(True))

    def fill(dialog: ComplaintDialog) -> bool:
        replace_text(dialog.received.edit, FRIDAY.strftime("%Y/%m/%d"))
        assert dialog.due.text() == "2025-03-28"  # two weekends skipped, not 2025-03-24
        dialog.checking.setChecked(True)
        assert dialog.due.text() == "2025-04-27"  # 30 working days, a Sunday worked in exchange
        dialog.checking.setChecked(False)
        dialog.project.setCurrentIndex(dialog.project.findData(hazard_data.project))
        dialog.complainant.setText("周边居民王某")
        dialog.channel.setText("12345 转办")
        dialog.content.setPlainText("夜间施工噪声扰民，检查人员未督促整改")
        return accepted(dialog)

    dialog_log.on_run = fill
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    assert recorded == [True]
    row = panel.current()
    assert row is not None and row.reply_due == dt.date(2025, 3, 28)
    due = panel.model.index(0, ComplaintColumn.DUE)
    assert panel.model.data(due) == "2025-03-28"
    assert panel.model.data(panel.model.index(0, ComplaintColumn.PROJECT)).startswith("绍兴市越城区")
    assert panel.model.data(panel.model.index(0, ComplaintColumn.STATE)).startswith("已逾期")
    assert panel.model.data(due, Qt.ItemDataRole.ForegroundRole).name() == "#c62828"
    assert "已逾期 1 件" in panel.count.text()
    qtmodeltester.check(panel.model)

    panel.toggle_checking()  # facts to check: 30 working days
    assert panel.current().needs_checking and panel.current().reply_due == dt.date(2025, 4, 27)
    assert panel.checking_button.text() == "改为无需核实"

    def answer(dialog: ReplyDialog) -> bool:
        dialog.accept()
        assert dialog.field_errors["reply"].text() == "请填写答复内容"
        replace_text(dialog.replied.edit, "2025-04-31")  # no such day: said beside the field
        dialog.text.setPlainText("已督促")
        dialog.accept()
        assert "无法识别" in dialog.field_errors["replied_at"].text()
        assert dialog.result() != dialog.DialogCode.Accepted
        replace_text(dialog.replied.edit, "2025年4月1日")
        dialog.text.setPlainText("已督促施工单位调整作业时间，并书面答复投诉人")
        return accepted(dialog)

    dialog_log.on_run = answer
    qtbot.mouseClick(panel.reply_button, Qt.MouseButton.LeftButton)
    row = panel.current()
    assert row.replied_at == dt.date(2025, 4, 1) and not row.replied_late
    assert panel.model.data(panel.model.index(0, ComplaintColumn.STATE)) == "已答复"
    assert panel.model.data(due, Qt.ItemDataRole.ForegroundRole) is None
    panel.open_only.setChecked(True)
    assert panel.model.rowCount() == 0
    assert dialog_log.kinds() == []


def test_a_reviewer_records_no_complaint(qtbot, state, users, hazard_data, dialog_log):
    state.set_actor(users["reviewer"])
    panel = shown(qtbot, ComplaintsPanel(state))
    assert not panel.record_button.isEnabled()
    panel.record()
    assert dialog_log.kinds() == ["warn"] and "无权登记投诉" in dialog_log.texts("warn")[0]


def test_an_incident_is_recorded(qtbot, state, hazard_data, dialog_log, qtmodeltester):
    panel = shown(qtbot, IncidentsPanel(state))

    def fill(dialog: IncidentDialog) -> bool:
        dialog.project.setCurrentIndex(dialog.project.findData(hazard_data.project))
        dialog.kind.setCurrentIndex(dialog.kind.findData(IncidentKind.MISSED_MAJOR.value))
        replace_text(dialog.occurred.edit, "20250603")
        dialog.description.setPlainText("区住建局检查发现高支模立杆间距超出方案，本机构未判定为重大隐患")
        dialog.accept()  # a missed hazard says who found it
        assert dialog.field_errors["found_by"].text().startswith("请填写发现该重大隐患的单位")
        dialog.found_by.setText("越城区住房和城乡建设局")
        return accepted(dialog)

    dialog_log.on_run = fill
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    assert panel.model.rowCount() == 1
    assert panel.model.data(panel.model.index(0, 2)) == "漏判重大隐患"
    assert "共 1 起" in panel.count.text()
    qtmodeltester.check(panel.model)
    assert dialog_log.kinds() == []


def test_an_evaluation_is_recorded(qtbot, state, hazard_data, dialog_log, qtmodeltester):
    panel = shown(qtbot, EvaluationsPanel(state))

    def fill(dialog: EvaluationDialog) -> bool:
        dialog.kind.setCurrentIndex(dialog.kind.findData("insurer"))
        assert dialog.evaluator.currentData() == hazard_data.insurer  # the only insurer
        dialog.period.setText("2025H2")
        replace_text(dialog.received.edit, "2026.1.20")
        dialog.result_text.setText("优秀")
        return accepted(dialog)

    dialog_log.on_run = fill
    panel.record()
    assert panel.model.rowCount() == 1
    row = panel.model.rows()[0]
    assert (row.period, row.result, row.recognized) == ("2025H2", "优秀", True)
    assert panel.model.data(panel.model.index(0, EvaluationColumn.PERIOD)) == "2025年下半年"
    assert row.evaluator_name.startswith("中国人民财产保险")
    name = panel.table.fontMetrics().horizontalAdvance(row.evaluator_name)
    assert panel.table.columnWidth(EvaluationColumn.EVALUATOR) > name  # the name whole, not cut
    qtmodeltester.check(panel.model)


def test_a_bad_period_is_shown_beside_its_field(qtbot, state, hazard_data, dialog_log):
    panel = shown(qtbot, EvaluationsPanel(state))

    def fill(dialog: EvaluationDialog) -> bool:
        dialog.period.setText("去年")
        dialog.result_text.setText("合格")
        dialog.accept()
        assert dialog.field_errors["period"].text()
        return False

    dialog_log.on_run = fill
    panel.record()
    assert panel.model.rowCount() == 0


def test_the_compliance_page_shows_them_beside_the_gaps(qtbot, state, hazard_data):
    page = CompliancePage(state)
    qtbot.addWidget(page)
    titles = [page.quality_tabs.tabText(i) for i in range(page.quality_tabs.count())]
    assert titles == ["问题清单", "投诉", "事故与漏判", "评价"]
    assert page.quality_tabs.widget(1) is page.complaints
