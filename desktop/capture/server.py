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
import os
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.multipart import BadContentDispositionHeader, BadContentDispositionParam

from desktop import clock, paths
from desktop.capture.limits import Limits, Window
from desktop.db import DataError
from desktop.services import capture_devices, capture_inbox, catalogues, major_hazards
from desktop.services.capture_devices import BadToken
from desktop.services.context import ServiceError, ValidationError

log = logging.getLogger(__name__)
T = TypeVar("T")
HEADER = "X-Device-Token"
MAX_BODY = capture_inbox.MAX_PHOTOS * capture_inbox.MAX_PHOTO_BYTES + 1024 * 1024  # a draft's upload
SMALL_BODY = 4096  # every other request (pairing: a token and a name of at most 60 characters)
MAX_ROW_ID = 2**63 - 1  # SQLite's largest integer
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


def _bad_request() -> web.Response:
    return _error(400, "请求格式错误")


def _too_large() -> web.Response:
    return _error(413, f"请求内容过大（不超过 {SMALL_BODY} 字节）")


async def _small_body(request: web.Request) -> bytes | None:
    """The request's body when it is at most SMALL_BODY bytes, else None — never more than
    SMALL_BODY + 1 bytes are read (what is left is discarded by aiohttp, not kept)."""
    if request.content_length is not None and request.content_length > SMALL_BODY:
        return None
    body = bytearray()
    while len(body) <= SMALL_BODY:
        chunk = await request.content.read(SMALL_BODY + 1 - len(body))
        if not chunk:
            return bytes(body)
        body += chunk
    return None


def _json_body(body: bytes) -> Any:
    """`body` parsed as JSON; ValueError when it is not (bad bytes, bad syntax, nested too deep)."""
    try:
        return json.loads(body)
    except RecursionError:
        raise ValueError("JSON nested too deep") from None


def _row_id(value: Any) -> int:
    """A row number sent by the phone (ValueError when it is no integer). One outside SQLite's
    range becomes 0, a number no row has: the service answers as for any unknown row, and the
    number never reaches SQL (where it would overflow)."""
    number = int(str(value))
    return number if 1 <= number <= MAX_ROW_ID else 0


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
    # small bodies only (a pairing's JSON); the draft upload alone allows MAX_BODY, below
    app = web.Application(client_max_size=SMALL_BODY,
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
        # unpaired callers: at most SMALL_BODY bytes are read and parsed, nothing more
        raw = await _small_body(request)
        if raw is None:
            return _too_large()
        try:
            body = _json_body(raw)
        except ValueError:
            return _bad_request()
        if not isinstance(body, dict):
            return _bad_request()
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
        try:
            form = await request.clone(client_max_size=MAX_BODY).post()
        except (ValueError, RuntimeError, TypeError, HttpProcessingError,
                BadContentDispositionHeader, BadContentDispositionParam):
            # a malformed multipart body (bad part headers, a file name with a line break…);
            # aiohttp warns of a bad Content-Disposition, then fails — or fails there if the
            # warning is made an error
            return _error(400, "草稿格式错误，办公室电脑无法读取：请删除这条草稿后重新填写")
        photos: list[capture_inbox.Photo] = []
        try:
            for field in form.getall("photos", []):
                if not isinstance(field, web.FileField):
                    continue
                if len(photos) >= capture_inbox.MAX_PHOTOS:
                    return _error(400, f"每条草稿最多 {capture_inbox.MAX_PHOTOS} 张照片", {"photos": f"每条草稿最多 {capture_inbox.MAX_PHOTOS} 张照片"})
                data = field.file.read(capture_inbox.MAX_PHOTO_BYTES + 1)
                photos.append(capture_inbox.Photo(field.filename or "photo", data))
        finally:  # the parts' temporary files (aiohttp closes only its own request's)
            for value in form.values():
                if isinstance(value, web.FileField):
                    value.file.close()
        try:
            draft = capture_inbox.DraftIn(
                client_id=str(form.get("client_id", "")), inspection_id=_row_id(form.get("inspection_id", "")),
                description=str(form.get("description", "")), level=int(str(form.get("level", ""))),
                location=str(form.get("location", "")),
                catalogue_item_id=_row_id(form["catalogue_item_id"]) if form.get("catalogue_item_id") else None,
                photos=tuple(photos), made_at=_made_at(form.get("made_at")))
        except ValueError:
            return _error(400, "请填写完整：检查、等级为必填项")
        # given the Database, receive checks and decodes the photos before its write unit begins
        kept, created = await asyncio.get_running_loop().run_in_executor(
            pool, lambda: capture_inbox.receive(db, actor, row, draft, drafts_dir=drafts_dir))
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
        if request.path != "/api/drafts":
            return _too_large()
        return _error(413, f"上传内容过大：每条草稿的照片合计不超过 {MAX_BODY // 1048576} MB")
    except web.HTTPNotFound:
        return _error(404, "页面不存在")
    except web.HTTPMethodNotAllowed:
        return _error(405, "不支持的请求方式")
    except web.HTTPClientError as exc:  # any other refusal by aiohttp: in Chinese too
        return _error(exc.status, "请求格式错误")


def _made_at(value: Any) -> dt.datetime | None:
    """The phone's time of making the draft: an ISO instant (the page sends UTC with its offset),
    as agency wall-clock time; a time without an offset is taken as agency time. Missing or
    unreadable: None, and the desk uses another time (it says which)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return clock.to_wall(dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
    except (ValueError, OverflowError):  # 0001-01-01T00:00+14:00 is before the first wall time
        return None


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
            # SO_REUSEADDR on POSIX: a restart binds the same port again although the closed
            # connections of the last run still sit in TIME_WAIT (the phones' pages, their
            # tokens and their offline queues belong to http://host:port). It lets no second
            # listener share the port there. Not on Windows, where it would let another
            # program bind the port we listen on, and TIME_WAIT does not block a new listener
            # anyway (asyncio's own default, made explicit).
            site = web.TCPSite(self._runner, host, port, reuse_address=os.name == "posix")
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
