"""One small dialog per lifecycle step of a hazard, and the dialog that records a report made.

Each calls its service on OK with the version the page showed; a refusal stays in the dialog
beside the field, a conflict (someone else saved first) closes it with a message so the page
reloads what is now true.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import AttachmentRole, Recipient, ReportReason
from desktop.services import hazards
from desktop.services.context import Changes, ConflictError, ValidationError, msg
from desktop.services.hazards import HazardRow, ReportRow
from desktop.ui import dialogs, i18n
from desktop.ui.app_state import AppState
from desktop.ui.date_field import DateField, DateTimeField, today
from desktop.ui.photo_strip import PhotoStrip
from desktop.ui.register_filters import level_combo
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.user_dialogs import ServiceDialog
from desktop.ui.widgets import ErrorLabel

# step and event names as the interface shows them (services.hazards.STEPS has the same words)
STEP_LABELS = {
    "issue_notice": QT_TRANSLATE_NOOP("HazardActions", "下发整改通知"),
    "record_delivery": QT_TRANSLATE_NOOP("HazardActions", "登记通知送达"),
    "submit_closure": QT_TRANSLATE_NOOP("HazardActions", "登记销项申请"),
    "verify_close": QT_TRANSLATE_NOOP("HazardActions", "复查销项"),
    "reject": QT_TRANSLATE_NOOP("HazardActions", "复查退回"),
    "escalate": QT_TRANSLATE_NOOP("HazardActions", "登记拒不整改/拖延整改"),
    "cancel": QT_TRANSLATE_NOOP("HazardActions", "撤销隐患"),
}
EVENT_LABELS = {**STEP_LABELS, "recorded": QT_TRANSLATE_NOOP("HazardActions", "登记隐患"),
                "reported": QT_TRANSLATE_NOOP("HazardActions", "登记对外报告"),
                "major_review": QT_TRANSLATE_NOOP("HazardActions", "经复核不属于重大事故隐患")}
CHANNELS = (QT_TRANSLATE_NOOP("HazardActions", "电话"), QT_TRANSLATE_NOOP("HazardActions", "传真"),
            QT_TRANSLATE_NOOP("HazardActions", "邮件"), QT_TRANSLATE_NOOP("HazardActions", "系统"),
            QT_TRANSLATE_NOOP("HazardActions", "书面"))


def step_label(name: str) -> str:
    return QCoreApplication.translate("HazardActions", EVENT_LABELS.get(name, name))


def moment_field() -> DateTimeField:
    return DateTimeField()


def moment_of(edit: DateTimeField, key: str = "at") -> dt.datetime:
    """The moment typed, or ValidationError beside the field when it cannot be read."""
    return edit.checked_value(key)


def note_field(placeholder: str = "") -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * 3 + 14)
    box.setPlaceholderText(placeholder)
    return box


class StepDialog(ServiceDialog):
    """A form for one step of one hazard; messages beside their fields."""

    step = ""

    def __init__(self, state: AppState, hazard: HazardRow, parent: QWidget | None = None) -> None:
        title = QCoreApplication.translate("HazardActions", "{step}：{number}")
        super().__init__(state, title.format(step=step_label(self.step), number=hazard.number), parent)
        self.hazard = hazard
        self.conflicted = False
        self.result_row: HazardRow | None = None
        self.errors: dict[str, ErrorLabel] = {}
        self.at = moment_field()

    def row(self, label: str, widget: QWidget, key: str) -> None:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(widget)
        self.errors[key] = ErrorLabel()
        column.addWidget(self.errors[key])
        self.form.addRow(label, box)

    def time_row(self) -> None:
        self.row(QCoreApplication.translate("HazardActions", "时间"), self.at, "at")

    def write(self, fn: Any, **kwargs: Any) -> HazardRow:
        changes = Changes(hazards=True, reports=True).touch("hazards", self.hazard.id)
        self.result_row = self.state.write(fn, self.hazard.id, expected_version=self.hazard.version,
                                           changes=changes, **kwargs)
        return self.result_row

    def accept(self) -> None:
        for label in self.errors.values():
            label.show_message("")
        self.error.show_message("")
        try:
            self.submit()
        except ConflictError as exc:
            self.conflicted = True
            dialogs.show_error(self, exc)
            QDialog.reject(self)
            return
        except ValidationError as exc:
            for key, text in i18n.field_texts(exc).items():
                self.errors.get(key, self.error).show_message(text)
            return
        except dialogs.USER_ERRORS as exc:
            self.error.show_message(i18n.error_text(exc))
            return
        QDialog.accept(self)


class IssueNoticeDialog(StepDialog):
    step = "issue_notice"

    def __init__(self, state: AppState, hazard: HazardRow, parent: QWidget | None = None) -> None:
        super().__init__(state, hazard, parent)
        self.note = note_field()
        if hazard.level == 1:
            hint = QLabel(QCoreApplication.translate(
                "HazardActions",
                "一级隐患：同时出具停工（局部停工）建议书，并于当日报告承保机构和主管部门。"))
            hint.setWordWrap(True)
            self.form.addRow(hint)
        self.time_row()
        self.row(QCoreApplication.translate("HazardActions", "备注"), self.note, "note")

    def submit(self) -> None:
        self.write(hazards.issue_notice, at=moment_of(self.at), note=self.note.toPlainText())


class DeliveryDialog(StepDialog):
    step = "record_delivery"

    def __init__(self, state: AppState, hazard: HazardRow, parent: QWidget | None = None) -> None:
        super().__init__(state, hazard, parent)
        self.received_by = QLineEdit()
        self.note = note_field()
        self.row(
            QCoreApplication.translate("HazardActions", "签收人 *"), self.received_by, "received_by")
        self.time_row()
        self.row(QCoreApplication.translate("HazardActions", "备注"), self.note, "note")

    def submit(self) -> None:
        self.write(hazards.record_delivery, received_by=self.received_by.text(),
                   at=moment_of(self.at), note=self.note.toPlainText())


class ClosureDialog(StepDialog):
    """The contractor reports the rectification done: after-photos, the supervisor's confirmation."""

    step = "submit_closure"

    def __init__(self, state: AppState, hazard: HazardRow, parent: QWidget | None = None) -> None:
        super().__init__(state, hazard, parent)
        self.supervisor = QLineEdit()
        if hazard.level in (3, 4):
            self.supervisor.setPlaceholderText(QCoreApplication.translate(
                "HazardActions", "三、四级隐患由监理单位确认整改后提交"))
        self.photos = PhotoStrip(state, role=AttachmentRole.AFTER, owner_id=hazard.id,
                                 title=QCoreApplication.translate("HazardActions", "整改后照片 *"))
        self.photos.reload()
        self.note = note_field()
        label = QCoreApplication.translate("HazardActions", "监理确认人")
        self.row(label + (" *" if hazard.level in (3, 4) else ""), self.supervisor, "supervisor_name")
        self.row("", self.photos, "after_photos")
        self.time_row()
        self.row(QCoreApplication.translate("HazardActions", "备注"), self.note, "note")
        self.setMinimumWidth(640)

    def submit(self) -> None:
        self.write(hazards.submit_closure, supervisor_name=self.supervisor.text(),
                   at=moment_of(self.at), note=self.note.toPlainText())


