"""The tamper-evident audit trail: every change recorded with before/after, chained by hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from desktop.models import AuditEntry
from desktop.models.base import utcnow
from desktop.services.context import Actor, ConflictError, msg

GENESIS = "0" * 64
SECRET_FIELDS = {"password_hash"}
_PG_AUDIT_LOCK = 7_301_001  # advisory lock id: one writer extends the chain at a time
# Session.info keys read by services/checkpoints.py (a checkpoint every N entries, after commit)
CHECKPOINT_EVERY, CHECKPOINT_DUE, WROTE = "audit_checkpoint_every", "audit_checkpoint_due", "audit_wrote"


def jsonable(value: Any) -> Any:
    if value is None or type(value) in (str, int, bool, float):
        return value  # most values: asked first, as the bulk import turns 17 a row
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    return value


def snapshot(obj: Any) -> dict[str, Any]:
    """The column values of an ORM object as plain JSON data, secrets left out."""
    mapper = sa_inspect(obj).mapper
    return {
        col.key: jsonable(getattr(obj, col.key))
        for col in mapper.column_attrs
        if col.key not in SECRET_FIELDS
    }


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, for compact update entries."""
    keys = [k for k in after if before.get(k) != after.get(k) and k not in ("updated_at",)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def entry_hash(*, prev_hash: str, created_at: dt.datetime, username: str, action: str,
               entity: str, entity_id: int | None, before: Any, after: Any, note: str) -> str:
    payload = json.dumps(
        [prev_hash, created_at.isoformat(timespec="microseconds"), username, action, entity,
         entity_id, before, after, note],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(session: Session, actor: Actor, *, action: str, entity: str, entity_id: int | None,
           before: Any = None, after: Any = None, note: str = "") -> AuditEntry:
    """Append one entry to the chain inside the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_AUDIT_LOCK})
    session.flush()
    prev = session.execute(
        select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).scalar_one_or_none() or GENESIS
    created = utcnow()
    before_j, after_j = jsonable(before), jsonable(after)
    entry = AuditEntry(
        user_id=actor.user_id, username=actor.username, action=action, entity=entity,
        entity_id=entity_id, before=before_j, after=after_j, note=note, prev_hash=prev,
        created_at=created,
        hash=entry_hash(prev_hash=prev, created_at=created, username=actor.username,
                        action=action, entity=entity, entity_id=entity_id,
                        before=before_j, after=after_j, note=note),
    )
    session.add(entry)
    session.flush()
    _mark(session, entry.id, entry.id - 1)
    return entry


def _mark(session: Session, last_id: int, before_id: int) -> None:
    """Tell the checkpoint watch (if any) that entries were written, and whether the ids
    from `before_id` to `last_id` passed a multiple of N."""
    session.info[WROTE] = True
    every = session.info.get(CHECKPOINT_EVERY)
    if every and last_id // every > before_id // every:
        session.info[CHECKPOINT_DUE] = True


@dataclass(frozen=True)
class Pending:
    """One entry of a batch for `record_many`."""

    action: str
    entity: str
    entity_id: int | None
    before: Any = None
    after: Any = None
    note: str = ""


def record_many(session: Session, actor: Actor, entries: list[Pending]) -> int:
    """Append a batch of entries to the chain with bulk inserts, inside the caller's
    transaction: each hash computed here from the one before, exactly as `record` would one
    by one, and the ids handed out in the batch's order. Returns the number written."""
    if not entries:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_AUDIT_LOCK})
    session.flush()
    last = session.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).one_or_none()
    prev = last.hash if last is not None else GENESIS
    rows = []
    for e in entries:
        created = utcnow()
        before_j, after_j = jsonable(e.before), jsonable(e.after)
        digest = entry_hash(prev_hash=prev, created_at=created, username=actor.username,
                            action=e.action, entity=e.entity, entity_id=e.entity_id,
                            before=before_j, after=after_j, note=e.note)
        rows.append({"user_id": actor.user_id, "username": actor.username, "action": e.action,
                     "entity": e.entity, "entity_id": e.entity_id, "before": before_j,
                     "after": after_j, "note": e.note, "prev_hash": prev, "created_at": created,
                     "hash": digest})
        prev = digest
    # ids must follow the chain: SQLite's executemany inserts row after row; on PostgreSQL a
    # multi-row insert is ordered by parameter only when asked for (SQLAlchemy then sorts the
    # VALUES before the serial is drawn)
    stmt = insert(AuditEntry.__table__)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.returning(AuditEntry.__table__.c.id, sort_by_parameter_order=True)
    session.execute(stmt, rows)
    before_id = last.id if last is not None else 0
    _mark(session, before_id + len(rows), before_id)
    return len(rows)


def record_create(session: Session, actor: Actor, obj: Any, *, note: str = "") -> AuditEntry:
    session.flush()
    return record(session, actor, action="create", entity=obj.__tablename__,
                  entity_id=obj.id, after=snapshot(obj), note=note)


def record_update(session: Session, actor: Actor, obj: Any, before: dict[str, Any], *,
                  action: str = "update", note: str = "") -> AuditEntry | None:
    try:
        session.flush()
    except StaleDataError:
        # another desk committed a newer version between our read and our UPDATE
        raise ConflictError(msg("该记录刚被他人修改并保存，您的修改未保存。请重新加载后再改。")) from None
    old, new = diff(before, snapshot(obj))
    if not new and action == "update":
        return None
    return record(session, actor, action=action, entity=obj.__tablename__,
                  entity_id=obj.id, before=old, after=new, note=note)


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: int | None  # id of the first entry that does not verify
    problem: str

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(session: Session, *, batch: int = 5000) -> ChainReport:
    """Recompute every hash in order; report the first entry edited, inserted or removed."""
    prev = GENESIS
    count = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).scalars().all()
        if not rows:
            break
        for e in rows:
            count += 1
            if e.prev_hash != prev:
                return ChainReport(count, e.id, f"审计记录 #{e.id} 之前的记录被删除或替换")
            expected = entry_hash(prev_hash=e.prev_hash, created_at=e.created_at,
                                  username=e.username, action=e.action, entity=e.entity,
                                  entity_id=e.entity_id, before=e.before, after=e.after,
                                  note=e.note)
            if expected != e.hash:
                return ChainReport(count, e.id, f"审计记录 #{e.id} 的内容被修改")
            prev = e.hash
            last_id = e.id
        session.expunge_all()
    return ChainReport(count, None, "")
