"""One hazard: its facts, the steps this user may take now, reports owed, timeline, photos, letters.

Opened from the register (and the project page) in its own window; it reloads itself when a
change touches its hazard, and a step refused because someone else saved first reloads too.
"""

from __future__ import annotations

import tempfile
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import (
    AttachmentRole,
    DocStatus,
    HazardStatus,
    InspectionKind,
    Recipient,
    ReportReason,
    StopWork,
)
from desktop.services import documents, hazards
from desktop.services.context import Changes, NotFound, now
from desktop.services.documents import DocumentRow
from desktop.services.hazards import ReportRow
from desktop.services.queries import hazard_view
from desktop.services.queries.hazard_view import HazardPageData, TimelineEntry
from desktop.ui import dialogs, i18n, pdf_viewer, table_copy
from desktop.ui.app_state import AppState
from desktop.ui.catalogue_picker import MemoryTableModel, unverified_note
from desktop.ui.hazard_actions import DIALOGS, ReportDialog, step_label
from desktop.ui.hazard_dialog import HazardDialog
from desktop.ui.lazy_model import CENTER, ROW_ROLE, Column
from desktop.ui.photo_strip import PhotoStrip
from desktop.ui.tasks import run_service
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.widgets import ErrorLabel
from desktop.vocabulary import HAZARD_LEVEL_COLOURS

CHIP = "background: {colour}; color: {ink}; border-radius: 3px; padding: 2px 10px;"
BADGE = "color: {colour}; font-weight: bold;"
DRAFTS = {  # document kind -> button text; shown when the hazard calls for it
    "rectification_notice": QT_TRANSLATE_NOOP("HazardPage", "整改通知书"),
    "stop_work": QT_TRANSLATE_NOOP("HazardPage", "停工建议书"),
    "hazard_report": QT_TRANSLATE_NOOP("HazardPage", "隐患报告单"),
    "closure_record": QT_TRANSLATE_NOOP("HazardPage", "复查销项单"),
}
REPORT_STATES = {"pending": QT_TRANSLATE_NOOP("HazardPage", "待报告"),
                 "done": QT_TRANSLATE_NOOP("HazardPage", "已报告"),
                 "void": QT_TRANSLATE_NOOP("HazardPage", "已作废")}


def status_label(value: str | None) -> str:
    return i18n.label(HazardStatus(value)) if value else ""


def event_details(entry: TimelineEntry) -> str:
    """The note and what the step recorded (签收人, 监理确认人, 复查日期…), in words."""
    data = entry.event.data or {}
    parts = []
    for key, caption in (("received_by", QCoreApplication.translate("HazardPage", "签收人：{v}")),
                         ("supervisor_name",
                             QCoreApplication.translate("HazardPage", "监理确认人：{v}")),
                         ("reinspection_date",
                             QCoreApplication.translate("HazardPage", "复查日期：{v}")),
                         ("channel", QCoreApplication.translate("HazardPage", "方式：{v}"))):
        if data.get(key):
            parts.append(caption.format(v=data[key]))
    if Recipient.known(data.get("recipient")):
        parts.insert(0,
            QCoreApplication.translate("HazardPage", "报告{v}").format(
                v=i18n.label(Recipient(data["recipient"]))))
    if data.get("kind") in ("refusal", "delay"):
        parts.append(
            QCoreApplication.translate("HazardPage", "拒不整改") if data["kind"] == "refusal"
            else QCoreApplication.translate("HazardPage", "拖延整改"))
    if entry.event.kind == "recorded" and StopWork.known(data.get("stop_work")):
        parts.append(i18n.label(StopWork(data["stop_work"])))
    if entry.event.note:
        parts.append(entry.event.note)
    return "；".join(parts)


def letter_state(data: HazardPageData) -> str:
    """Where a level 1's stop-work suggestion stands: signed (its number), a draft, or none yet."""
    if data.detail.row.level != 1:
        return ""
    letters = [d for d in data.documents if d.kind == "stop_work"]
    signed = [d for d in letters if d.status == "signed"]
    if signed:
        return QCoreApplication.translate("HazardPage", "已签发（{number}）").format(
            number=signed[0].display_number)
    if letters:
        return QCoreApplication.translate("HazardPage", "草稿待技术负责人签发（销项前须签发）")
    return QCoreApplication.translate("HazardPage", "尚未起草（销项前须签发）")


class EventColumn(IntEnum):
    AT = 0
    STEP = 1
    CHANGE = 2
    WHO = 3
    DETAILS = 4


