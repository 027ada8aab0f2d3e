"""Projects: create and edit with field-level validation, policies, stages, 危大 items, contacts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop import clock
from desktop.models import DangerItem, Organisation, Policy, Project, ProjectContact, ProjectStage
from desktop.models.base import EditableMixin
from desktop.models.enums import ProjectStatus, ProjectType
from desktop.services import audit, permissions, retention, rules, stage_dates
from desktop.services.context import Actor, ConflictError, ValidationError, get_live, get_row, msg

DEFAULT_STAGES = ("地基与基础", "主体结构", "装饰装修", "竣工验收")


@dataclass(frozen=True)
class ProjectForm:
    code: str
    name: str
    address: str = ""
    district: str = ""
    project_type: str = ProjectType.BUILDING.value
    contract_value: str | Decimal | None = None
    excavation_depth_m: str | Decimal | None = None
    floor_area_m2: str | Decimal | None = None  # 建筑面积（平方米）
    authority_id: int | None = None
    owner_id: int | None = None
    contractor_id: int | None = None
    supervisor_id: int | None = None
    status: str = ProjectStatus.ACTIVE.value
    service_contract_date: dt.date | None = None
    start_date: dt.date | None = None
    planned_completion: dt.date | None = None
    completion_date: dt.date | None = None
    headcount_managers: int = 0
    headcount_workers: int = 0
    lead_user_id: int | None = None
    notes: str = ""


@dataclass(frozen=True)
class PolicyForm:
    policy_no: str
    insurer_id: int | None  # none chosen: check_policy says so
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    premium: str | Decimal | None = None
    prevention_fee: str | Decimal | None = None


@dataclass(frozen=True)
class ProjectRow:
    id: int
    code: str
    name: str
    district: str
    status: str
    risk_level: str | None
    contractor_id: int | None
    supervisor_id: int | None
    owner_id: int | None
    authority_id: int | None
    completion_date: dt.date | None
    version: int


@dataclass(frozen=True)
class PolicyLine:
    id: int
    policy_no: str
    insurer_id: int
    start_date: dt.date | None
    end_date: dt.date | None
    premium: Decimal | None
    prevention_fee: Decimal | None
    version: int


@dataclass(frozen=True)
class StageLine:
    id: int
    seq: int
    name: str
    planned_start: dt.date | None
    planned_end: dt.date | None
    actual_start: dt.date | None
    actual_end: dt.date | None
    version: int


@dataclass(frozen=True)
class DangerLine:
    id: int
    name: str
    is_super: bool
    status: str  # planned / in_progress / done
    planned_start: dt.date | None
    planned_end: dt.date | None
    parameters: str
    actual_start: dt.date | None
    actual_end: dt.date | None
    version: int


@dataclass(frozen=True)
class ContactLine:
    id: int
    role: str
    name: str
    phone: str
    version: int


@dataclass(frozen=True)
class ProjectDetail:
    project: ProjectRow
    form: ProjectForm
    policies: list[PolicyLine] = field(default_factory=list)
    stages: list[StageLine] = field(default_factory=list)
    danger_items: list[DangerLine] = field(default_factory=list)
    contacts: list[ContactLine] = field(default_factory=list)


def _decimal(value: str | Decimal | None, key: str, errors: dict[str, str], label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        errors[key] = msg("{label}须为数字", label=label)
        return None
    if number < 0:
        errors[key] = msg("{label}不能为负数", label=label)
        return None
    return number


def validate(session: Session, form: ProjectForm, *, project_id: int | None = None) -> dict[str, Any]:
    """Check a form; return the column values or raise ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    code, name = form.code.strip(), " ".join(form.name.split())
    if not code:
        errors["code"] = msg("请填写项目编号")
    elif len(code) > 50:
        errors["code"] = msg("项目编号不超过 50 个字符")
    else:
        clash = session.execute(select(Project.id).where(Project.code == code)).scalar_one_or_none()
        if clash is not None and clash != project_id:
            errors["code"] = msg("项目编号“{code}”已被其他项目使用", code=code)
    if not name:
        errors["name"] = msg("请填写项目名称")
    elif len(name) > 200:
        errors["name"] = msg("项目名称不超过 200 个字符")
    if not ProjectType.known(form.project_type):
        errors["project_type"] = msg("请选择工程类型")
    if not ProjectStatus.known(form.status):
        errors["status"] = msg("请选择项目状态")
    contract_value = _decimal(form.contract_value, "contract_value", errors, msg("合同价"))
    depth = _decimal(form.excavation_depth_m, "excavation_depth_m", errors, msg("基坑开挖深度"))
    if depth is not None and depth > 100:
        errors["excavation_depth_m"] = msg("基坑开挖深度超过 100 米，请核对")
    area = _decimal(form.floor_area_m2, "floor_area_m2", errors, msg("建筑面积"))
    if area is not None and area >= Decimal("10000000000"):
        errors["floor_area_m2"] = msg("建筑面积过大，请核对（单位：平方米）")
    for key, label in (("headcount_managers", msg("管理人员数")),
                       ("headcount_workers", msg("作业人员数"))):
        value = getattr(form, key)
        if not isinstance(value, int) or value < 0 or value > 100_000:
            errors[key] = msg("{label}须为 0 到 100000 之间的整数", label=label)
    if form.start_date and form.planned_completion and form.planned_completion < form.start_date:
        errors["planned_completion"] = msg("计划竣工日期早于开工日期")
    if form.status == ProjectStatus.COMPLETED and form.completion_date is None:
        errors["completion_date"] = msg("项目已竣工，请填写竣工日期（档案保存期限由此计算）")
    if form.completion_date and form.start_date and form.completion_date < form.start_date:
        errors["completion_date"] = msg("竣工日期早于开工日期")
    for key, kind in (("authority_id", "authority"), ("owner_id", "owner"),
                      ("contractor_id", "contractor"), ("supervisor_id", "supervisor")):
        org_id = getattr(form, key)
        if org_id is not None:
            org = session.get(Organisation, org_id)
            if org is None or org.kind != kind:
                errors[key] = msg("所选单位不存在或类型不符")
    if errors:
        raise ValidationError(errors)
    values = {f.name: getattr(form, f.name) for f in fields(form)}
    values.update(code=code, name=name, contract_value=contract_value, excavation_depth_m=depth,
                  floor_area_m2=area)
    return values


