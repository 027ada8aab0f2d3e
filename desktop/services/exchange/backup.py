"""Backups: one zip with a consistent database snapshot, the attachment store, a hash manifest.

SQLite: SQLite's online backup (`sqlite3.Connection.backup`) copies the live database into a
temporary file beside the target, `PRAGMA quick_check` checks that copy on a second thread
while it and the attachments are zipped (`zipstream.StreamingZip`: `zipfile` as documented),
and the zip is renamed into place only after the check passed. PostgreSQL: `pg_dump`.
Restore reads every format written so far: 1 (the database file alone) and 2 (the database
file and its WAL beside it, written by RiskDesk 0.x before this module was simplified).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
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
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from desktop import __version__, datalock, datamodes, pg_grants
from desktop.config import Config
from desktop.db import APPLICATION_NAME, Database, DataError, known_revisions
from desktop.fileutil import remove_tree
from desktop.logsetup import FILE_ONLY
from desktop.messages import Lines
from desktop.models import Attachment, AuditEntry
from desktop.services import audit, checkpoints, permissions, signing
from desktop.services.context import Actor, Message, ServiceError, msg
from desktop.services.context import now as _now
from desktop.services.exchange import backup_accounts, backup_audit, restore_journal
from desktop.services.exchange.zipstream import (  # noqa: F401 - re-exported for packages and importer
    CHUNK,
    Meter,
    ProgressFn,
    StreamingZip,
    ZipEntry,
    member_problems,
    sha256_file,
)

log = logging.getLogger("desktop.backup")

FORMAT = "riskdesk-backup"
MANIFEST = "manifest.json"
DB_SQLITE, DB_PG = "database/riskdesk.sqlite3", "database/riskdesk.pgdump"
DB_SQLITE_WAL = f"{DB_SQLITE}-wal"  # format 2 (read only): the WAL copied beside the database
KEY_ENTRY = f"keys/{signing.KEY_FILE}"
CHECKPOINTS_ENTRY = f"audit/{checkpoints.FILE}"  # the signed audit checkpoints, as they were
STORE_PREFIX = "attachments/"
AUTO_RE = re.compile(r"^riskdesk-auto-(\d{8}-\d{6})\.zip$")
_BLOB_RE = re.compile(r"^([0-9a-f]{2})/([0-9a-f]{2})/(\1\2[0-9a-f]{60})$")


# -- making a backup -----------------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    path: Path
    files: int
    size: int
    seconds: float
    warnings: tuple[str, ...] = ()
    attachments_missing: int = 0  # attachment rows of the snapshot whose file is not in the store


def _sqlite_snapshot(source: Path, target: Path) -> None:
    """SQLite's online backup of the live database into `target`, in one step: one read
    transaction on the source, so the copy is one committed state while other desks go on
    writing (WAL: readers never block writers). The copy is a scratch file that goes into the
    zip (which is synced), so it is written without a journal and without syncing its pages.
    `_SnapshotCheck` verifies it."""
    try:
        src = sqlite3.connect(source, timeout=10)
        dst = sqlite3.connect(target)
        try:
            dst.execute("PRAGMA journal_mode = OFF")
            dst.execute("PRAGMA synchronous = OFF")
            src.backup(dst)  # pages=-1: all at once; a stepped copy restarts under writes
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        raise DataError(msg("数据库快照失败：{reason}", reason=str(exc))) from exc
    if os.name == "posix":
        os.chmod(target, 0o600)


class _SnapshotCheck(threading.Thread):
    """`PRAGMA quick_check` of the snapshot file on a second thread while the zip is written.

    SQLite releases the GIL while it checks, so the check and the zipping share the two
    cores; the backup is declared good (renamed into place) only after `result()` says so.
    `stop()` interrupts it (a cancel, a failure) and waits for the thread.
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
                con = self._con
            self._verdict = con.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.Error as exc:
            self._error = exc
        finally:
            self._close()

    def _close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
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
        """Abandon the check (the backup failed or was cancelled) and wait for the thread."""
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
    try:
        con = sqlite3.connect(f"{sqlite_file.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    finally:
        con.close()
    return str(row[0]) if row and row[0] is not None else None


def _sqlite_attachment_rows(sqlite_file: Path) -> dict[str, int]:
    """How many attachment rows name each file (its SHA-256), read from a database file."""
    con = sqlite3.connect(f"{sqlite_file.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = con.execute(f"SELECT sha256, count(*) FROM {Attachment.__tablename__} "  # noqa: S608
                           "GROUP BY sha256").fetchall()
    finally:
        con.close()
    return {str(sha): int(n) for sha, n in rows}


def _attachment_rows(db: Database) -> dict[str, int]:
    """`_sqlite_attachment_rows` of a database server (or any `Database`)."""
    with db.read() as session:
        rows = session.execute(select(Attachment.sha256, func.count()).group_by(Attachment.sha256)).all()
    return {str(sha): int(n) for sha, n in rows}


def _without_file(rows: dict[str, int], files: set[str]) -> tuple[int, int]:
    """(attachment rows, distinct files) of `rows` whose file is not among `files`."""
    gone = [sha for sha in rows if sha not in files]
    return sum(rows[sha] for sha in gone), len(gone)


def backup(db: Database, config: Config, out_path: Path | str, progress: ProgressFn | None = None,
           *, actor: Actor | None = None) -> BackupResult:
    """Write one zip: the database snapshot, every stored attachment, a manifest — never the
    agency's private signing key (see services/exchange/key_export.py).

    SQLite: the online backup makes a snapshot file in a temporary folder beside the target
    (`_sqlite_snapshot`; other desks go on working), `quick_check` of it runs on a second
    thread while it is zipped; PostgreSQL: pg_dump. Attachments are listed after the
    snapshot; they are only ever added (written before the row that names them commits), so
    every file the snapshot's rows refer to is in the store. The zip is renamed into place
    only after the check has passed.
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
    entries, warnings, missing = _write_zip(db, config, target, meter)
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
                          tuple(warnings), missing)
    log.info("backup %s: %d files, %d bytes, %.1f s", target, result.files, result.size,
             result.seconds)
    return result


def _write_zip(db: Database, config: Config, target: Path,
               meter: Meter) -> tuple[list[ZipEntry], list[str], int]:
    """The zip itself (see `backup`); its entries, warnings, and how many attachment rows of
    the snapshot have no file in the store (so none in the backup either)."""
    warnings: list[str] = []
    anchor = checkpoints.path(config.data_dir)
    anchor_bytes = anchor.read_bytes() if anchor.is_file() else None  # read once: others append
    with tempfile.TemporaryDirectory(prefix=".riskdesk-backup-", dir=target.parent) as tmp:
        check: _SnapshotCheck | None = None
        if db.is_sqlite:
            assert db.sqlite_path is not None
            snapshot = Path(tmp) / "db.sqlite3"
            _sqlite_snapshot(db.sqlite_path, snapshot)
            revision = _revision_of(snapshot)
            rows = _sqlite_attachment_rows(snapshot)
            check = _SnapshotCheck(snapshot)
        else:
            snapshot = Path(tmp) / "db.pgdump"
            cmd, env = _pg_command(db.url, "pg_dump")
            _run([*cmd, "--format=custom", "--no-owner", f"--file={snapshot}"], env,
                 msg("pg_dump 备份"))
            revision = db.current_revision()
            rows = _attachment_rows(db)  # after the dump: at least the dump's rows
        # The private signing key is left out: it leaves the data folder only by an explicit,
        # passphrase-protected export (services/exchange/key_export.py; docs/security.md).
        listed = [(STORE_PREFIX + rel, path) for rel, path in _store_files(config.attachments_dir)]
        missing, missing_files = _without_file(rows, {path.name for _, path in listed})
        if missing:
            warnings.append(msg("数据库中有 {rows} 条附件记录的文件不在附件库中（缺 {files} 个文件），备份中也就没有"
                                "这些文件。请运行“riskdesk check”查看，并设法找回这些文件。",
                                rows=missing, files=missing_files))
        meter.total = snapshot.stat().st_size + sum(p.stat().st_size for _, p in listed)
        with StreamingZip(target, meter) as z:
            if check is not None:
                check.start()
            try:
                # Stored as they are: the database (deflating it cost more than half the
                # backup's time for a third of its size), photos, PDFs and Office files.
                entries = [z.add_file(DB_SQLITE if db.is_sqlite else DB_PG, snapshot,
                                      compress=False)]
                for name, path in listed:
                    entry = z.add_file(name, path, compress=False)
                    if entry.sha256 != path.name:
                        warnings.append(msg("附件库文件内容与其校验值不符（已损坏）：{name}", name=name))
                    entries.append(entry)
                if anchor_bytes is not None:
                    entries.append(z.add_bytes(CHECKPOINTS_ENTRY, anchor_bytes, compress=True))
                if check is not None:
                    meter.check(msg("正在检查数据库快照"))
                    check.result()  # before the manifest: a bad snapshot never becomes a backup
            except BaseException:
                if check is not None:
                    check.stop()
                raise
            manifest = {
                "format": FORMAT, "format_version": 1,
                "generator": f"RiskDesk {__version__}", "created_at": _now().isoformat(),
                "dialect": db.dialect, "revision": revision,
                "database": DB_SQLITE if db.is_sqlite else DB_PG,
                "attachments": sum(e.path.startswith(STORE_PREFIX) for e in entries),
                "signing_key": "not included",
                "files": [{"path": e.path, "sha256": e.sha256, "size": e.size} for e in entries]}
            z.add_bytes(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    return entries, warnings, missing


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
    attachments: int  # attachment files unpacked from the backup
    revision: str | None  # the schema revision read from the restored database
    seconds: float
    warnings: tuple[str, ...] = ()
    by: Actor | None = None  # who restored: the signed-in administrator, or the backup's own
    attachments_missing: int = 0  # attachment rows of the restored database without a file
    checked: str = ""  # what was verified before anything was moved, in words


@dataclass(frozen=True)
class BackupCheck:
    """What `check_backup` (and every restore, before anything is moved) found."""

    manifest: dict[str, Any]
    revision: str | None  # read from the backup's database itself
    audit: backup_audit.AuditVerdict  # the backup's audit log against its signed checkpoints

    @property
    def files(self) -> int:
        return len(self.manifest["files"])

    @property
    def attachments(self) -> int:
        return sum(str(f["path"]).startswith(STORE_PREFIX) for f in self.manifest["files"])

    @property
    def summary(self) -> Message:
        """Only what was checked: the hashes (the file is whole) and, apart, the audit log."""
        whole = msg("文件完整（{n} 个文件的校验值一致）", n=self.files)
        return msg("{whole}；{audit}", whole=whole, audit=self.audit.summary)

    @property
    def warnings(self) -> tuple[Message, ...]:
        return self.audit.warnings


def _known_revisions() -> set[str]:
    return known_revisions()


def verify_backup(path: Path | str, progress: ProgressFn | None = None) -> dict[str, Any]:
    """Check every hash of a backup: its manifest, or RestoreRefused naming each fault. This
    says the file is whole, not that its contents are authentic: see `check_backup`."""
    return _verify(path, Meter(progress, 0), passes=1)


def check_backup(config: Config, path: Path | str,
                 progress: ProgressFn | None = None) -> BackupCheck:
    """What a restore checks before anything is moved, without restoring: every hash, the
    database's integrity and schema revision, and its audit log against the signed checkpoints
    in the same backup (keys this folder trusts; `backup_audit`). RestoreRefused naming the
    fault; else what was checked and what could not be (`BackupCheck.warnings`). The database
    is unpacked into a scratch folder in the data folder, removed afterwards."""
    path = Path(path)
    meter = Meter(progress, 0)
    manifest = _verify(path, meter, passes=2)
    dialect = _dialect(config)
    _check_manifest(manifest, dialect)
    files = {f["path"]: f["sha256"] for f in manifest["files"]}
    config.data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".riskdesk-backup-check-", dir=config.data_dir) as tmp:
        folder = Path(tmp)
        with zipfile.ZipFile(path) as zf:
            for name, sha in files.items():
                if not name.startswith(STORE_PREFIX):
                    _extract(zf, name, folder / Path(name).name, sha, meter)
        return _examine(config, manifest, folder, dialect)


def _dialect(config: Config) -> str:
    return make_url(config.database_url).get_backend_name()


def _check_manifest(manifest: dict[str, Any], dialect: str) -> None:
    """What the manifest alone can refuse, before the long unpacking (it is not trusted beyond)."""
    if manifest.get("dialect") != dialect:
        raise RestoreRefused(msg("备份来自 {source} 数据库，当前配置为 {dialect}，未做任何改动。",
                                  source=manifest.get("dialect"), dialect=dialect))
    revision = manifest.get("revision")
    if revision is not None and revision not in _known_revisions():
        raise RestoreRefused(_NEWER)


_NEWER = msg("备份来自更新版本的 RiskDesk（数据库结构未知），请先升级程序。未做任何改动。")


def _examine(config: Config, manifest: dict[str, Any], folder: Path, dialect: str) -> BackupCheck:
    """The unpacked database (and checkpoint file) in `folder`: integrity, the schema revision
    read from the database itself, the audit log against the signed checkpoints."""
    db_file = folder / Path(manifest["database"]).name
    names = {f["path"] for f in manifest["files"]}
    if dialect == "sqlite":
        verdict = _settle_database(db_file, wal=DB_SQLITE_WAL in names)
        if verdict != "ok":
            raise RestoreRefused(msg("备份中的数据库未通过完整性检查（{verdict}），未做任何改动。",
                                      verdict=verdict))
        revision = _revision_of(db_file)
    else:
        try:
            revision = backup_accounts.pgdump_revision(db_file)
        except ServiceError as exc:
            raise RestoreRefused(exc.message) from None
    if revision is None:
        raise RestoreRefused(msg("备份中的数据库没有结构版本记录（不是可用的 RiskDesk 数据库），未做任何改动。"))
    if revision not in _known_revisions():
        raise RestoreRefused(_NEWER)
    if revision != manifest.get("revision"):
        log.warning("backup manifest says revision %s, its database %s", manifest.get("revision"),
                    revision, extra=FILE_ONLY)
    try:
        audit_verdict = backup_audit.compare(config, folder, db_file) if dialect == "sqlite" \
            else backup_audit.compare_pgdump(config, folder, db_file)
    except backup_audit.AuditMismatch as exc:
        log.error("backup refused: %s", exc.message, extra=FILE_ONLY)
        raise RestoreRefused(exc.message) from None
    return BackupCheck(manifest, revision, audit_verdict)


def _verify(path: Path | str, meter: Meter, *, passes: int) -> dict[str, Any]:
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
    checked: dict[str, Any] = manifest
    return checked


def _extract(zf: zipfile.ZipFile, name: str, target: Path, sha: str, meter: Meter) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    with zf.open(name) as src, open(fd, "wb") as dst:
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


_OTHER_SESSIONS = text(
    "SELECT host(client_addr), client_hostname, client_port, application_name, usename"
    " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    " AND backend_type = 'client backend' AND application_name IS DISTINCT FROM :mine")


def _other_sessions(database_url: str) -> list[str]:
    """PostgreSQL: the other sessions connected to our database (our own pid left out), one
    line each: from where, which program, which database role. Any role sees that they are
    there; where another role's session comes from only a privileged one (else 地址不可见)."""
    db = Database(database_url)
    try:
        with db.read() as session:
            # this process's own (idle) connections are not another desk
            rows = session.execute(_OTHER_SESSIONS, {"mine": APPLICATION_NAME}).all()
    finally:
        db.dispose()
    lines = []
    for addr, host, port, app, user in rows:
        where = host or addr or ("本机（套接字）" if port == -1 else "地址不可见")
        lines.append(f"{where}（程序 {app or '未知'}，数据库用户 {user or '未知'}）")
    return lines


def _refuse_other_sessions(config: Config, force: bool) -> list[str]:
    """Refuse a PostgreSQL restore while other sessions are connected, naming how many and from
    where; `force` (an admin's decision) goes on, and the sessions are returned for a warning."""
    url = make_url(config.database_url)
    if url.get_backend_name() != "postgresql":
        return []
    others = _other_sessions(config.database_url)
    if others and not force:
        counts = Counter(others)
        where = "；".join(f"{line} ×{n}" if n > 1 else line for line, n in counts.items())
        raise RestoreRefused(msg(
            "数据库正被另外 {n} 个会话连接，不能恢复：{where}。请先关闭这些 RiskDesk 窗口和命令"
            "（或其他连接该数据库的程序），未做任何改动。确需恢复时，管理员可强制恢复"
            "（riskdesk restore --force），这些会话之后须重新连接。", n=len(others), where=where))
    if others:
        log.warning("restore forced with %d other sessions connected: %s", len(others),
                    "; ".join(others), extra=FILE_ONLY)
    return others


def restore(config: Config, backup_path: Path | str, progress: ProgressFn | None = None, *,
            actor: Actor | None = None, credentials: tuple[str, str] | None = None,
            force: bool = False) -> RestoreResult:
    """Replace the database and the attachment store with a verified backup.

    Refused while another window or command holds the data folder (`datalock.exclusive`,
    naming who and since when). Order: verify every hash → unpack into staging folders beside
    the data → check the database → move the current data aside (data_dir/restore-aside-<time>/)
    and the staging in, each move recorded in the restore journal before it is taken (a
    start-up after a crash finishes or undoes it: `restore_journal.recover`) → an audit entry
    in the restored database. Any failure before the end puts the old data back; the set-aside
    copy is kept for the user.

    PostgreSQL: refused while other sessions are connected to the database (checked before
    the backup is read and again just before the data is replaced), naming how many and from
    where, unless an admin passes `force`.

    Who: `actor`, an administrator signed in against the current data. A data folder whose
    database has no account (missing, empty, never set up: a new computer) has nobody to sign
    in against; then `credentials` (name, password) must be those of an active administrator
    in the backup's own users table, checked once the backup verified and its database is
    unpacked, before anything is moved (`backup_accounts`); the audit entry names that account.
    `credentials` are refused for a folder that has accounts.
    """
    if actor is not None:
        permissions.require(actor, "restore")  # admins only: `force` is an admin's decision too
    elif credentials is None:
        raise RestoreRefused(msg("恢复须由系统管理员执行：请先登录；数据目录中还没有用户账户时，"
                                 "请以备份中的系统管理员账户核对身份。未做任何改动。"))
    started = time.monotonic()
    config.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        with datalock.exclusive(config.data_dir):
            return _restore(config, Path(backup_path), Meter(progress, 0), actor, credentials,
                            started, force)
    except datalock.FolderBusy as busy:
        if not busy.holders:
            raise RestoreRefused(msg("另一个恢复正在进行，未做任何改动。")) from None
        raise RestoreRefused(msg("数据目录正被使用，不能恢复：{holders}。请先关闭这些 RiskDesk 窗口和命令，"
                                 "未做任何改动。", holders="；".join(busy.holders))) from None


def _restore(config: Config, backup_path: Path, meter: Meter, actor: Actor | None,
             credentials: tuple[str, str] | None, started: float, force: bool) -> RestoreResult:
    if restore_journal.journal_path(config.data_dir).exists():
        raise RestoreRefused(msg("上次恢复尚未处理完（数据目录中有恢复日志），请先重新打开程序，"
                                 "由程序自动完成或撤销上次恢复。"))
    if actor is None and backup_accounts.folder_has_accounts(config):  # checked under the lock
        raise RestoreRefused(msg("数据目录中已有数据和用户账户：请以当前数据中的系统管理员账户登录后恢复"
                                 "（备份中的账户只用于尚无用户账户的数据目录）。未做任何改动。"))
    _refuse_other_sessions(config, force)  # at once, before the long check
    manifest = _verify(backup_path, meter, passes=2)  # one progress bar: checking, then unpacking
    with zipfile.ZipFile(backup_path) as zf:
        manifest_sha = hashlib.sha256(zf.read(MANIFEST)).hexdigest()
    url = make_url(config.database_url)
    dialect = _dialect(config)
    _check_manifest(manifest, dialect)
    stamp = _now().strftime("%Y%m%d-%H%M%S")
    store = config.attachments_dir
    staging = Path(tempfile.mkdtemp(prefix=f"{restore_journal.STAGING_PREFIX}{stamp}-",
                                    dir=config.data_dir))  # unique: never an earlier restore's
    staging_store = store.parent / f"{staging.name}-attachments"
    files = {f["path"]: f["sha256"] for f in manifest["files"]}
    try:
        db_file = staging / Path(manifest["database"]).name
        with zipfile.ZipFile(backup_path) as zf:
            for name, sha in files.items():  # the database first: the person is checked against it
                if not name.startswith(STORE_PREFIX):
                    _extract(zf, name, staging / Path(name).name, sha, meter)
            # before anything is moved: integrity, the revision, the audit log vs its checkpoints
            checked = _examine(config, manifest, staging, dialect)
            if actor is None:
                assert credentials is not None
                actor = _backup_administrator(db_file, dialect, credentials)
            unpacked: set[str] = set()
            for name, sha in files.items():
                if name.startswith(STORE_PREFIX):
                    _extract(zf, name, staging_store / name[len(STORE_PREFIX):], sha, meter)
                    unpacked.add(Path(name).name)
        staging_store.mkdir(parents=True, exist_ok=True)  # a backup without attachments
        missing = (_missing_in_staging(db_file, unpacked) if dialect == "sqlite"
                   else None)  # PostgreSQL: counted in the restored database below
        others = _refuse_other_sessions(config, force)  # again: the last moment it can refuse
        record = _audit_record(actor, backup_path, manifest_sha, len(others))
        aside, journal = _swap(config, url, staging, staging_store, db_file, stamp, str(backup_path),
                               record)
        datamodes.protect(config)  # the folder 0700; database, key, settings 0600
    finally:
        remove_tree(staging)
        remove_tree(staging_store)  # unpacked blobs are read-only (Windows)
    log.warning("restored %s; previous data kept in %s", backup_path, aside, extra=FILE_ONLY)
    warnings: list[str] = list(checked.warnings)
    if dialect != "sqlite":  # restored as the owner: the audit log append-only for the app role again
        warnings += pg_grants.reprotect_after_restore(config.migration_database_url, config.database_url)
        missing = _missing_after_restore(config, unpacked)
    kept = aside if aside.exists() else None
    if missing is not None and missing[0]:
        warnings.append(_missing_warning(*missing, kept))
    # the journal stays until the restore is on the record: killed before, start-up writes it
    warnings += _audit_restore(config, record, aside)
    if others:
        warnings.append(msg("已强制恢复：恢复时另有 {n} 个会话连接数据库，这些窗口和程序须重新连接后再使用。",
                            n=len(others)))
    checkpoints.after_restore(config)  # the checkpoints before describe the replaced history
    journal.close()
    warnings += _key_warnings(config)
    return RestoreResult(kept, len(unpacked), checked.revision, time.monotonic() - started,
                         tuple(warnings), actor, missing[0] if missing else 0, checked.summary)


def finish_interrupted(config: Config, done: restore_journal.Finished) -> list[str]:
    """What a restore cut off after its last move would have done next, at the next start-up
    (`restore_journal.recover`): its audit entry — unless it was written before the restore
    was cut off — and the checkpoint. Returns warnings in words."""
    warnings: list[str] = []
    if done.record and not _audited(config, done.aside):
        warnings += _audit_restore(config, done.record, done.aside,
                                   note="恢复中断，于下次启动时完成")
    elif not done.record:  # a journal from a version that did not carry it
        log.error("restore of %s finished at start-up without an audit entry: the journal "
                  "does not say who restored", done.backup)
    checkpoints.after_restore(config)
    return warnings + _key_warnings(config)


def _audited(config: Config, aside: Path) -> bool:
    """Whether the restore that set the data aside in `aside` (a name no other restore used)
    is already on the record in the restored database."""
    db = Database(config.database_url)
    try:
        with db.read() as session:
            after = session.execute(
                select(AuditEntry.after).where(AuditEntry.action == "restore")
                .order_by(AuditEntry.id.desc()).limit(1)).scalar_one_or_none()
    except DataError as exc:
        log.error("restore audit entry not looked for: %s", exc.message)
        return False
    finally:
        db.dispose()
    return isinstance(after, dict) and after.get("aside") == str(aside)


def _key_warnings(config: Config) -> list[str]:
    """The restored database's registered public key against the folder's private key: a
    backup made before a key rotation, or a new computer, leaves them apart (backups never
    hold the key); said at once, with where the registered key may be."""
    db = Database(config.database_url)
    try:
        with db.read() as session:
            registered = signing.registered_public_key(session)
    except DataError as exc:
        log.error("signing key not compared after the restore: %s", exc.message)
        return []
    finally:
        db.dispose()
    problem = signing.key_problem(config.data_dir, registered)
    return [problem] if problem is not None else []


def _missing_in_staging(db_file: Path, unpacked: set[str]) -> tuple[int, int] | None:
    try:
        return _without_file(_sqlite_attachment_rows(db_file), unpacked)
    except sqlite3.Error as exc:  # an older schema: the restore goes on, uncounted
        log.error("attachments not compared before the restore: %s", exc)
        return None


def _missing_after_restore(config: Config, unpacked: set[str]) -> tuple[int, int] | None:
    db = Database(config.database_url)
    try:
        return _without_file(_attachment_rows(db), unpacked)
    except DataError as exc:
        log.error("attachments not compared after the restore: %s", exc.message)
        return None
    finally:
        db.dispose()


def _missing_warning(rows: int, files: int, aside: Path | None) -> Message:
    """Said before the aside folder is offered for deletion: it may hold the missing files."""
    if aside is None:
        return msg("恢复后的数据库中有 {rows} 条附件记录的文件不在备份中（缺 {files} 个文件），这些附件无法打开。",
                   rows=rows, files=files)
    return msg("恢复后的数据库中有 {rows} 条附件记录的文件不在备份中（缺 {files} 个文件）。被替换的原有数据中"
               "可能有这些文件：请保留 {aside}，不要删除。", rows=rows, files=files, aside=aside)


def _backup_administrator(db_file: Path, dialect: str, credentials: tuple[str, str]) -> Actor:
    """The backup's own administrator named by `credentials`, or RestoreRefused."""
    try:
        accounts = (backup_accounts.sqlite_accounts(db_file) if dialect == "sqlite"
                    else backup_accounts.pgdump_accounts(db_file))
        actor = backup_accounts.sign_in(accounts, *credentials)
    except ServiceError as exc:
        raise RestoreRefused(exc.message) from None
    log.info("restore into a folder without accounts: %s, administrator in the backup", actor.username)
    return actor


def _audit_record(actor: Actor, backup_path: Path, manifest_sha: str,
                  forced_over: int) -> dict[str, Any]:
    """What the restore's audit entry names, as the restore journal keeps it (JSON)."""
    return {"actor": {"user_id": actor.user_id, "username": actor.username, "role": actor.role,
                      "display_name": actor.display_name},
            "file": str(backup_path), "manifest_sha256": manifest_sha,
            **({"forced_over_sessions": forced_over} if forced_over else {})}


def _audit_restore(config: Config, record: dict[str, Any], aside: Path, *,
                   note: str = "") -> list[str]:
    """The restore on the record, in the restored database: who, which backup, its manifest's
    SHA-256 (`_audit_record`), where the replaced data went. The data is in place whatever
    happens here: a failure is a warning."""
    db = Database(config.database_url)
    try:
        person = record["actor"]
        actor = Actor(person["user_id"], person["username"], person["role"],
                      person.get("display_name", ""))
        after = {"file": record["file"], "manifest_sha256": record["manifest_sha256"],
                 "aside": str(aside),
                 **{k: v for k, v in record.items() if k not in ("actor", "file", "manifest_sha256")}}
        with db.session() as session:
            audit.record(session, actor, action="restore", entity="backup", entity_id=None,
                         after=after, note=note)
    except (KeyError, TypeError) as exc:  # a journal damaged by hand
        log.error("restore not audited, the journal's record is incomplete: %r", exc)
        return [msg("恢复已完成，但未能写入审计记录：{reason}", reason=repr(exc))]
    except DataError as exc:
        log.error("restore not audited: %s", exc.message)
        return [msg("恢复已完成，但未能写入审计记录：{reason}", reason=exc.message)]
    finally:
        db.dispose()
    return []


def _aside(config: Config, stamp: str) -> tuple[Path, Path]:
    """(the aside folder, where the attachment store goes) under names no earlier restore
    used: the folder is made here, exclusively (two restores in one second, or a clock set
    back, each get their own: "-2", "-3", …), and the store's place does not exist yet."""
    store = config.attachments_dir
    inside = store.parent.resolve() == config.data_dir.resolve()
    for n in itertools.count(1):
        name = f"{restore_journal.ASIDE_PREFIX}{stamp}" + (f"-{n}" if n > 1 else "")
        aside = config.data_dir / name
        store_aside = aside / "attachments" if inside else store.parent / f"{name}-attachments"
        if not inside and os.path.lexists(store_aside):
            continue
        try:
            aside.mkdir(mode=0o700)
        except FileExistsError:
            continue
        return aside, store_aside
    raise AssertionError("unreachable")


def _swap(config: Config, url: Any, staging: Path, staging_store: Path, db_file: Path,
          stamp: str, backup_name: str,
          record: dict[str, Any]) -> tuple[Path, restore_journal.Journal]:
    """The moves, journaled; returns the aside folder and the journal, complete: the caller
    closes it once the restore is on the record."""
    store = config.attachments_dir
    key = signing.key_path(config.data_dir)
    Move = restore_journal.Move
    sqlite = url.get_backend_name() == "sqlite"
    db_path = Path(url.database) if sqlite else None
    if db_path is not None:
        _check_not_in_use(db_path)
    aside, store_aside = _aside(config, stamp)  # empty until the moves: removed on a failure
    moves: list[restore_journal.Move] = []
    if db_path is not None:
        moves += [Move(Path(f"{db_path}{suffix}"), aside / "database" / f"{db_path.name}{suffix}")
                  for suffix in ("", "-wal", "-shm") if Path(f"{db_path}{suffix}").exists()]
    if (staging / key.name).exists() and key.exists():  # an older backup with the key inside
        moves.append(Move(key, aside / key.name))
    if store.exists():
        moves.append(Move(store, store_aside))
    moves.append(Move(staging_store, store))
    if (staging / key.name).exists():
        moves.append(Move(staging / key.name, key))
    if db_path is not None:
        moves.append(Move(db_file, db_path))
    journal: restore_journal.Journal | None = None
    try:
        if db_path is None:
            # as the schema owner (migration_database_url): pg_restore drops and creates tables
            cmd, env = _pg_command(config.migration_database_url, "pg_dump")
            aside.mkdir(parents=True, exist_ok=True)
            _run([*cmd, "--format=custom", "--no-owner", f"--file={aside / 'database.pgdump'}"],
                 env, msg("恢复前备份当前数据库（pg_dump）"))
        journal = restore_journal.Journal(config.data_dir, backup=backup_name, moves=moves,
                                          staging=[staging, staging_store], aside=aside,
                                          record=record)
        journal.run()
        if db_path is None:
            cmd, env = _pg_command(config.migration_database_url, "pg_restore")
            # one transaction: a failed restore leaves the server's data as it was
            _run([*cmd, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                  "--exit-on-error", str(db_file)], env, msg("pg_restore 恢复"))
        journal.complete()
    except BaseException as exc:
        try:
            if journal is not None:
                journal.undo()
                journal.close()
        except OSError as undo:
            log.critical("restore failed and could not be undone; old data in %s", aside,
                         extra=FILE_ONLY)
            raise ServiceError(msg("恢复失败，且未能自动放回原有数据（{reason}）。原有数据完整保存在 {aside}，"
                                   "请勿删除，并联系管理员手工放回。", reason=str(undo), aside=aside)) \
                from exc
        restore_journal.remove_empty(aside)
        if not isinstance(exc, Exception):
            raise
        reason = exc.message if isinstance(exc, ServiceError | DataError) else str(exc)
        raise ServiceError(msg("恢复失败，原有数据已放回，未做任何改动：{reason}", reason=reason)) from exc
    return aside, journal
