"""What `check` adds to the hash chain: the signed checkpoints kept outside the database, and
business rows whose content differs from what the audit log last recorded for them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop import clock
from desktop.models import AuditEntry, Document, Hazard, Project
from desktop.services import audit, checkpoints, signing, trust

# the audited business tables: model, what people call a row of it, the column naming it
AUDITED = ((Hazard, "隐患", "number"), (Project, "项目", "code"), (Document, "文书", "number"))
# kept by the database or by SQLAlchemy, not by the services' snapshots
NOT_COMPARED = {"updated_at", "version"}
ROWS_LISTED = 20
_BATCH = 500


@dataclass(frozen=True)
class AnchorReport:
    checkpoints: int  # valid checkpoints compared with the table
    problems: tuple[str, ...]
    restored_at: str = ""  # the newest restore marked in the file (UTC, ISO)
    restarted: tuple[int, ...] = ()  # audit entries that began the file again (it was missing)


def check_checkpoints(session: Session, data_dir: Path | str) -> AnchorReport:
    """Compare the signed checkpoints with the audit table; never changes anything."""
    lines = checkpoints.read(data_dir)
    begun = checkpoints.started_ids(session)
    restarted = tuple(begun[1:])
    if not lines:
        started = begun[0] if begun else None
        if started is None:
            return AnchorReport(0, ())
        gone = (f"审计检查点文件缺失或为空（{checkpoints.path(data_dir)}）："
                f"审计记录第 {started} 条表明此后已写入签名检查点")
        return AnchorReport(0, (gone,))
    keys = _accepted_keys(session, data_dir)
    problems: list[str] = []
    valid: list[dict[str, Any]] = []
    for number, line in enumerate(lines, 1):
        if line is None or not _well_formed(line):
            problems.append(f"审计检查点文件第 {number} 行无法识别（文件被改动）")
        elif line["key"] not in keys or not signing.verify(
                line["key"], checkpoints.signed_bytes(line), bytes.fromhex(line["sig"])):
            problems.append(f"审计检查点文件第 {number} 行的签名无效（检查点被伪造或改动）")
        elif line["kind"] == checkpoints.RESTORE:
            valid = [line]  # a restore replaced the history the lines before describe
        else:
            valid.append(line)
    restored = valid[0]["at"] if valid and valid[0]["kind"] == checkpoints.RESTORE else ""
    if not valid:
        return AnchorReport(0, tuple(problems), "", restarted)
    now = checkpoints.head(session)
    newest = max(valid, key=lambda c: (c["last_id"], c["count"]))
    missing = max(newest["count"] - now.count, newest["last_id"] - now.last_id)
    if missing > 0:
        problems.append(f"最近 {missing} 条审计记录缺失（{local_time(newest['at'])} 的签名检查点"
                        f"记有 {newest['count']} 条、至第 {newest['last_id']} 条，数据库中现有 "
                        f"{now.count} 条、至第 {now.last_id} 条）")
    wanted = sorted({c["last_id"]: c for c in valid if 0 < c["last_id"] <= now.last_id}.items())
    for start in range(0, len(wanted), _BATCH):
        part = wanted[start:start + _BATCH]
        found = dict(session.execute(select(AuditEntry.id, AuditEntry.hash).where(
            AuditEntry.id.in_([i for i, _ in part]))).all())
        bad = next((i for i, c in part if found.get(i) != c["last_hash"]), None)
        if bad is not None:
            problems.append(f"审计记录第 {bad} 条之前的链与签名检查点不符，审计日志可能被重算")
            break
    return AnchorReport(len(valid), tuple(problems), restored, restarted)


def local_time(at: str) -> str:
    """A checkpoint's time (UTC, ISO) as the agency's wall-clock time, to the minute."""
    try:
        return clock.to_local(dt.datetime.fromisoformat(at)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return at


def _well_formed(line: dict[str, Any]) -> bool:
    try:
        return (isinstance(line["count"], int) and isinstance(line["last_id"], int)
                and isinstance(line["last_hash"], str) and isinstance(line["at"], str)
                and isinstance(line["key"], str) and isinstance(line["kind"], str)
                and len(bytes.fromhex(line["sig"])) == 64)
    except (KeyError, TypeError, ValueError):
        return False


def _accepted_keys(session: Session, data_dir: Path | str) -> set[str]:
    """The agency's own keys (current and the ones it replaced); the profile's registered
    key only when the folder has no key file."""
    keys = {entry.public_key for entry in trust.own_keys(data_dir)}
    if not keys:
        registered = signing.registered_public_key(session)
        keys = {registered} if registered else set()
    return keys


# -- business rows --------------------------------------------------------------------------


def check_rows(session: Session) -> tuple[int, tuple[str, ...]]:
    """Each audited row compared with its last audited content (create snapshot plus every
    change after it), one streaming pass per table. Returns (rows compared, problems)."""
    tally = [0]
    problems: list[str] = []
    extra = 0
    for model, label, name_key in AUDITED:
        for name, fields in _differing(session, model, name_key, tally):
            if len(problems) < ROWS_LISTED:
                problems.append(f"{label} {name}：当前内容与最后一次审计记录不一致（字段：{'、'.join(fields)}）")
            else:
                extra += 1
    if extra:
        problems.append(f"另有 {extra} 条记录的当前内容与最后一次审计记录不一致")
    return tally[0], tuple(problems)


def _differing(session: Session, model: Any, name_key: str,
               tally: list[int]) -> Iterator[tuple[str, list[str]]]:
    """(row name, fields that differ) for each audited row of `model`; `tally[0]` counts the
    rows compared."""
    keys = [c.key for c in sa_inspect(model).column_attrs if c.key not in audit.SECRET_FIELDS]
    table = model.__tablename__
    rows = session.execute(select(*[getattr(model, k) for k in keys]).order_by(model.id)
                           .execution_options(yield_per=_BATCH))
    states = _audited_states(session, table)
    state_id, state = next(states, (None, None))
    for row in rows:
        values = dict(zip(keys, row, strict=True))
        while state_id is not None and state_id < values["id"]:
            state_id, state = next(states, (None, None))
        if state_id != values["id"] or state is None:
            continue  # never audited (set-up data): nothing to compare with
        tally[0] += 1
        fields = [k for k, v in state.items()
                  if k in values and k not in NOT_COMPARED and not _same(values[k], v)]
        if fields:
            yield str(values.get(name_key) or f"#{values['id']}"), fields


def _audited_states(session: Session, table: str) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(row id, its last audited content) in id order: the create snapshot, then each
    later entry's `after` laid over it."""
    entries = session.execute(
        select(AuditEntry.entity_id, AuditEntry.action, AuditEntry.after)
        .where(AuditEntry.entity == table, AuditEntry.entity_id.is_not(None))
        .order_by(AuditEntry.entity_id, AuditEntry.id).execution_options(yield_per=_BATCH))
    current_id: int | None = None
    state: dict[str, Any] | None = None
    for entity_id, action, after in entries:
        if entity_id != current_id:
            if current_id is not None:
                yield current_id, state
            current_id, state = entity_id, None
        if action == "create" and isinstance(after, dict):
            state = dict(after)
        elif state is not None and isinstance(after, dict):
            state.update(after)
    if current_id is not None:
        yield current_id, state


def _same(current: Any, recorded: Any) -> bool:
    value = audit.jsonable(current)
    if value == recorded:
        return True
    if isinstance(value, str) and isinstance(recorded, str) and "T" in value + recorded:
        try:  # one datetime, two spellings (with and without the UTC offset)
            a, b = dt.datetime.fromisoformat(value), dt.datetime.fromisoformat(recorded)
        except ValueError:
            return False
        return a.replace(tzinfo=None) == b.replace(tzinfo=None)
    numbers = (str, int, float)
    if isinstance(value, numbers) and isinstance(recorded, numbers) and not isinstance(value, bool) \
            and (not isinstance(value, str) or not isinstance(recorded, str) or "." in value + recorded):
        try:  # a Numeric column: recorded as "12.5", read back as 12.5 or "12.50"
            return Decimal(str(value)) == Decimal(str(recorded))
        except ArithmeticError:
            return False
    return False
