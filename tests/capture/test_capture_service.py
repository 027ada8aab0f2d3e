"""The capture page's web service on a real loopback socket: pairing, tokens, drafts, the inbox."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import socket
import uuid

import aiohttp
import pytest
from PIL import Image
from sqlalchemy import func, select

from desktop import clock
from desktop.capture.server import HEADER, CaptureServer
from desktop.models import Attachment, AuditEntry, CaptureDevice, CaptureDraft, Hazard, Inspection
from desktop.services import capture_devices, capture_inbox, catalogues, hazards, inspections
from desktop.services.context import TransitionError
from desktop.services.exchange import attachments
from tests.factories import make_project


def jpeg(colour: str = "orange", size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def site(db, users, tmp_path):
    inspector = users["inspector"]
    with db.session() as s:
        catalogues.load_all(s)
        project = make_project(s, users["admin"])
        insp = inspections.record(s, users["admin"], inspections.InspectionForm(
            project_id=project.project, kind="full_coverage", date=clock.today(),
            inspector_ids=(inspector.user_id,)))
    server = CaptureServer(db, drafts_dir=tmp_path / "drafts")
    address = server.start("127.0.0.1", 0)
    yield {"db": db, "server": server, "address": address, "inspection": insp.id,
           "project": project.project, "inspector": inspector, "tmp": tmp_path}
    server.stop()


def pairing(db, actor) -> str:
    with db.session() as s:
        return capture_devices.start_pairing(s, actor).token


def call(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


async def _request(method: str, url: str, **kw):  # type: ignore[no-untyped-def]
    async with aiohttp.ClientSession() as http:
        async with http.request(method, url, **kw) as r:
            return r.status, await r.json(content_type=None) if r.content_type == "application/json" else await r.text()


def pair(site, name: str = "张工的手机") -> str:
    token = pairing(site["db"], site["inspector"])
    status, body = call(_request("POST", site["address"] + "/api/pair", json={"token": token, "name": name}))
    assert status == 200, body
    return body["device_token"]


def draft_form(site, client_id: str, photos=(("a.jpg", None),), **over) -> aiohttp.FormData:
    form = aiohttp.FormData()
    fields = {"client_id": client_id, "inspection_id": str(site["inspection"]), "level": "3",
              "description": "二层临边防护栏杆缺失", "location": "2#楼二层"}
    fields.update(over)
    for key, value in fields.items():
        form.add_field(key, value)
    for name, data in photos:
        form.add_field("photos", data if data is not None else jpeg(), filename=name,
                       content_type="image/jpeg")
    return form


def send(site, device_token: str, form) -> tuple[int, object]:  # type: ignore[no-untyped-def]
    return call(_request("POST", site["address"] + "/api/drafts", data=form, headers={HEADER: device_token}))


def count(db, model) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def test_page_is_served_and_pairing_gives_today_inspections(site):
    status, page = call(_request("GET", site["address"] + "/"))
    assert status == 200 and "现场采集" in page
    device = pair(site)
    status, body = call(_request("GET", site["address"] + "/api/inspections", headers={HEADER: device}))
    assert status == 200
    assert [i["id"] for i in body["inspections"]] == [site["inspection"]]
    assert body["date"] == clock.today().isoformat()


def test_pairing_token_works_once(site):
    token = pairing(site["db"], site["inspector"])
    url = site["address"] + "/api/pair"
    assert call(_request("POST", url, json={"token": token, "name": "甲"}))[0] == 200
    status, body = call(_request("POST", url, json={"token": token, "name": "乙"}))
    assert status == 401 and "配对码无效" in body["error"]


def test_bad_expired_and_revoked_tokens_get_401_in_chinese(site):
    url = site["address"] + "/api/inspections"
    status, body = call(_request("GET", url))
    assert status == 401 and "未配对" in body["error"]
    status, body = call(_request("GET", url, headers={HEADER: "not-a-token"}))
    assert status == 401 and "凭据无效" in body["error"]
    device = pair(site)
    with site["db"].session() as s:
        row = s.execute(select(CaptureDevice)).scalar_one()
        row.expires_at = clock.utc_now() - dt.timedelta(seconds=1)
    status, body = call(_request("GET", url, headers={HEADER: device}))
    assert status == 401 and "过期" in body["error"]
    device = pair(site, "第二台")
    with site["db"].session() as s:
        second = s.execute(select(CaptureDevice).where(CaptureDevice.name == "第二台")).scalar_one()
        capture_devices.revoke(s, site["inspector"], second.id)
    status, body = call(_request("GET", url, headers={HEADER: device}))
    assert status == 401 and "撤销" in body["error"]


def test_expired_pairing_token_is_refused(site):
    token = pairing(site["db"], site["inspector"])
    with site["db"].session() as s:
        row = s.execute(select(CaptureDevice)).scalar_one()
        row.pairing_expires_at = clock.utc_now() - dt.timedelta(seconds=1)
    status, body = call(_request("POST", site["address"] + "/api/pair", json={"token": token}))
    assert status == 401 and "过期" in body["error"]


def test_replayed_draft_is_kept_once_and_audited(site):
    device = pair(site)
    client_id = uuid.uuid4().hex
    first = send(site, device, draft_form(site, client_id))
    again = send(site, device, draft_form(site, client_id))
    assert first[0] == 201 and again[0] == 200
    assert first[1]["id"] == again[1]["id"]
    assert count(site["db"], CaptureDraft) == 1
    with site["db"].read() as s:
        entries = [(e.username, e.after["device"]) for e in s.execute(
            select(AuditEntry).where(AuditEntry.action == "capture.draft")).scalars()]
    assert entries == [("inspector", "张工的手机")]


def test_oversized_too_many_and_fake_images_are_refused(site, monkeypatch):
    device = pair(site)
    fake = b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10
    status, body = send(site, device, draft_form(site, uuid.uuid4().hex, photos=(("x.jpg", fake),)))
    assert status == 400 and "损坏" in body["error"]
    status, body = send(site, device, draft_form(site, uuid.uuid4().hex, photos=(("x.jpg", b"GIF89a...."),)))
    assert status == 400 and "不是照片" in body["error"]
    many = tuple((f"{i}.jpg", jpeg()) for i in range(capture_inbox.MAX_PHOTOS + 1))
    status, body = send(site, device, draft_form(site, uuid.uuid4().hex, photos=many))
    assert status == 400 and "最多" in body["error"]
    monkeypatch.setattr(capture_inbox, "MAX_PHOTO_BYTES", 1000)
    status, body = send(site, device, draft_form(site, uuid.uuid4().hex, photos=(("big.jpg", jpeg(size=(400, 400))),)))
    assert status == 400 and "过大" in body["error"]
    assert count(site["db"], CaptureDraft) == 0
    assert not list((site["tmp"] / "drafts").glob("*"))


def test_body_over_the_cap_gets_413(site, monkeypatch):
    from desktop.capture import server as server_module

    site["server"].stop()
    monkeypatch.setattr(server_module, "MAX_BODY", 20_000)
    site["address"] = site["server"].start("127.0.0.1", 0)
    device = pair(site)
    status, body = send(site, device, draft_form(site, uuid.uuid4().hex,
                                                 photos=(("a.jpg", b"\xff\xd8\xff" + bytes(30_000)),)))
    assert status == 413 and "过大" in body["error"]


def test_two_devices_sending_at_once(site):
    devices = [pair(site, "甲机"), pair(site, "乙机")]
    ids = [uuid.uuid4().hex for _ in range(6)]

    async def burst():  # type: ignore[no-untyped-def]
        async with aiohttp.ClientSession() as http:
            async def one(device: str, cid: str, colour: str) -> int:
                async with http.post(site["address"] + "/api/drafts", headers={HEADER: device},
                                     data=draft_form(site, cid, photos=(("p.jpg", jpeg(colour)),))) as r:
                    return r.status
            jobs = [one(devices[i % 2], cid, colour) for i, (cid, colour) in
                    enumerate(zip(ids, ["red", "green", "blue", "red", "green", "blue"], strict=True))]
            # each device also resends its first draft while the first send is still in flight
            jobs += [one(devices[0], ids[0], "red"), one(devices[1], ids[1], "green")]
            return await asyncio.gather(*jobs)
    statuses = call(burst())
    assert all(s in (200, 201) for s in statuses)
    assert statuses.count(201) == 6
    with site["db"].read() as s:
        rows = s.execute(select(CaptureDraft.device_id, CaptureDraft.client_id)).all()
    assert len(rows) == 6 and len({r.device_id for r in rows}) == 2


def test_stop_closes_the_socket(site):
    host, port = site["address"].removeprefix("http://").split(":")
    site["server"].stop()
    with pytest.raises(OSError), socket.create_connection((host, int(port)), timeout=2):
        pass


def _one_draft(site) -> capture_inbox.DraftRow:  # type: ignore[no-untyped-def]
    device = pair(site)
    photos = (("a.jpg", jpeg("red")), ("b.jpg", jpeg("blue")))
    assert send(site, device, draft_form(site, uuid.uuid4().hex, photos=photos))[0] == 201
    with site["db"].read() as s:
        [row] = capture_inbox.list_drafts(s, site["inspector"])
    return row


def test_confirm_records_the_hazard_with_its_photos(site, users):
    row = _one_draft(site)
    assert count(site["db"], Hazard) == 0  # nothing in the register before the office confirms
    clerk = users["clerk"]
    store = site["tmp"] / "store"
    form = hazards.HazardForm(project_id=0, description=row.description, level=row.level,
                              location=row.location, measures="立即恢复临边防护栏杆")
    with site["db"].session() as s:
        hazard = capture_inbox.confirm(s, clerk, row.id, expected_version=row.version, form=form,
                                       store_dir=store, drafts_dir=site["tmp"] / "drafts")
    with site["db"].session() as s:
        photos = attachments.list_for(s, "hazard", hazard.id)
        assert capture_inbox.sweep(s, site["tmp"] / "drafts") == 2
        with pytest.raises(TransitionError):
            capture_inbox.reject(s, clerk, row.id, expected_version=row.version + 1, reason="x")
    assert hazard.project_id == site["project"] and hazard.level == 3
    assert hazard.deadline is not None  # the register's own default deadline applied
    assert sorted(p.original_name for p in photos) == ["a.jpg", "b.jpg"]
    assert {p.role for p in photos} == {"before"}


def test_confirm_of_level_one_follows_the_register_rules(site, users):
    row = _one_draft(site)
    form = hazards.HazardForm(project_id=0, description=row.description, level=1,
                              measures="立即停工整改", contingency="设置警戒区", stop_work="partial")
    with site["db"].session() as s:
        hazard = capture_inbox.confirm(s, users["clerk"], row.id, expected_version=row.version,
                                       form=form, store_dir=site["tmp"] / "store",
                                       drafts_dir=site["tmp"] / "drafts")
    with site["db"].read() as s:
        from desktop.models import ExternalReport

        pending = s.execute(select(func.count()).select_from(ExternalReport)
                            .where(ExternalReport.hazard_id == hazard.id)).scalar_one()
    assert pending == 2  # insurer and authority, due the same day


def test_reject_keeps_nothing_in_the_register(site, users):
    row = _one_draft(site)
    with site["db"].session() as s:
        with pytest.raises(Exception, match="退回原因"):
            capture_inbox.reject(s, users["clerk"], row.id, expected_version=row.version, reason=" ")
    with site["db"].session() as s:
        capture_inbox.reject(s, users["clerk"], row.id, expected_version=row.version, reason="照片不清楚")
        assert capture_inbox.sweep(s, site["tmp"] / "drafts") == 2
    assert count(site["db"], Hazard) == 0
    assert count(site["db"], Attachment) == 0
    with site["db"].read() as s:
        assert capture_inbox.list_drafts(s, users["clerk"]) == []
        [done] = capture_inbox.list_drafts(s, users["clerk"], status=capture_inbox.REJECTED)
    assert done.reject_reason == "照片不清楚"


def test_edit_corrects_a_pending_draft_and_guards_its_version(site, users):
    from desktop.services.context import ConflictError, ValidationError

    row = _one_draft(site)
    with site["db"].session() as s:
        edited = capture_inbox.edit(s, users["clerk"], row.id, expected_version=row.version,
                                    description="二层临边防护栏杆缺失两跨", level=2)
    assert edited.description == "二层临边防护栏杆缺失两跨" and edited.level == 2
    with site["db"].session() as s, pytest.raises(ConflictError):
        capture_inbox.edit(s, users["clerk"], row.id, expected_version=row.version, level=4)
    with site["db"].session() as s, pytest.raises(ValidationError):
        capture_inbox.edit(s, users["clerk"], row.id, expected_version=edited.version, description=" ")
    with site["db"].read() as s:
        assert capture_inbox.get(s, row.id).level == 2


def test_draft_for_an_inspection_not_assigned_today_is_refused(site, users):
    device = pair(site)
    with site["db"].session() as s:
        other = inspections.record(s, users["admin"], inspections.InspectionForm(
            project_id=site["project"], kind="full_coverage", date=clock.today(),
            inspector_ids=(users["tech_lead"].user_id,)))
    status, body = send(site, device, draft_form(site, uuid.uuid4().hex, inspection_id=str(other.id)))
    assert status == 400 and "今天分配给您" in body["error"]
    assert count(site["db"], CaptureDraft) == 0


def test_a_database_failure_answers_503_so_the_phone_keeps_the_draft(site, monkeypatch):
    from desktop.db import DataError

    device = pair(site)

    def busy(*_a, **_k):  # type: ignore[no-untyped-def]
        raise DataError("数据库正忙")
    monkeypatch.setattr(capture_inbox, "receive", busy)
    status, body = send(site, device, draft_form(site, uuid.uuid4().hex))
    assert status == 503 and "稍后重试" in body["error"]


def test_recycle_purge_knows_the_drafts(site, users):
    from desktop.services import recycle

    row = _one_draft(site)
    admin = users["admin"]
    form = hazards.HazardForm(project_id=0, description=row.description, level=3, measures="立即整改")
    with site["db"].session() as s:
        hazard = capture_inbox.confirm(s, admin, row.id, expected_version=row.version, form=form,
                                       store_dir=site["tmp"] / "store", drafts_dir=site["tmp"] / "drafts")
    with site["db"].session() as s:
        recycle.soft_delete(s, admin, "hazards", hazard.id, expected_version=hazard.version, reason="重复登记")
        recycle.purge(s, admin, "hazards", hazard.id)  # the confirmed draft keeps no dangling link
        version = s.get(Inspection, site["inspection"]).version
        recycle.soft_delete(s, admin, "inspections", site["inspection"], expected_version=version,
                            reason="误建")
    with site["db"].session() as s, pytest.raises(TransitionError, match="现场采集草稿"):
        recycle.purge(s, admin, "inspections", site["inspection"])
    with site["db"].read() as s:
        assert s.get(CaptureDraft, row.id).hazard_id is None
