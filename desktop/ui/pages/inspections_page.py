"""The 检查记录 page: every inspection of the agency, filtered and sorted in SQL; Enter opens one."""

from __future__ import annotations

import datetime as dt
from enum import IntEnum

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import InspectionKind
from desktop.services import capture_inbox, users
from desktop.services.context import Changes, now
from desktop.services.periods import parse, quarter_of
from desktop.services.queries import inspection_list
from desktop.services.queries.inspection_list import InspectionFilter, InspectionListRow
from desktop.ui import dialogs, i18n
from desktop.ui.app_state import AppState
from desktop.ui.empty_hint import EmptyHint
from desktop.ui.inspection_dialog import InspectionDialog
from desktop.ui.lazy_model import CENTER, ID_ROLE, RIGHT, Column, LazyTableModel
from desktop.ui.pages.base import Page
from desktop.ui.project_dialog import plain_table, shrinkable
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.widgets import ErrorLabel, Heading

SEARCH_DELAY_MS = 400


def _confirmed(r: InspectionListRow) -> str:
    return r.site_confirmed_by or QCoreApplication.translate("InspectionsPage", "未确认")


def _sources(r: InspectionListRow) -> object:
    return r.sources_checked if r.kind == InspectionKind.FULL else ""


class InspectionColumn(IntEnum):
    DATE = 0
    PROJECT = 1
    KIND = 2
    STAGE = 3
    INSPECTORS = 4
    HAZARDS = 5
    SOURCES = 6
    CONFIRMED = 7


INSPECTION_COLUMNS: dict[InspectionColumn, Column[InspectionListRow]] = {
    InspectionColumn.DATE: Column(QT_TRANSLATE_NOOP("Columns", "检查日期"), lambda r: r.date, CENTER,
                                  sort_key="date"),
    InspectionColumn.PROJECT: Column(QT_TRANSLATE_NOOP("Columns", "项目"),
                                     lambda r: f"{r.project_code}　{r.project_name}", sort_key="project"),
    InspectionColumn.KIND: Column(QT_TRANSLATE_NOOP("Columns", "检查类型"),
                                  lambda r: i18n.label(InspectionKind(r.kind)), sort_key="kind"),
    InspectionColumn.STAGE: Column(QT_TRANSLATE_NOOP("Columns", "施工阶段"), lambda r: r.stage_name),
    InspectionColumn.INSPECTORS: Column(QT_TRANSLATE_NOOP("Columns", "检查人员"), lambda r: r.inspectors),
    InspectionColumn.HAZARDS: Column(QT_TRANSLATE_NOOP("Columns", "发现隐患"), lambda r: r.hazards, RIGHT),
    InspectionColumn.SOURCES: Column(QT_TRANSLATE_NOOP("Columns", "核查风险源"), _sources, RIGHT),
    InspectionColumn.CONFIRMED: Column(QT_TRANSLATE_NOOP("Columns", "项目方确认"), _confirmed),
}

INSPECTION_WIDTHS = {InspectionColumn.DATE: 100, InspectionColumn.PROJECT: 300, InspectionColumn.KIND: 130,
                     InspectionColumn.STAGE: 100, InspectionColumn.INSPECTORS: 160,
                     InspectionColumn.HAZARDS: 80, InspectionColumn.SOURCES: 90}

PERIODS = (("", QT_TRANSLATE_NOOP("InspectionsPage", "全部日期")),
           ("month", QT_TRANSLATE_NOOP("InspectionsPage", "本月")),
           ("quarter", QT_TRANSLATE_NOOP("InspectionsPage", "本季度")),
           ("year", QT_TRANSLATE_NOOP("InspectionsPage", "本年度")))


