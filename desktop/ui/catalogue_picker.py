"""Choose an item of the major-hazard standard (重大事故隐患判定标准) by words, edition shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from enum import IntEnum
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QItemSelection, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop import clock
from desktop.services import catalogues
from desktop.services.catalogues import CatalogueItemRow
from desktop.ui import i18n, table_copy
from desktop.ui.app_state import AppState
from desktop.ui.lazy_model import ROW_ROLE, Column, E, LazyTableModel, own_id
from desktop.ui.translatable import QT_TRANSLATE_NOOP

R = TypeVar("R")
SEARCH_DELAY_MS = 250
UNVERIFIED_STYLE = "color: #c62828; font-weight: bold;"


class MemoryTableModel(LazyTableModel[R]):
    """A LazyTableModel over rows already in memory (short lists: timelines, search hits)."""

    def __init__(self, columns: type[E], specs: Mapping[E, Column[R]], *,
                 row_id: Callable[[R], int] = own_id,
                 **kwargs: Any) -> None:
        self._by_id: dict[int, R] = {}
        self._key = row_id
        super().__init__(columns, specs, fetch_rows=self._lookup, row_id=row_id, **kwargs)

    def _lookup(self, ids: Iterable[int]) -> list[R]:
        return [self._by_id[i] for i in ids if i in self._by_id]

    def set_rows(self, rows: Iterable[R]) -> None:
        self._by_id = {self._key(r): r for r in rows}
        self.set_ids(list(self._by_id))

    def rows(self) -> list[R]:
        return list(self._by_id.values())


def verification_text(item: CatalogueItemRow) -> str:
    if not item.text_checked:  # an imported edition nobody has compared with the original yet
        return i18n.service_text(catalogues.UNCHECKED)
    if item.verified:
        return QCoreApplication.translate("CataloguePicker", "已核对原文")
    return QCoreApplication.translate("CataloguePicker", "未经核对原文")


def unverified_note() -> str:
    return QCoreApplication.translate(
        "CataloguePicker",
        "未经核对原文：本条文字据公开资料整理，尚未与标准原文逐字核对，出具文书前请核对原文。")


class ItemColumn(IntEnum):
    CODE = 0
    CATEGORY = 1
    TEXT = 2
    EDITION = 3
    CHECKED = 4


ITEM_COLUMNS: dict[ItemColumn, Column[CatalogueItemRow]] = {
    ItemColumn.CODE: Column(QT_TRANSLATE_NOOP("Columns", "条款"), lambda r: r.clause or r.code),
    ItemColumn.CATEGORY: Column(QT_TRANSLATE_NOOP("Columns", "类别"), lambda r: r.category),
    ItemColumn.TEXT: Column(QT_TRANSLATE_NOOP("Columns", "判定情形"), lambda r: r.text),
    ItemColumn.EDITION: Column(QT_TRANSLATE_NOOP("Columns", "版本"),
                               lambda r: i18n.service_text(r.edition_label)),
    ItemColumn.CHECKED: Column(QT_TRANSLATE_NOOP("Columns", "核对"), verification_text),
}


def describe(item: CatalogueItemRow) -> str:
    """The item as plain text: where it comes from, what it says, its sub-items."""
    lines = [" ".join(p for p in (i18n.service_text(item.edition_label), item.clause, item.category) if p),
             item.text]
    lines += [f"（{n}）{sub}" for n, sub in enumerate(item.sub_items, 1)]
    if item.catalogue_title:
        lines.append(QCoreApplication.translate("CataloguePicker", "出处：{title}").format(
            title=item.catalogue_title))
    return "\n".join(lines)


class CataloguePicker(QDialog):
    """Search the loaded editions; OK (or a double-click) keeps the chosen item in `chosen`."""

    def __init__(self, state: AppState, *, kind: str = "major_hazard", words: str = "",
                 found: dt.date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.kind = kind
        self.chosen: CatalogueItemRow | None = None
        # the editions side by side; the one in force on the day found is chosen first
        self.edition = QComboBox()
        self.edition.setObjectName("catalogueEdition")
        self.edition.addItem(QCoreApplication.translate("CataloguePicker", "全部版本"), None)
        for row in state.read(catalogues.list_catalogues, kind):
            since = QCoreApplication.translate("CataloguePicker", "（{day} 起施行）").format(
                day=row.in_force.isoformat()) if row.in_force else ""
            unchecked = "" if row.text_checked else " " + i18n.service_text(catalogues.UNCHECKED)
            self.edition.addItem(f"{row.title}{since}{unchecked}", row.code)
        default = state.read(catalogues.edition_for, kind, found or clock.today())
        if default is not None:
            self.edition.setCurrentIndex(max(self.edition.findData(default.code), 0))
        self.setWindowTitle(
            QCoreApplication.translate("CataloguePicker", "选择重大事故隐患判定条目"))
        self.search = QLineEdit(words)
        self.search.setObjectName("catalogueSearch")
        self.search.setPlaceholderText(
            QCoreApplication.translate("CataloguePicker", "输入关键词，如：塔吊 附着、连墙件、基坑 监测"))
        self.search.setClearButtonEnabled(True)
        self.table = table_copy.install(QTableView())
        self.model: MemoryTableModel[CatalogueItemRow] = MemoryTableModel(
            ItemColumn, ITEM_COLUMNS, parent=self.table)
        self._set_up_table()
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setObjectName("catalogueDetail")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet(UNVERIFIED_STYLE)
        self.note.hide()
        self.count = QLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lower = QWidget()
        box = QVBoxLayout(lower)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.detail)
        box.addWidget(self.note)
        box.addStretch(1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setSizes([320, 140])
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(QCoreApplication.translate("CataloguePicker", "版本")))
        top.addWidget(self.edition, 1)
        layout.addLayout(top)
        layout.addWidget(self.search)
        layout.addWidget(self.count)
        layout.addWidget(split, 1)
        layout.addWidget(self.buttons)
        self.resize(860, 560)
        self._typing = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._typing.timeout.connect(self.run_search)
        self.search.textChanged.connect(self._typing.start)
        self.search.returnPressed.connect(self.run_search)
        self.edition.currentIndexChanged.connect(lambda _i: self.run_search())
        self.run_search()

    def _set_up_table(self) -> None:
        table = self.table
        table.setObjectName("catalogueTable")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().hide()
        table.setWordWrap(False)
        table.horizontalHeader().setStretchLastSection(False)
        for column, width in ((ItemColumn.CODE, 96), (ItemColumn.CATEGORY, 120)):
            table.setColumnWidth(column, width)
        # 版本 and 核对 as wide as their text; 判定情形 takes the rest, so nothing scrolls sideways
        header = table.horizontalHeader()
        for column in (ItemColumn.EDITION, ItemColumn.CHECKED):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ItemColumn.TEXT, QHeaderView.ResizeMode.Stretch)
        table.selectionModel().selectionChanged.connect(self._selected)
        table.doubleClicked.connect(lambda _i: self.accept())

    def run_search(self) -> None:
        self._typing.stop()
        found = self.state.read(catalogues.search_items, self.kind, self.search.text(), 200,
                                catalogue_code=self.edition.currentData())
        self.model.set_rows(found)
        self.count.setText(
            QCoreApplication.translate("CataloguePicker", "找到 {n} 条").format(n=len(found)))
        if found:
            self.table.selectRow(0)
        else:
            self._show(None)

    def current(self) -> CatalogueItemRow | None:
        index = self.table.currentIndex()
        return self.model.data(index, ROW_ROLE) if index.isValid() else None

    def _selected(self, _new: QItemSelection, _old: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        self._show(self.model.data(rows[0], ROW_ROLE) if rows else None)

    def _show(self, item: CatalogueItemRow | None) -> None:
        text = describe(item) if item is not None else ""
        if item is not None:
            earlier, later = self.state.read(catalogues.linked_items, item.id)
            for caption, linked in ((QT_TRANSLATE_NOOP("CataloguePicker", "沿用自：{items}"), earlier),
                                    (QT_TRANSLATE_NOOP("CataloguePicker", "新版对应：{items}"), later)):
                if linked:
                    names = "、".join(f"{i18n.service_text(i.edition_label)} {i.clause}" for i in linked)
                    text += "\n" + QCoreApplication.translate("CataloguePicker", caption).format(items=names)
        self.detail.setText(text)
        self.note.setText(unverified_note())
        self.note.setVisible(item is not None and not item.verified)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(item is not None)

    def select_code(self, code: str) -> bool:
        """Select the row of an item code (e.g. 08-5); False when it is not in the list."""
        for row in range(self.model.rowCount()):
            item = self.model.data(self.model.index(row, 0), ROW_ROLE)
            if item is not None and item.code == code:
                self.table.selectRow(row)
                return True
        return False

    def accept(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        self.chosen = self.model.data(rows[0], ROW_ROLE) if rows else None
        if self.chosen is not None:
            super().accept()
