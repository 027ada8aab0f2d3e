"""Backups: one zip with a consistent database snapshot, the attachment store, a hash manifest."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import logging
import mmap
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import tempfile
import threading
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from sqlalchemy.engine import make_url

from desktop import __version__
from desktop.config import Config
from desktop.db import BUSY_TIMEOUT_MS, Database, DataError
from desktop.fastcrc import crc32
from desktop.logsetup import FILE_ONLY
from desktop.messages import Lines
from desktop.paths import migrations_dir
from desktop.services import audit, checkpoints, permissions, signing
from desktop.services.context import Actor, Cancelled, Message, ServiceError, msg
from desktop.services.context import now as _now

log = logging.getLogger("desktop.backup")

ProgressFn = Callable[[int, int, str], "bool | None"]
CHUNK = 1 << 20
_datasync = getattr(os, "fdatasync", os.fsync)  # Windows has no fdatasync
COPY_CHUNK = 8 << 20  # per read while zipping: few calls, little memory
FORMAT = "riskdesk-backup"
MANIFEST = "manifest.json"
DB_SQLITE, DB_PG = "database/riskdesk.sqlite3", "database/riskdesk.pgdump"
DB_SQLITE_WAL = f"{DB_SQLITE}-wal"  # format 2: the WAL copied beside the database file
KEY_ENTRY = f"keys/{signing.KEY_FILE}"
CHECKPOINTS_ENTRY = f"audit/{checkpoints.FILE}"  # the signed audit checkpoints, as they were
STORE_PREFIX = "attachments/"
AUTO_RE = re.compile(r"^riskdesk-auto-(\d{8}-\d{6})\.zip$")
_BLOB_RE = re.compile(r"^([0-9a-f]{2})/([0-9a-f]{2})/(\1\2[0-9a-f]{60})$")
_STORED = {".pdf", ".jpg", ".jpeg", ".png", ".heic", ".heif", ".xlsx", ".docx", ".zip", ".pgdump"}


# -- streaming zips with a hash of every member (shared with services.packages) ------------


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


def human_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return ""


def _write_failure(target: Path, exc: OSError) -> ServiceError:
    """A failed write said in words: where, and why (full disk, no permission, …)."""
    if exc.errno == errno.ENOSPC:
        why = msg("磁盘空间已满")
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = msg("目标位置没有写入权限或为只读")
    else:
        why = exc.strerror or str(exc)
    return ServiceError(msg("无法写入 {target}：{why}。未留下不完整的文件，数据未受影响。",
                            target=target, why=why))


class SourceUnreadable(Exception):
    """A file being copied into a zip could not be read (not: the zip could not be written)."""

    def __init__(self, name: str, error: OSError) -> None:
        super().__init__(f"{name}: {error}")
        self.name, self.error = name, error


KERNEL_CHUNK = 64 << 20  # per copy_file_range call: the copy stays cancellable
HASH_WINDOW = 64 << 20  # bytes of the zip mapped at a time to hash what was copied
HASH_CHUNK = 1 << 20  # SHA-256 then CRC-32 over the same MB while it is in the CPU's cache
_copy_file_range = getattr(os, "copy_file_range", None)  # Linux
_NO_ROOM = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _read_at(fd: int, view: memoryview, offset: int) -> int:
    """Read into `view` from `offset` of `fd` without using or moving its position (POSIX);
    on Windows (no pread) the descriptor is the caller's own and is positioned."""
    if hasattr(os, "preadv"):
        return os.preadv(fd, [view], offset)
    os.lseek(fd, offset, os.SEEK_SET)
    data = os.read(fd, len(view))
    view[:len(data)] = data
    return len(data)


def _hash_range(fd: int, start: int, size: int, meter: Meter, name: str) -> tuple[str, int]:
    """(SHA-256 hex, CRC-32) of `size` bytes at `start` of `fd`, read through a memory map:
    the page cache's own pages, no copy into Python."""
    digest, crc, pos, end = hashlib.sha256(), 0, start, start + size
    while pos < end:
        base = pos - pos % mmap.ALLOCATIONGRANULARITY
        length = min(end, base + HASH_WINDOW) - base
        with mmap.mmap(fd, length, access=mmap.ACCESS_READ, offset=base) as mapped:
            view = memoryview(mapped)
            try:
                for at in range(pos - base, length, HASH_CHUNK):
                    part = view[at:min(at + HASH_CHUNK, length)]
                    digest.update(part)
                    crc = crc32(part, crc)
                    n = len(part)
                    part.release()
                    meter.advance(n, name)
            finally:
                view.release()
        pos = base + length
    return digest.hexdigest(), crc


_DATA_DESCRIPTOR = 0x08  # general purpose flag: CRC and sizes follow the data, not in the header
_LOCAL_CRC_AT = 14  # offset of the CRC-32 in a local file header


