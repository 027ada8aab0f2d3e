"""The hazard lifecycle: recording, grading rules (N-07..N-11), transitions, reports, escalations.

States: recorded → notified → rectifying → closure_submitted → closed, with reject
(closure_submitted → rectifying) and cancel (any open state → cancelled). Each transition is
allowed from named states only, by named roles only; a refused step raises and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from desktop.messages import Series
from desktop.models import (
    Attachment,
    Escalation,
    ExternalReport,
    Hazard,
    HazardEvent,
    Inspection,
    Organisation,
    Project,
)
from desktop.models.enums import OPEN_HAZARD_STATES, Recipient, ReportReason, StopWork
from desktop.models.enums import HazardStatus as S
from desktop.services import audit, major_hazards, numbering, permissions, rules
from desktop.services.context import (
    Actor,
    TransitionError,
    ValidationError,
    get_live,
    get_row,
    msg,
    now,
)
from desktop.services.projects import check_version, insurer_of
from desktop.services.projects import load as load_project

OPEN_STATES = OPEN_HAZARD_STATES  # in models/enums.py: document readers use it without the use cases
MAX_TEXT = 500  # description, measures, contingency: what a register's cell can print
MAX_SHORT = 50  # category, responsible person: one cell line or two


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    sources: tuple[S, ...]
    target: S | None  # None: the state does not change
    action: str  # permission action


STEPS: dict[str, Step] = {s.name: s for s in (
    Step("issue_notice", msg("下发整改通知"), (S.RECORDED,), S.NOTIFIED, "hazard.notify"),
    Step("record_delivery", msg("登记通知送达"), (S.NOTIFIED,), S.RECTIFYING, "hazard.deliver"),
    Step("submit_closure", msg("登记销项申请"), (S.RECTIFYING,), S.CLOSURE_SUBMITTED,
         "hazard.submit_closure"),
    Step("verify_close", msg("复查销项"), (S.CLOSURE_SUBMITTED,), S.CLOSED, "hazard.close"),
    Step("reject", msg("复查退回"), (S.CLOSURE_SUBMITTED,), S.RECTIFYING, "hazard.reject"),
    Step("escalate", msg("登记拒不整改/拖延整改"), (S.NOTIFIED, S.RECTIFYING), None,
         "hazard.escalate"),
    Step("cancel", msg("撤销隐患"), OPEN_STATES, S.CANCELLED, "hazard.cancel"),
)}


@dataclass(frozen=True)
class HazardForm:
    project_id: int
    description: str
    level: int
    location: str = ""
    category: str = ""
    measures: str = ""
    contingency: str = ""
    deadline: dt.date | None = None  # None: today + the level's default
    inspection_id: int | None = None
    found_at: dt.datetime | None = None  # None: now
    is_major: bool = False
    catalogue_item_id: int | None = None
    is_serious: bool = False
    responsible_unit_id: int | None = None  # None: the project's contractor
    responsible_person: str = ""
    supervising_unit_id: int | None = None  # None: the project's supervisor
    stop_work: str = StopWork.NONE.value
    repeat_of_id: int | None = None


@dataclass(frozen=True)
class HazardRow:
    id: int
    number: str
    project_id: int
    level: int
    is_major: bool
    is_serious: bool
    status: str
    description: str
    location: str
    category: str
    found_at: dt.datetime
    deadline: dt.date | None
    stop_work: str
    escalated: bool
    closed_at: dt.datetime | None
    version: int

    @property
    def overdue(self) -> bool:
        return is_overdue(self.status, self.deadline, now().date())

    @property
    def status_label(self) -> str:
        return S(self.status).label


@dataclass(frozen=True)
class ReportRow:
    id: int
    hazard_id: int | None
    recipient: str
    reason: str
    due_at: dt.datetime | None
    status: str
    reported_at: dt.datetime | None
    channel: str


@dataclass(frozen=True)
class EventRow:
    id: int
    kind: str
    from_status: str | None
    to_status: str | None
    at: dt.datetime
    user_id: int | None
    note: str
    data: dict[str, Any] | None


def is_overdue(status: str, deadline: dt.date | None, today: dt.date) -> bool:
    return status in OPEN_STATES and deadline is not None and deadline < today


def overdue_clause(today: dt.date) -> ColumnElement[bool]:
    """`is_overdue` in SQL."""
    return and_(Hazard.status.in_([s.value for s in OPEN_STATES]), Hazard.deadline < today)


def row(h: Hazard) -> HazardRow:
    return HazardRow(h.id, h.number, h.project_id, h.level, h.is_major, h.is_serious, h.status,
                     h.description, h.location, h.category, h.found_at, h.deadline, h.stop_work,
                     h.escalated, h.closed_at, h.version)


def default_deadline(session: Session, level: int, found: dt.date,
                     days: dict[str, int] | None = None) -> dt.date:
    """The level's default deadline; `days` is the rule's value when the caller already has it."""
    days = days if days is not None else rules.get(session, "hazard.deadline_days")
    return found + dt.timedelta(days=int(days[str(level)]))


# -- recording ---------------------------------------------------------------------------


def prepare(session: Session, form: HazardForm, project: Project, found_at: dt.datetime, *,
            deadline_days: dict[str, int] | None = None) -> dict[str, Any]:
    """The column values of a new hazard, every rule checked (ValidationError); no number yet."""
    errors = _validate(session, form, found_at)
    responsible = form.responsible_unit_id or project.contractor_id
    supervising = form.supervising_unit_id or project.supervisor_id
    if responsible is None:
        errors["responsible_unit_id"] = msg("请指定责任单位（项目未登记施工单位）")
    if errors:
        raise ValidationError(errors)
    return dict(
        project_id=project.id, inspection_id=form.inspection_id, found_at=found_at,
        found_date=found_at.date(), location=form.location.strip(),
        description=form.description.strip(), category=form.category.strip(), level=form.level,
        is_major=major_hazards.is_major(form.is_major, form.catalogue_item_id),
        catalogue_item_id=form.catalogue_item_id, is_serious=form.is_serious,
        measures=form.measures.strip(), contingency=form.contingency.strip(),
        deadline=form.deadline or default_deadline(session, form.level, found_at.date(),
                                                   deadline_days),
        responsible_unit_id=responsible, responsible_person=form.responsible_person.strip(),
        supervising_unit_id=supervising, stop_work=form.stop_work, status=S.RECORDED.value,
        repeat_of_id=form.repeat_of_id)


def reports_due(session: Session, level: int, is_serious: bool, found: dt.date, *,
                serious_days: int | None = None) -> tuple[ReportReason, dt.datetime] | None:
    """The same-day reports a new hazard requires (N-07, N-08) and when they fall due."""
    if level == 1:
        return ReportReason.LEVEL1, _end_of_day(found)
    if level == 2 and is_serious:
        if serious_days is None:
            serious_days = int(rules.get(session, "hazard.serious_l2_report_days"))
        return ReportReason.SERIOUS_L2, _end_of_day(found + dt.timedelta(days=serious_days))
    return None


def recipients(session: Session, project_id: int) -> list[tuple[str, int | None]]:
    """Who a new hazard's required reports go to: (recipient, organisation id)."""
    return _recipients(session, project_id, owner=False)


