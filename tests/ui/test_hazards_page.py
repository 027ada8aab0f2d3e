"""The hazard register page: rows from services.register, filters, sorting, level colours,
ids read on a worker, export of the view, and the main window's 登记隐患 / 导出 / 查找."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QModelIndex, QPoint, QSettings, Qt
from sqlalchemy import insert

from desktop.models import Hazard
from desktop.reports.registers import HEADERS, SHEET_NAME
from desktop.services.context import Changes, now
from desktop.services.queries.register import RegisterFilter
from desktop.ui import hazard_page
from desktop.ui.lazy_model import LEVEL_TINTS, ROW_ROLE
from desktop.ui.main_window import MainWindow
from desktop.ui.pages import hazards_page
from desktop.ui.pages.hazards_page import HazardColumn, HazardsPage, HazardTable

from .conftest import HAZARDS
from .keyboard import replace_text


def settled(qtbot, table) -> None:  # type: ignore[no-untyped-def]
    """Wait for the view's ids to be read (on a worker) and shown."""
    qtbot.waitUntil(lambda: not table.is_loading, timeout=5000)


@pytest.fixture
def page(qtbot, state, hazard_data):
    page = HazardsPage(state)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    page.activate()
    settled(qtbot, page.table)
    return page


def type_text(widget, text: str) -> None:  # type: ignore[no-untyped-def]
    """Key presses that carry Chinese text (QTest.keyClicks only types Latin-1)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def descriptions(qtbot, page):  # type: ignore[no-untyped-def]
    settled(qtbot, page.table)
    model = page.model
    return [model.data(model.index(r, HazardColumn.DESCRIPTION)) for r in range(model.rowCount())]


def test_lists_every_hazard_newest_first(qtbot, page, qtmodeltester):
    assert page.count_label.text() == "共 8 条"
    assert descriptions(qtbot, page) == [h[3] for h in sorted(HAZARDS)]  # fewest days ago first
    model = page.model
    row = descriptions(qtbot, page).index("塔吊起重力矩限制器失效")
    assert model.data(model.index(row, HazardColumn.LEVEL)) == "一级（重大）"
    assert model.data(model.index(row, 0), Qt.ItemDataRole.BackgroundRole) == LEVEL_TINTS[1]
    assert model.data(model.index(row, 0), ROW_ROLE).project_name.startswith("绍兴市越城区")
    qtmodeltester.check(model)


def test_old_open_hazards_are_marked_overdue(qtbot, page):
    model = page.model
    row = descriptions(qtbot, page).index("临边防护栏杆缺失")  # 40 days ago, level 3: 15 days
    assert model.data(model.index(row, HazardColumn.STATUS)) == "已登记（逾期）"
    page.filters.overdue.setChecked(True)
    assert "临边防护栏杆缺失" in descriptions(qtbot, page)
    assert "电梯井口防护门缺失" not in descriptions(qtbot, page)


def test_level_filter(qtbot, page):
    page.filters.level.setCurrentIndex(page.filters.level.findData(2))
    assert sorted(descriptions(qtbot, page)) == sorted(["基坑周边堆载超过设计荷载", "连墙件间距过大"])
    assert page.count_label.text() == "共 2 条"


def test_the_other_filters(qtbot, page, hazard_data):
    filters = page.filters
    filters.more.click()
    assert filters.more_row.isVisible()
    filters.project.setCurrentIndex(filters.project.findData(hazard_data.project))
    assert len(descriptions(qtbot, page)) == 8 and filters.more.text().endswith("(1)")
    filters.insurer.setCurrentIndex(filters.insurer.findData(hazard_data.insurer))
    filters.authority.setCurrentIndex(filters.authority.findData(hazard_data.authority))
    assert len(descriptions(qtbot, page)) == 8
    qtbot.waitUntil(lambda: filters.category.findData("高处坠落") > 0)  # loaded on a worker
    filters.category.setCurrentIndex(filters.category.findData("高处坠落"))
    assert descriptions(qtbot, page) == ["临边防护栏杆缺失"]
    filters.category.setCurrentIndex(0)
    start, end = filters.date_from.date(), filters.date_to.date()
    replace_text(filters.date_from.edit, (start - dt.timedelta(days=100)).strftime("%Y%m%d"))
    replace_text(filters.date_to.edit, (end - dt.timedelta(days=10)).strftime("%Y.%m.%d"))
    filters.use_dates.setChecked(True)  # found 10 or more days ago
    assert sorted(descriptions(qtbot, page)) == sorted(h[3] for h in HAZARDS if h[0] >= 10)
    filters.clear_button.click()
    assert len(descriptions(qtbot, page)) == 8 and filters.is_default()
    filters.major.setCurrentIndex(filters.major.findData(True))
    assert descriptions(qtbot, page) == []
    filters.status.setCurrentIndex(filters.status.findData("recorded"))
    filters.major.setCurrentIndex(0)
    assert len(descriptions(qtbot, page)) == 8


def test_search_after_a_pause_in_typing(qtbot, page):
    type_text(page.search, "塔吊起重")
    assert page.model.rowCount() == 8  # not yet: the user may still be typing
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    assert descriptions(qtbot, page) == ["塔吊起重力矩限制器失效"]


def on_opening(qtbot, table) -> tuple[int, int, str]:  # type: ignore[no-untyped-def]
    """(rows, ids, count text) as the view opens, before later pages of ids arrive."""
    seen = []
    table.stream.opened.connect(lambda: seen.append(
        (table.model_.rowCount(), len(table.stream.ids), table.count_text())))
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    return seen[0]


def test_a_short_search_loads_on_a_worker_without_a_count(qtbot, state, hazard_data):
    table = HazardTable(state, first_page=1, step=1)
    qtbot.addWidget(table)
    table.set_filter(RegisterFilter(text="楼"))  # 1 character: no trigram index, no count
    assert table.count_text() == "正在查询…"  # nothing read on the GUI thread
    assert on_opening(qtbot, table) == (1, 1, "已加载 1 条…")
    qtbot.waitUntil(lambda: table.stream.complete, timeout=3000)
    assert table.count_text() == "共 3 条"
    rows = [table.model_.data(table.model_.index(r, 0), ROW_ROLE) for r in range(3)]
    assert {r.location for r in rows} == {"3#楼 5 层临边", "1#楼 8 层", "2#楼电梯井"}


def test_ids_past_the_first_page_arrive_from_a_worker(qtbot, state, hazard_data, qtmodeltester):
    table = HazardTable(state, first_page=2, step=3)
    qtbot.addWidget(table)
    table.resize(900, 400)
    table.show()
    table.set_filter(RegisterFilter())
    # the first page opens the view; the count follows it and sizes the scroll bar
    assert on_opening(qtbot, table) == (2, 2, "已加载 2 条…")
    qtbot.waitUntil(lambda: table.count_text() == "共 8 条", timeout=3000)
    assert table.model_.rowCount() == 8
    table.scrollToBottom()  # returns at once: the rows not yet known paint blank
    qtbot.waitUntil(lambda: table.stream.complete, timeout=3000)
    last = table.model_.index(7, HazardColumn.DESCRIPTION)
    qtbot.waitUntil(lambda: table.model_.data(last) is not None)
    assert table.model_.data(last) == max(HAZARDS)[3]
    qtmodeltester.check(table.model_)


def test_a_base_filter_narrows_every_view(qtbot, state, hazard_data, db, admin):
    from desktop.services import hazards
    from tests.factories import make_project

    with db.session() as session:
        other = make_project(session, admin, name="另一个项目")
        hazards.record(
            session,
            admin,
            hazards.HazardForm(
                project_id=other.project, description="另一个项目的隐患", level=4, measures="整改"
            ),
        )
    table = HazardTable(state, RegisterFilter(project_id=other.project))
    qtbot.addWidget(table)
    table.set_filter(RegisterFilter())
    settled(qtbot, table)
    assert table.model_.rowCount() == 1
    table.set_filter(RegisterFilter(levels=frozenset({3})))
    settled(qtbot, table)
    assert table.model_.rowCount() == 0


def test_clicking_a_header_sorts_in_sql(qtbot, page):
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(HazardColumn.LEVEL) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert page.sort_key == "level"
    settled(qtbot, page.table)
    levels = [
        page.model.data(page.model.index(r, 0), ROW_ROLE).level
        for r in range(page.model.rowCount())
    ]
    assert levels == sorted(levels, reverse=page.descending)


def test_unsortable_columns_keep_the_order(page):
    page.model.sort(HazardColumn.DESCRIPTION, Qt.SortOrder.AscendingOrder)
    assert page.sort_key == "found_date"


def test_a_hazard_change_reloads_the_register(qtbot, page, state, db, admin, hazard_data):
    from desktop.services import hazards

    with db.session() as session:
        hazards.record(
            session,
            admin,
            hazards.HazardForm(
                project_id=hazard_data.project, description="新登记的隐患", level=4, measures="整改"
            ),
        )
    state.changed.emit(Changes(hazards=True))
    assert descriptions(qtbot, page)[0] == "新登记的隐患"
    assert page.count_label.text() == "共 9 条"


def test_an_edit_of_a_shown_hazard_repaints_only_its_row(page, state, db, admin):
    from desktop.services import hazards

    row = page.model.data(page.model.index(3, 0), ROW_ROLE)
    page.table.selectRow(3)
    with db.session() as session:
        version = hazards.get(session, row.id).version
        hazards.update(session, admin, row.id, expected_version=version, location="改过的部位")
    state.changed.emit(Changes(hazards=True).touch("hazards", row.id))
    assert page.model.data(page.model.index(3, HazardColumn.LOCATION)) == "改过的部位"
    assert page.table.currentIndex().row() == 3


def test_the_column_layout_is_remembered(qtbot, state, hazard_data):
    first = HazardsPage(state)
    qtbot.addWidget(first)
    first.table.sortByColumn(HazardColumn.NUMBER, Qt.SortOrder.AscendingOrder)
    first.table.setColumnWidth(HazardColumn.DESCRIPTION, 444)
    first.table.horizontalHeader().moveSection(HazardColumn.UNIT, 0)
    settings = QSettings(str(state.config.data_dir / "t.ini"), QSettings.Format.IniFormat)
    first.save_state(settings)
    second = HazardsPage(state)
    qtbot.addWidget(second)
    second.restore_state(settings)
    assert (second.sort_key, second.descending) == ("number", False)
    assert second.table.columnWidth(HazardColumn.DESCRIPTION) == 444
    assert second.table.horizontalHeader().visualIndex(HazardColumn.UNIT) == 0
    second.activate()
    settled(qtbot, second.table)
    numbers = [
        second.model.data(second.model.index(r, HazardColumn.NUMBER))
        for r in range(second.model.rowCount())
    ]
    assert numbers == sorted(numbers)
    assert second.model.rowCount(QModelIndex()) == 8


def test_dashboard_ids_are_shown_until_a_filter_changes(qtbot, page):
    ids = [page.model.data(page.model.index(r, 0), ROW_ROLE).id for r in (1, 4)]
    page.show_ids(ids, "一级隐患待报告")
    assert len(descriptions(qtbot, page)) == 2 and page.banner.isVisible()
    assert page.banner.text() == "仅显示：一级隐患待报告（2 条）"
    page.show_all.click()
    assert len(descriptions(qtbot, page)) == 8 and not page.banner.isVisible()


def test_export_writes_the_view_to_excel(qtbot, page, monkeypatch, dialog_log, tmp_path):
    target = tmp_path / "导出.xlsx"
    monkeypatch.setattr(hazards_page, "choose_export_path", lambda _p: str(target))
    page.filters.level.setCurrentIndex(page.filters.level.findData(3))
    page.table.sortByColumn(HazardColumn.FOUND, Qt.SortOrder.AscendingOrder)
    page.export_button.click()
    qtbot.waitUntil(lambda: "inform" in dialog_log.kinds(), timeout=10_000)
    assert "已导出 3 条隐患" in dialog_log.texts("inform")[0]
    book = load_workbook(target, read_only=True)
    rows = list(book[SHEET_NAME].iter_rows(values_only=True))
    book.close()  # read-only keeps the file open: a leak warned about in a later test
    assert rows[0] == HEADERS
    found_oldest_first = [h[3] for h in sorted(HAZARDS, reverse=True) if h[1] == 3]
    assert [r[HEADERS.index("隐患描述")] for r in rows[1:]] == found_oldest_first
    assert {r[HEADERS.index("等级")] for r in rows[1:]} == {"三级"}


def test_cancelling_the_export_leaves_no_file(qtbot, page, monkeypatch, tmp_path):
    target = tmp_path / "cancelled.xlsx"
    monkeypatch.setattr(hazards_page, "choose_export_path", lambda _p: str(target))
    task = page.export_view()
    task.dialog.canceled.emit()  # before the worker starts: its first progress call sees it
    with qtbot.waitSignal(task.finished, timeout=10_000):
        pass
    assert not target.exists()


def test_double_click_opens_the_hazard(qtbot, page):
    index = page.model.index(2, HazardColumn.DESCRIPTION)
    hazard_id = page.model.data(index, ROW_ROLE).id
    rect = page.table.visualRect(index)
    # QTest's double click carries no press of its own; a real one follows the first click
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    window = hazard_page._windows[hazard_id]
    assert window.isVisible() and window.title.text() == page.model.data(index, ROW_ROLE).number
    window.close()


@pytest.fixture
def window(qtbot, state, hazard_data):
    window = MainWindow(state)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return window


def test_ctrl_f_finds_in_the_register(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    page = window.page("hazards")
    assert window.current_page() is page
    qtbot.waitUntil(lambda: page.search.hasFocus())


def test_ctrl_n_opens_the_hazard_dialog(qtbot, window, dialog_log):
    seen = []
    dialog_log.on_run = lambda dialog: seen.append(type(dialog).__name__) or False
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert seen == ["HazardDialog"]


def test_ctrl_e_exports_the_register(qtbot, window, monkeypatch, dialog_log, tmp_path):
    target = tmp_path / "e.xlsx"
    monkeypatch.setattr(hazards_page, "choose_export_path", lambda _p: str(target))
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page().key == "hazards"
    qtbot.waitUntil(lambda: "inform" in dialog_log.kinds(), timeout=10_000)
    assert target.exists()


def add_hazards(db, project_id: int, count: int) -> None:  # type: ignore[no-untyped-def]
    """Many hazards at once, straight into the table (the services' way takes too long here)."""
    today = now()
    rows = [
        {
            "number": f"YH-T-{n:06d}",
            "project_id": project_id,
            "found_at": today,
            "found_date": (today - dt.timedelta(days=n % 300)).date(),
            "description": f"批量隐患 {n}",
            "location": "",
            "category": "",
            "level": 1 + n % 4,
            "status": "recorded",
            "stop_work": "none",
            "measures": "整改",
            "contingency": "",
        }
        for n in range(count)
    ]
    with db.session() as session:
        session.execute(insert(Hazard), rows)


def test_scrolling_to_the_bottom_of_a_long_register_does_not_wait(
    qtbot, state, db, hazard_data, monkeypatch
):
    import contextlib
    import threading

    add_hazards(db, hazard_data.project, 3000)
    gate, read = threading.Event(), db.read
    reads_on_worker = []

    @contextlib.contextmanager
    def held_after_the_first_page():  # type: ignore[no-untyped-def]
        if threading.current_thread() is not threading.main_thread():
            reads_on_worker.append(1)
            if len(reads_on_worker) > 2:  # the first page and the count pass; the rest waits
                assert gate.wait(10)
        with read() as session:
            yield session

    monkeypatch.setattr(db, "read", held_after_the_first_page)
    table = HazardTable(state, first_page=100, step=500)
    qtbot.addWidget(table)
    table.resize(900, 400)
    table.show()
    table.set_filter(RegisterFilter())
    assert on_opening(qtbot, table) == (100, 100, "已加载 100 条…")
    qtbot.waitUntil(lambda: table.model_.rowCount() == 3008, timeout=5000)  # counted
    assert table.count_text() == "共 3,008 条"
    table.scrollToBottom()  # returns at once, however far the ids still have to come
    last = table.model_.index(3007, HazardColumn.DESCRIPTION)
    assert table.model_.data(last) is None  # painted blank: its id is still on the way
    gate.set()
    qtbot.waitUntil(lambda: table.stream.complete, timeout=10_000)
    qtbot.waitUntil(lambda: table.model_.data(last) is not None)
    assert table.count_text() == "共 3,008 条"


def test_screenshots(qtbot, state, hazard_data, tmp_path):
    from desktop.ui import i18n

    from .test_screenshots import save

    i18n.install_translators("zh_CN", cache_dir=tmp_path)
    window = MainWindow(state)
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.show()
    window.show_page("hazards")
    page = window.page("hazards")
    settled(qtbot, page.table)
    save(qtbot, window, "register")
    page.filters.more.click()
    page.filters.load_choices()
    page.filters.project.setCurrentIndex(1)
    settled(qtbot, page.table)
    save(qtbot, window, "register-more-filters")
    page.filters.more.click()
    window.resize(790, 560)
    save(qtbot, window, "register-narrow")


def test_the_level_column_shows_a_major_hazards_whole_level(qtbot, page):
    """一级（重大） ★重大 fits beside its colour square: the ★ is not cut to …."""
    from PySide6.QtWidgets import QStyleOptionViewItem

    table = page.table
    row = descriptions(qtbot, page).index("塔吊起重力矩限制器失效")  # level 1, not major
    index = table.model_.index(row, HazardColumn.LEVEL)
    major = dataclasses.replace(table.model_.data(index, ROW_ROLE), is_major=True)
    text = hazards_page.level_text(major)
    assert text.endswith("★重大")
    option = QStyleOptionViewItem()
    table.initViewItemOption(option)
    plain = table.itemDelegateForColumn(HazardColumn.LEVEL).sizeHint(option, index).width()
    suffix = table.fontMetrics().horizontalAdvance(text) - table.fontMetrics().horizontalAdvance(
        table.model_.data(index))
    assert table.columnWidth(HazardColumn.LEVEL) >= plain + suffix
