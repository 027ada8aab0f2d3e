"""Archive forms (N-15): an item of the ledger, and the destruction steps: request naming items →
the insurer's written approval with its scan (or its refusal) → the destruction itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from desktop.services import archive
from desktop.services.archive import ArchiveForm, ArchiveRow, RequestRow
from desktop.services.context import Changes, ValidationError, now
from desktop.services.queries import archive_view
from desktop.services.queries.archive_view import ProjectChoice
from desktop.ui import training_dialogs as forms
from desktop.ui.app_state import AppState
from desktop.ui.date_field import DateTimeField
from desktop.ui.training_dialogs import RecordDialog, date_edit, project_combo, text_box
from desktop.ui.translatable import QT_TRANSLATE_NOOP

MEDIUM_TEXT = {"paper": QT_TRANSLATE_NOOP("ArchiveDialogs", "纸质"),
               "electronic": QT_TRANSLATE_NOOP("ArchiveDialogs", "电子")}
DOC_TYPES = (
    QT_TRANSLATE_NOOP("ArchiveDialogs", "服务合同"), QT_TRANSLATE_NOOP("ArchiveDialogs", "服务方案"),
    QT_TRANSLATE_NOOP("ArchiveDialogs", "检查记录"),
    QT_TRANSLATE_NOOP("ArchiveDialogs", "整改通知及回复"),
    QT_TRANSLATE_NOOP("ArchiveDialogs", "培训记录"), QT_TRANSLATE_NOOP("ArchiveDialogs", "演练记录"),
    QT_TRANSLATE_NOOP("ArchiveDialogs", "期间报告"), QT_TRANSLATE_NOOP("ArchiveDialogs", "其他"))
SCAN_FILTER = QT_TRANSLATE_NOOP("ArchiveDialogs", "批复扫描件 (*.pdf *.jpg *.jpeg *.png *.heic)")


def _tr(text: str) -> str:
    return QCoreApplication.translate("ArchiveDialogs", text)


def datetime_edit(moment: dt.datetime | None = None) -> DateTimeField:
    return DateTimeField(moment or now())


def moment_of(edit: DateTimeField, key: str) -> dt.datetime:
    return edit.checked_value(key)


def titles(rows: Sequence[ArchiveRow], limit: int = 8) -> str:
    shown = [f"· {r.project_name}：{r.title}" for r in rows[:limit]]
    if len(rows) > limit:
        more = _tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "…… 另有 {n} 件"))
        shown.append(more.format(n=len(rows) - limit))
    return "\n".join(shown)


def listing(rows: Sequence[ArchiveRow]) -> QLabel:
    label = QLabel(titles(rows))
    label.setWordWrap(True)
    return label


class ItemDialog(RecordDialog):
    """An item of the ledger: what it is, on what medium, how many pages, where it is kept."""

    def __init__(self, state: AppState, choices: Sequence[ProjectChoice], *,
                 row: ArchiveRow | None = None, project_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        title = _tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "新增档案")) if row is None else _tr(
            QT_TRANSLATE_NOOP("ArchiveDialogs", "修改档案：{title}")).format(title=row.title)
        super().__init__(state, title, parent)
        self.row = row
        self.saved: ArchiveRow | None = None
        self.project = project_combo([(c.id, f"{c.code} {c.name}") for c in choices],
                                     row.project_id if row else project_id)
        self.title_field = QLineEdit(row.title if row else "")
        self.medium = QComboBox()
        for value, text in MEDIUM_TEXT.items():
            self.medium.addItem(_tr(text), value)
        self.medium.setCurrentIndex(max(0, self.medium.findData(row.medium if row else "paper")))
        self.doc_type = QComboBox()
        self.doc_type.setEditable(True)
        self.doc_type.addItems([_tr(t) for t in DOC_TYPES])
        self.doc_type.setCurrentText(row.doc_type if row else "")
        self.pages = QSpinBox()
        self.pages.setRange(0, 100_000)
        self.pages.setSpecialValueText(_tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "未填")))
        self.pages.setValue((row.pages or 0) if row else 0)
        self.box = QLineEdit(row.box if row else "")
        self.shelf = QLineEdit(row.shelf if row else "")
        self.shelf.setPlaceholderText(_tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "如：档案室 3 号柜第 2 层")))
        self.filed_at = date_edit(row.filed_at if row else None)
        self.note = QLineEdit(row.note if row else "")
        self.add_fields([
            ("project_id", _tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "项目")), self.project),
            ("title", _tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "题名")), self.title_field),
            ("medium", _tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "载体")), self.medium),
            ("doc_type", _tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "类别")), self.doc_type),
            ("pages", _tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "页数")), self.pages),
            ("box", _tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "盒号")), self.box),
            ("shelf", _tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "存放位置")), self.shelf),
            ("filed_at", _tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "归档日期")), self.filed_at),
            ("note", _tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "备注")), self.note)])
        self.setMinimumWidth(480)
        self.title_field.setFocus()

    def submit(self) -> None:
        project_id = self.project.currentData()
        if project_id is None:
            raise ValidationError({"project_id": _tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "请选择项目"))})
        form = ArchiveForm(project_id, self.title_field.text(), self.medium.currentData(),
                           self.doc_type.currentText(), self.pages.value() or None,
                           self.box.text(), self.shelf.text(),
                           filed_at=self.filed_at.checked_date("filed_at"), note=self.note.text())
        changes = Changes(archive=True)
        if self.row is None:
            self.saved = self.state.write(archive.add_item, form, changes=changes)
        else:
            self.saved = self.state.write(archive.update_item, self.row.id, form,
                                          expected_version=self.row.version, changes=changes)


class RequestDialog(RecordDialog):
    """Ask the insurer to approve destroying the chosen items; the service checks each one."""

    def __init__(self, state: AppState, rows: Sequence[ArchiveRow],
                 parent: QWidget | None = None) -> None:
        super().__init__(state, _tr(QT_TRANSLATE_NOOP(
            "ArchiveDialogs", "申请销毁档案（{n} 件）")).format(n=len(rows)), parent)
        self.rows = list(rows)
        self.saved: RequestRow | None = None
        self.form.addRow(_tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "拟销毁")), listing(self.rows))
        self.reason = text_box(_tr(QT_TRANSLATE_NOOP(
            "ArchiveDialogs", "项目竣工后保存期限已届满，申请按规定销毁。")))
        self.add_field("reason", _tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "销毁理由")), self.reason)
        note = QLabel(_tr(QT_TRANSLATE_NOOP(
            "ArchiveDialogs", "申请提交后须取得承保机构书面批复，登记批复扫描件后方可销毁。")))
        note.setWordWrap(True)
        self.form.addRow(note)
        self.reason.setFocus()

    def submit(self) -> None:
        self.saved = self.state.write(
            archive.request_destruction, item_ids=[r.id for r in self.rows],
            reason=self.reason.toPlainText(), changes=Changes(archive=True))


class ApprovalDialog(RecordDialog):
    """The insurer's written approval: who, when, its reference, the scan kept with the request."""

    def __init__(self, state: AppState, request: RequestRow, parent: QWidget | None = None) -> None:
        super().__init__(state, _tr(QT_TRANSLATE_NOOP(
            "ArchiveDialogs", "登记承保机构批复：第 {n} 号申请")).format(n=request.id), parent)
        self.request = request
        self.form.addRow(_tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "承保机构")),
                         QLabel(request.insurer_name))
        self.approved_by = QLineEdit()
        self.approved_at = datetime_edit()
        self.approval_ref = QLineEdit()
        self.approval_ref.setPlaceholderText(_tr(QT_TRANSLATE_NOOP(
            "ArchiveDialogs", "如：人保绍〔2026〕18号")))
        self.scan = QLineEdit()
        self.scan.setReadOnly(True)
        self.scan.setPlaceholderText(_tr(QT_TRANSLATE_NOOP(
            "ArchiveDialogs", "未选择（必须上传书面批复扫描件）")))
        self.browse = QPushButton(_tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "选择文件(&B)…")))
        self.browse.clicked.connect(self.choose_scan)
        scan_row = QWidget()
        row = QHBoxLayout(scan_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.scan, 1)
        row.addWidget(self.browse)
        self.add_fields([
            ("approved_by_name", _tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "审批人")),
             self.approved_by),
            ("approved_at", _tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "审批时间")), self.approved_at),
            ("approval_ref", _tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "批复文号")),
             self.approval_ref),
            ("approval_attachment_id", _tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "批复扫描件")),
             scan_row)])
        self.setMinimumWidth(520)
        self.approved_by.setFocus()

    def choose_scan(self) -> None:
        path = forms.choose_open_file(
            self, _tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "选择批复扫描件")), _tr(SCAN_FILTER))
        if path:
            self.scan.setText(path)

    def submit(self) -> None:
        self.state.write(archive_view.approve_with_scan, self.request.id,
                         expected_version=self.request.version,
                         approved_by_name=self.approved_by.text(),
                         approved_at=moment_of(self.approved_at, "approved_at"),
                         approval_ref=self.approval_ref.text(), scan=self.scan.text() or None,
                         store_dir=self.state.config.attachments_dir,
                         changes=Changes(archive=True))


