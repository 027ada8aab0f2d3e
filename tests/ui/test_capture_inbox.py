"""The capture inbox in the window: thumbnails, capture times and look-alike photos; the link
between the 检查记录 page and the inbox; the service at work behind the lock screen."""

from __future__ import annotations

import asyncio
import io
import uuid

import aiohttp
import pytest
from PIL import Image

from desktop import clock
from desktop.capture.server import HEADER
from desktop.services import inspections
from desktop.ui.capture_panel import NOTE_COLUMN, PHOTO_COLUMN, CapturePanel
from desktop.ui.desk import Desk
from desktop.ui.inspection_dialog import InspectionDialog
from desktop.ui.lazy_model import ID_ROLE
from desktop.ui.main_window import MainWindow
from tests.factories import make_project
from tests.services.test_photo_folder import picture

PASSWORD = "Secret-Desk-2026"


def photo(seed: int, taken: str | None = None, size=(320, 240)) -> bytes:
    exif = Image.Exif()
    if taken is not None:
        exif.get_ifd(0x8769)[0x9003] = taken
    out = io.BytesIO()
    picture(seed).resize(size).save(out, "JPEG", exif=exif, quality=85)
    return out.getvalue()


async def _pair(pairing_url: str) -> tuple[str, str]:
    base, token = pairing_url.split("/#pair=")
    async with aiohttp.ClientSession() as http:
        async with http.post(base + "/api/pair", json={"token": token, "name": "测试手机"}) as r:
            return base, (await r.json())["device_token"]


async def _send(base: str, device: str, inspection_id: int, photos: list[tuple[str, bytes]]) -> int:
    form = aiohttp.FormData()
    for key, value in {"client_id": uuid.uuid4().hex, "inspection_id": str(inspection_id),
                       "level": "3", "description": "电梯井口防护门缺失", "location": "2#楼"}.items():
        form.add_field(key, value)
    for name, data in photos:
        form.add_field("photos", data, filename=name, content_type="image/jpeg")
    async with aiohttp.ClientSession() as http:
        async with http.post(base + "/api/drafts", data=form, headers={HEADER: device}) as r:
            return r.status


@pytest.fixture
def visit(db, admin):  # type: ignore[no-untyped-def]
    with db.session() as s:
        project = make_project(s, admin)
        return inspections.record(s, admin, inspections.InspectionForm(
            project_id=project.project, kind="full_coverage", date=clock.today(),
            inspector_ids=(admin.user_id,)))


def running(panel: CapturePanel) -> tuple[str, str]:
    panel.host, panel.port = "127.0.0.1", 0
    panel.toggle_server()
    panel.new_pairing()
    return asyncio.run(_pair(panel.pairing_url))


def test_inbox_shows_thumbnails_and_flags_a_photo_like_a_stored_one(qtbot, state, visit,
                                                                      dialog_log):
    panel = CapturePanel(state)
    qtbot.addWidget(panel)
    try:
        base, device = running(panel)
        day = clock.today().strftime("%Y:%m:%d")
        assert asyncio.run(_send(base, device, visit.id, [("a.jpg", photo(31, f"{day} 00:01:00")),
                                                          ("b.jpg", photo(32))])) == 201
        panel.reload()
        qtbot.waitUntil(lambda: panel.draft_table.cellWidget(0, PHOTO_COLUMN) is not None,
                        timeout=10_000)
        strip = panel.draft_table.cellWidget(0, PHOTO_COLUMN).pixmap()
        assert strip.width() >= 2 * 48 and strip.height() == 48  # two thumbnails side by side
        assert panel.draft_table.item(0, 2).text() == f"{clock.today():%m-%d} 00:01"
        tip = panel.draft_table.item(0, PHOTO_COLUMN).toolTip()
        assert "a.jpg：拍摄于" in tip and "b.jpg：拍摄时间不明" in tip
        assert panel.draft_table.item(0, NOTE_COLUMN).text() == ""

        def fill(dialog):  # type: ignore[no-untyped-def]
            dialog.measures.setPlainText("立即安装防护门")
            return True
        dialog_log.on_run = fill
        panel.draft_table.selectRow(0)
        panel.confirm_draft()
        number = dialog_log.texts("inform")[-1].removeprefix("已登记隐患 ").rstrip("。")
        # the same view again, sent smaller: flagged against the stored photo
        assert asyncio.run(_send(base, device, visit.id, [("c.jpg", photo(31, size=(240, 180)))])) == 201
        panel.reload()
        qtbot.waitUntil(lambda: panel.draft_table.item(0, NOTE_COLUMN).text() != "", timeout=10_000)
        assert panel.draft_table.item(0, NOTE_COLUMN).text() == f"可能重复：与 {number} 的照片相似"
    finally:
        panel.close()  # stops the service too; a panel left open would be covered by later locks


