"""新建检查 / 检查记录: the visit, its L1/L2 risk-source ticks (N-04) and its hazards, saved together."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from enum import IntEnum
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import InspectionKind, Role, StopWork
from desktop.services import documents, inspections, projects, risk_sources, users
from desktop.services.context import Changes, ValidationError, now
from desktop.services.hazards import HazardForm, HazardRow
from desktop.services.inspections import InspectionForm, InspectionRow
from desktop.services.queries import inspection_list, project_list
from desktop.ui import dialogs, i18n
from desktop.ui.app_state import AppState
from desktop.ui.date_field import DateField, today
from desktop.ui.hazard_dialog import HazardDialog
from desktop.ui.lazy_model import CENTER, ROW_ROLE, Column
from desktop.ui.project_dialog import FieldErrors, OptionalDateEdit, memory_model, plain_table
from desktop.ui.tasks import handle_failure, run_service
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.widgets import ErrorLabel, widget_as

FIELD_ROLES = ("admin", "tech_lead", "inspector")  # who goes on site


@dataclass(frozen=True)
class Finding:
    """A hazard of this inspection: recorded already (`hazard`) or waiting for Save (`form`)."""

    id: int  # the hazard's id, or a negative number while not yet recorded
    form: HazardForm | None = None
    hazard: HazardRow | None = None

    @property
    def source(self) -> HazardForm | HazardRow:
        if self.form is not None:
            return self.form
        assert self.hazard is not None, "a finding holds a form or a recorded hazard"
        return self.hazard


def _number(f: Finding) -> str:
    return f.hazard.number if f.hazard else QCoreApplication.translate("InspectionDialog", "待登记")


class FindingColumn(IntEnum):
    NUMBER, LEVEL, STOP_WORK, LOCATION, DESCRIPTION, MEASURES = range(6)


FINDING_COLUMNS: dict[FindingColumn, Column[Finding]] = {
    FindingColumn.NUMBER: Column(QT_TRANSLATE_NOOP("Columns", "编号"), _number),
    FindingColumn.LEVEL: Column(QT_TRANSLATE_NOOP("Columns", "等级"),
                                lambda f: i18n.level_label(f.source.level), CENTER),
    FindingColumn.STOP_WORK: Column(QT_TRANSLATE_NOOP("Columns", "停工建议"),
                                    lambda f: i18n.label(StopWork(f.source.stop_work)), CENTER),
    FindingColumn.LOCATION: Column(QT_TRANSLATE_NOOP("Columns", "部位"), lambda f: f.source.location),
    FindingColumn.DESCRIPTION: Column(QT_TRANSLATE_NOOP("Columns", "隐患描述"), lambda f: f.source.description),
    FindingColumn.MEASURES: Column(QT_TRANSLATE_NOOP("Columns", "整改措施"),
                                   lambda f: f.form.measures if f.form else ""),
}


def current_stage(stages: list[projects.StageLine], today: dt.date) -> int | None:
    """The stage under way today: started and not finished, else planned around today."""
    for s in stages:
        if s.actual_start and s.actual_start <= today and not s.actual_end:
            return s.id
    for s in stages:
        if s.planned_start and s.planned_end and s.planned_start <= today <= s.planned_end:
            return s.id
    return None


class InspectionDialog(QDialog):
    """A new inspection (`project_id`, or chosen here), or one already recorded (`inspection_id`)."""

    def __init__(self, state: AppState, *, project_id: int | None = None,
                 inspection_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.row: InspectionRow | None = (
            state.read(inspections.get, inspection_id) if inspection_id else None)
        self.project_id = self.row.project_id if self.row else project_id
        self.saved: inspection_list.SavedVisit | None = None
        self._level1: list[int] = []  # level-1 hazards saved here whose letter was not offered yet
        self.errors = FieldErrors(ErrorLabel())
        self._findings: dict[int, Finding] = {}
        self._next_pending = -1
        self.setWindowTitle(QCoreApplication.translate("InspectionDialog", "检查记录") if self.row
                            else QCoreApplication.translate("InspectionDialog", "新建检查"))
        left = self._existing_header() if self.row else self._new_header()
        self._header_box = left
        right = QVBoxLayout()
        right.addWidget(self._sources_box(), 2)
        right.addWidget(self._findings_box(), 3)
        body = QHBoxLayout()
        body.addWidget(left, 2)
        body.addLayout(right, 3)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(state.can("inspection.edit"))
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.errors.general)
        layout.addWidget(self.buttons)
        self.resize(1080, 720)
        if self.row is not None:
            self._load_existing()
        else:
            self._project_changed()

    # -- the visit ------------------------------------------------------------------------

    def _new_header(self) -> QWidget:
        box = QGroupBox(QCoreApplication.translate("InspectionDialog", "检查信息"))
        form = QFormLayout(box)
        self.project = QComboBox()
        self.project.setEditable(True)
        self.project.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        # a project given by the caller is listed even when completed (a late record)
        for choice in self.state.read(project_list.choices, include_completed=self.project_id is not None):
            self.project.addItem(f"{choice.code}　{choice.name}", choice.id)
        completer = self.project.completer()
        assert completer is not None  # an editable combo box has one
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.project.setCurrentIndex(max(0, self.project.findData(self.project_id)))
        self.project.setEnabled(self.project_id is None)
        self.project.currentIndexChanged.connect(lambda _i: self._project_changed())
        self.kind = QComboBox()
        for kind in InspectionKind:
            self.kind.addItem(i18n.label(kind), kind.value)
        self.kind.setCurrentIndex(self.kind.findData(InspectionKind.FULL.value))
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.date = DateField(today(), maximum=today())
        self.stage, self.danger = QComboBox(), QComboBox()
        self.key_procedure, self.weather = QLineEdit(), QLineEdit()
        self.weather.setPlaceholderText(QCoreApplication.translate("InspectionDialog", "如 晴 28℃"))
        self.inspectors = QListWidget()
        self.inspectors.setObjectName("inspectorList")
        self.inspectors.setFixedHeight(self.inspectors.fontMetrics().height() * 5 + 8)
        self.inspectors.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        for user in self.state.read(users.list_users, self.state.actor):
            if user.active and user.role in FIELD_ROLES:
                item = QListWidgetItem(f"{user.display_name}（{i18n.label(Role(user.role))}）")
                item.setData(Qt.ItemDataRole.UserRole, user.id)
                mine = user.id == self.state.actor.user_id
                item.setCheckState(Qt.CheckState.Checked if mine else Qt.CheckState.Unchecked)
                self.inspectors.addItem(item)
        self.summary = QPlainTextEdit()
        self.summary.setTabChangesFocus(True)
        self.summary.setPlaceholderText(QCoreApplication.translate("InspectionDialog", "检查范围、过程和总体情况"))
        self.form = form
        for key, text, widget in (
                ("project_id", QT_TRANSLATE_NOOP("InspectionDialog", "项目"), self.project),
                ("kind", QT_TRANSLATE_NOOP("InspectionDialog", "检查类型"), self.kind),
                ("date", QT_TRANSLATE_NOOP("InspectionDialog", "检查日期"), self.date),
                ("stage_id", QT_TRANSLATE_NOOP("InspectionDialog", "施工阶段"), self.stage),
                ("danger_item_id", QT_TRANSLATE_NOOP("InspectionDialog", "危大工程"), self.danger),
                ("key_procedure", QT_TRANSLATE_NOOP("InspectionDialog", "关键工序"), self.key_procedure),
                ("inspector_ids", QT_TRANSLATE_NOOP("InspectionDialog", "检查人员"), self.inspectors),
                ("weather", QT_TRANSLATE_NOOP("InspectionDialog", "天气"), self.weather),
                ("summary", QT_TRANSLATE_NOOP("InspectionDialog", "检查情况"), self.summary)):
            form.addRow(QCoreApplication.translate("InspectionDialog", text), self.errors.wrap(key, widget))
        chain = (self.project, self.kind, self.date.edit, self.stage, self.danger,
                 self.key_procedure, self.inspectors, self.weather, self.summary)
        for first, second in pairwise(chain):  # the order of the form
            QWidget.setTabOrder(first, second)
        return box

    def _existing_header(self) -> QWidget:
        row = self.row
        assert row is not None
        box = QGroupBox(QCoreApplication.translate("InspectionDialog", "检查信息"))
        form = QFormLayout(box)
        project = self.state.read(project_list.rows_by_ids, [row.project_id])
        for caption, value in (
                (QCoreApplication.translate("InspectionDialog", "项目"),
                 f"{project[0].code}　{project[0].name}" if project else ""),
                (QCoreApplication.translate("InspectionDialog", "检查类型"), i18n.label(InspectionKind(row.kind))),
                (QCoreApplication.translate("InspectionDialog", "检查日期"), row.date.isoformat()),
                (QCoreApplication.translate("InspectionDialog", "施工阶段"), row.stage_name),
                (QCoreApplication.translate("InspectionDialog", "检查人员"), "、".join(row.inspectors)),
                (QCoreApplication.translate("InspectionDialog", "检查情况"), row.summary)):
            label = QLabel(value)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(caption, label)
        self.site_person = QLineEdit(row.site_confirmed_by)
        self.confirm_button = QPushButton(QCoreApplication.translate("InspectionDialog", "双方确认(&C)"))
        self.confirm_button.clicked.connect(self.confirm)
        confirmed = bool(row.site_confirmed_by)
        self.site_person.setReadOnly(confirmed)
        self.confirm_button.setEnabled(not confirmed and self.state.can("inspection.edit"))
        line = QWidget()
        line_layout = QHBoxLayout(line)
        line_layout.setContentsMargins(0, 0, 0, 0)
        line_layout.addWidget(self.site_person, 1)
        line_layout.addWidget(self.confirm_button)
        form.addRow(QCoreApplication.translate("InspectionDialog", "项目方确认人"),
                    self.errors.wrap("site_person", line))
        return box

    def _project_changed(self) -> None:
        if self.row is None:
            self.project_id = self.project.currentData()
        self.stage.clear()
        self.danger.clear()
        self.stage.addItem(QCoreApplication.translate("InspectionDialog", "（不指定）"), None)
        if self.project_id is None:
            self.errors.general.show_message(QCoreApplication.translate(
                "InspectionDialog", "尚无在建项目，请先新建项目。"))
            self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
            return
        detail = self.state.read(projects.get_detail, self.project_id)
        for s in detail.stages:
            self.stage.addItem(s.name, s.id)
        self.stage.setCurrentIndex(max(0, self.stage.findData(current_stage(detail.stages, now().date()))))
        for d in detail.danger_items:
            prefix = QCoreApplication.translate("InspectionDialog", "超危大") if d.is_super else \
                QCoreApplication.translate("InspectionDialog", "危大")
            self.danger.addItem(f"{d.name}（{prefix}）", d.id)
        sources = [s for s in self.state.read(risk_sources.list_for_project, self.project_id) if s.level <= 2]
        self._fill_sources([(s.id, s.name, s.level, s.location, None) for s in sources])
        self._kind_changed()

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        # each field sits in its error wrapper: the form's row is the wrapper's
        self.form.setRowVisible(widget_as(self.danger.parentWidget(), QWidget), kind == InspectionKind.DANDA)
        self.form.setRowVisible(widget_as(self.key_procedure.parentWidget(), QWidget),
                                kind == InspectionKind.KEY_PROCEDURE)
        self.sources_box.setVisible(kind == InspectionKind.FULL)

    # -- L1/L2 risk sources (N-04) -----------------------------------------------------------

    def _sources_box(self) -> QGroupBox:
        self.sources_box = QGroupBox(QCoreApplication.translate(
            "InspectionDialog", "一、二级风险源核查（全覆盖检查须逐项核查）"))
        self.sources = QListWidget()
        self.sources.setObjectName("sourceTicks")
        self.sources.itemChanged.connect(lambda _item: self._count_ticks())
        self.tick_count = QLabel()
        self.all_button = QPushButton(QCoreApplication.translate("InspectionDialog", "全部核查(&A)"))
        self.all_button.clicked.connect(self._tick_all)
        bar = QHBoxLayout()
        bar.addWidget(self.tick_count, 1)
        bar.addWidget(self.all_button)
        layout = QVBoxLayout(self.sources_box)
        layout.addLayout(bar)
        layout.addWidget(self.sources, 1)
        layout.addWidget(self.errors.register("ticks", self.sources))
        return self.sources_box

    def _fill_sources(self, sources: list[tuple[int, str, int, str, bool | None]]) -> None:
        self.sources.blockSignals(True)
        self.sources.clear()
        for source_id, name, level, location, verified in sources:
            text = f"{i18n.level_label(level)}　{name}" + (f"　（{location}）" if location else "")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, source_id)
            item.setCheckState(Qt.CheckState.Checked if verified else Qt.CheckState.Unchecked)
            self.sources.addItem(item)
        self.sources.blockSignals(False)
        self._count_ticks()

    def _items(self) -> list[QListWidgetItem]:
        return [self.sources.item(i) for i in range(self.sources.count())]

    def _tick_all(self) -> None:
        for item in self._items():
            item.setCheckState(Qt.CheckState.Checked)

    def _count_ticks(self) -> None:
        items = self._items()
        done = sum(1 for i in items if i.checkState() == Qt.CheckState.Checked)
        if items:
            text = QCoreApplication.translate("InspectionDialog", "已核查 {done} / {total} 项")
            text = text.format(done=done, total=len(items))
        else:
            text = QCoreApplication.translate(
                "InspectionDialog", "该项目没有在用的一、二级风险源（可在项目的“风险源”页登记）。")
        self.tick_count.setText(text)
        self.all_button.setEnabled(bool(items))

    def ticks(self) -> dict[int, bool]:
        if not self.sources_box.isVisibleTo(self):
            return {}
        return {i.data(Qt.ItemDataRole.UserRole): i.checkState() == Qt.CheckState.Checked
                for i in self._items()}

    # -- findings -----------------------------------------------------------------------------

    def _findings_box(self) -> QGroupBox:
        box = QGroupBox(QCoreApplication.translate("InspectionDialog", "发现的隐患"))
        self.finding_model = memory_model(FindingColumn, FINDING_COLUMNS, self._findings,
                                          level_of=lambda f: f.source.level)
        self.findings = plain_table(self.finding_model, "findingTable")
        column: int  # FindingColumn members below, then grid columns
        for column, width in ((FindingColumn.NUMBER, 110), (FindingColumn.LEVEL, 90),
                              (FindingColumn.STOP_WORK, 70), (FindingColumn.LOCATION, 70),
                              (FindingColumn.DESCRIPTION, 160)):
            self.findings.setColumnWidth(column, width)
        self.findings.doubleClicked.connect(lambda _i: self._take_back())
        self.findings.installEventFilter(self)  # Enter on a row takes it back, not Save
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.findings, self._remove_pending,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.level = QComboBox()
        for level in (1, 2, 3, 4):
            self.level.addItem(i18n.level_label(level), level)
        self.level.setCurrentIndex(2)
        self.stop_work = QComboBox()
        for choice in StopWork:
            self.stop_work.addItem(i18n.label(choice), choice.value)
        self.level.currentIndexChanged.connect(self._level_changed)
        self.location, self.description = QLineEdit(), QLineEdit()
        self.measures, self.contingency = QLineEdit(), QLineEdit()
        self.deadline = OptionalDateEdit()
        self.deadline.setToolTip(QCoreApplication.translate("InspectionDialog", "留空则按隐患等级的默认整改期限"))
        self.contingency.setPlaceholderText(QCoreApplication.translate("InspectionDialog", "一、二级隐患必填"))
        self.add_button = QPushButton(QCoreApplication.translate("InspectionDialog", "加入清单(&J)"))
        self.add_button.setEnabled(False)
        self.add_button.clicked.connect(self._add_finding)
        self.description.textChanged.connect(lambda t: self.add_button.setEnabled(bool(t.strip())))
        grid = QGridLayout()
        captions = {k: QCoreApplication.translate("InspectionDialog", v) for k, v in (
            ("level", QT_TRANSLATE_NOOP("InspectionDialog", "等级")),
            ("stop", QT_TRANSLATE_NOOP("InspectionDialog", "停工建议")),
            ("location", QT_TRANSLATE_NOOP("InspectionDialog", "部位")),
            ("deadline", QT_TRANSLATE_NOOP("InspectionDialog", "整改期限")),
            ("description", QT_TRANSLATE_NOOP("InspectionDialog", "隐患描述")),
            ("measures", QT_TRANSLATE_NOOP("InspectionDialog", "整改措施")),
            ("contingency", QT_TRANSLATE_NOOP("InspectionDialog", "应急预案")))}
        wide = {"description": 3, "measures": 5, "contingency": 5}
        for row, cells in enumerate((
                (("level", self.level), ("stop", self.stop_work), ("deadline", self.deadline)),
                (("location", self.location), ("description", self.description)),
                (("measures", self.measures),), (("contingency", self.contingency),))):
            column = 0
            for key, widget in cells:
                grid.addWidget(QLabel(captions[key]), row, column)
                grid.addWidget(widget, row, column + 1, 1, wide.get(key, 1))
                column += 1 + wide.get(key, 1)
        for column in (1, 3, 5):
            grid.setColumnStretch(column, 1)
        hint = QLabel(QCoreApplication.translate(
            "InspectionDialog", "保存时逐条登记并编号；双击待登记的隐患可取回修改，Delete 键移除。"))
        hint.setStyleSheet("color: #607d8b;")
        hint.setWordWrap(True)
        self.detail_button = QPushButton(QCoreApplication.translate("InspectionDialog", "详细登记(&H)…"))
        self.detail_button.setToolTip(QCoreApplication.translate(
            "InspectionDialog", "在隐患登记窗口中填写全部信息（照片、重大隐患判定、责任人等）；新检查会先保存。"))
        self.detail_button.setEnabled(self.state.can("hazard.record"))
        self.detail_button.clicked.connect(self.detailed_hazard)
        self.folder_button = QPushButton(QCoreApplication.translate("InspectionDialog", "从文件夹导入照片…"))
        self.folder_button.setToolTip(QCoreApplication.translate(
            "InspectionDialog", "按拍摄时间把手机或微信导出的照片分组，归入新的或已登记的隐患；新检查会先保存。"))
        self.folder_button.setEnabled(self.state.can("hazard.edit"))
        self.folder_button.clicked.connect(self.photos_from_folder)
        bar = QHBoxLayout()
        bar.addWidget(hint, 1)
        bar.addWidget(self.add_button)
        bar.addWidget(self.detail_button)
        bar.addWidget(self.folder_button)
        layout = QVBoxLayout(box)
        layout.addWidget(self.findings, 1)
        layout.addWidget(self.errors.register("finding", self.findings))
        layout.addLayout(grid)
        layout.addLayout(bar)
        return box

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.findings and isinstance(event, QKeyEvent) \
                and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._take_back()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter in the finding fields adds the finding; elsewhere it saves, as in any dialog."""
        editing = self.focusWidget() in (self.location, self.description, self.measures, self.contingency)
        if editing and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._add_finding()
            return
        super().keyPressEvent(event)

    def _level_changed(self) -> None:
        level = self.level.currentData()
        if level == 1 and self.stop_work.currentData() == StopWork.NONE:
            self.stop_work.setCurrentIndex(self.stop_work.findData(StopWork.PARTIAL.value))
        elif level != 1 and self.stop_work.currentData() != StopWork.NONE:
            self.stop_work.setCurrentIndex(self.stop_work.findData(StopWork.NONE.value))

    def _add_finding(self) -> None:
        if not self.description.text().strip():
            return
        try:
            deadline = self.deadline.value()
        except ValidationError as exc:
            self.errors.show({"deadline": i18n.field_texts(exc)["date"]})
            return
        form = HazardForm(project_id=self.project_id or 0, description=self.description.text().strip(),
                          level=self.level.currentData(), location=self.location.text().strip(),
                          measures=self.measures.text().strip(), contingency=self.contingency.text().strip(),
                          deadline=deadline, stop_work=self.stop_work.currentData())
        self._findings[self._next_pending] = Finding(self._next_pending, form=form)
        self._next_pending -= 1
        self._show_findings()
        for field in (self.location, self.description, self.measures, self.contingency):
            field.clear()
        self.deadline.set_value(None)
        self.description.setFocus()

    def _show_findings(self) -> None:
        self.finding_model.set_ids(list(self._findings))

    def _selected(self) -> Finding | None:
        index = self.findings.currentIndex()
        return self.finding_model.data(index, ROW_ROLE) if index.isValid() else None

    def _take_back(self) -> None:
        finding = self._selected()
        if finding is None or finding.form is None:
            return
        form = finding.form
        del self._findings[finding.id]
        self._show_findings()
        self.level.setCurrentIndex(self.level.findData(form.level))
        self.stop_work.setCurrentIndex(self.stop_work.findData(form.stop_work))
        self.location.setText(form.location)
        self.description.setText(form.description)
        self.measures.setText(form.measures)
        self.contingency.setText(form.contingency)
        self.deadline.set_value(form.deadline)
        self.description.setFocus()

    def _remove_pending(self) -> None:
        finding = self._selected()
        if finding is None or finding.form is None:
            return
        question = QCoreApplication.translate("InspectionDialog", "从清单中移除待登记的隐患“{text}”？").format(
            text=finding.form.description)
        if dialogs.ask(self, QCoreApplication.translate("InspectionDialog", "移除隐患"), question):
            del self._findings[finding.id]
            self._show_findings()

    def pending(self) -> list[HazardForm]:
        return [f.form for f in self._findings.values() if f.form is not None]

    # -- loading and saving -----------------------------------------------------------------

    def _load_existing(self) -> None:
        row = self.row
        assert row is not None
        self.sources_box.setVisible(row.kind == InspectionKind.FULL)
        checks = self.state.read(inspections.sources_to_verify, row.id)
        self._fill_sources([(s.risk_source_id, s.name, s.level, s.location, s.verified) for s in checks])
        self._show_recorded()

    def _form(self) -> InspectionForm:
        ids = tuple(i.data(Qt.ItemDataRole.UserRole) for i in (
            self.inspectors.item(n) for n in range(self.inspectors.count()))
            if i.checkState() == Qt.CheckState.Checked)
        kind = self.kind.currentData()
        return InspectionForm(
            project_id=self.project_id or 0, kind=kind, date=self.date.required_date("date"),
            stage_id=self.stage.currentData(),
            danger_item_id=self.danger.currentData() if kind == InspectionKind.DANDA else None,
            key_procedure=self.key_procedure.text() if kind == InspectionKind.KEY_PROCEDURE else "",
            inspector_ids=ids, summary=self.summary.toPlainText().strip(), weather=self.weather.text().strip())

    def save(self) -> bool:
        """Store what the dialog holds; a new inspection becomes a recorded one (header fixed)."""
        try:
            if self.row is None:
                saved = self.state.write(inspection_list.save_visit, form=self._form(), ticks=self.ticks(),
                                         findings=self.pending())
            else:
                saved = self.state.write(inspection_list.save_visit, inspection_id=self.row.id,
                                         ticks=self.ticks(), findings=self.pending())
        except ValidationError as exc:
            self._refused(i18n.field_texts(exc))
            return False
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
            return False
        self.errors.clear()
        if self.row is None:  # recorded now: the visit itself is no longer edited here
            self._header_box.setEnabled(False)
        self.saved, self.row = saved, saved.inspection
        self._level1 += [h.id for h in saved.hazards if h.level == 1]
        self._show_recorded()
        return True

    def accept(self) -> None:
        if not self.save():
            return
        if self._level1 and self.state.can("document.draft"):
            self._offer_letters()
            return
        super().accept()

    def _offer_letters(self) -> None:
        """Level-1 hazards were registered from the list: offer their stop-work letters now."""
        ids, self._level1 = self._level1, []
        text = QCoreApplication.translate(
            "InspectionDialog", "本次登记了 {n} 项一级隐患，须立即提出停工或局部停工建议，并于当日报告"
            "承保机构和属地建设主管部门。\n\n是否现在起草停工建议书？（草稿生成后交技术负责人签发）")
        if not dialogs.ask(self, QCoreApplication.translate("InspectionDialog", "停工建议书"),
                           text.format(n=len(ids))):
            super().accept()
            return
        run_service(self, self.state, documents.draft_stop_work_letters, ids,
                    store_dir=self.state.config.attachments_dir, work_dir=Path(tempfile.gettempdir()),
                    changes=Changes(documents=True),
                    label=QCoreApplication.translate("InspectionDialog", "正在起草停工建议书…"),
                    on_result=lambda _ids: QDialog.accept(self), on_error=self._letters_failed)

    def _letters_failed(self, exc: BaseException) -> None:
        handle_failure(self, exc)  # the visit and its hazards are saved; letters from each hazard's page
        QDialog.accept(self)

    def detailed_hazard(self) -> None:
        """The full hazard dialog, linked to this inspection (saved first when new)."""
        if (self.row is None or self.pending()) and not self.save():
            return
        assert self.row is not None
        if dialogs.run(HazardDialog(self.state, project_id=self.row.project_id, inspection_id=self.row.id,
                                    parent=self)):
            self._show_recorded()

    def photos_from_folder(self) -> None:
        """从文件夹导入照片: a folder's photos grouped onto new or recorded hazards of this visit."""
        if (self.row is None or self.pending()) and not self.save():
            return
        assert self.row is not None
        from desktop.ui.photo_folder_dialog import PhotoFolderDialog

        dialogs.run(PhotoFolderDialog(self.state, inspection_id=self.row.id,
                                      project_id=self.row.project_id, parent=self))
        self._show_recorded()

    def _show_recorded(self) -> None:
        assert self.row is not None
        self._findings.clear()
        for hazard in self.state.read(inspection_list.findings, self.row.id):
            self._findings[hazard.id] = Finding(hazard.id, hazard=hazard)
        self._show_findings()

    def _refused(self, fields: dict[str, str]) -> None:
        first = self.errors.show(fields)
        bad = next((k for k in fields if k.startswith("finding.")), None)
        if bad is not None:
            n = int(bad.split(".")[1])
            pending = [k for k, f in self._findings.items() if f.form is not None]
            self.findings.selectRow(self.finding_model.row_of(pending[n]))
        if first is not None:
            first.setFocus()

    def confirm(self) -> None:
        row = self.row
        if row is None:
            return
        try:
            self.row = self.state.write(inspections.confirm, row.id, site_person=self.site_person.text(),
                                        expected_version=row.version,
                                        changes=Changes().touch("inspections", row.id))
        except ValidationError as exc:
            self.errors.show(i18n.field_texts(exc))
            return
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
            return
        self.errors.clear()
        self.site_person.setReadOnly(True)
        self.confirm_button.setEnabled(False)
