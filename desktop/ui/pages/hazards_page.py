"""The 隐患台账 page: the hazard register, filtered and sorted in SQL, rows loaded as shown.

`HazardTable` is the reusable part (the project page shows it with a base filter): ids of the
view arrive from `IdStream`, the first page at once and the rest on a worker, so a view of a
million hazards opens, scrolls and sorts without freezing the window.
"""

from __future__ import annotations

import dataclasses
from array import array
from collections.abc import Callable, Iterable, Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSettings,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop import clock
from desktop.db import Interrupter
from desktop.models.enums import HazardStatus
from desktop.services.context import Changes
from desktop.services.queries import register
from desktop.services.queries.register import RegisterFilter, RegisterRow
from desktop.ui import dialogs, file_dialogs, filter_memory, i18n, table_copy
from desktop.ui.app_state import AppState
from desktop.ui.empty_hint import EmptyHint
from desktop.ui.hazard_dialog import HazardDialog
from desktop.ui.hazard_page import show_hazard
from desktop.ui.lazy_model import CENTER, ROW_ROLE, Column, LazyTableModel
from desktop.ui.pages.base import Page
from desktop.ui.register_filters import FilterBar, level_icon
from desktop.ui.tasks import Task, handle_failure, run_service
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.widgets import ErrorLabel, Heading

if TYPE_CHECKING:
    from desktop.services.exchange.register_export import ExportResult  # loaded on first export

FIRST_PAGE = 500  # ids read before the view first paints
STEP = 50_000  # ids per query on the worker (~30 ms each at a million rows)


def status_text(row: RegisterRow) -> str:
    text = i18n.label(HazardStatus(row.status))
    if row.overdue:
        return text + QCoreApplication.translate("HazardsPage", "（逾期）")
    return text


def level_text(row: RegisterRow) -> str:
    text = i18n.level_label(row.level)
    return text + QCoreApplication.translate("HazardsPage", " ★重大") if row.is_major else text


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
    CATEGORY = 9


HAZARD_COLUMNS: dict[HazardColumn, Column[RegisterRow]] = {
    HazardColumn.NUMBER: Column(QT_TRANSLATE_NOOP("Columns", "编号"), lambda r: r.number,
                                sort_key="number"),
    HazardColumn.LEVEL: Column(QT_TRANSLATE_NOOP("Columns", "等级"), level_text, sort_key="level"),
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
    HazardColumn.CATEGORY: Column(QT_TRANSLATE_NOOP("Columns", "类别"), lambda r: r.category,
                                  sort_key="category"),
}
WIDTHS = {HazardColumn.NUMBER: 130, HazardColumn.LEVEL: 120, HazardColumn.STATUS: 130,
          HazardColumn.FOUND: 100, HazardColumn.DEADLINE: 100, HazardColumn.PROJECT: 200,
          HazardColumn.LOCATION: 120, HazardColumn.DESCRIPTION: 300, HazardColumn.UNIT: 180}


def merged(base: RegisterFilter, flt: RegisterFilter) -> RegisterFilter:
    """`flt` narrowed by every field the base filter sets (a project page's project)."""
    fixed = {f.name: getattr(base, f.name) for f in dataclasses.fields(base)
             if getattr(base, f.name) != f.default}
    return dataclasses.replace(flt, **fixed)