class _LateHash(threading.Thread):
    """SHA-256 and CRC-32 of a member already in the zip, read back on a second thread.

    Why: the database is most of a backup, and hashing it (SHA-256 at ~1.2 GB/s) after its
    kernel copy left the second core idle while the attachments waited; SHA-256 and CRC-32
    release the GIL, so the attachments' copy now overlaps it. The member is closed with CRC 0;
    `entry()` waits and writes the real one in. The thread reads the zip's descriptor and never
    writes; `stop()` ends it (within a MB) before the zip is discarded and that descriptor
    closed. It reports no progress itself (the copy counted the member): `entry()` asks the
    meter while it waits, so a cancel still works.
    """

    def __init__(self, z: StreamingZip, info: zipfile.ZipInfo, start: int) -> None:
        super().__init__(name="zip-late-hash", daemon=True)
        self.z, self.info, self.start_at = z, info, start
        self.fd = z._fh.fileno()
        self._stopping = threading.Event()
        self._result: tuple[str, int] | None = None
        self._error: BaseException | None = None
        self._entry: ZipEntry | None = None

    def run(self) -> None:
        try:
            self._result = _hash_range(self.fd, self.start_at, self.info.file_size, self,
                                       self.info.filename)
        except BaseException as exc:  # noqa: BLE001 - raised in the caller by entry()
            self._error = exc

    def advance(self, amount: int, text: str) -> None:
        """The meter `_hash_range` sees: stops the thread when told to, counts nothing."""
        if self._stopping.is_set():
            raise Cancelled(msg("操作已取消，未留下不完整的文件。"))

    def entry(self) -> ZipEntry:
        """Wait for the hashes (asking the meter meanwhile whether to go on), raise what the
        thread met (OSError reading the zip back), write the CRC in; the member's ZipEntry."""
        if self._entry is None:
            while self.is_alive():
                self.join(0.05)
                self.z.meter.check(self.info.filename, force=False)
            if self._error is not None:
                raise self._error
            assert self._result is not None
            digest, crc = self._result
            self.z._write_crc(self.info, crc)
            self._entry = ZipEntry(self.info.filename, digest, self.info.file_size)
        return self._entry

    def stop(self) -> None:
        self._stopping.set()
        if self.ident is not None:
            self.join()


