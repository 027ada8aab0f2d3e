"""从文件夹导入照片: a phone's folder read on a worker, grouped by capture time into proposed
hazards; the office gives each group a new or an existing hazard of the inspection, as before-
or after-photos, and the photos are stored with their capture time and place."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import AttachmentRole
from desktop.services.context import Changes, ValidationError
from desktop.services.exchange import photo_folder
from desktop.services.exchange.photo_folder import Assignment, FolderRead, PhotoGroup, Proposal
from desktop.services.exchange.photo_import import ImportResult
from desktop.services.queries import inspection_list
from desktop.ui import dialogs, file_dialogs
from desktop.ui.app_state import AppState
from desktop.ui.hazard_dialog import HazardDialog
from desktop.ui.i18n import service_text
from desktop.ui.tasks import handle_failure, run_task
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.widgets import widget_as

SKIP, NEW = 0, -1  # the target column's data besides a hazard id
COLUMNS = (QT_TRANSLATE_NOOP("PhotoFolderDialog", "组"),
           QT_TRANSLATE_NOOP("PhotoFolderDialog", "拍摄时间"),
           QT_TRANSLATE_NOOP("PhotoFolderDialog", "照片"),
           QT_TRANSLATE_NOOP("PhotoFolderDialog", "重复/近似"),
           QT_TRANSLATE_NOOP("PhotoFolderDialog", "归入隐患"),
           QT_TRANSLATE_NOOP("PhotoFolderDialog", "作为"))


def _span(group: PhotoGroup) -> str:
    start, end = group.start, group.end
    if start is None:
        return QCoreApplication.translate("PhotoFolderDialog", "时间不明")
    if end is None or end == start:
        return f"{start:%Y-%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}" if end.date() == start.date() \
        else f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"


class PhotoFolderDialog(QDialog):
    """Photos of one inspection's visit, from a folder, onto its hazards."""

    def __init__(self, state: AppState, *, inspection_id: int, project_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.inspection_id, self.project_id = inspection_id, project_id
        self.read_result: FolderRead | None = None
        self.proposal: Proposal | None = None
        self.stored: set[str] = set()
        self.imported: ImportResult | None = None
        self.setWindowTitle(QCoreApplication.translate("PhotoFolderDialog", "从文件夹导入照片"))
        self.folder_label = QLabel(QCoreApplication.translate("PhotoFolderDialog", "尚未选择文件夹"))
        self.choose_button = QPushButton(QCoreApplication.translate("PhotoFolderDialog", "选择文件夹(&F)…"))
        self.choose_button.clicked.connect(self.choose_folder)
        self.gap = QSpinBox()
        self.gap.setRange(0, 240)
        self.gap.setSuffix(QCoreApplication.translate("PhotoFolderDialog", " 分钟"))
        self.gap.setValue(int(state.config.get("photo_group_gap_minutes")))
        self.gap.setToolTip(QCoreApplication.translate("PhotoFolderDialog", "相邻两张照片的拍摄时间相隔超过此值，就分为另一处隐患"))
        self.gap.valueChanged.connect(lambda _v: self.regroup())
        top = QHBoxLayout()
        top.addWidget(self.folder_label, 1)
        top.addWidget(QLabel(QCoreApplication.translate("PhotoFolderDialog", "分组间隔")))
        top.addWidget(self.gap)
        top.addWidget(self.choose_button)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([QCoreApplication.translate("PhotoFolderDialog", c) for c in COLUMNS])
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((50, 200, 60, 110, 260)):
            self.table.setColumnWidth(column, width)
        self.table.itemSelectionChanged.connect(self._show_photos)
        self.photos = QListWidget()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText(QCoreApplication.translate("PhotoFolderDialog", "导入(&I)"))
        self.import_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 3)
        layout.addWidget(QLabel(QCoreApplication.translate("PhotoFolderDialog", "本组照片：")))
        layout.addWidget(self.photos, 2)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.resize(900, 640)

    # -- reading --------------------------------------------------------------------------------

    def choose_folder(self) -> None:
        chosen = file_dialogs.folder(self, QCoreApplication.translate("PhotoFolderDialog", "选择照片所在的文件夹"))
        if chosen:
            self.load(Path(chosen))

    def load(self, folder: Path) -> None:
        """Read the folder on a worker (progress and cancel); the groups show when done."""
        try:
            files = photo_folder.folder_files(folder)
        except ValidationError as exc:
            dialogs.show_error(self, exc)
            return
        self.folder_label.setText(str(folder))
        self.stored = self.state.read(photo_folder.stored_hashes, self.inspection_id)
        run_task(self, photo_folder.read_folder, files, label=QCoreApplication.translate("PhotoFolderDialog", "正在读取照片…"),
                 on_result=self._read_done)

    def _read_done(self, read: FolderRead) -> None:
        self.read_result = read
        self.regroup()

    def regroup(self) -> None:
        if self.read_result is None:
            return
        self.proposal = photo_folder.propose(self.read_result, stored_hashes=self.stored,
                                             gap_minutes=self.gap.value())
        hazards = self.state.read(inspection_list.findings, self.inspection_id)
        self.table.setRowCount(len(self.proposal.groups))
        for row, group in enumerate(self.proposal.groups):
            dupes = sum(p.is_duplicate for p in group.photos)
            near = sum(bool(p.near_of) for p in group.photos)
            for column, text in enumerate((str(row + 1), _span(group), str(len(group.photos)),
                                           f"{dupes}/{near}" if dupes or near else "")):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, column, item)
            target = QComboBox()
            target.addItem(QCoreApplication.translate("PhotoFolderDialog", "不导入"), SKIP)
            target.addItem(QCoreApplication.translate("PhotoFolderDialog", "新隐患…"), NEW)
            for h in hazards:
                target.addItem(f"{h.number} {h.location} {h.description}"[:60], h.id)
            target.currentIndexChanged.connect(lambda _i: self._count())
            role = QComboBox()
            role.addItem(QCoreApplication.translate("PhotoFolderDialog", "整改前照片"), AttachmentRole.BEFORE.value)
            role.addItem(QCoreApplication.translate("PhotoFolderDialog", "整改后照片"), AttachmentRole.AFTER.value)
            self.table.setCellWidget(row, 4, target)
            self.table.setCellWidget(row, 5, role)
        if self.proposal.groups:
            self.table.selectRow(0)
        self._count()

    def _count(self) -> None:
        if self.proposal is None:
            return
        photos = sum(len(g.photos) for g in self.proposal.groups)
        chosen = sum(len(g.to_import()) for row, g in enumerate(self.proposal.groups)
                     if self.target(row) != SKIP)
        text = QCoreApplication.translate(
            "PhotoFolderDialog", "共 {photos} 张照片，分为 {groups} 组；将导入 {chosen} 张（重复的照片不导入）。"
        ).format(photos=photos, groups=len(self.proposal.groups), chosen=chosen)
        if self.proposal.unreadable:
            text += QCoreApplication.translate("PhotoFolderDialog", "\n{n} 个文件无法读取：").format(
                n=len(self.proposal.unreadable)) + "; ".join(
                QCoreApplication.translate("PhotoFolderDialog", "{name}（{reason}）").format(
                    name=f.name, reason=service_text(f.reason)) for f in self.proposal.unreadable[:5])
        self.summary.setText(text)
        self.import_button.setEnabled(chosen > 0 and self.state.can("hazard.edit"))

    def _show_photos(self) -> None:
        self.photos.clear()
        rows = self.table.selectionModel().selectedRows()
        if self.proposal is None or not rows:
            return
        for p in self.proposal.groups[rows[0].row()].photos:
            bits = [p.photo.name, p.photo.capture.line(), p.note()]
            self.photos.addItem("  ".join(b for b in bits if b))

    # -- assigning ------------------------------------------------------------------------------

    def target(self, row: int) -> int:
        return int(widget_as(self.table.cellWidget(row, 4), QComboBox).currentData())

    def choose_target(self, row: int, hazard_id: int) -> None:
        """Give group `row` a target: NEW, SKIP or a hazard id (also what a test does)."""
        combo = widget_as(self.table.cellWidget(row, 4), QComboBox)
        combo.setCurrentIndex(combo.findData(hazard_id))

    def choose_role(self, row: int, role: str) -> None:
        combo = widget_as(self.table.cellWidget(row, 5), QComboBox)
        combo.setCurrentIndex(combo.findData(role))

    def _new_hazard(self, taken: dt.datetime | None) -> int | None:
        """The hazard form, linked to the inspection, its found time set to the group's first photo."""
        form = HazardDialog(self.state, project_id=self.project_id, inspection_id=self.inspection_id,
                            parent=self)
        if taken is not None:
            form.found_at.set_value(taken)
        if not dialogs.run(form) or form.saved is None:
            return None
        return form.saved.id

    def accept(self) -> None:
        if self.proposal is None:
            return
        assignments = []
        for row, group in enumerate(self.proposal.groups):
            target, photos = self.target(row), tuple(group.to_import())
            if target == SKIP or not photos:
                continue
            if target == NEW:
                new_id = self._new_hazard(group.start)
                if new_id is None:  # the form was cancelled: stay here, nothing stored yet
                    return
                target = new_id
            role = widget_as(self.table.cellWidget(row, 5), QComboBox).currentData()
            assignments.append(Assignment(target, role, photos))
        if not assignments:
            return
        self.import_button.setEnabled(False)
        task = run_task(self, photo_folder.import_groups, self.state.db.session, self.state.actor,
                        inspection_id=self.inspection_id, assignments=assignments,
                        store_dir=self.state.config.attachments_dir, label=QCoreApplication.translate("PhotoFolderDialog", "正在保存照片…"),
                        on_result=self._imported, on_error=self._failed)
        # a cancel keeps the batches already saved: the hazards' photos change all the same
        task.cancelled.connect(lambda: self._stopped(assignments))

    def _imported(self, result: ImportResult) -> None:
        self.imported = result
        self.state.announce(result.changes)
        if result.failed:
            dialogs.warn(self, QCoreApplication.translate("PhotoFolderDialog", "部分照片未保存"), service_text(result.summary()))
        QDialog.accept(self)

    def _failed(self, exc: BaseException) -> None:
        self.import_button.setEnabled(True)
        handle_failure(self, exc)
        self.regroup()  # hazards made before the failure are now choices

    def _stopped(self, assignments: list[Assignment]) -> None:
        self.state.announce(Changes().touch("hazards", *(a.hazard_id for a in assignments)))
        self.stored = self.state.read(photo_folder.stored_hashes, self.inspection_id)
        self.import_button.setEnabled(True)
        self.regroup()  # what was saved now shows as already stored
