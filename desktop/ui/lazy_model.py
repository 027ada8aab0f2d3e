"""A table model over a million rows: an array of ids plus an LRU cache of fetched row pages."""

from __future__ import annotations

import datetime as dt
import logging
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor

from desktop.db import DataError
from desktop.ui.i18n import error_text
from desktop.vocabulary import HAZARD_LEVEL_COLOURS

log = logging.getLogger("desktop.ui")
R = TypeVar("R")
E = TypeVar("E", bound=IntEnum)  # a model's column enum
Index = QModelIndex | QPersistentModelIndex
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter
ID_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's database id
ROW_ROLE = Qt.ItemDataRole.UserRole + 2  # the row dataclass itself


def tint(colour: str, strength: float = 0.18) -> QColor:
    """A light background made by blending a level colour into white."""
    base = QColor(colour)
    mix = [round(255 + (c - 255) * strength) for c in (base.red(), base.green(), base.blue())]
    return QColor(*mix)


LEVEL_TINTS = {level: tint(colour) for level, colour in HAZARD_LEVEL_COLOURS.items()}


class IdSource(Protocol):
    """Ids read in pages as the view needs them: services.register.IdLoader has this shape."""

    ids: array[int]
    total: int
    total_known: bool

    @property
    def complete(self) -> bool: ...

    def ensure(self, n: int) -> None: ...


@dataclass(frozen=True)
class Column(Generic[R]):
    """How one column shows a row: header source text, value, alignment, sort key for SQL."""

    header: str  # Simplified Chinese source text, translated in the "Columns" context
    value: Callable[[R], Any]
    align: Qt.AlignmentFlag = LEFT
    sort_key: str | None = None  # what the page's sort callback receives; None: not sortable


def own_id(row: Any) -> int:
    """A model's row id by default: the row's `id` (rows without one come with a row_id)."""
    row_id: int = row.id
    return row_id


def display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        if value:
            return QCoreApplication.translate("Columns", "是")
        return QCoreApplication.translate("Columns", "否")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


