"""Ctrl+C on any table copies the selected rows as tab-separated text that pastes into Excel or
WPS as cells (Qt's own Ctrl+C copies the current cell only). `install(view)` is called where
every table view of the app is made (plain_table, table_view, the register's HazardTable...)."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView

V = TypeVar("V", bound=QAbstractItemView)
FORMULA_START = ("=",)  # text a spreadsheet would take for a formula on paste


def cell_text(value: object) -> str:
    """One cell as spreadsheet paste text: tabs become spaces, text with a line break or a quote
    is quoted (as Excel itself copies it), text starting with "=" is kept text with a leading
    apostrophe (Excel and WPS hide it and do not compute the cell)."""
    text = "" if value is None else str(value)
    text = text.replace("\t", " ")
    if text.startswith(FORMULA_START):
        text = "'" + text
    if any(c in text for c in '\n\r"'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def selected_text(view: QAbstractItemView) -> str:
    """The selected rows' visible columns in the order shown, a line a row; "" for none."""
    model, selection = view.model(), view.selectionModel()
    if model is None or selection is None:
        return ""
    rows = sorted({i.row() for i in selection.selectedIndexes() if not i.parent().isValid()})
    if not rows and view.currentIndex().isValid():
        rows = [view.currentIndex().row()]
    header = getattr(view, "horizontalHeader", None)
    columns = list(range(model.columnCount()))
    if header is not None:
        h = header()
        columns = sorted((c for c in columns if not h.isSectionHidden(c)), key=h.visualIndex)
    lines = ["\t".join(cell_text(model.index(r, c).data(Qt.ItemDataRole.DisplayRole))
                       for c in columns) for r in rows]
    return "\r\n".join(lines) + ("\r\n" if lines else "")


def copy_rows(view: QAbstractItemView) -> bool:
    """Put the selected rows on the clipboard; False when nothing is selected."""
    text = selected_text(view)
    if not text:
        return False
    QGuiApplication.clipboard().setText(text)
    return True


class _CopyKey(QObject):
    """Takes Ctrl+C (the platform's copy key) before the view's own handling."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            key = event  # a QKeyEvent for both types
            if isinstance(key, QKeyEvent) and key.matches(QKeySequence.StandardKey.Copy):
                if event.type() == QEvent.Type.ShortcutOverride:
                    event.accept()  # the key comes to the view, not to a menu's shortcut
                    return True
                if isinstance(watched, QAbstractItemView):
                    copy_rows(watched)
                return True
        return False


def install(view: V) -> V:
    """Ctrl+C copies the view's selected rows; returns the view."""
    view.installEventFilter(_CopyKey(view))
    return view
