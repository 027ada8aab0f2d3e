"""Training and drill forms: a session with attendance by project and group, the training plan,
emergency-plan help, a drill and its evaluation; and what the archive and compliance forms share
with them (field problems beside the field, refusals through the dialogs seam, file choosers,
document drafts printed on a worker)."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services import training
from desktop.services.context import Changes, ValidationError
from desktop.services.queries.training_view import DrillListRow, HalfYearRow, ProjectChoice
from desktop.services.training import (
    ASSIST_KINDS,
    BASES,
    RATINGS,
    Attendance,
    SessionRow,
    TrainingPlanRow,
)
from desktop.ui import dialogs, file_dialogs, pdf_viewer
from desktop.ui.app_state import AppState
from desktop.ui.date_field import DateField, today
from desktop.ui.i18n import field_texts
from desktop.ui.roster_editor import RosterEditor
from desktop.ui.tasks import Task, run_service
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.user_dialogs import ServiceDialog
from desktop.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from desktop.services.documents import DocumentRow

RATING_TEXT = dict(zip(RATINGS, (  # the service's values, in its order: 优 良 中 差
    QT_TRANSLATE_NOOP("TrainingDialogs", "优"), QT_TRANSLATE_NOOP("TrainingDialogs", "良"),
    QT_TRANSLATE_NOOP("TrainingDialogs", "中"), QT_TRANSLATE_NOOP("TrainingDialogs", "差")),
    strict=True))
BASIS_TEXT = {"contract": QT_TRANSLATE_NOOP("TrainingDialogs", "按合同约定"),
              "half_year": QT_TRANSLATE_NOOP("TrainingDialogs", "每半年集中培训")}
ASSIST_TEXT = {"draft_provided": QT_TRANSLATE_NOOP("TrainingDialogs", "协助编制应急预案"),
               "written_suggestions": QT_TRANSLATE_NOOP("TrainingDialogs", "书面修改建议")}


def _tr(text: str) -> str:
    return QCoreApplication.translate("TrainingDialogs", text)


# -- shared by the training, archive and compliance forms --------------------------------------


def date_edit(day: dt.date | None = None) -> DateField:
    """A required date, today unless given; read it with `required_date(key)`."""
    return DateField(day or today())


def text_box(text: str = "", height: int = 64) -> QPlainTextEdit:
    box = QPlainTextEdit(text)
    box.setTabChangesFocus(True)  # Tab leaves the box: the form stays keyboard-operable
    box.setFixedHeight(height)
    return box


def compact(combo: QComboBox, characters: int = 10) -> QComboBox:
    """A filter whose width does not follow its longest entry: a page must fit a small window."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)
    return combo


def project_combo(choices: Sequence[tuple[int, str]], current: int | None = None,
                  everything: str = "") -> QComboBox:
    """Projects by "code name", searchable by typing any part; `everything` adds a None first."""
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    if everything:
        combo.addItem(everything, None)
    for value, text in choices:
        combo.addItem(text, value)
    completer = combo.completer()
    assert completer is not None  # an editable combo box has one
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    combo.setMinimumWidth(260)
    return combo


def button(text: str, slot: Callable[[], object], name: str) -> QPushButton:
    widget = QPushButton(text)
    widget.setObjectName(name)
    widget.clicked.connect(lambda _c=False: slot())
    return widget


def choice_texts(choices: Sequence[ProjectChoice]) -> list[tuple[int, str]]:
    return [(c.id, f"{c.code} {c.name}") for c in choices]


def choose_open_file(parent: QWidget | None, title: str, filters: str) -> str:
    """A file picked to read, or "" when cancelled (a seam: tests replace it)."""
    return file_dialogs.open_file(parent, title, filters)


def choose_save_file(parent: QWidget | None, title: str, name: str, filters: str) -> str:
    """Where to write a file, or "" when cancelled (a seam: tests replace it)."""
    return file_dialogs.save_file(parent, title, name, filters)


