"""The documents page's forms: a period document to draft, a correction's reason, a submission."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDateTime
from PySide6.QtWidgets import (
    QComboBox, QDateTimeEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
    QPlainTextEdit, QVBoxLayout, QWidget,
)

from desktop.models.enums import Recipient
from desktop.services import documents, organisations
from desktop.services.context import Changes, now
from desktop.services.documents import DocumentRow, SubmissionRow
from desktop.services.periods import parse as parse_period, quarter_of
from desktop.ui import i18n
from desktop.ui.app_state import AppState
from desktop.ui.user_dialogs import ServiceDialog
from desktop.ui.widgets import ErrorLabel, read_only

# the documents drafted from this page: periodic reports of the whole agency; the others are
# drafted from their own record (hazard, inspection, training, project)
PERIOD_KINDS = ("hazard_list", "safety_analysis", "risk_assessment", "self_check")
KIND_TEXT = {
    "rectification_notice": QT_TRANSLATE_NOOP("DocumentDialogs", "隐患整改通知书"),
    "stop_work": QT_TRANSLATE_NOOP("DocumentDialogs", "停工（局部停工）建议书"),
    "hazard_report": QT_TRANSLATE_NOOP("DocumentDialogs", "重大隐患报告单"),
    "closure_record": QT_TRANSLATE_NOOP("DocumentDialogs", "复查销项单"),
    "refusal_report": QT_TRANSLATE_NOOP("DocumentDialogs", "拒不整改（拖延整改）情况报告"),
    "inspection_record": QT_TRANSLATE_NOOP("DocumentDialogs", "检查记录"),
    "service_plan": QT_TRANSLATE_NOOP("DocumentDialogs", "事故预防技术服务工作方案"),
    "training_record": QT_TRANSLATE_NOOP("DocumentDialogs", "安全教育培训记录"),
    "drill_record": QT_TRANSLATE_NOOP("DocumentDialogs", "应急演练记录及评估报告"),
    "archive_catalogue": QT_TRANSLATE_NOOP("DocumentDialogs", "档案目录"),
    "destruction_form": QT_TRANSLATE_NOOP("DocumentDialogs", "档案销毁审批表"),
    "hazard_list": QT_TRANSLATE_NOOP("DocumentDialogs", "隐患排查及问题整改清单"),
    "safety_analysis": QT_TRANSLATE_NOOP("DocumentDialogs", "安全生产分析报告"),
    "risk_assessment": QT_TRANSLATE_NOOP("DocumentDialogs", "风险评估报告"),
    "self_check": QT_TRANSLATE_NOOP("DocumentDialogs", "安责险第三方风控服务机构检查表（自查）"),
}
CHANNELS = (QT_TRANSLATE_NOOP("DocumentDialogs", "系统报送"),
            QT_TRANSLATE_NOOP("DocumentDialogs", "电子邮件"),
            QT_TRANSLATE_NOOP("DocumentDialogs", "书面送达"),
            QT_TRANSLATE_NOOP("DocumentDialogs", "传真"))


def _tr(text: str) -> str:
    return QCoreApplication.translate("DocumentDialogs", text)


def kind_text(kind: str) -> str:
    """A document kind's name in the interface language."""
    return _tr(KIND_TEXT[kind]) if kind in KIND_TEXT else kind