def record(session: Session, actor: Actor, form: HazardForm) -> HazardRow:
    """Record a hazard; level 1 and serious level 2 create their pending same-day reports."""
    permissions.require(actor, "hazard.record")
    project = load_project(session, form.project_id)
    found_at = (form.found_at or now()).replace(microsecond=0)
    values = prepare(session, form, project, found_at)
    hazard = Hazard(number=numbering.hazard_number(session, found_at.year),
                    created_by_id=actor.user_id, **values)
    session.add(hazard)
    session.flush()
    _event(session, actor, hazard, "recorded", None, S.RECORDED, at=found_at,
           data={"level": form.level, "stop_work": form.stop_work})
    due = reports_due(session, form.level, form.is_serious, found_at.date())
    if due is not None:
        _require_reports(session, hazard, *due)
    audit.record_create(session, actor, hazard)
    return row(hazard)


def _validate(session: Session, form: HazardForm, found_at: dt.datetime) -> dict[str, str]:
    errors: dict[str, str] = {}
    if form.level not in (1, 2, 3, 4):
        errors["level"] = msg("隐患等级须为一至四级")
    if not form.description.strip():
        errors["description"] = msg("请填写隐患描述")
    elif len(form.description) > MAX_TEXT:
        errors["description"] = msg("隐患描述不超过 {max_text} 字", max_text=MAX_TEXT)
    if len(form.location) > 200:
        errors["location"] = msg("部位不超过 200 字")
    for key, label in (("category", msg("类别")), ("responsible_person", msg("责任人"))):
        if len(getattr(form, key)) > MAX_SHORT:
            errors[key] = msg("{label}不超过 {limit} 字", label=label, limit=MAX_SHORT)
    errors.update(major_hazards.level_problems(form.level, form.is_major, form.catalogue_item_id))
    if not form.measures.strip():
        errors["measures"] = msg("请填写整改措施（责任、措施、时限、预案缺一不可）")
    elif len(form.measures) > MAX_TEXT:
        errors["measures"] = msg("整改措施不超过 {max_text} 字", max_text=MAX_TEXT)
    if form.level in (1, 2) and not form.contingency.strip():
        errors["contingency"] = msg("一、二级隐患须填写整改期间的应急预案")
    if len(form.contingency) > MAX_TEXT:
        errors["contingency"] = msg("应急预案不超过 {max_text} 字", max_text=MAX_TEXT)
    if not StopWork.known(form.stop_work):
        errors["stop_work"] = msg("停工建议无效")
    elif form.level == 1 and form.stop_work == StopWork.NONE:
        errors["stop_work"] = msg("一级隐患须提出停工或局部停工建议")
    if found_at > now() + dt.timedelta(minutes=5):
        errors["found_at"] = msg("发现时间不能晚于当前时间")
    if form.deadline is not None and form.deadline < found_at.date():
        errors["deadline"] = msg("整改期限不能早于发现日期")
    if form.inspection_id is not None:
        inspection = session.get(Inspection, form.inspection_id)
        if inspection is None or inspection.project_id != form.project_id:
            errors["inspection_id"] = msg("所选检查记录不属于该项目")
        elif inspection.deleted_at is not None:
            errors["inspection_id"] = msg("所选检查记录已删除（在回收站中），请先从回收站恢复")
    if form.catalogue_item_id is not None and not major_hazards.is_standard_item(
            session, form.catalogue_item_id):
        errors["catalogue_item_id"] = msg("所选条目不是重大事故隐患判定标准中的条目")
    elif form.catalogue_item_id is not None and (
            problem := major_hazards.edition_problem(session, form.catalogue_item_id, found_at.date())):
        errors["catalogue_item_id"] = problem
    for key in ("responsible_unit_id", "supervising_unit_id"):
        org_id = getattr(form, key)
        if org_id is not None and session.get(Organisation, org_id) is None:
            errors[key] = msg("所选单位不存在")
    if form.repeat_of_id is not None:
        earlier = session.get(Hazard, form.repeat_of_id)
        if earlier is None or earlier.project_id != form.project_id:
            errors["repeat_of_id"] = msg("关联的重复隐患须属于同一项目")
    return errors