def test_inspections_page_opens_the_inbox_of_an_inspection_and_back(qtbot, state, db, admin,
                                                                     visit, dialog_log,
                                                                     monkeypatch):
    window = MainWindow(state)
    qtbot.addWidget(window)
    window.show()
    monkeypatch.setattr(CapturePanel, "raise_", lambda _self: None)  # offscreen cannot raise
    window.show_capture()
    panel = window.capture_panel
    try:
        base, device = running(panel)
        assert asyncio.run(_send(base, device, visit.id, [("a.jpg", photo(41))])) == 201
        with db.session() as s:  # another inspection the same day, without drafts
            other = inspections.record(s, admin, inspections.InspectionForm(
                project_id=visit.project_id, kind="routine", date=clock.today(),
                inspector_ids=(admin.user_id,)))
        window.show_page("inspections")
        page = window.page("inspections")
        page.reload()
        ids = [page.model.data(page.model.index(r, 0), ID_ROLE) for r in range(page.model.rowCount())]
        page.table.setCurrentIndex(page.model.index(ids.index(other.id), 0))
        assert page.drafts_button.text() == "现场草稿…" and page.drafts_button.isEnabled()
        page.table.setCurrentIndex(page.model.index(ids.index(visit.id), 0))
        assert page.drafts_button.text() == "现场草稿（1）…"
        panel.show_inspection(other.id)
        assert panel.draft_table.rowCount() == 0 and panel.show_all.isVisibleTo(panel)
        page.drafts_button.click()
        assert panel.inspection_id == visit.id and panel.draft_table.rowCount() == 1
        assert "只显示" in panel.filter_label.text() and clock.today().isoformat() in panel.filter_label.text()
        opened = []
        dialog_log.on_run = lambda dialog: opened.append(dialog) or False
        panel.draft_table.selectRow(0)
        panel.open_inspection()
        assert isinstance(opened[0], InspectionDialog) and opened[0].row.id == visit.id
        panel.show_all.click()
        assert panel.inspection_id is None and not panel.filter_label.isVisibleTo(panel)
    finally:
        panel.close()  # stops the service too; a panel left open would be covered by later locks


def test_the_service_keeps_running_behind_the_lock_and_shows_nothing_until_unlocked(
        qtbot, db, config, users, agency_profile, visit, monkeypatch):
    monkeypatch.setattr(CapturePanel, "raise_", lambda _self: None)  # offscreen cannot raise
    desk = Desk(db, config, users["admin"])
    qtbot.addWidget(desk.window)
    qtbot.waitUntil(lambda: not desk.window.is_filling, timeout=5000)
    try:
        desk.window.show_capture()
        panel = desk.window.capture_panel
        base, device = running(panel)
        panel.new_pairing()  # a fresh pairing code on the screen when the desk locks
        assert not panel.qr.pixmap().isNull()
        desk.idle.timer.timeout.emit()  # the idle lock
        assert desk.locked and panel.server.running
        assert panel.qr.pixmap().isNull() and panel.qr_hint.text() == ""  # the code is gone
        assert asyncio.run(_send(base, device, visit.id, [("a.jpg", photo(51))])) == 201
        panel.timer.timeout.emit()  # the inbox's own refresh comes round
        assert panel.draft_table.rowCount() == 0  # received, but not shown behind the lock
        panel.new_pairing()
        assert panel.qr.pixmap().isNull()  # no pairing code while locked
        screen = desk.locker.screen
        qtbot.keyClicks(screen.password, PASSWORD)
        screen.unlock_button.click()
        assert not desk.locked and panel.server.running
        assert panel.draft_table.rowCount() == 1
        desk.lock()  # 锁定 (Ctrl+L) the same way
        assert asyncio.run(_send(base, device, visit.id, [("b.jpg", photo(52))])) == 201
        panel.reload()
        assert panel.draft_table.rowCount() == 1 and panel.server.running
    finally:
        if desk.window.capture_panel is not None:
            desk.window.capture_panel.close()
        desk.close()
        desk.window.close()


def test_the_found_time_says_which_time_was_kept(qtbot, state, visit, dialog_log):
    panel = CapturePanel(state)
    qtbot.addWidget(panel)
    try:
        base, device = running(panel)
        day = clock.today().strftime("%Y:%m:%d")
        assert asyncio.run(_send(base, device, visit.id, [("a.jpg", photo(51, f"{day} 00:02:00"))])) == 201
        assert asyncio.run(_send(base, device, visit.id, [("b.jpg", photo(52))])) == 201
        panel.reload()
        tips = {panel.draft_table.item(r, 2).toolTip() for r in range(panel.draft_table.rowCount())}
        assert tips == {"发现时间：按照片拍摄时间", "发现时间：按电脑收到草稿的时间"}
    finally:
        panel.close()
