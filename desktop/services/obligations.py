"""The notice's recurring obligations checked against the data (N-02, N-03, N-04, N-07, N-13, N-15).

Each function returns the ids of what is missing, so the dashboard counts them, the
register and lists filter by them, and the self-check names them as gaps.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from desktop.models import (
    ArchiveItem, ExternalReport, Hazard, Inspection, Project, RiskSource, RiskSourceCheck,
    TrainingAttendance, TrainingSession,
)
from desktop.models.enums import InspectionKind, ProjectStatus
from desktop.services import rules
from desktop.services.hazards import OPEN_STATES
from desktop.services.periods import Period


def _active_projects():  # type: ignore[no-untyped-def]
    return and_(Project.deleted_at.is_(None), Project.status != ProjectStatus.COMPLETED.value)


def hazards_unreported_level1(session: Session) -> list[int]:
    """Level-1 hazards with a same-day report still pending (N-07)."""
    return list(session.execute(
        select(ExternalReport.hazard_id).where(
            ExternalReport.status == "pending", ExternalReport.reason == "level1_same_day")
        .group_by(ExternalReport.hazard_id).order_by(ExternalReport.hazard_id)
    ).scalars())


def pending_reports_overdue(session: Session, moment: dt.datetime) -> list[int]:
    """Reports of any reason whose due time has passed (ids of ExternalReport)."""
    return list(session.execute(select(ExternalReport.id).where(
        ExternalReport.status == "pending", ExternalReport.due_at < moment)).scalars())


def overdue_hazards_count(session: Session, today: dt.date) -> int:
    return session.execute(select(func.count(Hazard.id)).where(
        Hazard.status.in_([s.value for s in OPEN_STATES]), Hazard.deadline < today,
        Hazard.deleted_at.is_(None))).scalar_one()


def projects_without_full_inspection(session: Session, period: Period) -> list[int]:
    """Active projects with no full-coverage inspection in the quarter (N-03)."""
    has_full = exists().where(
        Inspection.project_id == Project.id, Inspection.kind == InspectionKind.FULL.value,
        Inspection.date.between(period.start, period.end), Inspection.deleted_at.is_(None))
    started = (Project.service_contract_date.is_(None)) | (Project.service_contract_date <= period.end)
    return list(session.execute(select(Project.id).where(_active_projects(), started, ~has_full)
                                .order_by(Project.id)).scalars())


def projects_without_first_inspection(session: Session, today: dt.date) -> list[int]:
    """Projects whose contract is older than the allowed delay and that have no first
    risk identification yet (N-02)."""
    days = int(rules.get(session, "first_inspection_days"))
    has_first = exists().where(
        Inspection.project_id == Project.id, Inspection.kind == InspectionKind.FIRST.value,
        Inspection.deleted_at.is_(None))
    return list(session.execute(select(Project.id).where(
        _active_projects(), Project.service_contract_date.is_not(None),
        Project.service_contract_date < today - dt.timedelta(days=days), ~has_first,
    ).order_by(Project.id)).scalars())


def risk_sources_never_verified(session: Session) -> list[int]:
    """Active level-1/2 risk sources of active projects never ticked as verified (N-04)."""
    verified = exists().where(RiskSourceCheck.risk_source_id == RiskSource.id,
                              RiskSourceCheck.verified.is_(True))
    return list(session.execute(
        select(RiskSource.id).join(Project, Project.id == RiskSource.project_id).where(
            _active_projects(), RiskSource.level <= 2, RiskSource.active.is_(True),
            RiskSource.deleted_at.is_(None), ~verified).order_by(RiskSource.id)).scalars())


def projects_without_training(session: Session, half: Period) -> list[int]:
    """Active projects with no training attended in this half-year (N-13)."""
    trained = exists().where(
        TrainingAttendance.project_id == Project.id,
        TrainingAttendance.session_id == TrainingSession.id,
        TrainingSession.date.between(half.start, half.end), TrainingSession.deleted_at.is_(None))
    return list(session.execute(select(Project.id).where(_active_projects(), ~trained)
                                .order_by(Project.id)).scalars())


def archive_items_due(session: Session, today: dt.date) -> list[int]:
    """Archive items whose retention has run out and that await a destruction decision (N-15)."""
    return list(session.execute(select(ArchiveItem.id).where(
        ArchiveItem.status == "active", ArchiveItem.retention_until.is_not(None),
        ArchiveItem.retention_until <= today, ArchiveItem.deleted_at.is_(None))
        .order_by(ArchiveItem.retention_until)).scalars())
