"""The training page's reads: sessions filtered in SQL (ids, then rows), each project's half-year
status, emergency-plan help and drills across projects; a session's attendance saved in one unit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desktop.models import (
    Drill,
    EmergencyPlanAssist,
    Project,
    TrainingAttendance,
    TrainingPlan,
    TrainingSession,
)
from desktop.services import obligations, training
from desktop.services.context import Actor
from desktop.services.periods import Period, parse
from desktop.services.training import ASSIST_KINDS, BASES, HalfYearStatus, split_categories

_SORTS = {"date": TrainingSession.date, "topic": TrainingSession.topic,
          "trainer": TrainingSession.trainer}


@dataclass(frozen=True)
class ProjectChoice:
    id: int
    code: str
    name: str
    headcount_managers: int
    headcount_workers: int


@dataclass(frozen=True)
class SessionFilter:
    project_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    text: str = ""  # topic, trainer, location or targeted category
    centralized_only: bool = False


@dataclass(frozen=True)
class SessionListRow:
    id: int
    date: dt.date
    topic: str
    categories: tuple[str, ...]
    trainer: str
    duration_hours: Decimal
    location: str
    centralized: bool
    projects: str  # the attending projects' names, joined
    managers: int  # attendances (人次) over every project
    workers: int
    version: int


@dataclass(frozen=True)
class HalfYearRow:
    """One project's training in a half-year (C-4a/b/c), flattened for a table."""

    id: int  # the project id
    code: str
    name: str
    status: HalfYearStatus

    @property
    def basis_label(self) -> str:
        return BASES.get(self.status.basis, self.status.basis)


@dataclass(frozen=True)
class AssistListRow:
    id: int
    project_id: int
    project_name: str
    kind: str
    kind_label: str
    date: dt.date
    title: str
    summary: str


@dataclass(frozen=True)
class DrillListRow:
    id: int
    project_id: int
    project_name: str
    date: dt.date
    scenario: str
    location: str
    participants: int
    organiser: str
    observations: str
    evaluation: str
    findings: str
    improvements: str
    rating: str
    version: int

    @property
    def evaluated(self) -> bool:
        return bool(self.evaluation.strip())


def project_choices(session: Session) -> list[ProjectChoice]:
    """Every project (completed ones too: training is recorded after the fact), code order."""
    return [ProjectChoice(*r) for r in session.execute(select(
        Project.id, Project.code, Project.name, Project.headcount_managers,
        Project.headcount_workers).where(Project.deleted_at.is_(None)).order_by(Project.code))]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def session_ids(session: Session, flt: SessionFilter, *, sort: str = "date",
                descending: bool = True) -> list[int]:
    stmt = select(TrainingSession.id).where(TrainingSession.deleted_at.is_(None))
    if flt.project_id is not None:
        stmt = stmt.where(TrainingSession.id.in_(select(TrainingAttendance.session_id).where(
            TrainingAttendance.project_id == flt.project_id)))
    if flt.start is not None:
        stmt = stmt.where(TrainingSession.date >= flt.start)
    if flt.end is not None:
        stmt = stmt.where(TrainingSession.date <= flt.end)
    if flt.centralized_only:
        stmt = stmt.where(TrainingSession.centralized.is_(True))
    if flt.text.strip():
        like = f"%{_escape(flt.text.strip())}%"
        stmt = stmt.where(or_(*(c.like(like, escape="\\") for c in (
            TrainingSession.topic, TrainingSession.trainer, TrainingSession.location,
            TrainingSession.categories))))
    column = _SORTS.get(sort, TrainingSession.date)
    order = (column.desc(), TrainingSession.id.desc()) if descending \
        else (column, TrainingSession.id)
    return list(session.execute(stmt.order_by(*order)).scalars())


def session_rows(session: Session, ids: Sequence[int]) -> list[SessionListRow]:
    if not ids:
        return []
    sessions = session.execute(select(TrainingSession).where(
        TrainingSession.id.in_(ids))).scalars().all()
    attendance: dict[int, list[tuple[str, int, int]]] = {}
    for a, name in session.execute(select(TrainingAttendance, Project.name).join(
            Project, Project.id == TrainingAttendance.project_id)
            .where(TrainingAttendance.session_id.in_(ids)).order_by(Project.code)):
        attendance.setdefault(a.session_id, []).append((name, a.managers, a.workers))
    out = []
    for t in sessions:
        lines = attendance.get(t.id, [])
        out.append(SessionListRow(
            t.id, t.date, t.topic, split_categories(t.categories), t.trainer, t.duration_hours,
            t.location, t.centralized, "、".join(n for n, _m, _w in lines),
            sum(m for _n, m, _w in lines), sum(w for _n, _m, w in lines), t.version))
    return out


