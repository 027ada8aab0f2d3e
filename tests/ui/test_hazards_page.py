"""The hazard register page: rows from services.register, filters, sorting, level colours."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt

from desktop.services.context import Changes
from desktop.ui.lazy_model import LEVEL_TINTS, ROW_ROLE
from desktop.ui.pages.hazards_page import HazardColumn, HazardsPage

from .conftest import HAZARDS


@pytest.fixture
def page(qtbot, state, hazard_data):
    page = HazardsPage(state)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    page.activate()
    return page


def descriptions(page):  # type: ignore[no-untyped-def]
    model = page.model
    return [model.data(model.index(r, HazardColumn.DESCRIPTION)) for r in range(model.rowCount())]


def test_lists_every_hazard_newest_first(page, qtmodeltester):
    assert page.count_label.text() == "共 8 条"
    assert descriptions(page) == [h[3] for h in sorted(HAZARDS)]  # fewest days ago first
    model = page.model
    row = descriptions(page).index("塔吊起重力矩限制器失效")
    assert model.data(model.index(row, HazardColumn.LEVEL)) == "一级（重大）"
    assert model.data(model.index(row, 0), Qt.ItemDataRole.BackgroundRole) == LEVEL_TINTS[1]
    assert model.data(model.index(row, 0), ROW_ROLE).project_name.startswith("绍兴市越城区")
    qtmodeltester.check(model)


def test_old_open_hazards_are_marked_overdue(page):
    model = page.model
    row = descriptions(page).index("临边防护栏杆缺失")  # 40 days ago, level 3: 15 days
    assert model.data(model.index(row, HazardColumn.STATUS)) == "已登记（逾期）"
    page.overdue.setChecked(True)
    assert "临边防护栏杆缺失" in descriptions(page)
    assert "电梯井口防护门缺失" not in descriptions(page)


def test_level_filter(page):
    page.level.setCurrentIndex(page.level.findData(2))
    assert sorted(descriptions(page)) == sorted(["基坑周边堆载超过设计荷载", "连墙件间距过大"])
    assert page.count_label.text() == "共 2 条"


def test_search_after_a_pause_in_typing(qtbot, page):
    page.search.setText("塔吊起重")
    assert page.model.rowCount() == 8  # not yet: the user may still be typing
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    assert descriptions(page) == ["塔吊起重力矩限制器失效"]


def test_a_short_search_loads_without_a_count(qtbot, page):
    page.search.setText("防护")
    page.search.returnPressed.emit()
    assert sorted(descriptions(page)) == sorted(["临边防护栏杆缺失", "电梯井口防护门缺失"])
    assert page.count_label.text() == "共 2 条"  # the loader reached the end: the count is known


def test_clicking_a_header_sorts_in_sql(qtbot, page):
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(HazardColumn.LEVEL) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert page.sort_key == "level"
    levels = [page.model.data(page.model.index(r, 0), ROW_ROLE).level
              for r in range(page.model.rowCount())]
    assert levels == sorted(levels, reverse=page.descending)


def test_unsortable_columns_keep_the_order(page):
    page.model.sort(HazardColumn.DESCRIPTION, Qt.SortOrder.AscendingOrder)
    assert page.sort_key == "found_date"


def test_a_hazard_change_reloads_the_register(page, state, db, admin, hazard_data):
    from desktop.services import hazards

    with db.session() as session:
        hazards.record(session, admin, hazards.HazardForm(
            project_id=hazard_data.project, description="新登记的隐患", level=4,
            measures="整改"))
    state.changed.emit(Changes(hazards=True))
    assert page.count_label.text() == "共 9 条"
    assert descriptions(page)[0] == "新登记的隐患"


def test_the_sort_is_remembered(qtbot, state, hazard_data):
    from PySide6.QtCore import QSettings

    first = HazardsPage(state)
    qtbot.addWidget(first)
    first.table.sortByColumn(HazardColumn.NUMBER, Qt.SortOrder.AscendingOrder)
    settings = QSettings(str(state.config.data_dir / "t.ini"), QSettings.Format.IniFormat)
    first.save_state(settings)
    second = HazardsPage(state)
    qtbot.addWidget(second)
    second.restore_state(settings)
    assert (second.sort_key, second.descending) == ("number", False)
    second.activate()
    numbers = [second.model.data(second.model.index(r, HazardColumn.NUMBER))
               for r in range(second.model.rowCount())]
    assert numbers == sorted(numbers)
    assert second.model.rowCount(QModelIndex()) == 8
