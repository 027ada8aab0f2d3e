"""Zips written as a stream, with a SHA-256 of every member (backups and review packages).

Only `zipfile`'s documented interface is used: `ZipFile.open(info, "w")` with a `ZipInfo`
whose name, time, compression and mode are set, and `writestr`. Members are listed in the
zip's directory in the order they were written: a caller wanting an order writes in it. The zip
is written to a hidden `.part` file beside its target and renamed into place only when complete
and synced.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import tempfile
import threading
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from desktop import clock
from desktop.fileutil import fsync_dir, is_disk_full
from desktop.services.context import Cancelled, ServiceError, msg

log = logging.getLogger("desktop.zipstream")

ProgressFn = Callable[[int, int, str], "bool | None"]
CHUNK = 1 << 20
COPY_CHUNK = 8 << 20  # per read while zipping: few calls, little memory
_datasync = getattr(os, "fdatasync", os.fsync)  # Windows has no fdatasync
_STORED = {".pdf", ".jpg", ".jpeg", ".png", ".heic", ".heif", ".xlsx", ".docx", ".zip", ".pgdump",
           ".sqlite3"}


class Meter:
    """Counts work done and asks `progress` at most ~20 times a second whether to go on."""

    def __init__(self, progress: ProgressFn | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0
        self._last, self._text = 0.0, ""

    def check(self, text: str, *, force: bool = True) -> None:
        if self.progress is None:
            return
        moment = time.monotonic()
        if force or text != self._text or moment - self._last >= 0.05:
            self._last, self._text = moment, text
            if self.progress(min(self.done, self.total), max(self.total, self.done), text) is False:
                raise Cancelled(msg("操作已取消，未留下不完整的文件。"))

    def advance(self, amount: int, text: str) -> None:
        self.done += amount
        self.check(text, force=self.done >= self.total)


@dataclass(frozen=True)
class ZipEntry:
    path: str
    sha256: str
    size: int


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_failure(target: Path, exc: OSError) -> ServiceError:
    """A failed write said in words: where, and why (full disk, no permission, …)."""
    if is_disk_full(exc):
        return ServiceError(msg("磁盘空间不足：无法写入 {target}。未留下不完整的文件，数据未受影响。",
                                target=target))
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why: str = msg("目标位置没有写入权限或为只读")
    else:
        why = exc.strerror or str(exc)
    return ServiceError(msg("无法写入 {target}：{why}。未留下不完整的文件，数据未受影响。",
                            target=target, why=why))


class StreamingZip:
    """A zip written to a hidden temporary name beside `target`, renamed only when complete.

    Photos, PDFs, Office files and databases are stored as they are (already compressed, or
    not worth a deflate pass); the rest is deflated. Any exception (Cancelled included)
    removes the temporary file, even when closing it fails too (a full disk).
    """

    def __init__(self, target: Path, meter: Meter) -> None:
        self.target, self.meter = Path(target), meter
        self._behind: threading.Thread | None = None
        self._behind_error: OSError | None = None

    def __enter__(self) -> Self:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".part",
                                    dir=self.target.parent)
        self._tmp = Path(name)
        try:
            self._fh = os.fdopen(fd, "w+b")
            self._zip = zipfile.ZipFile(self._fh, "w", compression=zipfile.ZIP_DEFLATED,
                                        compresslevel=1, allowZip64=True)
        except BaseException:
            self._tmp.unlink(missing_ok=True)
            raise
        return self

    @staticmethod
    def _info(name: str, compress: bool | None) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=clock.wall_now().timetuple()[:6])
        stored = Path(name).suffix.lower() in _STORED if compress is None else not compress
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def add_file(self, name: str, source: Path, *, expected_sha: str | None = None,
                 compress: bool | None = None) -> ZipEntry:
        """`source` as member `name`, read once: hashed (SHA-256) and written block by block
        (zipfile adds the CRC-32). `expected_sha`: the content-addressed name it must match."""
        info = self._info(name, compress)
        digest, size = hashlib.sha256(), 0
        buf = bytearray(COPY_CHUNK)
        view = memoryview(buf)
        with open(source, "rb") as src:
            big = os.fstat(src.fileno()).st_size > zipfile.ZIP64_LIMIT // 2
            with self._zip.open(info, "w", force_zip64=big) as dst:
                while n := src.readinto(buf):
                    part = view[:n]
                    digest.update(part)
                    dst.write(part)
                    size += n
                    self.meter.advance(n, name)
        if expected_sha is not None and digest.hexdigest() != expected_sha:
            raise ServiceError(msg("附件库中的文件已损坏（内容与校验值不符）：{name}，"
                                   "请运行“riskdesk check”检查附件库。", name=name))
        return ZipEntry(name, digest.hexdigest(), size)

    def add_bytes(self, name: str, data: bytes, *, compress: bool | None = None) -> ZipEntry:
        self._zip.writestr(self._info(name, compress), data, compresslevel=1)
        return ZipEntry(name, hashlib.sha256(data).hexdigest(), len(data))

    def write_behind(self) -> None:
        """Start the disk writing the zip so far on a second thread (the kernel's work, no GIL)
        while more is added: the fsync before the rename then has less left to wait for.
        An error it meets is raised when the zip is closed."""
        self._settle()
        self._fh.flush()
        fd = self._fh.fileno()

        def sync() -> None:
            try:
                _datasync(fd)
            except OSError as exc:  # kept: Linux reports a failed write-back only once
                self._behind_error = exc

        self._behind = threading.Thread(target=sync, name="zip-write-behind", daemon=True)
        self._behind.start()

    def _settle(self) -> None:
        if self._behind is not None:
            self._behind.join()
            self._behind = None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            try:
                self._zip.close()
                self._fh.flush()
                self._settle()
                if self._behind_error is not None:
                    raise self._behind_error
                os.fsync(self._fh.fileno())
                self._fh.close()
                os.replace(self._tmp, self.target)
                fsync_dir(self.target.parent)
                return
            except OSError as failure:
                self._discard()
                raise write_failure(self.target, failure) from failure
            except BaseException:
                self._discard()
                raise
        self._discard()
        if isinstance(exc, OSError):  # e.g. the disk filled up while a file was added
            raise write_failure(self.target, exc) from exc

    def _discard(self) -> None:
        """Drop the half-written zip; closing may fail again (a full disk): it goes anyway."""
        try:
            self._settle()  # before the descriptor it syncs is closed
            try:
                self._zip.close()
            except Exception as exc:  # noqa: BLE001 - the half-written file is deleted anyway
                log.debug("discarding %s: %s", self._tmp, exc)
            with contextlib.suppress(OSError):
                self._fh.close()
        finally:
            self._tmp.unlink(missing_ok=True)


def _hash_member(zf: zipfile.ZipFile, name: str, meter: Meter) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with zf.open(name) as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            meter.advance(len(chunk), name)
    return digest.hexdigest(), size


def _unsafe_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or ":" in name


def member_problems(zf: zipfile.ZipFile, listed: Any, *, ignore: set[str],
                    meter: Meter) -> tuple[list[str], list[str], list[str], list[str]]:
    """(missing, extra, changed, other problems) of a zip against the files its manifest lists."""
    problems: list[str] = []
    counts = Counter(i.filename for i in zf.infolist() if not i.is_dir())
    problems += [msg("文件名重复出现（可能被篡改）：{name}", name=n)
                 for n, c in counts.items() if c > 1]
    problems += [msg("不安全的文件名：{name}", name=n) for n in counts if _unsafe_name(n)]
    wanted: dict[str, dict[str, Any]] = {}
    for item in listed if isinstance(listed, list) else []:
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            wanted[item["path"]] = item
        else:
            problems.append(msg("清单条目格式无效：{item}", item=f"{item!r:.80}"))
    missing = [p for p in wanted if p not in counts]
    extra = sorted(n for n in counts if n not in wanted and n not in ignore)
    changed = []
    for path, item in wanted.items():
        if path not in counts:
            continue
        try:
            digest, size = _hash_member(zf, path, meter)
        except (zipfile.BadZipFile, OSError, zlib.error, EOFError, NotImplementedError):
            changed.append(path)
            continue
        if digest != item.get("sha256") or size != item.get("size"):
            changed.append(path)
    return missing, extra, changed, problems
