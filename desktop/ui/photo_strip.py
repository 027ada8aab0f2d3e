"""A strip of photos: add by drag and drop, paste or file dialog; thumbnails drawn off the GUI thread.

Before its record exists the strip only collects files (`pending`); once it has an owner, added
files are imported at once through services.photo_import on a worker, originals unchanged.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QBuffer,
    QCoreApplication,
    QIODevice,
    QMimeData,
    QObject,
    QSize,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QDesktopServices, QIcon, QImage, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import AttachmentRole
from desktop.services.context import Changes, ServiceError
from desktop.services.exchange import attachments, photo_import
from desktop.services.exchange.attachments import AttachmentRow
from desktop.services.exchange.photo_capture import capture_line
from desktop.services.exchange.photo_import import ImportResult, PhotoSource
from desktop.ui import dialogs, file_dialogs
from desktop.ui.app_state import AppState
from desktop.ui.i18n import service_text
from desktop.ui.tasks import Task, run_task

THUMB = 96
KEY_ROLE = Qt.ItemDataRole.UserRole + 1
SIZE_ROLE = Qt.ItemDataRole.UserRole + 2  # (width, height) of the thumbnail as drawn


def choose_photos(parent: QWidget | None) -> list[str]:
    """The file dialog (a seam: tests replace it)."""
    return file_dialogs.open_files(
        parent, QCoreApplication.translate("PhotoStrip", "选择照片"),
        QCoreApplication.translate("PhotoStrip", "照片 (*.jpg *.jpeg *.png *.heic *.heif);;所有文件 (*)"))


def open_file(path: Path) -> bool:
    """Open a file in the system's viewer (a seam: tests replace it)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def open_copy(stored: Path, name: str) -> bool:
    """Open a stored file under its own name: the store keeps bytes by hash, without an extension
    a viewer could go by, and read-only; the copy lives in the temporary folder."""
    folder = Path(tempfile.gettempdir()) / "riskdesk-open" / stored.name[:16]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / attachments.clean_name(name, stored.name, "")
    if not target.exists():
        shutil.copyfile(stored, target)
    return open_file(target)


def sources_from_mime(mime: QMimeData, *, pasted: int = 1) -> list[PhotoSource]:
    """Local files dropped or copied, else a picture on the clipboard (kept as PNG bytes)."""
    files = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []
    if files:
        return photo_import.sources_from(files)
    if mime.hasImage():
        image = QImage(mime.imageData())
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.isNull() and image.save(buffer, "PNG"):  # type: ignore[call-overload]  # the 6.11 stub says bytes; the binding takes str (bytes raises ValueError)
            name = QCoreApplication.translate("PhotoStrip", "粘贴的图片 {n}.png").format(n=pasted)
            return [PhotoSource(name, data=bytes(buffer.data().data()))]
    return []


def squared(pixmap: QPixmap) -> QPixmap:
    """The thumbnail centred on a transparent square, so names line up under photos of any shape."""
    scaled = pixmap.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                           Qt.TransformationMode.SmoothTransformation)
    square = QPixmap(THUMB, THUMB)
    square.fill(Qt.GlobalColor.transparent)
    painter = QPainter(square)
    painter.drawPixmap((THUMB - scaled.width()) // 2, (THUMB - scaled.height()) // 2, scaled)
    painter.end()
    return square


class _Thumbnails(QObject):
    """Draws thumbnails on a worker; each arrives by signal as (key, JPEG bytes or None)."""

    ready = Signal(int, object)
    done = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.task: Task | None = None

    def load(self, jobs: list[tuple[int, Callable[[], bytes]]]) -> None:
        if self.task is not None:
            self.task.cancel()
        if not jobs:
            self.done.emit()
            return

        def work(*, progress: Any) -> None:
            for n, (key, make) in enumerate(jobs):
                if not progress(n, len(jobs), ""):
                    return
                try:
                    self.ready.emit(key, make())
                except (ServiceError, OSError):
                    self.ready.emit(key, None)
            self.done.emit()

        self.task = Task(work).start()


class _DropList(QListWidget):
    """The strip itself: accepts dropped files and pictures."""

    dropped = Signal(object)  # list[PhotoSource]

    def __init__(self) -> None:
        super().__init__()
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setGridSize(QSize(THUMB + 24, THUMB + 30))
        self.setSpacing(6)
        self.setMovement(QListView.Movement.Static)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.set_accepting(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setFixedHeight(THUMB + 52)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)

    def set_accepting(self, accept: bool) -> None:
        # drops arrive at the viewport: it must accept them, not only the view
        self.setAcceptDrops(accept)
        self.viewport().setAcceptDrops(accept)

    def _acceptable(self, mime: QMimeData) -> bool:
        return self.acceptDrops() and (mime.hasUrls() or mime.hasImage())

    def dragEnterEvent(self, event: Any) -> None:
        if self._acceptable(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: Any) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event: Any) -> None:
        sources = sources_from_mime(event.mimeData()) if self._acceptable(event.mimeData()) else []
        if sources:
            event.acceptProposedAction()
            self.dropped.emit(sources)
        else:
            event.ignore()


