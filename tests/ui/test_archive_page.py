"""The archive page: items added, filters in SQL, destruction requested for items past retention,
the insurer's approval recorded with its scan, destruction; refusals told through the dialogs
seam."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog, QPushButton

from desktop.services import documents, projects
from desktop.services.context import now
from desktop.ui import training_dialogs as forms
from desktop.ui.archive_dialogs import (
    ApprovalDialog,
    DestroyDialog,
    ItemDialog,
    RejectDialog,
    RequestDialog,
)
from desktop.ui.lazy_model import ROW_ROLE
from desktop.ui.pages.archive_page import ArchivePage, ItemColumn, RequestColumn
from tests.factories import make_project

from .keyboard import replace_text
from .shots import shots_dir

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = now().date()
CLOCK_DAYS = ("TODAY",)  # set again before each test (conftest): a run may cross midnight


def shot(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    QApplication.processEvents()
    assert widget.grab().save(str(shots_dir() / f"{name}.png"))


@pytest.fixture
def old_project(db, admin, agency_profile):
    """A project completed six years ago: the retention of its files ended a year ago."""
    with db.session() as s:
        ids = make_project(s, admin, name="越城区老旧小区改造")
        detail = projects.get_detail(s, ids.project)
        day = TODAY.replace(year=TODAY.year - 6)
        projects.update_project(s, admin, ids.project, dataclasses.replace(
            detail.form, status="completed", completion_date=day,
            start_date=min(day, detail.form.start_date)), expected_version=detail.project.version)
        make_project(s, admin, name="镜湖新区学校")
    return ids


@pytest.fixture
def page(qtbot, state, old_project):
    page = ArchivePage(state)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    page.activate()
    return page


def accepted(dialog: QDialog) -> bool:
    dialog.accept()
    return dialog.result() == QDialog.DialogCode.Accepted


def rows(model):  # type: ignore[no-untyped-def]
    return [model.data(model.index(r, 0), ROW_ROLE) for r in range(model.rowCount())]


def button(page, name: str) -> QPushButton:  # type: ignore[no-untyped-def]
    return page.findChild(QPushButton, name)


def select_all(page) -> None:  # type: ignore[no-untyped-def]
    page.table.setFocus()
    page.table.selectAll()


def add_items(page, dialog_log, project_id: int,  # type: ignore[no-untyped-def]
              titles: tuple[str, ...]) -> None:
    for title in titles:
        def fill(dialog: ItemDialog, title: str = title) -> bool:
            dialog.project.setCurrentIndex(dialog.project.findData(project_id))
            dialog.title_field.setText(title)
            dialog.doc_type.setCurrentText("检查记录")
            dialog.pages.setValue(24)
            dialog.box.setText("2020-A-03")
            dialog.shelf.setText("档案室 3 号柜")
            return accepted(dialog)

        dialog_log.on_run = fill
        page.new_button.click()


def test_items_added_filtered_and_corrected(qtbot, page, old_project, dialog_log, qtmodeltester):
    seen = []

    def refused(dialog: ItemDialog) -> bool:
        dialog.show()
        dialog.project.setCurrentIndex(dialog.project.findData(old_project.project))
        dialog.accept()  # neither title nor (for paper) a box or shelf
        seen.extend(k for k, label in dialog.field_errors.items() if label.text())
        shot(dialog, "archive-item-dialog-refused")
        return False

    dialog_log.on_run = refused
    page.new_button.click()
    assert seen == ["title", "shelf"]
    add_items(page, dialog_log, old_project.project, ("检查记录第1册", "整改通知书汇编"))
    assert page.ledger.rowCount() == 2
    ledger = rows(page.ledger)
    assert ledger[0].retention_until == TODAY.replace(year=TODAY.year - 1)
    past = page.ledger.data(page.ledger.index(0, ItemColumn.RETENTION),
                            Qt.ItemDataRole.ForegroundRole)
    assert past is not None and past.name() == "#c62828"
    assert "已过保存期限 2 件" in page.count_label.text()
    qtmodeltester.check(page.ledger)
    page.due.setCurrentIndex(page.due.findData("due_soon"))
    assert page.ledger.rowCount() == 0
    page.due.setCurrentIndex(page.due.findData("past"))
    assert page.ledger.rowCount() == 2
    page.search.setText("通知")
    qtbot.waitUntil(lambda: page.ledger.rowCount() == 1)
    page.table.setFocus()
    page.table.selectRow(0)

    def correct(dialog: ItemDialog) -> bool:
        assert dialog.title_field.text() == "整改通知书汇编"
        dialog.shelf.setText("档案室 5 号柜")
        return accepted(dialog)

    dialog_log.on_run = correct
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert rows(page.ledger)[0].shelf == "档案室 5 号柜"


def test_request_approval_with_a_scan_then_destruction(qtbot, page, old_project, dialog_log,
                                                       monkeypatch, tmp_path, db, qtmodeltester):
    add_items(page, dialog_log, old_project.project, ("检查记录第1册", "整改通知书汇编"))
    select_all(page)

    def request(dialog: RequestDialog) -> bool:
        dialog.show()
        assert len(dialog.rows) == 2
        shot(dialog, "archive-request-dialog")
        return accepted(dialog)

    dialog_log.on_run = request
    button(page, "requestDestruction").click()
    assert [r.status for r in rows(page.requests)] == ["requested"]
    assert page.requests.data(page.requests.index(0, RequestColumn.STATUS)) == "待承保机构审批"
    assert {r.status for r in rows(page.ledger)} == {"destruction_requested"}
    qtmodeltester.check(page.requests)

    # destruction before any approval: refused, told through the dialogs seam
    select_all(page)
    dialog_log.on_run = accepted
    button(page, "destroyItems").click()
    assert dialog_log.kinds()[-1] == "warn"
    assert "没有经承保机构书面批准的销毁申请" in dialog_log.texts("warn")[-1]
    assert {r.status for r in rows(page.ledger)} == {"destruction_requested"}

    page.request_table.setFocus()
    page.request_table.selectRow(0)
    scan = tmp_path / "人保绍〔2026〕18号批复.pdf"
    scan.write_bytes(PDF)
    monkeypatch.setattr(forms, "choose_open_file", lambda *_a: str(scan))

    def approve(dialog: ApprovalDialog) -> bool:
        dialog.show()
        dialog.approved_by.setText("李经理")
        replace_text(dialog.approved_at.date_field.edit, TODAY.strftime("%Y/%m/%d"))  # typed
        dialog.approval_ref.setText("人保绍〔2026〕18号")
        dialog.accept()  # no scan yet: said beside the scan field
        assert "扫描件" in dialog.field_errors["approval_attachment_id"].text()
        shot(dialog, "archive-approval-without-scan")
        dialog.browse.click()
        assert dialog.scan.text() == str(scan)
        return accepted(dialog)

    dialog_log.on_run = approve
    button(page, "recordApproval").click()
    request_row = rows(page.requests)[0]
    assert request_row.status == "approved" and request_row.approval_attachment_id is not None
    assert {r.status for r in rows(page.ledger)} == {"destruction_approved"}

    page.request_table.selectRow(0)

    def destroy(dialog: DestroyDialog) -> bool:
        assert len(dialog.rows) == 2
        dialog.note.setPlainText("碎纸机销毁，监销人：王五")
        return accepted(dialog)

    dialog_log.on_run = destroy
    button(page, "destroyRequest").click()
    assert {r.status for r in rows(page.ledger)} == {"destroyed"}
    assert rows(page.requests)[0].status == "done"
    shot(page, "archive-destroyed")

    page.request_table.selectRow(0)
    with qtbot.waitSignal(page.state.changed, timeout=10_000):
        button(page, "printForm").click()
    qtbot.waitUntil(lambda: bool(dialog_log.viewers), timeout=5000)  # the in-app viewer
    qtbot.addWidget(dialog_log.viewers[0])
    assert dialog_log.viewers[0].page_count >= 1
    page.project.setCurrentIndex(page.project.findData(old_project.project))
    with qtbot.waitSignal(page.state.changed, timeout=10_000):
        button(page, "printCatalogue").click()
    with db.read() as s:
        kinds = sorted(d.kind for d in documents.register(s))
    assert kinds == ["archive_catalogue", "destruction_form"]


def test_rejection_returns_the_items(page, old_project, dialog_log):
    add_items(page, dialog_log, old_project.project, ("检查记录第1册",))
    select_all(page)
    dialog_log.on_run = accepted
    button(page, "requestDestruction").click()
    page.request_table.selectRow(0)

    def reject(dialog: RejectDialog) -> bool:
        dialog.note.setPlainText("请保留至诉讼结束")
        return accepted(dialog)

    dialog_log.on_run = reject
    button(page, "recordRejection").click()
    assert rows(page.requests)[0].status == "rejected"
    assert [r.status for r in rows(page.ledger)] == ["active"]
    page.request_table.selectRow(0)
    dialog_log.on_run = accepted  # a second answer to the same request is refused
    button(page, "recordRejection").click()
    assert "不能登记驳回" in dialog_log.texts("warn")[-1]


def test_items_not_yet_due_are_refused(page, dialog_log):
    live = next(c.id for c in page.choices if c.completion_date is None)
    add_items(page, dialog_log, live, ("服务合同",))
    page.project.setCurrentIndex(page.project.findData(live))
    select_all(page)
    dialog_log.on_run = accepted
    button(page, "requestDestruction").click()
    assert "尚未竣工" in dialog_log.texts("warn")[-1]
    assert page.requests.rowCount() == 0
    dialog_log.calls.clear()
    page.table.clearSelection()
    button(page, "requestDestruction").click()
    assert dialog_log.kinds() == ["inform"]


def test_layout_remembered_and_roles(qtbot, page, state, users, tmp_path):
    settings = QSettings(str(tmp_path / "layout.ini"), QSettings.Format.IniFormat)
    page.table.setColumnWidth(ItemColumn.TITLE, 321)
    page.splitter.setSizes([300, 300])
    page.save_state(settings)
    again = ArchivePage(state)
    qtbot.addWidget(again)
    again.restore_state(settings)
    assert again.table.columnWidth(ItemColumn.TITLE) == 321
    state.set_actor(users["clerk"])
    assert button(page, "newItem").isEnabled() and not button(page, "recordApproval").isEnabled()
    state.set_actor(users["reviewer"])
    assert not button(page, "newItem").isEnabled()



def test_the_dashboard_count_opens_exactly_the_items_due(qtbot, state, old_project, dialog_log):
    from desktop.ui.main_window import MainWindow

    window = MainWindow(state)
    qtbot.addWidget(window)
    window.show()
    page = window.page("archive")
    window.show_page("archive")
    add_items(page, dialog_log, old_project.project, ("检查记录第1册", "整改通知书汇编"))
    live = next(c.id for c in page.choices if c.completion_date is None)
    add_items(page, dialog_log, live, ("服务合同",))
    window.show_page("dashboard")
    window.page("dashboard").reload()
    card = window.page("dashboard").cards_by_key["archive_due"]
    assert card.text().startswith("2\n")
    card.click()
    assert window.current_page() is page
    assert page.ledger.rowCount() == 2 and page.banner.isVisible()
    assert {r.project_id for r in rows(page.ledger)} == {old_project.project}
    page.show_all.click()
    assert page.ledger.rowCount() == 3 and not page.banner.isVisible()
    page.show_project(live)
    assert [r.title for r in rows(page.ledger)] == ["服务合同"]
