"""现场采集: start and stop the phone capture page, pair phones by QR code, decide the drafts.

The service runs only while this panel says 运行中; closing the panel (or the window) stops it
and closes the socket. Nothing a phone sends enters the register until someone here confirms it.
While the desk is locked the service keeps receiving, but the panel shows nothing new (and the
pairing code is taken off the screen) until the desk is unlocked.

The inbox shows each draft's photos as thumbnails and flags a draft whose photo looks like a
hazard photo already stored for the project; both are worked out on a worker thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from PySide6 import QtGui
from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop import clock
from desktop.capture.server import CaptureServer, drafts_dir_for, lan_address
from desktop.db import DataError
from desktop.models.enums import StopWork
from desktop.services import capture_devices, capture_inbox, hazards
from desktop.services.context import Changes, ServiceError, ValidationError
from desktop.services.exchange import photo_import
from desktop.services.exchange.photo_import import PhotoSource
from desktop.ui import dialogs
from desktop.ui.app_state import AppState
from desktop.ui.i18n import service_text
from desktop.ui.inspection_dialog import InspectionDialog
from desktop.ui.tasks import Task
from desktop.ui.translatable import QT_TRANSLATE_NOOP

PORT = 8765
LEVELS = {1: QT_TRANSLATE_NOOP("CapturePanel", "一级"), 2: QT_TRANSLATE_NOOP("CapturePanel", "二级"),
          3: QT_TRANSLATE_NOOP("CapturePanel", "三级"), 4: QT_TRANSLATE_NOOP("CapturePanel", "四级")}

R = TypeVar("R")


def level_label(level: int) -> str:
    return QCoreApplication.translate("CapturePanel", LEVELS[level]) if level in LEVELS else str(level)


def plain(text: str) -> str:
    """`text` as rich text that shows it literally: Qt's message boxes and tooltips take
    anything that looks like HTML as HTML, and device and photo names are chosen by the phone."""
    return QtGui.Qt.convertFromPlainText(text)


def qr_pixmap(text: str, scale: int = 6) -> QPixmap:
    import io

    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=scale, border=2)
    pixmap = QPixmap()
    pixmap.loadFromData(out.getvalue(), "PNG")
    return pixmap


THUMB = 48
PHOTO_COLUMN, NOTE_COLUMN = 6, 7


def strip_pixmap(pixmaps: list[QPixmap], size: int = THUMB) -> QPixmap:
    """Thumbnails side by side, each centred in a size×size square."""
    gap = 4
    out = QPixmap(max(1, len(pixmaps)) * (size + gap), size)
    out.fill(Qt.GlobalColor.transparent)
    painter = QPainter(out)
    for n, pixmap in enumerate(pixmaps):
        scaled = pixmap.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                               Qt.TransformationMode.SmoothTransformation)
        painter.drawPixmap(n * (size + gap) + (size - scaled.width()) // 2,
                           (size - scaled.height()) // 2, scaled)
    painter.end()
    return out


def inbox_extras(db: Any, drafts: list[capture_inbox.DraftRow], *, drafts_dir: Path,
                 store_dir: Path, known: frozenset[str],
                 progress: Any) -> tuple[dict[str, bytes | None], dict[int, tuple[str, ...]]]:
    """(thumbnails of the photos not in `known`, by hash; near-duplicate hazard numbers by
    draft) — on a worker thread: decoding phone photos takes a moment each."""
    thumbs: dict[str, bytes | None] = {}
    photos = [p for d in drafts for p in d.photos if p["sha256"] not in known]
    for n, photo in enumerate(photos):
        if not progress(n, len(photos), ""):
            break
        sha = photo["sha256"]
        if sha in thumbs:
            continue
        try:
            thumbs[sha] = photo_import.preview_jpeg(
                PhotoSource(photo["name"], path=drafts_dir / sha), THUMB * 2)
        except (ValidationError, OSError):
            thumbs[sha] = None
    found = capture_inbox.flag_near_duplicates(db, drafts, store_dir=store_dir, drafts_dir=drafts_dir)
    return thumbs, {d.id: found.get(d.id, ()) for d in drafts}


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class CapturePanel(QDialog):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setWindowTitle(QCoreApplication.translate("CapturePanel", "现场采集"))
        self.server = CaptureServer(state.db, drafts_dir=drafts_dir_for(state.config.data_dir))
        # the address the QR code shows, and only that one (None: this computer's address on the
        # office network when started) — not every interface, so not a VPN or another network
        self.host: str | None = None
        self.port = PORT
        self.pairing_url = ""
        self.drafts: list[capture_inbox.DraftRow] = []
        self.devices: list[capture_devices.DeviceRow] = []
        self.inspection_id: int | None = None  # the inbox of one inspection only
        self.locked = False
        self.thumbs: dict[str, QPixmap | None] = {}  # draft photos' thumbnails by hash
        self.near: dict[int, tuple[str, ...]] = {}  # draft id → hazards with a look-alike photo
        self._extras_for: tuple[int, ...] | None = None
        self._extras: Task | None = None

        self.status = QLabel(QCoreApplication.translate("CapturePanel", "未运行：手机无法连接。"))
        self.status.setWordWrap(True)
        self.toggle = QPushButton(QCoreApplication.translate("CapturePanel", "启动"))
        self.toggle.clicked.connect(self.toggle_server)
        self.pair_button = QPushButton(QCoreApplication.translate("CapturePanel", "配对新手机…"))
        self.pair_button.clicked.connect(self.new_pairing)
        self.pair_button.setEnabled(False)
        self.qr = QLabel()
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_hint = QLabel()
        self.qr_hint.setWordWrap(True)
        self.qr_hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.device_table = _table([QCoreApplication.translate("CapturePanel", "手机"), QCoreApplication.translate("CapturePanel", "配对人"), QCoreApplication.translate("CapturePanel", "状态"), QCoreApplication.translate("CapturePanel", "有效期至")])
        revoke = QPushButton(QCoreApplication.translate("CapturePanel", "撤销所选手机"))
        revoke.clicked.connect(self.revoke_device)

        self.draft_table = _table([QCoreApplication.translate("CapturePanel", "发送人"), QCoreApplication.translate("CapturePanel", "项目"), QCoreApplication.translate("CapturePanel", "发现时间"), QCoreApplication.translate("CapturePanel", "等级"), QCoreApplication.translate("CapturePanel", "部位"), QCoreApplication.translate("CapturePanel", "描述"), QCoreApplication.translate("CapturePanel", "照片"), QCoreApplication.translate("CapturePanel", "提示")])
        self.draft_table.verticalHeader().setDefaultSectionSize(THUMB + 8)
        self.draft_table.setColumnWidth(PHOTO_COLUMN, 3 * (THUMB + 4))
        self.filter_label = QLabel()
        self.show_all = QPushButton(QCoreApplication.translate("CapturePanel", "显示全部草稿"))
        self.show_all.clicked.connect(lambda: self.show_inspection(None))
        self.filter_label.hide()
        self.show_all.hide()
        inspection = QPushButton(QCoreApplication.translate("CapturePanel", "查看检查…"))
        inspection.setToolTip(QCoreApplication.translate("CapturePanel", "打开所选草稿所属的检查记录"))
        inspection.clicked.connect(self.open_inspection)
        confirm = QPushButton(QCoreApplication.translate("CapturePanel", "确认入台账…"))
        confirm.clicked.connect(self.confirm_draft)
        reject = QPushButton(QCoreApplication.translate("CapturePanel", "退回…"))
        reject.clicked.connect(self.reject_draft)

        top = QHBoxLayout()
        top.addWidget(self.toggle)
        top.addWidget(self.pair_button)
        top.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.qr)
        layout.addWidget(self.qr_hint)
        layout.addWidget(QLabel(QCoreApplication.translate("CapturePanel", "已配对的手机")))
        layout.addWidget(self.device_table)
        layout.addWidget(revoke, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(QLabel(QCoreApplication.translate("CapturePanel", "待确认的草稿（确认后才进入隐患台账）")))
        which = QHBoxLayout()
        which.addWidget(self.filter_label, 1)
        which.addWidget(self.show_all)
        layout.addLayout(which)
        layout.addWidget(self.draft_table, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(inspection)
        buttons.addStretch(1)
        buttons.addWidget(reject)
        buttons.addWidget(confirm)
        layout.addLayout(buttons)
        self.timer = QTimer(self)
        self.timer.setInterval(5000)
        self.timer.timeout.connect(self.reload)
        self.resize(900, 720)
        self.reload()

    # -- the service ----------------------------------------------------------------------

    def toggle_server(self) -> None:
        if self.server.running:
            self.stop_server()
            return
        host = self.host or lan_address()
        moved = False
        try:
            try:
                address = self.server.start(host, self.port)
            except OSError:  # the usual port is taken (by another program): any free one
                if not self.port:
                    raise
                address = self.server.start(host, 0)
                moved = True
        except OSError as exc:
            dialogs.warn(self, QCoreApplication.translate("CapturePanel", "无法启动"), QCoreApplication.translate("CapturePanel", "无法在本机开启服务：{reason}").format(
                reason=exc.strerror or str(exc)))
            return
        port = address.rsplit(":", 1)[1]
        self.public = f"http://{host}:{port}"
        status = QCoreApplication.translate("CapturePanel", "运行中：{address}（同一局域网或本机热点内的手机可连接）").format(
            address=self.public)
        if moved:  # a phone's page, its pairing and its unsent drafts belong to the usual address
            moved_text = QCoreApplication.translate(
                "CapturePanel", "端口 {usual} 被其他程序占用，本次改用端口 {port}：已配对的手机须重新扫码配对；"
                "手机上尚未发出的草稿要等服务回到端口 {usual} 后才能发出。").format(usual=self.port, port=port)
            status += "\n" + moved_text
            dialogs.warn(self, QCoreApplication.translate("CapturePanel", "端口被占用"), moved_text)
        self.status.setText(status)
        self.toggle.setText(QCoreApplication.translate("CapturePanel", "停止"))
        self.pair_button.setEnabled(True)
        self.timer.start()

    def stop_server(self) -> None:
        self.timer.stop()
        self.server.stop()
        self.status.setText(QCoreApplication.translate("CapturePanel", "未运行：手机无法连接。"))
        self.toggle.setText(QCoreApplication.translate("CapturePanel", "启动"))
        self.pair_button.setEnabled(False)
        self.qr.clear()
        self.qr_hint.clear()

    def new_pairing(self) -> None:
        if self.locked:
            return
        try:
            pairing = self.state.write(capture_devices.start_pairing)
        except (ServiceError, DataError) as exc:
            dialogs.show_error(self, exc)
            return
        url = self.pairing_url = f"{self.public}/#pair={pairing.token}"
        self.qr.setPixmap(qr_pixmap(url))
        until = clock.to_local(pairing.expires_at).strftime("%H:%M")
        self.qr_hint.setText(QCoreApplication.translate("CapturePanel", "用手机扫码配对（一次有效，{until} 前）。扫码后手机浏览器打开：{url}").format(
            until=until, url=url))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop_server()
        super().closeEvent(event)

    def reject(self) -> None:  # Esc closes the panel: stop listening too
        self.stop_server()
        super().reject()

    # -- lists ----------------------------------------------------------------------------

    # -- the lock -------------------------------------------------------------------------

    def set_locked(self, locked: bool) -> None:
        """The desk was locked (or unlocked): the service keeps receiving, nothing new is shown
        and the pairing code leaves the screen; on unlocking the lists catch up."""
        self.locked = locked
        if locked:
            self.pairing_url = ""
            self.qr.clear()
            self.qr_hint.clear()
        else:
            self.reload()

    # -- lists ----------------------------------------------------------------------------

    def show_inspection(self, inspection_id: int | None) -> None:
        """The inbox of one inspection (None: every pending draft)."""
        self.inspection_id = inspection_id
        self.reload()

    def reload(self) -> None:
        if self.locked:
            return
        try:
            self.devices = self.state.read(capture_devices.list_devices, self.state.actor)
            self.drafts = self.state.read(capture_inbox.list_drafts, self.state.actor,
                                          inspection_id=self.inspection_id)
            label = self._inspection_label() if self.inspection_id is not None else ""
        except (ServiceError, DataError):
            return
        self.filter_label.setText(label)
        self.filter_label.setVisible(bool(label))
        self.show_all.setVisible(bool(label))
        self.device_table.setRowCount(len(self.devices))
        for r, d in enumerate(self.devices):
            until = clock.to_local(d.expires_at).strftime("%Y-%m-%d") if d.expires_at else ""
            for c, text in enumerate((d.name, d.user_name, d.state_label, until)):
                self.device_table.setItem(r, c, QTableWidgetItem(text))
        self._show_drafts()
        self._load_extras()

    def _inspection_label(self) -> str:
        row = self.state.read(capture_inbox.inspection_brief, self.inspection_id)
        return QCoreApplication.translate("CapturePanel", "只显示 {date} 对“{project}”的检查的草稿").format(
            date=row.date.isoformat(), project=row.project_name)

    def _show_drafts(self) -> None:
        self.draft_table.setRowCount(len(self.drafts))
        for r, dr in enumerate(self.drafts):
            near = self.near.get(dr.id, ())
            cells = (dr.user_name, dr.project_name, dr.found_at.strftime("%m-%d %H:%M"),
                     level_label(dr.level), dr.location, dr.description,
                     QCoreApplication.translate("CapturePanel", "{n} 张").format(n=len(dr.photos)),
                     service_text(capture_inbox.near_note(near)) if near else "")
            for c, text in enumerate(cells):
                self.draft_table.setItem(r, c, QTableWidgetItem(text))
            if dr.found_note:  # which time was kept as found: the phone's, a photo's or the arrival
                found = QTableWidgetItem(cells[2])
                found.setToolTip(QCoreApplication.translate("CapturePanel", "发现时间：{how}").format(
                    how=service_text(dr.found_note)))
                self.draft_table.setItem(r, 2, found)
            unknown = QCoreApplication.translate("CapturePanel", "拍摄时间不明")
            lines = [f"{p['name']}：{capture_inbox.photo_line(p) or unknown}" for p in dr.photos]
            cell = QTableWidgetItem(cells[PHOTO_COLUMN])
            cell.setToolTip(plain("\n".join(lines)))  # photo names come from the phone
            self.draft_table.setItem(r, PHOTO_COLUMN, cell)
            pixmaps = [pm for p in dr.photos if (pm := self.thumbs.get(p["sha256"])) is not None]
            if pixmaps:
                cell.setText("")
                label = QLabel()
                label.setPixmap(strip_pixmap(pixmaps))
                label.setToolTip(plain("\n".join(lines)))
                self.draft_table.setCellWidget(r, PHOTO_COLUMN, label)
            else:
                self.draft_table.removeCellWidget(r, PHOTO_COLUMN)

    def _load_extras(self) -> None:
        """Thumbnails and look-alike checks for drafts not yet worked out (on a worker)."""
        ids = tuple(d.id for d in self.drafts)
        if ids == self._extras_for or not ids:
            return
        self._extras_for = ids
        if self._extras is not None:
            self._extras.cancel()
        task = self._extras = Task(inbox_extras, self.state.db, list(self.drafts),
                                   drafts_dir=self.server.drafts_dir,
                                   store_dir=self.state.config.attachments_dir,
                                   known=frozenset(self.thumbs))
        task.succeeded.connect(self._extras_ready)
        task.failed.connect(lambda _exc: setattr(self, "_extras_for", None))  # tried again on reload
        task.start()

    def _extras_ready(self, result: tuple[dict[str, bytes | None], dict[int, tuple[str, ...]]]) -> None:
        thumbs, near = result
        for sha, data in thumbs.items():
            pixmap = QPixmap()
            self.thumbs[sha] = pixmap if data is not None and pixmap.loadFromData(data, "JPEG") else None
        self.near.update(near)
        if not self.locked:
            self._show_drafts()

    def open_inspection(self) -> None:
        """The inspection the selected draft belongs to."""
        draft = self._selected(self.draft_table, self.drafts)
        if draft is not None:
            dialogs.run(InspectionDialog(self.state, inspection_id=draft.inspection_id, parent=self))

    def _selected(self, table: QTableWidget, rows: Sequence[R]) -> R | None:
        index = table.currentRow()
        if 0 <= index < len(rows):
            return rows[index]
        dialogs.inform(self, QCoreApplication.translate("CapturePanel", "现场采集"), QCoreApplication.translate("CapturePanel", "请先在列表中选择一行。"))
        return None

    def revoke_device(self) -> None:
        device = self._selected(self.device_table, self.devices)
        if device is None or not dialogs.ask(self, QCoreApplication.translate("CapturePanel", "撤销手机"), plain(QCoreApplication.translate("CapturePanel", "撤销“{name}”后该手机须重新扫码配对。继续？")
                                              .format(name=device.name))):
            return
        try:
            self.state.write(capture_devices.revoke, device.id)
        except (ServiceError, DataError) as exc:
            dialogs.show_error(self, exc)
        self.reload()

    def confirm_draft(self) -> None:
        draft = self._selected(self.draft_table, self.drafts)
        if draft is None:
            return
        dialog = ConfirmDialog(draft, self)
        while dialogs.run(dialog):
            try:
                hazard = self.state.write(
                    capture_inbox.confirm, draft.id, expected_version=draft.version, form=dialog.form(),
                    store_dir=self.state.config.attachments_dir, drafts_dir=self.server.drafts_dir,
                    changes=Changes().touch("hazards"))
            except (ServiceError, DataError) as exc:
                dialogs.show_error(self, exc)
                continue
            self.state.read(capture_inbox.sweep, self.server.drafts_dir)
            dialogs.inform(self, QCoreApplication.translate("CapturePanel", "现场采集"), QCoreApplication.translate("CapturePanel", "已登记隐患 {number}。").format(number=hazard.number))
            break
        self.reload()

    def reject_draft(self) -> None:
        draft = self._selected(self.draft_table, self.drafts)
        if draft is None:
            return
        reason, ok = QInputDialog.getText(self, QCoreApplication.translate("CapturePanel", "退回草稿"), QCoreApplication.translate("CapturePanel", "退回原因："))
        if not ok:
            return
        try:
            self.state.write(capture_inbox.reject, draft.id, expected_version=draft.version, reason=reason)
            self.state.read(capture_inbox.sweep, self.server.drafts_dir)
        except (ServiceError, DataError) as exc:
            dialogs.show_error(self, exc)
        self.reload()


class ConfirmDialog(QDialog):
    """What the office completes before a draft becomes a hazard (the register's own rules check it)."""

    def __init__(self, draft: capture_inbox.DraftRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft = draft
        self.setWindowTitle(QCoreApplication.translate("CapturePanel", "确认入台账"))
        self.location = QLineEdit(draft.location)
        self.description = QPlainTextEdit(draft.description)
        self.level = QComboBox()
        for value in LEVELS:
            self.level.addItem(level_label(value), value)
        self.level.setCurrentIndex(self.level.findData(draft.level))
        self.measures = QPlainTextEdit()
        self.contingency = QPlainTextEdit()
        self.stop_work = QComboBox()
        for member in StopWork:
            self.stop_work.addItem(member.label, member.value)
        form = QFormLayout()
        form.addRow(QCoreApplication.translate("CapturePanel", "项目"), QLabel(draft.project_name))
        form.addRow(QCoreApplication.translate("CapturePanel", "发送人"), QLabel(draft.user_name))
        form.addRow(QCoreApplication.translate("CapturePanel", "部位"), self.location)
        form.addRow(QCoreApplication.translate("CapturePanel", "隐患描述"), self.description)
        form.addRow(QCoreApplication.translate("CapturePanel", "等级"), self.level)
        form.addRow(QCoreApplication.translate("CapturePanel", "整改措施"), self.measures)
        form.addRow(QCoreApplication.translate("CapturePanel", "应急预案（一、二级）"), self.contingency)
        form.addRow(QCoreApplication.translate("CapturePanel", "停工建议（一级）"), self.stop_work)
        form.addRow(QCoreApplication.translate("CapturePanel", "照片"), QLabel(QCoreApplication.translate("CapturePanel", "{n} 张，作为整改前照片保存").format(n=len(draft.photos))))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(super().reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def form(self) -> hazards.HazardForm:
        return hazards.HazardForm(
            project_id=self.draft.project_id, inspection_id=self.draft.inspection_id,
            description=self.description.toPlainText(), level=int(self.level.currentData()),
            location=self.location.text(), measures=self.measures.toPlainText(),
            contingency=self.contingency.toPlainText(), stop_work=str(self.stop_work.currentData()),
            catalogue_item_id=self.draft.catalogue_item_id, is_major=self.draft.catalogue_item_id is not None)
