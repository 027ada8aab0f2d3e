"""The notice's recurring obligations checked against the data (N-02, N-03, N-04, N-07, N-13, N-15).

Each function returns the ids of what is missing, so the dashboard counts them, the
register and lists filter by them, and the self-check names them as gaps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import ColumnElement, ScalarSelect, and_, exists, func, select
from sqlalchemy.orm import Session

from desktop import clock
from desktop.models import (
    ArchiveItem,
    AuditEntry,
    ExternalReport,
    Hazard,
    Inspection,
    Policy,
    Project,
    RiskSource,
    RiskSourceCheck,
    TrainingAttendance,
    TrainingSession,
)
from desktop.models.enums import InspectionKind, ProjectStatus
from desktop.services import rules, training_rule
from desktop.services.hazards import OPEN_STATES, overdue_clause
from desktop.services.periods import Period, owed_in


def _active_projects() -> ColumnElement[bool]:
    return and_(Project.deleted_at.is_(None), Project.status != ProjectStatus.COMPLETED.value)


def hazards_unreported_level1(session: Session) -> list[int]:
    """Level-1 hazards with a same-day report still pending (N-07)."""
    return [hid for hid in session.execute(
        select(ExternalReport.hazard_id).where(
            ExternalReport.status == "pending", ExternalReport.reason == "level1_same_day")
        .group_by(ExternalReport.hazard_id).order_by(ExternalReport.hazard_id)
    ).scalars() if hid is not None]


def pending_reports_overdue(session: Session, moment: dt.datetime) -> list[int]:
    """Reports of any reason whose due time has passed (ids of ExternalReport)."""
    return list(session.execute(select(ExternalReport.id).where(
        ExternalReport.status == "pending", ExternalReport.due_at < moment)).scalars())


def overdue_hazards_count(session: Session, today: dt.date) -> int:
    return session.execute(select(func.count(Hazard.id)).where(
        overdue_clause(today), Hazard.deleted_at.is_(None))).scalar_one()


# `days`, in the functions below: the N-02 allowance (rule first_inspection_days), for a caller
# that has read it already (the dashboard reads it once for its three cards)


def projects_without_full_inspection(session: Session, period: Period, *, days: int | None = None) -> list[int]:
    """Active projects owing the quarter a full-coverage inspection and without one (N-03): the
    self-check's rule (full_inspection_missing, with its waiver `owed_in`) for the projects under
    service not completed. While the quarter runs, none of them is late yet."""
    started = (Project.service_contract_date.is_(None)) | (Project.service_contract_date <= period.end)
    return full_inspection_missing(session, period, owing(session, period, started, days=days))


def owing(session: Session, period: Period, *where: ColumnElement[bool], days: int | None = None) -> list[int]:
    """The active projects (and `where`) that owe a periodic duty for the period — a quarter's
    full-coverage inspection, a half-year's training — by the self-check's waiver (`owed_in`:
    a service too short inside the period owes none), in id order."""
    days = int(rules.get(session, "first_inspection_days")) if days is None else days
    rows = session.execute(select(Project.id, Project.service_contract_date, Project.start_date,
                                  Project.completion_date).where(_active_projects(), *where)
                           .order_by(Project.id))
    return [pid for pid, contract, start, done in rows if owed_in(period, contract or start, done, days)]


def projects_without_first_inspection(session: Session, today: dt.date, *, days: int | None = None) -> list[int]:
    """Projects under service past the allowed delay with no first risk identification yet
    (N-02): the self-check's rule, for the projects not completed."""
    active = list(session.execute(select(Project.id).where(_active_projects())).scalars())
    return first_inspection_missing(session, today, active, days=days)


def policy_start() -> ScalarSelect[dt.date | None]:
    """The project's earliest policy start (a correlated scalar)."""
    return select(func.min(Policy.start_date)).where(
        Policy.project_id == Project.id, Policy.deleted_at.is_(None)).scalar_subquery()


