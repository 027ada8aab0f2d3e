"""The 隐患台账 page: the hazard register, filtered and sorted in SQL, rows loaded as shown."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QTableView,
    QVBoxLayout, QWidget,
)

from desktop.models.enums import HAZARD_LEVEL_LABELS, HazardStatus
from desktop.services import register
from desktop.services.context import Changes
from desktop.services.register import RegisterFilter, RegisterRow
from desktop.ui import i18n
from desktop.ui.app_state import AppState
from desktop.ui.lazy_model import CENTER, Column, LazyTableModel
from desktop.ui.pages.base import Page
from desktop.ui.widgets import ErrorLabel, Heading

SEARCH_DELAY_MS = 400  # typing pauses this long before the register is queried


def status_text(row: RegisterRow) -> str:
    text = i18n.label(HazardStatus(row.status))
    if row.overdue:
        return text + QCoreApplication.translate("HazardsPage", "（逾期）")
    return text


class HazardColumn(IntEnum):
    NUMBER = 0
    LEVEL = 1
    STATUS = 2
    FOUND = 3
    DEADLINE = 4
    PROJECT = 5
    LOCATION = 6
    DESCRIPTION = 7
    UNIT = 8


HAZARD_COLUMNS: dict[HazardColumn, Column[RegisterRow]] = {
    HazardColumn.NUMBER: Column(QT_TRANSLATE_NOOP("Columns", "编号"), lambda r: r.number,
                                sort_key="number"),
    HazardColumn.LEVEL: Column(QT_TRANSLATE_NOOP("Columns", "等级"),
                               lambda r: i18n.level_label(r.level), CENTER, sort_key="level"),
    HazardColumn.FOUND: Column(QT_TRANSLATE_NOOP("Columns", "发现日期"), lambda r: r.found_date,
                               CENTER, sort_key="found_date"),
    HazardColumn.PROJECT: Column(QT_TRANSLATE_NOOP("Columns", "项目"), lambda r: r.project_name,
                                 sort_key="project"),
    HazardColumn.LOCATION: Column(QT_TRANSLATE_NOOP("Columns", "部位"), lambda r: r.location),
    HazardColumn.DESCRIPTION: Column(QT_TRANSLATE_NOOP("Columns", "隐患描述"), lambda r: r.description),
    HazardColumn.DEADLINE: Column(QT_TRANSLATE_NOOP("Columns", "整改期限"), lambda r: r.deadline,
                                  CENTER, sort_key="deadline"),
    HazardColumn.STATUS: Column(QT_TRANSLATE_NOOP("Columns", "状态"), status_text, sort_key="status"),
    HazardColumn.UNIT: Column(QT_TRANSLATE_NOOP("Columns", "责任单位"), lambda r: r.responsible_unit),
}


class HazardsPage(Page):
    key = "hazards"
    title_source = QT_TRANSLATE_NOOP("Pages", "隐患台账")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.sort_key, self.descending = "found_date", True
        self.table = QTableView()
        # the model is the table's child so that it outlives the view while the page is torn down
        self.model = LazyTableModel(
            HazardColumn, HAZARD_COLUMNS, level_of=lambda r: r.level, on_sort=self._sort,
            fetch_rows=lambda ids: self.state.read(register.rows_by_ids, ids), parent=self.table)
        self.model.fetch_failed.connect(self._failed)
        self.model.rowsInserted.connect(self._show_count)
        self.model.rowsRemoved.connect(self._show_count)
        self._set_up_table()
        self.search = QLineEdit()
        self.search.setObjectName("hazardSearch")
        self.search.setPlaceholderText(
            QCoreApplication.translate("HazardsPage", "搜索编号、部位、描述或分类"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self.level = QComboBox()
        self.level.addItem(QCoreApplication.translate("HazardsPage", "全部等级"), 0)
        for level in HAZARD_LEVEL_LABELS:
            self.level.addItem(i18n.level_label(level), level)
        self.open_only = QCheckBox(QCoreApplication.translate("HazardsPage", "只看未销项"))
        self.overdue = QCheckBox(QCoreApplication.translate("HazardsPage", "只看逾期"))
        self.count_label = QLabel()
        self.count_label.setObjectName("hazardCount")
        self.error = ErrorLabel()
        self._typing = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._typing.timeout.connect(self.reload)
        self.search.textChanged.connect(self._typing.start)
        self.search.returnPressed.connect(self.reload)
        self.level.currentIndexChanged.connect(self.reload)
        self.open_only.toggled.connect(self.reload)
        self.overdue.toggled.connect(self.reload)
        bar = QHBoxLayout()
        for widget in (self.search, self.level, self.open_only, self.overdue):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addWidget(Heading(self.title()))
        layout.addLayout(bar)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)

    def _set_up_table(self) -> None:
        table = self.table
        table.setObjectName("hazardTable")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setSortIndicator(HazardColumn.FOUND, Qt.SortOrder.DescendingOrder)
        header.setStretchLastSection(True)
        table.setSortingEnabled(True)
        for column, width in ((HazardColumn.NUMBER, 130), (HazardColumn.LEVEL, 100),
                              (HazardColumn.STATUS, 130), (HazardColumn.FOUND, 100),
                              (HazardColumn.DEADLINE, 100), (HazardColumn.PROJECT, 200),
                              (HazardColumn.LOCATION, 120), (HazardColumn.DESCRIPTION, 300)):
            table.setColumnWidth(column, width)

    def current_filter(self) -> RegisterFilter:
        level = int(self.level.currentData() or 0)
        return RegisterFilter(levels=frozenset({level}) if level else frozenset(),
                              open_only=self.open_only.isChecked(),
                              overdue=self.overdue.isChecked(), text=self.search.text().strip())

    def wants(self, changes: Changes) -> bool:
        return changes.hazards or changes.projects

    def refresh(self) -> None:
        self._typing.stop()
        self.error.show_message("")
        loader = register.IdLoader(self.state.db.read, self.current_filter(), sort=self.sort_key,
                                   descending=self.descending)
        self.model.set_source(loader)
        self._show_count()

    def _show_count(self, *_args: object) -> None:
        rows = self.model.rowCount()
        if self.model.total_known:
            text = QCoreApplication.translate("HazardsPage", "共 {n} 条").format(n=f"{rows:,}")
        else:
            text = QCoreApplication.translate("HazardsPage", "已载入 {n} 条，向下滚动载入更多")
            text = text.format(n=f"{rows:,}")
        self.count_label.setText(text)

    def _sort(self, column: IntEnum, order: Qt.SortOrder) -> None:
        key = self.model.sort_key(column) or self.sort_key
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self.sort_key, self.descending):
            self.sort_key, self.descending = key, descending
            self.reload_when_shown()

    def _failed(self, message: str) -> None:
        self.error.show_message(message)

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("header", self.table.horizontalHeader().saveState())

    def restore_state(self, settings: QSettings) -> None:
        state = settings.value("header")
        header = self.table.horizontalHeader()
        if state is None or not header.restoreState(state):
            return
        section = header.sortIndicatorSection()
        if section in HazardColumn._value2member_map_:
            self.sort_key = self.model.sort_key(HazardColumn(section)) or self.sort_key
            self.descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder

