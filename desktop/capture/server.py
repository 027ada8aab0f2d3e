"""The capture page's web service: aiohttp on a thread of its own with its own event loop.

Listening only between `start()` and `stop()`; `stop()` closes the socket. Handlers do no
database work on the event loop: each service call runs in a small thread pool, in one unit of
work (`Database.session()`), exactly as the window's calls do.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import json
import logging
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from desktop import clock, paths
from desktop.capture.limits import Limits, Window
from desktop.db import DataError
from desktop.services import capture_devices, capture_inbox, catalogues, major_hazards
from desktop.services.capture_devices import BadToken
from desktop.services.context import ServiceError, ValidationError

log = logging.getLogger(__name__)
T = TypeVar("T")
HEADER = "X-Device-Token"
MAX_BODY = capture_inbox.MAX_PHOTOS * capture_inbox.MAX_PHOTO_BYTES + 1024 * 1024
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": ("default-src 'none'; script-src 'unsafe-inline'; "
                                "style-src 'unsafe-inline'; img-src 'self' blob: data:; "
                                "connect-src 'self'; form-action 'none'; frame-ancestors 'none'"),
}


def page_path() -> Path:
    return paths.resources_dir() / "capture" / "index.html"


def _error(status: int, message: str, fields: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": str(message), "fields": {k: str(v) for k, v in (fields or {}).items()}},
                             status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False,
                                                                               default=str))


def _too_often(seconds: int, text: str) -> web.Response:
    response = _error(429, f"{text}请 {seconds} 秒后再试。")
    response.headers["Retry-After"] = str(seconds)
    return response


def _limiter(limits: Limits, now: Callable[[], float]) -> Callable[..., Any]:
    """Refuses (429, before anything is read or stored) a request over one of `limits`."""
    by_address = Window(limits.requests_per_address, now=now)
    pairing = Window(limits.pair_per_address, now=now)
    by_device = Window(limits.requests_per_device, now=now)
    uploads_device = Window(limits.uploads_per_device, now=now)
    uploads_address = Window(limits.uploads_per_address, now=now)

    @web.middleware
    async def limit(request: web.Request,
                    handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
        address = request.remote or ""
        token = request.headers.get(HEADER, "")
        device = capture_devices.token_hash(token) if token else None
        upload = request.method == "POST" and request.path == "/api/drafts"
        if wait := by_address.hit(address):
            return _too_often(wait, "本机请求过于频繁，")
        if request.path == "/api/pair" and (wait := pairing.hit(address)):
            return _too_often(wait, "配对尝试过于频繁，")
        if device is not None and (wait := by_device.hit(device)):
            return _too_often(wait, "本手机请求过于频繁，")
        if upload and ((device is not None and (wait := uploads_device.hit(device)))
                       or (wait := uploads_address.hit(address))):
            return _too_often(wait, "发送过于频繁，草稿仍保存在手机上，")
        return await handler(request)
    return limit


def make_app(db: Any, *, drafts_dir: Path | str,
             pool: concurrent.futures.Executor | None = None, limits: Limits | None = None,
             now: Callable[[], float] = time.monotonic) -> web.Application:
    """The application: the page, pairing and the three API calls. `db` is a Database.

    `limits` caps requests per device and per address (a minute's window, `now` its clock)."""
    page = page_path().read_bytes()
    app = web.Application(client_max_size=MAX_BODY,
                          middlewares=[_errors, _limiter(limits or Limits(), now)])

    async def run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        def unit() -> T:
            with db.session() as session:
                return fn(session, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(pool, unit)

    async def device(request: web.Request) -> tuple[Any, Any]:
        token = request.headers.get(HEADER, "")

        def check(session: Any) -> tuple[Any, Any]:
            found = capture_devices.authenticate(session, token)
            capture_devices.touch(session, found[0].id)
            return found
        return await run(check)

    async def index(_request: web.Request) -> web.Response:
        return web.Response(body=page, content_type="text/html", charset="utf-8")

    async def pair(request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError):
            return _error(400, "请求格式错误")
        if not isinstance(body, dict):
            return _error(400, "请求格式错误")
        token, row = await run(capture_devices.pair, str(body.get("token", "")), str(body.get("name", "")))
        return _json({"device_token": token, "device": row.name, "user": row.user_name})

    async def me(request: web.Request) -> web.Response:
        row, actor = await device(request)
        return _json({"device": row.name, "user": actor.display_name})

    async def inspections(request: web.Request) -> web.Response:
        _row, actor = await device(request)
        rows = await run(capture_inbox.inspections_today, actor)
        return _json({"date": clock.today().isoformat(), "inspections": [
            {"id": i.id, "project": i.project_name, "kind": i.kind} for i in rows]})

    async def standard(request: web.Request) -> web.Response:
        await device(request)
        words = request.query.get("q", "")[:100]

        def search(session: Any) -> list[dict[str, Any]]:
            edition = catalogues.edition_for(session, major_hazards.KIND, clock.today())
            if edition is None:
                return []
            return [{"id": i.id, "code": i.code, "category": i.category, "text": i.text}
                    for i in catalogues.search_items(session, major_hazards.KIND, words, 30,
                                                     catalogue_code=edition.code)]
        return _json({"items": await run(search)})

    async def drafts(request: web.Request) -> web.Response:
        row, actor = await device(request)
        form = await request.post()
        photos: list[capture_inbox.Photo] = []
        for field in form.getall("photos", []):
            if not isinstance(field, web.FileField):
                continue
            if len(photos) >= capture_inbox.MAX_PHOTOS:
                return _error(400, f"每条草稿最多 {capture_inbox.MAX_PHOTOS} 张照片", {"photos": f"每条草稿最多 {capture_inbox.MAX_PHOTOS} 张照片"})
            data = field.file.read(capture_inbox.MAX_PHOTO_BYTES + 1)
            photos.append(capture_inbox.Photo(field.filename or "photo", data))
        try:
            draft = capture_inbox.DraftIn(
                client_id=str(form.get("client_id", "")), inspection_id=int(str(form.get("inspection_id", ""))),
                description=str(form.get("description", "")), level=int(str(form.get("level", ""))),
                location=str(form.get("location", "")),
                catalogue_item_id=int(str(form["catalogue_item_id"])) if form.get("catalogue_item_id") else None,
                photos=tuple(photos), made_at=_made_at(form.get("made_at")))
        except ValueError:
            return _error(400, "请填写完整：检查、等级为必填项")
        kept, created = await run(capture_inbox.receive, actor, row, draft, drafts_dir=drafts_dir)
        return _json({"id": kept.id, "client_id": kept.client_id, "created": created,
                      "found_at": kept.found_at.isoformat(sep=" "), "found_source": kept.found_source,
                      "found_note": str(kept.found_note)},
                     status=201 if created else 200)

    app.router.add_get("/", index)
    app.router.add_post("/api/pair", pair)
    app.router.add_get("/api/me", me)
    app.router.add_get("/api/inspections", inspections)
    app.router.add_get("/api/standard", standard)
    app.router.add_post("/api/drafts", drafts)
    app.on_response_prepare.append(_headers)
    return app


async def _headers(_request: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(SECURITY_HEADERS)


@web.middleware
async def _errors(request: web.Request,
                  handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    try:
        return await handler(request)
    except BadToken as exc:
        return _error(401, str(exc))
    except ValidationError as exc:
        return _error(400, "；".join(str(v) for v in exc.fields.values()) or str(exc), exc.fields)
    except ServiceError as exc:
        return _error(409, str(exc))
    except DataError as exc:  # busy, disk full…: the page keeps the draft and sends it again later
        log.warning("capture request failed: %s", exc)
        return _error(503, f"办公室电脑暂时无法保存，请稍后重试（{exc}）")
    except web.HTTPRequestEntityTooLarge:
        return _error(413, f"上传内容过大：每条草稿的照片合计不超过 {MAX_BODY // 1048576} MB")
    except web.HTTPNotFound:
        return _error(404, "页面不存在")
    except web.HTTPMethodNotAllowed:
        return _error(405, "不支持的请求方式")


def _made_at(value: Any) -> dt.datetime | None:
    """The phone's time of making the draft: an ISO instant (the page sends UTC with its offset),
    as agency wall-clock time; a time without an offset is taken as agency time. Missing or
    unreadable: None, and the desk uses another time (it says which)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return clock.to_wall(when)


def drafts_dir_for(data_dir: Path) -> Path:
    """Where drafts' photos wait until the office decides (beside the database)."""
    return Path(data_dir) / "capture-drafts"


def lan_address() -> str:
    """This computer's address on the network it would reach others by (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


class CaptureServer:
    """Runs the app on a thread of its own; `start` returns the address, `stop` closes the socket."""

    def __init__(self, db: Any, *, drafts_dir: Path | str, limits: Limits | None = None) -> None:
        self.db = db
        self.drafts_dir = Path(drafts_dir)
        self.limits = limits or Limits()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self.address: str | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, host: str, port: int = 0) -> str:
        """Listen on host:port (0: a free port); the address (`http://host:port`)."""
        if self._thread is not None:
            raise RuntimeError("already running")
        self._loop = asyncio.new_event_loop()
        self._pool = concurrent.futures.ThreadPoolExecutor(4, thread_name_prefix="capture-db")
        app = make_app(self.db, drafts_dir=self.drafts_dir, pool=self._pool, limits=self.limits)
        # an upload still arriving when the panel stops gets 5 s; the phone keeps and resends it
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
        try:
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, host, port, reuse_address=False)
            self._loop.run_until_complete(site.start())
        except BaseException:
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()
            self._pool.shutdown()
            self._loop = self._runner = self._pool = None
            raise
        bound = self._runner.addresses[0]
        self.address = f"http://{host}:{bound[1]}"
        self._thread = threading.Thread(target=self._loop.run_forever, name="capture-server",
                                        daemon=True)
        self._thread.start()
        log.info("capture page listening on %s", self.address)
        return self.address

    def stop(self) -> None:
        """Close the socket and every connection, end the thread. Safe to call twice."""
        if self._thread is None or self._loop is None or self._runner is None:
            return
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(15)
        self._loop.close()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        log.info("capture page stopped (%s)", self.address)
        self._thread = self._runner = self._loop = self._pool = None
        self.address = None