class VerifyCloseDialog(StepDialog):
    step = "verify_close"

    def __init__(self, state: AppState, hazard: HazardRow, parent: QWidget | None = None) -> None:
        super().__init__(state, hazard, parent)
        self.must_reinspect = hazard.level == 1 or hazard.is_major
        self.reinspected = QCheckBox(
            QCoreApplication.translate("HazardActions", "已现场复查，复查日期："))
        self.reinspected.setChecked(self.must_reinspect)
        self.reinspected.setEnabled(not self.must_reinspect)
        self.reinspection = DateField(today())
        line = QWidget()
        box = QHBoxLayout(line)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.reinspected)
        box.addWidget(self.reinspection)
        box.addStretch(1)
        self.note = note_field(QCoreApplication.translate("HazardActions", "复查意见"))
        self.row(QCoreApplication.translate("HazardActions", "复查"), line, "reinspection_date")
        self.time_row()
        self.row(QCoreApplication.translate("HazardActions", "复查意见"), self.note, "note")
        self.errors["reports"] = self.error

    def submit(self) -> None:
        day = (self.reinspection.checked_date("reinspection_date")
               if self.reinspected.isChecked() else None)
        self.write(hazards.verify_close, reinspection_date=day, at=moment_of(self.at),
                   note=self.note.toPlainText())


class RejectDialog(StepDialog):
    step = "reject"

    def __init__(self, state: AppState, hazard: HazardRow, parent: QWidget | None = None) -> None:
        super().__init__(state, hazard, parent)
        self.reason = note_field(
            QCoreApplication.translate("HazardActions", "复查发现的问题，须重新整改的内容"))
        self.row(QCoreApplication.translate("HazardActions", "退回原因 *"), self.reason, "reason")
        self.time_row()

    def submit(self) -> None:
        self.write(hazards.reject, reason=self.reason.toPlainText(), at=moment_of(self.at))