EVENT_COLUMNS: dict[EventColumn, Column[TimelineEntry]] = {
    EventColumn.AT: Column(QT_TRANSLATE_NOOP("Columns", "时间"), lambda e: e.event.at, CENTER),
    EventColumn.STEP: Column(QT_TRANSLATE_NOOP("Columns", "事项"), lambda e: step_label(e.event.kind)),
    EventColumn.CHANGE: Column(QT_TRANSLATE_NOOP("Columns", "状态"), lambda e: (
        status_label(e.event.to_status) if e.event.from_status in (None, e.event.to_status)
        else f"{status_label(e.event.from_status)} → {status_label(e.event.to_status)}")),
    EventColumn.WHO: Column(QT_TRANSLATE_NOOP("Columns", "经办人"), lambda e: e.who),
    EventColumn.DETAILS: Column(QT_TRANSLATE_NOOP("Columns", "说明"), event_details),
}


class ReportColumn(IntEnum):
    RECIPIENT = 0
    REASON = 1
    DUE = 2
    STATE = 3
    AT = 4
    CHANNEL = 5


REPORT_COLUMNS: dict[ReportColumn, Column[ReportRow]] = {
    ReportColumn.RECIPIENT: Column(QT_TRANSLATE_NOOP("Columns", "报告对象"),
                                   lambda r: i18n.label(Recipient(r.recipient))),
    ReportColumn.REASON: Column(QT_TRANSLATE_NOOP("Columns", "事由"),
                                lambda r: i18n.label(ReportReason(r.reason))),
    ReportColumn.DUE: Column(QT_TRANSLATE_NOOP("Columns", "期限"), lambda r: r.due_at, CENTER),
    ReportColumn.STATE: Column(QT_TRANSLATE_NOOP("Columns", "状态"), lambda r: QCoreApplication.translate(
        "HazardPage", REPORT_STATES.get(r.status, r.status)), CENTER),
    ReportColumn.AT: Column(QT_TRANSLATE_NOOP("Columns", "报告时间"), lambda r: r.reported_at, CENTER),
    ReportColumn.CHANNEL: Column(QT_TRANSLATE_NOOP("Columns", "方式"), lambda r: r.channel),
}


def report_urgency(report: ReportRow) -> int | None:
    """Tint a report still owed: red once its time has passed, orange before."""
    if report.status != "pending":
        return None
    return 1 if report.due_at is not None and report.due_at < now() else 2


class DocColumn(IntEnum):
    TITLE = 0
    NUMBER = 1
    STATE = 2
    CREATED = 3


DOC_COLUMNS: dict[DocColumn, Column[DocumentRow]] = {
    DocColumn.TITLE: Column(QT_TRANSLATE_NOOP("Columns", "文书"), lambda d: d.title),
    DocColumn.NUMBER: Column(QT_TRANSLATE_NOOP("Columns", "编号"), lambda d: i18n.service_text(d.display_number)),
    DocColumn.STATE: Column(QT_TRANSLATE_NOOP("Columns", "状态"),
                            lambda d: i18n.label(DocStatus(d.status)), CENTER),
    DocColumn.CREATED: Column(QT_TRANSLATE_NOOP("Columns", "生成时间"), lambda d: d.created_at, CENTER),
}


def table(model: MemoryTableModel[Any], widths: tuple[int, ...]) -> QTableView:
    view = table_copy.install(QTableView())
    view.setModel(model)
    model.setParent(view)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    view.setWordWrap(False)
    for column, width in enumerate(widths):
        view.setColumnWidth(column, width)
    return view


