"""现场采集 in the window: start on loopback, pair a phone by the QR link, confirm its draft."""

from __future__ import annotations

import asyncio
import socket
import uuid

import aiohttp
from sqlalchemy import select

from desktop import clock
from desktop.capture.server import HEADER
from desktop.models import Attachment, Hazard
from desktop.services import inspections
from desktop.ui.capture_panel import CapturePanel
from tests.capture.test_capture_service import jpeg
from tests.factories import make_project


async def _phone(pairing_url: str, inspection_id: int) -> tuple[int, int]:
    base, token = pairing_url.split("/#pair=")
    async with aiohttp.ClientSession() as http:
        async with http.post(base + "/api/pair", json={"token": token, "name": "测试手机"}) as r:
            device = (await r.json())["device_token"]
        form = aiohttp.FormData()
        for key, value in {"client_id": uuid.uuid4().hex, "inspection_id": str(inspection_id),
                           "level": "3", "description": "电梯井口防护门缺失", "location": "2#楼"}.items():
            form.add_field(key, value)
        for name, colour in (("a.jpg", "red"), ("b.jpg", "blue")):
            form.add_field("photos", jpeg(colour), filename=name, content_type="image/jpeg")
        async with http.post(base + "/api/drafts", data=form, headers={HEADER: device}) as r:
            return r.status, (await r.json())["id"]


def test_panel_pairs_receives_and_confirms(state, db, admin, dialog_log, qapp):
    with db.session() as s:
        project = make_project(s, admin)
        insp = inspections.record(s, admin, inspections.InspectionForm(
            project_id=project.project, kind="full_coverage", date=clock.today(),
            inspector_ids=(admin.user_id,)))
    panel = CapturePanel(state)
    panel.host, panel.port = "127.0.0.1", 0
    panel.toggle_server()
    assert panel.server.running and "运行中" in panel.status.text()
    panel.new_pairing()
    assert panel.qr.pixmap() is not None and not panel.qr.pixmap().isNull()
    status, _ = asyncio.run(_phone(panel.pairing_url, insp.id))
    assert status == 201
    panel.reload()
    assert panel.draft_table.rowCount() == 1 and panel.device_table.rowCount() == 1
    with db.read() as s:
        assert s.execute(select(Hazard)).first() is None

    def fill(dialog):  # type: ignore[no-untyped-def]
        dialog.measures.setPlainText("立即安装防护门")
        return True
    dialog_log.on_run = fill
    panel.draft_table.selectRow(0)
    panel.confirm_draft()
    assert dialog_log.texts("inform") and "已登记隐患" in dialog_log.texts("inform")[-1]
    with db.read() as s:
        hazard = s.execute(select(Hazard)).scalar_one()
        photos = s.execute(select(Attachment).where(Attachment.owner_id == hazard.id)).scalars().all()
        assert hazard.description == "电梯井口防护门缺失" and hazard.inspection_id == insp.id
        assert len(photos) == 2
    assert panel.draft_table.rowCount() == 0
    address = panel.server.address
    panel.close()
    assert not panel.server.running
    host, port = address.removeprefix("http://").split(":")
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
        still_listening = True
    except OSError:
        still_listening = False
    assert not still_listening
