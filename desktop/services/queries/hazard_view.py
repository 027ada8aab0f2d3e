"""What the hazard dialog and the hazard page show: projects to choose from, one hazard in full."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from desktop.models import Hazard, Project, User
from desktop.models.enums import InspectionKind, ProjectStatus
from desktop.services import catalogues, documents, hazards, inspections
from desktop.services.catalogues import CatalogueItemRow
from desktop.services.documents import DocumentRow
from desktop.services.exchange import attachments
from desktop.services.exchange.attachments import AttachmentRow
from desktop.services.hazards import EventRow, HazardRow, ReportRow
from desktop.services.queries.doc_data import org_names


@dataclass(frozen=True)
class ProjectChoice:
    id: int
    code: str
    name: str
    status: str
    contractor_id: int | None
    supervisor_id: int | None


@dataclass(frozen=True)
class InspectionChoice:
    id: int
    date: dt.date
    kind: str

    @property
    def kind_label(self) -> str:
        return InspectionKind(self.kind).label


@dataclass(frozen=True)
class HazardDetail:
    """A hazard with the names behind its ids, for display and for the edit form."""

    row: HazardRow
    project_name: str
    project_code: str
    found_at: dt.datetime
    measures: str
    contingency: str
    responsible_unit_id: int | None
    responsible_unit: str
    responsible_person: str
    supervising_unit_id: int | None
    supervising_unit: str
    inspection: InspectionChoice | None
    catalogue_item: CatalogueItemRow | None
    repeat_of_id: int | None
    repeat_of_number: str
    created_by: str


@dataclass(frozen=True)
class TimelineEntry:
    event: EventRow
    who: str


@dataclass(frozen=True)
class HazardPageData:
    """Everything the hazard page shows, read in one session."""

    detail: HazardDetail
    timeline: tuple[TimelineEntry, ...]
    reports: tuple[ReportRow, ...]
    photos: tuple[AttachmentRow, ...]
    documents: tuple[DocumentRow, ...]

    @property
    def pending_reports(self) -> tuple[ReportRow, ...]:
        return tuple(r for r in self.reports if r.status == "pending")


def project_choices(session: Session) -> list[ProjectChoice]:
    """Every live project, those under construction first, then by name (a few thousand)."""
    active_first = case((Project.status == ProjectStatus.ACTIVE.value, 0), else_=1)
    stmt = (select(Project.id, Project.code, Project.name, Project.status, Project.contractor_id,
                   Project.supervisor_id)
            .where(Project.deleted_at.is_(None)).order_by(active_first, Project.name))
    return [ProjectChoice(*r) for r in session.execute(stmt)]


def inspection_choices(session: Session, project_id: int) -> list[InspectionChoice]:
    return [InspectionChoice(i.id, i.date, i.kind)
            for i in inspections.list_for_project(session, project_id)]


def _names(session: Session, user_ids: set[int | None]) -> dict[int, str]:
    wanted = {u for u in user_ids if u is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all())


def detail(session: Session, hazard_id: int) -> HazardDetail:
    h = hazards.load(session, hazard_id)
    project = session.get_one(Project, h.project_id)
    units = org_names(session, (h.responsible_unit_id, h.supervising_unit_id))
    inspection = None
    if h.inspection_id is not None:
        found = inspections.get(session, h.inspection_id)
        inspection = InspectionChoice(found.id, found.date, found.kind)
    item = catalogues.get_item(session, h.catalogue_item_id) if h.catalogue_item_id else None
    earlier = session.get(Hazard, h.repeat_of_id) if h.repeat_of_id else None
    return HazardDetail(
        row=hazards.row(h), project_name=project.name, project_code=project.code,
        found_at=h.found_at, measures=h.measures, contingency=h.contingency,
        responsible_unit_id=h.responsible_unit_id,
        responsible_unit=units.get(h.responsible_unit_id, ""),
        responsible_person=h.responsible_person, supervising_unit_id=h.supervising_unit_id,
        supervising_unit=units.get(h.supervising_unit_id, ""), inspection=inspection,
        catalogue_item=item, repeat_of_id=h.repeat_of_id,
        repeat_of_number=earlier.number if earlier is not None else "",
        created_by=_names(session, {h.created_by_id}).get(h.created_by_id or 0, ""))


def timeline(session: Session, hazard_id: int) -> list[TimelineEntry]:
    events = hazards.events(session, hazard_id)
    names = _names(session, {e.user_id for e in events})
    return [TimelineEntry(e, names.get(e.user_id or 0, "")) for e in events]


def page_data(session: Session, hazard_id: int) -> HazardPageData:
    return HazardPageData(
        detail(session, hazard_id), tuple(timeline(session, hazard_id)),
        tuple(hazards.reports(session, hazard_id)),
        tuple(attachments.list_for(session, "hazard", hazard_id)),
        tuple(documents.register(session, scope_type="hazard", scope_id=hazard_id)))