class HazardPage(QWidget):
    """The detail view of one hazard; `data` is what was read last."""

    def __init__(self, state: AppState, hazard_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.hazard_id = state, hazard_id
        self.data: HazardPageData | None = None
        self.setObjectName("hazardPage")
        self.title = QLabel()
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.chip, self.status, self.badges = QLabel(), QLabel(), QLabel()
        self.action_row = QHBoxLayout()
        self.step_buttons: dict[str, QPushButton] = {}
        self.edit_button = QPushButton(QCoreApplication.translate("HazardPage", "修改…"))
        self.edit_button.clicked.connect(self.edit)
        self.history_button = QPushButton(QCoreApplication.translate("HazardPage", "修改记录…"))
        self.history_button.clicked.connect(self.show_history)
        self.facts = QFormLayout()
        self.item_note = QLabel(unverified_note())
        self.item_note.setWordWrap(True)
        self.item_note.setStyleSheet("color: #c62828; font-weight: bold;")
        self.events = MemoryTableModel(EventColumn, EVENT_COLUMNS, row_id=lambda e: e.event.id)
        self.reports = MemoryTableModel(ReportColumn, REPORT_COLUMNS, level_of=report_urgency)
        self.docs = MemoryTableModel(DocColumn, DOC_COLUMNS)
        self.timeline_view = table(self.events, (118, 104, 150, 84))
        self.reports_view = table(self.reports, (80, 108, 110, 50, 110))
        self.docs_view = table(self.docs, (250, 140, 56))
        self.report_button = QPushButton(QCoreApplication.translate("HazardPage", "登记报告…"))
        self.report_button.clicked.connect(self.record_report)
        self.reports_view.doubleClicked.connect(lambda _i: self.record_report())
        self.docs_view.doubleClicked.connect(self._open_document)
        self.draft_buttons: dict[str, QPushButton] = {}
        self.before = PhotoStrip(state, role=AttachmentRole.BEFORE, owner_id=hazard_id,
                                 title=QCoreApplication.translate("HazardPage", "整改前照片"))
        self.after = PhotoStrip(state, role=AttachmentRole.AFTER, owner_id=hazard_id,
                                title=QCoreApplication.translate("HazardPage", "整改后照片"))
        self.error = ErrorLabel()
        self._layout()
        state.changed.connect(self.on_changed)
        # another user signed in: the steps and edits offered depend on the role
        state.actor_changed.connect(self._actor_changed)
        self.reload()

    def _actor_changed(self, _actor: object) -> None:
        self.reload()

    def _layout(self) -> None:
        head = QHBoxLayout()
        for widget in (self.title, self.chip, self.status, self.badges):
            head.addWidget(widget)
        head.addStretch(1)
        facts_box = QGroupBox(QCoreApplication.translate("HazardPage", "隐患情况"))
        facts = QVBoxLayout(facts_box)
        facts.addLayout(self.facts)
        facts.addWidget(self.item_note)
        self.reports_box = reports_box = QGroupBox(
            QCoreApplication.translate("HazardPage", "对外报告"))
        reports = QVBoxLayout(reports_box)
        reports.addWidget(self.reports_view)
        reports.addWidget(self.report_button, 0, Qt.AlignmentFlag.AlignRight)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(facts_box)
        column.addWidget(reports_box, 1)
        column.addStretch(0)
        timeline_box = QGroupBox(QCoreApplication.translate("HazardPage", "处理经过"))
        QVBoxLayout(timeline_box).addWidget(self.timeline_view)
        docs_box = QGroupBox(QCoreApplication.translate("HazardPage", "文书"))
        docs = QVBoxLayout(docs_box)
        self.draft_row = QHBoxLayout()
        docs.addLayout(self.draft_row)
        docs.addWidget(self.docs_view)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(timeline_box, 3)
        column.addWidget(docs_box, 2)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([520, 600])
        photos = QHBoxLayout()
        photos.addWidget(self.before)
        photos.addWidget(self.after)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(head)
        layout.addLayout(self.action_row)
        layout.addWidget(self.error)
        layout.addWidget(split, 1)
        layout.addLayout(photos)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    # -- loading -------------------------------------------------------------------------------

    def on_changed(self, changes: Changes) -> None:
        touched = changes.ids.get("hazards")
        if changes.hazards and (not touched or self.hazard_id in touched) or changes.documents:
            self.reload()

    def reload(self) -> None:
        try:
            data = self.state.read(hazard_view.page_data, self.hazard_id)
        except NotFound as exc:
            self.error.show_message(i18n.error_text(exc))
            for button in self.step_buttons.values():
                button.setEnabled(False)
            return
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
            return
        self.data = data
        self._show(data)

    def _show(self, data: HazardPageData) -> None:
        row = data.detail.row
        self.title.setText(row.number)
        self.setWindowTitle(
            QCoreApplication.translate("HazardPage", "隐患 {number}").format(number=row.number))
        self.chip.setText(i18n.level_label(row.level))
        self.chip.setStyleSheet(CHIP.format(colour=HAZARD_LEVEL_COLOURS[row.level],
                                            ink="#212121" if row.level == 3 else "white"))
        self.status.setText(status_label(row.status))
        badges = [QCoreApplication.translate("HazardPage", "重大事故隐患")] if row.is_major else []
        badges += [QCoreApplication.translate("HazardPage", "逾期")] if row.overdue else []
        badges += [QCoreApplication.translate("HazardPage", "已登记拒改/拖延")] if row.escalated else []
        self.badges.setText("　".join(badges))
        self.badges.setStyleSheet(BADGE.format(colour="#c62828"))
        self._show_facts(data)
        self._show_actions(data)
        self.events.set_rows(data.timeline)
        self.reports.set_rows(data.reports)
        self.reports_box.setVisible(bool(data.reports))  # level 3/4 owe none unless escalated
        self.docs.set_rows(data.documents)
        self.report_button.setEnabled(bool(data.pending_reports) and self.state.can("hazard.report"))
        self._show_drafts(data)
        editable = (row.status not in (HazardStatus.CLOSED, HazardStatus.CANCELLED)
                    and self.state.can("hazard.edit"))
        for strip in (self.before, self.after):
            strip.set_editable(editable)
            strip.show_rows(data.photos)

    def _show_facts(self, data: HazardPageData) -> None:
        d, row = data.detail, data.detail.row
        while self.facts.rowCount():
            self.facts.removeRow(0)
        item = d.catalogue_item
        stop = i18n.label(StopWork(row.stop_work)) if StopWork.known(row.stop_work) else ""
        inspection = (f"{d.inspection.date} {i18n.label(InspectionKind(d.inspection.kind))}"
                      if d.inspection else "")
        repeat = (QCoreApplication.translate("HazardPage", "重复 {number}").format(
            number=d.repeat_of_number) if d.repeat_of_number else "")
        unit = " ".join(x for x in (d.responsible_unit, d.responsible_person) if x)
        for caption, value in (
            (QCoreApplication.translate("HazardPage", "项目"), f"{d.project_name}（{d.project_code}）"),
            (QCoreApplication.translate("HazardPage", "部位"), row.location),
            (QCoreApplication.translate("HazardPage", "隐患描述"), row.description),
            (QCoreApplication.translate("HazardPage", "类别"), row.category),
            (QCoreApplication.translate("HazardPage", "判定依据"),
             f"{item.reference}\n{item.text}" if item else ""),
            (QCoreApplication.translate("HazardPage", "发现时间"), d.found_at.strftime("%Y-%m-%d %H:%M")),
            (QCoreApplication.translate("HazardPage", "检查记录"), inspection),
            (QCoreApplication.translate("HazardPage", "整改措施"), d.measures),
            (QCoreApplication.translate("HazardPage", "整改期限"),
             row.deadline.isoformat() if row.deadline else ""),
            (QCoreApplication.translate("HazardPage", "应急预案"), d.contingency),
            (QCoreApplication.translate("HazardPage", "责任单位"), unit),
            (QCoreApplication.translate("HazardPage", "监理单位"), d.supervising_unit),
            (QCoreApplication.translate("HazardPage", "停工建议"), stop),
            (QCoreApplication.translate("HazardPage", "停工建议书"), letter_state(data)),
            (QCoreApplication.translate("HazardPage", "重复隐患"), repeat),
            (QCoreApplication.translate("HazardPage", "登记人"), d.created_by),
        ):
            if value:
                label = QLabel(value)
                label.setWordWrap(True)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self.facts.addRow(caption, label)
        self.item_note.setVisible(item is not None and not item.verified)

    def _show_actions(self, data: HazardPageData) -> None:
        while self.action_row.count():
            item = self.action_row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None and widget not in (self.edit_button, self.history_button):
                widget.deleteLater()
        self.step_buttons.clear()
        row = data.detail.row
        for step in hazards.allowed_steps(row, self.state.actor):
            button = QPushButton(step_label(step.name) + "…")
            button.setObjectName(f"step_{step.name}")
            button.clicked.connect(lambda _c=False, name=step.name: self.run_step(name))
            self.action_row.addWidget(button)
            self.step_buttons[step.name] = button
        if row.is_major and row.status in hazards.OPEN_STATES and self.state.can("hazard.edit"):
            review = QPushButton(step_label("major_review") + "…")
            review.setObjectName("step_major_review")
            review.setToolTip(QCoreApplication.translate(
                "HazardPage", "重大事故隐患定为一级；只有经复核不属于重大事故隐患（须写明理由）才能降低等级。"))
            review.clicked.connect(lambda _c=False: self.run_step("major_review"))
            self.action_row.addWidget(review)
            self.step_buttons["major_review"] = review
        self.action_row.addStretch(1)
        self.edit_button.setVisible(row.status in hazards.OPEN_STATES and self.state.can("hazard.edit"))
        self.action_row.addWidget(self.edit_button)
        self.action_row.addWidget(self.history_button)

    def show_history(self) -> None:
        """Every recorded change of this hazard's fields (the audit trail), beside the timeline."""
        from desktop.ui.history_panel import show_history

        show_history(self, self.state, "hazards", self.hazard_id)

    def _show_drafts(self, data: HazardPageData) -> None:
        row = data.detail.row
        wanted = ["rectification_notice"]
        if row.stop_work != StopWork.NONE:
            wanted.append("stop_work")
        if row.level == 1 or (row.level == 2 and row.is_serious):
            wanted.append("hazard_report")
        if row.status in (HazardStatus.CLOSURE_SUBMITTED, HazardStatus.CLOSED):
            wanted.append("closure_record")
        if row.status == HazardStatus.CANCELLED:
            wanted = []
        for kind, button in list(self.draft_buttons.items()):
            if kind not in wanted:
                self.draft_row.removeWidget(button)
                button.deleteLater()
                del self.draft_buttons[kind]
        for kind in wanted:
            if kind not in self.draft_buttons:
                text = QCoreApplication.translate("HazardPage", "生成{what}草稿").format(
                    what=QCoreApplication.translate("HazardPage", DRAFTS[kind]))
                button = QPushButton(text)
                button.setObjectName(f"draft_{kind}")
                button.clicked.connect(lambda _c=False, k=kind: self.generate(k))
                self.draft_row.addWidget(button)
                self.draft_buttons[kind] = button
            self.draft_buttons[kind].setEnabled(self.state.can("document.draft"))

    # -- acting --------------------------------------------------------------------------------

    def run_step(self, name: str) -> None:
        if self.data is None:
            return
        dialog = DIALOGS[name](self.state, self.data.detail.row, self)
        dialogs.run(dialog)  # a step done is announced, and `changed` reloads this page
        if dialog.conflicted:
            self.reload()

    def record_report(self) -> None:
        if self.data is None:
            return
        index = self.reports_view.currentIndex()
        chosen = self.reports.data(index, ROW_ROLE) if index.isValid() else None
        pending = self.data.pending_reports
        if chosen is not None and chosen.status == "pending":
            report = chosen
        else:
            report = pending[0] if pending else None
        if report is None:
            return
        dialog = ReportDialog(self.state, self.data.detail.row, report, self)
        dialogs.run(dialog)
        if dialog.conflicted:
            self.reload()

    def edit(self) -> None:
        dialogs.run(HazardDialog(self.state, hazard_id=self.hazard_id, parent=self))

    def generate(self, kind: str) -> None:
        run_service(self, self.state, documents.generate_draft, kind=kind, scope_type="hazard",
                    scope_id=self.hazard_id, store_dir=self.state.config.attachments_dir,
                    work_dir=Path(tempfile.gettempdir()), changes=Changes(documents=True),
                    label=QCoreApplication.translate("HazardPage", "正在生成文书草稿…"),
                    on_result=self._drafted)

    def _drafted(self, doc: DocumentRow) -> None:
        text = QCoreApplication.translate("HazardPage", "已生成“{title}”草稿。是否现在打开查看？")
        if dialogs.ask(self,
            QCoreApplication.translate("HazardPage", "文书草稿"), text.format(title=doc.title)):
            self._open(doc)

    def _open_document(self, index: QModelIndex) -> None:
        doc = self.docs.data(index, ROW_ROLE)
        if doc is not None:
            self._open(doc)

    def _open(self, doc: DocumentRow) -> None:
        try:
            stored = documents.file_path(self.state.config.attachments_dir, doc)
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
            return
        pdf_viewer.show_pdf(stored, doc.title, self)


_windows: dict[int, HazardPage] = {}


def show_hazard(state: AppState, hazard_id: int, parent: QWidget | None = None) -> HazardPage:
    """The hazard's window, raised if already open."""
    page = _windows.get(hazard_id)
    if page is not None:
        try:
            page.raise_()
            page.activateWindow()
            return page
        except RuntimeError:  # closed and deleted by Qt
            del _windows[hazard_id]
    page = HazardPage(state, hazard_id, parent)
    page.setWindowFlag(Qt.WindowType.Window, True)
    page.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    page.destroyed.connect(lambda _o=None, i=hazard_id: _windows.pop(i, None))
    page.resize(1180, 820)
    page.show()
    _windows[hazard_id] = page
    return page
