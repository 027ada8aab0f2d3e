"""The inspections screens: the agency-wide list (filters in SQL, ids then rows by window), an
inspection's findings, and the inspection dialog's save of a visit in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, func, or_, select
from sqlalchemy.orm import Session

from desktop.models import Hazard, Inspection, Project, RiskSourceCheck, User, inspection_inspectors
from desktop.models.enums import InspectionKind
from desktop.services import hazards, inspections
from desktop.services.context import Actor, Changes, ValidationError, msg, now
from desktop.services.hazards import HazardForm, HazardRow
from desktop.services.inspections import InspectionForm, InspectionRow

SORT_COLUMNS: dict[str, SQLColumnExpression[Any]] = {
    "date": Inspection.date,
    "kind": Inspection.kind,
    "project": Project.code,
}


@dataclass(frozen=True)
class InspectionFilter:
    text: str = ""  # project code or name
    project_id: int | None = None
    kinds: frozenset[str] = frozenset()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    inspector_id: int | None = None
    unconfirmed: bool = False  # not yet confirmed by both sides


@dataclass(frozen=True)
class InspectionListRow:
    id: int
    project_id: int
    project_code: str
    project_name: str
    date: dt.date
    kind: str
    stage_name: str
    inspectors: str
    hazards: int  # recorded during this inspection (cancelled ones excluded)
    sources_checked: int  # level-1/2 risk sources ticked as verified
    site_confirmed_by: str

    @property
    def kind_label(self) -> str:
        return InspectionKind(self.kind).label


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def where_clauses(flt: InspectionFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [Inspection.deleted_at.is_(None), Project.deleted_at.is_(None)]
    words = " ".join(flt.text.split())
    if words:
        pattern = f"%{_escape_like(words)}%"
        clauses.append(or_(Project.code.ilike(pattern, escape="\\"),
                           Project.name.ilike(pattern, escape="\\")))
    if flt.project_id is not None:
        clauses.append(Inspection.project_id == flt.project_id)
    if flt.kinds:
        clauses.append(Inspection.kind.in_(sorted(flt.kinds)))
    if flt.date_from is not None:
        clauses.append(Inspection.date >= flt.date_from)
    if flt.date_to is not None:
        clauses.append(Inspection.date <= flt.date_to)
    if flt.inspector_id is not None:
        clauses.append(Inspection.id.in_(select(inspection_inspectors.c.inspection_id).where(
            inspection_inspectors.c.user_id == flt.inspector_id)))
    if flt.unconfirmed:
        clauses.append(Inspection.site_confirmed_at.is_(None))
    return clauses


def inspection_ids(session: Session, flt: InspectionFilter, *, sort: str = "date",
                   descending: bool = True) -> list[int]:
    key = SORT_COLUMNS.get(sort)
    if key is None:
        raise ValueError(f"unknown sort column {sort!r}")
    order = [key.desc(), Inspection.id.desc()] if descending else [key.asc(), Inspection.id.asc()]
    return list(session.execute(
        select(Inspection.id).join(Project, Project.id == Inspection.project_id)
        .where(and_(*where_clauses(flt))).order_by(*order)).scalars())


def rows_by_ids(session: Session, ids: Sequence[int]) -> list[InspectionListRow]:
    """The rows for these ids, in the order given."""
    if not ids:
        return []
    wanted = list(ids)
    names: dict[int, list[str]] = {}
    for iid, name in session.execute(
            select(inspection_inspectors.c.inspection_id, User.display_name)
            .join(User, User.id == inspection_inspectors.c.user_id)
            .where(inspection_inspectors.c.inspection_id.in_(wanted)).order_by(User.id)):
        names.setdefault(iid, []).append(name)
    found = dict(session.execute(
        select(Hazard.inspection_id, func.count(Hazard.id)).where(
            Hazard.inspection_id.in_(wanted), Hazard.deleted_at.is_(None), Hazard.status != "cancelled")
        .group_by(Hazard.inspection_id)).all())
    checked = dict(session.execute(
        select(RiskSourceCheck.inspection_id, func.count(RiskSourceCheck.id)).where(
            RiskSourceCheck.inspection_id.in_(wanted), RiskSourceCheck.verified.is_(True))
        .group_by(RiskSourceCheck.inspection_id)).all())
    by_id = {}
    for r in session.execute(
            select(Inspection.id, Inspection.project_id, Project.code, Project.name, Inspection.date,
                   Inspection.kind, Inspection.stage_name, Inspection.site_confirmed_by)
            .join(Project, Project.id == Inspection.project_id).where(Inspection.id.in_(wanted))):
        by_id[r[0]] = InspectionListRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6],
                                        "、".join(names.get(r[0], ())), int(found.get(r[0], 0)),
                                        int(checked.get(r[0], 0)), r[7])
    return [by_id[i] for i in wanted if i in by_id]


def findings(session: Session, inspection_id: int) -> list[HazardRow]:
    """The hazards recorded during this inspection, in the order found."""
    inspections.get(session, inspection_id)
    return [hazards.row(h) for h in session.execute(select(Hazard).where(
        Hazard.inspection_id == inspection_id, Hazard.deleted_at.is_(None))
        .order_by(Hazard.found_at, Hazard.id)).scalars()]


# -- the inspection dialog's save ------------------------------------------------------------


@dataclass(frozen=True)
class SavedVisit:
    inspection: InspectionRow
    hazards: tuple[HazardRow, ...]
    changes: Changes


def save_visit(session: Session, actor: Actor, *, form: InspectionForm | None = None,
               inspection_id: int | None = None, ticks: dict[int, bool] | None = None,
               findings: Sequence[HazardForm] = ()) -> SavedVisit:
    """Record a new inspection (or add to one already recorded): the L1/L2 risk-source ticks
    and the hazards found, all in one transaction. A bad finding is named by its place in the
    list (`finding.<n>.<field>`) and nothing is written."""
    if (form is None) == (inspection_id is None):
        raise ValueError("pass either a new inspection's form or an inspection id")
    if form is not None:
        row = inspections.record(session, actor, form)
    else:
        assert inspection_id is not None  # one of the two, checked above
        row = inspections.get(session, inspection_id)
    if ticks:
        inspections.verify_sources(session, actor, row.id, ticks)
    found_at = None if row.date == now().date() else dt.datetime.combine(row.date, now().time())
    recorded: list[HazardRow] = []
    errors: dict[str, str] = {}
    for n, finding in enumerate(findings):
        try:
            recorded.append(hazards.record(session, actor, replace(
                finding, project_id=row.project_id, inspection_id=row.id,
                found_at=finding.found_at or found_at)))
        except ValidationError as exc:
            errors.update({f"finding.{n}.{k}": msg("第 {n} 条隐患：{problem}", n=n + 1, problem=v)
                           for k, v in exc.messages.items()})
    if errors:
        raise ValidationError(errors)
    changes = Changes().touch("inspections", row.id)
    if recorded:
        changes.touch("hazards", *(h.id for h in recorded))
        changes.touch("projects", row.project_id)
        if any(h.level == 1 or h.is_serious for h in recorded):
            changes.reports = True
    return SavedVisit(inspections.get(session, row.id), tuple(recorded), changes)