def _row(p: Project) -> ProjectRow:
    return ProjectRow(p.id, p.code, p.name, p.district, p.status, p.risk_level, p.contractor_id,
                      p.supervisor_id, p.owner_id, p.authority_id, p.completion_date, p.version)


def load(session: Session, project_id: int) -> Project:
    return get_live(session, Project, project_id, msg("项目不存在或已删除。"))


def create_project(session: Session, actor: Actor, form: ProjectForm, *,
                   stages: tuple[str, ...] = DEFAULT_STAGES) -> ProjectRow:
    permissions.require(actor, "project.edit")
    values = validate(session, form)
    project = Project(**values)
    session.add(project)
    session.flush()
    for seq, stage in enumerate(stages, start=1):
        session.add(ProjectStage(project_id=project.id, seq=seq, name=stage))
    audit.record_create(session, actor, project)
    return _row(project)


def update_project(session: Session, actor: Actor, project_id: int, form: ProjectForm, *,
                   expected_version: int) -> ProjectRow:
    permissions.require(actor, "project.edit")
    project = load(session, project_id)
    check_version(project, expected_version, msg("项目"))
    values = validate(session, form, project_id=project_id)
    before = audit.snapshot(project)
    for key, value in values.items():
        setattr(project, key, value)
    audit.record_update(session, actor, project, before)
    if project.completion_date != before_completion(before):
        retention.refresh_project(session, project, rules.get(session, "archive.retention_years"))
    return _row(project)


def before_completion(snapshot: dict[str, Any]) -> dt.date | None:
    value = snapshot.get("completion_date")
    return dt.date.fromisoformat(value) if value else None


def check_version(obj: EditableMixin, expected_version: int, what: str) -> None:
    """Refuse to save over a newer version saved by someone else."""
    if obj.version != expected_version:
        raise ConflictError(
            msg("该{what}已被他人修改（当前版本 {current}，您编辑的是版本 {expected}），"
                "请重新加载后再保存。", what=what, current=obj.version, expected=expected_version),
            changed_at=getattr(obj, "updated_at", None),
        )


def add_policy(session: Session, actor: Actor, project_id: int, form: PolicyForm) -> int:
    permissions.require(actor, "project.edit")
    load(session, project_id)
    policy = Policy(project_id=project_id, **check_policy(session, form))
    session.add(policy)
    audit.record_create(session, actor, policy)
    return policy.id


def check_policy(session: Session, form: PolicyForm, *, policy_id: int | None = None) -> dict[str, Any]:
    """Check a policy form; return its column values or raise ValidationError per field."""
    errors: dict[str, str] = {}
    policy_no = form.policy_no.strip()
    if not policy_no:
        errors["policy_no"] = msg("请填写保单号")
    elif len(policy_no) > 60:
        errors["policy_no"] = msg("保单号不超过 60 个字符")
    elif session.execute(select(Policy.id).where(Policy.policy_no == policy_no,
                                                 Policy.id != (policy_id or 0))).first():
        errors["policy_no"] = msg("保单号“{policy_no}”已存在", policy_no=policy_no)
    insurer = session.get(Organisation, form.insurer_id) if form.insurer_id is not None else None
    if insurer is None or insurer.kind != "insurer":
        errors["insurer_id"] = msg("请选择承保机构")
    if form.start_date and form.end_date and form.end_date < form.start_date:
        errors["end_date"] = msg("保险期间结束日期早于开始日期")
    premium = _decimal(form.premium, "premium", errors, msg("保费"))
    fee = _decimal(form.prevention_fee, "prevention_fee", errors, msg("事故预防费用"))
    if errors:
        raise ValidationError(errors)
    return dict(policy_no=policy_no, insurer_id=form.insurer_id, start_date=form.start_date,
                end_date=form.end_date, premium=premium, prevention_fee=fee)