class StreamingZip:
    """A zip written to a hidden temporary name beside `target`, renamed only when complete.

    Photos, PDFs and Office files are stored as they are (already compressed); the rest is
    deflated. Any exception (Cancelled included) removes the temporary file.
    """

    def __init__(self, target: Path, meter: Meter) -> None:
        self.target, self.meter = Path(target), meter
        self._behind: threading.Thread | None = None
        self._behind_error: OSError | None = None
        self._late: list[_LateHash] = []

    def __enter__(self) -> Self:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".part",
                                    dir=self.target.parent)
        self._tmp = Path(name)
        self._fh = os.fdopen(fd, "w+b")
        self._zip = zipfile.ZipFile(self._fh, "w", allowZip64=True)
        return self

    def _info(self, name: str, compress: bool | None) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=_now().timetuple()[:6])
        stored = Path(name).suffix.lower() in _STORED if compress is None else not compress
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        # level 1: 3.4× faster than the default 6 on a demo database, for 18% more bytes
        info._compresslevel = 1  # type: ignore[attr-defined]
        info.external_attr = 0o644 << 16
        return info

    def add_file(self, name: str, source: Path, *, expected_sha: str | None = None,
                 compress: bool | None = None) -> ZipEntry:
        """`source` as member `name`: a stored member through `add_fd` (copied by the kernel
        where it can be, then hashed); a deflated one in one pass that reads, hashes (SHA-256),
        checksums (CRC-32) and writes together, in large reads."""
        info = self._info(name, compress)
        if info.compress_type == zipfile.ZIP_STORED:
            with open(source, "rb") as src:
                try:
                    return self.add_fd(name, src.fileno(), os.fstat(src.fileno()).st_size,
                                       expected_sha=expected_sha)
                except SourceUnreadable as exc:
                    raise exc.error from exc
        digest, size = hashlib.sha256(), 0
        with open(source, "rb") as src:
            big = os.fstat(src.fileno()).st_size > zipfile.ZIP64_LIMIT // 2
            with self._zip.open(info, "w", force_zip64=big) as dst:
                while chunk := src.read(COPY_CHUNK):
                    digest.update(chunk)
                    dst.write(chunk)
                    size += len(chunk)
                    self.meter.advance(len(chunk), name)
        if expected_sha is not None and digest.hexdigest() != expected_sha:
            raise ServiceError(msg("附件库中的文件已损坏（内容与校验值不符）：{name}，"
                                   "请运行“riskdesk check”检查附件库。", name=name))
        return ZipEntry(name, digest.hexdigest(), size)

    def add_bytes(self, name: str, data: bytes, *, compress: bool | None = None) -> ZipEntry:
        self._zip.writestr(self._info(name, compress), data)
        return ZipEntry(name, hashlib.sha256(data).hexdigest(), len(data))

    def add_fd(self, name: str, fd: int, size: int, *, expected_sha: str | None = None,
               copied: Callable[[], None] | None = None) -> ZipEntry:
        """Store the first `size` bytes of the open file `fd` as member `name`, uncompressed.

        The source is read at explicit offsets (its descriptor's position is neither used nor
        moved). Where the kernel can copy between files (Linux: copy_file_range) the bytes go
        from file to file without passing through Python, and SHA-256 and CRC-32 are then
        computed over the member as written, so they describe the zip's bytes even if the
        source changes meanwhile; elsewhere one pass reads, hashes and writes each block. A
        source that cannot be read, or ends before `size`, raises SourceUnreadable; a failure
        to write the zip raises OSError (said in words when the zip is closed). `copied` is
        called as soon as the source has been read in full (before the read-back for hashing),
        e.g. to let go of a lock that held the source still.
        """
        entry = self._add_fd(name, fd, size, copied, later=False)()
        if expected_sha is not None and entry.sha256 != expected_sha:
            raise ServiceError(msg("附件库中的文件已损坏（内容与校验值不符）：{name}，"
                                   "请运行“riskdesk check”检查附件库。", name=name))
        return entry

    def add_fd_hashed_later(self, name: str, fd: int, size: int, *,
                            copied: Callable[[], None] | None = None) -> Callable[[], ZipEntry]:
        """`add_fd` whose read-back for hashing does not hold up the members after it.

        Where the kernel copied the member, its SHA-256 and CRC-32 are computed on a second
        thread (`_LateHash`) while the caller adds more members; calling the function returned
        waits for them, writes the CRC into the member's header and gives its ZipEntry. Call it
        before the manifest is made (the zip's close does it for one never called). Where the
        copy went through memory the member is hashed already and the function just returns.
        """
        return self._add_fd(name, fd, size, copied, later=True)

    def _add_fd(self, name: str, fd: int, size: int, copied: Callable[[], None] | None, *,
                later: bool) -> Callable[[], ZipEntry]:
        info = self._info(name, False)
        with self._zip.open(info, "w", force_zip64=size > zipfile.ZIP64_LIMIT // 2) as dst:
            start = self._copy_in_kernel(fd, size, dst, name, copied)
            if start is None:
                digest = self._copy_through(fd, size, dst, name)
                if copied is not None:
                    copied()
            elif later and not info.flag_bits & _DATA_DESCRIPTOR:
                dst._file_size, dst._crc = size, 0  # the real CRC: _LateHash.entry writes it in
                self.meter.advance(size, name)  # the copy counts; the thread only hashes
            else:
                later = False
                digest, crc = _hash_range(self._fh.fileno(), start, size, self.meter, name)
                dst._file_size, dst._crc = size, crc  # what its own write() would have counted
        if start is not None and later:
            late = _LateHash(self, info, start)
            self._late.append(late)
            late.start()
            return late.entry
        entry = ZipEntry(name, digest, size)
        return lambda: entry

    def _copy_in_kernel(self, fd: int, size: int, dst: Any, name: str,
                        copied: Callable[[], None] | None) -> int | None:
        """copy_file_range into the member: where in the zip it starts (the caller hashes it
        there), or None if the kernel declined and nothing counts yet."""
        if _copy_file_range is None or not (hasattr(dst, "_crc") and hasattr(dst, "_file_size")):
            return None  # no such call here, or a zipfile whose writer counts differently
        self._fh.flush()
        out, start = self._fh.fileno(), self._fh.tell()
        done = 0
        while done < size:
            try:
                n = _copy_file_range(fd, out, min(size - done, KERNEL_CHUNK), done, start + done)
            except OSError as exc:
                if exc.errno in _NO_ROOM:
                    raise  # the zip cannot grow: said as such, not retried
                # e.g. EXDEV, EINVAL on some file systems, or a read error: the plain path
                # copies again from the start and tells a source it cannot read from the zip
                log.debug("copy_file_range for %s: %s; copying through memory", name, exc)
                return None
            if n == 0:  # the source is shorter than expected: let the plain path say so
                return None
            done += n
            self.meter.check(name, force=False)
        if copied is not None:
            copied()
        self._fh.seek(start + size)
        return start

    def _write_crc(self, info: zipfile.ZipInfo, crc: int) -> None:
        """A CRC known only after the member was closed: into its directory entry (written when
        the zip closes) and, in place, into its local header (same offset with ZIP64)."""
        info.CRC = crc
        self._fh.flush()
        os.pwrite(self._fh.fileno(), struct.pack("<I", crc), info.header_offset + _LOCAL_CRC_AT)

    def _copy_through(self, fd: int, size: int, dst: Any, name: str) -> str:
        """Read, hash, write block by block (zipfile adds the CRC-32 as it writes). Whatever a
        declined kernel copy left is overwritten: the zip's position is still the member's start."""
        digest, done = hashlib.sha256(), 0
        buf = bytearray(min(COPY_CHUNK, max(size, 1)))
        view = memoryview(buf)
        while done < size:
            try:
                n = _read_at(fd, view[:min(len(buf), size - done)], done)
            except OSError as exc:
                raise SourceUnreadable(name, exc) from exc
            if n == 0:
                raise SourceUnreadable(name, OSError(errno.EIO, f"{name}: file ended at {done} "
                                                                f"of {size} bytes"))
            part = view[:n]
            digest.update(part)
            dst.write(part)
            done += n
            self.meter.advance(n, name)
        return digest.hexdigest()

    def write_behind(self) -> None:
        """Start the disk writing the zip so far on a second thread (the kernel's work, no GIL)
        while more is added: the fsync before the rename then has less left to wait for.
        An error it meets is raised when the zip is closed."""
        if self._behind is not None:
            self._behind.join()
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

    def list_first(self, names: list[str]) -> None:
        """List these members first in the zip's directory, whatever order they were written in
        (the directory, not the file order, is what unzip tools show)."""
        rank = {n: i for i, n in enumerate(names)}
        self._zip.filelist.sort(key=lambda info: rank.get(info.filename, len(rank)))

    def __exit__(self, exc_type, exc, tb) -> None:  # type: ignore[no-untyped-def]
        try:
            if exc_type is None:
                for late in self._late:
                    late.entry()  # its CRC in before the directory is written
                self._zip.close()
                self._fh.flush()
                self._settle()
                if self._behind_error is not None:
                    raise self._behind_error
                os.fsync(self._fh.fileno())
                self._fh.close()
                os.replace(self._tmp, self.target)
                return
        except OSError as failure:
            self._discard()
            raise _write_failure(self.target, failure) from failure
        except BaseException:
            self._discard()
            raise
        self._discard()
        if isinstance(exc, OSError):  # e.g. the disk filled up while a file was added
            raise _write_failure(self.target, exc) from exc

    def _discard(self) -> None:
        for late in self._late:
            late.stop()  # before the descriptor it reads is closed
        self._settle()  # before the descriptor it syncs is closed
        try:
            self._zip.close()
        except Exception as exc:  # noqa: BLE001 - the half-written file is deleted anyway
            log.debug("discarding %s: %s", self._tmp, exc)
        self._fh.close()
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
    wanted: dict[str, dict] = {}
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


# -- making a backup -----------------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    path: Path
    files: int
    size: int
    seconds: float
    warnings: tuple[str, ...] = ()


def _sqlite_snapshot(source: Path, target: Path) -> None:
    """One-step online backup: consistent while other connections write (measured).

    The copy is a scratch file that goes into the zip (which is synced), so it is written
    without a journal and without syncing its own pages. `_SnapshotCheck` verifies it.
    """
    try:
        src = sqlite3.connect(source, timeout=10)
        dst = sqlite3.connect(target)
        try:
            dst.execute("PRAGMA journal_mode = OFF")
            dst.execute("PRAGMA synchronous = OFF")
            src.backup(dst)  # pages=-1: all at once; a stepped copy never finishes under writes
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        raise DataError(msg("数据库快照失败：{reason}", reason=str(exc))) from exc


class _SnapshotCheck(threading.Thread):
    """`PRAGMA quick_check` of the snapshot on a second thread while the zip is written.

    The snapshot is a file (the online-backup copy), or a connection already inside a read
    transaction (the state the raw copy holds still); the thread then owns that connection
    and closes it. SQLite releases the GIL while it checks, so the check and the copy share
    the two cores; the backup is declared good (renamed into place) only after `result()`
    says so.
    """

    def __init__(self, snapshot: Path | sqlite3.Connection) -> None:
        super().__init__(name="backup-quick-check", daemon=True)
        given = snapshot if isinstance(snapshot, sqlite3.Connection) else None
        self.snapshot = None if given else snapshot
        self._verdict: str | None = None
        self._error: sqlite3.Error | None = None
        self._con: sqlite3.Connection | None = given
        self._lock = threading.Lock()
        self._stopped = False

    def run(self) -> None:
        try:
            with self._lock:
                if not self._stopped and self._con is None:
                    self._con = sqlite3.connect(self.snapshot, check_same_thread=False)
                con = None if self._stopped else self._con
            if con is not None:
                self._verdict = con.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.Error as exc:
            self._error = exc
        finally:
            self._close()

    def _close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()  # a read transaction still open simply ends
                self._con = None

    def result(self) -> None:
        """Wait for the check; DataError unless the snapshot is sound."""
        self.join()
        if self._error is not None:
            raise DataError(msg("数据库快照检查失败：{reason}", reason=str(self._error))) \
                from self._error
        if self._verdict != "ok":
            raise DataError(msg("数据库快照未通过检查：{verdict}。请先运行“riskdesk check”。",
                                 verdict=self._verdict))

    def stop(self) -> None:
        """Abandon the check (the backup failed or was cancelled) and wait for the thread; a
        connection handed in is closed even if the thread never started."""
        with self._lock:
            self._stopped = True
            if self._con is not None:
                self._con.interrupt()
        if self.ident is not None:
            self.join()
        self._close()


def _pg_command(db_url: str, tool: str) -> tuple[list[str], dict[str, str]]:
    exe = shutil.which(tool)
    if exe is None:
        raise DataError(msg("未找到 PostgreSQL 工具 {tool}。请安装与数据库服务器版本一致的 PostgreSQL "
                            "客户端工具，并确保它在系统 PATH 中。", tool=tool))
    url = make_url(db_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)  # kept out of the command line (visible in ps)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return [exe, f"--dbname={conninfo}"], env


def _run(cmd: list[str], env: dict[str, str], what: Message) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise DataError(msg("{what}失败：{reason}", what=what,
                            reason=detail[-1] if detail else result.returncode),
                        detail=result.stderr)


def _store_files(store: Path) -> list[tuple[str, Path]]:
    """(relative path, path) of every stored blob; thumbnails and unfinished writes left out."""
    found = []
    if store.is_dir():
        for path in sorted(store.glob("??/??/*")):
            rel = path.relative_to(store).as_posix()
            if path.is_file() and _BLOB_RE.match(rel):
                found.append((rel, path))
    return found


def _revision_of(sqlite_file: Path) -> str | None:
    con = sqlite3.connect(sqlite_file)
    try:
        return _revision_in(con)
    finally:
        con.close()


def _revision_in(con: sqlite3.Connection) -> str | None:
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


class _RawUnavailable(Exception):
    """The live database file cannot be copied as it is; SQLite's online backup is used instead."""


_KEPT: dict[str, int] = {}  # database file → a read-only descriptor kept open (POSIX, see below)
_KEPT_LOCK = threading.Lock()


def _database_fd(path: Path) -> tuple[int, bool]:
    """(a read-only descriptor on the live database file, whether the caller closes it).

    POSIX record locks belong to the process, not to the descriptor: closing *any* descriptor
    of the database file drops every lock this process's SQLite connections hold on it, and a
    desk in another process closing its last connection may then delete the WAL under them —
    commits lost (sqlite.org/howtocorrupt.html §2.2; tests/services/test_backup.py shows it).
    So on POSIX one descriptor per database file is opened once and kept for the life of the
    process (re-opened only if the file was replaced, e.g. by a restore). Windows locks belong
    to the handle; there it is the caller's and is closed after the copy.
    """
    try:
        if os.name == "nt":
            return os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0)), True
        key = os.path.realpath(path)
        with _KEPT_LOCK:
            fd = _KEPT.get(key)
            if fd is not None and not os.path.samestat(os.fstat(fd), os.stat(key)):
                os.close(fd)  # a file since replaced: no connection of ours uses it any more
                fd = None
            if fd is None:
                fd = _KEPT[key] = os.open(key, os.O_RDONLY)
            return fd, False
    except OSError as exc:
        raise _RawUnavailable(f"opening {path}: {exc}") from exc


