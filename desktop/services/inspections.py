"""Inspections: record a site visit, its inspectors and stage, and the L1/L2 risk-source checks (N-04)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from desktop.models import (
    DangerItem,
    Inspection,
    ProjectStage,
    RiskSource,
    RiskSourceCheck,
    User,
    inspection_inspectors,
)
from desktop.models.enums import InspectionKind
from desktop.services import audit, permissions
from desktop.services.context import Actor, ValidationError, get_live, msg, now
from desktop.services.projects import check_version
from desktop.services.projects import load as load_project
from desktop.services.stage_dates import stage_problem


@dataclass(frozen=True)
class InspectionForm:
    project_id: int
    kind: str
    date: dt.date
    stage_id: int | None = None
    danger_item_id: int | None = None
    key_procedure: str = ""
    inspector_ids: tuple[int, ...] = ()
    summary: str = ""
    weather: str = ""


@dataclass(frozen=True)
class InspectionRow:
    id: int
    project_id: int
    kind: str
    date: dt.date
    stage_name: str
    inspectors: tuple[str, ...]
    summary: str
    site_confirmed_by: str
    version: int

    @property
    def kind_label(self) -> str:
        return InspectionKind(self.kind).label


@dataclass(frozen=True)
class SourceToVerify:
    risk_source_id: int
    name: str
    level: int
    location: str
    verified: bool | None  # None: not yet ticked in this inspection


def record(session: Session, actor: Actor, form: InspectionForm) -> InspectionRow:
    permissions.require(actor, "inspection.edit")
    load_project(session, form.project_id)
    errors: dict[str, str] = {}
    if not InspectionKind.known(form.kind):
        errors["kind"] = msg("请选择检查类型")
    if form.date > now().date():
        errors["date"] = msg("检查日期不能晚于今天")
    stage_name = ""
    if form.stage_id is not None:
        stage = session.get(ProjectStage, form.stage_id)
        if stage is None or stage.project_id != form.project_id:
            errors["stage_id"] = msg("所选施工阶段不属于该项目")
        else:
            stage_name = stage.name
            problem = stage_problem(stage, form.date)
            if problem:
                errors["stage_id"] = problem
    if form.kind == InspectionKind.DANDA:
        item = session.get(DangerItem, form.danger_item_id) if form.danger_item_id else None
        if item is None or item.project_id != form.project_id:
            errors["danger_item_id"] = msg("危大工程专项检查须选择该项目的一项危大工程")
    if form.kind == InspectionKind.KEY_PROCEDURE and not form.key_procedure.strip():
        errors["key_procedure"] = msg("关键工序检查须填写工序名称")
    if not form.inspector_ids:
        errors["inspector_ids"] = msg("请至少选择一名检查人员")
    else:
        found = set(session.execute(select(User.id).where(User.id.in_(form.inspector_ids))).scalars())
        if found != set(form.inspector_ids):
            errors["inspector_ids"] = msg("所选检查人员不存在")
    if len(form.summary) > 10_000:
        errors["summary"] = msg("检查情况不超过 10000 字")
    if errors:
        raise ValidationError(errors)
    inspection = Inspection(
        project_id=form.project_id, kind=form.kind, date=form.date, stage_id=form.stage_id,
        stage_name=stage_name, danger_item_id=form.danger_item_id,
        key_procedure=form.key_procedure.strip(), summary=form.summary, weather=form.weather,
        created_by_id=actor.user_id,
    )
    session.add(inspection)
    session.flush()
    session.execute(insert(inspection_inspectors),
                    [{"inspection_id": inspection.id, "user_id": uid} for uid in form.inspector_ids])
    audit.record_create(session, actor, inspection)
    return get(session, inspection.id)


def confirm(session: Session, actor: Actor, inspection_id: int, *, site_person: str,
            expected_version: int) -> InspectionRow:
    """Both-party confirmation: the site's representative and the agency's inspector."""
    permissions.require(actor, "inspection.edit")
    inspection = _load(session, inspection_id)
    check_version(inspection, expected_version, msg("检查记录"))
    if not site_person.strip():
        raise ValidationError({"site_person": msg("请填写项目方确认人")})
    before = audit.snapshot(inspection)
    inspection.site_confirmed_by = site_person.strip()
    inspection.site_confirmed_at = now()
    inspection.agency_confirmed_by_id = actor.user_id
    audit.record_update(session, actor, inspection, before, action="confirm")
    return get(session, inspection_id)


def sources_to_verify(session: Session, inspection_id: int) -> list[SourceToVerify]:
    """The project's active level-1/2 risk sources with this inspection's tick, if any."""
    inspection = _load(session, inspection_id)
    checks = dict(session.execute(
        select(RiskSourceCheck.risk_source_id, RiskSourceCheck.verified)
        .where(RiskSourceCheck.inspection_id == inspection_id)
    ).all())
    sources = session.execute(
        select(RiskSource).where(RiskSource.project_id == inspection.project_id, RiskSource.level <= 2,
                                 RiskSource.active.is_(True), RiskSource.deleted_at.is_(None))
        .order_by(RiskSource.level, RiskSource.id)
    ).scalars()
    return [SourceToVerify(s.id, s.name, s.level, s.location, checks.get(s.id)) for s in sources]


def verify_sources(session: Session, actor: Actor, inspection_id: int,
                   ticks: dict[int, bool], *, notes: dict[int, str] | None = None) -> int:
    """Record verified / not verified for L1/L2 sources of the inspected project; returns count."""
    permissions.require(actor, "inspection.edit")
    inspection = _load(session, inspection_id)
    allowed = {s.risk_source_id for s in sources_to_verify(session, inspection_id)}
    stray = set(ticks) - allowed
    if stray:
        raise ValidationError({"ticks": msg("所选风险源不是该项目的一、二级风险源")})
    notes = notes or {}
    for source_id, verified in ticks.items():
        check = session.execute(select(RiskSourceCheck).where(
            RiskSourceCheck.inspection_id == inspection.id,
            RiskSourceCheck.risk_source_id == source_id)).scalar_one_or_none()
        if check is None:
            check = RiskSourceCheck(inspection_id=inspection.id, risk_source_id=source_id)
            session.add(check)
        check.verified = bool(verified)
        check.note = notes.get(source_id, check.note or "")
    audit.record(session, actor, action="verify_sources", entity="inspections",
                 entity_id=inspection.id, after={str(k): bool(v) for k, v in ticks.items()})
    return len(ticks)


def get(session: Session, inspection_id: int) -> InspectionRow:
    i = _load(session, inspection_id)
    names = tuple(session.execute(
        select(User.display_name).join(inspection_inspectors, inspection_inspectors.c.user_id == User.id)
        .where(inspection_inspectors.c.inspection_id == i.id).order_by(User.id)
    ).scalars())
    return InspectionRow(i.id, i.project_id, i.kind, i.date, i.stage_name, names, i.summary,
                         i.site_confirmed_by, i.version)


def list_for_project(session: Session, project_id: int) -> list[InspectionRow]:
    ids = session.execute(
        select(Inspection.id).where(Inspection.project_id == project_id, Inspection.deleted_at.is_(None))
        .order_by(Inspection.date.desc(), Inspection.id.desc())
    ).scalars().all()
    return [get(session, i) for i in ids]


def _load(session: Session, inspection_id: int) -> Inspection:
    return get_live(session, Inspection, inspection_id, msg("检查记录不存在或已删除。"))
