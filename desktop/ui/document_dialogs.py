"""The documents page's forms: a period document to draft, a correction's reason, a submission."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import Recipient
from desktop.services import documents, organisations
from desktop.services.context import Changes, now
from desktop.services.documents import DocumentRow, SubmissionRow
from desktop.services.periods import parse as parse_period
from desktop.services.periods import quarter_of
from desktop.services.queries import scope_choices
from desktop.ui import dialogs, i18n
from desktop.ui.app_state import AppState
from desktop.ui.date_field import DateTimeField
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.user_dialogs import ServiceDialog
from desktop.ui.widgets import ErrorLabel, read_only

# the documents drafted from this page: periodic reports of the whole agency, a project, an
# insurer's or an authority's projects; the others are drafted from their own record (hazard,
# inspection, training, project)
PERIOD_KINDS = ("hazard_list", "safety_analysis", "risk_assessment", "self_check",
                "fee_ledger", "submission_register")
# kinds drafted for fewer scopes than DRAFT_SCOPES (the others take them all)
KIND_SCOPES = {"fee_ledger": ("project",)}
DRAFT_SCOPES = {
    "agency": QT_TRANSLATE_NOOP("DocumentDialogs", "本机构（全部项目）"),
    "project": QT_TRANSLATE_NOOP("DocumentDialogs", "项目"),
    "insurer": QT_TRANSLATE_NOOP("DocumentDialogs", "承保机构"),
    "authority": QT_TRANSLATE_NOOP("DocumentDialogs", "建设主管部门"),
}
SCOPE_MISSING = {
    "project": QT_TRANSLATE_NOOP("DocumentDialogs", "请选择项目"),
    "insurer": QT_TRANSLATE_NOOP("DocumentDialogs", "请选择承保机构"),
    "authority": QT_TRANSLATE_NOOP("DocumentDialogs", "请选择建设主管部门"),
}
SCOPE_SEARCH_HINT = {
    "project": QT_TRANSLATE_NOOP("DocumentDialogs", "输入项目编号或名称查找"),
    "insurer": QT_TRANSLATE_NOOP("DocumentDialogs", "输入承保机构名称查找"),
    "authority": QT_TRANSLATE_NOOP("DocumentDialogs", "输入建设主管部门名称查找"),
}
SEARCH_DELAY_MS = 250
KIND_TEXT = {
    "rectification_notice": QT_TRANSLATE_NOOP("DocumentDialogs", "隐患整改通知书"),
    "stop_work": QT_TRANSLATE_NOOP("DocumentDialogs", "停工（局部停工）建议书"),
    "hazard_report": QT_TRANSLATE_NOOP("DocumentDialogs", "隐患报告单"),
    "closure_record": QT_TRANSLATE_NOOP("DocumentDialogs", "复查销项单"),
    "refusal_report": QT_TRANSLATE_NOOP("DocumentDialogs", "拒不整改（拖延整改）情况报告"),
    "inspection_record": QT_TRANSLATE_NOOP("DocumentDialogs", "检查记录"),
    "service_plan": QT_TRANSLATE_NOOP("DocumentDialogs", "事故预防技术服务工作方案"),
    "special_plan": QT_TRANSLATE_NOOP("DocumentDialogs", "专项服务方案"),
    "training_record": QT_TRANSLATE_NOOP("DocumentDialogs", "安全教育培训记录"),
    "drill_record": QT_TRANSLATE_NOOP("DocumentDialogs", "应急演练记录及评估报告"),
    "kickoff_record": QT_TRANSLATE_NOOP("DocumentDialogs", "服务交底会记录"),
    "archive_catalogue": QT_TRANSLATE_NOOP("DocumentDialogs", "档案目录"),
    "destruction_form": QT_TRANSLATE_NOOP("DocumentDialogs", "档案销毁审批表"),
    "hazard_list": QT_TRANSLATE_NOOP("DocumentDialogs", "隐患排查及问题整改清单"),
    "safety_analysis": QT_TRANSLATE_NOOP("DocumentDialogs", "安全生产分析报告"),
    "risk_assessment": QT_TRANSLATE_NOOP("DocumentDialogs", "风险评估报告"),
    "self_check": QT_TRANSLATE_NOOP("DocumentDialogs", "安责险第三方风控服务机构检查表（自查）"),
    "key_letter": QT_TRANSLATE_NOOP("DocumentDialogs", "公钥登记函"),
    "emergency_plan_advice": QT_TRANSLATE_NOOP("DocumentDialogs", "应急预案编制建议书"),
    "fee_ledger": QT_TRANSLATE_NOOP("DocumentDialogs", "预防费用台账"),
    "submission_register": QT_TRANSLATE_NOOP("DocumentDialogs", "报送登记簿"),
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


@dataclass(frozen=True)
class DraftChoice:
    """What the draft dialog asks the service for."""

    kind: str
    period: str
    scope_type: str  # agency / project / insurer / authority
    scope_id: int | None  # None for the whole agency


class DraftDialog(QDialog):
    """Which periodic report to draft, for which period, and for whom: the whole agency, one
    project, an insurer's or an authority's projects (found by typing: only the first
    matches are listed, so thousands of projects load nothing heavy)."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setWindowTitle(QCoreApplication.translate("DocumentDialogs", "生成文书草稿"))
        self.kind = QComboBox()
        self.kind.setObjectName("draftKind")
        for kind in PERIOD_KINDS:
            self.kind.addItem(kind_text(kind), kind)
        self.period = QLineEdit(quarter_of(now().date()).label)
        self.period.setObjectName("draftPeriod")
        self.period.setPlaceholderText(QCoreApplication.translate(
            "DocumentDialogs", "如 2026-03、2026Q3、2026H1 或 2026"))
        self.scope = QComboBox()
        self.scope.setObjectName("draftScope")
        for scope_type, text in DRAFT_SCOPES.items():
            self.scope.addItem(_tr(text), scope_type)
        self.search = QLineEdit()
        self.search.setObjectName("draftScopeSearch")
        self.search.setClearButtonEnabled(True)
        self.matches = QListWidget()
        self.matches.setObjectName("draftScopeMatches")
        self.matches.setFixedHeight(self.matches.fontMetrics().height() * 8 + 8)
        self.more = QLabel()
        self.more.setObjectName("draftScopeMore")
        self.more.setStyleSheet("color: #607d8b;")
        self.error = ErrorLabel()
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.find_matches)
        self.search.textEdited.connect(lambda _t: self.search_timer.start())
        self.search.returnPressed.connect(self._pick_single)
        self.scope.currentIndexChanged.connect(lambda _i: self._scope_changed())
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.matches.currentItemChanged.connect(lambda *_: self.error.show_message(""))
        self.matches.itemDoubleClicked.connect(lambda _item: self.accept())

        form = QFormLayout()
        form.addRow(QCoreApplication.translate("DocumentDialogs", "文书类别"), self.kind)
        form.addRow(QCoreApplication.translate("DocumentDialogs", "期间"), self.period)
        form.addRow(QCoreApplication.translate("DocumentDialogs", "范围"), self.scope)
        self.target_box = QWidget()
        target_layout = QVBoxLayout(self.target_box)
        target_layout.setContentsMargins(0, 0, 0, 0)
        target_layout.addWidget(self.search)
        target_layout.addWidget(self.matches)
        target_layout.addWidget(self.more)
        form.addRow("", self.target_box)
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
        self.setMinimumWidth(480)
        self._scope_changed()

    def scope_type(self) -> str:
        scope: str = self.scope.currentData()
        return scope

    def _kind_changed(self) -> None:
        """Offer only the scopes the chosen kind is drafted for, keeping the chosen one if allowed."""
        allowed = KIND_SCOPES.get(self.kind.currentData(), tuple(DRAFT_SCOPES))
        current = self.scope_type()
        self.scope.blockSignals(True)
        self.scope.clear()
        for scope_type in allowed:
            self.scope.addItem(_tr(DRAFT_SCOPES[scope_type]), scope_type)
        self.scope.setCurrentIndex(max(0, self.scope.findData(current)))
        self.scope.blockSignals(False)
        if self.scope_type() != current:
            self._scope_changed()

    def _scope_changed(self) -> None:
        scope_type = self.scope_type()
        self.error.show_message("")
        self.search_timer.stop()
        self.search.clear()
        self.matches.clear()
        self.more.setText("")
        self.target_box.setVisible(scope_type != "agency")
        if scope_type != "agency":
            self.search.setPlaceholderText(_tr(SCOPE_SEARCH_HINT[scope_type]))
            self.find_matches()

    def find_matches(self) -> None:
        """List the first matches of what is typed, keeping the one chosen when still there."""
        self.search_timer.stop()
        scope_type = self.scope_type()
        if scope_type == "agency":
            return
        chosen = self.scope_id()
        try:
            found = self.state.read(scope_choices.search, scope_type, self.search.text(),
                                    limit=scope_choices.LIMIT)
        except dialogs.USER_ERRORS as exc:
            self.error.show_message(i18n.error_text(exc))
            return
        self.matches.clear()
        for choice in found.choices:
            item = QListWidgetItem(choice.text)
            item.setData(Qt.ItemDataRole.UserRole, choice.id)
            self.matches.addItem(item)
            if choice.id == chosen:
                self.matches.setCurrentItem(item)
        if found.more:
            self.more.setText(QCoreApplication.translate(
                "DocumentDialogs", "仅列出前 {n} 项，请输入更多文字缩小范围").format(n=len(found.choices)))
        elif not found.choices:
            self.more.setText(QCoreApplication.translate("DocumentDialogs", "没有符合的记录"))
        else:
            self.more.setText("")

    def _pick_single(self) -> None:
        """Enter in the search box: list now, and a single match is the one meant."""
        self.find_matches()
        if self.matches.count() == 1:
            self.matches.setCurrentRow(0)

    def choose(self, scope_id: int) -> bool:
        """Make the listed match with this id the chosen one."""
        for row in range(self.matches.count()):
            item = self.matches.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == scope_id:
                self.matches.setCurrentItem(item)
                return True
        return False

    def scope_id(self) -> int | None:
        item = self.matches.currentItem()
        if self.scope_type() == "agency" or item is None or not item.isSelected():
            return None
        scope_id: int = item.data(Qt.ItemDataRole.UserRole)
        return scope_id

    def chosen(self) -> DraftChoice:
        """The kind, the period label and the scope, as the service takes them."""
        return DraftChoice(self.kind.currentData(), self.period.text().strip(), self.scope_type(),
                           self.scope_id())

    def accept(self) -> None:
        try:
            parse_period(self.period.text())
        except ValueError as exc:
            self.error.show_message(i18n.error_text(exc))
            return
        scope_type = self.scope_type()
        if scope_type != "agency" and self.scope_id() is None:
            self.error.show_message(_tr(SCOPE_MISSING[scope_type]))
            self.search.setFocus()
            return
        super().accept()


class CorrectDialog(QDialog):
    """The reason for a correction: a new revision is drafted; the signed one stays in force."""

    def __init__(self, doc: DocumentRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.setWindowTitle(QCoreApplication.translate(
            "DocumentDialogs", "更正文书：{number}").format(number=i18n.service_text(doc.display_number)))
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
            "DocumentDialogs", "登记报送：{number}").format(number=i18n.service_text(doc.display_number)), parent)
        self.doc = doc
        self.recipient = QComboBox()
        self.recipient.setObjectName("submissionRecipient")
        for member in Recipient:
            self.recipient.addItem(i18n.label(member), member.value)
        self.org = QComboBox()
        self.org.setObjectName("submissionOrg")
        self.moment = DateTimeField()
        self.moment.setObjectName("submissionTime")
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
            submitted_at=self.moment.checked_value("submitted_at"),
            channel=self.channel.currentText(),
            note=self.note.text(), changes=Changes(documents=True, hazards=linked, reports=linked))