class IdStream(QObject):
    """The ids of one view for LazyTableModel (the IdSource shape), read on a worker: the count
    and the first page first (`opened`), then the rest in keyset pages, appended on the GUI
    thread as they arrive. No query of the view runs on the GUI thread."""

    opened = Signal()  # the count and the first page are in: the view can be shown
    arrived = Signal(int)  # more ids came; how many there were before
    finished = Signal()  # every id is in
    failed = Signal(object)  # the exception that stopped the reading

    counted = Signal()  # the total is known (it comes after the first page)

    _first = Signal(object, object)  # worker → GUI thread: ids, key after them
    _count = Signal(int)  # worker → GUI thread: how many rows the view has
    _chunk = Signal(object, bool)  # worker → GUI thread: ids, last chunk

    def __init__(self, read: Callable[[], Any], flt: RegisterFilter, *, sort: str,
                 descending: bool, first_page: int = FIRST_PAGE, step: int = STEP) -> None:
        super().__init__()
        self.filter, self.sort, self.descending = flt, sort, descending
        self.ids = array("q")
        # the total follows the first page; a 1–2 character search has no index to count
        # with, so its total is known only at the end
        self.countable = not (0 < len(" ".join(flt.text.split())) < register.MIN_TRIGRAM)
        self.total_known = False
        self.total = 0
        self.is_open = False
        self.wanted = 0  # the furthest row the view asked for before its id arrived
        self._read, self._pages = read, (first_page, step)
        self._after: tuple[Any, ...] | None = ()  # () until the first page is read
        self._task: Task | None = None
        self._stopped = False
        self._interrupter = Interrupter()
        self._first.connect(self._take_first)
        self._count.connect(self._take_count)
        self._chunk.connect(self._take)

    @property
    def complete(self) -> bool:
        return self._after is None

    def ensure(self, n: int) -> None:
        """The view wants n ids; the worker brings them (never block the GUI thread here)."""
        self.wanted = max(self.wanted, n)

    def start(self) -> None:
        if self._task is not None:
            return
        flt, countable = self.filter, self.countable
        sort, descending, (first_page, step) = self.sort, self.descending, self._pages
        stream = self  # kept alive while the worker may still emit

        def read() -> Any:  # a read that stop() can interrupt mid-statement
            return self._interrupter.reading(self._read)

        def work(*, progress: Any) -> None:
            # the first page first: it alone decides how soon rows are on screen
            with read() as session:
                ids, after = register.page_ids(session, flt, sort=sort, descending=descending,
                                               limit=first_page)
            if not progress(0, 1, ""):
                return
            stream._first.emit(ids, after)
            if after is not None and countable:
                with read() as session:
                    total = register.count(session, flt)
                if not progress(0, 1, ""):
                    return
                stream._count.emit(total)
            while after is not None and progress(0, 1, ""):
                with read() as session:
                    ids, after = register.page_ids(session, flt, sort=sort, descending=descending,
                                                   after=after, limit=step)
                if progress(0, 1, ""):
                    stream._chunk.emit(ids, after is None)

        self._task = Task(work)
        self._task.failed.connect(self._failed)
        self._task.start()

    def stop(self) -> None:
        self._stopped = True
        self._interrupter.stop()  # the statement under way too: the next view needs the core
        if self._task is not None:
            self._task.cancel()

    def _take_first(self, ids: list[int], after: tuple[Any, ...] | None) -> None:
        if self._stopped:
            return
        self.total = len(ids)
        self.ids.extend(ids)
        self._after = after
        if after is None:
            self._finish()
        self.is_open = True
        self.opened.emit()
        if after is None:
            self.finished.emit()

    def _take_count(self, total: int) -> None:
        if self._stopped or self.complete:
            return  # at the end the ids themselves are the count
        self.total, self.total_known = max(total, len(self.ids)), True
        self.counted.emit()

    def _take(self, ids: list[int], last: bool) -> None:
        if self._stopped:
            return
        before = len(self.ids)
        self.ids.extend(ids)
        self.arrived.emit(before)
        if last:
            self._after = None
            self._finish()
            self.finished.emit()

    def _finish(self) -> None:
        if not self.total_known or len(self.ids) != self.total:
            self.total = len(self.ids)  # at the end the true number is known
        self.total_known = True

    def _failed(self, exc: BaseException) -> None:
        if not self._stopped:
            self.failed.emit(exc)


