"""What `check` adds to the hash chain: the signed checkpoints kept outside the database, and
business rows whose content differs from what the audit log last recorded for them, that the
log says exist but are gone, or that exist with no `create` entry where every row has one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from desktop import clock
from desktop.messages import Message, msg
from desktop.models import (
    ArchiveItem,
    AuditEntry,
    Document,
    Drill,
    Hazard,
    Inspection,
    Meeting,
    Organisation,
    Project,
    RiskSource,
    StandardisationAssist,
    TrainingSession,
)
from desktop.services import audit, checkpoints, rotation, signing, trust
from desktop.services.context import ServiceError

# the audited business tables: model, what people call a row of it, the column naming it.
# Their rows are created only through audited services (each with a `create` entry: the
# record forms, the sheet imports, the demo), so a row without one was put in from outside.
AUDITED: tuple[tuple[Any, Message, str], ...] = (
    (Hazard, msg("隐患"), "number"), (Project, msg("项目"), "code"), (Document, msg("文书"), "number"))
# tables whose rows leave the database only through an audited action: `purge` from the
# recycle bin (services/recycle.py; archive items only after their retention period) and a
# discarded draft document (`delete`). A recycle-bin `delete` leaves the row (deleted_at set)
# and `restore` takes it back out of the bin. Rows the log shows created and not removed since
# must be there. (Attachments, hazard events and the like go with their owner without entries
# of their own, and risk sources are seeded without a `create`: not listed.)
KEPT: tuple[tuple[Any, Message, str], ...] = (
    *AUDITED, (Organisation, msg("单位"), "name"), (Inspection, msg("检查记录"), "date"),
    (RiskSource, msg("风险源"), "name"), (TrainingSession, msg("培训"), "topic"),
    (Drill, msg("应急演练"), "scenario"), (ArchiveItem, msg("档案"), "title"),
    (Meeting, msg("服务交底会"), "date"), (StandardisationAssist, msg("安全生产标准化建设协助"), "date"))
LIVE, REMOVED = ("create", "restore"), ("delete", "purge")
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
    problems: list[str] = []
    valid, rejected = valid_lines(lines, _accepted_keys(session, data_dir))
    for number, malformed in rejected:
        problems.append(f"审计检查点文件第 {number} 行无法识别（文件被改动）" if malformed
                        else f"审计检查点文件第 {number} 行的签名无效（检查点被伪造或改动）")
    restored = valid[0]["at"] if valid and valid[0]["kind"] == checkpoints.RESTORE else ""
    if not valid:
        return AnchorReport(0, tuple(problems), "", restarted)
    now = checkpoints.head(session)
    faults = chain_faults(valid, now.count, now.last_id, lambda ids: dict(session.execute(
        select(AuditEntry.id, AuditEntry.hash).where(AuditEntry.id.in_(ids))).all()))
    if faults.missing > 0:
        newest = faults.newest
        problems.append(f"最近 {faults.missing} 条审计记录缺失（{local_time(newest['at'])} 的签名检查点"
                        f"记有 {newest['count']} 条、至第 {newest['last_id']} 条，数据库中现有 "
                        f"{now.count} 条、至第 {now.last_id} 条）")
    if faults.broken_at is not None:
        problems.append(f"审计记录第 {faults.broken_at} 条之前的链与签名检查点不符，审计日志可能被重算")
    return AnchorReport(len(valid), tuple(problems), restored, restarted)


def valid_lines(lines: list[dict[str, Any] | None], keys: set[str]
                ) -> tuple[list[dict[str, Any]], list[tuple[int, bool]]]:
    """The checkpoint lines signed by one of `keys`, from the newest restore mark on (a restore
    replaced the history the lines before describe), and the rejected ones as (line number,
    malformed — else its signature failed)."""
    valid: list[dict[str, Any]] = []
    rejected: list[tuple[int, bool]] = []
    for number, line in enumerate(lines, 1):
        if line is None or not _well_formed(line):
            rejected.append((number, True))
        elif line["key"] not in keys or not signing.verify(
                line["key"], checkpoints.signed_bytes(line), bytes.fromhex(line["sig"])):
            rejected.append((number, False))
        elif line["kind"] == checkpoints.RESTORE:
            valid = [line]
        else:
            valid.append(line)
    return valid, rejected


@dataclass(frozen=True)
class ChainFaults:
    newest: dict[str, Any]  # the newest valid checkpoint
    missing: int  # entries it counts that the log lacks (0 or less: none)
    broken_at: int | None  # the first checkpointed entry whose hash the log no longer carries


def chain_faults(valid: list[dict[str, Any]], count: int, last_id: int,
                 hashes: Callable[[list[int]], dict[int, str]]) -> ChainFaults:
    """Compare valid checkpoints with an audit log of `count` entries up to `last_id`; `hashes`
    reads the stored hash of the given entry ids (at most _BATCH at a time) — the live table's
    for `check`, a backup's own database before a restore."""
    newest = max(valid, key=lambda c: (c["last_id"], c["count"]))
    missing = max(newest["count"] - count, newest["last_id"] - last_id)
    wanted = sorted({c["last_id"]: c for c in valid if 0 < c["last_id"] <= last_id}.items())
    for start in range(0, len(wanted), _BATCH):
        part = wanted[start:start + _BATCH]
        found = hashes([i for i, _ in part])
        bad = next((i for i, c in part if found.get(i) != c["last_hash"]), None)
        if bad is not None:
            return ChainFaults(newest, missing, bad)
    return ChainFaults(newest, missing, None)


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
    key only when the folder has no key file. Also the keys these handed over to by a valid
    statement in the folder's rotation file: after a backup from before a rotation was
    restored and the older key put back (`key-import`), the checkpoints the newer key signed
    meanwhile are the agency's too."""
    keys = {entry.public_key for entry in trust.own_keys(data_dir)}
    if not keys:
        registered = signing.registered_public_key(session)
        keys = {registered} if registered else set()
    return keys | successors(data_dir, keys)