class RejectDialog(RecordDialog):
    """The insurer refused: its opinion is recorded and the items go back to the archive."""

    def __init__(self, state: AppState, request: RequestRow, parent: QWidget | None = None) -> None:
        super().__init__(state, _tr(QT_TRANSLATE_NOOP(
            "ArchiveDialogs", "登记承保机构驳回：第 {n} 号申请")).format(n=request.id), parent)
        self.request = request
        self.note = text_box()
        self.add_field("note", _tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "驳回意见")), self.note)
        self.note.setFocus()

    def submit(self) -> None:
        self.state.write(archive.record_rejection, self.request.id,
                         expected_version=self.request.version, note=self.note.toPlainText(),
                         changes=Changes(archive=True))


class DestroyDialog(RecordDialog):
    """Record that items were destroyed; refused for any without the insurer's written approval."""

    def __init__(self, state: AppState, rows: Sequence[ArchiveRow],
                 parent: QWidget | None = None) -> None:
        super().__init__(state, _tr(QT_TRANSLATE_NOOP(
            "ArchiveDialogs", "登记档案销毁（{n} 件）")).format(n=len(rows)), parent)
        self.rows = list(rows)
        self.form.addRow(_tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "销毁档案")), listing(self.rows))
        self.destroyed_at = datetime_edit()
        self.note = text_box()
        self.note.setPlaceholderText(_tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "销毁方式、监销人等")))
        self.add_fields([
            ("destroyed_at", _tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "销毁时间")),
             self.destroyed_at),
            ("note", _tr(QT_TRANSLATE_NOOP("ArchiveDialogs", "销毁说明")), self.note)])
        self.note.setFocus()

    def submit(self) -> None:
        self.state.write(archive.record_destruction, item_ids=[r.id for r in self.rows],
                         destroyed_at=moment_of(self.destroyed_at, "destroyed_at"),
                         note=self.note.toPlainText(),
                         changes=Changes(archive=True))
