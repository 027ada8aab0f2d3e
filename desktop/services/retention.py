"""How long archive items are kept (N-15): completion date plus the agency's retention years.

Below archive, projects and rules, which all change what the date follows from: a project's
completion date (projects), the rule itself (rules), an item (archive). It reads neither
service: the caller hands it the rule's value.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import ArchiveItem, Project
from desktop.models.enums import ArchiveStatus

MIN_RETENTION_YEARS = 5  # N-15: at least five years after completion; a setting may only add


def effective_years(setting: Any) -> int:
    """The rule `archive.retention_years` as applied: never below the legal minimum."""
    return max(MIN_RETENTION_YEARS, int(setting))


def retention_until(completion: dt.date | None, years: int) -> dt.date | None:
    """The day "at least `years` years" after completion have run: the same date `years` later;
    a completion on 29 February, whose date a common year lacks, runs to 1 March (the day after
    28 February), so the time kept is never short of the full years (2024-02-29 + 5 → 2029-03-01)."""
    if completion is None:
        return None
    try:
        return completion.replace(year=completion.year + years)
    except ValueError:
        return dt.date(completion.year + years, 3, 1)


def refresh_project(session: Session, project: Project, setting: Any) -> int:
    """Recompute retention_until of the project's items (call when its completion date is set).

    The date follows from the project's completion date and the agency rule, both audited
    where they change, so the recomputation itself writes no audit entry. Returns the count
    of items whose date changed.
    """
    until = retention_until(project.completion_date, effective_years(setting))
    changed = 0
    for item in session.execute(select(ArchiveItem).where(
            ArchiveItem.project_id == project.id, ArchiveItem.status != ArchiveStatus.DESTROYED,
            ArchiveItem.deleted_at.is_(None))).scalars():
        if item.retention_until != until:
            item.retention_until = until
            changed += 1
    return changed


def refresh_all(session: Session, setting: Any) -> int:
    """Recompute every project's items (after the retention rule was lengthened)."""
    ids = session.execute(select(ArchiveItem.project_id).where(
        ArchiveItem.status != ArchiveStatus.DESTROYED).distinct()).scalars().all()
    return sum(refresh_project(session, project, setting) for project in session.execute(
        select(Project).where(Project.id.in_(ids)).order_by(Project.id)).scalars())
