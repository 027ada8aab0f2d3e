"""The inspections page: every inspection of the agency, filters in SQL, Enter opens one."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QSettings, Qt

from desktop.services import inspections
from desktop.services.context import Changes, now
from desktop.ui.inspection_dialog import InspectionDialog
from desktop.ui.lazy_model import ROW_ROLE
from desktop.ui.pages.inspections_page import InspectionColumn, InspectionsPage, period_range

from .test_projects_page import project_data  # noqa: F401 - the shared data fixture


@pytest.fixture
def page(qtbot, state, project_data, db, admin, users):  # noqa: F811
    with db.session() as s:  # a routine visit to the second project, last year
        inspections.record(s, admin, inspections.InspectionForm(
            project_data.second.project, "routine", now().date().replace(month=1, day=2) - dt.timedelta(days=3),
            inspector_ids=(users["tech_lead"].user_id,)))
    page = InspectionsPage(state)
    qtbot.addWidget(page)
    page.resize(1200, 600)
    page.show()
    page.activate()
    return page


def kinds(page):  # type: ignore[no-untyped-def]
    model = page.model
    return [model.data(model.index(r, 0), ROW_ROLE).kind for r in range(model.rowCount())]


def test_lists_every_inspection_newest_first(page, qtmodeltester):
    assert page.count_label.text() == "共 3 次检查"
    assert kinds(page) == ["full_coverage", "first_identification", "routine"]
    model = page.model
    assert model.data(model.index(0, InspectionColumn.KIND)) == "全覆盖检查"
    assert model.data(model.index(0, InspectionColumn.INSPECTORS)) == "系统管理员甲、检查人员甲"
    assert model.data(model.index(0, InspectionColumn.SOURCES)) == "1"
    assert model.data(model.index(0, InspectionColumn.CONFIRMED)) == "未确认"
    assert model.data(model.index(1, InspectionColumn.CONFIRMED)) == "李安全"
    assert model.data(model.index(1, InspectionColumn.SOURCES)) == ""
    qtmodeltester.check(model)


def test_filters(qtbot, page, users):
    page.kind.setCurrentIndex(page.kind.findData("routine"))
    assert kinds(page) == ["routine"]
    page.kind.setCurrentIndex(0)
    page.period.setCurrentIndex(page.period.findData("year"))
    assert "routine" not in kinds(page) and len(kinds(page)) == 2
    page.period.setCurrentIndex(0)
    page.unconfirmed.setChecked(True)
    assert kinds(page) == ["full_coverage", "routine"]
    page.unconfirmed.setChecked(False)
    page.inspector.setCurrentIndex(page.inspector.findData(users["inspector"].user_id))
    assert kinds(page) == ["full_coverage", "first_identification"]
    page.inspector.setCurrentIndex(0)
    page.search.setText("华舍")
    qtbot.waitUntil(lambda: kinds(page) == ["routine"], timeout=3000)


def test_sorting_by_project(page):
    page.table.sortByColumn(InspectionColumn.PROJECT, Qt.SortOrder.AscendingOrder)
    assert page.sort_key == "project"
    codes = [page.model.data(page.model.index(r, 0), ROW_ROLE).project_code
             for r in range(page.model.rowCount())]
    assert codes == sorted(codes)


def test_enter_opens_the_inspection(qtbot, page, dialog_log):
    opened = []
    dialog_log.on_run = lambda dialog: opened.append(dialog) or False
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert isinstance(opened[0], InspectionDialog) and opened[0].row.kind == "full_coverage"
    page.new_button.click()
    assert opened[1].row is None and opened[1].project.isEnabled()


def test_a_new_inspection_appears(page, state, db, admin, project_data):  # noqa: F811
    with db.session() as s:
        inspections.record(s, admin, inspections.InspectionForm(
            project_data.third.project, "first_identification", now().date(), inspector_ids=(admin.user_id,)))
    state.changed.emit(Changes(inspections=True))
    assert page.count_label.text() == "共 4 次检查"


def test_the_sort_is_remembered(qtbot, state, project_data, tmp_path):  # noqa: F811
    first = InspectionsPage(state)
    qtbot.addWidget(first)
    first.table.sortByColumn(InspectionColumn.KIND, Qt.SortOrder.AscendingOrder)
    settings = QSettings(str(tmp_path / "t.ini"), QSettings.Format.IniFormat)
    first.save_state(settings)
    second = InspectionsPage(state)
    qtbot.addWidget(second)
    second.restore_state(settings)
    assert (second.sort_key, second.descending) == ("kind", False)


def test_period_ranges():
    day = dt.date(2026, 5, 17)
    assert period_range("month", day) == (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert period_range("quarter", day) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert period_range("year", day) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert period_range("", day) == (None, None)


def test_screenshot(qtbot, state, page, tmp_path):
    from desktop.ui import i18n
    from desktop.ui.main_window import MainWindow

    from .test_screenshots import save

    i18n.install_translators("zh_CN", cache_dir=tmp_path)
    window = MainWindow(state)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.show_page("inspections")
    save(qtbot, window, "inspections-1-list")