def _end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59))


def _recipients(session: Session, project_id: int, *, owner: bool) -> list[tuple[str, int | None]]:
    project = load_project(session, project_id)
    out = [(Recipient.INSURER.value, insurer_of(session, project_id)),
           (Recipient.AUTHORITY.value, project.authority_id)]
    if owner:
        out.append((Recipient.OWNER.value, project.owner_id))
    return out


def _require_reports(session: Session, hazard: Hazard, reason: ReportReason, due: dt.datetime,
                     *, owner: bool = False) -> None:
    for recipient, org_id in _recipients(session, hazard.project_id, owner=owner):
        exists = session.execute(select(ExternalReport.id).where(
            ExternalReport.hazard_id == hazard.id, ExternalReport.recipient == recipient,
            ExternalReport.reason == reason.value)).first()
        if exists:
            continue
        session.add(ExternalReport(hazard_id=hazard.id, project_id=hazard.project_id,
                                   recipient=recipient, recipient_org_id=org_id,
                                   reason=reason.value, due_at=due, status="pending"))


def _event(session: Session, actor: Actor, hazard: Hazard, kind: str, from_status: str | None,
           to_status: str | None, *, at: dt.datetime | None = None, note: str = "",
           data: dict[str, Any] | None = None, document_id: int | None = None) -> None:
    session.add(HazardEvent(hazard_id=hazard.id, kind=kind, from_status=from_status,
                            to_status=to_status, at=at or now(), user_id=actor.user_id,
                            note=note, data=audit.jsonable(data) if data else None,
                            document_id=document_id))


