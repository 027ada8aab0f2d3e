"""Backups: one zip with a consistent database snapshot, the attachment store, a hash manifest."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
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
from desktop.db import Database, DataError
from desktop.logsetup import FILE_ONLY
from desktop.messages import Lines
from desktop.paths import migrations_dir
from desktop.services import audit, permissions, signing
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
KEY_ENTRY = f"keys/{signing.KEY_FILE}"
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


class StreamingZip:
    """A zip written to a hidden temporary name beside `target`, renamed only when complete.

    Photos, PDFs and Office files are stored as they are (already compressed); the rest is
    deflated. Any exception (Cancelled included) removes the temporary file.
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
        self._fh = os.fdopen(fd, "w+b")
        self._zip = zipfile.ZipFile(self._fh, "w", allowZip64=True)
        return self

    def _info(self, name: str, compress: bool | None) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
        stored = Path(name).suffix.lower() in _STORED if compress is None else not compress
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        # level 1: 3.4× faster than the default 6 on a demo database, for 18% more bytes
        info._compresslevel = 1  # type: ignore[attr-defined]
        info.external_attr = 0o644 << 16
        return info

    def add_file(self, name: str, source: Path, *, expected_sha: str | None = None,
                 compress: bool | None = None) -> ZipEntry:
        """One pass over `source`: read, hash (SHA-256), checksum (CRC-32) and write together,
        in large reads (a photo is usually one read, one hash, one write)."""
        digest, size = hashlib.sha256(), 0
        with open(source, "rb") as src:
            big = os.fstat(src.fileno()).st_size > zipfile.ZIP64_LIMIT // 2
            with self._zip.open(self._info(name, compress), "w", force_zip64=big) as dst:
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

    SQLite releases the GIL while it checks, so the check and the copy share the two cores;
    the backup is declared good (renamed into place) only after `result()` says so.
    """

    def __init__(self, snapshot: Path) -> None:
        super().__init__(name="backup-quick-check", daemon=True)
        self.snapshot = snapshot
        self._verdict: str | None = None
        self._error: sqlite3.Error | None = None
        self._con: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._stopped = False

    def run(self) -> None:
        try:
            with self._lock:
                if self._stopped:
                    return
                self._con = sqlite3.connect(self.snapshot, check_same_thread=False)
            try:
                self._verdict = self._con.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                with self._lock:
                    self._con.close()
                    self._con = None
        except sqlite3.Error as exc:
            self._error = exc

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
        """Abandon the check (the backup failed or was cancelled) and wait for the thread."""
        with self._lock:
            self._stopped = True
            if self._con is not None:
                self._con.interrupt()
        self.join()


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
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    finally:
        con.close()
    return row[0] if row else None


def backup(db: Database, config: Config, out_path: Path | str, progress: ProgressFn | None = None,
           *, actor: Actor | None = None) -> BackupResult:
    """Write one zip: the database snapshot, the agency key, every stored attachment, a manifest.

    The snapshot is taken first; attachments are only ever added (written before the row that
    names them commits), so every file the snapshot refers to is already in the store. The
    snapshot's `quick_check` runs on a second thread while the zip is written; the zip is
    renamed into place only after the check has passed. (Taking the snapshot on a second
    thread while the attachments are zipped was measured too: no faster on the benchmark
    machine, so the simpler order stays.)
    """
    if actor is not None:
        permissions.require(actor, "backup")
    started = time.monotonic()
    target = Path(out_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    meter = Meter(progress, 0)
    warnings: list[str] = []
    with tempfile.TemporaryDirectory(prefix=".riskdesk-backup-", dir=target.parent) as tmp:
        meter.check(msg("正在复制数据库快照"))
        check: _SnapshotCheck | None = None
        if db.is_sqlite:
            if db.sqlite_path is None:
                raise DataError(msg("内存数据库不能备份。"))
            snapshot, db_entry = Path(tmp) / "db.sqlite3", DB_SQLITE
            _sqlite_snapshot(db.sqlite_path, snapshot)
            revision = _revision_of(snapshot)
            check = _SnapshotCheck(snapshot)
        else:
            snapshot, db_entry = Path(tmp) / "db.pgdump", DB_PG
            cmd, env = _pg_command(db.url, "pg_dump")
            _run([*cmd, "--format=custom", "--no-owner", f"--file={snapshot}"], env, msg("pg_dump 备份"))
            revision = db.current_revision()
        blobs = _store_files(config.attachments_dir)
        key = signing.key_path(config.data_dir)
        # Stored as they are: the database (deflating it cost more than half the backup's time
        # for a third of its size — bench/results/data.md), photos, PDFs and Office files.
        sources = [(db_entry, snapshot, False)]
        sources += [(KEY_ENTRY, key, True)] if key.is_file() else []
        sources += [(STORE_PREFIX + rel, path, False) for rel, path in blobs]
        meter.total = sum(p.stat().st_size for _, p, _ in sources)
        with StreamingZip(target, meter) as z:
            if check is not None:
                check.start()
            try:
                entries = []
                for name, path, compress in sources:
                    entry = z.add_file(name, path, compress=compress)
                    if name.startswith(STORE_PREFIX) and entry.sha256 != path.name:
                        warnings.append(msg("附件库文件内容与其校验值不符（已损坏）：{name}", name=name))
                    elif name == db_entry:
                        z.write_behind()  # the database to disk while the attachments follow
                    entries.append(entry)
                if check is not None:
                    meter.check(msg("正在检查数据库快照"))
                    check.result()  # before the manifest: a bad snapshot never becomes a backup
            except BaseException:
                if check is not None:
                    check.stop()
                raise
            manifest = {
                "format": FORMAT, "format_version": 1, "generator": f"RiskDesk {__version__}",
                "created_at": _now().isoformat(), "dialect": db.dialect, "revision": revision,
                "database": db_entry, "attachments": len(blobs),
                "files": [{"path": e.path, "sha256": e.sha256, "size": e.size} for e in entries]}
            z.add_bytes(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
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
    problems += [msg("备份中有无法识别的文件：{name}", name=n) for n in sorted(names)
                 if n not in (database, KEY_ENTRY)
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
            check = sqlite3.connect(db_file)
            try:
                verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                check.close()
            if verdict != "ok":
                raise RestoreRefused(msg("备份中的数据库未通过完整性检查（{verdict}），未做任何改动。",
                                          verdict=verdict))
        aside = _swap(config, url, staging, staging_store, db_file, stamp)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(staging_store, ignore_errors=True)
    log.warning("restored %s; previous data kept in %s", backup_path, aside, extra=FILE_ONLY)
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
