"""What the checklist counts about service quality: complaints with their working-day reply
deadline, C-7d; accidents and missed major hazards, C-8; evaluations received from insurers and
authorities (C-7e/f). Three lists, each with the dialogs that record into it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import IntEnum

from PySide6.QtCore import QCoreApplication, QModelIndex, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import IncidentKind
from desktop.services import complaints, permissions
from desktop.services.complaints import ComplaintRow, EvaluationRow, IncidentRow
from desktop.services.context import PermissionDenied, ValidationError, now
from desktop.services.periods import parse as parse_period
from desktop.services.queries import compliance_view
from desktop.services.queries.compliance_view import ScopeChoices
from desktop.ui import dialogs, i18n
from desktop.ui.app_state import AppState
from desktop.ui.fee_ledger import GREY, ORANGE, RED, TintedRows
from desktop.ui.history_panel import table_view
from desktop.ui.lazy_model import CENTER, RIGHT, ROW_ROLE, Column
from desktop.ui.training_dialogs import RecordDialog, date_edit, project_combo, text_box
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.widgets import require_hooks


def period_text(label: str) -> str:
    """A stored period as people read it: 2026Q3 → 2026年第三季度."""
    try:
        return i18n.service_text(parse_period(label).chinese)
    except ValueError:
        return label


EVALUATOR_TEXT = {"insurer": QT_TRANSLATE_NOOP("QualityPanels", "承保机构"),
                  "authority": QT_TRANSLATE_NOOP("QualityPanels", "建设主管部门")}


def _tr(text: str) -> str:
    return QCoreApplication.translate("QualityPanels", text)


def today() -> dt.date:
    return now().date()


def _names(choices: ScopeChoices | None) -> dict[int, str]:
    return dict(choices.projects) if choices is not None else {}


class QualityPanel(QWidget):
    """A list with its buttons; it loads when first shown and after each of its own records."""

    recorded = Signal()  # something was recorded here: the checklist may read differently now
    action = ""  # the permission the panel's buttons need
    load: Callable[[], None]  # each panel reads its list into its table
    _enable: Callable[[], None]  # and enables the buttons the user's role allows

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        require_hooks(self, "load", "_enable")
        super().__init__(parent)
        self.state = state
        self.choices: ScopeChoices | None = None
        self._stale = True
        self.bar = QHBoxLayout()
        self.empty = QLabel()
        self.empty.setStyleSheet(f"color: {GREY}; padding: 6px 2px;")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 4, 0, 0)
        self.layout_.addLayout(self.bar)
        self.layout_.addWidget(self.empty)
        state.actor_changed.connect(self._actor_changed)
        state.changed.connect(self._mark_stale)

    def _button(self, text: str, slot: Callable[[], None], name: str) -> QPushButton:
        widget = QPushButton(text)
        widget.setObjectName(name)
        widget.clicked.connect(lambda _c=False: slot())
        self.bar.addWidget(widget)
        return widget

    def _actor_changed(self, _actor: object) -> None:
        self._enable()

    def _mark_stale(self, _changes: object = None) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        self._stale = False
        self.choices = self.state.read(compliance_view.scope_choices)
        self.load()
        self._enable()

    def _allowed(self) -> bool:
        """Whether the user may record here; a refusal is told through the dialogs seam."""
        try:
            permissions.require(self.state.actor, self.action)
        except PermissionDenied as exc:
            dialogs.show_error(self, exc)
            return False
        return True

    def _done(self) -> None:
        self.refresh()
        self.recorded.emit()


# -- complaints (C-7d) -------------------------------------------------------------------------


class ComplaintColumn(IntEnum):
    RECEIVED, COMPLAINANT, CHANNEL, PROJECT, CONTENT, CHECKING, DUE, REPLIED, STATE = range(9)


def complaint_state(r: ComplaintRow, day: dt.date) -> str:
    if r.replied_at is not None and r.replied_late and r.unloaded:  # late only against a guess
        return _tr(QT_TRANSLATE_NOOP("QualityPanels", "已答复（期限待核实）"))
    if r.replied_at is not None:
        return _tr(QT_TRANSLATE_NOOP("QualityPanels", "逾期答复")) if r.replied_late \
            else _tr(QT_TRANSLATE_NOOP("QualityPanels", "已答复"))
    if r.overdue(day):
        return _tr(QT_TRANSLATE_NOOP("QualityPanels", "已逾期 {n} 天")).format(n=(day - r.reply_due).days)
    return _tr(QT_TRANSLATE_NOOP("QualityPanels", "待答复"))


def due_text(day: dt.date, unloaded: tuple[int, ...]) -> str:
    """A working-day deadline; flagged when it crosses a year whose holiday notice is not loaded."""
    if not unloaded:
        return day.isoformat()
    return _tr(QT_TRANSLATE_NOOP("QualityPanels", "{date}（{years}年：该年度节假日安排未载入）")).format(
        date=day.isoformat(), years="、".join(str(y) for y in unloaded))


def complaint_colour(r: ComplaintRow, day: dt.date) -> str | None:
    if r.overdue(day):
        return RED
    if r.replied_late and not r.unloaded:
        return ORANGE
    return None


class ComplaintDialog(RecordDialog):
    """Log a complaint; the reply is due in 10 working days, 30 where facts must be checked."""

    def __init__(self, state: AppState, choices: ScopeChoices, parent: QWidget | None = None) -> None:
        super().__init__(state, _tr(QT_TRANSLATE_NOOP("QualityPanels", "登记投诉")), parent)
        self.received = date_edit(today())
        self.project = project_combo(choices.projects, everything=_tr(
            QT_TRANSLATE_NOOP("QualityPanels", "（不涉及具体项目）")))
        self.complainant = QLineEdit()
        self.channel = QLineEdit()
        self.channel.setPlaceholderText(_tr(QT_TRANSLATE_NOOP("QualityPanels", "如 电话、信函、12345 转办")))
        self.content = text_box("", 80)
        self.checking = QCheckBox(_tr(QT_TRANSLATE_NOOP("QualityPanels", "需核实情况（答复期限 30 个工作日）")))
        self.due = QLabel()
        self.due.setObjectName("complaintDue")
        self.add_fields([
            ("received_at", _tr(QT_TRANSLATE_NOOP("QualityPanels", "收到日期")), self.received),
            ("project_id", _tr(QT_TRANSLATE_NOOP("QualityPanels", "项目")), self.project),
            ("complainant", _tr(QT_TRANSLATE_NOOP("QualityPanels", "投诉人")), self.complainant),
            ("channel", _tr(QT_TRANSLATE_NOOP("QualityPanels", "渠道")), self.channel),
            ("content", _tr(QT_TRANSLATE_NOOP("QualityPanels", "投诉内容")), self.content),
            ("needs_checking", "", self.checking),
            ("reply_due", _tr(QT_TRANSLATE_NOOP("QualityPanels", "答复期限")), self.due)])
        self.received.dateChanged.connect(lambda _d: self.show_due())
        self.checking.toggled.connect(lambda _b: self.show_due())
        self.created: ComplaintRow | None = None
        self.show_due()
        self.content.setFocus()

    def show_due(self) -> None:
        """The deadline as the service will set it, counted in working days past holidays."""
        try:
            received = self.received.checked_date("received_at")
            due = self.state.read(complaints.reply_due, received,
                                  needs_checking=self.checking.isChecked())
        except dialogs.USER_ERRORS as exc:
            self.due.setText(i18n.error_text(exc))
            return
        self.due.setText(due_text(due.day, due.unloaded))

    def submit(self) -> None:
        self.created = self.state.write(
            complaints.record_complaint, received_at=self.received.checked_date("received_at"),
            content=self.content.toPlainText(), project_id=self.project.currentData(),
            complainant=self.complainant.text(), channel=self.channel.text(),
            needs_checking=self.checking.isChecked())


class ReplyDialog(RecordDialog):
    def __init__(self, state: AppState, complaint: ComplaintRow, parent: QWidget | None = None) -> None:
        super().__init__(state, _tr(QT_TRANSLATE_NOOP("QualityPanels", "答复投诉")), parent)
        self.complaint = complaint
        what = QLabel(complaint.content)
        what.setWordWrap(True)
        self.form.addRow(_tr(QT_TRANSLATE_NOOP("QualityPanels", "投诉内容")), what)
        self.form.addRow(_tr(QT_TRANSLATE_NOOP("QualityPanels", "答复期限")),
                         QLabel(due_text(complaint.reply_due, complaint.unloaded)))
        self.replied = date_edit(today())
        self.text = text_box(complaint.reply, 100)
        self.add_fields([
            ("replied_at", _tr(QT_TRANSLATE_NOOP("QualityPanels", "答复日期")), self.replied),
            ("reply", _tr(QT_TRANSLATE_NOOP("QualityPanels", "答复内容")), self.text)])
        self.text.setFocus()

    def submit(self) -> None:
        self.state.write(complaints.reply, self.complaint.id,
                         replied_at=self.replied.checked_date("replied_at"),
                         text=self.text.toPlainText(), expected_version=self.complaint.version)


class ComplaintsPanel(QualityPanel):
    action = "complaint.edit"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        day = today
        specs: dict[ComplaintColumn, Column[ComplaintRow]] = {
            ComplaintColumn.RECEIVED: Column(QT_TRANSLATE_NOOP("Columns", "收到日期"), lambda r: r.received_at, CENTER),
            ComplaintColumn.COMPLAINANT: Column(QT_TRANSLATE_NOOP("Columns", "投诉人"), lambda r: r.complainant),
            ComplaintColumn.CHANNEL: Column(QT_TRANSLATE_NOOP("Columns", "渠道"), lambda r: r.channel),
            ComplaintColumn.PROJECT: Column(QT_TRANSLATE_NOOP("Columns", "项目"),
                                            lambda r: _names(self.choices).get(r.project_id, "")
                                            if r.project_id is not None else ""),
            ComplaintColumn.CONTENT: Column(QT_TRANSLATE_NOOP("Columns", "投诉内容"), lambda r: r.content),
            ComplaintColumn.CHECKING: Column(QT_TRANSLATE_NOOP("Columns", "需核实"), lambda r: r.needs_checking,
                                             CENTER),
            ComplaintColumn.DUE: Column(QT_TRANSLATE_NOOP("Columns", "答复期限"),
                                        lambda r: due_text(r.reply_due, r.unloaded), CENTER),
            ComplaintColumn.REPLIED: Column(QT_TRANSLATE_NOOP("Columns", "答复日期"), lambda r: r.replied_at, CENTER),
            ComplaintColumn.STATE: Column(QT_TRANSLATE_NOOP("Columns", "状态"),
                                          lambda r: complaint_state(r, day()), CENTER),
        }
        self.model: TintedRows[ComplaintRow] = TintedRows(
            ComplaintColumn, specs, lambda r: complaint_colour(r, day()), self)
        self.table = table_view(self.model, stretch=ComplaintColumn.CONTENT)
        self.table.setObjectName("complaintTable")
        self.table.selectionModel().currentChanged.connect(lambda _c, _p: self._enable())
        self.table.activated.connect(lambda _i: self.reply_current())
        self.count = QLabel()
        self.count.setObjectName("complaintCount")
        self.open_only = QCheckBox(_tr(QT_TRANSLATE_NOOP("QualityPanels", "仅显示未答复(&U)")))
        self.open_only.toggled.connect(lambda _b: self.load())
        self.bar.addWidget(self.count, 1)
        self.bar.addWidget(self.open_only)
        self.record_button = self._button(_tr(QT_TRANSLATE_NOOP("QualityPanels", "登记投诉(&R)…")),
                                          self.record, "complaintRecord")
        self.reply_button = self._button(_tr(QT_TRANSLATE_NOOP("QualityPanels", "答复(&Y)…")),
                                         self.reply_current, "complaintReply")
        self.checking_button = self._button(_tr(QT_TRANSLATE_NOOP("QualityPanels", "改为需核实")),
                                            self.toggle_checking, "complaintChecking")
        self.layout_.addWidget(self.table, 1)

    def load(self) -> None:
        chosen = self.current()
        rows = self.state.read(complaints.complaints, open_only=self.open_only.isChecked())
        rows.reverse()  # newest first
        self.model.set_rows(rows)
        day = today()
        overdue = sum(1 for r in rows if r.overdue(day))
        self.count.setText(_tr(QT_TRANSLATE_NOOP("QualityPanels", "共 {n} 件，未答复 {open} 件，其中已逾期 {late} 件"))
                           .format(n=len(rows), open=sum(1 for r in rows if r.replied_at is None),
                                   late=overdue))
        self.count.setStyleSheet(f"color: {RED};" if overdue else "")
        self.empty.setText(_tr(QT_TRANSLATE_NOOP("QualityPanels", "没有投诉记录。")))
        self.empty.setVisible(not rows)
        if chosen is not None:
            self.select(chosen.id)
        self._enable()

    def current(self) -> ComplaintRow | None:
        index = self.table.currentIndex()
        return self.model.data(index, ROW_ROLE) if index.isValid() else None

    def select(self, complaint_id: int) -> None:
        for row, r in enumerate(self.model.rows()):
            if r.id == complaint_id:
                self.table.setCurrentIndex(self.model.index(row, 0))
                return
        self.table.setCurrentIndex(QModelIndex())

    def _enable(self) -> None:
        may = self.state.can(self.action)
        chosen = self.current()
        self.record_button.setEnabled(may)
        self.reply_button.setEnabled(may and chosen is not None)
        self.checking_button.setEnabled(may and chosen is not None and chosen.replied_at is None)
        self.checking_button.setText(
            _tr(QT_TRANSLATE_NOOP("QualityPanels", "改为无需核实")) if chosen is not None and chosen.needs_checking
            else _tr(QT_TRANSLATE_NOOP("QualityPanels", "改为需核实")))

    def record(self) -> None:
        if not self._allowed():
            return
        if self.choices is None:
            self.choices = self.state.read(compliance_view.scope_choices)
        dialog = ComplaintDialog(self.state, self.choices, self)
        if dialogs.run(dialog):
            self._done()
            if dialog.created is not None:
                self.select(dialog.created.id)

    def reply_current(self) -> None:
        chosen = self.current()
        if chosen is None or not self._allowed():
            return
        if dialogs.run(ReplyDialog(self.state, chosen, self)):
            self._done()
            self.select(chosen.id)

    def toggle_checking(self) -> None:
        """Facts need checking (or no longer): the deadline moves to 30 (or 10) working days."""
        chosen = self.current()
        if chosen is None or not self._allowed():
            return
        try:
            self.state.write(complaints.set_needs_checking, chosen.id, not chosen.needs_checking,
                             expected_version=chosen.version)
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
        self._done()
        self.select(chosen.id)


# -- incidents and missed major hazards (C-8) -------------------------------------------------


class IncidentColumn(IntEnum):
    DATE, PROJECT, KIND, DESCRIPTION, FOUND_BY, DEATHS, INJURIES = range(7)


class IncidentDialog(RecordDialog):
    """An accident during service, or a major hazard others found that the agency missed."""

    def __init__(self, state: AppState, choices: ScopeChoices, parent: QWidget | None = None) -> None:
        super().__init__(state, _tr(QT_TRANSLATE_NOOP("QualityPanels", "登记事故或漏判")), parent)
        self.project = project_combo(choices.projects)
        self.kind = QComboBox()
        for kind in IncidentKind:
            self.kind.addItem(i18n.label(kind), kind.value)
        self.occurred = date_edit(today())
        self.description = text_box("", 80)
        self.found_by = QLineEdit()
        self.found_by.setPlaceholderText(_tr(QT_TRANSLATE_NOOP("QualityPanels", "漏判时必填，如 属地建设主管部门")))
        self.fatalities, self.injuries = QSpinBox(), QSpinBox()
        for spin in (self.fatalities, self.injuries):
            spin.setRange(0, 999)
        self.add_fields([
            ("project_id", _tr(QT_TRANSLATE_NOOP("QualityPanels", "项目")), self.project),
            ("kind", _tr(QT_TRANSLATE_NOOP("QualityPanels", "类别")), self.kind),
            ("occurred_on", _tr(QT_TRANSLATE_NOOP("QualityPanels", "发生或发现日期")), self.occurred),
            ("description", _tr(QT_TRANSLATE_NOOP("QualityPanels", "经过与情况")), self.description),
            ("found_by", _tr(QT_TRANSLATE_NOOP("QualityPanels", "发现单位")), self.found_by),
            ("fatalities", _tr(QT_TRANSLATE_NOOP("QualityPanels", "死亡人数")), self.fatalities),
            ("injuries", _tr(QT_TRANSLATE_NOOP("QualityPanels", "重伤人数")), self.injuries)])
        self.created: IncidentRow | None = None
        self.description.setFocus()

    def submit(self) -> None:
        project_id = self.project.currentData()
        if project_id is None:
            raise ValidationError({"project_id": _tr(QT_TRANSLATE_NOOP("QualityPanels", "请选择项目"))})
        self.created = self.state.write(
            complaints.record_incident, project_id=project_id, kind=self.kind.currentData(),
            occurred_on=self.occurred.checked_date("occurred_on"),
            description=self.description.toPlainText(),
            found_by=self.found_by.text(), fatalities=self.fatalities.value(),
            injuries=self.injuries.value())


class IncidentsPanel(QualityPanel):
    action = "incident.edit"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        specs: dict[IncidentColumn, Column[IncidentRow]] = {
            IncidentColumn.DATE: Column(QT_TRANSLATE_NOOP("Columns", "日期"), lambda r: r.occurred_on, CENTER),
            IncidentColumn.PROJECT: Column(QT_TRANSLATE_NOOP("Columns", "项目"),
                                           lambda r: _names(self.choices).get(r.project_id, "")),
            IncidentColumn.KIND: Column(QT_TRANSLATE_NOOP("Columns", "类别"),
                                        lambda r: i18n.label(IncidentKind(r.kind)), CENTER),
            IncidentColumn.DESCRIPTION: Column(QT_TRANSLATE_NOOP("Columns", "经过与情况"), lambda r: r.description),
            IncidentColumn.FOUND_BY: Column(QT_TRANSLATE_NOOP("Columns", "发现单位"), lambda r: r.found_by),
            IncidentColumn.DEATHS: Column(QT_TRANSLATE_NOOP("Columns", "死亡"), lambda r: r.fatalities, RIGHT),
            IncidentColumn.INJURIES: Column(QT_TRANSLATE_NOOP("Columns", "重伤"), lambda r: r.injuries, RIGHT),
        }
        self.model: TintedRows[IncidentRow] = TintedRows(
            IncidentColumn, specs,
            lambda r: RED if r.kind == IncidentKind.LARGER_ACCIDENT.value else None, self)
        self.table = table_view(self.model, stretch=IncidentColumn.DESCRIPTION)
        self.table.setObjectName("incidentTable")
        self.count = QLabel()
        self.bar.addWidget(self.count, 1)
        self.record_button = self._button(_tr(QT_TRANSLATE_NOOP("QualityPanels", "登记事故或漏判(&I)…")),
                                          self.record, "incidentRecord")
        self.layout_.addWidget(self.table, 1)

    def load(self) -> None:
        rows = self.state.read(complaints.incidents)
        rows.reverse()
        self.model.set_rows(rows)
        self.count.setText(_tr(QT_TRANSLATE_NOOP("QualityPanels", "共 {n} 起（服务期间的事故与漏判重大隐患）"))
                           .format(n=len(rows)))
        self.empty.setText(_tr(QT_TRANSLATE_NOOP("QualityPanels", "没有事故或漏判记录。")))
        self.empty.setVisible(not rows)

    def _enable(self) -> None:
        self.record_button.setEnabled(self.state.can(self.action))

    def record(self) -> None:
        if not self._allowed():
            return
        if self.choices is None:
            self.choices = self.state.read(compliance_view.scope_choices)
        if dialogs.run(IncidentDialog(self.state, self.choices, self)):
            self._done()


# -- evaluations received (C-7e/f) ------------------------------------------------------------


class EvaluationColumn(IntEnum):
    RECEIVED, KIND, EVALUATOR, PERIOD, RESULT, RECOGNIZED, NOTE = range(7)


def evaluator_text(kind: str) -> str:
    return _tr(EVALUATOR_TEXT[kind]) if kind in EVALUATOR_TEXT else kind


class EvaluationDialog(RecordDialog):
    """An evaluation of the agency's service received from an insurer or an authority."""

    def __init__(self, state: AppState, choices: ScopeChoices, parent: QWidget | None = None) -> None:
        super().__init__(state, _tr(QT_TRANSLATE_NOOP("QualityPanels", "登记收到的评价")), parent)
        self.choices = choices
        self.kind = QComboBox()
        for value in EVALUATOR_TEXT:
            self.kind.addItem(evaluator_text(value), value)
        self.evaluator = QComboBox()
        self.period = QLineEdit(f"{today().year - (1 if today().month <= 6 else 0)}"
                                f"H{2 if today().month <= 6 else 1}")
        self.period.setPlaceholderText(_tr(QT_TRANSLATE_NOOP("QualityPanels", "如 2026H1、2026Q2、2026")))
        self.received = date_edit(today())
        self.result_text = QLineEdit()
        self.result_text.setPlaceholderText(_tr(QT_TRANSLATE_NOOP("QualityPanels", "如 优秀、合格、第 2 名")))
        self.recognized = QCheckBox(_tr(QT_TRANSLATE_NOOP("QualityPanels", "评价认可本机构的服务")))
        self.recognized.setChecked(True)
        self.note = text_box("", 64)
        self.add_fields([
            ("evaluator_kind", _tr(QT_TRANSLATE_NOOP("QualityPanels", "评价单位类型")), self.kind),
            ("evaluator_id", _tr(QT_TRANSLATE_NOOP("QualityPanels", "评价单位")), self.evaluator),
            ("period", _tr(QT_TRANSLATE_NOOP("QualityPanels", "评价期间")), self.period),
            ("received_on", _tr(QT_TRANSLATE_NOOP("QualityPanels", "收到日期")), self.received),
            ("result", _tr(QT_TRANSLATE_NOOP("QualityPanels", "评价结果")), self.result_text),
            ("recognized", "", self.recognized),
            ("note", _tr(QT_TRANSLATE_NOOP("QualityPanels", "说明")), self.note)])
        self.kind.currentIndexChanged.connect(lambda _i: self._fill_evaluators())
        self._fill_evaluators()
        self.created: EvaluationRow | None = None
        self.result_text.setFocus()

    def _fill_evaluators(self) -> None:
        self.evaluator.clear()
        self.evaluator.addItem(_tr(QT_TRANSLATE_NOOP("QualityPanels", "（未指定）")), None)
        options = self.choices.insurers if self.kind.currentData() == "insurer" else self.choices.authorities
        for value, text in options:
            self.evaluator.addItem(text, value)
        self.evaluator.setCurrentIndex(1 if len(options) == 1 else 0)

    def submit(self) -> None:
        self.created = self.state.write(
            complaints.record_evaluation, evaluator_kind=self.kind.currentData(),
            evaluator_id=self.evaluator.currentData(), period=self.period.text(),
            received_on=self.received.checked_date("received_on"), result=self.result_text.text(),
            recognized=self.recognized.isChecked(), note=self.note.toPlainText())