EDITABLE = ("location", "description", "category", "measures", "contingency", "deadline",
            "responsible_person", "is_serious", "level", "stop_work")


def update(session: Session, actor: Actor, hazard_id: int, *, expected_version: int,
           **changes: object) -> HazardRow:
    """Edit an open hazard's details; raising it to level 1 or serious level 2 adds the reports."""
    permissions.require(actor, "hazard.edit")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({k: msg("该字段不能在此修改") for k in sorted(unknown)})
    hazard = load(session, hazard_id)
    check_version(hazard, expected_version, msg("隐患"))
    if hazard.status not in OPEN_STATES:
        raise TransitionError(msg("隐患 {number} 已{status}，不能再修改。", number=hazard.number,
                                  status=S(hazard.status).label))
    if "level" in changes and changes["level"] != hazard.level and hazard.status != S.RECORDED:
        raise TransitionError(msg("隐患通知下发后不能再调整等级；如判定有误，请撤销后重新登记。"))
    merged = {f: getattr(hazard, f) for f in EDITABLE} | changes
    form = HazardForm(project_id=hazard.project_id, inspection_id=hazard.inspection_id,
                      catalogue_item_id=hazard.catalogue_item_id, is_major=hazard.is_major,
                      **{k: v for k, v in merged.items()})
    errors = _validate(session, form, hazard.found_at)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(hazard)
    for key, value in changes.items():
        setattr(hazard, key, value.strip() if isinstance(value, str) else value)
    if hazard.level == 1:
        _require_reports(session, hazard, ReportReason.LEVEL1, _end_of_day(hazard.found_date))
    elif hazard.level == 2 and hazard.is_serious:
        days = int(rules.get(session, "hazard.serious_l2_report_days"))
        _require_reports(session, hazard, ReportReason.SERIOUS_L2,
                         _end_of_day(hazard.found_date + dt.timedelta(days=days)))
    audit.record_update(session, actor, hazard, before)
    return row(hazard)


def review_not_major(session: Session, actor: Actor, hazard_id: int, *, expected_version: int,
                     reason: str, level: int) -> HazardRow:
    """经复核不属于重大事故隐患: the only way a major hazard's level goes down. The reason is
    kept as an event and in the audit log, the standard item is unlinked; pending same-day
    reports of a level 1 lowered are voided (those made stay on file)."""
    permissions.require(actor, "hazard.edit")
    hazard = load(session, hazard_id)
    check_version(hazard, expected_version, msg("隐患"))
    if hazard.status not in OPEN_STATES:
        raise TransitionError(msg("隐患 {number} 已{status}，不能再修改。", number=hazard.number,
                                  status=S(hazard.status).label))
    if not major_hazards.is_major(hazard.is_major, hazard.catalogue_item_id):
        raise TransitionError(msg("隐患 {number} 未判定为重大事故隐患，无需复核。", number=hazard.number))
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = msg("请填写复核理由（为何不属于重大事故隐患）")
    elif len(reason) > MAX_TEXT:
        errors["reason"] = msg("复核理由不超过 {max_text} 字", max_text=MAX_TEXT)
    if level not in (1, 2, 3, 4):
        errors["level"] = msg("隐患等级须为一至四级")
    elif level != hazard.level and hazard.status != S.RECORDED:
        errors["level"] = msg("隐患通知下发后不能再调整等级；如判定有误，请撤销后重新登记。")
    if errors:
        raise ValidationError(errors)
    form = HazardForm(**{f: getattr(hazard, f) for f in EDITABLE} | {"level": level},
                      project_id=hazard.project_id, inspection_id=hazard.inspection_id)
    errors = _validate(session, form, hazard.found_at)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(hazard)
    former = hazard.catalogue_item_id
    old_level = hazard.level
    hazard.is_major, hazard.catalogue_item_id, hazard.level = False, None, level
    if old_level == 1 and level != 1:
        for report in session.execute(select(ExternalReport).where(
                ExternalReport.hazard_id == hazard.id, ExternalReport.status == "pending",
                ExternalReport.reason == ReportReason.LEVEL1.value)).scalars():
            report.status = "void"
    elif level == 2 and hazard.is_serious:
        days = int(rules.get(session, "hazard.serious_l2_report_days"))
        _require_reports(session, hazard, ReportReason.SERIOUS_L2,
                         _end_of_day(hazard.found_date + dt.timedelta(days=days)))
    _event(session, actor, hazard, "major_review", hazard.status, hazard.status,
           note=reason.strip(), data={"conclusion": major_hazards.NOT_MAJOR,
                                      "catalogue_item_id": former, "level_from": old_level,
                                      "level_to": level})
    audit.record_update(session, actor, hazard, before, action="major_review",
                        note=f"{major_hazards.NOT_MAJOR}：{reason.strip()}")
    return row(hazard)