class LevelDelegate(QStyledItemDelegate):
    """The level column carries a square in the level's national colour."""

    def initStyleOption(self, option: QStyleOptionViewItem,
                        index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        row = index.data(ROW_ROLE)
        if row is not None:
            option.icon = level_icon(row.level)
            option.features |= option.ViewItemFeature.HasDecoration


class HazardTable(QTableView):
    """The register table for a base filter; double-click or Enter opens the hazard."""

    loaded = Signal()  # the view was (re)opened or its number of rows changed
    fetch_failed = Signal(str)

    def __init__(self, state: AppState, base: RegisterFilter | None = None, *,
                 first_page: int = FIRST_PAGE, step: int = STEP, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app_state, self.base = state, base or RegisterFilter()
        self.sort_key, self.descending = "found_date", True
        self.filter = self.base
        self.shown_ids: Sequence[int] | None = None  # a fixed list (from the dashboard)
        self.stream: IdStream | None = None
        self._pages = (first_page, step)
        self._keep: tuple[int, int | None] = (0, None)  # scroll position, current hazard
        self.model_ = LazyTableModel(
            HazardColumn, HAZARD_COLUMNS, level_of=lambda r: r.level, on_sort=self._sort,
            fetch_rows=lambda ids: self.app_state.read(register.rows_by_ids, ids), parent=self)
        self.model_.fetch_failed.connect(self.fetch_failed)
        for signal in (self.model_.rowsInserted, self.model_.rowsRemoved, self.model_.modelReset):
            signal.connect(self.loaded)
        self.setObjectName("hazardTable")
        self.setModel(self.model_)
        self.setItemDelegateForColumn(HazardColumn.LEVEL, LevelDelegate(self))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setSortIndicator(HazardColumn.FOUND, Qt.SortOrder.DescendingOrder)
        header.setStretchLastSection(True)
        header.setSectionsMovable(True)
        self.setSortingEnabled(True)
        table_copy.install(self)  # Ctrl+C copies the selected rows for Excel
        for column, width in WIDTHS.items():
            self.setColumnWidth(column, width)
        self.setColumnWidth(HazardColumn.LEVEL, max(WIDTHS[HazardColumn.LEVEL], self._level_width()))
        self.activated.connect(self._open)

    def _level_width(self) -> int:
        """Room for the widest level text (一级（重大） ★重大) beside its colour square, as the
        style lays out an item with a decoration."""
        suffix = QCoreApplication.translate("HazardsPage", " ★重大")
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        option.features |= (QStyleOptionViewItem.ViewItemFeature.HasDisplay
                            | QStyleOptionViewItem.ViewItemFeature.HasDecoration)
        option.icon = level_icon(1)
        widest = 0
        for level in (1, 2, 3, 4):
            option.text = i18n.level_label(level) + suffix
            size = self.style().sizeFromContents(QStyle.ContentsType.CT_ItemViewItem, option,
                                                 QSize(), self)
            widest = max(widest, size.width())
        return widest + 8

    # -- what is shown -----------------------------------------------------------------------

    def set_filter(self, flt: RegisterFilter) -> None:
        self.filter, self.shown_ids = merged(self.base, flt), None
        self.reload()

    def show_ids(self, ids: Iterable[int]) -> None:
        self.shown_ids = list(ids)
        self.reload()

    @property
    def is_loading(self) -> bool:
        """True from a reload until the new view's first page is shown."""
        return self.stream is not None and not self.stream.is_open

    def reload(self) -> None:
        """Read the view again on a worker; what is on screen stays until the new view opens,
        which keeps the scroll position and the current hazard."""
        current = self.current_row()
        self._keep = (self.verticalScrollBar().value(), current.id if current else None)
        if self.stream is not None:
            self.stream.stop()
            self.stream = None
        if self.shown_ids is not None:
            self.model_.set_ids(self.shown_ids)
            self._restore()
            return
        first, step = self._pages
        self.stream = IdStream(self.app_state.db.read, self.filter, sort=self.sort_key,
                               descending=self.descending, first_page=first, step=step)
        self.stream.opened.connect(self._opened)
        self.stream.counted.connect(self._counted)
        self.stream.arrived.connect(self._arrived)
        self.stream.finished.connect(self._finished)
        self.stream.failed.connect(self._failed)
        self.stream.start()
        self.loaded.emit()

    def _opened(self) -> None:
        if self.stream is not None:
            self.model_.set_source(self.stream)
            self._restore()

    def _restore(self) -> None:
        scroll, current = self._keep
        self.verticalScrollBar().setValue(scroll)
        row = self.model_.row_of(current) if current is not None else -1
        if row >= 0:
            self.selectRow(row)
        self.loaded.emit()

    def _failed(self, exc: BaseException) -> None:
        self.stream = None
        if isinstance(exc, dialogs.USER_ERRORS):
            self.fetch_failed.emit(i18n.error_text(exc))
        else:
            handle_failure(self, exc)
        self.loaded.emit()

    def refresh_rows(self, ids: set[int]) -> None:
        """Changed hazards that are all in the view are repainted; anything else reloads."""
        if ids and all(self.model_.row_of(i) >= 0 for i in ids):
            self.model_.invalidate(ids)
        else:
            self.reload()

    def _counted(self) -> None:
        if self.stream is not None and self.stream.is_open:
            self.model_.source_counted()
            self.loaded.emit()

    def _arrived(self, before: int) -> None:
        stream = self.stream
        if stream is None or not stream.is_open:
            return
        if not stream.total_known:
            self.model_.fetchMore(QModelIndex())  # a short search: the rows grow as they come
        elif stream.wanted > before:
            self.model_.invalidate()  # rows painted blank while their ids were on the way
        self.loaded.emit()

    def _finished(self) -> None:
        if self.stream is not None and self.model_.rowCount() != len(self.stream.ids):
            self.model_.set_source(self.stream)  # rows were added or removed since the count
        self.loaded.emit()

    def count_text(self) -> str:
        if self.is_loading:
            return QCoreApplication.translate("HazardsPage", "正在查询…")
        rows = self.model_.rowCount()
        if self.model_.total_known:
            return QCoreApplication.translate("HazardsPage", "共 {n} 条").format(n=f"{rows:,}")
        return QCoreApplication.translate("HazardsPage", "已加载 {n} 条…").format(n=f"{rows:,}")

    def current_row(self) -> RegisterRow | None:
        index = self.currentIndex()
        return self.model_.data(index, ROW_ROLE) if index.isValid() else None

    def _open(self, index: QModelIndex) -> None:
        row = self.model_.data(index, ROW_ROLE)
        if row is not None:
            show_hazard(self.app_state, row.id, parent=self.window())

    # -- sorting and layout ------------------------------------------------------------------

    def _sort(self, column: IntEnum, order: Qt.SortOrder) -> None:
        key = self.model_.sort_key(column) or self.sort_key
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self.sort_key, self.descending):
            self.sort_key, self.descending = key, descending
            self.reload()

    def save_layout(self, settings: QSettings) -> None:
        settings.setValue("header", self.horizontalHeader().saveState())

    def restore_layout(self, settings: QSettings) -> None:
        saved = settings.value("header")
        header = self.horizontalHeader()
        if saved is None or not header.restoreState(saved):
            return
        header.setSectionsMovable(True)
        section = header.sortIndicatorSection()
        if section in list(HazardColumn):
            self.sort_key = self.model_.sort_key(HazardColumn(section)) or self.sort_key
            self.descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder



class HazardsPage(Page):
    key = "hazards"
    title_source = QT_TRANSLATE_NOOP("Pages", "隐患台账")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.filters = FilterBar(state)
        self.table = HazardTable(state)
        self.shown: tuple[list[int], str] | None = None  # ids from the dashboard, and why
        self.saved_filter: RegisterFilter | None = None  # last run's filters, applied on first show
        self._choices_stale = False  # projects changed since the filter's lists were read
        self.count_label = QLabel()
        self.count_label.setObjectName("hazardCount")
        self.new_button = QPushButton(QCoreApplication.translate("HazardsPage", "登记隐患…"))
        self.new_button.setEnabled(state.can("hazard.record"))
        self.export_button = QPushButton(QCoreApplication.translate("HazardsPage", "导出 Excel…"))
        self.banner = QLabel()
        self.banner.setStyleSheet("background: #fff8e1; padding: 4px 8px;")
        self.banner.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.show_all = QPushButton(QCoreApplication.translate("HazardsPage", "显示全部隐患"))
        self.error = ErrorLabel()
        above = QHBoxLayout()  # the count, and what to do with the view, just above it
        above.addWidget(self.count_label)
        above.addWidget(self.banner, 1)
        above.addWidget(self.show_all)
        above.addStretch(1)
        above.addWidget(self.new_button)
        above.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(Heading(self.title()))
        layout.addWidget(self.filters)
        layout.addLayout(above)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        self.empty_hint = EmptyHint(
            self.table, QCoreApplication.translate(
                "HazardsPage", "还没有登记隐患。检查中发现的问题在这里登记（Ctrl+N），"
                "也可以从 Excel 导入已有的隐患清单。"),
            [(QCoreApplication.translate("HazardsPage", "登记隐患…"), "hintNewHazard",
              self.new_hazard),
             (QCoreApplication.translate("HazardsPage", "从 Excel 导入…"), "hintImportHazards",
              self.import_hazards)],
            filtered=lambda: self.shown is not None or not self.filters.is_default(),
            filtered_text=QCoreApplication.translate(
                "HazardsPage", "没有符合条件的隐患。点“清除筛选”或改变搜索词再看。"))
        self.table.loaded.connect(self.empty_hint.update_shown)
        self._show_banner()
        self.filters.changed.connect(self._filters_changed)
        self.table.loaded.connect(self._show_count)
        self.table.fetch_failed.connect(self.error.show_message)
        self.new_button.clicked.connect(self.new_hazard)
        self.export_button.clicked.connect(self.export_view)
        self.show_all.clicked.connect(self.filters.clear)
        state.actor_changed.connect(lambda _a: self.new_button.setEnabled(state.can("hazard.record")))

    # aliases the tests and the main window use
    @property
    def model(self) -> LazyTableModel[RegisterRow]:
        return self.table.model_

    @property
    def search(self) -> Any:
        return self.filters.search

    @property
    def sort_key(self) -> str:
        return self.table.sort_key

    @property
    def descending(self) -> bool:
        return self.table.descending

    def wants(self, changes: Changes) -> bool:
        return changes.hazards or changes.projects

    def on_changed(self, changes: Changes) -> None:
        if changes.projects:  # a project made or renamed since: the filter's list follows
            self._choices_stale = True
        touched = changes.ids.get("hazards", set())
        if self._active and touched and not changes.projects and self.shown is None:
            self.table.refresh_rows(touched)  # only those rows, the scroll position stays
        else:
            super().on_changed(changes)

    def refresh(self) -> None:
        self.error.show_message("")
        self.filters.load_choices(force=self._choices_stale)
        self._choices_stale = False
        if self.saved_filter is not None:  # the filters of the last run, now the choices exist
            saved, self.saved_filter = self.saved_filter, None
            if saved != RegisterFilter():
                self.filters.set_filter(saved)  # its `changed` loads the table
                return
        if self.shown is not None:
            self.table.show_ids(self.shown[0])
        else:
            self.table.set_filter(self.filters.current())

    def _filters_changed(self) -> None:
        self.shown = None
        self._show_banner()
        self.reload_when_shown()

    def show_filter(self, flt: RegisterFilter) -> None:
        """Show the register with this filter (from the dashboard)."""
        self.saved_filter = None
        self.filters.load_choices()
        self.filters.set_filter(flt)

    def show_ids(self, ids: Sequence[int], caption: str = "") -> None:
        """Show exactly these hazards (e.g. level 1 not yet reported) until a filter changes."""
        self.saved_filter = None
        self.shown = (list(ids), caption)
        self._show_banner()
        self.reload_when_shown()

    def _show_banner(self) -> None:
        if self.shown is not None:
            text = QCoreApplication.translate("HazardsPage", "仅显示：{what}（{n} 条）")
            self.banner.setText(text.format(what=self.shown[1], n=len(self.shown[0])))
        self.banner.setVisible(self.shown is not None)
        self.show_all.setVisible(self.shown is not None)

    def _show_count(self) -> None:
        self.count_label.setText(self.table.count_text())

    def focus_search(self) -> None:
        self.filters.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filters.search.selectAll()

    def new_hazard(self) -> None:
        project = self.filters.current().project_id
        dialogs.run(HazardDialog(self.state, project_id=project, parent=self))

    def export_view(self) -> Task | None:
        """Write the view on screen (filter, search, sort) to an Excel workbook on a worker."""
        path = choose_export_path(self)
        if not path:
            return None
        ids, caption = self.shown if self.shown is not None else (None, "")
        # imported on first export: it loads ReportLab and openpyxl (~0.5 s of start-up)
        from desktop.services.exchange import register_export

        return run_service(
            self, self.state, register_export.export_view, self.table.filter, write=False,
            actor=self.state.actor, path=path, ids=ids, caption=caption,
            sort=self.table.sort_key, descending=self.table.descending,
            label=QCoreApplication.translate("HazardsPage", "正在导出隐患台账…"),
            on_result=self._exported)

    def _exported(self, result: ExportResult) -> None:
        text = QCoreApplication.translate("HazardsPage", "已导出 {n} 条隐患到：\n{path}")
        dialogs.inform(self, QCoreApplication.translate("HazardsPage", "导出完成"),
                       text.format(n=f"{result.rows:,}", path=result.path))

    def import_hazards(self) -> None:
        from desktop.ui import exchange_dialogs  # the import stack loads on first use

        exchange_dialogs.import_excel(self, self.state, "hazards")

    def save_state(self, settings: QSettings) -> None:
        self.table.save_layout(settings)
        settings.setValue("filters", filter_memory.dump(self.filters.current()))

    def restore_state(self, settings: QSettings) -> None:
        self.table.restore_layout(settings)
        self.saved_filter = filter_memory.load(settings.value("filters"))


def choose_export_path(parent: QWidget | None) -> str:
    """The save dialog (a seam: tests replace it); "" when cancelled."""
    name = QCoreApplication.translate("HazardsPage", "隐患台账 {date}.xlsx").format(
        date=clock.today().isoformat())
    path = file_dialogs.save_file(
        parent, QCoreApplication.translate("HazardsPage", "导出当前视图"), name,
        QCoreApplication.translate("HazardsPage", "Excel 工作簿 (*.xlsx)"))
    if path and not path.lower().endswith(".xlsx"):
        path += ".xlsx"
    return path