class RecordDialog(ServiceDialog):
    """A form calling one service on OK. What the user can put right here is shown beside its
    field; a refusal the form cannot change (a rule, a permission, someone else's save) is told
    through the dialogs seam and the form closes."""

    def __init__(self, state: AppState, title: str, parent: QWidget | None = None) -> None:
        super().__init__(state, title, parent)
        self.field_errors: dict[str, ErrorLabel] = {}
        self.field_widgets: dict[str, QWidget] = {}
        self.refused = False

    def add_field(self, key: str, label: str, widget: QWidget) -> QWidget:
        self.form.addRow(label, widget)
        error = ErrorLabel()
        self.form.addRow("", error)
        self.form.setRowVisible(error, False)
        self.field_errors[key] = error
        self.field_widgets[key] = widget
        return widget

    def add_fields(self, rows: Sequence[tuple[str, str, QWidget]]) -> None:
        for key, label, widget in rows:
            self.add_field(key, label, widget)

    def show_field_errors(self, fields: dict[str, str]) -> None:
        for key, label in self.field_errors.items():
            label.show_message(fields.get(key, ""))
            self.form.setRowVisible(label, key in fields)
        first = next((self.field_widgets[k] for k in fields if k in self.field_widgets), None)
        if first is not None:
            first.setFocus()

    def accept(self) -> None:
        try:
            self.submit()
        except ValidationError as exc:
            if set(exc.fields) <= set(self.field_errors):
                self.error.show_message("")
                self.show_field_errors(field_texts(exc))
            else:
                self._refuse(exc)
            return
        except dialogs.USER_ERRORS as exc:
            self._refuse(exc)
            return
        super(ServiceDialog, self).accept()

    def _refuse(self, exc: BaseException) -> None:
        self.refused = True
        dialogs.show_error(self, exc)
        self.reject()


def draft_document(parent: QWidget, state: AppState, *, kind: str, scope_type: str,
                   scope_id: int | None, period: str = "") -> Task:
    """Generate a record's document draft on a worker (signed later on the documents page),
    then offer to open it."""
    # the document stack (its data and wording) loads on the first draft, not with the page
    from desktop.services import documents

    def drafted(doc: DocumentRow) -> None:
        text = _tr(QT_TRANSLATE_NOOP(
            "TrainingDialogs", "已生成“{title}”草稿，可在文书页签发。是否现在打开查看？"))
        if dialogs.ask(parent, _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "文书草稿")),
                       text.format(title=doc.title)):
            try:
                stored = documents.file_path(state.config.attachments_dir, doc)
            except dialogs.USER_ERRORS as exc:
                dialogs.show_error(parent, exc)
                return
            pdf_viewer.show_pdf(stored, doc.title, parent)

    return run_service(parent, state, documents.generate_draft, kind=kind, scope_type=scope_type,
                       scope_id=scope_id, period=period, store_dir=state.config.attachments_dir,
                       work_dir=Path(tempfile.gettempdir()), changes=Changes(documents=True),
                       label=_tr(QT_TRANSLATE_NOOP("TrainingDialogs", "正在生成文书草稿…")),
                       on_result=drafted)


# -- training ------------------------------------------------------------------------------------


