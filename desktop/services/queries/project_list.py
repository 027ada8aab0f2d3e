"""The projects screens' reads: the filtered list (ids, then rows by window), the detail overview,
the service plans, and the project dialog's save of a whole project in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from desktop.models import Hazard, Inspection, Organisation, Policy, Project, ServicePlan, User
from desktop.models.enums import ProjectStatus, RiskLevel
from desktop.services import organisations, projects
from desktop.services.context import Actor, Changes, ValidationError, msg, now
from desktop.services.hazards import OPEN_STATES

UNASSESSED = "unassessed"  # risk-level filter value for projects never graded
_OPEN = [s.value for s in OPEN_STATES]
_RISK_ORDER = case({"high": 0, "medium": 1, "low": 2}, value=Project.risk_level, else_=3)
SORT_COLUMNS = {
    "code": Project.code,
    "name": Project.name,
    "district": Project.district,
    "status": Project.status,
    "risk_level": _RISK_ORDER,
    "start_date": func.coalesce(Project.start_date, dt.date(1900, 1, 1)),
}


@dataclass(frozen=True)
class ProjectFilter:
    text: str = ""  # code, name or address
    insurer_id: int | None = None
    authority_id: int | None = None
    district: str = ""
    statuses: frozenset[str] = frozenset()
    risk_levels: frozenset[str] = frozenset()  # high / medium / low / UNASSESSED


@dataclass(frozen=True)
class ProjectListRow:
    id: int
    code: str
    name: str
    district: str
    address: str
    status: str
    risk_level: str | None
    insurer: str
    authority: str
    contractor: str
    start_date: dt.date | None
    open_hazards: int
    overdue_hazards: int
    last_inspection: dt.date | None

    @property
    def status_label(self) -> str:
        return ProjectStatus(self.status).label

    @property
    def risk_level_label(self) -> str:
        return RiskLevel(self.risk_level).label if self.risk_level else "未评定"


@dataclass(frozen=True)
class FilterOptions:
    insurers: tuple[tuple[int, str], ...]
    authorities: tuple[tuple[int, str], ...]
    districts: tuple[str, ...]


@dataclass(frozen=True)
class ProjectChoice:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class ServicePlanRow:
    id: int
    kind: str
    revision: int
    title: str
    status: str
    visit_interval_days: int | None
    document_id: int | None
    created_at: dt.datetime | None


@dataclass(frozen=True)
class ProjectOverview:
    detail: projects.ProjectDetail
    org_names: dict[int, str]  # every organisation the project names, by id
    lead_name: str


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def where_clauses(flt: ProjectFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [Project.deleted_at.is_(None)]
    words = " ".join(flt.text.split())
    if words:
        pattern = f"%{_escape_like(words)}%"
        clauses.append(or_(*(col.ilike(pattern, escape="\\")
                             for col in (Project.code, Project.name, Project.address))))
    if flt.insurer_id is not None:
        clauses.append(Project.id.in_(select(Policy.project_id).where(
            Policy.insurer_id == flt.insurer_id, Policy.deleted_at.is_(None))))
    if flt.authority_id is not None:
        clauses.append(Project.authority_id == flt.authority_id)
    if flt.district:
        clauses.append(Project.district == flt.district)
    if flt.statuses:
        clauses.append(Project.status.in_(sorted(flt.statuses)))
    if flt.risk_levels:
        levels = sorted(flt.risk_levels - {UNASSESSED})
        parts = [Project.risk_level.in_(levels)] if levels else []
        if UNASSESSED in flt.risk_levels:
            parts.append(Project.risk_level.is_(None))
        clauses.append(or_(*parts))
    return clauses


def project_ids(session: Session, flt: ProjectFilter, *, sort: str = "code",
                descending: bool = False) -> list[int]:
    """Every matching project id in display order (an agency's 5,000 projects fit in memory)."""
    key = SORT_COLUMNS.get(sort)
    if key is None:
        raise ValueError(f"unknown sort column {sort!r}")
    order = [key.desc(), Project.id.desc()] if descending else [key.asc(), Project.id.asc()]
    return list(session.execute(
        select(Project.id).where(and_(*where_clauses(flt))).order_by(*order)).scalars())


def count(session: Session, flt: ProjectFilter) -> int:
    return session.execute(select(func.count(Project.id)).where(and_(*where_clauses(flt)))).scalar_one()


def rows_by_ids(session: Session, ids: Sequence[int], *,
                today: dt.date | None = None) -> list[ProjectListRow]:
    """The rows for these ids in the order given; four small queries whatever the window."""
    if not ids:
        return []
    wanted = list(ids)
    today = today or now().date()
    authority, contractor = aliased(Organisation), aliased(Organisation)
    base = session.execute(
        select(Project.id, Project.code, Project.name, Project.district, Project.address,
               Project.status, Project.risk_level, func.coalesce(authority.name, ""),
               func.coalesce(contractor.name, ""), Project.start_date)
        .outerjoin(authority, authority.id == Project.authority_id)
        .outerjoin(contractor, contractor.id == Project.contractor_id)
        .where(Project.id.in_(wanted))).all()
    insurers: dict[int, str] = {}
    for pid, name in session.execute(
            select(Policy.project_id, Organisation.name)
            .join(Organisation, Organisation.id == Policy.insurer_id)
            .where(Policy.project_id.in_(wanted), Policy.deleted_at.is_(None))
            .order_by(Policy.project_id, Policy.start_date.desc().nulls_last(), Policy.id.desc())):
        insurers.setdefault(pid, name)
    # open and overdue counted in CASE, not WHERE: the planner then walks the project index
    # (a project's hazards) instead of every open hazard of the agency
    is_open = Hazard.status.in_(_OPEN)
    hazards = {pid: (total or 0, late or 0) for pid, total, late in session.execute(
        select(Hazard.project_id, func.sum(case((is_open, 1), else_=0)),
               func.sum(case((and_(is_open, Hazard.deadline < today), 1), else_=0)))
        .where(Hazard.project_id.in_(wanted), Hazard.deleted_at.is_(None))
        .group_by(Hazard.project_id))}
    visits = dict(session.execute(
        select(Inspection.project_id, func.max(Inspection.date))
        .where(Inspection.project_id.in_(wanted), Inspection.deleted_at.is_(None))
        .group_by(Inspection.project_id)).all())
    by_id = {}
    for r in base:
        total, late = hazards.get(r[0], (0, 0))
        by_id[r[0]] = ProjectListRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], insurers.get(r[0], ""),
                                     r[7], r[8], r[9], int(total), int(late), visits.get(r[0]))
    return [by_id[i] for i in wanted if i in by_id]


