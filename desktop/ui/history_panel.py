"""A record's history (who, when, what, field before → after), as a panel or a dialog."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop import clock
from desktop.services.queries import history
from desktop.services.queries.history import HistoryRow
from desktop.ui import dialogs, table_copy
from desktop.ui.app_state import AppState
from desktop.ui.i18n import service_text
from desktop.ui.lazy_model import ROW_ROLE, Column, E, display
from desktop.ui.row_sort import sorted_rows
from desktop.ui.translatable import QT_TRANSLATE_NOOP

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel, Generic[R]):
    """A short list of frozen rows held whole in memory (history, recycle bin, import problems)."""

    def __init__(self, columns: type[E], specs: Mapping[E, Column[R]],
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._specs = [specs[c] for c in sorted(columns)]
        self._rows: list[R] = []
        self._order: tuple[int, Qt.SortOrder] | None = None  # the column the user sorted by

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        if self._order is not None:
            column, order = self._order
            self._rows = sorted_rows(self._rows, self._specs[column].value,
                                     descending=order == Qt.SortOrder.DescendingOrder)
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Any column, on the header's click; the service's order until then (column -1)."""
        if not 0 <= column < len(self._specs):
            self._order = None
            return
        self._order = (column, order)
        self.layoutAboutToBeChanged.emit()
        before = self._rows
        self._rows = sorted_rows(before, self._specs[column].value,
                                 descending=order == Qt.SortOrder.DescendingOrder)
        where = {id(r): n for n, r in enumerate(self._rows)}
        old = self.persistentIndexList()
        self.changePersistentIndexList(
            old, [self.index(where[id(before[i.row()])], i.column()) for i in old])
        self.layoutChanged.emit()

    def row_at(self, row: int) -> R | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rows(self) -> list[R]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._specs)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self._specs)):
            return QCoreApplication.translate("Columns", self._specs[section].header)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.column() < len(self._specs):
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        spec = self._specs[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return display(spec.value(row))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(spec.align)
        if role == ROW_ROLE:
            return row
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flag = Qt.ItemFlag
        return flag.ItemIsEnabled | flag.ItemIsSelectable | flag.ItemNeverHasChildren


def table_view(model: QAbstractTableModel, *, stretch: int | None = None) -> QTableView:
    """A read-only, row-selecting table as every list in these panels uses it."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    # several rows may be selected: Ctrl+C copies them all
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.setWordWrap(False)
    # a click on any header sorts; until then the rows keep the order the service gave
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSortingEnabled(True)
    table_copy.install(view)
    if stretch is not None:
        view.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


def local_time(moment: dt.datetime) -> dt.datetime:
    """Audit times are stored in UTC; people read them in the agency's time zone."""
    return clock.to_local(moment).replace(tzinfo=None)


def show_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@dataclass(frozen=True)
class HistoryLine:
    """One field change of one audit entry; an entry without field changes is one line."""

    at: dt.datetime
    user: str
    action: str
    field: str
    before: str
    after: str
    note: str


def action_text(row: HistoryRow) -> str:
    """The entry's action in the interface language, capitalised (English) for the column."""
    text = service_text(row.action_label)
    return text[:1].upper() + text[1:]


def history_lines(rows: Sequence[HistoryRow]) -> list[HistoryLine]:
    lines: list[HistoryLine] = []
    for row in rows:
        at = local_time(row.at)
        if not row.changes:
            lines.append(HistoryLine(at, row.user, action_text(row), "", "", "", row.note))
        for n, change in enumerate(row.changes):
            lines.append(HistoryLine(at, row.user, action_text(row), change.field,
                                     show_value(change.before), show_value(change.after),
                                     row.note if n == 0 else ""))
    return lines


class HistoryColumn(IntEnum):
    AT = 0
    USER = 1
    ACTION = 2
    FIELD = 3
    BEFORE = 4
    AFTER = 5
    NOTE = 6


HISTORY_COLUMNS: dict[HistoryColumn, Column[HistoryLine]] = {
    HistoryColumn.AT: Column(QT_TRANSLATE_NOOP("Columns", "时间"), lambda r: r.at),
    HistoryColumn.USER: Column(QT_TRANSLATE_NOOP("Columns", "操作人"), lambda r: r.user),
    HistoryColumn.ACTION: Column(QT_TRANSLATE_NOOP("Columns", "操作"), lambda r: r.action),
    HistoryColumn.FIELD: Column(QT_TRANSLATE_NOOP("Columns", "字段"), lambda r: r.field),
    HistoryColumn.BEFORE: Column(QT_TRANSLATE_NOOP("Columns", "原值"), lambda r: r.before),
    HistoryColumn.AFTER: Column(QT_TRANSLATE_NOOP("Columns", "新值"), lambda r: r.after),
    HistoryColumn.NOTE: Column(QT_TRANSLATE_NOOP("Columns", "备注"), lambda r: r.note),
}


class HistoryPanel(QWidget):
    """The history of one record, newest first. `load(entity, entity_id)` fills it."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.entity, self.entity_id = "", 0
        self.model: RowsModel[HistoryLine] = RowsModel(HistoryColumn, HISTORY_COLUMNS, self)
        self.table = table_view(self.model, stretch=HistoryColumn.NOTE)
        self.table.setObjectName("historyTable")
        self.empty = QLabel(QCoreApplication.translate("HistoryPanel", "该记录还没有变更历史。"))
        self.empty.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)

    def load(self, entity: str, entity_id: int) -> None:
        self.entity, self.entity_id = entity, entity_id
        self.refresh()

    def refresh(self) -> None:
        if not self.entity:
            return
        rows = self.state.read(history.history, self.state.actor, self.entity, self.entity_id)
        self.model.set_rows(history_lines(rows))
        self.empty.setVisible(not rows)
        self.table.resizeColumnsToContents()

    def lines(self) -> list[HistoryLine]:
        return self.model.rows()


class HistoryDialog(QDialog):
    def __init__(self, state: AppState, entity: str, entity_id: int,
                 parent: QWidget | None = None, *, title: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title or QCoreApplication.translate("HistoryPanel", "变更历史"))
        self.panel = HistoryPanel(state, self)
        self.panel.load(entity, entity_id)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        layout.addWidget(buttons)
        self.resize(900, 480)


def show_history(parent: QWidget | None, state: AppState, entity: str, entity_id: int, *,
                 title: str = "") -> None:
    """Show the history of one record (entity is its table name, e.g. "hazards") in a dialog.

    A failure to read it (database locked, no permission) is told to the user, not raised.
    """
    try:
        dialog = HistoryDialog(state, entity, entity_id, parent, title=title)
    except dialogs.USER_ERRORS as exc:
        dialogs.show_error(parent, exc)
        return
    dialogs.run(dialog)

