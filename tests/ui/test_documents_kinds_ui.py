"""The new kinds where people draft them: 预防费用台账 and 报送登记簿 in the documents page's draft
dialog (the ledger for a project only), 应急预案编制建议书 from the training page's assist tab."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QDialog, QPushButton

from desktop.services import documents, training
from desktop.services.context import now
from desktop.ui.document_dialogs import DraftDialog
from desktop.ui.pages.documents_page import DocColumn, DocumentsPage
from desktop.ui.pages.training_page import TrainingPage

SLOW = 30_000


@pytest.fixture
def docs_page(qtbot, state, hazard_data):
    page = DocumentsPage(state)
    qtbot.addWidget(page)
    page.resize(1400, 800)
    page.show()
    page.activate()
    return page


def scopes(dialog: DraftDialog) -> list[str]:
    return [dialog.scope.itemData(i) for i in range(dialog.scope.count())]


def test_the_draft_dialog_offers_the_ledger_and_the_register(qtbot, state, hazard_data):
    dialog = DraftDialog(state)
    qtbot.addWidget(dialog)
    kinds = {dialog.kind.itemData(i): dialog.kind.itemText(i) for i in range(dialog.kind.count())}
    assert kinds["fee_ledger"] == "预防费用台账" and kinds["submission_register"] == "报送登记簿"
    dialog.kind.setCurrentIndex(dialog.kind.findData("submission_register"))
    assert scopes(dialog) == ["agency", "project", "insurer", "authority"]
    dialog.kind.setCurrentIndex(dialog.kind.findData("fee_ledger"))
    assert scopes(dialog) == ["project"]  # a ledger is kept per policy of a project
    assert dialog.target_box.isVisibleTo(dialog)  # the project is looked for
    assert dialog.choose(hazard_data.project)
    choice = dialog.chosen()
    assert (choice.kind, choice.scope_type, choice.scope_id) == ("fee_ledger", "project",
                                                                 hazard_data.project)
    dialog.kind.setCurrentIndex(dialog.kind.findData("hazard_list"))
    assert scopes(dialog) == ["agency", "project", "insurer", "authority"]
    assert dialog.scope_type() == "project"  # the scope chosen stays when still allowed


def test_a_submission_register_drafted_from_the_page(qtbot, docs_page, dialog_log):
    def choose(dialog):  # type: ignore[no-untyped-def]
        dialog.kind.setCurrentIndex(dialog.kind.findData("submission_register"))
        dialog.accept()
        return dialog.result() == QDialog.DialogCode.Accepted

    dialog_log.on_run = choose
    with qtbot.waitSignal(docs_page.state.changed, timeout=SLOW):
        assert docs_page.generate_draft() is not None
    qtbot.waitUntil(lambda: docs_page.selected() is not None
                    and docs_page.selected().kind == "submission_register", timeout=SLOW)
    row = docs_page.selected()
    assert row.scope_type == "agency" and row.status == "draft"
    index = docs_page.model.row_of(row.id)
    assert docs_page.model.data(docs_page.model.index(index, DocColumn.KIND)) == "报送登记簿"


def test_plan_suggestions_are_printed_from_the_assist_tab(qtbot, state, hazard_data, db, admin,
                                                         dialog_log):
    with db.session() as s:
        training.record_assist(s, admin, hazard_data.project, kind="written_suggestions",
                               date=now().date() - dt.timedelta(days=1), title="综合应急预案",
                               summary="补充塔吊倒塌处置程序")
    page = TrainingPage(state)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    page.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: page.assists.rowCount() == 1, timeout=5000)
    page.assist_table.selectRow(0)
    with qtbot.waitSignal(page.state.changed, timeout=SLOW):
        page.findChild(QPushButton, "printAssist").click()
    qtbot.waitUntil(lambda: bool(dialog_log.viewers), timeout=SLOW)
    viewer = dialog_log.viewers[0]
    qtbot.addWidget(viewer)
    assert "应急预案编制建议书" in viewer.windowTitle()
    with db.read() as s:
        assert [(d.kind, d.scope_type) for d in documents.register(s)] == [
            ("emergency_plan_advice", "plan_assist")]