# -- transitions -------------------------------------------------------------------------


def allowed_steps(hazard: HazardRow, actor: Actor) -> list[Step]:
    """The lifecycle steps this user may take on this hazard now (for the hazard page)."""
    return [s for s in STEPS.values()
            if hazard.status in s.sources and permissions.allowed(actor.role, s.action)]


def _begin(session: Session, actor: Actor, step_name: str, hazard_id: int,
           expected_version: int) -> tuple[Hazard, Step, dict[str, Any]]:
    step = STEPS[step_name]
    permissions.require(actor, step.action)
    hazard = load(session, hazard_id)
    check_version(hazard, expected_version, msg("隐患"))
    if hazard.status not in step.sources:
        raise TransitionError(
            msg("隐患 {number} 当前状态为“{status}”，不能{step}。", number=hazard.number,
                status=S(hazard.status).label, step=step.label))
    return hazard, step, audit.snapshot(hazard)


def _finish(session: Session, actor: Actor, hazard: Hazard, step: Step, before: dict[str, Any], *,
            at: dt.datetime | None = None, note: str = "", data: dict[str, Any] | None = None,
            document_id: int | None = None) -> HazardRow:
    old = hazard.status
    if step.target is not None:
        hazard.status = step.target
    _event(session, actor, hazard, step.name, old, hazard.status, at=at, note=note, data=data,
           document_id=document_id)
    audit.record_update(session, actor, hazard, before, action=step.name, note=note)
    return row(hazard)


def _moment(at: dt.datetime | None, hazard: Hazard, field: str) -> dt.datetime:
    moment = (at or now()).replace(microsecond=0)
    if moment > now() + dt.timedelta(minutes=5):
        raise ValidationError({field: msg("时间不能晚于当前时间")})
    if moment < hazard.found_at:
        raise ValidationError({field: msg("时间不能早于隐患发现时间")})
    return moment


def issue_notice(session: Session, actor: Actor, hazard_id: int, *, expected_version: int,
                 at: dt.datetime | None = None, document_id: int | None = None,
                 note: str = "") -> HazardRow:
    """Issue the rectification notice (and, for level 1, the stop-work suggestion)."""
    hazard, step, before = _begin(session, actor, "issue_notice", hazard_id, expected_version)
    moment = _moment(at, hazard, "at")
    return _finish(session, actor, hazard, step, before, at=moment, note=note,
                   data={"stop_work": hazard.stop_work}, document_id=document_id)