class DraftDialog(QDialog):
    """Which periodic report to draft, and for which period (the whole agency is its scope)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(QCoreApplication.translate("DocumentDialogs", "生成文书草稿"))
        self.kind = QComboBox()
        self.kind.setObjectName("draftKind")
        for kind in PERIOD_KINDS:
            self.kind.addItem(kind_text(kind), kind)
        self.period = QLineEdit(quarter_of(now().date()).label)
        self.period.setObjectName("draftPeriod")
        self.period.setPlaceholderText(QCoreApplication.translate(
            "DocumentDialogs", "如 2026-03、2026Q3、2026H1 或 2026"))
        self.error = ErrorLabel()
        form = QFormLayout()
        form.addRow(QCoreApplication.translate("DocumentDialogs", "文书类别"), self.kind)
        form.addRow(QCoreApplication.translate("DocumentDialogs", "期间"), self.period)
        form.addRow(QCoreApplication.translate(
            "DocumentDialogs", "范围"), read_only(QCoreApplication.translate("DocumentDialogs", "本机构（全部项目）")))
        note = QLabel(QCoreApplication.translate(
            "DocumentDialogs", "整改通知书、停工建议书、检查记录等按记录出具的文书，请在该隐患、检查或项目页生成。"))
        note.setWordWrap(True)
        note.setStyleSheet("color: #607d8b;")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def chosen(self) -> tuple[str, str]:
        """The kind and the period label, as the service takes them."""
        return self.kind.currentData(), self.period.text().strip()

    def accept(self) -> None:
        try:
            parse_period(self.period.text())
        except ValueError as exc:
            self.error.show_message(str(exc))
            return
        super().accept()


class CorrectDialog(QDialog):
    """The reason for a correction: a new revision is drafted; the signed one stays in force."""

    def __init__(self, doc: DocumentRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.setWindowTitle(QCoreApplication.translate(
            "DocumentDialogs", "更正文书：{number}").format(number=doc.display_number))
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("correctReason")
        self.reason.setPlaceholderText(QCoreApplication.translate(
            "DocumentDialogs", "写明需要更正的内容和原因"))
        self.reason.setFixedHeight(90)
        note = QLabel(QCoreApplication.translate(
            "DocumentDialogs", "将按当前数据生成第 {n} 版草稿，保持原文号；第 {n} 版签发后，原版本标记为已被替代。")
                      .format(n=doc.revision + 1))
        note.setWordWrap(True)
        self.error = ErrorLabel()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(QCoreApplication.translate("DocumentDialogs", "文书"), read_only(doc.title))
        form.addRow(QCoreApplication.translate("DocumentDialogs", "更正原因"), self.reason)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def text(self) -> str:
        return self.reason.toPlainText().strip()

    def accept(self) -> None:
        if not self.text():
            self.error.show_message(QCoreApplication.translate("DocumentDialogs", "请填写更正原因"))
            return
        super().accept()


class SubmissionDialog(ServiceDialog):
    """Log that a signed document went to the insurer, the authority or the owner."""

    def __init__(self, state: AppState, doc: DocumentRow, parent: QWidget | None = None) -> None:
        super().__init__(state, QCoreApplication.translate(
            "DocumentDialogs", "登记报送：{number}").format(number=doc.display_number), parent)
        self.doc = doc
        self.recipient = QComboBox()
        self.recipient.setObjectName("submissionRecipient")
        for member in Recipient:
            self.recipient.addItem(i18n.label(member), member.value)
        self.org = QComboBox()
        self.org.setObjectName("submissionOrg")
        self.moment = QDateTimeEdit(QDateTime.currentDateTime())
        self.moment.setObjectName("submissionTime")
        self.moment.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.moment.setCalendarPopup(True)
        self.channel = QComboBox()
        self.channel.setObjectName("submissionChannel")
        self.channel.setEditable(True)
        self.channel.addItems([_tr(c) for c in CHANNELS])
        self.note = QLineEdit()
        self.note.setObjectName("submissionNote")
        self.form.addRow(QCoreApplication.translate("DocumentDialogs", "文书"), read_only(doc.title))
        self.form.addRow(QCoreApplication.translate("DocumentDialogs", "报送对象"), self.recipient)
        self.form.addRow(QCoreApplication.translate("DocumentDialogs", "报送单位"), self.org)
        self.form.addRow(QCoreApplication.translate("DocumentDialogs", "报送时间"), self.moment)
        self.form.addRow(QCoreApplication.translate("DocumentDialogs", "报送方式"), self.channel)
        self.form.addRow(QCoreApplication.translate("DocumentDialogs", "备注"), self.note)
        self.recipient.currentIndexChanged.connect(self._load_orgs)
        self._load_orgs()
        self.recorded: SubmissionRow | None = None
        self.setMinimumWidth(460)

    def _load_orgs(self) -> None:
        self.org.clear()
        self.org.addItem(QCoreApplication.translate("DocumentDialogs", "（按项目自动确定）"), None)
        for org in self.state.read(organisations.list_orgs, self.recipient.currentData()):
            self.org.addItem(org.name, org.id)

    def submit(self) -> None:
        linked = self.doc.kind in ("hazard_report", "refusal_report")
        self.recorded = self.state.write(
            documents.record_submission, self.doc.id, recipient=self.recipient.currentData(),
            recipient_org_id=self.org.currentData(),
            submitted_at=self.moment.dateTime().toPython(), channel=self.channel.currentText(),
            note=self.note.text(), changes=Changes(documents=True, hazards=linked, reports=linked))
