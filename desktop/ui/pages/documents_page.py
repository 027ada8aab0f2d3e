"""The 文书 page: the document register (filters, remembered columns), the selected document's
PDF previewed inside the window, and by role: periodic drafts, 签发 by the technical lead,
corrections as new revisions, submissions logged, history, the file opened outside."""

from __future__ import annotations

import tempfile
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import DocStatus, Recipient
from desktop.services import documents
from desktop.services.context import Changes
from desktop.services.documents import DocumentRow, SubmissionRow
from desktop.services.periods import parse as parse_period
from desktop.services.queries import key_letter
from desktop.ui import dialogs, file_dialogs, i18n, pdf_viewer
from desktop.ui.app_state import AppState
from desktop.ui.document_dialogs import (
    KIND_TEXT,
    CorrectDialog,
    DraftDialog,
    SubmissionDialog,
    kind_text,
)
from desktop.ui.document_preview import DocumentPreview
from desktop.ui.empty_hint import EmptyHint
from desktop.ui.history_panel import RowsModel, show_history, table_view
from desktop.ui.lazy_model import CENTER, RIGHT, ROW_ROLE, Column
from desktop.ui.month_end_dialog import open_month_end
from desktop.ui.pages.base import Page
from desktop.ui.tasks import Task, run_service
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.widgets import ErrorLabel, Heading