def project_count(session: Session) -> int:
    """Projects on file (not in the recycle bin): zero means a new install's empty desk."""
    return session.execute(
        select(func.count(Project.id)).where(Project.deleted_at.is_(None))).scalar_one()


def filter_options(session: Session) -> FilterOptions:
    authorities = organisations.list_orgs(session, "authority")
    used = session.execute(
        select(Project.district).where(Project.deleted_at.is_(None), Project.district != "")
        .group_by(Project.district)).scalars()
    # the districts projects name, and those of the district authorities (preset at set-up)
    districts = tuple(sorted({*used, *(o.district for o in authorities
                                       if o.district and o.parent_id is not None)}))
    return FilterOptions(
        tuple((o.id, o.name) for o in organisations.list_orgs(session, "insurer")),
        tuple((o.id, o.name) for o in authorities), districts)


def choices(session: Session, *, include_completed: bool = False) -> list[ProjectChoice]:
    """Projects to pick from (new inspection): code order."""
    stmt = select(Project.id, Project.code, Project.name).where(Project.deleted_at.is_(None))
    if not include_completed:
        stmt = stmt.where(Project.status != ProjectStatus.COMPLETED.value)
    return [ProjectChoice(*r) for r in session.execute(stmt.order_by(Project.code))]


def overview(session: Session, project_id: int) -> ProjectOverview:
    detail = projects.get_detail(session, project_id)
    wanted = {detail.form.authority_id, detail.form.owner_id, detail.form.contractor_id,
              detail.form.supervisor_id, *(p.insurer_id for p in detail.policies)} - {None}
    names = dict(session.execute(select(Organisation.id, Organisation.name)
                                 .where(Organisation.id.in_(wanted))).all()) if wanted else {}
    lead = session.get(User, detail.form.lead_user_id) if detail.form.lead_user_id else None
    return ProjectOverview(detail, names, lead.display_name if lead else "")


def service_plans(session: Session, project_id: int) -> list[ServicePlanRow]:
    """The project's service plans (N-01, N-12 special plans), newest revision first."""
    projects.load(session, project_id)
    return [ServicePlanRow(p.id, p.kind, p.revision, p.title, p.status, p.visit_interval_days,
                           p.document_id, p.created_at)
            for p in session.execute(select(ServicePlan).where(
                ServicePlan.project_id == project_id, ServicePlan.deleted_at.is_(None))
                .order_by(ServicePlan.kind, ServicePlan.revision.desc())).scalars()]


# -- the project dialog's save: every part in one transaction, all or nothing ------------------


@dataclass(frozen=True)
class PolicyDraft:
    policy_no: str
    insurer: str  # name as typed; found or created as an insurer
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    premium: str = ""
    prevention_fee: str = ""


@dataclass(frozen=True)
class StageDraft:
    name: str
    stage_id: int | None = None  # None: a stage of a new project
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None


@dataclass(frozen=True)
class DangerDraft:
    name: str
    is_super: bool = False
    status: str = "planned"
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    parameters: str = ""


@dataclass(frozen=True)
class ContactDraft:
    role: str
    name: str
    phone: str = ""


PARTIES = (("authority_id", "authority"), ("owner_id", "owner"), ("contractor_id", "contractor"),
           ("supervisor_id", "supervisor"))


