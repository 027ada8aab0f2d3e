"""导入: read an Excel list, preview every problem by sheet/row/column, then import all or none."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.context import Changes
from desktop.services.exchange import importer
from desktop.services.exchange import xlsx_normalise as xn
from desktop.services.exchange.importer import (
    HIDDEN_ROWS_SHOWN,
    ImportRefused,
    ImportReport,
    Problem,
)
from desktop.services.exchange.xlsx_guard import SheetInfo
from desktop.ui import dialogs, file_dialogs
from desktop.ui.app_state import AppState
from desktop.ui.history_panel import RowsModel, table_view
from desktop.ui.i18n import join_list, service_text
from desktop.ui.lazy_model import CENTER, Column
from desktop.ui.tasks import Task, handle_failure, run_service, run_task
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.widgets import read_only

XLSX_FILTER = "Excel (*.xlsx *.xlsm)"
KINDS = {  # kind → label source, translated in the "ImportWizard" context
    "projects": QT_TRANSLATE_NOOP("ImportWizard", "项目及保单清单"),
    "hazards": QT_TRANSLATE_NOOP("ImportWizard", "隐患清单"),
}


def choose_open_file(parent: QWidget | None, title: str, filters: str) -> str:
    """The workbook to import, or "" when cancelled (a seam: tests replace it)."""
    return file_dialogs.open_file(parent, title, filters)


class ProblemColumn(IntEnum):
    SHEET = 0
    ROW = 1
    COLUMN = 2
    HEADER = 3
    MESSAGE = 4


PROBLEM_COLUMNS: dict[ProblemColumn, Column[Problem]] = {
    ProblemColumn.SHEET: Column(QT_TRANSLATE_NOOP("Columns", "工作表"), lambda p: p.sheet),
    ProblemColumn.ROW: Column(QT_TRANSLATE_NOOP("Columns", "行"), lambda p: p.row, CENTER),
    ProblemColumn.COLUMN: Column(QT_TRANSLATE_NOOP("Columns", "列"), lambda p: p.column, CENTER),
    ProblemColumn.HEADER: Column(QT_TRANSLATE_NOOP("Columns", "表头"), lambda p: p.header),
    ProblemColumn.MESSAGE: Column(QT_TRANSLATE_NOOP("Columns", "问题"),
                                  lambda p: service_text(p.message)),
}


def import_changes(report: ImportReport) -> Changes:
    kind = "hazards" if report.kind == "hazards" else "projects"
    return Changes().touch(kind, *report.created_ids)


class ImportWizard(QWidget):
    imported = Signal(object)  # the committed ImportReport

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.path: Path | None = None
        self.table: xn.Table | None = None
        self.report: ImportReport | None = None
        self.task: Task | None = None
        self.kind = QComboBox()
        for kind, label in KINDS.items():
            self.kind.addItem(QCoreApplication.translate("ImportWizard", label), kind)
        self.kind.currentIndexChanged.connect(self._forget)
        self.file_field = read_only("")
        self.file_button = QPushButton(QCoreApplication.translate("ImportWizard", "选择文件…"))
        self.file_button.clicked.connect(self.choose_file)
        self.sheet = QComboBox()  # hidden sheets are read only when chosen here
        self.sheet.setObjectName("importSheet")
        self.sheet.currentIndexChanged.connect(self._forget)
        self._fill_sheets([])
        self.preview_button = QPushButton(QCoreApplication.translate("ImportWizard", "预览"))
        self.preview_button.clicked.connect(self.preview)
        self.commit_button = QPushButton(QCoreApplication.translate("ImportWizard", "全部导入"))
        self.commit_button.clicked.connect(self.commit)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.problems: RowsModel[Problem] = RowsModel(ProblemColumn, PROBLEM_COLUMNS, self)
        self.problem_view = table_view(self.problems, stretch=ProblemColumn.MESSAGE)
        self.problem_view.setObjectName("importProblems")
        self.problem_view.setMinimumHeight(180)
        allowed = state.can("import")
        for widget in (self.kind, self.file_button):
            widget.setEnabled(allowed)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_field, 1)
        file_row.addWidget(self.file_button)
        form = QFormLayout()
        form.addRow(QCoreApplication.translate("ImportWizard", "导入内容"), self.kind)
        form.addRow(QCoreApplication.translate("ImportWizard", "Excel 文件"), file_row)
        form.addRow(QCoreApplication.translate("ImportWizard", "工作表"), self.sheet)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.commit_button)
        buttons.addStretch(1)
        intro = QLabel(QCoreApplication.translate(
            "ImportWizard", "先预览：程序会逐行检查并列出每个问题所在的工作表、行和列，不写入任何数据。"
            "只有全部行都没有问题时才能导入；导入要么全部成功，要么一条也不写入。"))
        intro.setWordWrap(True)
        if not allowed:
            intro.setText(QCoreApplication.translate("ImportWizard", "您的角色不能导入数据。"))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.summary)
        layout.addWidget(self.problem_view, 1)
        self._update_buttons()

    def selected_kind(self) -> str:
        return str(self.kind.currentData())

    def set_kind(self, kind: str) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind))

    def choose_file(self) -> None:
        chosen = choose_open_file(self, QCoreApplication.translate("ImportWizard", "选择要导入的 Excel 文件"),
                                  XLSX_FILTER)
        if chosen:
            self.set_file(Path(chosen))

    def set_file(self, path: Path) -> None:
        self.path = path
        self.file_field.setText(str(path))
        try:
            sheets = xn.sheet_list(path, self._limits())
        except xn.CellError:
            sheets = []  # the preview names what is wrong with the file
        self._fill_sheets(sheets)
        self._forget()

    def _limits(self) -> importer.Limits:
        config = self.state.config
        return importer.Limits(int(config.get("import_max_mb")), int(config.get("import_max_rows")))

    def _fill_sheets(self, sheets: list[SheetInfo]) -> None:
        """Automatic choice among the visible sheets, or one sheet named (hidden ones marked)."""
        self.sheet.blockSignals(True)
        self.sheet.clear()
        self.sheet.addItem(QCoreApplication.translate("ImportWizard", "自动选择（不读取隐藏的工作表）"), None)
        for info in sheets:
            label = info.name
            if info.hidden:
                label = QCoreApplication.translate("ImportWizard", "{sheet}（隐藏）").format(
                    sheet=info.name)
            self.sheet.addItem(label, info.name)
        hidden = [info.name for info in sheets if info.hidden]
        self.sheet.setToolTip(QCoreApplication.translate(
            "ImportWizard", "工作簿中有隐藏的工作表：{sheets}。如需导入，请在此选择。").format(
            sheets=join_list(hidden)) if hidden else "")
        self.sheet.blockSignals(False)

    def _forget(self) -> None:
        """A different file or kind: the last preview no longer applies."""
        self.table, self.report = None, None
        self.problems.set_rows([])
        self.summary.clear()
        self._update_buttons()

    def _update_buttons(self) -> None:
        idle = self.task is None and self.state.can("import")
        self.preview_button.setEnabled(idle and self.path is not None)
        ready = self.report is not None and self.report.ok and self.report.new > 0 \
            and not self.report.committed
        self.commit_button.setEnabled(idle and ready)

    def _track(self, task: Task) -> Task:
        self.task = task
        task.finished.connect(lambda: self._done(task))
        self._update_buttons()
        return task

    def _done(self, task: Task) -> None:
        if self.task is task:  # reading hands over to checking: that task is current by now
            self.task = None
        self._update_buttons()

    # -- preview ---------------------------------------------------------------------------

    def preview(self) -> Task | None:
        if self.path is None:
            return None
        path, kind = self.path, self.selected_kind()
        sheet, limits = self.sheet.currentData(), self._limits()
        self._forget()
        return self._track(run_task(
            self, lambda *, progress: importer.read(path, kind=kind, sheet=sheet, limits=limits),
            on_result=lambda table: self._preview_table(kind, table),
            label=QCoreApplication.translate("ImportWizard", "正在读取工作簿…")))

    def _preview_table(self, kind: str, table: xn.Table) -> None:
        self.table = table
        self._track(run_service(
            self, self.state, importer.preview, kind=kind, table=table, on_result=self.show_report,
            label=QCoreApplication.translate("ImportWizard", "正在逐行检查…")))

    def show_report(self, report: ImportReport) -> None:
        self.report = report
        self.problems.set_rows(report.problems)
        self.problem_view.resizeColumnsToContents()
        mapping = join_list([f"{service_text(m.label)} ← {m.column}“{m.header}”"
                             for m in report.mapping])
        head = QCoreApplication.translate(
            "ImportWizard", "工作表“{sheet}”：数据 {rows} 行，可新增 {new} 条，已存在跳过 {existing} 条，"
            "问题 {problems} 个。").format(sheet=report.sheet, rows=report.rows, new=report.new,
                                          existing=len(report.existing), problems=len(report.problems))
        if report.committed:
            head = QCoreApplication.translate("ImportWizard", "已导入 {new} 条。").format(new=report.new)
        columns = QCoreApplication.translate("ImportWizard", "列对应：{mapping}").format(mapping=mapping)
        if report.hidden_skipped:
            columns += "\n" + QCoreApplication.translate(
                "ImportWizard", "未读取隐藏的工作表：{sheets}（如需导入，请在“工作表”中选择）").format(
                sheets=join_list(list(report.hidden_skipped)))
        if report.hidden_rows:  # filtered or grouped-away rows of the list: read like the others
            rows = "、".join(str(n) for n in report.hidden_rows[:HIDDEN_ROWS_SHOWN])
            if len(report.hidden_rows) > HIDDEN_ROWS_SHOWN:
                rows = QCoreApplication.translate("ImportWizard", "{rows} 等，共 {n} 行").format(
                    rows=rows, n=len(report.hidden_rows))
            columns += "\n" + (QCoreApplication.translate(
                "ImportWizard", "第 {rows} 行在 Excel 中被隐藏，已一并导入。") if report.committed
                else QCoreApplication.translate(
                "ImportWizard", "第 {rows} 行在 Excel 中被隐藏，导入时会与其他行一并导入；"
                "如不需要，请在 Excel 中删除这些行。")).format(rows=rows)
        self.summary.setText(f"{head}\n{columns}")
        self._update_buttons()

    # -- commit ------------------------------------------------------------------------------

    def commit(self) -> Task | None:
        if self.table is None:
            return None
        kind, table = self.selected_kind(), self.table
        return self._track(run_service(
            self, self.state, importer.commit, kind=kind, table=table,
            on_result=self._committed, on_error=self._refused,
            label=QCoreApplication.translate("ImportWizard", "正在导入…")))

    def _committed(self, report: ImportReport) -> None:
        self.state.announce(import_changes(report))
        self.show_report(report)
        dialogs.inform(self, QCoreApplication.translate("ImportWizard", "导入完成"),
                       QCoreApplication.translate(
                           "ImportWizard", "已导入 {new} 条，已存在跳过 {existing} 条。")
                       .format(new=report.new, existing=len(report.existing)))
        self.imported.emit(report)

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, ImportRefused):
            self.show_report(exc.report)
            text = QCoreApplication.translate(
                "ImportWizard", "发现 {count} 个问题，未写入任何数据。请按列表修改 Excel 文件后重新预览。"
            ).format(count=len(exc.report.problems))
            dialogs.warn(self, QCoreApplication.translate("ImportWizard", "导入未执行"), text)
        else:
            handle_failure(self, exc)