class AttendanceEditor(QWidget):
    """One row per project: managers and workers who attended, the headcount (the named people
    are the roster's, below). With `removable`, a recorded project's line may be taken off too
    (editing a session)."""

    def __init__(self, choices: Sequence[ProjectChoice],
                 existing: Sequence[Attendance] = (), *, removable: bool = False) -> None:
        super().__init__()
        self.choices = {c.id: c for c in choices}
        self.removable = removable
        self.named: dict[int, tuple[int, int]] = {}
        self.rows: list[tuple[QComboBox, QSpinBox, QSpinBox, QLabel, Attendance | None]] = []
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        for column, text in enumerate((
                QT_TRANSLATE_NOOP("TrainingDialogs", "参训项目"),
                QT_TRANSLATE_NOOP("TrainingDialogs", "管理人员"),
                QT_TRANSLATE_NOOP("TrainingDialogs", "作业人员"),
                QT_TRANSLATE_NOOP("TrainingDialogs", "项目登记人数"))):
            self.grid.addWidget(QLabel(_tr(text)), 0, column)
        self.add_button = QPushButton(_tr(QT_TRANSLATE_NOOP("TrainingDialogs", "添加参训项目(&A)")))
        self.add_button.clicked.connect(lambda: self.add_row())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.grid)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        for item in existing:
            self.add_row(item)

    def add_row(self, existing: Attendance | None = None,
                project_id: int | None = None) -> QComboBox:
        row = self.grid.rowCount()
        combo = project_combo(choice_texts(list(self.choices.values())),
                              existing.project_id if existing else project_id)
        combo.setEnabled(existing is None)  # a recorded project's line is corrected, not moved
        managers, workers = QSpinBox(), QSpinBox()
        for spin, value in ((managers, existing.managers if existing else 0),
                            (workers, existing.workers if existing else 0)):
            spin.setRange(0, 100_000)
            spin.setValue(value)
        heads = QLabel()
        combo.currentIndexChanged.connect(lambda _i, c=combo, h=heads: self._show_heads(c, h))
        combo.currentIndexChanged.connect(lambda _i: self.follow_roster(self.named))
        self._show_heads(combo, heads)
        for column, widget in enumerate((combo, managers, workers, heads)):
            self.grid.addWidget(widget, row, column)
        # a new line beside others may go again; a recorded one only when editing the session
        if self.removable if existing is not None else bool(self.rows):
            remove = QToolButton()
            remove.setText(_tr(QT_TRANSLATE_NOOP("TrainingDialogs", "移除")))
            remove.clicked.connect(lambda _c=False, c=combo, b=remove: self._remove_line(c, b))
            self.grid.addWidget(remove, row, 4)
        self.rows.append((combo, managers, workers, heads, existing))
        combo.setFocus()
        return combo

    def _remove_line(self, combo: QComboBox, button: QToolButton) -> None:
        self.remove_row(combo)
        button.deleteLater()

    def remove_row(self, combo: QComboBox) -> None:
        for entry in self.rows:
            if entry[0] is combo:
                for widget in entry[:4]:
                    widget.deleteLater()
                self.rows.remove(entry)
                return

    def follow_roster(self, counts: dict[int, tuple[int, int]]) -> None:
        """A project with people on the roster attended with those people: its counts are the
        roster's and cannot be typed."""
        self.named = counts
        for combo, managers, workers, _heads, _existing in self.rows:
            named = counts.get(combo.currentData())
            for spin, value in ((managers, named[0] if named else None),
                                (workers, named[1] if named else None)):
                spin.setEnabled(named is None)
                if value is not None:
                    spin.setValue(value)

    def _show_heads(self, combo: QComboBox, label: QLabel) -> None:
        choice = self.choices.get(combo.currentData())
        label.setText(_tr(QT_TRANSLATE_NOOP("TrainingDialogs", "管理 {m} 人 / 作业 {w} 人")).format(
            m=choice.headcount_managers, w=choice.headcount_workers) if choice else "")

    def items(self) -> list[Attendance]:
        # names typed in earlier versions stay with the line they came with
        return [Attendance(combo.currentData(), managers.value(), workers.value(),
                           existing.roster if existing is not None else "")
                for combo, managers, workers, _heads, existing in self.rows
                if combo.currentData() is not None]


class SessionDialog(RecordDialog):
    """A new session with its attendance; for a recorded one, the same form filled in: its
    details and attendance corrected (projects added or taken off), saved over its version."""

    def __init__(self, state: AppState, choices: Sequence[ProjectChoice], *,
                 row: SessionRow | None = None, project_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        title = _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "登记培训")) if row is None else _tr(
            QT_TRANSLATE_NOOP("TrainingDialogs", "修改培训记录：{topic}")).format(topic=row.topic)
        super().__init__(state, title, parent)
        self.row = row
        self.saved: SessionRow | None = None
        self.date = date_edit(row.date if row else None)
        self.topic = QLineEdit(row.topic if row else "")
        self.categories = QLineEdit("、".join(row.categories) if row else "")
        self.categories.setPlaceholderText(_tr(QT_TRANSLATE_NOOP(
            "TrainingDialogs", "针对的隐患类别，如：高处坠落、基坑工程")))
        self.trainer = QLineEdit(row.trainer if row else "")
        self.hours = QDoubleSpinBox()
        self.hours.setRange(0.5, 24)
        self.hours.setSingleStep(0.5)
        self.hours.setDecimals(1)
        self.hours.setValue(float(row.duration_hours) if row else 2.0)
        self.location = QLineEdit(row.location if row else "")
        self.centralized = QCheckBox(_tr(QT_TRANSLATE_NOOP(
            "TrainingDialogs", "集中培训（计入每半年一次的集中培训）")))
        self.centralized.setChecked(row.centralized if row else True)
        self.materials = text_box(row.materials if row else "")
        self.content = text_box(row.content if row else "", 56)
        self.content.setPlaceholderText(_tr(QT_TRANSLATE_NOOP(
            "TrainingDialogs", "讲授的内容和要点，如：安全带“高挂低用”、临边洞口防护")))
        facts = (("date", QT_TRANSLATE_NOOP("TrainingDialogs", "培训日期"), self.date),
                 ("topic", QT_TRANSLATE_NOOP("TrainingDialogs", "培训主题"), self.topic),
                 ("categories", QT_TRANSLATE_NOOP("TrainingDialogs", "针对类别"), self.categories),
                 ("trainer", QT_TRANSLATE_NOOP("TrainingDialogs", "授课人"), self.trainer),
                 ("duration_hours", QT_TRANSLATE_NOOP("TrainingDialogs", "学时（小时）"), self.hours),
                 ("location", QT_TRANSLATE_NOOP("TrainingDialogs", "地点"), self.location),
                 ("centralized", "", self.centralized),
                 ("content", QT_TRANSLATE_NOOP("TrainingDialogs", "培训内容"), self.content),
                 ("materials", QT_TRANSLATE_NOOP("TrainingDialogs", "培训材料"), self.materials))
        self.add_fields([(key, _tr(label) if label else "", widget)
                         for key, label, widget in facts])
        self.attendance = AttendanceEditor(choices, row.attendance if row else (),
                                           removable=row is not None)
        if row is None:
            self.attendance.add_row(project_id=project_id)
        self.add_field("attendance", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "参训人员")),
                       self.attendance)
        self.roster = RosterEditor(choices, [a.form() for a in row.attendees] if row else (),
                                   project_id if row is None else (
                                       row.attendance[0].project_id if row.attendance else None))
        self.add_field("attendees", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "签到名单")), self.roster)
        self.roster.counts_changed.connect(self.attendance.follow_roster)
        self.attendance.follow_roster(self.roster.counts())
        self.setMinimumWidth(820)
        self.topic.setFocus()

    def submit(self) -> None:
        changes = Changes(training=True)
        form = training.SessionForm(
            self.date.required_date("date"), self.topic.text(),
            training.split_categories(self.categories.text()), self.trainer.text(),
            f"{self.hours.value():.1f}", self.location.text(), self.centralized.isChecked(),
            self.materials.toPlainText(), self.content.toPlainText())
        if self.row is None:
            self.saved = self.state.write(training.record_session, form, self.attendance.items(),
                                          self.roster.forms(), changes=changes)
        else:
            self.saved = self.state.write(training.update_session, self.row.id, form,
                                          self.attendance.items(),
                                          expected_version=self.row.version,
                                          attendees=self.roster.forms(), changes=changes)