def record_delivery(session: Session, actor: Actor, hazard_id: int, *, expected_version: int,
                    received_by: str, at: dt.datetime | None = None, note: str = "") -> HazardRow:
    """The notice reached the responsible unit (签收): rectification starts (N-09)."""
    hazard, step, before = _begin(session, actor, "record_delivery", hazard_id, expected_version)
    if not received_by.strip():
        raise ValidationError({"received_by": msg("请填写责任单位签收人")})
    moment = _moment(at, hazard, "at")
    return _finish(session, actor, hazard, step, before, at=moment, note=note,
                   data={"received_by": received_by.strip()})


def submit_closure(session: Session, actor: Actor, hazard_id: int, *, expected_version: int,
                   supervisor_name: str = "", at: dt.datetime | None = None,
                   note: str = "") -> HazardRow:
    """The contractor reports rectification done; for level 3/4 through the supervisor (N-09)."""
    hazard, step, before = _begin(session, actor, "submit_closure", hazard_id, expected_version)
    errors: dict[str, str] = {}
    if hazard.level in (3, 4) and not supervisor_name.strip():
        errors["supervisor_name"] = msg("三、四级隐患须由监理单位确认整改并提交销项，请填写监理确认人")
    if _after_photos(session, hazard.id) == 0:
        errors["after_photos"] = msg("请先上传整改后照片")
    if errors:
        raise ValidationError(errors)
    moment = _moment(at, hazard, "at")
    return _finish(session, actor, hazard, step, before, at=moment, note=note,
                   data={"supervisor_name": supervisor_name.strip()})


def verify_close(session: Session, actor: Actor, hazard_id: int, *, expected_version: int,
                 reinspection_date: dt.date | None = None, at: dt.datetime | None = None,
                 note: str = "") -> HazardRow:
    """The agency verifies the rectification and closes the hazard (闭环)."""
    hazard, step, before = _begin(session, actor, "verify_close", hazard_id, expected_version)
    errors: dict[str, str] = {}
    if (hazard.level == 1 or hazard.is_major) and reinspection_date is None:
        errors["reinspection_date"] = msg("一级（重大）隐患须经现场复查后方可销项，请填写复查日期")
    if reinspection_date is not None and reinspection_date < hazard.found_date:
        errors["reinspection_date"] = msg("复查日期不能早于发现日期")
    pending = pending_reports(session, hazard.id)
    if pending:
        names = Series(sorted({Recipient(r.recipient).label for r in pending}))
        errors["reports"] = msg("尚未登记向{names}的报告，不能销项", names=names)
    errors.update(major_hazards.closure_problems(session, hazard))
    if errors:
        raise ValidationError(errors)
    moment = _moment(at, hazard, "at")
    hazard.closed_at = moment
    return _finish(session, actor, hazard, step, before, at=moment, note=note,
                   data={"reinspection_date": reinspection_date})


def reject(session: Session, actor: Actor, hazard_id: int, *, expected_version: int,
           reason: str, at: dt.datetime | None = None) -> HazardRow:
    hazard, step, before = _begin(session, actor, "reject", hazard_id, expected_version)
    if not reason.strip():
        raise ValidationError({"reason": msg("请填写退回原因")})
    return _finish(session, actor, hazard, step, before, at=_moment(at, hazard, "at"),
                   note=reason.strip())


def cancel(session: Session, actor: Actor, hazard_id: int, *, expected_version: int,
           reason: str) -> HazardRow:
    hazard, step, before = _begin(session, actor, "cancel", hazard_id, expected_version)
    if not reason.strip():
        raise ValidationError({"reason": msg("请填写撤销原因")})
    for report in session.execute(select(ExternalReport).where(
            ExternalReport.hazard_id == hazard.id, ExternalReport.status == "pending")).scalars():
        report.status = "void"
    return _finish(session, actor, hazard, step, before, note=reason.strip())


