"""Watching a project's risk between assessments: the next visit its level calls for, and the
changes of risk factors since its latest assessment that call for a new one (待重新评估).

A risk factor changed when, since the latest assessment: a 超危大 item started or ended (the
items the assessment saw under construction differ from those under construction now), an
accident was recorded, or a level-1 hazard was recorded. A new assessment (computed or set by
hand) clears the prompt, because it is then the latest and saw the change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop import clock
from desktop.messages import Message
from desktop.models import AuditEntry, DangerItem, Hazard, Incident, Project, RiskAssessment
from desktop.models.base import CreatedMixin
from desktop.models.enums import IncidentKind, ProjectStatus
from desktop.services import risk
from desktop.services.context import msg, now
from desktop.services.projects import load as load_project

ACCIDENTS = (IncidentKind.GENERAL_ACCIDENT.value, IncidentKind.LARGER_ACCIDENT.value)


@dataclass(frozen=True)
class Trigger:
    kind: str  # super_danda / accident / level1_hazard
    text: Message
    day: dt.date | None
    ref_type: str
    ref_id: int


@dataclass(frozen=True)
class Watch:
    project_id: int
    level: str | None
    assessed_at: dt.datetime | None
    visit: risk.VisitDue | None  # None: the project is not under construction
    triggers: tuple[Trigger, ...]

    @property
    def needs_reassessment(self) -> bool:
        return bool(self.triggers)


def _latest(session: Session, project_ids: list[int] | None) -> dict[int, RiskAssessment]:
    newest = select(RiskAssessment.project_id, func.max(RiskAssessment.id).label("aid")) \
        .group_by(RiskAssessment.project_id).subquery()
    stmt = select(RiskAssessment).join(newest, newest.c.aid == RiskAssessment.id)
    if project_ids is not None:
        stmt = stmt.where(RiskAssessment.project_id.in_(project_ids))
    return {a.project_id: a for a in session.execute(stmt).scalars()}


def _seen(a: RiskAssessment, code: str) -> set[int]:
    return {int(i) for f in (a.factors or []) if f.get("code") == code for i in f.get("ref_ids") or ()}


def _recorded(session: Session, entity: str, ids: list[int]) -> dict[int, int]:
    """The audit entry that recorded each row's creation: the log's order is the order things
    were recorded in, to the entry, where timestamps of one second could tie."""
    out: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        out.update((row_id, entry) for row_id, entry in session.execute(
            select(AuditEntry.entity_id, func.min(AuditEntry.id)).where(
                AuditEntry.entity == entity, AuditEntry.entity_id.in_(ids[start:start + 500]),
                AuditEntry.action == "create").group_by(AuditEntry.entity_id)) if row_id is not None)
    return out


def _after(row: CreatedMixin, entry: int | None, a_entry: int | None, since: dt.datetime) -> bool:
    """Recorded after the assessment: by the audit log when both entries are there, else by
    the bookkeeping time (rows written without an entry, e.g. demo data)."""
    if entry is not None and a_entry is not None:
        return entry > a_entry
    return row.created_at >= since


def triggers(session: Session, project_ids: list[int] | None = None) -> dict[int, list[Trigger]]:
    """Projects (assessed, not deleted) with risk factors changed since their latest assessment."""
    latest = _latest(session, project_ids)
    live = set(session.execute(select(Project.id).where(
        Project.id.in_(list(latest)), Project.deleted_at.is_(None),
        Project.status != ProjectStatus.COMPLETED.value)).scalars()) if latest else set()
    latest = {pid: a for pid, a in latest.items() if pid in live}
    if not latest:
        return {}
    pids = list(latest)
    since = {pid: clock.to_utc(a.assessed_at) for pid, a in latest.items()}
    # only rows recorded since the earliest of these assessments can be newer (a second's margin
    # for the ties the audit order settles)
    earliest = min(since.values()) - dt.timedelta(seconds=1)
    a_entries = _recorded(session, "risk_assessments", [a.id for a in latest.values()])
    a_entry = {pid: a_entries.get(a.id) for pid, a in latest.items()}
    out: dict[int, list[Trigger]] = {}
    items = session.execute(select(DangerItem).where(
        DangerItem.project_id.in_(pids), DangerItem.is_super.is_(True))).scalars().all()
    for item in items:
        seen = item.id in _seen(latest[item.project_id], "super_danda_in_progress")
        now_on = item.status == "in_progress" and item.deleted_at is None
        if seen == now_on:
            continue
        if now_on:
            t = Trigger("super_danda", msg("超危大工程“{name}”开始施工", name=item.name),
                        item.actual_start, "danger_items", item.id)
        elif item.status == "done" and item.deleted_at is None:
            t = Trigger("super_danda", msg("超危大工程“{name}”施工完成", name=item.name),
                        item.actual_end, "danger_items", item.id)
        else:
            t = Trigger("super_danda", msg("超危大工程“{name}”不再施工", name=item.name),
                        None, "danger_items", item.id)
        out.setdefault(item.project_id, []).append(t)
    incidents = session.execute(select(Incident).where(
        Incident.project_id.in_(pids), Incident.deleted_at.is_(None), Incident.created_at >= earliest,
        Incident.kind.in_(ACCIDENTS)).order_by(Incident.occurred_on, Incident.id)).scalars().all()
    entries = _recorded(session, "incidents", [i.id for i in incidents])
    for i in incidents:
        a = latest[i.project_id]
        if _after(i, entries.get(i.id), a_entry[i.project_id], since[i.project_id]) and i.id not in (
                _seen(a, "fatal_accident") | _seen(a, "recent_accident")):
            out.setdefault(i.project_id, []).append(Trigger(
                "accident", msg("{day} 发生{kind}", day=i.occurred_on, kind=IncidentKind(i.kind).label),
                i.occurred_on, "incidents", i.id))
    found = session.execute(select(Hazard).where(
        Hazard.project_id.in_(pids), Hazard.level == 1, Hazard.deleted_at.is_(None),
        Hazard.created_at >= earliest, Hazard.status != "cancelled").order_by(Hazard.found_date, Hazard.id)).scalars().all()
    entries = _recorded(session, "hazards", [h.id for h in found])
    for h in found:
        if _after(h, entries.get(h.id), a_entry[h.project_id], since[h.project_id]) and \
                h.id not in _seen(latest[h.project_id], "open_level1_hazard"):
            out.setdefault(h.project_id, []).append(Trigger(
                "level1_hazard", msg("发现一级隐患 {number}（{day}）", number=h.number, day=h.found_date),
                h.found_date, "hazards", h.id))
    return out


def watch(session: Session, project_id: int, *, today: dt.date | None = None) -> Watch:
    """The project page's view: next visit by level and last inspection, and the prompt."""
    today = today or now().date()
    project = load_project(session, project_id)
    visits = risk.visit_schedule(session, today=today, project_ids=[project_id])
    visit = visits[0] if visits and project.status == ProjectStatus.ACTIVE.value else None
    latest = _latest(session, [project_id]).get(project_id)
    return Watch(project_id, project.risk_level, latest.assessed_at if latest else None, visit,
                 tuple(triggers(session, [project_id]).get(project_id, [])))


def visits_overdue(session: Session, today: dt.date,
                   project_ids: list[int] | None = None) -> list[risk.VisitDue]:
    """Projects whose visit due by their risk level has passed (the self-check and the
    dashboard both ask this)."""
    return risk.visit_schedule(session, today=today, overdue_only=True, project_ids=project_ids)


__all__ = ["Trigger", "Watch", "triggers", "visits_overdue", "watch"]