def _hold_still(path: Path) -> tuple[sqlite3.Connection, sqlite3.Connection]:
    """(holder, reader): `holder` inside BEGIN IMMEDIATE — SQLite's write lock, so no other
    connection can commit, append to the WAL or restart it until `holder` is closed — and
    `reader` inside a read transaction begun under that lock: exactly the state held still."""
    holder = reader = None
    try:
        holder = sqlite3.connect(path, timeout=0.1, isolation_level=None)
        mode = str(holder.execute("PRAGMA journal_mode").fetchone()[0]).lower()
        if mode != "wal":
            raise _RawUnavailable(f"journal_mode={mode}")
        # Best effort: fold the WAL into the file first so that there is usually none to copy.
        # A reader or writer in the way is reported in the row (not raised): more WAL to copy.
        holder.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        holder.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")  # a desk's write may finish
        holder.execute("BEGIN IMMEDIATE")
        reader = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                 check_same_thread=False)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts
        return holder, reader
    except BaseException as exc:
        for con in (reader, holder):
            if con is not None:
                con.close()
        if isinstance(exc, sqlite3.Error):
            raise _RawUnavailable(str(exc)) from exc
        raise


def _copy_database(path: Path, z: StreamingZip) -> tuple[list[ZipEntry], Callable[[], ZipEntry],
                                                         str | None, _SnapshotCheck]:
    """The live database file, and its WAL if not empty, copied into the zip as they are.

    Consistent because both are copied under SQLite's write lock (`_hold_still`): while it is
    held nobody can commit, append to the WAL or restart it. Another process may still run a
    checkpoint that writes pages from the WAL back into the database file during the copy, but
    every page it writes is in the WAL copied too, and opening the pair replays the WAL over
    the file: whichever version of such a page the copy caught, database + WAL is the state
    the lock held. `quick_check` runs on `reader`, whose snapshot is that same state. The lock
    is let go as soon as the bytes are in the zip; the database file's member is hashed on a
    second thread (`database()`, the second item returned, gives its entry) and attachments
    follow while it and the check finish. _RawUnavailable if the files cannot be read as they
    are (not in WAL mode, Windows refusing a locked range, the file shrinking under a
    checkpoint): then the caller takes the online backup instead.
    """
    holder, reader = _hold_still(path)
    check: _SnapshotCheck | None = None
    try:
        revision = _revision_in(reader)
        check = _SnapshotCheck(reader)
        check.start()
        entries = []
        # The WAL first (usually empty, or a few MB): then the lock can be let go the moment
        # the database file's bytes are in the zip, before they are read back for hashing.
        try:  # SQLite locks nothing in the WAL file: this descriptor may be closed
            wal = os.open(f"{path}-wal", os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except FileNotFoundError:
            wal = None
        except OSError as exc:
            raise _RawUnavailable(f"opening {path}-wal: {exc}") from exc
        if wal is not None:
            try:
                if size := os.fstat(wal).st_size:
                    entries.append(z.add_fd(DB_SQLITE_WAL, wal, size))
            finally:
                os.close(wal)

        def let_go() -> None:
            """The bytes are in the zip: other desks may write again, and the disk may start
            writing the zip while its copy of the database is hashed."""
            holder.close()
            z.write_behind()

        fd, close = _database_fd(path)
        try:
            database = z.add_fd_hashed_later(DB_SQLITE, fd, os.fstat(fd).st_size, copied=let_go)
        finally:
            if close:
                os.close(fd)
    except BaseException as exc:
        if check is not None:
            check.stop()
        else:
            reader.close()
        if isinstance(exc, SourceUnreadable):
            raise _RawUnavailable(str(exc)) from exc
        raise
    finally:
        holder.close()  # ends BEGIN IMMEDIATE (if the copy has not already): desks write again
    return entries, database, revision, check


def backup(db: Database, config: Config, out_path: Path | str, progress: ProgressFn | None = None,
           *, actor: Actor | None = None) -> BackupResult:
    """Write one zip: the database snapshot, the agency key, every stored attachment, a manifest.

    SQLite in WAL mode: the database file and its WAL are copied into the zip as they are,
    under SQLite's write lock (`_copy_database`: other desks wait only while the database is
    copied), and `quick_check` of that state runs on a second thread meanwhile. Otherwise —
    not WAL, the file unreadable as it is — SQLite's online backup makes a snapshot file
    first (`_sqlite_snapshot`), checked the same way; PostgreSQL: pg_dump. Attachments are
    listed after the database is copied; they are only ever added (written before the row
    that names them commits), so every file the copied rows refer to is in the store. The
    zip is renamed into place only after the check has passed.
    """
    if actor is not None:
        permissions.require(actor, "backup")
        checkpoints.write_quietly(db, config.data_dir, reason="backup", actor=actor)
    started = time.monotonic()
    target = Path(out_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if db.is_sqlite and db.sqlite_path is None:
        raise DataError(msg("内存数据库不能备份。"))
    meter = Meter(progress, 0)
    meter.check(msg("正在复制数据库快照"))
    made = None
    if db.is_sqlite:
        try:
            made = _write_zip(db, config, target, meter, raw=True)
        except _RawUnavailable as why:
            log.info("backup: database file not copied as it is (%s); online backup instead",
                     why, extra=FILE_ONLY)
            meter.done = 0
    if made is None:
        made = _write_zip(db, config, target, meter, raw=False)
    entries, warnings = made
    for w in warnings:
        log.warning("%s", w, extra=FILE_ONLY)  # callers show result.warnings themselves
    if actor is not None:
        try:
            with db.session() as session:
                audit.record(session, actor, action="backup", entity="backup", entity_id=None,
                             after={"file": str(target), "files": len(entries)})
        except DataError as exc:  # the backup itself is complete; say so rather than fail
            warnings.append(msg("备份已完成，但未能写入审计记录：{reason}", reason=exc.message))
    result = BackupResult(target, len(entries), target.stat().st_size, time.monotonic() - started,
                          tuple(warnings))
    log.info("backup %s: %d files, %d bytes, %.1f s", target, result.files, result.size,
             result.seconds)
    return result


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _write_zip(db: Database, config: Config, target: Path, meter: Meter, *,
               raw: bool) -> tuple[list[ZipEntry], list[str]]:
    """The zip itself (see `backup`); `raw`: copy the live SQLite file, else a snapshot first."""
    warnings: list[str] = []
    key = signing.key_path(config.data_dir)
    anchor = checkpoints.path(config.data_dir)
    anchor_bytes = anchor.read_bytes() if anchor.is_file() else None  # read once: others append

    def others() -> list[tuple[str, Path]]:
        found = [(KEY_ENTRY, key)] if key.is_file() else []
        return found + [(STORE_PREFIX + rel, path) for rel, path in
                        _store_files(config.attachments_dir)]

    with tempfile.TemporaryDirectory(prefix=".riskdesk-backup-", dir=target.parent) as tmp:
        check: _SnapshotCheck | None = None
        snapshot: Path | None = None
        revision: str | None = None
        if raw:
            assert db.sqlite_path is not None
            db_size = _size(db.sqlite_path) + _size(Path(f"{db.sqlite_path}-wal"))
        elif db.is_sqlite:
            assert db.sqlite_path is not None
            snapshot = Path(tmp) / "db.sqlite3"
            _sqlite_snapshot(db.sqlite_path, snapshot)
            revision = _revision_of(snapshot)
            check = _SnapshotCheck(snapshot)
        else:
            snapshot = Path(tmp) / "db.pgdump"
            cmd, env = _pg_command(db.url, "pg_dump")
            _run([*cmd, "--format=custom", "--no-owner", f"--file={snapshot}"], env, msg("pg_dump 备份"))
            revision = db.current_revision()
        if snapshot is not None:
            db_size = snapshot.stat().st_size
        listed = others()  # for the progress total; listed again after a raw copy
        meter.total = db_size + sum(p.stat().st_size for _, p in listed)
        with StreamingZip(target, meter) as z:
            if check is not None:
                check.start()
            try:
                if raw:
                    assert db.sqlite_path is not None
                    entries, database, revision, check = _copy_database(db.sqlite_path, z)
                    listed = others()  # every file the copied rows name is in the store by now
                    meter.total = meter.done + sum(p.stat().st_size for _, p in listed)
                else:
                    assert snapshot is not None
                    entries = [z.add_file(DB_SQLITE if db.is_sqlite else DB_PG, snapshot,
                                          compress=False)]
                    z.write_behind()  # the database to disk while the attachments follow
                # Stored as they are: the database (deflating it cost more than half the
                # backup's time for a third of its size), photos, PDFs and Office files.
                for name, path in listed:
                    if name == KEY_ENTRY:
                        entries.append(z.add_file(name, path, compress=True))
                        continue
                    entry = z.add_file(name, path, compress=False)
                    if entry.sha256 != path.name:
                        warnings.append(msg("附件库文件内容与其校验值不符（已损坏）：{name}", name=name))
                    entries.append(entry)
                if anchor_bytes is not None:
                    entries.append(z.add_bytes(CHECKPOINTS_ENTRY, anchor_bytes, compress=True))
                z.write_behind()  # the attachments to disk while the hashes and the check finish
                if raw:
                    entries.insert(0, database())  # its hashes, computed meanwhile
                if check is not None:
                    meter.check(msg("正在检查数据库快照"))
                    check.result()  # before the manifest: a bad snapshot never becomes a backup
            except BaseException:
                if check is not None:
                    check.stop()
                raise
            z.list_first([DB_SQLITE, DB_SQLITE_WAL])  # the WAL was written first; listed after
            names = {e.path for e in entries}
            manifest = {
                "format": FORMAT, "format_version": 2 if DB_SQLITE_WAL in names else 1,
                "generator": f"RiskDesk {__version__}", "created_at": _now().isoformat(),
                "dialect": db.dialect, "revision": revision,
                "database": DB_SQLITE if db.is_sqlite else DB_PG,
                "attachments": sum(n.startswith(STORE_PREFIX) for n in names),
                "files": [{"path": e.path, "sha256": e.sha256, "size": e.size} for e in entries]}
            z.add_bytes(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    return entries, warnings


# -- automatic backups ---------------------------------------------------------------------


def auto_backups(config: Config) -> list[tuple[dt.datetime, Path]]:
    """The automatic backups in the backup folder, newest first (by the time in the name)."""
    found = []
    folder = config.backup_dir
    if folder.is_dir():
        for path in folder.iterdir():
            m = AUTO_RE.match(path.name)
            if m and path.is_file():
                found.append((dt.datetime.strptime(m[1], "%Y%m%d-%H%M%S"), path))
    return sorted(found, reverse=True)


def due(config: Config, now: dt.datetime | None = None) -> bool:
    hours = float(config.get("backup_interval_hours") or 0)
    if hours <= 0:
        return False
    done = auto_backups(config)
    return not done or (now or _now()) - done[0][0] >= dt.timedelta(hours=hours)


def rotate(config: Config) -> list[Path]:
    """Delete automatic backups beyond the newest `backup_keep` (at least one is kept)."""
    keep = max(1, int(config.get("backup_keep")))
    removed = []
    for _, path in auto_backups(config)[keep:]:
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def run_scheduled(db: Database, config: Config, *, now: dt.datetime | None = None,
                  progress: ProgressFn | None = None) -> BackupResult | None:
    """Back up into the backup folder if the interval has passed, then rotate; else None."""
    moment = now or _now()
    if not due(config, moment):
        return None
    target = config.backup_dir / f"riskdesk-auto-{moment:%Y%m%d-%H%M%S}.zip"
    result = backup(db, config, target, progress)
    rotate(config)
    return result


# -- restoring -----------------------------------------------------------------------------


class RestoreRefused(ServiceError):
    """The backup did not verify or cannot be used here; nothing was changed."""


@dataclass(frozen=True)
class RestoreResult:
    aside: Path | None  # where the data that was replaced now lives (None: there was none)
    attachments: int
    revision: str | None
    seconds: float


def _known_revisions() -> set[str]:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}


def verify_backup(path: Path | str, progress: ProgressFn | None = None) -> dict:
    """Check every hash of a backup: its manifest, or RestoreRefused naming each fault."""
    return _verify(path, Meter(progress, 0), passes=1)


def _verify(path: Path | str, meter: Meter, *, passes: int) -> dict:
    """verify_backup with a meter sized for `passes` reads of the contents (restore reads twice)."""
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = json.loads(zf.read(MANIFEST))
            if manifest.get("format") != FORMAT:
                raise RestoreRefused(msg("该文件不是 RiskDesk 备份文件。"))
            listed = manifest.get("files")
            meter.total = passes * sum(int(f.get("size", 0)) for f in listed if isinstance(f, dict))
            missing, extra, changed, problems = member_problems(
                zf, listed, ignore={MANIFEST}, meter=meter)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError) as exc:
        raise RestoreRefused(msg("备份文件无法读取或已损坏，未做任何改动：{reason}",
                                 reason=str(exc))) from exc
    names = {f["path"] for f in listed if isinstance(f, dict) and "path" in f}
    database = manifest.get("database")
    if database not in names or database not in (DB_SQLITE, DB_PG):
        problems.append(msg("备份中没有数据库文件"))
    known = {database, KEY_ENTRY, CHECKPOINTS_ENTRY} | ({DB_SQLITE_WAL} if database == DB_SQLITE else set())
    problems += [msg("备份中有无法识别的文件：{name}", name=n) for n in sorted(names)
                 if n not in known
                 and not (n.startswith(STORE_PREFIX) and _BLOB_RE.match(n[len(STORE_PREFIX):]))]
    problems += [msg("缺少文件：{name}", name=n) for n in missing]
    problems += [msg("多出文件：{name}", name=n) for n in extra]
    problems += [msg("文件已损坏或被修改：{name}", name=n) for n in changed]
    if problems:
        raise RestoreRefused(msg("备份文件未通过校验，未做任何改动：\n{problems}",
                                 problems=Lines(problems)))
    return manifest


def _extract(zf: zipfile.ZipFile, name: str, target: Path, sha: str, meter: Meter) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with zf.open(name) as src, open(target, "wb") as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            meter.advance(len(chunk), name)
        dst.flush()
        os.fsync(dst.fileno())
    if digest.hexdigest() != sha:  # the file changed between the check and now
        raise RestoreRefused(msg("备份文件在恢复过程中被修改：{name}，未做任何改动。", name=name))


def _check_not_in_use(sqlite_file: Path) -> None:
    """Best effort: a desk with an open write transaction holds the lock (see module docs)."""
    if not sqlite_file.exists():
        return
    con = sqlite3.connect(sqlite_file, timeout=0.5, isolation_level=None)
    try:
        con.execute("BEGIN EXCLUSIVE")
        con.execute("ROLLBACK")
    except sqlite3.OperationalError:
        raise RestoreRefused(msg("数据库正在被使用。请先关闭所有 RiskDesk 窗口和命令，再恢复备份。")) \
            from None
    finally:
        con.close()


def _settle_database(db_file: Path, *, wal: bool) -> str:
    """integrity_check of an unpacked database: "ok" or what is wrong. With its WAL beside it
    (format 2) opening the pair replays the WAL; it is checkpointed into the file and goes
    away when the connection closes, so that one self-contained file is put in place."""
    wal_file = Path(f"{db_file}-wal")
    try:
        check = sqlite3.connect(db_file, isolation_level=None)
        try:
            if wal:
                busy, frames, done = check.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if busy or frames != done:
                    return f"wal_checkpoint: busy={busy}, frames={frames}, checkpointed={done}"
            verdict = str(check.execute("PRAGMA integrity_check").fetchone()[0])
        finally:
            check.close()
    except sqlite3.Error as exc:
        return str(exc)
    if wal_file.exists() and wal_file.stat().st_size:
        return "the WAL was not folded into the database file"
    return verdict


def restore(config: Config, backup_path: Path | str, progress: ProgressFn | None = None, *,
            actor: Actor | None = None) -> RestoreResult:
    """Replace the database and the attachment store with a verified backup.

    The application must not be using the database (the command line runs this with no
    engine open). Order: verify every hash → unpack into staging folders beside the data →
    move the current data aside (data_dir/restore-aside-<time>/) → move the staging in. Any
    failure before the end puts the old data back; the set-aside copy is kept for the user.
    """
    permissions.require(actor or Actor.system(), "restore")
    started = time.monotonic()
    meter = Meter(progress, 0)
    manifest = _verify(backup_path, meter, passes=2)  # one progress bar: checking, then unpacking
    url = make_url(config.database_url)
    dialect = "sqlite" if url.get_backend_name() == "sqlite" else url.get_backend_name()
    if manifest.get("dialect") != dialect:
        raise RestoreRefused(msg("备份来自 {source} 数据库，当前配置为 {dialect}，未做任何改动。",
                                  source=manifest.get("dialect"), dialect=dialect))
    revision = manifest.get("revision")
    if revision is not None and revision not in _known_revisions():
        raise RestoreRefused(msg("备份来自更新版本的 RiskDesk（数据库结构未知），请先升级程序。"))
    stamp = _now().strftime("%Y%m%d-%H%M%S")
    store = config.attachments_dir
    staging = config.data_dir / f".restore-{stamp}"
    staging_store = store.parent / f".restore-{stamp}-attachments"
    files = {f["path"]: f["sha256"] for f in manifest["files"]}
    try:
        with zipfile.ZipFile(backup_path) as zf:
            for name, sha in files.items():
                if name.startswith(STORE_PREFIX):
                    _extract(zf, name, staging_store / name[len(STORE_PREFIX):], sha, meter)
                else:
                    _extract(zf, name, staging / Path(name).name, sha, meter)
        db_file = staging / Path(manifest["database"]).name
        if dialect == "sqlite":
            verdict = _settle_database(db_file, wal=DB_SQLITE_WAL in files)
            if verdict != "ok":
                raise RestoreRefused(msg("备份中的数据库未通过完整性检查（{verdict}），未做任何改动。",
                                          verdict=verdict))
        aside = _swap(config, url, staging, staging_store, db_file, stamp)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(staging_store, ignore_errors=True)
    log.warning("restored %s; previous data kept in %s", backup_path, aside, extra=FILE_ONLY)
    checkpoints.after_restore(config)  # the checkpoints before describe the replaced history
    return RestoreResult(aside if aside.exists() else None, int(manifest.get("attachments", 0)),
                         revision, time.monotonic() - started)


def _swap(config: Config, url: Any, staging: Path, staging_store: Path, db_file: Path,
          stamp: str) -> Path:
    aside = config.data_dir / f"restore-aside-{stamp}"
    store = config.attachments_dir
    inside = store.parent.resolve() == config.data_dir.resolve()
    store_aside = (aside / "attachments" if inside
                   else store.parent / f"restore-aside-{stamp}-attachments")
    key = signing.key_path(config.data_dir)
    moved: list[tuple[Path, Path]] = []  # (original, where it went)
    placed: list[Path] = []

    def move(src: Path, dst: Path, *, back: bool) -> None:
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)
        if back:
            moved.append((src, dst))
        else:
            placed.append(dst)

    sqlite = url.get_backend_name() == "sqlite"
    db_path = Path(url.database) if sqlite else None
    if db_path is not None:
        _check_not_in_use(db_path)
    try:
        if db_path is not None:
            for suffix in ("", "-wal", "-shm"):
                current = Path(f"{db_path}{suffix}")
                if current.exists():
                    move(current, aside / "database" / current.name, back=True)
        else:
            cmd, env = _pg_command(str(url.render_as_string(hide_password=False)), "pg_dump")
            aside.mkdir(parents=True, exist_ok=True)
            dump = aside / "database.pgdump"
            _run([*cmd, "--format=custom", "--no-owner", f"--file={dump}"], env,
                 msg("恢复前备份当前数据库（pg_dump）"))
        if (staging / key.name).exists() and key.exists():
            move(key, aside / key.name, back=True)
        if store.exists():
            move(store, store_aside, back=True)
        move(staging_store if staging_store.exists() else _empty(staging_store), store, back=False)
        if (staging / key.name).exists():
            move(staging / key.name, key, back=False)
        if db_path is not None:
            move(db_file, db_path, back=False)
        else:
            cmd, env = _pg_command(str(url.render_as_string(hide_password=False)), "pg_restore")
            # one transaction: a failed restore leaves the server's data as it was
            _run([*cmd, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                  "--exit-on-error", str(db_file)], env, msg("pg_restore 恢复"))
    except BaseException as exc:
        try:
            for path in reversed(placed):
                shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
            for original, went in reversed(moved):
                os.replace(went, original)
        except OSError as undo:
            log.critical("restore failed and could not be undone; old data in %s", aside,
                         extra=FILE_ONLY)
            raise ServiceError(msg("恢复失败，且未能自动放回原有数据（{reason}）。原有数据完整保存在 {aside}，"
                                   "请勿删除，并联系管理员手工放回。", reason=str(undo), aside=aside)) \
                from exc
        _remove_empty(aside)
        if not isinstance(exc, Exception):
            raise
        reason = exc.message if isinstance(exc, ServiceError | DataError) else str(exc)
        raise ServiceError(msg("恢复失败，原有数据已放回，未做任何改动：{reason}", reason=reason)) from exc
    return aside


def _remove_empty(folder: Path) -> None:
    """Remove a folder tree that holds no files (the aside folder after an undo)."""
    if folder.is_dir() and not any(p.is_file() for p in folder.rglob("*")):
        shutil.rmtree(folder, ignore_errors=True)


def _empty(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder
