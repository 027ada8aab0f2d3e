"""现场采集 panel: it listens on the address its QR code shows only, keeps its port across a
restart (and says so plainly when it cannot), and shows names chosen by a phone literally."""

from __future__ import annotations

import asyncio
import http.client
import socket
import sys
import uuid

import aiohttp
import pytest
from PySide6.QtGui import QPixmap, Qt, QTextDocument

from desktop import clock
from desktop.capture.server import HEADER
from desktop.services import capture_devices, inspections
from desktop.ui import capture_panel
from desktop.ui.capture_panel import PHOTO_COLUMN, CapturePanel
from tests.capture.test_capture_service import jpeg
from tests.factories import make_project

NAME = "<h1 style='color:red'>请勿撤销</h1>"
PHOTO = "<b>粗体<img src=x width=900>.jpg"  # no "/": the desk keeps the name after the last one


def shown(text: str) -> str:
    """What a Qt message box or tooltip shows for `text` (they take what looks like HTML as HTML)."""
    if not Qt.mightBeRichText(text):
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def panel(state, dialog_log, qapp):  # type: ignore[no-untyped-def]
    made = CapturePanel(state)
    made.host = "127.0.0.1"
    yield made
    made.close()


def test_the_service_listens_on_the_address_the_qr_code_shows(state, dialog_log, qapp, monkeypatch):
    monkeypatch.setattr(capture_panel, "lan_address", lambda: "127.0.0.1")
    made = CapturePanel(state)
    made.port = 0
    try:
        made.toggle_server()
        assert made.server.running
        port = int(made.public.rsplit(":", 1)[1])
        assert made.server.address == made.public == f"http://127.0.0.1:{port}"
        if sys.platform.startswith("linux"):  # all of 127/8 is this computer: another address of it
            with pytest.raises(OSError), socket.create_connection(("127.0.0.2", port), timeout=2):
                pass
    finally:
        made.close()


def test_stop_then_start_keeps_the_port_the_phones_know(panel, dialog_log):
    panel.port = free_port()
    panel.toggle_server()
    first = panel.public
    phone = http.client.HTTPConnection("127.0.0.1", panel.port, timeout=5)  # kept alive, as a browser does
    phone.request("GET", "/")
    assert phone.getresponse().read()
    panel.toggle_server()  # 停止: the desk closes the phone's connection
    phone.close()
    panel.toggle_server()  # 启动 again at once
    assert panel.server.running and panel.public == first
    assert not dialog_log.texts("warn")
    assert "重新扫码" not in panel.status.text()


def test_a_port_taken_by_another_program_is_said_plainly(panel, dialog_log):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        panel.port = other.getsockname()[1]
        panel.toggle_server()
        assert panel.server.running
        assert not panel.public.endswith(f":{panel.port}")
        [warning] = dialog_log.texts("warn")
        assert str(panel.port) in warning and "重新扫码配对" in warning
        assert "重新扫码配对" in panel.status.text()


def test_the_revoke_question_shows_the_phones_name_literally(panel, state, admin, dialog_log):
    with state.db.session() as s:
        token = capture_devices.start_pairing(s, admin).token
    with state.db.session() as s:
        capture_devices.pair(s, token, NAME)
    panel.reload()
    panel.device_table.selectRow(0)
    dialog_log.answer = False
    panel.revoke_device()
    [question] = dialog_log.texts("ask")
    assert f"撤销“{NAME}”后该手机须重新扫码配对。继续？" == shown(question)


async def _send_draft(base: str, token: str, inspection_id: int) -> int:
    """A draft whose photo's file name is HTML, as a phone's browser may send it (unencoded)."""
    async with aiohttp.ClientSession() as http_:
        async with http_.post(base + "/api/pair", json={"token": token, "name": "测试手机"}) as r:
            device = (await r.json())["device_token"]
        boundary = "b" + uuid.uuid4().hex
        fields = {"client_id": uuid.uuid4().hex, "inspection_id": str(inspection_id), "level": "3",
                  "description": "电梯井口防护门缺失"}
        body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                        .encode() for k, v in fields.items())
        body += (f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="{PHOTO}"'
                 "\r\nContent-Type: image/jpeg\r\n\r\n").encode() + jpeg("red")
        body += f"\r\n--{boundary}--\r\n".encode()
        async with http_.post(base + "/api/drafts", data=body, headers={
                HEADER: device, "Content-Type": f"multipart/form-data; boundary={boundary}"}) as r:
            return r.status


def test_the_inbox_photo_tooltip_shows_the_photo_name_literally(panel, state, db, admin, qapp):
    with db.session() as s:
        project = make_project(s, admin)
        insp = inspections.record(s, admin, inspections.InspectionForm(
            project_id=project.project, kind="full_coverage", date=clock.today(),
            inspector_ids=(admin.user_id,)))
    panel.port = 0
    panel.toggle_server()
    with db.session() as s:
        token = capture_devices.start_pairing(s, admin).token
    assert asyncio.run(_send_draft(panel.public, token, insp.id)) == 201
    panel.reload()
    tip = shown(panel.draft_table.item(0, PHOTO_COLUMN).toolTip())
    assert tip.startswith(PHOTO + "：")
    panel.thumbs = {p["sha256"]: jpeg_pixmap() for p in panel.drafts[0].photos}  # as a worker makes them
    panel._show_drafts()
    label = panel.draft_table.cellWidget(0, PHOTO_COLUMN)
    assert label is not None and shown(label.toolTip()).startswith(PHOTO + "：")


def jpeg_pixmap() -> QPixmap:
    pixmap = QPixmap()
    assert pixmap.loadFromData(jpeg("blue"), "JPEG")
    return pixmap
