"""The projects page: the list with its filters, the project file with its tabs, risk and risk sources."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QDialog

from desktop.services import (
    catalogues,
    inspections,
    organisations,
    projects,
    risk,
    risk_sources,
    training,
)
from desktop.services.context import Changes, now
from desktop.services.periods import quarter_of
from desktop.services.risk_sources import SourceForm
from desktop.ui import risk_sources_panel
from desktop.ui.lazy_model import ROW_ROLE
from desktop.ui.pages.projects_page import ProjectColumn, ProjectsPage
from desktop.ui.project_page import OverrideDialog
from desktop.ui.risk_sources_panel import DeactivateDialog, SourceDialog
from tests.factories import ProjectIds, make_project

SOURCES = [("塔式起重机安装拆卸", 1, "起重机械", "2#塔吊"), ("深基坑开挖与支护", 2, "基坑工程", "基坑北侧"),
           ("高大模板支撑体系", 2, "模板支撑", "大堂"), ("施工临时用电", 3, "临时用电", "生活区")]


@dataclass(frozen=True)
class ProjectData:
    first: ProjectIds  # 越城区, PICC, eight hazards, sources, inspections, assessed
    second: ProjectIds  # 柯桥区, another insurer, completed
    third: ProjectIds  # 越城区, no hazards, never assessed
    sources: tuple[int, ...]
    full_inspection: int


@pytest.fixture
def project_data(db, admin, users, hazard_data) -> ProjectData:
    today = now().date()
    with db.session() as s:
        catalogues.load_all(s)
        second = make_project(s, admin, name="柯桥区华舍街道安置房", district="柯桥区")
        ping_an = organisations.ensure(s, admin, kind="insurer", name="中国平安财产保险股份有限公司绍兴中心支公司")
        projects.add_policy(s, admin, second.project, projects.PolicyForm("PA-2026-0001", ping_an.id))
        form = projects.get_detail(s, second.project).form
        projects.update_project(s, admin, second.project, projects.ProjectForm(**{
            **form.__dict__, "status": "completed", "completion_date": dt.date(2026, 6, 30),
            "address": "柯桥区华舍街道蜀阜路 88 号"}), expected_version=1)
        third = make_project(s, admin, name="越城区镜湖学校")
        projects.add_danger_item(s, admin, hazard_data.project, name="深基坑工程", is_super=True,
                                 status="in_progress", parameters="开挖深度 6.5m")
        projects.add_danger_item(s, admin, hazard_data.project, name="塔式起重机安装拆卸")
        projects.add_contact(s, admin, hazard_data.project, role="项目经理", name="王建国", phone="13800000000")
        projects.add_contact(s, admin, hazard_data.project, role="专职安全员", name="李安全", phone="13900000000")
        sources = tuple(risk_sources.add(s, admin, hazard_data.project, SourceForm(
            name, level, category, location)).id for name, level, category, location in SOURCES)
        inspector = users["inspector"]
        first_visit = inspections.record(s, admin, inspections.InspectionForm(
            hazard_data.project, "first_identification", today - dt.timedelta(days=30),
            inspector_ids=(inspector.user_id,), summary="首次风险辨识"))
        full = inspections.record(s, admin, inspections.InspectionForm(
            hazard_data.project, "full_coverage", today - dt.timedelta(days=2),
            inspector_ids=(admin.user_id, inspector.user_id), summary="季度全覆盖检查"))
        inspections.verify_sources(s, admin, full.id, {sources[0]: True, sources[1]: False})
        inspections.confirm(s, admin, first_visit.id, site_person="李安全", expected_version=1)
        risk.assess(s, admin, hazard_data.project)
        training.record_session(s, admin, training.SessionForm(
            today - dt.timedelta(days=5), "高处作业安全专项培训", ("高处坠落",), centralized=True,
            trainer="王老师"), [training.Attendance(hazard_data.project, managers=10, workers=150)])
    return ProjectData(hazard_data, second, third, sources, full.id)


@pytest.fixture
def page(qtbot, state, project_data):
    page = ProjectsPage(state)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    page.activate()
    return page


def names(page):  # type: ignore[no-untyped-def]
    model = page.model
    return [model.data(model.index(r, ProjectColumn.NAME)) for r in range(model.rowCount())]


def row_of(page, project_id):  # type: ignore[no-untyped-def]
    return page.model.row_of(project_id)


def test_lists_every_project_with_its_figures(page, project_data, qtmodeltester):
    assert page.count_label.text() == "共 3 个项目"
    model, row = page.model, row_of(page, project_data.first.project)
    cell = lambda column: model.data(model.index(row, column))
    assert cell(ProjectColumn.INSURER) == "中国人民财产保险股份有限公司绍兴市分公司"
    assert cell(ProjectColumn.AUTHORITY) == "越城区住房和城乡建设局"
    assert cell(ProjectColumn.STATUS) == "在建"
    assert cell(ProjectColumn.RISK) in ("高风险", "中风险", "低风险")
    assert cell(ProjectColumn.HAZARDS).startswith("8（逾期 ")
    assert cell(ProjectColumn.LAST_INSPECTION) == (now().date() - dt.timedelta(days=2)).isoformat()
    third = row_of(page, project_data.third.project)
    assert model.data(model.index(third, ProjectColumn.RISK)) == "未评定"
    assert model.data(model.index(third, ProjectColumn.HAZARDS)) == "0"
    qtmodeltester.check(model)


def test_filters(qtbot, page, project_data):
    page.insurer.setCurrentIndex(page.insurer.findText("中国平安财产保险股份有限公司绍兴中心支公司"))
    assert names(page) == ["柯桥区华舍街道安置房2"] or all("柯桥区" in n for n in names(page))
    page.insurer.setCurrentIndex(0)
    page.district.setCurrentIndex(page.district.findData("越城区"))
    assert page.count_label.text() == "共 2 个项目"
    page.authority.setCurrentIndex(page.authority.findText("柯桥区住房和城乡建设局"))
    assert names(page) == []
    page.district.setCurrentIndex(0)
    assert len(names(page)) == 1 and "柯桥区" in names(page)[0]
    page.authority.setCurrentIndex(0)
    page.status.setCurrentIndex(page.status.findData("completed"))
    assert len(names(page)) == 1 and "华舍" in names(page)[0]
    page.status.setCurrentIndex(0)
    page.risk.setCurrentIndex(page.risk.findData("unassessed"))
    assert page.count_label.text() == "共 2 个项目"
    page.risk.setCurrentIndex(0)
    page.search.setText("蜀阜路")  # the address
    qtbot.waitUntil(lambda: page.count_label.text() == "共 1 个项目", timeout=3000)
    page.search.setText("镜湖")
    page.search.returnPressed.emit()
    assert len(names(page)) == 1 and "镜湖学校" in names(page)[0]


def test_clicking_a_header_sorts_in_sql(qtbot, page):
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(ProjectColumn.CODE) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert (page.sort_key, page.descending) == ("code", True)
    codes = [page.model.data(page.model.index(r, 0), ROW_ROLE).code for r in range(page.model.rowCount())]
    assert codes == sorted(codes, reverse=True)


def test_enter_opens_the_project_and_alt_left_goes_back(qtbot, page, project_data, qtmodeltester):
    page.table.setFocus()
    page.table.selectRow(row_of(page, project_data.first.project))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    detail = page.detail
    assert page.stack.currentWidget() is detail
    assert detail.title.text().startswith("绍兴市越城区某安置房项目")
    assert "中国人民财产保险股份有限公司绍兴市分公司" in detail.subtitle.text()
    assert detail.overview.level.text() in ("高风险", "中风险", "低风险")
    assert detail.overview.stage_model.rowCount() == 4
    assert detail.overview.danger_model.rowCount() == 2
    for index in range(detail.tabs.count()):
        detail.tabs.setCurrentIndex(index)
    qtbot.waitUntil(lambda: detail.hazard_table.model_.rowCount() == 8, timeout=5000)  # read on a worker
    assert detail.inspections.model.rowCount() == 2
    assert detail.training.sessions.model.rowCount() == 1
    assert "培训 1 次，其中集中培训 1 次" in detail.training.status.text()
    assert not detail.plans.empty.isHidden() and not detail.archive.empty.isHidden()
    assert detail.inspections.empty.isHidden()
    for model in (detail.hazard_table.model_, detail.inspections.model, detail.training.sessions.model,
                  detail.training.drills.model, detail.plans.model, detail.documents.model,
                  detail.archive.model, detail.overview.stage_model, detail.overview.danger_model,
                  detail.overview.history_model, detail.sources.model):
        qtmodeltester.check(model)
    page.activateWindow()
    detail.tabs.setFocus()
    qtbot.keyClick(detail.tabs, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert page.stack.currentIndex() == 0
    assert page.table.currentIndex().row() == row_of(page, project_data.first.project)


def test_a_manual_risk_level_needs_a_reason(qtbot, page, project_data, dialog_log):
    page.open_project(project_data.third.project)
    overview = page.detail.overview
    assert overview.level.text() == "未评定"
    seen = []

    def fill(dialog: OverrideDialog) -> bool:
        dialog.level.setCurrentIndex(dialog.level.findData("high"))
        dialog.accept()
        seen.append(dialog.errors.label("reason").text())
        dialog.reason.setPlainText("临近地铁保护区，建设单位要求按高风险管理")
        dialog.accept()
        return dialog.result() == QDialog.DialogCode.Accepted

    dialog_log.on_run = fill
    overview.override_button.click()
    assert seen == ["人工调整风险等级须填写理由"]
    assert overview.level.text() == "高风险"
    assert overview.history_model.rowCount() == 1
    assert "人工调整" in overview.level_detail.text()
    overview.assess_button.click()
    assert overview.history_model.rowCount() == 2


def test_risk_sources_add_deactivate_and_coverage(qtbot, page, project_data, dialog_log, db):
    page.open_project(project_data.first.project)
    page.detail.tabs.setCurrentWidget(page.detail.sources)
    panel = page.detail.sources
    assert panel.model.rowCount() == 4
    quarter = quarter_of(now().date()).chinese
    assert panel.coverage.text().startswith(f"{quarter}一、二级风险源核查：已核查 1 / 3 项（33.3%）")

    def add(dialog: SourceDialog) -> bool:
        dialog.accept()  # empty name: refused beside the field
        assert dialog.errors.label("name").text() == "请填写风险源名称"
        dialog.name.setText("施工升降机安装拆卸")
        dialog.level.setCurrentIndex(dialog.level.findData(2))
        dialog.location.setText("1#升降机")
        dialog.accept()
        return dialog.result() == QDialog.DialogCode.Accepted

    dialog_log.on_run = add
    panel.add_button.click()
    assert panel.model.rowCount() == 5
    assert "0 / 4" not in panel.coverage.text() and "/ 4 项" in panel.coverage.text()

    row = next(r for r in range(panel.model.rowCount())
               if panel.model.data(panel.model.index(r, 0), ROW_ROLE).source.name == "高大模板支撑体系")
    panel.table.setFocus()
    panel.table.selectRow(row)

    def deactivate(dialog: DeactivateDialog) -> bool:
        dialog.reason.setText("模板工程已完成")
        dialog.accept()
        return True

    dialog_log.on_run = deactivate
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    assert panel.model.rowCount() == 4
    panel.show_inactive.setChecked(True)
    assert panel.model.rowCount() == 5


def test_importing_the_starter_list_and_an_excel_file(qtbot, page, project_data, dialog_log, tmp_path,
                                                      monkeypatch):
    from openpyxl import Workbook

    page.open_project(project_data.third.project)
    page.detail.tabs.setCurrentWidget(page.detail.sources)
    panel = page.detail.sources
    panel.starter_button.click()
    qtbot.waitUntil(lambda: "inform" in dialog_log.kinds(), timeout=10000)
    assert "起步清单" in dialog_log.texts("ask")[0]
    assert dialog_log.texts("inform")[-1].startswith("已导入 ")
    imported = panel.model.rowCount()
    assert imported > 5

    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "风险源名称", "类别", "部位", "风险等级", "防范措施"])
    sheet.append([1, "外挂式脚手架提升", "脚手架", "3#楼", "二级", "专人指挥"])
    sheet.append([2, "钢结构吊装", "起重吊装", "连廊", "一级", "编制专项方案"])
    path = tmp_path / "风险源.xlsx"
    book.save(path)
    monkeypatch.setattr(risk_sources_panel, "choose_xlsx", lambda _parent: str(path))
    dialog_log.calls.clear()
    panel.xlsx_button.click()
    qtbot.waitUntil(lambda: "inform" in dialog_log.kinds(), timeout=10000)
    assert dialog_log.texts("ask") == ["读取 2 行：将导入 2 项，已登记的 0 项跳过。是否导入？"]
    assert panel.model.rowCount() == imported + 2


def test_the_column_layout_is_remembered(qtbot, state, project_data, tmp_path):
    first = ProjectsPage(state)
    qtbot.addWidget(first)
    first.table.sortByColumn(ProjectColumn.NAME, Qt.SortOrder.DescendingOrder)
    first.table.setColumnWidth(ProjectColumn.INSURER, 333)
    first.detail.hazard_table.setColumnWidth(1, 77)
    settings = QSettings(str(tmp_path / "t.ini"), QSettings.Format.IniFormat)
    first.save_state(settings)
    second = ProjectsPage(state)
    qtbot.addWidget(second)
    second.restore_state(settings)
    assert (second.sort_key, second.descending) == ("name", True)
    assert second.table.columnWidth(ProjectColumn.INSURER) == 333
    assert second.detail.hazard_table.columnWidth(1) == 77
    second.activate()
    assert names(second) == sorted(names(second), reverse=True)


def test_new_project_opens_its_file(qtbot, page, dialog_log):
    def fill(dialog) -> bool:  # type: ignore[no-untyped-def]
        dialog.code.setText("SX-2026-0900")
        dialog.name.setText("袍江新区标准厂房")
        dialog.accept()
        return dialog.result() == QDialog.DialogCode.Accepted

    dialog_log.on_run = fill
    page.new_button.click()
    assert page.stack.currentWidget() is page.detail
    assert page.detail.title.text() == "袍江新区标准厂房"
    assert page.count_label.text() == "共 4 个项目"


def test_a_change_elsewhere_reloads_the_open_project(page, project_data, state, db, admin):
    page.open_project(project_data.third.project)
    with db.session() as s:
        risk.assess(s, admin, project_data.third.project)
    state.changed.emit(Changes(projects=True))
    assert page.detail.overview.level.text() != "未评定"


def test_screenshots(qtbot, state, project_data, tmp_path, dialog_log):
    """Pictures of the list, each tab of a project's file and the project dialog, for review."""
    from desktop.ui import i18n
    from desktop.ui.main_window import MainWindow
    from desktop.ui.project_dialog import ProjectDialog

    from .test_screenshots import save

    i18n.install_translators("zh_CN", cache_dir=tmp_path)
    window = MainWindow(state)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.show_page("projects")
    page = window.page("projects")
    save(qtbot, window, "projects-1-list")
    page.open_project(project_data.first.project)
    for index in range(page.detail.tabs.count()):
        page.detail.tabs.setCurrentIndex(index)
        if page.detail.tabs.currentWidget() is page.detail.hazards:
            qtbot.waitUntil(lambda: page.detail.hazard_table.model_.rowCount() == 8, timeout=5000)
        save(qtbot, window, f"projects-2-tab-{index + 1}")
    dialog = ProjectDialog(state, project_data.first.project)
    qtbot.addWidget(dialog)
    dialog.show()
    danger = dialog.dangers.new_row()
    danger[0].setText("深基坑工程")
    danger[1].setChecked(True)
    danger[5].setText("开挖深度 6.5m")
    dialog.dangers.new_row()
    contact = dialog.contacts.new_row()
    contact[1].setText("王建国")
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        save(qtbot, dialog, f"project-dialog-{index + 1}")
    fresh = ProjectDialog(state)
    qtbot.addWidget(fresh)
    fresh.show()
    fresh.start_date.set_value(dt.date(2026, 3, 1))
    fresh.status.setCurrentIndex(fresh.status.findData("completed"))
    fresh.completion_date.set_value(dt.date(2026, 2, 1))
    fresh.accept()
    save(qtbot, fresh, "project-dialog-refused")