class DeleteSessionDialog(RecordDialog):
    def __init__(self, state: AppState, row: SessionRow, parent: QWidget | None = None) -> None:
        super().__init__(state, _tr(QT_TRANSLATE_NOOP(
            "TrainingDialogs", "删除培训记录：{topic}")).format(topic=row.topic), parent)
        self.row = row
        self.reason = QLineEdit()
        self.add_field("reason", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "删除原因")), self.reason)

    def submit(self) -> None:
        self.state.write(training.delete_session, self.row.id, expected_version=self.row.version,
                         reason=self.reason.text(), changes=Changes(training=True))


class PlanDialog(RecordDialog):
    """The project's training plan: sessions per half-year by contract, or one centralized."""

    def __init__(self, state: AppState, project: HalfYearRow, plan: TrainingPlanRow | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(state, _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "培训计划：{name}")).format(
            name=project.name), parent)
        self.project = project
        self.basis = QComboBox()
        for value in BASES:
            self.basis.addItem(_tr(BASIS_TEXT[value]), value)
        self.basis.setCurrentIndex(max(0, self.basis.findData(plan.basis if plan else "half_year")))
        self.sessions = QSpinBox()
        self.sessions.setRange(1, 50)
        self.sessions.setValue(plan.planned_sessions if plan else 2)
        self.topics = text_box(plan.topics if plan else "")
        self.note = QLineEdit(plan.note if plan else "")
        self.add_fields([
            ("basis", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "培训依据")), self.basis),
            ("planned_sessions", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "每半年培训次数")),
             self.sessions),
            ("topics", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "计划内容")), self.topics),
            ("note", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "备注")), self.note)])
        self.basis.currentIndexChanged.connect(self._basis_changed)
        self._basis_changed()

    def _basis_changed(self) -> None:
        self.sessions.setEnabled(self.basis.currentData() == "contract")

    def submit(self) -> None:
        self.state.write(training.set_plan, self.project.id, basis=self.basis.currentData(),
                         planned_sessions=self.sessions.value(), topics=self.topics.toPlainText(),
                         note=self.note.text(), changes=Changes(training=True))


def _project_or_refuse(combo: QComboBox) -> int:
    if combo.currentData() is None:
        raise ValidationError({"project": _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "请选择项目"))})
    project_id: int = combo.currentData()
    return project_id


