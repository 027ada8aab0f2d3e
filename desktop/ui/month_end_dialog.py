"""月末批量 (issue 16 §5): choose a period and a scope, draft every due periodic document in one
run (progress, cancel), review and sign them (each, or all ticked as reviewed; each refusal
shown on its row), then log their submissions in batch with the channel and time."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services import documents, month_end
from desktop.services.context import ValidationError, now
from desktop.services.month_end import BatchResult, Planned
from desktop.ui import dialogs, i18n
from desktop.ui.app_state import AppState
from desktop.ui.date_field import DateTimeField
from desktop.ui.document_dialogs import CHANNELS, DraftChoice, DraftDialog, kind_text
from desktop.ui.document_preview import DocumentPreview
from desktop.ui.tasks import Task, run_task
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.widgets import ErrorLabel

STATUS = {"": QT_TRANSLATE_NOOP("MonthEndDialog", "未生成"), "draft": QT_TRANSLATE_NOOP("MonthEndDialog", "草稿"),
          "signed": QT_TRANSLATE_NOOP("MonthEndDialog", "已签发")}
RED = "#c62828"


def _tr(text: str) -> str:
    return QCoreApplication.translate("MonthEndDialog", text)


def work_dir() -> Path:
    return Path(tempfile.gettempdir())  # as the documents page drafts


def last_month(today: dt.date) -> str:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year}-{first.month:02d}"


class BatchScopeDialog(DraftDialog):
    """The draft dialog's period and scope, without the kind: the batch drafts every kind due."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.setWindowTitle(QCoreApplication.translate("MonthEndDialog", "月末批量：选择期间和范围"))
        self.period.setText(last_month(now().date()))
        layout = self.layout()
        assert layout is not None  # DraftDialog's: its form, then its note
        form_item, note_item = layout.itemAt(0), layout.itemAt(1)
        form = form_item.layout() if form_item is not None else None
        assert isinstance(form, QFormLayout), form
        form.setRowVisible(self.kind, False)
        note = note_item.widget() if note_item is not None else None
        if isinstance(note, QLabel):
            note.setText(QCoreApplication.translate("MonthEndDialog", "将一次生成该期间内（月、季、年末）应出具的隐患排查清单、安全生产分析和风险评估报告。"))


