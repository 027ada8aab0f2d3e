"""Rate limits of the capture page: per address (pairing, every request) and per device
(requests, uploads); refused with 429, a Chinese message and Retry-After, nothing stored."""

from __future__ import annotations

import uuid

import pytest

from desktop import clock
from desktop.capture.limits import Limits, Window
from desktop.capture.server import HEADER, CaptureServer
from desktop.models import CaptureDraft
from desktop.services import catalogues, inspections
from tests.capture.test_capture_service import _request, call, count, draft_form, pair, send
from tests.factories import make_project


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_window_counts_per_key_and_frees_up_after_a_minute():
    now = FakeClock()
    window = Window(3, now=now)
    assert [window.hit("a") for _ in range(3)] == [0, 0, 0]
    assert window.hit("a") == 60  # the oldest of the three leaves the window in 60 s
    assert window.hit("b") == 0  # another key has its own count
    now.t += 30
    assert window.hit("a") == 30
    now.t += 30
    assert window.hit("a") == 0
    assert Window(0, now=now).hit("a") == 0  # 0: no limit


def test_made_up_keys_cannot_grow_the_memory():
    now = FakeClock()
    window = Window(5, now=now, max_keys=100)
    for n in range(1000):
        window.hit(n)
        now.t += 0.01
    assert len(window.events) <= 100


@pytest.fixture
def limited(db, users, tmp_path):
    inspector = users["inspector"]
    with db.session() as s:
        catalogues.load_all(s)
        project = make_project(s, users["admin"])
        insp = inspections.record(s, users["admin"], inspections.InspectionForm(
            project_id=project.project, kind="full_coverage", date=clock.today(),
            inspector_ids=(inspector.user_id,)))
    server = CaptureServer(db, drafts_dir=tmp_path / "drafts", limits=Limits(
        pair_per_address=3, requests_per_address=40, requests_per_device=8,
        uploads_per_device=2, uploads_per_address=3))
    address = server.start("127.0.0.1", 0)
    yield {"db": db, "server": server, "address": address, "inspection": insp.id,
           "project": project.project, "inspector": inspector, "tmp": tmp_path}
    server.stop()


def test_pairing_attempts_per_address_are_limited(limited):
    for _ in range(3):
        status, body = call(_request("POST", limited["address"] + "/api/pair",
                                     json={"token": "guess", "name": "x"}))
        assert status == 401
    status, body = call(_request("POST", limited["address"] + "/api/pair",
                                 json={"token": "guess", "name": "x"}))
    assert status == 429 and "配对尝试过于频繁" in body["error"] and "秒后再试" in body["error"]


def test_uploads_per_device_and_per_address(limited):
    one, two = pair(limited, "甲"), pair(limited, "乙")
    assert [send(limited, one, draft_form(limited, uuid.uuid4().hex))[0] for _ in range(2)] == [201, 201]
    status, body = send(limited, one, draft_form(limited, uuid.uuid4().hex))
    assert status == 429 and "发送过于频繁" in body["error"] and "草稿仍保存在手机上" in body["error"]
    assert send(limited, two, draft_form(limited, uuid.uuid4().hex))[0] == 201  # its own count
    status, body = send(limited, two, draft_form(limited, uuid.uuid4().hex))
    assert status == 429  # the address's three uploads are used up
    assert count(limited["db"], CaptureDraft) == 3


def test_requests_per_device_are_limited_with_retry_after(limited):
    device = pair(limited)

    async def many() -> list[tuple[int, str, str]]:
        import aiohttp

        out = []
        async with aiohttp.ClientSession() as http:
            for _ in range(9):
                async with http.get(limited["address"] + "/api/me", headers={HEADER: device}) as r:
                    out.append((r.status, r.headers.get("Retry-After", ""),
                                (await r.json())["error"] if r.status != 200 else ""))
        return out

    answers = call(many())
    assert [a[0] for a in answers] == [200] * 8 + [429]
    assert int(answers[-1][1]) >= 1 and "本手机请求过于频繁" in answers[-1][2]
