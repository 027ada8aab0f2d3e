"""The 回收站: deleted records, restored by whoever may edit them, purged only by an administrator."""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.services import recycle
from desktop.services.context import Changes
from desktop.services.recycle import BinRow
from desktop.ui import dialogs
from desktop.ui.app_state import AppState
from desktop.ui.history_panel import RowsModel, show_history, table_view
from desktop.ui.i18n import service_text
from desktop.ui.lazy_model import Column
from desktop.ui.translatable import QT_TRANSLATE_NOOP

# what a restore or purge changes, so the pages showing that kind of record reload
CHANGE_KIND = {
    "projects": "projects", "hazards": "hazards", "inspections": "inspections",
    "organisations": "projects", "risk_sources": "projects", "training_sessions": "training",
    "drills": "training", "archive_items": "archive", "documents": "documents",
}


def kind_text(row: BinRow) -> str:
    """The record's kind (项目, 隐患 …) in the interface language, capitalised for English."""
    text = service_text(row.kind_label)
    return text[:1].upper() + text[1:]


class BinColumn(IntEnum):
    KIND = 0
    TITLE = 1
    DELETED_AT = 2


BIN_COLUMNS: dict[BinColumn, Column[BinRow]] = {
    BinColumn.KIND: Column(QT_TRANSLATE_NOOP("Columns", "类别"), kind_text),
    BinColumn.TITLE: Column(QT_TRANSLATE_NOOP("Columns", "名称/编号"), lambda r: r.title),
    BinColumn.DELETED_AT: Column(QT_TRANSLATE_NOOP("Columns", "删除时间"),
                                 lambda r: r.deleted_at),  # agency time already
}


def changes_for(row: BinRow) -> Changes:
    return Changes().touch(CHANGE_KIND.get(row.entity, "settings"), row.entity_id)


class RecycleBin(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.model: RowsModel[BinRow] = RowsModel(BinColumn, BIN_COLUMNS, self)
        self.table = table_view(self.model, stretch=BinColumn.TITLE)
        self.table.setObjectName("recycleTable")
        self.table.setMinimumHeight(200)
        self.empty = QLabel(QCoreApplication.translate("RecycleBin", "回收站是空的。"))
        self.restore_button = QPushButton(QCoreApplication.translate("RecycleBin", "恢复"))
        self.purge_button = QPushButton(QCoreApplication.translate("RecycleBin", "彻底删除…"))
        self.history_button = QPushButton(QCoreApplication.translate("RecycleBin", "变更历史…"))
        self.refresh_button = QPushButton(QCoreApplication.translate("RecycleBin", "刷新"))
        if not state.can("recycle.purge"):
            self.purge_button.setToolTip(
                QCoreApplication.translate("RecycleBin", "只有系统管理员可以彻底删除。"))
        self.restore_button.clicked.connect(self.restore)
        self.purge_button.clicked.connect(self.purge)
        self.history_button.clicked.connect(self.show_history)
        self.refresh_button.clicked.connect(self.refresh)
        buttons = QHBoxLayout()
        for button in (self.restore_button, self.purge_button, self.history_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        note = QLabel(QCoreApplication.translate(
            "RecycleBin", "删除的记录先放在回收站，可以恢复；已签发的文书和保存期内的档案不能彻底删除。"))
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def refresh(self) -> None:
        chosen = self.selected()
        rows = self.state.read(recycle.list_bin, self.state.actor)
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        self.table.resizeColumnsToContents()
        if chosen is not None:
            for n, row in enumerate(rows):
                if (row.entity, row.entity_id) == (chosen.entity, chosen.entity_id):
                    self.table.selectRow(n)
        self._update_buttons()

    def selected(self) -> BinRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select(self, entity: str, entity_id: int) -> bool:
        for n, row in enumerate(self.model.rows()):
            if (row.entity, row.entity_id) == (entity, entity_id):
                self.table.selectRow(n)
                return True
        return False

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.restore_button.setEnabled(chosen)
        self.history_button.setEnabled(chosen)
        self.purge_button.setEnabled(chosen and self.state.can("recycle.purge"))

    def _call(self, fn: Callable[..., None], row: BinRow) -> bool:
        """`fn(session, actor, entity, entity_id)`: recycle.restore or recycle.purge."""
        try:
            self.state.write(fn, row.entity, row.entity_id, changes=changes_for(row))
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
            return False
        finally:
            self.refresh()
        return True

    def restore(self) -> None:
        row = self.selected()
        if row is None:
            return
        if self._call(recycle.restore, row):
            dialogs.inform(self, QCoreApplication.translate("RecycleBin", "已恢复"),
                           QCoreApplication.translate("RecycleBin", "{kind}“{title}”已恢复。")
                           .format(kind=kind_text(row), title=row.title))

    def purge(self) -> None:
        row = self.selected()
        if row is None:
            return
        question = QCoreApplication.translate(
            "RecycleBin", "彻底删除{kind}“{title}”及只属于它的附件和记录？此操作不能撤销。"
        ).format(kind=service_text(row.kind_label), title=row.title)
        if not dialogs.ask(self, QCoreApplication.translate("RecycleBin", "彻底删除"), question):
            return
        self._call(recycle.purge, row)

    def show_history(self) -> None:
        row = self.selected()
        if row is not None:
            show_history(self, self.state, row.entity, row.entity_id,
                         title=f"{kind_text(row)} {row.title}")
