"""Ctrl+C copies selected rows as tab-separated text for Excel; in-memory lists sort by any column."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QGuiApplication

from desktop.ui import table_copy
from desktop.ui.history_panel import RowsModel, table_view
from desktop.ui.lazy_model import ROW_ROLE, Column
from desktop.ui.row_sort import sorted_rows


@dataclass(frozen=True)
class Row:
    name: str
    count: int | None
    day: dt.date | None


class C(IntEnum):
    NAME, COUNT, DAY = range(3)


SPECS = {C.NAME: Column(QT_TRANSLATE_NOOP("Columns", "名称"), lambda r: r.name),
         C.COUNT: Column(QT_TRANSLATE_NOOP("Columns", "数量"), lambda r: r.count),
         C.DAY: Column(QT_TRANSLATE_NOOP("Columns", "日期"), lambda r: r.day)}
ROWS = [Row("越城区", 10, dt.date(2026, 3, 1)), Row("柯桥区", 2, None),
        Row("上虞区\n二行", None, dt.date(2025, 12, 31)), Row('=1+1 "引"', 7, dt.date(2026, 1, 5))]


def make_view(qtbot):  # type: ignore[no-untyped-def]
    model = RowsModel(C, SPECS)
    view = table_view(model)
    model.setParent(view)
    qtbot.addWidget(view)
    model.set_rows(ROWS)
    view.show()
    return view, model


def names(model) -> list[str]:  # type: ignore[no-untyped-def]
    return [model.index(r, 0).data(ROW_ROLE).name for r in range(model.rowCount())]


def test_ctrl_c_copies_the_selected_rows_as_cells(qtbot):
    view, _model = make_view(qtbot)
    view.selectRow(0)
    view.selectionModel().select(view.model().index(3, 0), view.selectionModel().SelectionFlag.Select
                                 | view.selectionModel().SelectionFlag.Rows)
    view.setFocus()
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == (
        "越城区\t10\t2026-03-01\r\n" "\"'=1+1 \"\"引\"\"\"\t7\t2026-01-05\r\n")


def test_hidden_columns_left_out_and_moved_columns_in_their_place(qtbot):
    view, _model = make_view(qtbot)
    view.horizontalHeader().moveSection(C.DAY, 0)
    view.setColumnHidden(C.COUNT, True)
    view.selectRow(2)
    assert table_copy.selected_text(view) == '2025-12-31\t"上虞区\n二行"\r\n'
    view.clearSelection()
    view.setCurrentIndex(view.model().index(-1, -1))
    assert not table_copy.copy_rows(view)


def test_rows_keep_the_service_order_until_a_header_is_clicked(qtbot):
    view, model = make_view(qtbot)
    assert names(model) == [r.name for r in ROWS]
    view.selectRow(0)
    view.sortByColumn(C.COUNT, Qt.SortOrder.AscendingOrder)
    assert [model.index(r, 0).data(ROW_ROLE).count for r in range(4)] == [2, 7, 10, None]
    assert view.selectionModel().selectedRows()[0].data(ROW_ROLE).name == "越城区"  # selection kept
    view.sortByColumn(C.DAY, Qt.SortOrder.DescendingOrder)
    assert [model.index(r, 0).data(ROW_ROLE).day for r in range(4)][:3] == [
        dt.date(2026, 3, 1), dt.date(2026, 1, 5), dt.date(2025, 12, 31)]
    model.set_rows(list(reversed(ROWS)))  # a reload keeps the user's sort
    assert model.index(0, 0).data(ROW_ROLE).day == dt.date(2026, 3, 1)


def test_chinese_sorts_by_pinyin_and_numbers_by_size():
    words = ["越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县", "第10项", "第2项"]
    ordered = sorted_rows(words, lambda w: w)
    assert ordered.index("第2项") < ordered.index("第10项")
    assert ordered.index("柯桥区") < ordered.index("上虞区") < ordered.index("新昌县") < ordered.index("越城区")
    assert sorted_rows([3, None, 12, 1], lambda v: v, descending=True) == [12, 3, 1, None]