def first_identification_basis() -> ColumnElement[dt.date | None]:
    """The day the first-identification allowance counts from (N-02): the service contract's
    signing, or — when no contract date was recorded — the policy's start."""
    return func.coalesce(Project.service_contract_date, policy_start())


def counted_from_policy(session: Session, project_ids: list[int]) -> dict[int, dt.date]:
    """Of these projects, those without a contract date whose allowance counts from the policy
    start: project id -> that start."""
    if not project_ids:
        return {}
    return {pid: day for pid, day in session.execute(select(Project.id, policy_start()).where(
        Project.id.in_(project_ids), Project.service_contract_date.is_(None))) if day is not None}


def risk_sources_never_verified(session: Session) -> list[int]:
    """Active level-1/2 risk sources of active projects never ticked as verified (N-04)."""
    verified = exists().where(RiskSourceCheck.risk_source_id == RiskSource.id,
                              RiskSourceCheck.verified.is_(True))
    return list(session.execute(
        select(RiskSource.id).join(Project, Project.id == RiskSource.project_id).where(
            _active_projects(), RiskSource.level <= 2, RiskSource.active.is_(True),
            RiskSource.deleted_at.is_(None), ~verified).order_by(RiskSource.id)).scalars())


def projects_without_training(session: Session, half: Period, *, days: int | None = None) -> list[int]:
    """Active projects owing the half-year its training (the self-check's waiver `owed_in`) whose
    training in it falls short of the rule so far (N-13): the plan's number of sessions, else one
    centralised session — the self-check's reading (services/training_rule.py)."""
    return training_rule.unmet(session, half, owing(session, half, days=days))


def archive_items_due(session: Session, today: dt.date) -> list[int]:
    """Archive items whose retention has run out and that await a destruction decision (N-15)."""
    return list(session.execute(select(ArchiveItem.id).where(
        ArchiveItem.status == "active", ArchiveItem.retention_until.is_not(None),
        ArchiveItem.retention_until <= today, ArchiveItem.deleted_at.is_(None))
        .order_by(ArchiveItem.retention_until)).scalars())


# -- period-aware variants for the self-check (issue 5): the same rules, for a given list of
# -- projects and a past or current period, so a project completed since still counts.


def projects_in_service(session: Session, start: dt.date, end: dt.date,
                        project_ids: list[int] | None = None) -> list[int]:
    """Projects the agency served at some time between start and end (inclusive)."""
    stmt = select(Project.id).where(
        Project.deleted_at.is_(None),
        (Project.service_contract_date.is_(None)) | (Project.service_contract_date <= end),
        (Project.completion_date.is_(None)) | (Project.completion_date >= start),
    ).order_by(Project.id)
    if project_ids is not None:
        stmt = stmt.where(Project.id.in_(project_ids))
    return list(session.execute(stmt).scalars())


def served(projects: Iterable[Project], start: dt.date, end: dt.date) -> list[int]:
    """projects_in_service's rule over projects already loaded (live ones), for a caller that
    asks it of many periods: the ids, in order."""
    return sorted(p.id for p in projects if p.deleted_at is None
                  and (p.service_contract_date is None or p.service_contract_date <= end)
                  and (p.completion_date is None or p.completion_date >= start))


def first_inspection_missing(session: Session, as_of: dt.date, project_ids: list[int], *,
                             days: int | None = None) -> list[int]:
    """Of these projects, those past the N-02 allowance with no first identification by as_of."""
    days = int(rules.get(session, "first_inspection_days")) if days is None else days
    has_first = exists().where(
        Inspection.project_id == Project.id, Inspection.kind == InspectionKind.FIRST.value,
        Inspection.date <= as_of, Inspection.deleted_at.is_(None))
    basis = first_identification_basis()
    return list(session.execute(select(Project.id).where(
        Project.id.in_(project_ids), basis.is_not(None),
        basis < as_of - dt.timedelta(days=days), ~has_first,
    ).order_by(Project.id)).scalars())