def successors(data_dir: Path | str, keys: set[str]) -> set[str]:
    """The keys `keys` handed over to by valid statements in the folder's rotation file."""
    try:
        statements = rotation.load(data_dir)
    except ServiceError:  # an unreadable statement file: the keys above still count
        return set()
    found: set[str] = set()
    frontier = set(keys)
    while frontier:
        frontier = {str(s["new_public_key"]) for s in statements
                    if s.get("old_public_key") in frontier and rotation.is_valid(s)} - keys - found
        found |= frontier
    return found


# -- business rows --------------------------------------------------------------------------


def check_rows(session: Session) -> tuple[int, tuple[str, ...]]:
    """Each audited row compared with its last audited content (create snapshot plus every
    change after it), one streaming pass per table; then the rows the log says exist but the
    table has lost, the rows it shows removed that are there again, and the rows of AUDITED
    tables the log never saw created (set-based: one grouped read of the log, or one anti-join,
    per table). Returns (rows compared, problems)."""
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
    gone: list[str] = []
    gone_total = 0
    for model, label, name_key in KEPT:
        ids = _missing_ids(session, model)
        gone_total += len(ids)
        shown = ids[:max(ROWS_LISTED - len(gone), 0)]
        names = _recorded_names(session, model, name_key, shown)
        gone += [msg("{label} {name}：审计记录显示存在，但数据库中已无此记录",
                     label=label, name=names[i]) for i in shown]
    problems += gone
    if gone_total > len(gone):
        problems.append(msg("另有 {n} 条记录在审计记录中显示存在，但数据库中已无此记录",
                            n=gone_total - len(gone)))
    problems += _named_rows(
        session, KEPT, _returned,
        lambda label, name: msg("{label} {name}：审计记录显示已被清除，但数据库中仍有此记录", label=label, name=name),
        lambda n: msg("另有 {n} 条记录在审计记录中显示已被清除，但数据库中仍有", n=n))
    problems += _named_rows(
        session, AUDITED, _unrecorded,
        lambda label, name: msg("{label} {name}：数据库中有此记录，但审计记录中没有其创建记录",
                                label=label, name=name),
        lambda n: msg("另有 {n} 条记录在数据库中有，但审计记录中没有其创建记录", n=n))
    return tally[0], tuple(problems)


def _named_rows(session: Session, tables: tuple[tuple[Any, Message, str], ...],
                find: Callable[[Session, Any, str, int], tuple[list[str], int]],
                each: Callable[[Message, str], str], more: Callable[[int], str]) -> list[str]:
    """The rows `find(session, model, name_key, limit)` names in `tables` ((names, how many)),
    each worded by `each`, at most ROWS_LISTED in all, then how many more by `more`."""
    listed: list[str] = []
    total = 0
    for model, label, name_key in tables:
        names, count = find(session, model, name_key, max(ROWS_LISTED - len(listed), 0))
        total += count
        listed += [each(label, name) for name in names]
    if total > len(listed):
        listed.append(more(total - len(listed)))
    return listed


