"""The 档案 page (N-15): the ledger filtered in SQL (project, status, retention ending or ended),
items added and corrected, and destruction: request → the insurer's written approval with its
scan → destruction; the catalogue and the destruction approval form printed as document drafts."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import ArchiveStatus
from desktop.services.archive import ArchiveRow, RequestRow
from desktop.services.context import Changes, now
from desktop.services.queries import archive_view
from desktop.services.queries.archive_view import ArchiveFilter, ProjectChoice
from desktop.ui import dialogs, i18n
from desktop.ui.app_state import AppState
from desktop.ui.archive_dialogs import (
    MEDIUM_TEXT,
    ApprovalDialog,
    DestroyDialog,
    ItemDialog,
    RejectDialog,
    RequestDialog,
)
from desktop.ui.catalogue_picker import MemoryTableModel
from desktop.ui.lazy_model import CENTER, RIGHT, ROW_ROLE, Column, LazyTableModel
from desktop.ui.pages.base import Page
from desktop.ui.project_dialog import plain_table
from desktop.ui.training_dialogs import button, compact, draft_document, project_combo
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.widgets import ErrorLabel, Heading, widget_as

SEARCH_DELAY_MS = 400
PAST, SOON, GONE = QColor("#c62828"), QColor("#e65100"), QColor("#9e9e9e")
REQUEST_TEXT = {"requested": QT_TRANSLATE_NOOP("ArchivePage", "待承保机构审批"),
                "approved": QT_TRANSLATE_NOOP("ArchivePage", "已批准"),
                "rejected": QT_TRANSLATE_NOOP("ArchivePage", "已驳回"),
                "done": QT_TRANSLATE_NOOP("ArchivePage", "已销毁")}
DUE_TEXT = {"": QT_TRANSLATE_NOOP("ArchivePage", "全部保存期限"),
            "due_soon": QT_TRANSLATE_NOOP("ArchivePage", "90 天内到期"),
            "past": QT_TRANSLATE_NOOP("ArchivePage", "已过保存期限")}


def _tr(text: str) -> str:
    return QCoreApplication.translate("ArchivePage", text)


def medium_text(row: ArchiveRow) -> str:
    return QCoreApplication.translate("ArchiveDialogs", MEDIUM_TEXT.get(row.medium, row.medium))


def retention_text(row: ArchiveRow) -> Any:
    return row.retention_until or _tr(QT_TRANSLATE_NOOP("ArchivePage", "未竣工"))


class ItemColumn(IntEnum):
    PROJECT, TITLE, TYPE, MEDIUM, PAGES, BOX, SHELF, FILED, RETENTION, STATUS = range(10)


ITEM_COLUMNS: dict[ItemColumn, Column[ArchiveRow]] = {
    ItemColumn.PROJECT: Column(QT_TRANSLATE_NOOP("Columns", "项目"), lambda r: r.project_name,
                               sort_key="project"),
    ItemColumn.TITLE: Column(QT_TRANSLATE_NOOP("Columns", "题名"), lambda r: r.title,
                             sort_key="title"),
    ItemColumn.TYPE: Column(QT_TRANSLATE_NOOP("Columns", "类别"), lambda r: r.doc_type),
    ItemColumn.MEDIUM: Column(QT_TRANSLATE_NOOP("Columns", "载体"), medium_text, CENTER),
    ItemColumn.PAGES: Column(QT_TRANSLATE_NOOP("Columns", "页数"), lambda r: r.pages, RIGHT),
    ItemColumn.BOX: Column(QT_TRANSLATE_NOOP("Columns", "盒号"), lambda r: r.box, sort_key="box"),
    ItemColumn.SHELF: Column(QT_TRANSLATE_NOOP("Columns", "存放位置"), lambda r: r.shelf),
    ItemColumn.FILED: Column(QT_TRANSLATE_NOOP("Columns", "归档日期"), lambda r: r.filed_at,
                             CENTER, sort_key="filed_at"),
    ItemColumn.RETENTION: Column(QT_TRANSLATE_NOOP("Columns", "保存期限至"), retention_text,
                                 CENTER, sort_key="retention_until"),
    ItemColumn.STATUS: Column(QT_TRANSLATE_NOOP("Columns", "状态"),
                              lambda r: i18n.label(ArchiveStatus(r.status)), CENTER,
                              sort_key="status"),
}


class RequestColumn(IntEnum):
    NUMBER, REQUESTED, INSURER, ITEMS, STATUS = range(5)
    REQUESTER, APPROVER, REFERENCE, APPROVED, DESTROYED = range(5, 10)


REQUEST_COLUMNS: dict[RequestColumn, Column[RequestRow]] = {
    RequestColumn.NUMBER: Column(QT_TRANSLATE_NOOP("Columns", "申请号"), lambda r: r.id, RIGHT),
    RequestColumn.REQUESTED: Column(QT_TRANSLATE_NOOP("Columns", "申请时间"),
                                    lambda r: r.requested_at, CENTER),
    RequestColumn.INSURER: Column(QT_TRANSLATE_NOOP("Columns", "承保机构"), lambda r: r.insurer_name),
    RequestColumn.ITEMS: Column(QT_TRANSLATE_NOOP("Columns", "件数"), lambda r: len(r.item_ids),
                                RIGHT),
    RequestColumn.STATUS: Column(QT_TRANSLATE_NOOP("Columns", "状态"),
                                 lambda r: _tr(REQUEST_TEXT.get(r.status, r.status)), CENTER),
    RequestColumn.REQUESTER: Column(QT_TRANSLATE_NOOP("Columns", "申请人"), lambda r: r.requested_by),
    RequestColumn.APPROVER: Column(QT_TRANSLATE_NOOP("Columns", "审批人"),
                                   lambda r: r.approved_by_name),
    RequestColumn.REFERENCE: Column(QT_TRANSLATE_NOOP("Columns", "批复文号"),
                                    lambda r: r.approval_ref),
    RequestColumn.APPROVED: Column(QT_TRANSLATE_NOOP("Columns", "审批时间"),
                                   lambda r: r.approved_at, CENTER),
    RequestColumn.DESTROYED: Column(QT_TRANSLATE_NOOP("Columns", "销毁时间"),
                                    lambda r: r.destroyed_at, CENTER),
}


class LedgerTableModel(LazyTableModel[ArchiveRow]):
    """The ledger: retention ended in red, ending within 90 days in orange, destroyed items grey."""

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.ForegroundRole or not index.isValid():
            return super().data(index, role)
        row = self.row_at(index.row())
        if row is None:
            return None
        if row.status == ArchiveStatus.DESTROYED:
            return GONE
        left = row.days_left(now().date())
        if index.column() != ItemColumn.RETENTION or left is None \
                or row.status != ArchiveStatus.ACTIVE:
            return None
        return PAST if left <= 0 else SOON if left <= archive_view.DUE_DAYS else None


class ArchivePage(Page):
    key = "archive"
    title_source = QT_TRANSLATE_NOOP("Pages", "档案")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.choices: list[ProjectChoice] = []
        self.sort_key, self.descending = "project", False
        self.shown: tuple[list[int], str] | None = None  # exactly these items, and why
        self._filters()
        self.count_label = QLabel()
        self.count_label.setObjectName("archiveCount")
        self.banner = QLabel()
        self.banner.setStyleSheet("background: #fff8e1; padding: 4px 8px;")
        self.show_all = QPushButton(_tr(QT_TRANSLATE_NOOP("ArchivePage", "显示全部档案")))
        self.show_all.clicked.connect(lambda _c=False: self._filters_changed())
        self.error = ErrorLabel()
        self.ledger = LedgerTableModel(
            ItemColumn, ITEM_COLUMNS, on_sort=self._sort,
            fetch_rows=lambda ids: self.state.read(archive_view.rows_by_ids, ids))
        self.ledger.fetch_failed.connect(self.error.show_message)
        self.requests = MemoryTableModel(RequestColumn, REQUEST_COLUMNS)
        self.table = plain_table(self.ledger, "archiveTable")
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(ItemColumn.PROJECT,
                                                       Qt.SortOrder.AscendingOrder)
        self.table.activated.connect(lambda _i: self.edit_item())
        self.request_table = plain_table(self.requests, "requestTable")
        for table, widths in ((self.table, (180, 200, 80, 44, 48, 76, 120, 88, 88)),
                              (self.request_table, (56, 124, 200, 44, 100, 76, 76, 140, 124))):
            for column, width in enumerate(widths):
                table.setColumnWidth(column, width)
        self._buttons()
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("archiveSplitter")
        self._layout()
        state.actor_changed.connect(lambda _a: self._enable())
        self._enable()
        self._show_banner()

    def _filters(self) -> None:
        self.project = project_combo([], everything=_tr(QT_TRANSLATE_NOOP("ArchivePage", "全部项目")))
        self.project.setObjectName("archiveProject")
        compact(self.project, 14).setMinimumWidth(0)
        self.status = QComboBox()
        self.status.addItem(_tr(QT_TRANSLATE_NOOP("ArchivePage", "全部状态")), "")
        for status in ArchiveStatus:
            self.status.addItem(i18n.label(status), status.value)
        self.due = QComboBox()
        self.due.setObjectName("archiveDue")
        for value, text in DUE_TEXT.items():
            self.due.addItem(_tr(text), value)
        for combo in (self.status, self.due):
            compact(combo, 6)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_tr(QT_TRANSLATE_NOOP(
            "ArchivePage", "搜索题名、类别、盒号或存放位置")))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(140)
        self._typing = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._typing.timeout.connect(self.reload)
        self.search.textChanged.connect(self._typing.start)
        self.search.textChanged.connect(self._drop_shown)
        self.search.returnPressed.connect(self.reload)
        for combo in (self.project, self.status, self.due):
            combo.currentIndexChanged.connect(self._filters_changed)

    def _buttons(self) -> None:
        self.new_button = button(_tr(QT_TRANSLATE_NOOP("ArchivePage", "新增档案(&N)…")),
                                 self.new_item, "newItem")
        self.item_buttons = [
            button(_tr(QT_TRANSLATE_NOOP("ArchivePage", "修改(&E)…")), self.edit_item, "editItem"),
            button(_tr(QT_TRANSLATE_NOOP("ArchivePage", "申请销毁(&R)…")), self.request_destruction,
                   "requestDestruction"),
            button(_tr(QT_TRANSLATE_NOOP("ArchivePage", "登记销毁(&X)…")), self.destroy_selected,
                   "destroyItems"),
            button(_tr(QT_TRANSLATE_NOOP("ArchivePage", "打印档案目录(&P)")), self.print_catalogue,
                   "printCatalogue")]
        self.request_buttons = [
            button(_tr(QT_TRANSLATE_NOOP("ArchivePage", "登记批复(&A)…")), self.record_approval,
                   "recordApproval"),
            button(_tr(QT_TRANSLATE_NOOP("ArchivePage", "登记驳回(&J)…")), self.record_rejection,
                   "recordRejection"),
            button(_tr(QT_TRANSLATE_NOOP("ArchivePage", "按申请登记销毁(&D)…")),
                   self.destroy_request, "destroyRequest"),
            button(_tr(QT_TRANSLATE_NOOP("ArchivePage", "打印销毁审批表(&F)")), self.print_form,
                   "printForm")]

    def _section(self, title: str, buttons: list[QPushButton], table: QTableView) -> QWidget:
        box = QWidget()
        bar = QHBoxLayout()
        bar.addWidget(QLabel(f"<b>{title}</b>"))
        bar.addStretch(1)
        for widget in buttons:
            bar.addWidget(widget)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(table, 1)
        return box

    def _layout(self) -> None:
        head = QHBoxLayout()
        head.addWidget(Heading(self.title()))
        head.addStretch(1)
        head.addWidget(self.new_button)
        bar = QHBoxLayout()
        for widget in (self.project, self.status, self.due):
            bar.addWidget(widget)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.count_label)
        self.splitter.addWidget(self._section(
            _tr(QT_TRANSLATE_NOOP("ArchivePage", "档案台账")), self.item_buttons, self.table))
        self.splitter.addWidget(self._section(
            _tr(QT_TRANSLATE_NOOP("ArchivePage", "销毁申请")), self.request_buttons,
            self.request_table))
        self.request_table.setToolTip(_tr(QT_TRANSLATE_NOOP(
            "ArchivePage", "档案销毁须经承保机构书面批准：登记批复时上传批复扫描件后方可登记销毁。")))
        self.splitter.setSizes([420, 200])
        banner_row = QHBoxLayout()
        banner_row.addWidget(self.banner, 1)
        banner_row.addWidget(self.show_all)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(bar)
        layout.addLayout(banner_row)
        layout.addWidget(self.error)
        layout.addWidget(self.splitter, 1)

    def _enable(self) -> None:
        edit, destroy = self.state.can("archive.edit"), self.state.can("archive.destroy")
        draft = self.state.can("document.draft")
        for name, allowed in (("newItem", edit), ("editItem", edit), ("requestDestruction", edit),
                              ("destroyItems", destroy), ("printCatalogue", draft),
                              ("recordApproval", destroy), ("recordRejection", destroy),
                              ("destroyRequest", destroy), ("printForm", draft)):
            widget_as(self.findChild(QPushButton, name), QPushButton).setEnabled(allowed)

    # -- loading ----------------------------------------------------------------------------

    def wants(self, changes: Changes) -> bool:
        return changes.archive or changes.projects

    def current_filter(self) -> ArchiveFilter:
        return ArchiveFilter(self.project.currentData(), self.status.currentData(),
                             self.due.currentData(), self.search.text().strip())

    def refresh(self) -> None:
        self._typing.stop()
        self.error.show_message("")
        self._fill_projects()
        if self.shown is not None:
            ids = self.shown[0]
        else:
            ids = self.state.read(archive_view.item_ids, self.current_filter(), sort=self.sort_key,
                                  descending=self.descending)
        self.ledger.set_ids(ids)
        self._show_banner()
        self.requests.set_rows(self.state.read(archive_view.requests))
        counts = self.state.read(archive_view.counts)
        self.count_label.setText(_tr(QT_TRANSLATE_NOOP(
            "ArchivePage",
            "显示 {shown} 件（共 {total} 件；90 天内到期 {soon} 件，已过保存期限 {past} 件）")).format(
            shown=len(ids), total=counts.total, soon=counts.due_soon, past=counts.past))

    def _fill_projects(self) -> None:
        self.choices = self.state.read(archive_view.project_choices)
        chosen = self.project.currentData()
        self.project.blockSignals(True)
        while self.project.count() > 1:
            self.project.removeItem(1)
        for c in self.choices:
            self.project.addItem(f"{c.code} {c.name}", c.id)
        self.project.setCurrentIndex(max(0, self.project.findData(chosen)))
        self.project.blockSignals(False)

    def _sort(self, column: IntEnum, order: Qt.SortOrder) -> None:
        key = self.ledger.sort_key(column) or self.sort_key
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self.sort_key, self.descending):
            self.sort_key, self.descending = key, descending
            self.reload_when_shown()

    # -- reached from elsewhere: the dashboard's count, a project --------------------------------

    def show_ids(self, ids: Sequence[int], caption: str = "") -> None:
        """Show exactly these items (the dashboard's files due) until a filter changes."""
        self.shown = (list(ids), caption)
        self.reload_when_shown()

    def show_project(self, project_id: int | None) -> None:
        """The ledger of one project."""
        if not self.choices:
            self._fill_projects()
        self.project.blockSignals(True)
        self.project.setCurrentIndex(max(0, self.project.findData(project_id)))
        self.project.blockSignals(False)
        self._filters_changed()

    def _drop_shown(self) -> None:
        if self.shown is not None:
            self.shown = None
            self._show_banner()

    def _filters_changed(self) -> None:
        self._drop_shown()
        self.reload_when_shown()

    def _show_banner(self) -> None:
        if self.shown is not None:
            self.banner.setText(_tr(QT_TRANSLATE_NOOP("ArchivePage", "仅显示：{what}（{n} 件）")).format(
                what=self.shown[1], n=len(self.shown[0])))
        self.banner.setVisible(self.shown is not None)
        self.show_all.setVisible(self.shown is not None)

    # -- selection ----------------------------------------------------------------------------

    def selected_rows(self) -> list[ArchiveRow]:
        rows = [self.ledger.data(i, ROW_ROLE) for i in self.table.selectionModel().selectedRows()]
        return sorted((r for r in rows if r is not None), key=lambda r: r.id)

    def current_request(self) -> RequestRow | None:
        index = self.request_table.currentIndex()
        return self.requests.data(index, ROW_ROLE) if index.isValid() else None

    def _need(self, found: object, text: str) -> bool:
        if not found:
            dialogs.inform(self, _tr(QT_TRANSLATE_NOOP("ArchivePage", "请先选择")), text)
        return bool(found)

    # -- acting -------------------------------------------------------------------------------

    def new_item(self) -> None:
        dialogs.run(ItemDialog(self.state, self.choices, project_id=self.project.currentData(),
                               parent=self))

    def edit_item(self) -> None:
        rows = self.selected_rows()
        if self._need(rows, _tr(QT_TRANSLATE_NOOP("ArchivePage", "请在档案台账中选择要修改的档案。"))):
            dialogs.run(ItemDialog(self.state, self.choices, row=rows[0], parent=self))

    def request_destruction(self) -> None:
        rows = self.selected_rows()
        if self._need(rows, _tr(QT_TRANSLATE_NOOP(
                "ArchivePage", "请在档案台账中选择要申请销毁的档案（可按住 Ctrl 或 Shift 多选）。"))):
            dialogs.run(RequestDialog(self.state, rows, parent=self))

    def destroy_selected(self) -> None:
        rows = self.selected_rows()
        if self._need(rows, _tr(QT_TRANSLATE_NOOP("ArchivePage", "请在档案台账中选择已销毁的档案。"))):
            dialogs.run(DestroyDialog(self.state, rows, parent=self))

    def record_approval(self) -> None:
        request = self.current_request()
        if request is None:
            self._need(None, _tr(QT_TRANSLATE_NOOP("ArchivePage", "请在销毁申请中选择要登记批复的申请。")))
            return
        dialogs.run(ApprovalDialog(self.state, request, parent=self))

    def record_rejection(self) -> None:
        request = self.current_request()
        if request is None:
            self._need(None, _tr(QT_TRANSLATE_NOOP("ArchivePage", "请在销毁申请中选择被驳回的申请。")))
            return
        dialogs.run(RejectDialog(self.state, request, parent=self))

    def destroy_request(self) -> None:
        request = self.current_request()
        if request is None:
            self._need(None, _tr(QT_TRANSLATE_NOOP("ArchivePage", "请在销毁申请中选择已销毁的申请。")))
            return
        rows = self.state.read(archive_view.rows_by_ids, request.item_ids)
        pending = [r for r in rows if r.status != ArchiveStatus.DESTROYED] or rows
        dialogs.run(DestroyDialog(self.state, sorted(pending, key=lambda r: r.id), parent=self))

    def print_catalogue(self) -> None:
        rows = self.selected_rows()
        project_id = self.project.currentData() or (rows[0].project_id if rows else None)
        if self._need(project_id, _tr(QT_TRANSLATE_NOOP(
                "ArchivePage", "请先按项目筛选或选择一件档案，目录按项目打印。"))):
            draft_document(self, self.state, kind="archive_catalogue", scope_type="project",
                           scope_id=project_id)

    def print_form(self) -> None:
        request = self.current_request()
        if request is None:
            self._need(None, _tr(QT_TRANSLATE_NOOP("ArchivePage", "请在销毁申请中选择要打印审批表的申请。")))
            return
        draft_document(self, self.state, kind="destruction_form", scope_type="destruction_request",
                       scope_id=request.id)

    # -- layout memory ------------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("header", self.table.horizontalHeader().saveState())
        settings.setValue("requests/header", self.request_table.horizontalHeader().saveState())
        settings.setValue("splitter", self.splitter.saveState())

    def restore_state(self, settings: QSettings) -> None:
        for key, table in (("requests/header", self.request_table), ("header", self.table)):
            saved = settings.value(key)
            if saved is not None:
                table.horizontalHeader().restoreState(saved)
        splitter = settings.value("splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        header = self.table.horizontalHeader()
        section = header.sortIndicatorSection()
        if section in list(ItemColumn):
            self.sort_key = self.ledger.sort_key(ItemColumn(section)) or self.sort_key
            self.descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