class AssistDialog(RecordDialog):
    """Help with the insured's emergency plan: a draft provided or written suggestions (C-5a)."""

    def __init__(self, state: AppState, choices: Sequence[ProjectChoice],
                 project_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(state, _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "登记应急预案协助")), parent)
        self.project = project_combo(choice_texts(choices), project_id)
        self.kind = QComboBox()
        for value in ASSIST_KINDS:
            self.kind.addItem(_tr(ASSIST_TEXT[value]), value)
        self.date = date_edit()
        self.title_field = QLineEdit()
        self.title_field.setPlaceholderText(_tr(QT_TRANSLATE_NOOP(
            "TrainingDialogs", "如：生产安全事故综合应急预案")))
        self.summary = text_box()
        self.summary.setPlaceholderText(_tr(QT_TRANSLATE_NOOP(
            "TrainingDialogs", "每行一条建议，可在句末注明依据，如：补充塔吊倒塌处置程序（依据：《生产安全事故应急预案管理办法》）")))
        self.add_fields([
            ("project", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "项目")), self.project),
            ("kind", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "协助方式")), self.kind),
            ("date", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "日期")), self.date),
            ("title", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "应急预案名称")), self.title_field),
            ("summary", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "主要建议")), self.summary)])

    def submit(self) -> None:
        self.state.write(training.record_assist, _project_or_refuse(self.project),
                         kind=self.kind.currentData(), date=self.date.checked_date("date"),
                         title=self.title_field.text(), summary=self.summary.toPlainText(),
                         changes=Changes(training=True))


class DrillDialog(RecordDialog):
    def __init__(self, state: AppState, choices: Sequence[ProjectChoice],
                 project_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(state, _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "登记应急演练")), parent)
        self.project = project_combo(choice_texts(choices), project_id)
        self.date = date_edit()
        self.scenario = QLineEdit()
        self.scenario.setPlaceholderText(_tr(QT_TRANSLATE_NOOP(
            "TrainingDialogs", "如：高处坠落、基坑坍塌、火灾")))
        self.location = QLineEdit()
        self.participants = QSpinBox()
        self.participants.setRange(0, 100_000)
        self.organiser = QLineEdit()
        self.observations = text_box(height=80)
        self.add_fields([
            ("project", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "项目")), self.project),
            ("date", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "演练日期")), self.date),
            ("scenario", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "演练科目")), self.scenario),
            ("location", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "地点")), self.location),
            ("participants", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "参演人数")),
             self.participants),
            ("organiser", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "组织单位/负责人")),
             self.organiser),
            ("observations", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "演练过程记录")),
             self.observations)])

    def submit(self) -> None:
        self.state.write(training.record_drill, training.DrillForm(
            _project_or_refuse(self.project), self.date.required_date("date"), self.scenario.text(),
            self.location.text(), self.participants.value(), self.organiser.text(),
            self.observations.toPlainText()), changes=Changes(training=True))


class EvaluateDrillDialog(RecordDialog):
    """The agency's evaluation of the drill (C-5b): how it went, problems, improvements, rating."""

    def __init__(self, state: AppState, drill: DrillListRow, parent: QWidget | None = None) -> None:
        super().__init__(state, _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "演练评估：{scenario}")).format(
            scenario=drill.scenario), parent)
        self.drill = drill
        facts = QLabel(_tr(QT_TRANSLATE_NOOP(
            "TrainingDialogs", "{project}　{date}　参演 {n} 人")).format(
            project=drill.project_name, date=drill.date.isoformat(), n=drill.participants))
        facts.setWordWrap(True)
        self.form.addRow(_tr(QT_TRANSLATE_NOOP("TrainingDialogs", "演练")), facts)
        record = QLabel(drill.observations
                        or _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "（未记录演练过程）")))
        record.setWordWrap(True)
        record.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form.addRow(_tr(QT_TRANSLATE_NOOP("TrainingDialogs", "过程记录")), record)
        self.evaluation = text_box(drill.evaluation, 90)
        self.findings = text_box(drill.findings)
        self.improvements = text_box(drill.improvements)
        self.rating = QComboBox()
        self.rating.addItem(_tr(QT_TRANSLATE_NOOP("TrainingDialogs", "请选择")), "")
        for value in RATINGS:
            self.rating.addItem(_tr(RATING_TEXT[value]), value)
        self.rating.setCurrentIndex(max(0, self.rating.findData(drill.rating)))
        self.add_fields([
            ("evaluation", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "成效评估")), self.evaluation),
            ("findings", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "发现的问题")), self.findings),
            ("improvements", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "改进措施")),
             self.improvements),
            ("rating", _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "评价等级")), self.rating)])
        self.setMinimumWidth(560)
        self.evaluation.setFocus()

    def submit(self) -> None:
        self.state.write(training.evaluate_drill, self.drill.id,
                         evaluation=self.evaluation.toPlainText(),
                         rating=self.rating.currentData(), findings=self.findings.toPlainText(),
                         improvements=self.improvements.toPlainText(),
                         expected_version=self.drill.version, changes=Changes(training=True))
