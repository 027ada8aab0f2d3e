"""The 标准目录 section of Settings: the loaded editions side by side; an administrator imports a
further edition (JSON or Excel) and marks an imported one as checked against the official text."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services import catalogues
from desktop.services.catalogues import CatalogueRow
from desktop.services.context import Changes
from desktop.services.exchange import catalogue_sheet, xlsx_guard
from desktop.ui import dialogs, i18n
from desktop.ui.app_state import AppState
from desktop.ui.catalogue_picker import MemoryTableModel
from desktop.ui.lazy_model import ROW_ROLE, Column
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.widgets import ErrorLabel

FILE_FILTER = "JSON / Excel (*.json *.xlsx *.xlsm)"


def choose_catalogue_file(parent: QWidget | None, title: str) -> str:
    """The edition file to import, or "" when cancelled (a seam: tests replace it)."""
    path, _ = QFileDialog.getOpenFileName(parent, title, "", FILE_FILTER)
    return path


class EditionColumn(IntEnum):
    KIND = 0
    TITLE = 1
    DOC_NO = 2
    IN_FORCE = 3
    ITEMS = 4
    CHECKED = 5


EDITION_COLUMNS: dict[EditionColumn, Column[CatalogueRow]] = {
    EditionColumn.KIND: Column(QT_TRANSLATE_NOOP("Columns", "类别"),
                               lambda r: i18n.service_text(r.kind_label)),
    EditionColumn.TITLE: Column(QT_TRANSLATE_NOOP("Columns", "名称"), lambda r: r.title),
    EditionColumn.DOC_NO: Column(QT_TRANSLATE_NOOP("Columns", "文号"), lambda r: r.doc_no),
    EditionColumn.IN_FORCE: Column(QT_TRANSLATE_NOOP("Columns", "施行日期"),
                                   lambda r: r.in_force.isoformat() if r.in_force else ""),
    EditionColumn.ITEMS: Column(QT_TRANSLATE_NOOP("Columns", "条目"), lambda r: str(r.items)),
    EditionColumn.CHECKED: Column(QT_TRANSLATE_NOOP("Columns", "核对"),
                                  lambda r: i18n.service_text(r.check_label)),
}


class CataloguePanel(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.model: MemoryTableModel[CatalogueRow] = MemoryTableModel(EditionColumn, EDITION_COLUMNS)
        self.table = QTableView()
        self.table.setObjectName("catalogueEditions")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        for column, width in ((EditionColumn.KIND, 130), (EditionColumn.TITLE, 380),
                              (EditionColumn.DOC_NO, 150), (EditionColumn.IN_FORCE, 90),
                              (EditionColumn.ITEMS, 50), (EditionColumn.CHECKED, 200)):
            self.table.setColumnWidth(column, width)
        hint = QLabel(QCoreApplication.translate(
            "CataloguePanel", "隐患按发现日期对照当时施行的版本；新版本由管理员从 JSON 或 Excel 文件导入"
            "（Excel：“版本信息”工作表填一行代码、类别、版本、名称、文号、施行日期、官方文本；"
            "条目工作表须有编号、内容两列，可有条款、类别、子项、默认等级、替代等列），"
            "导入后显示“未核对原文”，与官方原文逐条核对后再标记为已核对。"))
        hint.setWordWrap(True)
        self.import_button = QPushButton(QCoreApplication.translate("CataloguePanel", "导入新版本（JSON 或 Excel）…"))
        self.import_button.clicked.connect(self.import_edition)
        self.check_button = QPushButton(QCoreApplication.translate("CataloguePanel", "标记为已核对原文…"))
        self.check_button.clicked.connect(self.mark_checked)
        self.error = ErrorLabel()
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.check_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._enable())
        self.refresh()

    def refresh(self) -> None:
        self.model.set_rows(self.state.read(catalogues.list_catalogues))
        self._enable()

    def current(self) -> CatalogueRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.data(rows[0], ROW_ROLE) if rows else None

    def _enable(self) -> None:
        admin = self.state.can("settings.edit")
        self.import_button.setEnabled(admin)
        row = self.current()
        self.check_button.setEnabled(admin and row is not None and not row.text_checked)

    def import_edition(self) -> None:
        self.error.show_message("")
        path = choose_catalogue_file(
            self, QCoreApplication.translate("CataloguePanel", "选择标准目录文件"))
        if not path:
            return
        try:
            limits = xlsx_guard.Limits(int(self.state.config.get("import_max_mb")),
                                       int(self.state.config.get("import_max_rows")))
            result = self.state.write(catalogue_sheet.import_file, Path(path), limits=limits,
                                      changes=Changes(settings=True))
        except dialogs.USER_ERRORS as exc:
            self.error.show_message(i18n.error_text(exc))
            return
        self.refresh()
        dialogs.inform(self, QCoreApplication.translate("CataloguePanel", "已导入"),
                       QCoreApplication.translate(
                           "CataloguePanel", "已导入“{title}”（{items} 条）。与官方原文核对前显示为“未核对原文”。")
                       .format(title=result.title, items=result.items))

    def mark_checked(self) -> None:
        row = self.current()
        if row is None or row.text_checked:
            return
        question = QCoreApplication.translate(
            "CataloguePanel", "确认“{title}”的条文已与官方原文逐条核对一致？此操作记入审计记录。").format(title=row.title)
        if not dialogs.ask(self, QCoreApplication.translate("CataloguePanel", "核对原文"), question):
            return
        try:
            self.state.write(catalogues.mark_checked, row.id, changes=Changes(settings=True))
        except dialogs.USER_ERRORS as exc:
            self.error.show_message(i18n.error_text(exc))
            return
        self.refresh()
