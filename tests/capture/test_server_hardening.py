"""The capture service answers odd requests from the network with a Chinese 4xx, never a 500
(the phone page takes any 5xx for "busy, send again later"), reads no more of an unpaired
caller's body than a pairing needs, and binds its port again at once after a restart."""

from __future__ import annotations

import asyncio
import http.client
import io
import json
import uuid

import aiohttp
import pytest

from desktop.capture import server as server_module
from desktop.capture.server import HEADER, CaptureServer
from desktop.models import CaptureDraft
from desktop.services import capture_devices
from tests.capture.test_capture_service import (  # noqa: F401
    _request,
    call,
    count,
    draft_form,
    jpeg,
    pair,
    pairing,
    send,
    site,
)

SMALL_BODY = 4096  # the most a request but a draft may carry (server.SMALL_BODY)
HUGE = "99999999999999999999999"  # more than SQLite's 64-bit integers


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def refused(status: int, body: object, code: int = 400) -> None:
    assert status == code, (status, body)
    assert isinstance(body, dict) and chinese(body["error"]), body


# -- pairing: a small body, read no further ------------------------------------------------


def test_a_pairing_body_over_the_small_cap_is_refused_unparsed(site):
    token = pairing(site["db"], site["inspector"])
    url = site["address"] + "/api/pair"
    padded = json.dumps({"token": token, "name": "甲", "pad": "x" * (2 * 1024 * 1024)})
    status, body = call(_request("POST", url, data=io.BytesIO(padded.encode()),
                                 headers={"Content-Type": "application/json"}))
    refused(status, body, 413)
    assert "过大" in body["error"]
    with site["db"].read() as s:  # nothing was parsed: the pairing code is still unused
        assert [d.state_label for d in capture_devices.list_devices(s, site["inspector"])] in ([], ["待配对"])
    assert call(_request("POST", url, json={"token": token, "name": "甲"}))[0] == 200
    assert getattr(server_module, "SMALL_BODY", None) == SMALL_BODY


def test_a_pairing_body_without_length_is_cut_at_the_cap_not_awaited(site):
    """A chunked body that never ends: answered after SMALL_BODY + 1 bytes (the old service
    waited for the whole body, so this request would never be answered)."""
    async def endless():  # type: ignore[no-untyped-def]
        yield b'{"token": "' + b"x" * (SMALL_BODY + 100)
        await asyncio.sleep(60)
        yield b'"}'

    async def go() -> tuple[int, object]:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http_:
            async with http_.post(site["address"] + "/api/pair", data=endless(),
                                  headers={"Content-Type": "application/json"}) as r:
                return r.status, await r.json()
    status, body = call(go())
    refused(status, body, 413)


def test_nested_and_undecodable_pairing_json_gets_400(site):
    url = site["address"] + "/api/pair"
    nested = b"[" * (SMALL_BODY // 2 - 1) + b"]" * (SMALL_BODY // 2 - 1)  # RecursionError in json
    for raw in (nested, b'{"token": "\xff\xfe"}', b"{bad", b"[1]", b""):
        status, body = call(_request("POST", url, data=raw, headers={"Content-Type": "application/json"}))
        refused(status, body)
        assert body["error"] == "请求格式错误"


# -- drafts: ids, times and multipart bodies ---------------------------------------------


@pytest.mark.parametrize("field", ["inspection_id", "catalogue_item_id"])
@pytest.mark.parametrize("value", [HUGE, "-" + HUGE, str(2**63)])
def test_an_id_beyond_sqlite_gets_a_chinese_400(site, field, value):
    device = pair(site)
    over = {field: value} if field == "inspection_id" else {field: value, "level": "1"}
    status, body = send(site, device, draft_form(site, uuid.uuid4().hex, **over))
    refused(status, body)
    assert field in body["fields"]
    assert count(site["db"], CaptureDraft) == 0


@pytest.mark.parametrize("made_at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                                     "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00Z"])
def test_a_phone_time_beyond_the_calendar_gives_the_arrival_time(site, made_at):
    device = pair(site)
    status, body = send(site, device, draft_form(site, uuid.uuid4().hex, made_at=made_at))
    assert status == 201, body
    assert body["found_source"] == "arrival"


def _raw_draft(site, device: str, raw: bytes, boundary: str) -> tuple[int, object]:  # noqa: F811
    return call(_request("POST", site["address"] + "/api/drafts", data=raw, headers={
        HEADER: device, "Content-Type": f"multipart/form-data; boundary={boundary}"}))


def _multipart(site, filename: str) -> tuple[bytes, str]:  # noqa: F811
    boundary = "b" + uuid.uuid4().hex
    fields = {"client_id": uuid.uuid4().hex, "inspection_id": str(site["inspection"]), "level": "3",
              "description": "二层临边防护栏杆缺失"}
    out = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                   for k, v in fields.items())
    out += (f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="{filename}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n").encode() + jpeg() + f"\r\n--{boundary}--\r\n".encode()
    return out, boundary


@pytest.mark.parametrize("raw", [b"--x\r\ngarbage", b"--x\r\nContent-Disposition: form-data\r\n\r\nv\r\n--x--\r\n",
                                 b"--y\r\n\r\n--y--\r\n",
                                 b'--x\r\nContent-Disposition: form-data; name="a"\r\n'
                                 b"Content-Transfer-Encoding: rot13\r\n\r\nv\r\n--x--\r\n"])
def test_a_malformed_multipart_body_gets_a_chinese_400(site, raw):
    status, body = _raw_draft(site, pair(site), raw, "x")
    refused(status, body)
    assert count(site["db"], CaptureDraft) == 0


def test_a_line_break_in_a_photo_name_gets_a_chinese_400(site):
    raw, boundary = _multipart(site, "a\r\nX-Injected: 1.jpg")
    status, body = _raw_draft(site, pair(site), raw, boundary)
    refused(status, body)
    raw, boundary = _multipart(site, "a.jpg")  # the same body with a plain name is kept
    assert _raw_draft(site, pair(site, "第二台"), raw, boundary)[0] == 201


def test_the_draft_upload_still_takes_photos_over_the_small_cap(site):
    photos = tuple((f"{colour}.jpg", jpeg(colour, size=(1200, 900))) for colour in ("red", "green", "blue"))
    assert sum(len(d) for _n, d in photos) > 4 * SMALL_BODY
    status, body = send(site, pair(site), draft_form(site, uuid.uuid4().hex, photos=photos))
    assert status == 201, body


# -- restart on the same port --------------------------------------------------------------


def test_a_restart_binds_the_same_port_although_the_last_connections_are_closing(site):
    """A phone's page, its token and its offline queue belong to http://host:port."""
    server: CaptureServer = site["server"]
    port = int(site["address"].rsplit(":", 1)[1])
    phone = http.client.HTTPConnection("127.0.0.1", port, timeout=5)  # a browser keeps it alive
    phone.request("GET", "/")
    assert phone.getresponse().read()
    server.stop()  # the server closes the connection first: its side waits in TIME_WAIT
    phone.close()
    assert server.start("127.0.0.1", port) == f"http://127.0.0.1:{port}"
    assert call(_request("GET", f"http://127.0.0.1:{port}/"))[0] == 200