def _missing_ids(session: Session, model: Any) -> list[int]:
    """Ids of `model` rows whose newest create/restore entry is later than any delete/purge
    entry (so the row should be there), which the table no longer has. One grouped read of
    the log's entries for the table (index on entity, entity_id) anti-joined with the table."""
    a = AuditEntry
    created = func.max(case((a.action == "create", a.id)))
    live = func.max(case((a.action.in_(LIVE), a.id)))
    removed = func.max(case((a.action.in_(REMOVED), a.id)))
    logged = (select(a.entity_id.label("entity_id"))
              .where(a.entity == model.__tablename__, a.entity_id.is_not(None),
                     a.action.in_((*LIVE, *REMOVED)))
              .group_by(a.entity_id)
              .having(created.is_not(None), or_(removed.is_(None), live > removed))
              .subquery())
    there = exists().where(model.id == logged.c.entity_id)
    return list(session.execute(select(logged.c.entity_id).where(~there)
                                .order_by(logged.c.entity_id)).scalars())


def _returned(session: Session, model: Any, name_key: str, limit: int) -> tuple[list[str], int]:
    """The first `limit` rows of `model` (named) that the log shows removed — their newest
    lifecycle entry a `purge`, or a `delete` of a table without a recycle bin (a discarded
    draft document) — and how many there are: a row put back from outside (an old copy of a
    purged hazard) has its create entry and its old content, and only this shows it. A row
    the program creates again at a reused id has a newer `create`, and is not counted."""
    a = AuditEntry
    gone = ("purge",) if hasattr(model, "deleted_at") else REMOVED
    live = func.max(case((a.action.in_(LIVE), a.id)))
    removed = func.max(case((a.action.in_(gone), a.id)))
    logged = (select(a.entity_id.label("entity_id"))
              .where(a.entity == model.__tablename__, a.entity_id.is_not(None),
                     a.action.in_((*LIVE, *gone)))
              .group_by(a.entity_id)
              .having(removed.is_not(None), or_(live.is_(None), removed > live))
              .subquery())
    found = select(model.id, getattr(model, name_key)).join(logged, logged.c.entity_id == model.id)
    rows = session.execute(found.order_by(model.id).limit(limit)).all() if limit else []
    count = len(rows)
    if not limit or count == limit:
        count = session.execute(select(func.count()).select_from(found.subquery())).scalar_one()
    return [_name(model, {"id": i, name_key: name}, name_key, i) for i, name in rows], count


def _recorded_names(session: Session, model: Any, name_key: str, ids: list[int]) -> dict[int, str]:
    """What each row (gone from the table) was called, from its last audited content."""
    names = {i: f"#{i}" for i in ids}
    if not ids:
        return names
    states: dict[int, dict[str, Any]] = {}
    for entity_id, action, after in session.execute(
            select(AuditEntry.entity_id, AuditEntry.action, AuditEntry.after)
            .where(AuditEntry.entity == model.__tablename__, AuditEntry.entity_id.in_(ids))  # at most ROWS_LISTED
            .order_by(AuditEntry.id)):
        if not isinstance(after, dict):
            continue
        if action == "create":
            states[entity_id] = dict(after)
        elif entity_id in states:
            states[entity_id].update(after)
    for i, state in states.items():
        names[i] = _name(model, state, name_key, i)
    return names


def _unrecorded(session: Session, model: Any, name_key: str, limit: int) -> tuple[list[str], int]:
    """The first `limit` rows of `model` (named) with no `create` entry, and how many there are:
    an anti-join of the table with the log (index on entity, entity_id)."""
    a = AuditEntry
    created = exists().where(a.entity == model.__tablename__, a.entity_id == model.id,
                             a.action == "create")
    columns = [model.id, getattr(model, name_key)]
    if model is Document:
        columns.append(Document.revision)
    rows = session.execute(select(*columns).where(~created).order_by(model.id).limit(limit)).all() \
        if limit else []
    count = len(rows)
    if not limit or count == limit:
        count = session.execute(select(func.count()).select_from(model).where(~created)).scalar_one()
    keys = ["id", name_key, "revision"]
    return [_name(model, dict(zip(keys, row, strict=False)), name_key, row[0]) for row in rows], count


def _name(model: Any, values: dict[str, Any], name_key: str, row_id: int) -> str:
    """A row as people name it: a hazard's number, a project's code, a document's number (with
    its revision after a correction); the row id when it has none."""
    name = values.get(name_key)
    if not name:
        return f"#{row_id}"
    revision = values.get("revision")
    if model is Document and isinstance(revision, int) and revision > 1:
        return msg("{number}（第{revision}版）", number=str(name), revision=revision)
    return str(name)


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
            yield _name(model, values, name_key, values["id"]), fields


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