def escalate(session: Session, actor: Actor, hazard_id: int, *, expected_version: int,
             kind: str, note: str = "", at: dt.datetime | None = None) -> HazardRow:
    """Refused or delayed rectification: reports owed to insurer, authority and owner (N-11)."""
    hazard, step, before = _begin(session, actor, "escalate", hazard_id, expected_version)
    if kind not in ("refusal", "delay"):
        raise ValidationError({"kind": msg("请选择拒不整改或拖延整改")})
    if kind == "delay" and (hazard.deadline is None or hazard.deadline >= now().date()):
        raise ValidationError({"kind": msg("整改期限未到，不能登记为拖延整改")})
    moment = _moment(at, hazard, "at")
    escalation = Escalation(hazard_id=hazard.id, kind=kind, at=moment, user_id=actor.user_id,
                            note=note.strip())
    session.add(escalation)
    hazard.escalated = True
    reason = ReportReason.REFUSAL if kind == "refusal" else ReportReason.DELAY
    _require_reports(session, hazard, reason, moment + dt.timedelta(days=1), owner=True)
    return _finish(session, actor, hazard, step, before, at=moment, note=note.strip(),
                   data={"kind": kind})


def record_report(session: Session, actor: Actor, report_id: int, *, channel: str,
                  reported_at: dt.datetime | None = None, document_id: int | None = None,
                  note: str = "") -> ReportRow:
    """A pending report was made: when, how, with which document."""
    permissions.require(actor, "hazard.report")
    report = get_row(session, ExternalReport, report_id, msg("报告记录不存在。"))
    if report.status != "pending":
        raise TransitionError(msg("该报告已登记或已作废，不能重复登记。"))
    if not channel.strip():
        raise ValidationError({"channel": msg("请填写报告方式（电话、传真、邮件、系统、书面等）")})
    moment = (reported_at or now()).replace(microsecond=0)
    if moment > now() + dt.timedelta(minutes=5):
        raise ValidationError({"reported_at": msg("报告时间不能晚于当前时间")})
    hazard = load(session, report.hazard_id) if report.hazard_id is not None else None
    if hazard is not None and moment < hazard.found_at:  # a report of a hazard not yet found
        raise ValidationError({"reported_at": msg(
            "报告时间（{at}）不能早于隐患 {number} 的发现时间（{found}），请核对报告时间",
            at=f"{moment:%Y-%m-%d %H:%M}", number=hazard.number,
            found=f"{hazard.found_at:%Y-%m-%d %H:%M}")})
    before = audit.snapshot(report)
    report.status = "done"
    report.reported_at = moment
    report.channel = channel.strip()
    report.reported_by_id = actor.user_id
    report.document_id = document_id
    report.note = note.strip()
    if hazard is not None:
        _event(session, actor, hazard, "reported", hazard.status, hazard.status, at=moment,
               data={"recipient": report.recipient, "reason": report.reason, "channel": channel})
    audit.record_update(session, actor, report, before, action="report")
    return _report_row(report)


# -- queries -----------------------------------------------------------------------------


def load(session: Session, hazard_id: int) -> Hazard:
    return get_live(session, Hazard, hazard_id, msg("隐患不存在或已删除。"))


def get(session: Session, hazard_id: int) -> HazardRow:
    return row(load(session, hazard_id))


def _after_photos(session: Session, hazard_id: int) -> int:
    return session.execute(select(func.count(Attachment.id)).where(
        Attachment.owner_type == "hazard", Attachment.owner_id == hazard_id,
        Attachment.role == "after")).scalar_one()


def _report_row(r: ExternalReport) -> ReportRow:
    return ReportRow(r.id, r.hazard_id, r.recipient, r.reason, r.due_at, r.status,
                     r.reported_at, r.channel)


def pending_reports(session: Session, hazard_id: int) -> list[ReportRow]:
    return [_report_row(r) for r in session.execute(select(ExternalReport).where(
        ExternalReport.hazard_id == hazard_id, ExternalReport.status == "pending")
        .order_by(ExternalReport.id)).scalars()]


def reports(session: Session, hazard_id: int) -> list[ReportRow]:
    return [_report_row(r) for r in session.execute(select(ExternalReport).where(
        ExternalReport.hazard_id == hazard_id).order_by(ExternalReport.id)).scalars()]


def events(session: Session, hazard_id: int) -> list[EventRow]:
    return [EventRow(e.id, e.kind, e.from_status, e.to_status, e.at, e.user_id, e.note, e.data)
            for e in session.execute(select(HazardEvent).where(HazardEvent.hazard_id == hazard_id)
                                     .order_by(HazardEvent.at, HazardEvent.id)).scalars()]
