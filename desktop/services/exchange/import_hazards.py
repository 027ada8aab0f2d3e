"""Hazard rows of an import checked in memory and written with bulk inserts, all or none.

Every row is checked first — its project, duplicates in the file and in the database, the
rules of `hazards.prepare` — with the database asked once per batch, not once per row. Only
a clean file is written: agency numbers taken per year in one counter update each
(`numbering.hazard_numbers`), hazards inserted with one executemany returning their ids in
order, then their "recorded" and "imported" events, their required reports, and one audit
entry each, chained in Python (`audit.record_many`). The unique index on (project,
external reference) is the last word: an import running at the same moment on another desk
that wrote the same rows first makes this one fail whole, with a message saying so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.models import ExternalReport, Hazard, HazardEvent, Project
from desktop.models.base import utcnow
from desktop.models.enums import HazardStatus
from desktop.services import audit, hazards, major_hazards, numbering, rules
from desktop.services.context import Actor, ServiceError, ValidationError, msg, now
from desktop.services.exchange.zipstream import Meter

BATCH = 1000  # rows per query, per insert and per progress report
MAX_REF = 80  # Hazard.external_ref


class DuplicateImport(ServiceError):
    """Another desk wrote the same rows while this import ran; nothing of it was written."""


class Problems(Protocol):
    def problem(self, row: int | None, key: str, message: str) -> Any: ...
    def once(self, key: tuple[Any, ...], row: int, what: str) -> None: ...


@dataclass
class Outcome:
    created: list[int] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    problems: list[Any] = field(default_factory=list)


T = TypeVar("T")


def batches(items: list[T], size: int = BATCH) -> Iterator[list[T]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


@dataclass
class _Row:
    line: int
    number: str
    values: dict[str, Any]  # hazard columns from hazards.prepare
    stop_work: str


def _existing(session: Session, numbers: Iterable[str]) -> tuple[set[tuple[int, str | None]], set[str]]:
    """(project id, external reference) pairs and agency numbers already in the database."""
    refs: set[tuple[int, str | None]] = set()
    own: set[str] = set()
    for chunk in batches(sorted(set(numbers))):
        refs.update((pid, ref) for pid, ref in session.execute(
            select(Hazard.project_id, Hazard.external_ref).where(Hazard.external_ref.in_(chunk))))
        own.update(session.execute(select(Hazard.number).where(Hazard.number.in_(chunk)))
                   .scalars())
    return refs, own


def check(session: Session, ctx: Problems, rows: list[tuple[int, dict[str, Any]]], *,
          project_for: Callable[[dict[str, Any]], int],
          org_for: Callable[[str | None, str], int | None], meter: Meter,
          ) -> tuple[list[_Row], Outcome]:
    """Every row checked against the rules and the database; nothing written."""
    out = Outcome()
    days = rules.get(session, "hazard.deadline_days")
    refs, own = _existing(session, (v["number"] for _, v in rows))
    loaded: dict[int, Project] = {}
    good: list[_Row] = []
    for n, batch in enumerate(batches(rows)):
        for line, v in batch:
            try:
                project_id = project_for(v)
                number = v["number"]
                if len(number) > MAX_REF:
                    raise ValidationError({"number": msg("隐患编号不超过 {n} 个字符", n=MAX_REF)})
                ctx.once(("hazard", project_id, number), line, "number")
                if (project_id, number) in refs or number in own:
                    out.existing.append(msg("第 {row} 行：隐患编号 {number} 已存在", row=line,
                                            number=number))
                    continue
                if project_id not in loaded:
                    loaded[project_id] = session.get_one(Project, project_id)
                found_at = dt.datetime.combine(v["found_date"], dt.time())
                form = hazards.HazardForm(
                    project_id=project_id, description=v["description"], level=v["level"],
                    location=v.get("location") or "", category=v.get("category") or "",
                    measures=v.get("measures") or "", contingency=v.get("contingency") or "",
                    deadline=v.get("deadline"), found_at=found_at,
                    is_major=bool(v.get("is_major")), is_serious=bool(v.get("is_serious")),
                    catalogue_item_id=major_hazards.item_for_reference(
                        session, v.get("standard_item"), v["found_date"]),
                    responsible_unit_id=org_for(v.get("responsible_unit"), "responsible_unit"),
                    responsible_person=v.get("responsible_person") or "",
                    stop_work=v.get("stop_work") or "none")
                values = hazards.prepare(session, form, loaded[project_id], found_at,
                                         deadline_days=days)
            except ValidationError as exc:
                out.problems += [ctx.problem(line, key, text) for key, text in exc.messages.items()]
                continue
            except ServiceError as exc:
                out.problems.append(ctx.problem(line, "", exc.message))
                continue
            good.append(_Row(line, number, values, form.stop_work))
        meter.advance(len(batch), msg("已核对 {n} 行", n=n * BATCH + len(batch)))
    return good, out


def write(session: Session, actor: Actor, rows: list[_Row], *, file: str, sheet: str,
          meter: Meter) -> list[int]:
    """Write checked rows: hazards, events, required reports and audit entries, in bulk."""
    years: dict[int, list[_Row]] = {}
    for r in rows:
        years.setdefault(r.values["found_date"].year, []).append(r)
    numbers: dict[int, str] = {}
    for year, same in years.items():
        for r, number in zip(same, numbering.hazard_numbers(session, year, len(same)), strict=True):
            numbers[r.line] = number
    serious_days = int(rules.get(session, "hazard.serious_l2_report_days"))
    recipients: dict[int, list[tuple[str, int | None]]] = {}
    columns = [c.key for c in Hazard.__mapper__.column_attrs]
    ids: list[int] = []
    for batch in batches(rows):
        stamp = utcnow()
        params = [{**r.values, "number": numbers[r.line], "external_ref": r.number,
                   "created_by_id": actor.user_id, "created_at": stamp, "updated_at": stamp,
                   "version": 1, "deleted_at": None, "escalated": False, "closed_at": None}
                  for r in batch]
        try:
            session.execute(insert(Hazard.__table__), params)
        except IntegrityError as exc:
            if "external_ref" not in str(exc.orig):
                raise
            raise DuplicateImport(msg(
                "另一处刚刚导入了同一清单中的隐患（同一项目的隐患编号已存在），本次导入未写入任何数据。"
                "请重新预览后再导入：已导入的行会被跳过。")) from None
        got = _ids(session, batch)
        at = now()
        events, reports, entries = [], [], []
        for r, hazard_id, p in zip(batch, got, params, strict=True):
            found_at = r.values["found_at"]
            origin = {"external_ref": r.number, "file": file, "sheet": sheet, "row": r.line}
            note = f"导入自 {file} 工作表“{sheet}”第 {r.line} 行（原编号 {r.number}）"
            events.append(_event(hazard_id, "recorded", HazardStatus.RECORDED.value, found_at,
                                 actor, "", {"level": r.values["level"], "stop_work": r.stop_work}))
            events.append(_event(hazard_id, "imported", None, at, actor, note, origin))
            due = hazards.reports_due(session, r.values["level"], r.values["is_serious"],
                                      r.values["found_date"], serious_days=serious_days)
            if due is not None:
                project_id = r.values["project_id"]
                if project_id not in recipients:
                    recipients[project_id] = hazards.recipients(session, project_id)
                reports += [{"hazard_id": hazard_id, "project_id": project_id,
                             "recipient": who, "recipient_org_id": org_id,
                             "reason": due[0].value, "due_at": due[1], "status": "pending",
                             "created_at": stamp, "channel": "", "note": "",
                             "reported_at": None, "reported_by_id": None, "document_id": None}
                            for who, org_id in recipients[project_id]]
            after = {key: p.get(key) for key in columns} | {"id": hazard_id}
            entries.append(audit.Pending("create", "hazards", hazard_id, after=after, note=note))
        session.execute(insert(HazardEvent.__table__), events)
        if reports:
            session.execute(insert(ExternalReport.__table__), reports)
        audit.record_many(session, actor, entries)
        ids += got
        meter.advance(len(batch), msg("已写入 {n} 条隐患", n=len(ids)))
    return ids


def _ids(session: Session, batch: list[_Row]) -> list[int]:
    """The ids of a batch just inserted, in its order, found by (project, external reference):
    unique, so no RETURNING is needed (SQLite's executemany stays one C loop)."""
    stmt = (select(Hazard.project_id, Hazard.external_ref, Hazard.id)
            .where(Hazard.external_ref.in_([r.number for r in batch])))
    found = {(pid, ref): hazard_id for pid, ref, hazard_id in session.execute(stmt)}
    return [found[(r.values["project_id"], r.number)] for r in batch]


def _event(hazard_id: int, kind: str, to_status: str | None, at: dt.datetime, actor: Actor,
           note: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"hazard_id": hazard_id, "kind": kind, "from_status": None, "to_status": to_status,
            "at": at, "user_id": actor.user_id, "note": note, "data": audit.jsonable(data),
            "document_id": None}