class EvaluationsPanel(QualityPanel):
    action = "compliance.answer"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        specs: dict[EvaluationColumn, Column[EvaluationRow]] = {
            EvaluationColumn.RECEIVED: Column(QT_TRANSLATE_NOOP("Columns", "收到日期"), lambda r: r.received_on,
                                              CENTER),
            EvaluationColumn.KIND: Column(QT_TRANSLATE_NOOP("Columns", "评价单位类型"),
                                          lambda r: evaluator_text(r.evaluator_kind), CENTER),
            EvaluationColumn.EVALUATOR: Column(QT_TRANSLATE_NOOP("Columns", "评价单位"), lambda r: r.evaluator_name),
            EvaluationColumn.PERIOD: Column(QT_TRANSLATE_NOOP("Columns", "评价期间"),
                                            lambda r: period_text(r.period), CENTER),
            EvaluationColumn.RESULT: Column(QT_TRANSLATE_NOOP("Columns", "评价结果"), lambda r: r.result),
            EvaluationColumn.RECOGNIZED: Column(QT_TRANSLATE_NOOP("Columns", "认可"), lambda r: r.recognized, CENTER),
            EvaluationColumn.NOTE: Column(QT_TRANSLATE_NOOP("Columns", "说明"), lambda r: r.note),
        }
        self.model: TintedRows[EvaluationRow] = TintedRows(
            EvaluationColumn, specs, lambda r: None if r.recognized else RED, self)
        self.table = table_view(self.model, stretch=EvaluationColumn.NOTE)
        self.table.setObjectName("evaluationTable")
        self.count = QLabel()
        self.bar.addWidget(self.count, 1)
        self.record_button = self._button(_tr(QT_TRANSLATE_NOOP("QualityPanels", "登记评价(&E)…")),
                                          self.record, "evaluationRecord")
        self.layout_.addWidget(self.table, 1)

    def load(self) -> None:
        rows = self.state.read(complaints.evaluations)
        rows.reverse()
        self.model.set_rows(rows)
        # an insurer's full name (often 20 characters) whole, up to about 24 characters wide
        self.table.resizeColumnToContents(EvaluationColumn.EVALUATOR)
        widest = self.table.fontMetrics().height() * 24
        if self.table.columnWidth(EvaluationColumn.EVALUATOR) > widest:
            self.table.setColumnWidth(EvaluationColumn.EVALUATOR, widest)
        self.count.setText(_tr(QT_TRANSLATE_NOOP("QualityPanels", "共 {n} 份，其中不认可 {bad} 份"))
                           .format(n=len(rows), bad=sum(1 for r in rows if not r.recognized)))
        self.empty.setText(_tr(QT_TRANSLATE_NOOP("QualityPanels", "尚未登记承保机构或建设主管部门的评价。")))
        self.empty.setVisible(not rows)

    def _enable(self) -> None:
        self.record_button.setEnabled(self.state.can(self.action))

    def record(self) -> None:
        if not self._allowed():
            return
        if self.choices is None:
            self.choices = self.state.read(compliance_view.scope_choices)
        if dialogs.run(EvaluationDialog(self.state, self.choices, self)):
            self._done()
