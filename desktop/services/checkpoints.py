"""Signed checkpoints of the audit chain's head, kept outside the database.

Each line of `audit-checkpoints.jsonl` in the data folder is one JSON object: the number of
audit entries, the last entry's id and hash, the time, why it was written, the public key
and an Ed25519 signature (agency key) over the rest. The file is only ever appended to
(O_APPEND, fsync'd, owner-only). A line of kind "restore" marks a restore: the lines before
it describe a history that the restore replaced. `audit_check` compares them with the table.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from desktop.db import Database, DataError
from desktop.models import AuditEntry
from desktop.models.base import utcnow
from desktop.services import audit, signing
from desktop.services.context import Actor, ServiceError

if TYPE_CHECKING:
    from desktop.config import Config

log = logging.getLogger("desktop.checkpoints")

FILE = "audit-checkpoints.jsonl"
TAG = b"riskdesk-audit-checkpoint-v1\n"  # signatures over checkpoints are never valid elsewhere
STARTED = "checkpoints_started"  # the audit action written when a folder's file is begun
RESTORE = "restore"


@dataclass(frozen=True)
class Head:
    count: int
    last_id: int
    last_hash: str


class CheckpointBody(TypedDict):
    """What a checkpoint line says (and its signature covers)."""

    v: int
    kind: str  # checkpoint / restore
    reason: str
    count: int  # audit entries at that moment
    last_id: int
    last_hash: str
    at: str  # UTC, ISO, to the second
    key: str  # the signing public key (hex)


class Checkpoint(CheckpointBody):
    """One line of the checkpoint file (JSON) as written: the body and its signature (hex)."""

    sig: str


def path(data_dir: Path | str) -> Path:
    return Path(data_dir) / FILE


def head(conn: Any) -> Head:
    """The chain's head as `conn` (a Session or a Connection) sees it."""
    count, last_id = conn.execute(select(func.count(AuditEntry.id), func.max(AuditEntry.id))).one()
    last_hash = audit.GENESIS
    if last_id is not None:
        last_hash = conn.execute(select(AuditEntry.hash).where(AuditEntry.id == last_id)).scalar_one()
    return Head(int(count), int(last_id or 0), last_hash)


def signed_bytes(line: Mapping[str, object]) -> bytes:
    body = {k: v for k, v in line.items() if k != "sig"}
    return TAG + json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def append(data_dir: Path | str, at: Head, *, reason: str, kind: str = "checkpoint") -> Checkpoint | None:
    """Sign `at` and append it; None (logged) when the folder has no signing key."""
    try:
        key = signing.load_private_key(data_dir)
    except ServiceError as exc:
        log.info("audit checkpoint not written: %s", exc.message)
        return None
    body: CheckpointBody = {"v": 1, "kind": kind, "reason": reason, "count": at.count,
                            "last_id": at.last_id, "last_hash": at.last_hash,
                            "at": utcnow().isoformat(timespec="seconds"),
                            "key": signing.public_hex(key)}
    line: Checkpoint = {**body, "sig": key.sign(signed_bytes(body)).hex()}
    target = path(data_dir)
    new = not target.exists()
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
    try:
        os.write(fd, (json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    if new and os.name == "posix":
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    return line


def write(db: Database, data_dir: Path | str, *, reason: str, actor: Actor | None = None) -> Checkpoint | None:
    """A checkpoint of the head now. The first one of a folder is announced in the audit log
    (`checkpoints_started`), so that a deleted file is noticed by `check`."""
    if not signing.key_path(data_dir).is_file():
        return None
    if not path(data_dir).exists():
        with db.session() as session:
            earlier = started_ids(session)
            note = (f"开始在 {FILE} 中写入签名检查点" if not earlier else
                    f"数据目录中没有 {FILE}，重新开始写入签名检查点（此前已于审计记录第 "
                    f"{earlier[0]} 条开始）")
            audit.record(session, actor or Actor.system(), action=STARTED, entity="audit_log",
                         entity_id=None, note=note)
    with db.read() as session:
        at = head(session)
    return append(data_dir, at, reason=reason)


def started_ids(session: Session) -> list[int]:
    """The ids of the audit entries that began a checkpoint file, oldest first."""
    return list(session.execute(
        select(AuditEntry.id).where(AuditEntry.entity == "audit_log", AuditEntry.action == STARTED)
        .order_by(AuditEntry.id)).scalars())


def write_quietly(db: Database, data_dir: Path | str, *, reason: str,
                  actor: Actor | None = None) -> str | None:
    """`write`, for the end of a session or command: a failure is logged and returned as
    text (the work itself is done), never raised."""
    try:
        write(db, data_dir, reason=reason, actor=actor)
    except (DataError, ServiceError) as exc:
        log.warning("audit checkpoint not written: %s", exc.message)
        return exc.message
    except OSError as exc:
        log.warning("audit checkpoint not written: %s", exc)
        return str(exc.strerror or exc)
    return None


def read(data_dir: Path | str) -> list[dict[str, Any] | None]:
    """Every line of the file (None for a line that is not a JSON object); [] when absent."""
    try:
        text = path(data_dir).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    lines: list[dict[str, Any] | None] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            value = None
        lines.append(value if isinstance(value, dict) else None)
    return lines


# -- written as the application works ---------------------------------------------------------


class Watch:
    """What `install` keeps for one database: whether anything was audited since."""

    def __init__(self, db: Database, config: Config) -> None:
        self.db, self.config, self.pending = db, config, False

    def finish(self, *, reason: str, actor: Actor | None = None) -> str | None:
        """At the end of a command or a window session: a checkpoint when anything was audited."""
        if not self.pending:
            return None
        self.pending = False
        return write_quietly(self.db, self.config.data_dir, reason=reason, actor=actor)


def install(db: Database, config: Config) -> Watch:
    """Watch `db`: every `audit_checkpoint_every` entries a checkpoint is written after the
    commit (audit.record marks the session); the returned `Watch` ends a command or a
    window session with one more when anything was audited."""
    every = int(config.get("audit_checkpoint_every") or 0)
    db.Session.configure(info={audit.CHECKPOINT_EVERY: every})
    watch = Watch(db, config)

    def after_commit(session: Session) -> None:
        if session.info.pop(audit.WROTE, False):
            watch.pending = True
        if session.info.pop(audit.CHECKPOINT_DUE, False):
            try:
                with db.engine.connect() as conn:
                    at = head(conn)
                if path(config.data_dir).exists():  # the first line is begun by `write`
                    append(config.data_dir, at, reason="every")
            except Exception as exc:  # noqa: BLE001 - never fail the user's committed work
                log.warning("audit checkpoint after commit not written: %s", exc)

    event.listen(db.Session, "after_commit", after_commit)
    return watch


def after_restore(config: Config) -> str | None:
    """Mark the restore in the file: the lines before describe the history it replaced."""
    if not signing.key_path(config.data_dir).is_file():
        return None
    try:
        db = Database(config.database_url)
        try:
            with db.read() as session:
                at = head(session)
        finally:
            db.dispose()
        append(config.data_dir, at, reason="restore", kind=RESTORE)
    except (DataError, ServiceError, OSError) as exc:
        log.warning("restore checkpoint not written: %s", exc)
        return str(exc)
    return None