def halves(today: dt.date, *, back: int = 5) -> list[Period]:
    """The current half-year and the `back` before it, newest first."""
    year, half = today.year, 1 if today.month <= 6 else 2
    out = []
    for _ in range(back + 1):
        out.append(parse(f"{year}H{half}"))
        year, half = (year, 1) if half == 2 else (year - 1, 2)
    return out


def half_year_rows(session: Session, half: Period | str, *,
                   project_id: int | None = None) -> list[HalfYearRow]:
    """Every project served in the half-year (or the one asked for) with its training status."""
    half = parse(half) if isinstance(half, str) else half
    candidates = None if project_id is None else [project_id]
    pids = obligations.projects_in_service(session, half.start, half.end, candidates)
    statuses = training.half_year_statuses(session, half, pids)
    names = {r.id: (r.code, r.name) for r in session.execute(
        select(Project.id, Project.code, Project.name).where(Project.id.in_(pids)))}
    rows = [HalfYearRow(pid, *names[pid], statuses[pid]) for pid in pids]
    return sorted(rows, key=lambda r: r.code)


def plan_of(session: Session, project_id: int) -> training.TrainingPlanRow | None:
    """The project's current training plan, if one was set."""
    plan = session.execute(select(TrainingPlan).where(
        TrainingPlan.project_id == project_id, TrainingPlan.deleted_at.is_(None))
        .order_by(TrainingPlan.id.desc()).limit(1)).scalar_one_or_none()
    if plan is None:
        return None
    return training.TrainingPlanRow(plan.id, project_id, plan.basis, plan.planned_sessions,
                                    plan.topics, plan.note, plan.version)


def assist_rows(session: Session, *, project_id: int | None = None, start: dt.date | None = None,
                end: dt.date | None = None) -> list[AssistListRow]:
    """The help given, newest first; `start`/`end` (inclusive) limit it to the page's period."""
    stmt = select(EmergencyPlanAssist, Project.name).join(
        Project, Project.id == EmergencyPlanAssist.project_id).where(
        EmergencyPlanAssist.deleted_at.is_(None))
    if project_id is not None:
        stmt = stmt.where(EmergencyPlanAssist.project_id == project_id)
    if start is not None:
        stmt = stmt.where(EmergencyPlanAssist.date >= start)
    if end is not None:
        stmt = stmt.where(EmergencyPlanAssist.date <= end)
    return [AssistListRow(a.id, a.project_id, name, a.kind, ASSIST_KINDS.get(a.kind, a.kind),
                          a.date, a.title, a.summary)
            for a, name in session.execute(stmt.order_by(EmergencyPlanAssist.date.desc(),
                                                         EmergencyPlanAssist.id.desc()))]


def drill_rows(session: Session, *, project_id: int | None = None,
               ids: Sequence[int] | None = None) -> list[DrillListRow]:
    stmt = select(Drill, Project.name).join(Project, Project.id == Drill.project_id).where(
        Drill.deleted_at.is_(None))
    if project_id is not None:
        stmt = stmt.where(Drill.project_id == project_id)
    if ids is not None:
        stmt = stmt.where(Drill.id.in_(ids))
    return [DrillListRow(d.id, d.project_id, name, d.date, d.scenario, d.location, d.participants,
                         d.organiser, d.observations, d.evaluation, d.findings, d.improvements,
                         d.rating, d.version)
            for d, name in session.execute(stmt.order_by(Drill.date.desc(), Drill.id.desc()))]


def save_attendance(session: Session, actor: Actor, session_id: int,
                    items: Sequence[training.Attendance]) -> training.SessionRow:
    """Add or correct several projects' attendance at a session, all or nothing."""
    row = training.get_session(session, session_id)
    for item in items:
        row = training.set_attendance(session, actor, session_id, item)
    return row