def period_range(key: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    if key == "month":
        period = parse(f"{today.year}-{today.month:02d}")
    elif key == "quarter":
        period = quarter_of(today)
    elif key == "year":
        period = parse(str(today.year))
    else:
        return None, None
    return period.start, period.end


class InspectionsPage(Page):
    key = "inspections"
    title_source = QT_TRANSLATE_NOOP("Pages", "检查记录")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.sort_key, self.descending = "date", True
        self.table = self._make_table()
        self.search = QLineEdit()
        self.search.setObjectName("inspectionSearch")
        self.search.setPlaceholderText(QCoreApplication.translate("InspectionsPage", "搜索项目编号或名称"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(140)
        self.kind = QComboBox()
        self.kind.addItem(QCoreApplication.translate("InspectionsPage", "全部类型"), "")
        for kind in InspectionKind:
            self.kind.addItem(i18n.label(kind), kind.value)
        self.period = QComboBox()
        for value, text in PERIODS:
            self.period.addItem(QCoreApplication.translate("InspectionsPage", text), value)
        self.inspector = QComboBox()
        self.unconfirmed = QCheckBox(QCoreApplication.translate("InspectionsPage", "只看未双方确认"))
        self.new_button = QPushButton(QCoreApplication.translate("InspectionsPage", "新建检查(&N)…"))
        self.new_button.setEnabled(state.can("inspection.edit"))
        state.actor_changed.connect(self._actor_changed)
        self.new_button.clicked.connect(lambda: self.new_inspection())
        self.drafts_button = QPushButton(QCoreApplication.translate("InspectionsPage", "现场草稿…"))
        self.drafts_button.setObjectName("inspectionDrafts")
        self.drafts_button.setToolTip(QCoreApplication.translate(
            "InspectionsPage", "在“现场采集”中查看手机为所选检查发来的草稿"))
        self.drafts_button.setEnabled(False)
        self.drafts_button.clicked.connect(self.open_drafts)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_drafts_count())
        self.count_label = QLabel()
        self.count_label.setObjectName("inspectionCount")
        self.error = ErrorLabel()
        self.empty_hint = EmptyHint(
            self.table, QCoreApplication.translate(
                "InspectionsPage", "还没有检查记录。选好项目后新建检查，记录检查内容和发现的隐患。"),
            [(QCoreApplication.translate("InspectionsPage", "新建检查…"), "hintNewInspection",
              lambda: self.new_inspection())],
            filtered=lambda: bool(self.search.text().strip()) or self.kind.currentIndex() > 0
            or bool(self.period.currentData()) or self.inspector.currentIndex() > 0
            or self.unconfirmed.isChecked(),
            filtered_text=QCoreApplication.translate(
                "InspectionsPage", "没有符合条件的检查记录。清除搜索词或把筛选改回“全部”再看。"))
        self._typing = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._typing.timeout.connect(self.reload)
        self.search.textChanged.connect(self._typing.start)
        self.search.returnPressed.connect(self.reload)
        for combo in (self.kind, self.period, self.inspector):
            combo.currentIndexChanged.connect(self.reload)
        self.unconfirmed.toggled.connect(self.reload)
        for combo in (self.kind, self.period, self.inspector):
            shrinkable(combo, 170)
        bar = QHBoxLayout()
        bar.addWidget(self.search, 2)
        for combo in (self.kind, self.period, self.inspector):
            bar.addWidget(combo, 1)
        bar.addWidget(self.unconfirmed)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        head = QHBoxLayout()
        head.addWidget(Heading(self.title()))
        head.addStretch(1)
        head.addWidget(self.drafts_button)
        head.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(bar)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)


    def _actor_changed(self, _actor: object) -> None:
        self.new_button.setEnabled(self.state.can("inspection.edit"))
        self.empty_hint.buttons[0].setEnabled(self.state.can("inspection.edit"))
    def _make_table(self) -> QTableView:
        self.model: LazyTableModel[InspectionListRow] = LazyTableModel(
            InspectionColumn, INSPECTION_COLUMNS, on_sort=self._sort,
            fetch_rows=lambda ids: self.state.read(inspection_list.rows_by_ids, ids))
        self.model.fetch_failed.connect(lambda message: self.error.show_message(message))
        table = plain_table(self.model, "inspectionTable")
        header = table.horizontalHeader()
        header.setSortIndicator(InspectionColumn.DATE, Qt.SortOrder.DescendingOrder)
        table.setSortingEnabled(True)
        for column, width in INSPECTION_WIDTHS.items():
            table.setColumnWidth(column, width)
        table.activated.connect(lambda _index: self.open_current())
        return table

    def current_filter(self) -> InspectionFilter:
        start, end = period_range(self.period.currentData() or "", now().date())
        kind = self.kind.currentData()
        return InspectionFilter(text=self.search.text().strip(),
                                kinds=frozenset({kind}) if kind else frozenset(),
                                date_from=start, date_to=end, inspector_id=self.inspector.currentData(),
                                unconfirmed=self.unconfirmed.isChecked())

    def wants(self, changes: Changes) -> bool:
        return changes.inspections or changes.hazards or changes.projects or changes.users

    def refresh(self) -> None:
        self._typing.stop()
        self.error.show_message("")
        self._fill_inspectors()
        ids = self.state.read(inspection_list.inspection_ids, self.current_filter(), sort=self.sort_key,
                              descending=self.descending)
        self.model.set_ids(ids)
        self.count_label.setText(QCoreApplication.translate("InspectionsPage", "共 {n} 次检查").format(
            n=f"{len(ids):,}"))
        self._show_drafts_count()

    def _fill_inspectors(self) -> None:
        chosen = self.inspector.currentData()
        self.inspector.blockSignals(True)
        self.inspector.clear()
        self.inspector.addItem(QCoreApplication.translate("InspectionsPage", "全部检查人员"), None)
        for user in self.state.read(users.list_users, self.state.actor):
            if user.role != "reviewer":
                self.inspector.addItem(user.display_name, user.id)
        self.inspector.setCurrentIndex(max(0, self.inspector.findData(chosen)))
        self.inspector.blockSignals(False)

    def _sort(self, column: IntEnum, order: Qt.SortOrder) -> None:
        key = self.model.sort_key(column) or self.sort_key
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self.sort_key, self.descending):
            self.sort_key, self.descending = key, descending
            self.reload_when_shown()

    def open_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            dialogs.run(InspectionDialog(self.state, inspection_id=self.model.data(index, ID_ROLE),
                                         parent=self))

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.data(index, ID_ROLE) if index.isValid() else None

    def _show_drafts_count(self) -> None:
        """现场草稿（2）… when phones sent drafts for the selected inspection that wait."""
        inspection_id = self.current_id()
        pending = self.state.read(capture_inbox.pending_count, inspection_id) if inspection_id else 0
        text = QCoreApplication.translate("InspectionsPage", "现场草稿（{n}）…").format(n=pending) \
            if pending else QCoreApplication.translate("InspectionsPage", "现场草稿…")
        self.drafts_button.setText(text)
        self.drafts_button.setEnabled(inspection_id is not None)

    def open_drafts(self) -> None:
        """The capture inbox, on the selected inspection's drafts."""
        inspection_id = self.current_id()
        opener = getattr(self.window(), "show_capture_for", None)
        if inspection_id is not None and opener is not None:
            opener(inspection_id)

    def new_inspection(self, project_id: int | None = None) -> None:
        dialogs.run(InspectionDialog(self.state, project_id=project_id, parent=self))

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("header", self.table.horizontalHeader().saveState())

    def restore_state(self, settings: QSettings) -> None:
        state = settings.value("header")
        header = self.table.horizontalHeader()
        if state is None or not header.restoreState(state):
            return
        section = header.sortIndicatorSection()
        if section in list(InspectionColumn):
            self.sort_key = self.model.sort_key(InspectionColumn(section)) or self.sort_key
            self.descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
