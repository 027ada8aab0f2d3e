"""The 风险源 tab of a project: the register, edits, imports, and this quarter's L1/L2 coverage (N-04)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services import risk_sources
from desktop.services.context import Changes, now
from desktop.services.periods import quarter_of
from desktop.services.risk_sources import Coverage, ImportResult, SourceForm, SourceRow
from desktop.ui import dialogs, file_dialogs, i18n, tasks
from desktop.ui.app_state import AppState
from desktop.ui.lazy_model import CENTER, ROW_ROLE, Column
from desktop.ui.project_dialog import FieldDialog, memory_model, plain_table
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.widgets import ErrorLabel

MAX_LISTED_ERRORS = 15


@dataclass(frozen=True)
class SourceLine:
    source: SourceRow
    verified: bool | None  # this quarter; None for level 3/4 and inactive sources

    @property
    def id(self) -> int:
        return self.source.id


def _verified_text(line: SourceLine) -> str:
    if line.verified is None:
        return ""
    if line.verified:
        return QCoreApplication.translate("RiskSources", "已核查")
    return QCoreApplication.translate("RiskSources", "未核查")


def _state_text(line: SourceLine) -> str:
    if line.source.active:
        return QCoreApplication.translate("RiskSources", "在用")
    return QCoreApplication.translate("RiskSources", "已停用")


class SourceColumn(IntEnum):
    LEVEL = 0
    NAME = 1
    CATEGORY = 2
    LOCATION = 3
    STAGE = 4
    VERIFIED = 5
    STATE = 6
    MEASURES = 7


SOURCE_COLUMNS: dict[SourceColumn, Column[SourceLine]] = {
    SourceColumn.LEVEL: Column(QT_TRANSLATE_NOOP("Columns", "等级"),
                               lambda r: i18n.level_label(r.source.level), CENTER),
    SourceColumn.NAME: Column(QT_TRANSLATE_NOOP("Columns", "风险源"), lambda r: r.source.name),
    SourceColumn.CATEGORY: Column(QT_TRANSLATE_NOOP("Columns", "类别"), lambda r: r.source.category),
    SourceColumn.LOCATION: Column(QT_TRANSLATE_NOOP("Columns", "部位"), lambda r: r.source.location),
    SourceColumn.STAGE: Column(QT_TRANSLATE_NOOP("Columns", "施工阶段"), lambda r: r.source.stage),
    SourceColumn.VERIFIED: Column(QT_TRANSLATE_NOOP("Columns", "本季度核查"), _verified_text, CENTER),
    SourceColumn.STATE: Column(QT_TRANSLATE_NOOP("Columns", "状态"), _state_text, CENTER),
    SourceColumn.MEASURES: Column(QT_TRANSLATE_NOOP("Columns", "防范措施"),
                                  lambda r: " ".join(r.source.measures.split())),
}


def choose_xlsx(parent: QWidget | None) -> str:
    """The Excel file to import, or "" when cancelled (tests replace this)."""
    return file_dialogs.open_file(
        parent, QCoreApplication.translate("RiskSources", "选择风险源分级表"),
        QCoreApplication.translate("RiskSources", "Excel 工作簿 (*.xlsx *.xlsm)"))


class SourceDialog(FieldDialog):
    """Add a risk source to a project, or edit one."""

    def __init__(self, state: AppState, project_id: int, source: SourceRow | None = None,
                 stages: list[str] | None = None, parent: QWidget | None = None) -> None:
        title = QCoreApplication.translate("RiskSources", "修改风险源") if source else \
            QCoreApplication.translate("RiskSources", "添加风险源")
        super().__init__(state, title, parent)
        self.project_id, self.source = project_id, source
        self.name, self.location = QLineEdit(), QLineEdit()
        self.level, self.category, self.stage = QComboBox(), QComboBox(), QComboBox()
        for level in (1, 2, 3, 4):
            self.level.addItem(i18n.level_label(level), level)
        self.category.setEditable(True)
        self.stage.setEditable(True)
        self.stage.addItems(["", *(stages or [])])
        self.measures = QPlainTextEdit()
        self.measures.setTabChangesFocus(True)
        self.measures.setFixedHeight(90)
        self.field("name", QCoreApplication.translate("RiskSources", "风险源名称"), self.name)
        self.field("level", QCoreApplication.translate("RiskSources", "风险等级"), self.level)
        self.field("category", QCoreApplication.translate("RiskSources", "类别"), self.category)
        self.field("location", QCoreApplication.translate("RiskSources", "部位"), self.location)
        self.field("stage", QCoreApplication.translate("RiskSources", "施工阶段"), self.stage)
        self.field("measures", QCoreApplication.translate("RiskSources", "防范措施"), self.measures)
        self.setMinimumWidth(480)
        if source is not None:
            self.name.setText(source.name)
            self.level.setCurrentIndex(self.level.findData(source.level))
            self.category.setCurrentText(source.category)
            self.location.setText(source.location)
            self.stage.setCurrentText(source.stage)
            self.measures.setPlainText(source.measures)
        else:
            self.level.setCurrentIndex(2)
        self.saved: SourceRow | None = None

    def submit(self) -> None:
        form = SourceForm(self.name.text(), self.level.currentData(), self.category.currentText(),
                          self.location.text(), self.stage.currentText(), self.measures.toPlainText(),
                          self.source.catalogue_item_id if self.source else None)
        changes = Changes().touch("projects", self.project_id)
        if self.source is None:
            self.saved = self.state.write(risk_sources.add, self.project_id, form, changes=changes)
        else:
            self.saved = self.state.write(risk_sources.update, self.source.id, form,
                                          expected_version=self.source.version, changes=changes)


class DeactivateDialog(FieldDialog):
    """停用 a source no longer on site: it leaves the N-04 count; the reason is kept."""

    def __init__(self, state: AppState, source: SourceRow, parent: QWidget | None = None) -> None:
        super().__init__(state, QCoreApplication.translate("RiskSources", "停用风险源"), parent)
        self.source = source
        note = QLabel(QCoreApplication.translate(
            "RiskSources", "停用“{name}”后，它不再计入一、二级风险源核查。").format(name=source.name))
        note.setWordWrap(True)
        self.form.addRow(note)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(QCoreApplication.translate("RiskSources", "如：该分部分项工程已完成"))
        self.field("reason", QCoreApplication.translate("RiskSources", "停用原因"), self.reason)

    def submit(self) -> None:
        self.state.write(risk_sources.deactivate, self.source.id, expected_version=self.source.version,
                         reason=self.reason.text(), changes=Changes().touch("projects", self.source.project_id))


class RiskSourcesPanel(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.project_id: int | None = None
        self.stages: list[str] = []
        self._rows: dict[int, SourceLine] = {}
        self.model = memory_model(SourceColumn, SOURCE_COLUMNS, self._rows,
                                  level_of=lambda r: r.source.level if r.source.active else None)
        self.table = plain_table(self.model, "riskSourceTable")
        self.table.activated.connect(lambda _i: self.edit())
        self.coverage = QLabel()
        self.coverage.setObjectName("riskSourceCoverage")
        self.coverage.setWordWrap(True)
        self.coverage.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.show_inactive = QCheckBox(QCoreApplication.translate("RiskSources", "显示已停用"))
        self.show_inactive.toggled.connect(self.reload)
        self.add_button = QPushButton(QCoreApplication.translate("RiskSources", "添加(&A)…"))
        self.edit_button = QPushButton(QCoreApplication.translate("RiskSources", "修改(&E)…"))
        self.toggle_button = QPushButton(QCoreApplication.translate("RiskSources", "停用(&D)…"))
        self.starter_button = QPushButton(QCoreApplication.translate("RiskSources", "导入风险源清单…"))
        self.xlsx_button = QPushButton(QCoreApplication.translate("RiskSources", "导入 Excel…"))
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.toggle_button.clicked.connect(self.toggle_active)
        self.starter_button.clicked.connect(self.import_catalogue)
        self.xlsx_button.clicked.connect(self.import_xlsx)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._update_buttons())
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table, self.toggle_active,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.error = ErrorLabel()
        bar = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.toggle_button):
            bar.addWidget(button)
        bar.addSpacing(16)
        bar.addWidget(self.starter_button)
        bar.addWidget(self.xlsx_button)
        bar.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.coverage, 1)
        top.addWidget(self.show_inactive, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(bar)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        for column, width in ((SourceColumn.LEVEL, 100), (SourceColumn.NAME, 240),
                              (SourceColumn.CATEGORY, 110), (SourceColumn.LOCATION, 120),
                              (SourceColumn.STAGE, 100), (SourceColumn.VERIFIED, 90),
                              (SourceColumn.STATE, 70)):
            self.table.setColumnWidth(column, width)
        editable = state.can("risk_source.edit")
        for button in (self.add_button, self.edit_button, self.toggle_button, self.starter_button,
                       self.xlsx_button):
            button.setEnabled(editable)

    def load(self, project_id: int, stages: list[str]) -> None:
        self.project_id, self.stages = project_id, stages
        self.reload()

    def reload(self) -> None:
        if self.project_id is None:
            return
        quarter = quarter_of(now().date())
        sources = self.state.read(risk_sources.list_for_project, self.project_id,
                                  include_inactive=self.show_inactive.isChecked())
        cover: Coverage = self.state.read(risk_sources.coverage, self.project_id, quarter)
        missing = {s.id for s in cover.unverified}
        self._rows.clear()
        self._rows.update({s.id: SourceLine(s, (s.id not in missing) if s.active and s.level <= 2 else None)
                           for s in sources})
        self.model.set_ids([s.id for s in sources])
        self._show_coverage(cover, i18n.service_text(quarter.chinese))
        self._update_buttons()

    def _show_coverage(self, cover: Coverage, quarter: str) -> None:
        if cover.total == 0:
            text = QCoreApplication.translate("RiskSources", "{quarter}：本项目尚未登记在用的一、二级风险源。")
            self.coverage.setText(text.format(quarter=quarter))
            return
        text = QCoreApplication.translate(
            "RiskSources", "{quarter}一、二级风险源核查：已核查 {done} / {total} 项（{percent}%）。")
        text = text.format(quarter=quarter, done=cover.verified, total=cover.total, percent=cover.percent)
        if cover.unverified:
            names = "、".join(s.name for s in cover.unverified[:8])
            more = "…" if len(cover.unverified) > 8 else ""
            text += QCoreApplication.translate("RiskSources", "未核查：{names}").format(names=names + more)
        self.coverage.setText(text)
        colour = "#2e7d32" if cover.complete else "#c62828"
        self.coverage.setStyleSheet(f"color: {colour};")

    def current(self) -> SourceRow | None:
        index = self.table.currentIndex()
        line = self.model.data(index, ROW_ROLE) if index.isValid() else None
        return line.source if line is not None else None

    def _update_buttons(self) -> None:
        source = self.current()
        editable = self.state.can("risk_source.edit")
        self.edit_button.setEnabled(editable and source is not None)
        self.toggle_button.setEnabled(editable and source is not None)
        self.toggle_button.setText(
            QCoreApplication.translate("RiskSources", "恢复启用(&D)") if source is not None and not source.active
            else QCoreApplication.translate("RiskSources", "停用(&D)…"))

    def add(self) -> None:
        if self.project_id is not None and dialogs.run(
                SourceDialog(self.state, self.project_id, stages=self.stages, parent=self)):
            self.reload()

    def edit(self) -> None:
        source = self.current()
        if source is not None and self.project_id is not None and self.state.can("risk_source.edit") \
                and dialogs.run(SourceDialog(self.state, self.project_id, source, self.stages, self)):
            self.reload()

    def toggle_active(self) -> None:
        source = self.current()
        if source is None or not self.state.can("risk_source.edit"):
            return
        if source.active:
            if dialogs.run(DeactivateDialog(self.state, source, self)):
                self.reload()
            return
        question = QCoreApplication.translate("RiskSources", "恢复启用风险源“{name}”？").format(name=source.name)
        if not dialogs.ask(self, QCoreApplication.translate("RiskSources", "恢复启用"), question):
            return
        try:
            self.state.write(risk_sources.set_active, source.id, True, expected_version=source.version,
                             changes=Changes().touch("projects", source.project_id))
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
        self.reload()

    # -- imports --------------------------------------------------------------------------

    def import_catalogue(self) -> None:
        if self.project_id is None:
            return
        tasks.run_service(self, self.state, risk_sources.import_catalogue, self.project_id, dry_run=True,
                          label=QCoreApplication.translate("RiskSources", "正在读取风险源清单…"),
                          on_result=self._confirm_catalogue)

    def _confirm_catalogue(self, preview: ImportResult) -> None:
        title = QCoreApplication.translate("RiskSources", "导入风险源清单")
        if not preview.preview:
            dialogs.inform(self, title, QCoreApplication.translate(
                "RiskSources", "清单中的 {n} 项均已在本项目登记，无需导入。").format(n=preview.rows_read))
            return
        text = QCoreApplication.translate(
            "RiskSources", "将导入 {n} 项风险源（已登记的 {skipped} 项跳过）。").format(
            n=len(preview.preview), skipped=len(preview.skipped_rows))
        if not preview.official:
            text += QCoreApplication.translate(
                "RiskSources", "\n\n这是软件自带的起步清单，不是官方分级表；导入后请按项目实际核对等级和措施。")
        if dialogs.ask(self, title, text + QCoreApplication.translate("RiskSources", "\n\n是否导入？")):
            tasks.run_service(self, self.state, risk_sources.import_catalogue, self.project_id,
                              catalogue_code=preview.source, dry_run=False,
                              label=QCoreApplication.translate("RiskSources", "正在导入风险源…"),
                              changes=Changes().touch("projects", self.project_id or 0),
                              on_result=self._imported)

    def import_xlsx(self) -> None:
        path = choose_xlsx(self)
        if not path or self.project_id is None:
            return
        tasks.run_service(self, self.state, risk_sources.import_xlsx, self.project_id, path, dry_run=True,
                          label=QCoreApplication.translate("RiskSources", "正在读取 Excel 表格…"),
                          on_result=lambda result: self._confirm_xlsx(path, result))

    def _confirm_xlsx(self, path: str, preview: ImportResult) -> None:
        title = QCoreApplication.translate("RiskSources", "导入 Excel")
        if preview.errors:
            lines = [i18n.service_text(e.message) for e in preview.errors[:MAX_LISTED_ERRORS]]
            if len(preview.errors) > MAX_LISTED_ERRORS:
                lines.append(QCoreApplication.translate("RiskSources", "……共 {n} 处问题").format(
                    n=len(preview.errors)))
            dialogs.warn(self, title, QCoreApplication.translate(
                "RiskSources", "表格有问题，未导入任何一行。请修改后重新导入：\n\n") + "\n".join(lines))
            return
        if not preview.preview:
            dialogs.inform(self, title, QCoreApplication.translate(
                "RiskSources", "表中的 {n} 行均已在本项目登记，无需导入。").format(n=preview.rows_read))
            return
        text = QCoreApplication.translate(
            "RiskSources", "读取 {read} 行：将导入 {n} 项，已登记的 {skipped} 项跳过。是否导入？").format(
            read=preview.rows_read, n=len(preview.preview), skipped=len(preview.skipped_rows))
        if dialogs.ask(self, title, text):
            tasks.run_service(self, self.state, risk_sources.import_xlsx, self.project_id, path,
                              dry_run=False, label=QCoreApplication.translate("RiskSources", "正在导入风险源…"),
                              changes=Changes().touch("projects", self.project_id or 0),
                              on_result=self._imported)

    def _imported(self, result: ImportResult) -> None:
        self.reload()
        dialogs.inform(self, QCoreApplication.translate("RiskSources", "导入完成"), QCoreApplication.translate(
            "RiskSources", "已导入 {n} 项风险源。").format(n=result.created))

    # -- layout memory ----------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("riskSources", self.table.horizontalHeader().saveState())

    def restore_state(self, settings: QSettings) -> None:
        state = settings.value("riskSources")
        if state is not None:
            self.table.horizontalHeader().restoreState(state)