def overdue_hazards(session: Session, last: dt.date, project_ids: list[int] | None = None,
                    levels: tuple[int, ...] = (1, 2, 3, 4)) -> list[tuple[int, int]]:
    """Hazards whose rectification deadline had passed by `last` while still open at its end
    (N-10): (hazard id, level). Closed since then, they still count for a past day; cancelled
    and deleted ones never do. The dashboard (last = today), the self-check's C-6 items and the
    periodic safety analysis count the same hazards."""
    stmt = select(Hazard.id, Hazard.level).where(*overdue_where(last, levels)).order_by(Hazard.id)
    if project_ids is not None:
        stmt = stmt.where(Hazard.project_id.in_(project_ids))
    return [(hid, level) for hid, level in session.execute(stmt)]


def overdue_where(last: dt.date, levels: tuple[int, ...] = (1, 2, 3, 4)) -> list[ColumnElement[bool]]:
    """The conditions of `overdue_hazards` on the hazards table, for a statement that reads more
    of each overdue hazard than its id (the self-check's C-6 items)."""
    still_open: ColumnElement[bool] = Hazard.status.in_([s.value for s in OPEN_STATES])
    wall_cutoff = dt.datetime.combine(last + dt.timedelta(days=1), dt.time())
    if wall_cutoff <= clock.wall_now():
        still_open = still_open | ((Hazard.status == "closed") & (Hazard.closed_at >= wall_cutoff))
    return [Hazard.deleted_at.is_(None), Hazard.status != "cancelled", Hazard.found_date <= last,
            Hazard.deadline < last, Hazard.level.in_(levels), still_open]


def full_inspection_missing(session: Session, quarter: Period, project_ids: list[int]) -> list[int]:
    """Of these projects, those with no full-coverage inspection in the quarter (N-03)."""
    has_full = exists().where(
        Inspection.project_id == Project.id, Inspection.kind == InspectionKind.FULL.value,
        Inspection.date.between(quarter.start, quarter.end), Inspection.deleted_at.is_(None))
    return list(session.execute(select(Project.id).where(Project.id.in_(project_ids), ~has_full)
                                .order_by(Project.id)).scalars())


def risk_source_verification(session: Session, period: Period,
                             project_ids: list[int]) -> dict[int, tuple[list[int], set[int]]]:
    """Per project: its level-1/2 sources as they stood at the period's end — existing by then,
    active then, at their level then — and those verified in a full-coverage inspection dated
    within the period (N-04). A source deactivated or lowered later still counts for the
    periods before; one added later does not change them."""
    out: dict[int, tuple[list[int], set[int]]] = {pid: ([], set()) for pid in project_ids}
    for pid, sid, _level in sorted(sources_as_of(session, period.end, project_ids),
                                   key=lambda s: (s[2], s[1])):
        out[pid][0].append(sid)
    for pid, sid in session.execute(
            select(RiskSource.project_id, RiskSourceCheck.risk_source_id)
            .join(RiskSource, RiskSource.id == RiskSourceCheck.risk_source_id)
            .join(Inspection, Inspection.id == RiskSourceCheck.inspection_id).where(
                RiskSource.project_id.in_(project_ids), RiskSourceCheck.verified.is_(True),
                Inspection.kind == InspectionKind.FULL.value, Inspection.deleted_at.is_(None),
                Inspection.project_id == RiskSource.project_id,
                Inspection.date.between(period.start, period.end))):
        out[pid][1].add(sid)
    return out