class LazyTableModel(QAbstractTableModel, Generic[R]):
    """Rows are ids; row data is fetched a page at a time through `fetch_rows(ids)`.

    The ids come whole (`set_ids`) or from a loader that reads them as the view scrolls
    (`set_source`). `fetch_rows` wraps a service call and returns the rows for those ids
    (any order; ids that vanished are simply missing). Sorting and filtering are the page's
    job in SQL: the model only forwards sort requests to `on_sort(column, order)`.
    """

    fetch_failed = Signal(str)  # a DataError message, once per failing page

    def __init__(self, columns: type[E], specs: Mapping[E, Column[R]], *,
                 fetch_rows: Callable[[Sequence[int]], Iterable[R]],
                 row_id: Callable[[R], int] = own_id,
                 level_of: Callable[[R], int | None] | None = None,
                 on_sort: Callable[[IntEnum, Qt.SortOrder], None] | None = None,
                 page_size: int = 200, cache_pages: int = 20, parent: Any = None) -> None:
        super().__init__(parent)
        missing = [c.name for c in columns if c not in specs]
        if missing:
            raise ValueError(f"columns without a spec: {missing}")
        self.columns = columns
        self._specs = [specs[c] for c in sorted(columns)]
        self._fetch_rows = fetch_rows
        self._row_id = row_id
        self._level_of = level_of
        self._on_sort = on_sort
        self._page_size = page_size
        self._cache_pages = cache_pages
        self._ids: array[int] = array("q")
        self._rows = 0  # what rowCount() reports; with a source it may run ahead of the ids
        self._source: IdSource | None = None
        self._pages: OrderedDict[int, list[R | None]] = OrderedDict()

    # -- ids and cache ------------------------------------------------------------------

    def set_ids(self, ids: Iterable[int]) -> None:
        """Show exactly these ids, in this order."""
        self.beginResetModel()
        self._source = None
        self._ids = ids if isinstance(ids, array) else array("q", ids)
        self._rows = len(self._ids)
        self._pages.clear()
        self.endResetModel()

    def set_source(self, source: IdSource) -> None:
        """Show ids that a loader reads page by page (e.g. services.register.IdLoader)."""
        self.beginResetModel()
        self._source = source
        self._ids = source.ids  # the loader extends this array in place
        self._rows = source.total if source.total_known else len(source.ids)
        self._pages.clear()
        self.endResetModel()

    def source_counted(self) -> None:
        """The source has learnt its total: the rows not yet read join the view (they paint
        blank until their ids arrive), so the scroll bar shows the whole list."""
        source = self._source
        if source is None or not source.total_known or source.total <= self._rows:
            return
        self.beginInsertRows(QModelIndex(), self._rows, source.total - 1)
        self._rows = source.total
        self.endInsertRows()

    @property
    def total_known(self) -> bool:
        return self._source is None or self._source.total_known

    def id_at(self, row: int) -> int:
        self._ensure(row + 1)
        return self._ids[row]

    def row_of(self, row_id: int) -> int:
        """The model row showing this id, or -1 (linear: for a handful of lookups)."""
        try:
            return self._ids.index(row_id)
        except ValueError:
            return -1

    def row_at(self, row: int) -> R | None:
        if not 0 <= row < self._rows:
            return None
        page_no, offset = divmod(row, self._page_size)
        page = self._pages.get(page_no)
        if page is None:
            page = self._load_page(page_no)
        else:
            self._pages.move_to_end(page_no)
        return page[offset] if offset < len(page) else None

    def _ensure(self, count: int) -> None:
        """Have the source read ids up to `count`; a count that proved wrong is put right."""
        source = self._source
        if source is None or len(self._ids) >= count or source.complete:
            return
        source.ensure(count)
        if source.complete and source.total_known and len(self._ids) != self._rows:
            # rows were added or removed since the count: fix the row count after this paint
            QTimer.singleShot(0, self, self._resync)

    def _resync(self) -> None:
        actual = len(self._ids)
        if actual < self._rows:
            self.beginRemoveRows(QModelIndex(), actual, self._rows - 1)
            self._rows = actual
            self.endRemoveRows()
        elif actual > self._rows:
            self.beginInsertRows(QModelIndex(), self._rows, actual - 1)
            self._rows = actual
            self.endInsertRows()

    def _load_page(self, page_no: int) -> list[R | None]:
        start = page_no * self._page_size
        end = min(start + self._page_size, self._rows)
        try:
            self._ensure(end)
            ids = self._ids[start:end].tolist()
            by_id = {self._row_id(r): r for r in self._fetch_rows(ids)}
        except DataError as exc:
            log.warning("could not fetch rows %s..: %s", start, exc.message)
            self.fetch_failed.emit(error_text(exc))
            return [None] * (end - start)  # not cached: the next paint tries again
        page = [by_id.get(i) for i in ids]
        self._pages[page_no] = page
        while len(self._pages) > self._cache_pages:
            self._pages.popitem(last=False)
        return page

    def invalidate(self, ids: Iterable[int] | None = None) -> None:
        """Forget cached rows (all, or the pages holding `ids`) and repaint them."""
        columns = len(self._specs) - 1
        if ids is None:
            self._pages.clear()
            if self._rows:
                self.dataChanged.emit(self.index(0, 0), self.index(self._rows - 1, columns))
            return
        wanted = set(ids)
        for page_no in list(self._pages):
            start = page_no * self._page_size
            if wanted.intersection(self._ids[start:start + self._page_size]):
                del self._pages[page_no]
                last = min(start + self._page_size, self._rows) - 1
                self.dataChanged.emit(self.index(start, 0), self.index(last, columns))

    # -- Qt model interface -------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._rows

    def canFetchMore(self, parent: Index) -> bool:
        # only a source whose total is unknown (a short search) grows as the view scrolls
        source = self._source
        return not parent.isValid() and source is not None and not source.total_known \
            and not source.complete

    def fetchMore(self, parent: Index) -> None:
        source = self._source
        if source is None or not self.canFetchMore(parent):
            return
        before = len(self._ids)
        try:
            source.ensure(before + self._page_size)
        except DataError as exc:
            self.fetch_failed.emit(error_text(exc))
            return
        if len(self._ids) > self._rows:
            self.beginInsertRows(QModelIndex(), self._rows, len(self._ids) - 1)
            self._rows = len(self._ids)
            self.endInsertRows()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._specs)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._specs):
            if role == Qt.ItemDataRole.DisplayRole:
                return QCoreApplication.translate("Columns", self._specs[section].header)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(self._specs[section].align)
        elif orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.column() < len(self._specs):
            return None
        if role == ID_ROLE:
            return self.id_at(index.row())
        handler = _ROLE_HANDLERS.get(role)
        if handler is None:
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        return handler(self, row, self._specs[index.column()])

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flag = Qt.ItemFlag
        return flag.ItemIsEnabled | flag.ItemIsSelectable | flag.ItemNeverHasChildren

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if self._on_sort is None or not 0 <= column < len(self._specs):
            return
        if self._specs[column].sort_key is None:
            return
        self._on_sort(self.columns(column), order)

    def sort_key(self, column: IntEnum) -> str | None:
        return self._specs[int(column)].sort_key

    # -- roles --------------------------------------------------------------------------

    def _display(self, row: R, spec: Column[R]) -> str:
        return display(spec.value(row))

    def _align(self, _row: R, spec: Column[R]) -> int:
        return int(spec.align)

    def _background(self, row: R, _spec: Column[R]) -> QColor | None:
        if self._level_of is None:
            return None
        return LEVEL_TINTS.get(self._level_of(row) or 0)

    def _row(self, row: R, _spec: Column[R]) -> R:
        return row


_ROLE_HANDLERS: dict[int, Callable[[LazyTableModel[Any], Any, Column[Any]], Any]] = {
    Qt.ItemDataRole.DisplayRole: LazyTableModel._display,
    Qt.ItemDataRole.ToolTipRole: LazyTableModel._display,
    Qt.ItemDataRole.TextAlignmentRole: LazyTableModel._align,
    Qt.ItemDataRole.BackgroundRole: LazyTableModel._background,
    ROW_ROLE: LazyTableModel._row,
}