def test_menu_shortcuts_for_new_project_and_new_inspection(qtbot, state, project_data, dialog_log):
    from PySide6.QtWidgets import QApplication

    from desktop.ui.inspection_dialog import InspectionDialog
    from desktop.ui.main_window import MainWindow
    from desktop.ui.project_dialog import ProjectDialog

    window = MainWindow(state)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    opened = []
    dialog_log.on_run = lambda dialog: opened.append(dialog) or False
    assert window.new_project_action.shortcut().toString() == "Ctrl+Shift+P"
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert isinstance(opened[-1], ProjectDialog) and window.current_page().key == "projects"
    window.page("projects").open_project(project_data.first.project)
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert isinstance(opened[-1], InspectionDialog)
    assert opened[-1].project_id == project_data.first.project and not opened[-1].project.isEnabled()
    window.show_page("dashboard")
    window.new_inspection_action.trigger()
    assert opened[-1].project.isEnabled()  # no project on screen: the dialog asks


def test_a_service_plan_draft_is_generated_and_listed(qtbot, page, project_data, dialog_log):
    page.open_project(project_data.first.project)
    detail = page.detail
    detail.tabs.setCurrentWidget(detail.plans)
    assert detail.plans.model.rowCount() == 0
    detail.plan_button.click()
    qtbot.waitUntil(lambda: "inform" in dialog_log.kinds(), timeout=30000)
    assert dialog_log.calls[-1][1] == "服务方案草稿"
    detail.tabs.setCurrentWidget(detail.documents)
    model = detail.documents.model
    assert model.rowCount() == 1
    assert model.data(model.index(0, 3)) == "草稿"