def sources_as_of(session: Session, day: dt.date, project_ids: list[int], *,
                  levels: tuple[int, ...] = (1, 2)) -> list[tuple[int, int, int]]:
    """(project, source, level) of the sources that existed by the end of `day` and were active
    then at one of `levels`. The source row holds today's state; what it was at the end of
    `day` is read back from the audit log, which records every activation, deactivation and
    level change (`risk_sources.set_active` / `update`): the first change after that moment
    says, in its `before`, what the source was until then."""
    wanted = (RiskSource.project_id.in_(project_ids), RiskSource.deleted_at.is_(None), existed_by(day))
    rows = session.execute(select(RiskSource.id, RiskSource.project_id, RiskSource.level,
                                  RiskSource.active).where(*wanted)).all()
    if not rows:
        return []
    state = {sid: {"level": level, "active": active} for sid, _pid, level, active in rows}
    cutoff = clock.to_utc(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
    settled: set[tuple[int, str]] = set()
    for sid, before in session.execute(select(AuditEntry.entity_id, AuditEntry.before).where(
            AuditEntry.entity == RiskSource.__tablename__,
            AuditEntry.entity_id.in_(select(RiskSource.id).where(*wanted)),
            AuditEntry.created_at >= cutoff).order_by(AuditEntry.id)):
        for key in ("level", "active"):
            if isinstance(before, dict) and key in before and (sid, key) not in settled:
                state[sid][key] = before[key]
                settled.add((sid, key))
    return [(pid, sid, int(state[sid]["level"])) for sid, pid, _level, _active in rows
            if state[sid]["active"] and int(state[sid]["level"]) in levels]


def existed_by(day: dt.date) -> ColumnElement[bool]:
    """The risk source existed by the end of `day` (agency time): recorded by then (created_at
    is stored in UTC) or checked in an inspection dated by then. A source added later does not
    change the verdict on a period already past."""
    checked = exists().where(
        RiskSourceCheck.risk_source_id == RiskSource.id, Inspection.id == RiskSourceCheck.inspection_id,
        Inspection.date <= day, Inspection.deleted_at.is_(None))
    next_midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    return (RiskSource.created_at < clock.to_utc(next_midnight)) | checked


def level1_not_reported_same_day(session: Session, start: dt.date, end: dt.date,
                                 project_ids: list[int]) -> dict[int, list[str]]:
    """Level-1 hazards found between start and end whose insurer or authority report was not
    made on the day found (N-07): hazard id -> the recipients missed."""
    found = dict(session.execute(select(Hazard.id, Hazard.found_date).where(
        Hazard.project_id.in_(project_ids), Hazard.level == 1, Hazard.deleted_at.is_(None),
        Hazard.status != "cancelled", Hazard.found_date.between(start, end))).all())
    in_time: dict[int, set[str]] = {hid: set() for hid in found}
    for hid, recipient, reported in session.execute(select(
            ExternalReport.hazard_id, ExternalReport.recipient, ExternalReport.reported_at).where(
            ExternalReport.hazard_id.in_(list(found)), ExternalReport.status == "done",
            ExternalReport.reason == "level1_same_day")):
        if hid is not None and reported is not None and reported.date() <= found[hid]:
            in_time[hid].add(recipient)
    return {hid: [r for r in ("insurer", "authority") if r not in got]
            for hid, got in in_time.items() if not {"insurer", "authority"} <= got}


def untrained_in(session: Session, half: Period, project_ids: list[int]) -> list[int]:
    """Of these projects, those with no training attended in the half-year (N-13)."""
    trained = exists().where(
        TrainingAttendance.project_id == Project.id,
        TrainingAttendance.session_id == TrainingSession.id,
        TrainingSession.date.between(half.start, half.end), TrainingSession.deleted_at.is_(None))
    return list(session.execute(select(Project.id).where(Project.id.in_(project_ids), ~trained)
                                .order_by(Project.id)).scalars())


def without_archive(session: Session, as_of: dt.date, project_ids: list[int]) -> list[int]:
    """Of these projects, those with nothing filed in the archive ledger by as_of (N-15)."""
    filed = exists().where(ArchiveItem.project_id == Project.id, ArchiveItem.filed_at <= as_of,
                           ArchiveItem.deleted_at.is_(None))
    return list(session.execute(select(Project.id).where(Project.id.in_(project_ids), ~filed)
                                .order_by(Project.id)).scalars())
