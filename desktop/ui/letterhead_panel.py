"""信笺与印章: the agency's logo, letterhead line and seal image (administrators), and the
signature image of the user at the desk. Previews of what is set; the services check the files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services import letterhead
from desktop.services.context import Changes
from desktop.ui import dialogs, i18n
from desktop.ui.app_state import AppState
from desktop.ui.widgets import ErrorLabel

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg);;All files (*)"
PREVIEW_HEIGHT = 72


def choose_image_file(parent: QWidget | None, title: str) -> str:
    """An image to upload, or "" when cancelled (a seam: tests replace it)."""
    path, _ = QFileDialog.getOpenFileName(parent, title, "", IMAGE_FILTER)
    return path


def read_image_file(parent: QWidget | None, title: str) -> bytes | None:
    """The bytes of an image the user picks (at most one byte over the cap: the service then
    says it is too large), or None when cancelled or unreadable (said in a message)."""
    path = choose_image_file(parent, title)
    if not path:
        return None
    try:
        with open(path, "rb") as fh:
            return fh.read(letterhead.MAX_BYTES + 1)
    except OSError as exc:
        dialogs.warn(parent, QCoreApplication.translate("LetterheadPanel", "无法读取文件"), str(exc))
        return None


def set_signature_from_file(parent: QWidget | None, state: AppState, user_id: int,
                            title: str) -> bool:
    data = read_image_file(parent, title)
    if data is None:
        return False
    try:
        state.write(letterhead.set_signature, user_id, store_dir=state.config.attachments_dir,
                    data=data, changes=Changes(users=True))
    except dialogs.USER_ERRORS as exc:
        dialogs.show_error(parent, exc)
        return False
    return True


class _ImageRow(QWidget):
    """A preview with 上传… and 删除 buttons."""

    def __init__(self, name: str, upload: Callable[[], object], remove: Callable[[], object]) -> None:
        super().__init__()
        self.preview = QLabel()
        self.preview.setObjectName(f"{name}Preview")
        self.preview.setFixedHeight(PREVIEW_HEIGHT)
        self.preview.setMinimumWidth(PREVIEW_HEIGHT * 2)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.upload_button = QPushButton(QCoreApplication.translate("LetterheadPanel", "上传…"))
        self.upload_button.setObjectName(f"{name}Upload")
        self.upload_button.clicked.connect(lambda _c=False: upload())
        self.remove_button = QPushButton(QCoreApplication.translate("LetterheadPanel", "删除"))
        self.remove_button.setObjectName(f"{name}Remove")
        self.remove_button.clicked.connect(lambda _c=False: remove())
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.preview, 1)
        row.addWidget(self.upload_button)
        row.addWidget(self.remove_button)

    def show_image(self, data: bytes | None, allowed: bool) -> None:
        pixmap = QPixmap()
        if data and pixmap.loadFromData(data):
            self.preview.setPixmap(pixmap.scaledToHeight(
                PREVIEW_HEIGHT, Qt.TransformationMode.SmoothTransformation))
        else:
            self.preview.clear()
            self.preview.setText(QCoreApplication.translate("LetterheadPanel", "（未设置）"))
        self.upload_button.setEnabled(allowed)
        self.remove_button.setEnabled(allowed and bool(data))

    @property
    def is_set(self) -> bool:
        pixmap = self.preview.pixmap()
        return pixmap is not None and not pixmap.isNull()


class LetterheadPanel(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        intro = QLabel(QCoreApplication.translate(
            "LetterheadPanel",
            "机构标志和信笺行印在每份文书的页眉；印章图片只印在已签发文书的落款处（草稿不印）；"
            "签名图片印在本人签发的文书的签字栏。图片须为 PNG 或 JPEG，印章须为背景透明的 PNG。"))
        intro.setWordWrap(True)
        self.logo = _ImageRow("logo", lambda: self.upload_agency("logo"),
                              lambda: self.remove_agency("logo"))
        self.seal = _ImageRow("seal", lambda: self.upload_agency("seal"),
                              lambda: self.remove_agency("seal"))
        self.signature = _ImageRow("signature", self.upload_signature, self.remove_signature)
        self.line = QLineEdit()
        self.line.setObjectName("letterheadLine")
        self.line.setMaxLength(letterhead.LETTERHEAD_MAX)
        self.line.setPlaceholderText(QCoreApplication.translate(
            "LetterheadPanel", "留空则印机构地址和电话"))
        self.line_button = QPushButton(QCoreApplication.translate("LetterheadPanel", "保存信笺行"))
        self.line_button.setObjectName("letterheadSave")
        self.line_button.clicked.connect(lambda _c=False: self.save_line())
        self.error = ErrorLabel()
        agency_box = QGroupBox(QCoreApplication.translate("LetterheadPanel", "机构信笺与印章（管理员）"))
        form = QFormLayout(agency_box)
        form.addRow(QCoreApplication.translate("LetterheadPanel", "机构标志"), self.logo)
        line_row = QHBoxLayout()
        line_row.addWidget(self.line, 1)
        line_row.addWidget(self.line_button)
        form.addRow(QCoreApplication.translate("LetterheadPanel", "信笺行"), line_row)
        form.addRow(QCoreApplication.translate("LetterheadPanel", "印章图片"), self.seal)
        own_box = QGroupBox(QCoreApplication.translate("LetterheadPanel", "我的签名图片"))
        own = QFormLayout(own_box)
        own.addRow(QCoreApplication.translate("LetterheadPanel", "签名图片"), self.signature)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(agency_box)
        layout.addWidget(own_box)
        layout.addWidget(self.error)
        layout.addStretch(1)

    @property
    def store_dir(self) -> Path:
        return self.state.config.attachments_dir

    def refresh(self) -> None:
        self.error.show_message("")
        admin = self.state.can("settings.edit")
        try:
            row = self.state.read(letterhead.current)
        except dialogs.USER_ERRORS as exc:
            self.error.show_message(i18n.error_text(exc))
            row = None
        self.logo.show_image(letterhead.image_bytes(self.store_dir, row.logo_sha256 if row else None),
                             admin and row is not None)
        self.seal.show_image(letterhead.image_bytes(self.store_dir, row.seal_sha256 if row else None),
                             admin and row is not None)
        self.line.setText(row.letterhead if row else "")
        self.line.setEnabled(admin and row is not None)
        self.line_button.setEnabled(admin and row is not None)
        user_id = self.state.actor.user_id
        sha = self.state.read(letterhead.signature_sha, user_id) if user_id else None
        self.signature.show_image(letterhead.image_bytes(self.store_dir, sha), user_id is not None)

    def _read_chosen(self, title: str) -> bytes | None:
        return read_image_file(self, title)

    def _write(self, fn: Callable[..., object], *args: object, **kwargs: object) -> bool:
        try:
            self.state.write(fn, *args, changes=Changes(settings=True), **kwargs)
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
            return False
        self.refresh()
        return True

    def upload_agency(self, which: str) -> bool:
        title = QCoreApplication.translate("LetterheadPanel", "选择机构标志图片") if which == "logo" \
            else QCoreApplication.translate("LetterheadPanel", "选择印章图片（背景透明的 PNG）")
        data = self._read_chosen(title)
        if data is None:
            return False
        return self._write(letterhead.set_agency_image, which, store_dir=self.store_dir, data=data)

    def remove_agency(self, which: str) -> bool:
        question = QCoreApplication.translate("LetterheadPanel", "删除机构标志？") if which == "logo" \
            else QCoreApplication.translate("LetterheadPanel", "删除印章图片？此后签发的文书不再印章；已签发的文书不变。")
        if not dialogs.ask(self, QCoreApplication.translate("LetterheadPanel", "删除图片"), question):
            return False
        return self._write(letterhead.remove_agency_image, which)

    def save_line(self) -> bool:
        return self._write(letterhead.set_letterhead_line, self.line.text())

    def upload_signature(self) -> bool:
        if self.state.actor.user_id is None or not set_signature_from_file(
                self, self.state, self.state.actor.user_id,
                QCoreApplication.translate("LetterheadPanel", "选择签名图片")):
            return False
        self.refresh()
        return True

    def remove_signature(self) -> bool:
        if self.state.actor.user_id is None or not dialogs.ask(
                self, QCoreApplication.translate("LetterheadPanel", "删除图片"),
                QCoreApplication.translate("LetterheadPanel", "删除我的签名图片？已签发的文书不变。")):
            return False
        return self._write(letterhead.remove_signature, self.state.actor.user_id)
