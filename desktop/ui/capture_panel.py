"""现场采集: start and stop the phone capture page, pair phones by QR code, decide the drafts.

The service runs only while this panel says 运行中; closing the panel (or the window) stops it
and closes the socket. Nothing a phone sends enters the register until someone here confirms it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QPixmap
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
from desktop.services.context import Changes, ServiceError
from desktop.ui import dialogs
from desktop.ui.app_state import AppState
from desktop.ui.translatable import QT_TRANSLATE_NOOP

PORT = 8765
LEVELS = {1: QT_TRANSLATE_NOOP("CapturePanel", "一级"), 2: QT_TRANSLATE_NOOP("CapturePanel", "二级"),
          3: QT_TRANSLATE_NOOP("CapturePanel", "三级"), 4: QT_TRANSLATE_NOOP("CapturePanel", "四级")}

R = TypeVar("R")


def level_label(level: int) -> str:
    return QCoreApplication.translate("CapturePanel", LEVELS[level]) if level in LEVELS else str(level)


def qr_pixmap(text: str, scale: int = 6) -> QPixmap:
    import io

    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=scale, border=2)
    pixmap = QPixmap()
    pixmap.loadFromData(out.getvalue(), "PNG")
    return pixmap


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
        self.host, self.port = "0.0.0.0", PORT  # every interface: the phones are on the office network
        self.pairing_url = ""
        self.drafts: list[capture_inbox.DraftRow] = []
        self.devices: list[capture_devices.DeviceRow] = []

        self.status = QLabel(QCoreApplication.translate("CapturePanel", "未运行：手机无法连接。"))
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

        self.draft_table = _table([QCoreApplication.translate("CapturePanel", "发送人"), QCoreApplication.translate("CapturePanel", "项目"), QCoreApplication.translate("CapturePanel", "等级"), QCoreApplication.translate("CapturePanel", "部位"), QCoreApplication.translate("CapturePanel", "描述"), QCoreApplication.translate("CapturePanel", "照片")])
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
        layout.addWidget(self.draft_table, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(reject)
        buttons.addWidget(confirm)
        layout.addLayout(buttons)
        self.timer = QTimer(self)
        self.timer.setInterval(5000)
        self.timer.timeout.connect(self.reload)
        self.resize(760, 720)
        self.reload()

    # -- the service ----------------------------------------------------------------------

    def toggle_server(self) -> None:
        if self.server.running:
            self.stop_server()
            return
        try:
            try:
                address = self.server.start(self.host, self.port)
            except OSError:  # the usual port is taken: any free one
                address = self.server.start(self.host, 0)
        except OSError as exc:
            dialogs.warn(self, QCoreApplication.translate("CapturePanel", "无法启动"), QCoreApplication.translate("CapturePanel", "无法在本机开启服务：{reason}").format(
                reason=exc.strerror or str(exc)))
            return
        port = address.rsplit(":", 1)[1]
        host = lan_address() if self.host == "0.0.0.0" else self.host
        self.public = f"http://{host}:{port}"
        self.status.setText(QCoreApplication.translate("CapturePanel", "运行中：{address}（同一局域网或本机热点内的手机可连接）").format(
            address=self.public))
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

    def reload(self) -> None:
        try:
            self.devices = self.state.read(capture_devices.list_devices, self.state.actor)
            self.drafts = self.state.read(capture_inbox.list_drafts, self.state.actor)
        except (ServiceError, DataError):
            return
        self.device_table.setRowCount(len(self.devices))
        for r, d in enumerate(self.devices):
            until = clock.to_local(d.expires_at).strftime("%Y-%m-%d") if d.expires_at else ""
            for c, text in enumerate((d.name, d.user_name, d.state_label, until)):
                self.device_table.setItem(r, c, QTableWidgetItem(text))
        self.draft_table.setRowCount(len(self.drafts))
        for r, dr in enumerate(self.drafts):
            cells = (dr.user_name, dr.project_name, level_label(dr.level), dr.location,
                     dr.description, str(len(dr.photos)))
            for c, text in enumerate(cells):
                self.draft_table.setItem(r, c, QTableWidgetItem(text))

    def _selected(self, table: QTableWidget, rows: Sequence[R]) -> R | None:
        index = table.currentRow()
        if 0 <= index < len(rows):
            return rows[index]
        dialogs.inform(self, QCoreApplication.translate("CapturePanel", "现场采集"), QCoreApplication.translate("CapturePanel", "请先在列表中选择一行。"))
        return None

    def revoke_device(self) -> None:
        device = self._selected(self.device_table, self.devices)
        if device is None or not dialogs.ask(self, QCoreApplication.translate("CapturePanel", "撤销手机"), QCoreApplication.translate("CapturePanel", "撤销“{name}”后该手机须重新扫码配对。继续？")
                                              .format(name=device.name)):
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