SEARCH_DELAY_MS = 400
SUPERSEDED_COLOUR, DRAFT_COLOUR = QColor("#9e9e9e"), QColor("#e65100")
SCOPE_TEXT = {
    "agency": QT_TRANSLATE_NOOP("DocumentsPage", "本机构"),
    "project": QT_TRANSLATE_NOOP("DocumentsPage", "项目"),
    "insurer": QT_TRANSLATE_NOOP("DocumentsPage", "承保机构"),
    "authority": QT_TRANSLATE_NOOP("DocumentsPage", "建设主管部门"),
    "hazard": QT_TRANSLATE_NOOP("DocumentsPage", "隐患"),
    "inspection": QT_TRANSLATE_NOOP("DocumentsPage", "检查"),
    "escalation": QT_TRANSLATE_NOOP("DocumentsPage", "隐患督办"),
    "training": QT_TRANSLATE_NOOP("DocumentsPage", "培训"),
    "drill": QT_TRANSLATE_NOOP("DocumentsPage", "应急演练"),
    "service_plan": QT_TRANSLATE_NOOP("DocumentsPage", "服务方案"),
    "destruction_request": QT_TRANSLATE_NOOP("DocumentsPage", "档案销毁申请"),
    "meeting": QT_TRANSLATE_NOOP("DocumentsPage", "服务交底会"),
    "plan_assist": QT_TRANSLATE_NOOP("DocumentsPage", "应急预案协助"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("DocumentsPage", text)


def work_dir() -> Path:
    return Path(tempfile.gettempdir())


def scope_text(row: DocumentRow) -> str:
    return _tr(SCOPE_TEXT[row.scope_type]) if row.scope_type in SCOPE_TEXT else row.scope_type


def number_text(row: DocumentRow) -> str:
    if row.display_number == documents.NUMBER_PENDING:
        return QCoreApplication.translate("DocumentsPage", "（签发时编号）")
    return i18n.service_text(row.display_number)


class DocColumn(IntEnum):
    NUMBER, TITLE, KIND, SCOPE, PERIOD, REVISION, STATUS, SIGNER, SIGNED_AT, SUBMISSIONS = range(10)


DOC_COLUMNS: dict[DocColumn, Column[DocumentRow]] = {
    DocColumn.NUMBER: Column(QT_TRANSLATE_NOOP("Columns", "文号"), number_text),
    DocColumn.TITLE: Column(QT_TRANSLATE_NOOP("Columns", "标题"), lambda r: r.title),
    DocColumn.KIND: Column(QT_TRANSLATE_NOOP("Columns", "类别"), lambda r: kind_text(r.kind)),
    DocColumn.SCOPE: Column(QT_TRANSLATE_NOOP("Columns", "范围"), scope_text, CENTER),
    DocColumn.PERIOD: Column(QT_TRANSLATE_NOOP("Columns", "期间"), lambda r: r.period, CENTER),
    DocColumn.REVISION: Column(QT_TRANSLATE_NOOP("Columns", "版本"), lambda r: r.revision, CENTER),
    DocColumn.STATUS: Column(QT_TRANSLATE_NOOP("Columns", "状态"),
                             lambda r: i18n.label(DocStatus(r.status)), CENTER),
    DocColumn.SIGNER: Column(QT_TRANSLATE_NOOP("Columns", "签发人"), lambda r: r.signed_by),
    DocColumn.SIGNED_AT: Column(QT_TRANSLATE_NOOP("Columns", "签发时间"), lambda r: r.signed_at,
                                CENTER),
    DocColumn.SUBMISSIONS: Column(QT_TRANSLATE_NOOP("Columns", "报送次数"),
                                  lambda r: r.submissions, RIGHT),
}
NUMBER_SAMPLE = "安途风控方案〔2026〕1234号"  # a long 文号, to size its column (not shown)
WIDTHS = {DocColumn.NUMBER: 150, DocColumn.TITLE: 230, DocColumn.KIND: 120, DocColumn.SCOPE: 60,
          DocColumn.PERIOD: 60, DocColumn.REVISION: 40, DocColumn.STATUS: 60,
          DocColumn.SIGNER: 80, DocColumn.SIGNED_AT: 120}


class SubmissionColumn(IntEnum):
    AT, RECIPIENT, ORG, CHANNEL, NOTE, BY = range(6)


SUBMISSION_COLUMNS: dict[SubmissionColumn, Column[SubmissionRow]] = {
    SubmissionColumn.AT: Column(QT_TRANSLATE_NOOP("Columns", "报送时间"), lambda r: r.submitted_at,
                                CENTER),
    SubmissionColumn.RECIPIENT: Column(QT_TRANSLATE_NOOP("Columns", "报送对象"),
                                       lambda r: i18n.label(Recipient(r.recipient))),
    SubmissionColumn.ORG: Column(QT_TRANSLATE_NOOP("Columns", "报送单位"), lambda r: r.recipient_org),
    SubmissionColumn.CHANNEL: Column(QT_TRANSLATE_NOOP("Columns", "报送方式"), lambda r: r.channel),
    SubmissionColumn.NOTE: Column(QT_TRANSLATE_NOOP("Columns", "备注"), lambda r: r.note),
    SubmissionColumn.BY: Column(QT_TRANSLATE_NOOP("Columns", "登记人"), lambda r: r.submitted_by),
}


class DocumentTableModel(RowsModel[DocumentRow]):
    """The register: drafts' status in orange, superseded revisions grey."""

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.ForegroundRole or not index.isValid():
            return super().data(index, role)
        row = self.row_at(index.row())
        if row is None:
            return None
        if row.status == DocStatus.SUPERSEDED:
            return SUPERSEDED_COLOUR
        if row.status == DocStatus.DRAFT and index.column() == DocColumn.STATUS:
            return DRAFT_COLOUR
        return None

    def row_of(self, document_id: int) -> int:
        return next((n for n, r in enumerate(self.rows()) if r.id == document_id), -1)


class DocumentsPage(Page):
    key = "documents"
    title_source = QT_TRANSLATE_NOOP("Pages", "文书")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.current: DocumentRow | None = None
        self._filters()
        self.model = DocumentTableModel(DocColumn, DOC_COLUMNS, self)
        self.table = table_view(self.model)
        self.table.setObjectName("documentTable")
        self.table.horizontalHeader().setSectionsMovable(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in WIDTHS.items():
            self.table.setColumnWidth(column, width)
        metrics = self.table.fontMetrics()  # a whole 文号 and kind, not 安途风控方案〔2026〕…
        kinds = max(metrics.horizontalAdvance(self.kind.itemText(i)) for i in range(self.kind.count()))
        for column, needed in ((DocColumn.NUMBER, metrics.horizontalAdvance(NUMBER_SAMPLE)),
                               (DocColumn.KIND, kinds)):
            self.table.setColumnWidth(column, max(WIDTHS[column], needed + 16))
        self.submissions = RowsModel(SubmissionColumn, SUBMISSION_COLUMNS, self)
        self.submission_table = table_view(self.submissions, stretch=SubmissionColumn.NOTE)
        self.submission_table.setObjectName("submissionTable")
        self.preview = DocumentPreview()
        self.detail = QLabel()
        self.detail.setObjectName("documentDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.count_label = QLabel()
        self.count_label.setObjectName("documentCount")
        self.error = ErrorLabel()
        self._buttons()
        self.empty_hint = EmptyHint(
            self.table, QCoreApplication.translate(
                "DocumentsPage", "还没有文书。用“生成草稿…”起草整改通知书、月报、自查表等文书；"
                "技术负责人签发后即可打印、报送和放入评审资料包。"),
            [(QCoreApplication.translate("DocumentsPage", "生成草稿…"), "hintDraftDocument",
              self.generate_draft)],
            filtered=lambda: bool(self.search.text().strip() or self.period.text().strip()
                                  or self.kind.currentIndex() > 0
                                  or self.status.currentIndex() > 0),
            filtered_text=QCoreApplication.translate(
                "DocumentsPage", "没有符合条件的文书。清除搜索词、期间或把类别、状态改回“全部”再看。"))

        log_box = QWidget()
        log_layout = QVBoxLayout(log_box)
        log_layout.setContentsMargins(0, 0, 0, 0)
        log_layout.addWidget(QLabel(QCoreApplication.translate("DocumentsPage", "报送记录")))
        log_layout.addWidget(self.submission_table)
        self.side = QSplitter(Qt.Orientation.Vertical)
        self.side.addWidget(self.preview)
        self.side.addWidget(log_box)
        self.side.setStretchFactor(0, 3)
        self.side.setStretchFactor(1, 1)
        self.side.setSizes([560, 180])
        self.submission_table.setColumnWidth(SubmissionColumn.AT, 130)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.detail)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        filters = QHBoxLayout()
        for label, widget in ((QCoreApplication.translate(
            "DocumentsPage", "类别"), self.kind), (QCoreApplication.translate("DocumentsPage", "状态"), self.status),
                              (QCoreApplication.translate("DocumentsPage", "期间"), self.period)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.count_label)
        # a tool bar: on a narrow window the buttons that do not fit go behind its » button
        actions = QToolBar()
        actions.setObjectName("documentActions")
        for button in (self.draft_button, self.month_end_button, self.sign_button, self.correct_button,
                       self.submit_button, self.discard_button, self.open_button,
                       self.print_button, self.docx_button, self.history_button,
                       self.key_letter_button, self.save_key_button):
            actions.addWidget(button)
        actions.addSeparator()
        actions.addWidget(self.package_button)
        actions.addWidget(self.verify_button)
        layout = QVBoxLayout(self)
        layout.addWidget(Heading(self.title()))
        layout.addLayout(filters)
        layout.addWidget(actions)
        layout.addWidget(self.error)
        layout.addWidget(self.splitter, 1)

        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        state.actor_changed.connect(lambda _a: self._update_buttons())
        self._update_buttons()

    def _filters(self) -> None:
        self.kind = QComboBox()
        self.kind.setObjectName("documentKindFilter")
        self.kind.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.kind.setMinimumContentsLength(10)
        self.kind.addItem(QCoreApplication.translate("DocumentsPage", "全部类别"), None)
        for kind in KIND_TEXT:
            self.kind.addItem(kind_text(kind), kind)
        self.status = QComboBox()
        self.status.setObjectName("documentStatusFilter")
        self.status.addItem(QCoreApplication.translate("DocumentsPage", "全部状态"), None)
        for member in DocStatus:
            self.status.addItem(i18n.label(member), member.value)
        self.period = QLineEdit()
        self.period.setObjectName("documentPeriodFilter")
        self.period.setPlaceholderText(QCoreApplication.translate("DocumentsPage", "如 2026Q3"))
        self.period.setMaximumWidth(110)
        self.period.setClearButtonEnabled(True)
        self.search = QLineEdit()
        self.search.setObjectName("documentSearch")
        self.search.setPlaceholderText(QCoreApplication.translate("DocumentsPage", "搜索文号或标题"))
        self.search.setClearButtonEnabled(True)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.reload_when_shown)
        self.search.textChanged.connect(lambda _t: self.search_timer.start())
        self.period.editingFinished.connect(self.reload_when_shown)
        self.kind.currentIndexChanged.connect(lambda _i: self.reload_when_shown())
        self.status.currentIndexChanged.connect(lambda _i: self.reload_when_shown())

    def _buttons(self) -> None:
        def button(text: str, name: str, slot: Any) -> QPushButton:
            widget = QPushButton(text)
            widget.setObjectName(name)
            widget.clicked.connect(lambda _checked=False: slot())
            return widget

        self.draft_button = button(QCoreApplication.translate(
            "DocumentsPage", "生成草稿…"), "draftDocument", self.generate_draft)
        self.sign_button = button(QCoreApplication.translate(
            "DocumentsPage", "签发"), "signDocument", self.sign_document)
        self.month_end_button = button(QCoreApplication.translate(
            "DocumentsPage", "月末批量…"), "monthEndBatch", self.month_end)
        self.correct_button = button(QCoreApplication.translate(
            "DocumentsPage", "更正（出具新版本）…"), "correctDocument",
                                     self.correct_document)
        self.submit_button = button(QCoreApplication.translate(
            "DocumentsPage", "登记报送…"), "submitDocument", self.record_submission)
        self.discard_button = button(QCoreApplication.translate(
            "DocumentsPage", "删除草稿"), "discardDocument", self.discard_draft)
        self.open_button = button(QCoreApplication.translate(
            "DocumentsPage", "打开文件"), "openDocument", self.open_document)
        self.print_button = button(QCoreApplication.translate(
            "DocumentsPage", "打印…"), "printDocument", self.print_document)
        self.history_button = button(QCoreApplication.translate(
            "DocumentsPage", "查看历史"), "documentHistory", self.show_history)
        self.package_button = button(QCoreApplication.translate(
            "DocumentsPage", "导出评审资料包…"), "documentsExportPackage", self.export_package)
        self.verify_button = button(QCoreApplication.translate(
            "DocumentsPage", "核验评审资料包…"), "documentsVerifyPackage", self.verify_package)
        self.key_letter_button = button(QCoreApplication.translate(
            "DocumentsPage", "公钥登记函"), "draftKeyLetter", self.draft_key_letter)
        self.save_key_button = button(QCoreApplication.translate(
            "DocumentsPage", "保存登记函和公钥文件…"), "saveKeyLetter", self.save_key_letter)
        self.docx_button = button(QCoreApplication.translate(
            "DocumentsPage", "导出 Word…"), "exportDocx", self.export_docx)

    # -- loading -----------------------------------------------------------------------------

    def wants(self, changes: Changes) -> bool:
        return changes.documents

    def period_filter(self) -> str | None:
        """The period typed, as stored (2026q3 → 2026Q3); None when empty. Raises ValueError."""
        text = self.period.text().strip()
        return parse_period(text).label if text else None

    def refresh(self) -> None:
        self.error.show_message("")
        try:
            period = self.period_filter()
        except ValueError as exc:
            self.error.show_message(i18n.error_text(exc))
            return
        keep = self.current.id if self.current is not None else None
        rows = self.state.read(documents.register, kind=self.kind.currentData(),
                               status=self.status.currentData(), period=period,
                               text=self.search.text())
        self.model.set_rows(rows)
        self.count_label.setText(QCoreApplication.translate(
            "DocumentsPage", "共 {n} 份").format(n=len(rows)))
        if keep is None or not self.select(keep):
            self._show_current()

    def select(self, document_id: int) -> bool:
        """Make this document the current row, when the filters show it."""
        row = self.model.row_of(document_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def selected(self) -> DocumentRow | None:
        index = self.table.currentIndex()
        return self.model.data(index, ROW_ROLE) if index.isValid() else None

    def _show_current(self) -> None:
        doc = self.selected()
        before, self.current = self.current, doc
        self._update_buttons()
        if doc is None:
            self.detail.setText("")
            self.submissions.set_rows([])
            self.preview.show_message(QCoreApplication.translate("DocumentsPage", "选择一份文书，在这里预览。"))
            return
        self.detail.setText(self._detail_text(doc))
        try:
            self.submissions.set_rows(self.state.read(documents.submissions, doc.id))
        except dialogs.USER_ERRORS as exc:
            self.error.show_message(i18n.error_text(exc))
        if before is None or before.id != doc.id or before.file_sha256 != doc.file_sha256 \
                or self.preview.path is None:
            self._preview(doc)

    def _detail_text(self, doc: DocumentRow) -> str:
        parts = [QCoreApplication.translate("DocumentsPage", "{kind}，第 {n} 版，{status}").format(
            kind=kind_text(doc.kind), n=doc.revision, status=i18n.label(DocStatus(doc.status)))]
        if doc.created_by:
            parts.append(QCoreApplication.translate("DocumentsPage", "{who} 生成于 {at}").format(
                who=doc.created_by, at=f"{doc.created_at:%Y-%m-%d %H:%M}" if doc.created_at else ""))
        if doc.signed_at is not None:
            parts.append(QCoreApplication.translate(
                "DocumentsPage", "{who} 签发于 {at}").format(who=doc.signed_by,
                                                        at=f"{doc.signed_at:%Y-%m-%d %H:%M}"))
        if doc.note:
            parts.append(QCoreApplication.translate(
                "DocumentsPage", "更正原因：{reason}").format(reason=doc.note))
        return "；".join(parts)

    def _preview(self, doc: DocumentRow) -> None:
        try:
            path = documents.file_path(self.state.config.attachments_dir, doc)
        except dialogs.USER_ERRORS as exc:
            self.preview.show_message(QCoreApplication.translate(
                "DocumentsPage", "无法预览该文书：{reason}").format(reason=i18n.error_text(exc)))
            return
        self.preview.show_file(path)

    def _update_buttons(self) -> None:
        doc, can = self.current, self.state.can
        status = doc.status if doc is not None else None
        self.draft_button.setEnabled(can("document.draft"))
        self.sign_button.setEnabled(can("document.sign") and status == DocStatus.DRAFT)
        self.correct_button.setEnabled(can("document.draft") and status == DocStatus.SIGNED)
        self.submit_button.setEnabled(can("document.submit") and status == DocStatus.SIGNED)
        self.discard_button.setEnabled(can("document.draft") and status == DocStatus.DRAFT)
        self.open_button.setEnabled(doc is not None and bool(doc.file_sha256))
        self.print_button.setEnabled(doc is not None and bool(doc.file_sha256))
        self.history_button.setEnabled(doc is not None)
        self.package_button.setEnabled(can("export"))
        self.empty_hint.buttons[0].setEnabled(can("document.draft"))
        self.key_letter_button.setEnabled(can("document.draft"))
        self.save_key_button.setEnabled(doc is not None and doc.kind == key_letter.KIND
                                        and bool(doc.file_sha256) and can("export"))
        self.docx_button.setEnabled(doc is not None and can("export"))
        if not can("document.sign"):
            self.sign_button.setToolTip(QCoreApplication.translate(
                "DocumentsPage", "只有技术负责人可以签发文书"))
        else:
            self.sign_button.setToolTip("")

    # -- actions (the service decides; the buttons only say what it would refuse) -------------

    def generate_draft(self) -> Task | None:
        """A periodic report of the agency, a project, an insurer's or an authority's projects,
        drafted on a worker."""
        dialog = DraftDialog(self.state, self)
        if not dialogs.run(dialog):
            return None
        choice = dialog.chosen()
        return run_service(
            self, self.state, documents.generate_draft, kind=choice.kind,
            scope_type=choice.scope_type, scope_id=choice.scope_id, period=choice.period,
            store_dir=self.state.config.attachments_dir,
            work_dir=work_dir(), changes=Changes(documents=True),
            label=QCoreApplication.translate("DocumentsPage", "正在生成文书草稿…"), on_result=self._drafted)

    def draft_key_letter(self) -> Task | None:
        """A draft of the agency's 公钥登记函 (the technical lead signs it like any document)."""
        return run_service(
            self, self.state, documents.generate_draft, kind=key_letter.KIND,
            scope_type="agency", scope_id=None, period="",
            store_dir=self.state.config.attachments_dir, work_dir=work_dir(),
            changes=Changes(documents=True), label=QCoreApplication.translate(
                "DocumentsPage", "正在生成文书草稿…"), on_result=self._drafted)

    def save_key_letter(self) -> tuple[Path, Path] | None:
        """The key letter's PDF and the public key file it names, saved side by side."""
        doc = self.selected()
        if doc is None or doc.kind != key_letter.KIND:
            return None
        folder = dialogs.choose_folder(self, QCoreApplication.translate(
            "DocumentsPage", "选择保存登记函和公钥文件的文件夹"), str(Path.home()))
        if not folder:
            return None
        from desktop.services.exchange import key_letter_export  # its layout on first use

        try:
            saved = self.state.write(key_letter_export.save_with_key, doc.id,
                                     store_dir=self.state.config.attachments_dir, folder=folder)
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
            return None
        dialogs.inform(self, QCoreApplication.translate("DocumentsPage", "已保存"),
                       QCoreApplication.translate(
                           "DocumentsPage", "登记函：{pdf}\n公钥文件：{pem}\n\n请将两个文件一并发送给承保机构。"
                       ).format(pdf=saved[0], pem=saved[1]))
        return saved
    def month_end(self) -> object:
        """月末批量: every periodic document due for a period and scope, drafted, signed, sent."""
        return open_month_end(self.state, self)

    def _drafted(self, doc: DocumentRow) -> None:
        self.reload()
        if not self.select(doc.id):
            dialogs.inform(self, QCoreApplication.translate("DocumentsPage", "草稿已生成"),
                           QCoreApplication.translate(
                               "DocumentsPage", "已生成“{title}”草稿；当前筛选条件下未显示。").format(title=doc.title))

    def sign_document(self) -> Task | None:
        """签发 the selected draft: the number is fixed and the document never changes again."""
        doc = self.selected()
        if doc is None:
            return None
        text = QCoreApplication.translate(
            "DocumentsPage",
            "签发“{title}”？\n签发后将编定文号、生成正式文件并记录签发人，文书不能再修改，只能通过更正出具新版本。",
        ).format(title=doc.title)
        if not dialogs.ask(self, QCoreApplication.translate("DocumentsPage", "签发文书"), text):
            return None
        return run_service(
            self, self.state, documents.sign, doc.id, expected_version=doc.version,
            store_dir=self.state.config.attachments_dir, work_dir=work_dir(),
            key_dir=self.state.config.data_dir,
            changes=Changes(documents=True), label=QCoreApplication.translate(
                "DocumentsPage", "正在签发文书…"), on_result=self._signed)

    def _signed(self, doc: DocumentRow) -> None:
        self.reload()
        self.select(doc.id)
        dialogs.inform(self, QCoreApplication.translate(
            "DocumentsPage", "已签发"), QCoreApplication.translate("DocumentsPage", "“{title}”已签发，文号：{number}").format(
            title=doc.title, number=i18n.service_text(doc.display_number)))

    def correct_document(self) -> Task | None:
        """A new revision's draft of a signed document, with the reason for the correction."""
        doc = self.selected()
        if doc is None:
            return None
        dialog = CorrectDialog(doc, self)
        if not dialogs.run(dialog):
            return None
        return run_service(
            self, self.state, documents.correct, doc.id, reason=dialog.text(),
            store_dir=self.state.config.attachments_dir, work_dir=work_dir(),
            changes=Changes(documents=True), label=QCoreApplication.translate(
                "DocumentsPage", "正在生成更正版本…"),
            on_result=self._drafted)

    def record_submission(self) -> bool:
        doc = self.selected()
        if doc is None:
            return False
        return dialogs.run(SubmissionDialog(self.state, doc, self))

    def discard_draft(self) -> bool:
        doc = self.selected()
        if doc is None:
            return False
        if not dialogs.ask(self, QCoreApplication.translate(
            "DocumentsPage", "删除草稿"), QCoreApplication.translate("DocumentsPage", "删除草稿“{title}”及其文件？").format(
                title=doc.title)):
            return False
        try:
            self.state.write(documents.discard_draft, doc.id, expected_version=doc.version,
                             store_dir=self.state.config.attachments_dir,
                             changes=Changes(documents=True))
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
            return False
        return True

    def _stored_file(self) -> tuple[Path, str] | None:
        """The selected document's stored PDF and the title it is shown under; None (said so)
        when nothing is selected or the file is missing."""
        doc = self.selected()
        if doc is None:
            return None
        try:
            stored = documents.file_path(self.state.config.attachments_dir, doc)
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
            return None
        if not stored.is_file():
            dialogs.warn(self, QCoreApplication.translate(
                "DocumentsPage", "文件缺失"), QCoreApplication.translate("DocumentsPage", "文书文件缺失：{path}").format(path=stored))
            return None
        number = number_text(doc) if doc.status != DocStatus.DRAFT else QCoreApplication.translate(
            "DocumentsPage", "草稿")
        return stored, f"{number} {doc.title}"

    def open_document(self) -> bool:
        """The stored PDF in the in-app viewer (pages, zoom, print, 用系统程序打开)."""
        found = self._stored_file()
        if found is None:
            return False
        pdf_viewer.show_pdf(found[0], found[1], self)
        return True

    def print_document(self) -> int:
        """The selected document printed through the system print dialog; pages printed."""
        found = self._stored_file()
        if found is None:
            return 0
        return pdf_viewer.print_pdf(found[0], found[1], self)

    def export_package(self) -> None:
        from desktop.ui import exchange_dialogs  # the packaging stack loads on first use

        exchange_dialogs.export_package(self, self.state)

    def verify_package(self) -> None:
        from desktop.ui import exchange_dialogs

        exchange_dialogs.verify_package(self, self.state)

    def export_docx(self, target: str = "") -> Task | None:
        """An editable Word copy of the selected document, built on a worker: 工作稿 for a
        draft; a signed one's copy says the signed PDF prevails."""
        doc = self.selected()
        if doc is None:
            return None
        if not target:
            number = number_text(doc) if doc.status != DocStatus.DRAFT else \
                QCoreApplication.translate("DocumentsPage", "工作稿")
            name = f"{number} {doc.title}".replace("/", "-").replace("\\", "-")
            target = file_dialogs.save_file(
                self, QCoreApplication.translate("DocumentsPage", "导出 Word 副本"),
                f"{name}.docx", QCoreApplication.translate("DocumentsPage", "Word 文档 (*.docx)"))
        if not target:
            return None
        if not target.lower().endswith(".docx"):
            target += ".docx"
        return run_service(
            self, self.state, documents.docx_copy, doc.id,
            store_dir=self.state.config.attachments_dir, target=target,
            label=QCoreApplication.translate("DocumentsPage", "正在导出 Word 副本…"),
            on_result=lambda path: dialogs.inform(
                self, QCoreApplication.translate("DocumentsPage", "已导出"),
                QCoreApplication.translate("DocumentsPage", "Word 副本已写出：{path}").format(
                    path=path)))

    def show_history(self) -> None:
        doc = self.selected()
        if doc is not None:
            show_history(self, self.state, "documents", doc.id,
                         title=QCoreApplication.translate(
                             "DocumentsPage", "文书历史：{title}").format(title=doc.title))

    # -- layout ------------------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("header", self.table.horizontalHeader().saveState())
        settings.setValue("submissions/header",
                          self.submission_table.horizontalHeader().saveState())
        settings.setValue("splitter", self.splitter.saveState())
        settings.setValue("side", self.side.saveState())

    def restore_state(self, settings: QSettings) -> None:
        for key, table in (("header", self.table), ("submissions/header", self.submission_table)):
            saved = settings.value(key)
            if saved is not None:
                table.horizontalHeader().restoreState(saved)
        for key, splitter in (("splitter", self.splitter), ("side", self.side)):
            saved = settings.value(key)
            if saved is not None:
                splitter.restoreState(saved)
        self.table.horizontalHeader().setSectionsMovable(True)
