"""The plan edit dialog: the facts shown read-only, wording and per-source measures edited and
kept on the plan's draft, a bad section refused in the form, a reviewer never gets the button."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop.services import plans, risk_sources
from desktop.ui.app_state import AppState
from desktop.ui.pages.projects_page import ProjectsPage
from desktop.ui.plan_dialog import PlanDialog
from tests.factories import make_project


@pytest.fixture
def project(db, admin, agency_profile):
    with db.session() as s:
        pid = make_project(s, admin).project
        risk_sources.add(s, admin, pid, risk_sources.SourceForm("塔式起重机安装拆卸", 2, "起重吊装",
                                                                stage="主体结构"))
        risk_sources.add(s, admin, pid, risk_sources.SourceForm("临时用电", 3, "施工用电",
                                                                stage="主体结构", measures="三级配电两级保护"))
        return pid


def test_the_dialog_edits_wording_and_measures_and_keeps_them(qtbot, state, project, db):
    dialog = PlanDialog(state, project, "general")
    qtbot.addWidget(dialog)
    dialog.show()
    assert "风险源 2 项（一、二级 1 项）" in dialog.facts.text()
    assert dialog.missing.isVisible() and "塔式起重机安装拆卸" in dialog.missing.text()
    table = dialog.sources
    row = next(r for r in range(table.rowCount()) if table.item(r, 1).text() == "塔式起重机安装拆卸")
    assert not table.item(row, 1).flags() & Qt.ItemFlag.ItemIsEditable  # a fact
    table.item(row, 3).setText("安装拆卸前核查专项方案，验收合格后使用")
    assert not dialog.missing.isVisible()
    dialog.boxes["goals"].setPlainText("")
    dialog.accept()  # an emptied section is refused in the form, which stays open
    assert dialog.result() != QDialog.DialogCode.Accepted and "服务目标" in dialog.error.text()
    dialog.boxes["goals"].setPlainText("全年无较大及以上生产安全事故。\n隐患整改率100%。")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    with db.read() as s:
        plan = plans.draft(s, project)
    assert plan.sections["goals"] == ("全年无较大及以上生产安全事故。", "隐患整改率100%。")
    assert plan.missing_measures == () and plan.plan_id is not None
    again = PlanDialog(state, project, "general")  # reopened: the edits are there
    qtbot.addWidget(again)
    assert again.boxes["goals"].toPlainText() == "全年无较大及以上生产安全事故。\n隐患整改率100%。"


def test_a_reviewer_cannot_edit_plans(qtbot, db, users, config, project):
    state = AppState(db=db, config=config, actor=users["reviewer"])
    page = ProjectsPage(state)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    page.activate()
    page.open_project(project)
    detail = page.detail
    assert not detail.edit_plan_button.isEnabled() and not detail.edit_special_button.isEnabled()
    assert not detail.special_button.isEnabled()


def test_the_project_page_opens_the_plan_dialogs(qtbot, state, project, dialog_log):
    page = ProjectsPage(state)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    page.activate()
    page.open_project(project)
    opened = []
    dialog_log.on_run = lambda d: opened.append(d) or False
    page.detail.edit_plan_button.click()
    assert isinstance(opened[-1], PlanDialog) and opened[-1].factors is None
    page.detail.edit_special_button.click()  # a project not assessed high or medium: refused
    assert len(opened) == 1 and "专项服务方案适用于高风险和中风险项目" in dialog_log.texts("warn")[-1]
