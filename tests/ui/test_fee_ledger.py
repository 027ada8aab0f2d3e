"""The prevention-fee ledger of a project's policy (N-17): budget, service entries with the running
balance, services delivered against booked, overspending, voiding; who may write in it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from desktop.services import fees, inspections, recycle, training
from desktop.services.context import now
from desktop.ui.fee_ledger import EntryColumn, FeeEntryDialog, FeeLedger, VoidEntryDialog
from desktop.ui.pages.projects_page import ProjectPage


@pytest.fixture
def ledger(qtbot, state, hazard_data):
    widget = FeeLedger(state)
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    widget.show()
    widget.load(hazard_data.project)
    return widget


def service(amount: str, kind: str = "inspection", text: str = "第一季度风险辨识与隐患排查"):  # type: ignore[no-untyped-def]
    def fill(dialog: FeeEntryDialog) -> bool:
        dialog.kind.setCurrentIndex(dialog.kind.findData("service"))
        dialog.service_kind.setCurrentIndex(dialog.service_kind.findData(kind))
        dialog.amount.setText(amount)
        dialog.description.setPlainText(text)
        dialog.accept()
        return dialog.result() == dialog.DialogCode.Accepted
    return fill


def test_budget_and_a_service_give_the_balance(qtbot, ledger, hazard_data, dialog_log, qtmodeltester):
    assert ledger.ledger is not None and ledger.ledger.policy_id == hazard_data.policy
    assert not ledger.policy.isVisible()  # one policy: nothing to choose
    assert ledger.warning.isVisible() and "尚未登记预算" in ledger.warning.text()
    assert ledger.budget_button.isEnabled()
    qtbot.mouseClick(ledger.budget_button, Qt.MouseButton.LeftButton)
    assert ledger.ledger.budget == Decimal("24000.00")
    assert not ledger.budget_button.isEnabled()  # a budget is there

    dialog_log.on_run = service("3,000")
    qtbot.mouseClick(ledger.add_button, Qt.MouseButton.LeftButton)
    assert ledger.ledger.spent == Decimal("3000.00")
    assert ledger.ledger.balance == Decimal("21000.00")
    assert ledger.entries.rowCount() == 2
    last = ledger.entries.index(1, EntryColumn.BALANCE)
    assert ledger.entries.data(last) == "21,000.00"
    assert ledger.entries.data(ledger.entries.index(1, EntryColumn.AMOUNT)) == "-3,000.00"
    assert ledger.current_entry().amount == Decimal("3000.00")  # the new entry is selected
    assert "余额 21,000.00 元" in ledger.summary.text()
    inspections = next(s for s in ledger.ledger.services if s.service_kind == "inspection")
    assert inspections.booked == 1
    qtmodeltester.check(ledger.entries)
    qtmodeltester.check(ledger.services)
    assert dialog_log.kinds() == []


def test_overspending_is_shown_and_a_wrong_entry_voided(qtbot, ledger, dialog_log):
    ledger.open_budget()
    dialog_log.on_run = service("30000", "training", "全员安全教育培训")
    ledger.add_entry()
    assert ledger.ledger.overspent
    assert "已超支 6,000.00 元" in ledger.warning.text()
    row = ledger.entries.rowCount() - 1
    colour = ledger.entries.data(ledger.entries.index(row, 0), Qt.ItemDataRole.ForegroundRole)
    assert colour is not None and colour.name() == "#c62828"

    def void(dialog: VoidEntryDialog) -> bool:
        dialog.accept()  # no reason: refused beside the field, the dialog stays
        assert dialog.isVisible() or dialog.result() != dialog.DialogCode.Accepted
        assert dialog.field_errors["reason"].text() == "请填写作废原因"
        dialog.reason.setPlainText("金额录错，应为 3000 元")
        dialog.accept()
        return dialog.result() == dialog.DialogCode.Accepted

    dialog_log.on_run = void
    assert ledger.void_button.isEnabled()
    ledger.void_entry()
    assert not ledger.ledger.overspent and ledger.ledger.spent == 0
    assert ledger.entries.rowCount() == 1


def test_an_invalid_amount_is_shown_beside_the_field(qtbot, ledger, dialog_log):
    def bad(dialog: FeeEntryDialog) -> bool:
        dialog.amount.setText("三千")
        dialog.accept()
        assert dialog.field_errors["amount"].text() == "金额须为数字"
        return False

    dialog_log.on_run = bad
    ledger.add_entry()
    assert ledger.entries.rowCount() == 0


def test_a_clerk_books_fees_and_a_reviewer_is_refused(qtbot, ledger, state, users, dialog_log, db,
                                                      hazard_data):
    state.set_actor(users["clerk"])
    assert ledger.add_button.isEnabled()
    dialog_log.on_run = service("1500", "consulting", "技术咨询")
    ledger.add_entry()
    assert ledger.ledger.spent == Decimal("1500.00")

    state.set_actor(users["reviewer"])
    assert not ledger.add_button.isEnabled() and not ledger.budget_button.isEnabled()
    dialog_log.on_run = None  # no dialog may open
    ledger.add_entry()
    assert dialog_log.kinds() == ["warn"] and "无权登记预防费用" in dialog_log.texts("warn")[0]
    # a form left open when the user changed is refused by the service, told through the seam
    dialog = FeeEntryDialog(state, hazard_data.policy)
    qtbot.addWidget(dialog)
    dialog.amount.setText("100")
    dialog.accept()
    assert dialog.refused and len(dialog_log.texts("warn")) == 2
    with db.read() as session:
        assert fees.ledger(session, hazard_data.policy).spent == Decimal("1500.00")


def test_the_project_file_has_the_fee_tab(qtbot, state, hazard_data):
    page = ProjectPage(state)
    qtbot.addWidget(page)
    page.load(hazard_data.project)
    titles = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert "预防费用" in titles
    page.tabs.setCurrentWidget(page.fees)
    assert page.fees.ledger is not None and page.fees.ledger.policy_id == hazard_data.policy
    assert "PICC-AZX-2026" in page.fees.summary.text()


def test_a_service_entry_linked_to_a_service_record(qtbot, ledger, state, hazard_data, db, admin,
                                                    dialog_log, qtmodeltester):
    today = now().date()
    with db.session() as s:
        visit = inspections.record(s, admin, inspections.InspectionForm(
            project_id=hazard_data.project, kind="full_coverage", date=today - dt.timedelta(days=3),
            inspector_ids=(admin.user_id,)))
        drill = training.record_drill(s, admin, training.DrillForm(
            project_id=hazard_data.project, date=today - dt.timedelta(days=2), scenario="塔吊倾覆"))
    ledger.open_budget()
    offered = []

    def link(dialog: FeeEntryDialog) -> bool:
        offered.extend(dialog.record.itemText(i) for i in range(dialog.record.count()))
        assert dialog.chosen_record() is None and dialog.record.isEnabled()
        dialog.kind.setCurrentIndex(dialog.kind.findData("budget"))
        assert not dialog.record.isEnabled()  # only a service's cost books a record
        dialog.kind.setCurrentIndex(dialog.kind.findData("service"))
        dialog.record.setCurrentIndex(dialog.record.findText(f"检查 {visit.date.isoformat()} 全覆盖检查"))
        assert dialog.chosen_record().ref_id == visit.id
        # the record decides the service kind and fills the empty summary
        assert dialog.service_kind.currentData() == "inspection" and not dialog.service_kind.isEnabled()
        assert dialog.description.toPlainText() == f"检查 {visit.date.isoformat()} 全覆盖检查"
        dialog.amount.setText("3000")
        dialog.accept()
        return dialog.result() == dialog.DialogCode.Accepted

    dialog_log.on_run = link
    ledger.add_entry()
    assert offered == ["不关联服务记录", f"演练 {drill.date.isoformat()} 塔吊倾覆",
                       f"检查 {visit.date.isoformat()} 全覆盖检查"]
    entry = ledger.current_entry()
    assert (entry.ref_type, entry.ref_id, entry.service_kind) == ("inspection", visit.id, "inspection")
    row = ledger.entries.rowCount() - 1
    shown = ledger.entries.data(ledger.entries.index(row, EntryColumn.RECORD))
    assert shown == f"检查 {visit.date.isoformat()} 全覆盖检查"
    assert ledger.entries.headerData(EntryColumn.RECORD, Qt.Orientation.Horizontal) == "关联服务记录"
    qtmodeltester.check(ledger.entries)
    inspections_line = next(s for s in ledger.ledger.services if s.service_kind == "inspection")
    assert (inspections_line.delivered, inspections_line.booked) == (1, 1)

    def next_time(dialog: FeeEntryDialog) -> bool:  # a booked record is not offered again
        offered[:] = [dialog.record.itemText(i) for i in range(dialog.record.count())]
        return False

    dialog_log.on_run = next_time
    ledger.add_entry()
    assert offered == ["不关联服务记录", f"演练 {drill.date.isoformat()} 塔吊倾覆"]


def test_a_record_deleted_meanwhile_is_said_beside_the_chooser(qtbot, ledger, hazard_data, db, admin,
                                                               dialog_log):
    with db.session() as s:
        drill = training.record_drill(s, admin, training.DrillForm(
            project_id=hazard_data.project, date=now().date(), scenario="基坑坍塌"))

    def gone(dialog: FeeEntryDialog) -> bool:
        dialog.record.setCurrentIndex(1)
        assert dialog.service_kind.currentData() == "drill"
        with db.session() as s:  # another desk deletes the drill while the form is open
            recycle.soft_delete(s, admin, "drills", drill.id, expected_version=drill.version, reason="重复")
        dialog.amount.setText("800")
        dialog.accept()
        assert dialog.field_errors["ref_id"].text() == "关联的服务记录不存在"
        assert dialog.result() != dialog.DialogCode.Accepted
        dialog.record.setCurrentIndex(0)  # booked without the link instead
        assert dialog.service_kind.isEnabled()
        dialog.accept()
        return dialog.result() == dialog.DialogCode.Accepted

    dialog_log.on_run = gone
    ledger.add_entry()
    entry = ledger.current_entry()
    assert entry.ref_id is None and entry.service_kind == "drill" and entry.record is None
    assert ledger.entries.data(ledger.entries.index(0, EntryColumn.RECORD)) == ""