class EscalateDialog(StepDialog):
    step = "escalate"

    def __init__(self, state: AppState, hazard: HazardRow, parent: QWidget | None = None) -> None:
        super().__init__(state, hazard, parent)
        self.refusal = QRadioButton(QCoreApplication.translate("HazardActions", "拒不整改"))
        self.delay = QRadioButton(
            QCoreApplication.translate("HazardActions", "拖延整改（已过整改期限）"))
        self.refusal.setChecked(True)
        self.kind = QButtonGroup(self)
        choice = QWidget()
        box = QHBoxLayout(choice)
        box.setContentsMargins(0, 0, 0, 0)
        for button in (self.refusal, self.delay):
            self.kind.addButton(button)
            box.addWidget(button)
        box.addStretch(1)
        self.note = note_field(QCoreApplication.translate("HazardActions", "经过和责任单位的答复"))
        hint = QLabel(QCoreApplication.translate(
            "HazardActions", "登记后须向承保机构、主管部门和建设单位报告。"))
        hint.setWordWrap(True)
        self.row(QCoreApplication.translate("HazardActions", "情形"), choice, "kind")
        self.row(QCoreApplication.translate("HazardActions", "情况说明"), self.note, "note")
        self.time_row()
        self.form.addRow(hint)

    def submit(self) -> None:
        kind = "refusal" if self.refusal.isChecked() else "delay"
        self.write(hazards.escalate, kind=kind, note=self.note.toPlainText(), at=moment_of(self.at))


class CancelDialog(StepDialog):
    step = "cancel"

    def __init__(self, state: AppState, hazard: HazardRow, parent: QWidget | None = None) -> None:
        super().__init__(state, hazard, parent)
        self.reason = note_field(QCoreApplication.translate("HazardActions", "如：误判、重复登记"))
        self.row(QCoreApplication.translate("HazardActions", "撤销原因 *"), self.reason, "reason")

    def submit(self) -> None:
        self.write(hazards.cancel, reason=self.reason.toPlainText())


class MajorReviewDialog(StepDialog):
    """经复核不属于重大事故隐患: the reason, and the level it is judged at now (chosen, not preset)."""

    step = "major_review"

    def __init__(self, state: AppState, hazard: HazardRow, parent: QWidget | None = None) -> None:
        super().__init__(state, hazard, parent)
        self.reason = note_field(QCoreApplication.translate(
            "HazardActions", "复核依据：现场情况与判定标准条款的差别、复核人、复核日期"))
        self.level = level_combo()
        self.level.setPlaceholderText(QCoreApplication.translate("HazardActions", "（请选择等级）"))
        self.level.setCurrentIndex(-1)
        hint = QLabel(QCoreApplication.translate(
            "HazardActions", "登记后解除与判定标准条款的关联，复核理由记入处理经过和修改记录。"
            "整改通知下发后不能再调整等级。"))
        hint.setWordWrap(True)
        self.form.addRow(hint)
        self.row(QCoreApplication.translate("HazardActions", "复核理由 *"), self.reason, "reason")
        self.row(QCoreApplication.translate("HazardActions", "复核后等级 *"), self.level, "level")

    def submit(self) -> None:
        level = self.level.currentData()
        if level is None:
            raise ValidationError({"level": msg("请选择复核后的隐患等级")})
        self.write(hazards.review_not_major, reason=self.reason.toPlainText(), level=int(level))


DIALOGS: dict[str, type[StepDialog]] = {d.step: d for d in (
    IssueNoticeDialog, DeliveryDialog, ClosureDialog, VerifyCloseDialog, RejectDialog,
    EscalateDialog, CancelDialog, MajorReviewDialog)}


class ReportDialog(StepDialog):
    """A report owed to the insurer, the authority or the owner was made: when and how."""

    step = "reported"

    def __init__(self, state: AppState, hazard: HazardRow, report: ReportRow,
                 parent: QWidget | None = None) -> None:
        super().__init__(state, hazard, parent)
        self.report = report
        self.channel = QComboBox()
        self.channel.setEditable(True)
        for channel in CHANNELS:
            self.channel.addItem(QCoreApplication.translate("HazardActions", channel))
        self.channel.setCurrentIndex(-1)
        self.note = note_field(QCoreApplication.translate("HazardActions", "接收人、文书编号等"))
        what = QLabel(
            QCoreApplication.translate("HazardActions", "{reason}　报告对象：{recipient}").format(
            reason=i18n.label(ReportReason(report.reason)),
            recipient=i18n.label(Recipient(report.recipient))))
        self.form.addRow(what)
        self.row(QCoreApplication.translate("HazardActions", "报告时间"), self.at, "reported_at")
        self.row(QCoreApplication.translate("HazardActions", "报告方式 *"), self.channel, "channel")
        self.row(QCoreApplication.translate("HazardActions", "备注"), self.note, "note")

    def submit(self) -> None:
        self.state.write(hazards.record_report, self.report.id, channel=self.channel.currentText(),
                         reported_at=moment_of(self.at, "reported_at"),
                         note=self.note.toPlainText(),
                         changes=Changes(hazards=True, reports=True).touch("hazards", self.hazard.id))