@dataclass(frozen=True)
class ProjectBundle:
    """What the project dialog collects; party and insurer names become organisations."""

    form: projects.ProjectForm
    parties: dict[str, str] = field(default_factory=dict)  # authority_id/owner_id/… -> name
    policy: PolicyDraft | None = None
    stages: tuple[StageDraft, ...] = ()
    danger_items: tuple[DangerDraft, ...] = ()
    contacts: tuple[ContactDraft, ...] = ()
    project_id: int | None = None  # None: create
    expected_version: int | None = None


@dataclass(frozen=True)
class SavedProject:
    row: projects.ProjectRow
    changes: Changes


def _org(session: Session, actor: Actor, kind: str, name: str, key: str, errors: dict[str, str],
         district: str = "") -> int | None:
    if not name.strip():
        return None
    try:
        return organisations.ensure(session, actor, kind=kind, name=name, district=district).id
    except ValidationError as exc:
        errors[key] = next(iter(exc.fields.values()))
        return None


def save_project(session: Session, actor: Actor, bundle: ProjectBundle) -> SavedProject:
    """Create or update a project with its parties, first policy, stage dates, new 危大 items and
    contacts. Every problem is reported at once, keyed by field, and nothing is written."""
    if bundle.project_id is not None:
        projects.check_version(projects.load(session, bundle.project_id),
                               bundle.expected_version or 0, msg("项目"))
    errors: dict[str, str] = {}
    ids: dict[str, int | None] = {key: _org(session, actor, kind, bundle.parties.get(key, ""), key, errors,
                     bundle.form.district if kind == "authority" else "") for key, kind in PARTIES}
    form = replace(bundle.form, authority_id=ids["authority_id"], owner_id=ids["owner_id"],
                   contractor_id=ids["contractor_id"], supervisor_id=ids["supervisor_id"])
    try:
        projects.validate(session, form, project_id=bundle.project_id)
    except ValidationError as exc:
        errors.update(exc.fields)
    for n, stage in enumerate(bundle.stages):
        if not stage.name.strip():
            errors[f"stages.{n}"] = msg("请填写施工阶段名称")
        elif stage.planned_start and stage.planned_end and stage.planned_end < stage.planned_start:
            errors[f"stages.{n}"] = msg("{name}：计划结束早于计划开始", name=stage.name)
        elif stage.actual_start and stage.actual_end and stage.actual_end < stage.actual_start:
            errors[f"stages.{n}"] = msg("{name}：实际结束早于实际开始", name=stage.name)
    if errors:
        raise ValidationError(errors)
    stage_ids: list[int | None]
    if bundle.project_id is None:
        names = tuple(s.name.strip() for s in bundle.stages)
        row = projects.create_project(session, actor, form, stages=names)
        stage_ids = [s.id for s in projects.get_detail(session, row.id).stages]
    else:
        row = projects.update_project(session, actor, bundle.project_id, form,
                                      expected_version=bundle.expected_version or 0)
        stage_ids = [s.stage_id for s in bundle.stages]
    for n, (stage, stage_id) in enumerate(zip(bundle.stages, stage_ids, strict=True)):
        if stage_id is not None:
            projects.set_stage_dates(session, actor, stage_id, key_for_stage=f"stages.{n}",
                                     planned_start=stage.planned_start,
                                     planned_end=stage.planned_end, actual_start=stage.actual_start,
                                     actual_end=stage.actual_end)
    _add_parts(session, actor, row.id, bundle, errors)
    if errors:
        raise ValidationError(errors)
    session.flush()
    return SavedProject(projects.get_detail(session, row.id).project,
                        Changes().touch("projects", row.id))


def _add_parts(session: Session, actor: Actor, project_id: int, bundle: ProjectBundle,
               errors: dict[str, str]) -> None:
    policy = bundle.policy
    if policy is not None:
        insurer = _org(session, actor, "insurer", policy.insurer, "policy.insurer_id", errors)
        if insurer is None:
            errors.setdefault("policy.insurer_id", msg("请填写承保机构"))
        try:
            projects.add_policy(session, actor, project_id, projects.PolicyForm(
                policy.policy_no, insurer or 0, policy.start_date, policy.end_date,
                policy.premium or None, policy.prevention_fee or None))
        except ValidationError as exc:
            for key, message in exc.fields.items():
                errors.setdefault(f"policy.{key}", message)
    for n, item in enumerate(bundle.danger_items):
        try:
            projects.add_danger_item(session, actor, project_id, name=item.name, is_super=item.is_super,
                                     status=item.status, planned_start=item.planned_start,
                                     planned_end=item.planned_end, parameters=item.parameters.strip())
        except ValidationError as exc:
            errors[f"danger.{n}"] = msg("第 {n} 项危大工程：{problem}", n=n + 1, problem=exc.message)
    for n, contact in enumerate(bundle.contacts):
        try:
            projects.add_contact(session, actor, project_id, role=contact.role, name=contact.name,
                                 phone=contact.phone)
        except ValidationError as exc:
            errors[f"contact.{n}"] = msg("第 {n} 位联系人：{problem}", n=n + 1, problem=exc.message)