def add_danger_item(session: Session, actor: Actor, project_id: int, *, name: str,
                    is_super: bool = False, catalogue_item_id: int | None = None,
                    status: str = "planned", planned_start: dt.date | None = None,
                    planned_end: dt.date | None = None, parameters: str = "") -> int:
    permissions.require(actor, "project.edit")
    load(session, project_id)
    if not name.strip():
        raise ValidationError({"name": msg("请填写危大工程名称")})
    if status not in ("planned", "in_progress", "done"):
        raise ValidationError({"status": msg("状态须为 计划/施工中/完成")})
    # created_at by the agency clock: a plan drafted on a past day lists the items recorded by then
    item = DangerItem(project_id=project_id, name=name.strip(), is_super=is_super, created_at=clock.utc_now(),
                      catalogue_item_id=catalogue_item_id, status=status,
                      planned_start=planned_start, planned_end=planned_end, parameters=parameters)
    session.add(item)
    audit.record_create(session, actor, item)
    return item.id


def set_stage_dates(session: Session, actor: Actor, stage_id: int, *, key_for_stage: str | None = None,
                    **dates: dt.date | None) -> None:
    """Set some of a stage's dates; refused when an inspection recorded against the stage
    would fall outside them (`key_for_stage`: the form field the refusal is shown on)."""
    permissions.require(actor, "project.edit")
    stage = get_row(session, ProjectStage, stage_id, msg("施工阶段不存在。"))
    for key in dates:
        if key not in ("planned_start", "planned_end", "actual_start", "actual_end"):
            raise ValidationError({key: msg("未知的日期字段")})
    after = {k: getattr(stage, k) for k in ("planned_start", "planned_end", "actual_start", "actual_end")}
    after.update(dates)
    if after != {k: getattr(stage, k) for k in after}:
        stage_dates.check_inspections_inside(session, stage.id, SimpleNamespace(name=stage.name, **after),
                                             key=key_for_stage)
    before = audit.snapshot(stage)
    for key, value in dates.items():
        setattr(stage, key, value)
    audit.record_update(session, actor, stage, before)


def add_contact(session: Session, actor: Actor, project_id: int, *, role: str, name: str,
                phone: str = "", organisation_id: int | None = None) -> int:
    permissions.require(actor, "project.edit")
    load(session, project_id)
    if not name.strip() or not role.strip():
        raise ValidationError({"name": msg("请填写联系人姓名和岗位")})
    contact = ProjectContact(project_id=project_id, role=role.strip(), name=name.strip(),
                             phone=phone.strip(), organisation_id=organisation_id)
    session.add(contact)
    audit.record_create(session, actor, contact)
    return contact.id


def get_detail(session: Session, project_id: int) -> ProjectDetail:
    p = load(session, project_id)
    form = ProjectForm(**{f.name: getattr(p, f.name) for f in fields(ProjectForm)})
    policies = [
        PolicyLine(x.id, x.policy_no, x.insurer_id, x.start_date, x.end_date, x.premium,
                   x.prevention_fee, x.version)
        for x in session.execute(select(Policy).where(Policy.project_id == p.id, Policy.deleted_at.is_(None))).scalars()
    ]
    stages = [
        StageLine(s.id, s.seq, s.name, s.planned_start, s.planned_end, s.actual_start, s.actual_end,
                  s.version)
        for s in session.execute(select(ProjectStage).where(ProjectStage.project_id == p.id)
                                 .order_by(ProjectStage.seq)).scalars()
    ]
    dangers = [
        DangerLine(d.id, d.name, d.is_super, d.status, d.planned_start, d.planned_end, d.parameters,
                   d.actual_start, d.actual_end, d.version)
        for d in session.execute(select(DangerItem).where(DangerItem.project_id == p.id,
                                                          DangerItem.deleted_at.is_(None))).scalars()
    ]
    contacts = [
        ContactLine(c.id, c.role, c.name, c.phone, c.version)
        for c in session.execute(select(ProjectContact).where(ProjectContact.project_id == p.id,
                                                              ProjectContact.deleted_at.is_(None))).scalars()
    ]
    return ProjectDetail(_row(p), form, policies, stages, dangers, contacts)


def insurer_of(session: Session, project_id: int) -> int | None:
    """The insurer of the project's most recent policy."""
    return session.execute(
        select(Policy.insurer_id).where(Policy.project_id == project_id, Policy.deleted_at.is_(None))
        .order_by(Policy.start_date.desc().nulls_last(), Policy.id.desc()).limit(1)
    ).scalar_one_or_none()


def count(session: Session) -> int:
    return session.execute(select(func.count(Project.id)).where(Project.deleted_at.is_(None))).scalar_one()


__all__ = ["DEFAULT_STAGES", "ContactLine", "DangerLine", "PolicyForm", "PolicyLine", "ProjectDetail",
           "ProjectForm", "ProjectRow", "StageLine",
           "add_contact", "add_danger_item", "add_policy", "check_version", "count",
           "create_project", "get_detail", "insurer_of", "load", "set_stage_dates",
           "update_project", "validate"]