class PhotoStrip(QWidget):
    """Photos of one role (整改前 / 整改后) of a hazard, or files waiting for the hazard to exist."""

    imported = Signal(object)  # ImportResult, after files were stored for the owner
    changed = Signal()  # what the strip shows changed (pending files or a reload)

    def __init__(self, state: AppState, *, role: str = AttachmentRole.BEFORE,
                 owner_id: int | None = None, title: str = "", editable: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.role = str(role)
        self.owner_id = owner_id
        self.title = title
        self._pending: dict[int, PhotoSource] = {}
        self._stored: dict[int, AttachmentRow] = {}
        self._next_key = 0
        self._pasted = 0
        self._thumbs = _Thumbnails()
        self._thumbs.ready.connect(self._set_thumbnail)
        self.thumbnails_done = self._thumbs.done
        self.caption = QLabel()
        self.caption.setObjectName("photoCaption")
        self.add_button = QPushButton(QCoreApplication.translate("PhotoStrip", "添加照片…"))
        self.add_button.clicked.connect(self.choose)
        self.hint = hint = QLabel(
            QCoreApplication.translate("PhotoStrip", "可拖入照片或按 Ctrl+V 粘贴"))
        hint.setStyleSheet("color: #78909c;")
        self.list = _DropList()
        self.list.dropped.connect(self.add_sources)
        self.list.itemActivated.connect(self._open)
        top = QHBoxLayout()
        top.addWidget(self.caption)
        top.addStretch(1)
        top.addWidget(hint)
        top.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.list)
        self.set_editable(editable)
        self._show_caption()

    # -- what the strip holds ------------------------------------------------------------

    def pending(self) -> list[PhotoSource]:
        return list(self._pending.values())

    def stored(self) -> list[AttachmentRow]:
        return list(self._stored.values())

    def count(self) -> int:
        return self.list.count()

    def set_editable(self, editable: bool) -> None:
        self.add_button.setVisible(editable)
        self.hint.setVisible(editable)
        self.list.set_accepting(editable)

    def set_owner(self, owner_id: int | None) -> None:
        self.owner_id = owner_id
        self.reload()

    def reload(self) -> None:
        """Show the stored photos of the owner (of this strip's role)."""
        rows = self.state.read(attachments.list_for, "hazard", self.owner_id) if self.owner_id else []
        self.show_rows(rows)

    def show_rows(self, rows: Iterable[AttachmentRow]) -> None:
        """Show these stored attachments (those of other roles are left out)."""
        self.list.clear()
        self._stored.clear()
        self._pending.clear()
        self._add_stored([r for r in rows if r.role == self.role])
        self._show_caption()
        self.changed.emit()

    def _add_stored(self, rows: Iterable[AttachmentRow]) -> None:
        store = self.state.config.attachments_dir
        jobs: list[tuple[int, Callable[[], bytes]]] = []
        for row in rows:
            key = self._item(self._label(row), self._tooltip(row))
            self._stored[key] = row
            if row.is_image:
                jobs.append((key, partial(attachments.thumbnail, store, row.sha256, THUMB)))
        self._thumbs.load(jobs)

    @staticmethod
    def _label(row: AttachmentRow) -> str:
        """Under the photo: when it was taken (12-07 09:30) when known, else its file name."""
        return row.taken_at.strftime("%m-%d %H:%M") if row.taken_at else row.original_name

    @staticmethod
    def _tooltip(row: AttachmentRow) -> str:
        text = QCoreApplication.translate("PhotoStrip", "{name}\n{w}×{h}，{kb} KB\n双击查看原图")
        tip = text.format(name=row.original_name, w=row.width or "?", h=row.height or "?",
                          kb=max(1, row.size // 1024))
        line = capture_line(row.taken_at, row.taken_source, row.latitude, row.longitude)
        return f"{line}\n{tip}" if line else tip

    def _item(self, name: str, tooltip: str) -> int:
        key = self._next_key
        self._next_key += 1
        item = QListWidgetItem(QIcon(), name)
        item.setData(KEY_ROLE, key)
        item.setToolTip(tooltip)
        item.setSizeHint(QSize(THUMB + 20, THUMB + 28))
        self.list.addItem(item)
        return key

    def _set_thumbnail(self, key: int, data: bytes | None) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(KEY_ROLE) == key:
                pixmap = QPixmap()
                if data is not None and pixmap.loadFromData(data, "JPEG"):
                    item.setData(SIZE_ROLE, (pixmap.width(), pixmap.height()))
                    item.setIcon(QIcon(squared(pixmap)))
                else:
                    item.setText(
                        QCoreApplication.translate("PhotoStrip", "（无法预览）") + item.text())
                return

    def _show_caption(self) -> None:
        self.caption.setText(QCoreApplication.translate("PhotoStrip", "{title}（{n} 张）").format(
            title=self.title or QCoreApplication.translate("PhotoStrip", "照片"), n=self.list.count()))

    # -- adding ------------------------------------------------------------------------------

    def choose(self) -> None:
        files = choose_photos(self)
        if files:
            self.add_sources(photo_import.sources_from(files))

    def paste(self) -> None:
        self._pasted += 1
        sources = sources_from_mime(QApplication.clipboard().mimeData(), pasted=self._pasted)
        if sources:
            self.add_sources(sources)

    def add_sources(self, sources: Sequence[PhotoSource]) -> None:
        if not sources:
            return
        if self.owner_id is None:
            jobs: list[tuple[int, Callable[[], bytes]]] = []
            for source in sources:
                key = self._item(source.name, str(source.path or source.name))
                self._pending[key] = source
                jobs.append((key, partial(photo_import.preview_jpeg, source, THUMB)))
            self._thumbs.load(jobs)
            self._show_caption()
            self.changed.emit()
            return
        label = QCoreApplication.translate("PhotoStrip", "正在保存照片…")
        task = run_task(self, photo_import.import_photos, self.state.db.session, self.state.actor,
                        owner_id=self.owner_id, sources=list(sources), role=self.role,
                        store_dir=self.state.config.attachments_dir, label=label,
                        on_result=self._imported)
        task.cancelled.connect(self._import_cancelled)

    def _imported(self, result: ImportResult) -> None:
        self.reload()
        self.state.announce(result.changes)
        if result.failed:
            dialogs.warn(self,
                QCoreApplication.translate("PhotoStrip", "部分照片未保存"),
                service_text(result.summary()))
        self.imported.emit(result)

    def _import_cancelled(self) -> None:
        self.reload()
        self.state.announce(Changes().touch("hazards", self.owner_id or 0))

    def remove_selected(self) -> None:
        """Drop selected files not yet stored (stored photos are evidence and stay)."""
        for item in self.list.selectedItems():
            key = item.data(KEY_ROLE)
            if key in self._pending:
                del self._pending[key]
                self.list.takeItem(self.list.row(item))
        self._show_caption()
        self.changed.emit()

    def keyPressEvent(self, event: Any) -> None:
        if event.matches(QKeySequence.StandardKey.Paste) and self.add_button.isVisible():
            self.paste()
        elif event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.remove_selected()
        else:
            super().keyPressEvent(event)

    def _open(self, item: QListWidgetItem) -> None:
        key = item.data(KEY_ROLE)
        try:
            if key in self._stored:
                row = self._stored[key]
                open_copy(attachments.open_path(self.state.config.attachments_dir, row.sha256),
                          row.original_name)
            elif key in self._pending and (path := self._pending[key].path) is not None:
                open_file(path)
        except ServiceError as exc:
            dialogs.show_error(self, exc)
        except OSError as exc:
            dialogs.warn(self, QCoreApplication.translate("PhotoStrip", "无法打开照片"), str(exc))