class MonthEndDialog(QDialog):
    """The review list of one period and scope."""

    COLUMNS = (QT_TRANSLATE_NOOP("MonthEndDialog", "已审阅"), QT_TRANSLATE_NOOP("MonthEndDialog", "文书"),
               QT_TRANSLATE_NOOP("MonthEndDialog", "期间"), QT_TRANSLATE_NOOP("MonthEndDialog", "状态"),
               QT_TRANSLATE_NOOP("MonthEndDialog", "结果"))

    def __init__(self, state: AppState, choice: DraftChoice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.choice = state, choice
        self.planned: list[Planned] = []
        self.results: dict[int, str] = {}  # document id -> the last refusal (or "")
        self.task: Task | None = None
        self.setWindowTitle(QCoreApplication.translate("MonthEndDialog", "月末批量 {period}").format(period=choice.period))
        self.resize(1000, 600)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("monthEndTable")
        self.table.setHorizontalHeaderLabels([_tr(c) for c in self.COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(1, 320)
        self.table.itemSelectionChanged.connect(self._preview)
        self.preview = DocumentPreview()
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(self.preview)
        split.setSizes([620, 380])
        self.draft_button = self._button(QCoreApplication.translate("MonthEndDialog", "生成全部草稿"), "monthEndDraft", self.draft_all)
        self.sign_one_button = self._button(QCoreApplication.translate("MonthEndDialog", "签发本行"), "monthEndSignOne", self.sign_current)
        self.sign_button = self._button(QCoreApplication.translate("MonthEndDialog", "签发已审阅"), "monthEndSign", self.sign_reviewed)
        self.channel = QComboBox()
        self.channel.setObjectName("monthEndChannel")
        self.channel.setEditable(True)
        for text in CHANNELS:
            self.channel.addItem(QCoreApplication.translate("DocumentDialogs", text))
        self.when = DateTimeField()
        self.submit_button = self._button(QCoreApplication.translate("MonthEndDialog", "批量登记报送"), "monthEndSubmit", self.submit_signed)
        self.summary = QLabel()
        self.summary.setObjectName("monthEndSummary")
        self.error = ErrorLabel()
        top = QHBoxLayout()
        for w in (self.draft_button, self.sign_one_button, self.sign_button):
            top.addWidget(w)
        top.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel(QCoreApplication.translate("MonthEndDialog", "报送方式")))
        bottom.addWidget(self.channel)
        bottom.addWidget(QLabel(QCoreApplication.translate("MonthEndDialog", "报送时间")))
        bottom.addWidget(self.when)
        bottom.addWidget(self.submit_button)
        bottom.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        state.actor_changed.connect(self._actor_changed)
        self.reload()

    def _actor_changed(self, _actor: object) -> None:
        self.reload()  # another user at the desk: what may be drafted, signed or sent changes

    def _button(self, text: str, name: str, slot: Any) -> QPushButton:
        widget = QPushButton(text)
        widget.setObjectName(name)
        widget.clicked.connect(lambda _c=False: slot())
        return widget

    # -- the list ---------------------------------------------------------------------------

    def reload(self) -> None:
        c = self.choice
        try:
            self.planned = self.state.read(month_end.plan, period=c.period, scope_type=c.scope_type,
                                           scope_id=c.scope_id)
        except dialogs.USER_ERRORS as exc:
            self.planned = []
            self.error.show_message(i18n.error_text(exc))
        reviewed = self.reviewed_ids()
        self.table.setRowCount(len(self.planned))
        for row, p in enumerate(self.planned):
            tick = QTableWidgetItem()
            tick.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            tick.setCheckState(Qt.CheckState.Checked if p.document_id in reviewed else Qt.CheckState.Unchecked)
            tick.setData(Qt.ItemDataRole.UserRole, p.document_id)
            result = self.results.get(p.document_id or 0, "")
            cells = [tick, QTableWidgetItem(i18n.service_text(p.title)), QTableWidgetItem(p.period),
                     QTableWidgetItem(_tr(STATUS.get(p.status, p.status))), QTableWidgetItem(result)]
            cells[1].setToolTip(kind_text(p.kind))
            if result:
                cells[4].setForeground(QColor(RED))
                cells[4].setToolTip(result)
            for col, cell in enumerate(cells):
                self.table.setItem(row, col, cell)
        counts = {s: sum(1 for p in self.planned if p.status == s) for s in STATUS}
        self.summary.setText(QCoreApplication.translate("MonthEndDialog", "应出具 {n} 份：未生成 {none}，草稿 {draft}，已签发 {signed}。"
                                 "预览草稿后勾选“已审阅”，再签发。").format(
            n=len(self.planned), none=counts[""], draft=counts["draft"], signed=counts["signed"]))
        can = self.state.can
        self.draft_button.setEnabled(can("document.draft") and counts[""] + counts["draft"] > 0)
        self.sign_button.setEnabled(can("document.sign") and counts["draft"] > 0)
        self.sign_one_button.setEnabled(can("document.sign") and counts["draft"] > 0)
        self.submit_button.setEnabled(can("document.submit") and counts["signed"] > 0)

    def reviewed_ids(self) -> list[int]:
        out = []
        for row in range(self.table.rowCount()):
            tick = self.table.item(row, 0)
            if tick is not None and tick.checkState() == Qt.CheckState.Checked and tick.data(Qt.ItemDataRole.UserRole):
                out.append(tick.data(Qt.ItemDataRole.UserRole))
        return out

    def current(self) -> Planned | None:
        row = self.table.currentRow()
        return self.planned[row] if 0 <= row < len(self.planned) else None

    def _preview(self) -> None:
        p = self.current()
        if p is None or p.document_id is None:
            self.preview.show_message(QCoreApplication.translate("MonthEndDialog", "尚未生成草稿。"))
            return
        try:
            doc = self.state.read(documents.get, p.document_id)
            path = documents.file_path(self.state.config.attachments_dir, doc)
        except dialogs.USER_ERRORS as exc:
            self.preview.show_message(i18n.error_text(exc))
            return
        self.preview.show_file(path)

    # -- the batch steps, each on a worker --------------------------------------------------

    def _run(self, fn: Any, *args: Any, label: str, **kwargs: Any) -> Task:
        self.error.show_message("")
        self.task = run_task(self, fn, self.state.db.session, self.state.actor, *args, label=label,
                             on_result=self._done, **kwargs)
        self.task.cancelled.connect(self._cancelled)
        return self.task

    def _done(self, result: BatchResult) -> None:
        for o in result.outcomes:
            if o.document_id:
                self.results[o.document_id] = "" if o.ok else o.message
        self.state.announce(result.changes)
        refused = result.refused
        self.reload()
        if refused:
            self.error.show_message(QCoreApplication.translate("MonthEndDialog", "{n} 份未能完成，原因见各行“结果”。").format(n=len(refused)))

    def _cancelled(self) -> None:
        self.state.announce(month_end.BatchResult().changes)
        self.reload()
        self.error.show_message(QCoreApplication.translate("MonthEndDialog", "已取消；已完成的文书已保存。"))

    def draft_all(self) -> Task:
        c = self.choice
        return self._run(month_end.draft_all, period=c.period, scope_type=c.scope_type, scope_id=c.scope_id,
                         store_dir=self.state.config.attachments_dir, work_dir=work_dir(),
                         label=QCoreApplication.translate("MonthEndDialog", "正在生成草稿…"))

    def _sign(self, ids: list[int]) -> Task | None:
        drafts = {p.document_id for p in self.planned if p.status == "draft"}
        ids = [i for i in ids if i in drafts]
        if not ids:
            self.error.show_message(QCoreApplication.translate("MonthEndDialog", "请先预览草稿并勾选“已审阅”。"))
            return None
        return self._run(month_end.sign_all, ids, store_dir=self.state.config.attachments_dir,
                         work_dir=work_dir(), label=QCoreApplication.translate("MonthEndDialog", "正在签发…"))

    def sign_reviewed(self) -> Task | None:
        return self._sign(self.reviewed_ids())

    def sign_current(self) -> Task | None:
        p = self.current()
        return self._sign([p.document_id] if p is not None and p.document_id else [])

    def submit_signed(self) -> Task | None:
        ids = [p.document_id for p in self.planned if p.status == "signed" and p.document_id]
        channel = self.channel.currentText().strip()
        if not channel:
            self.error.show_message(QCoreApplication.translate("MonthEndDialog", "请填写报送方式"))
            return None
        try:  # an unreadable time is refused, never logged as "now" (the field turns red)
            submitted_at = self.when.checked_value("submitted_at")
        except ValidationError as exc:
            self.error.show_message(i18n.field_texts(exc).get("submitted_at") or i18n.error_text(exc))
            return None
        return self._run(month_end.submit_all, ids, channel=channel, submitted_at=submitted_at,
                         label=QCoreApplication.translate("MonthEndDialog", "正在登记报送…"))


def open_month_end(state: AppState, parent: QWidget | None = None) -> MonthEndDialog | None:
    """Ask for the period and scope, then show the review list (non-modal)."""
    picker = BatchScopeDialog(state, parent)
    if not dialogs.run(picker):
        return None
    dialog = MonthEndDialog(state, picker.chosen(), parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
