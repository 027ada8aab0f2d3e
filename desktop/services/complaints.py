"""Complaints with working-day reply deadlines (C-7d), incidents and missed hazards (C-8), evaluations received (C-7e/f)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import Complaint, Evaluation, Hazard, Incident, Organisation
from desktop.models.enums import IncidentKind
from desktop.services import audit, permissions, rules
from desktop.services.context import Actor, ValidationError, get_live, msg, now
from desktop.services.periods import Period, parse
from desktop.services.projects import check_version
from desktop.services.projects import load as load_project
from desktop.services.workdays import (
    Calendar,
    Due,
    add_working_days,
    calendar,
)

LARGER_ACCIDENT_DEATHS = 3  # 《生产安全事故报告和调查处理条例》: 3 deaths and up is 较大 or worse
LARGER_ACCIDENT_INJURIES = 10


def reply_days(session: Session, *, needs_checking: bool) -> int:
    """The working days a reply is given now (the agency rule: 10, or 30 where facts must be checked)."""
    limits = rules.get(session, "complaint.reply_working_days")
    return int(limits["checking" if needs_checking else "normal"])


def reply_due(session: Session, received: dt.date, *, needs_checking: bool) -> Due:
    """The reply deadline a complaint received on `received` would be given now, flagged when it
    crosses a year with no holiday data."""
    return add_working_days(received, reply_days(session, needs_checking=needs_checking),
                            calendar(session))


def due_of(c: Complaint, cal: Calendar) -> Due:
    """A recorded complaint's deadline: the working days it was given, counted under the holiday
    data known now (so a year's notice loaded later — typed in, or a newer calendar package —
    moves the date and drops the flag without anyone touching the complaint)."""
    return add_working_days(c.received_at, c.reply_days, cal)


def refresh_due(session: Session) -> int:
    """Store every complaint's deadline as counted now, after the holiday data changed (reads
    count it again from `reply_days` anyway; the stored date serves the queries that select by
    it). Returns how many moved."""
    cal, moved = calendar(session), 0
    for row in session.execute(select(Complaint).where(Complaint.deleted_at.is_(None))).scalars():
        due = due_of(row, cal).day
        if due != row.reply_due:
            row.reply_due, moved = due, moved + 1
    return moved


@dataclass(frozen=True)
class ComplaintRow:
    id: int
    project_id: int | None
    received_at: dt.date
    complainant: str
    channel: str
    content: str
    needs_checking: bool
    reply_due: dt.date
    replied_at: dt.date | None
    reply: str
    version: int
    unloaded: tuple[int, ...] = ()  # years the deadline crosses with no holiday data (flagged)

    def overdue(self, today: dt.date) -> bool:
        return self.replied_at is None and self.reply_due < today

    @property
    def replied_late(self) -> bool:
        return self.replied_at is not None and self.replied_at > self.reply_due


@dataclass(frozen=True)
class IncidentRow:
    id: int
    project_id: int
    kind: str
    occurred_on: dt.date
    description: str
    found_by: str
    fatalities: int
    injuries: int
    hazard_id: int | None

    @property
    def kind_label(self) -> str:
        return IncidentKind(self.kind).label


@dataclass(frozen=True)
class EvaluationRow:
    id: int
    evaluator_kind: str
    evaluator_id: int | None
    evaluator_name: str
    period: str
    received_on: dt.date
    result: str
    recognized: bool
    note: str


def _complaint_row(c: Complaint, cal: Calendar) -> ComplaintRow:
    due = due_of(c, cal)
    return ComplaintRow(c.id, c.project_id, c.received_at, c.complainant, c.channel, c.content,
                        c.needs_checking, due.day, c.replied_at, c.reply, c.version, due.unloaded)


def record_complaint(session: Session, actor: Actor, *, received_at: dt.date, content: str,
                     project_id: int | None = None, complainant: str = "", channel: str = "",
                     needs_checking: bool = False) -> ComplaintRow:
    """Log a complaint; the reply is due in 10 working days, 30 where facts must be checked."""
    permissions.require(actor, "complaint.edit")
    if project_id is not None:
        load_project(session, project_id)
    errors: dict[str, str] = {}
    if not content.strip():
        errors["content"] = msg("请填写投诉内容")
    if received_at > now().date():
        errors["received_at"] = msg("收到日期不能晚于今天")
    if errors:
        raise ValidationError(errors)
    cal = calendar(session)
    days = reply_days(session, needs_checking=needs_checking)
    row = Complaint(project_id=project_id, received_at=received_at, complainant=complainant.strip(),
                    channel=channel.strip(), content=content.strip(), needs_checking=needs_checking,
                    reply_days=days, reply_due=add_working_days(received_at, days, cal).day)
    session.add(row)
    audit.record_create(session, actor, row)
    return _complaint_row(row, cal)


def _load_complaint(session: Session, complaint_id: int) -> Complaint:
    return get_live(session, Complaint, complaint_id, msg("投诉记录不存在或已删除。"))


def set_needs_checking(session: Session, actor: Actor, complaint_id: int, needs_checking: bool, *,
                       expected_version: int) -> ComplaintRow:
    """Facts need checking (or not): the deadline moves to 30 (or 10) working days."""
    permissions.require(actor, "complaint.edit")
    row = _load_complaint(session, complaint_id)
    check_version(row, expected_version, msg("投诉记录"))
    before = audit.snapshot(row)
    row.needs_checking = needs_checking
    row.reply_days = reply_days(session, needs_checking=needs_checking)
    row.reply_due = due_of(row, calendar(session)).day
    audit.record_update(session, actor, row, before)
    return _complaint_row(row, calendar(session))


def reply(session: Session, actor: Actor, complaint_id: int, *, replied_at: dt.date, text: str,
          expected_version: int) -> ComplaintRow:
    permissions.require(actor, "complaint.edit")
    row = _load_complaint(session, complaint_id)
    check_version(row, expected_version, msg("投诉记录"))
    errors: dict[str, str] = {}
    if not text.strip():
        errors["reply"] = msg("请填写答复内容")
    if replied_at < row.received_at:
        errors["replied_at"] = msg("答复日期不能早于收到日期")
    if replied_at > now().date():
        errors["replied_at"] = msg("答复日期不能晚于今天")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(row)
    row.replied_at, row.reply = replied_at, text.strip()
    audit.record_update(session, actor, row, before, action="reply")
    return _complaint_row(row, calendar(session))


def complaints(session: Session, *, project_ids: list[int] | None = None, include_unassigned: bool = True,
               start: dt.date | None = None, end: dt.date | None = None,
               open_only: bool = False) -> list[ComplaintRow]:
    stmt = select(Complaint).where(Complaint.deleted_at.is_(None))
    if project_ids is not None:
        cond = Complaint.project_id.in_(project_ids)
        stmt = stmt.where(cond | Complaint.project_id.is_(None) if include_unassigned else cond)
    if start is not None:
        stmt = stmt.where(Complaint.received_at >= start)
    if end is not None:
        stmt = stmt.where(Complaint.received_at <= end)
    if open_only:
        stmt = stmt.where(Complaint.replied_at.is_(None))
    cal = calendar(session)
    return [_complaint_row(c, cal) for c in session.execute(
        stmt.order_by(Complaint.received_at, Complaint.id)).scalars()]


# -- incidents and missed major hazards (C-8) ---------------------------------------------


def record_incident(session: Session, actor: Actor, *, project_id: int, kind: str, occurred_on: dt.date,
                    description: str, found_by: str = "", fatalities: int = 0, injuries: int = 0,
                    hazard_id: int | None = None) -> IncidentRow:
    """An accident during service, or a major hazard the agency should have found but others did."""
    permissions.require(actor, "incident.edit")
    load_project(session, project_id)
    errors: dict[str, str] = {}
    if not IncidentKind.known(kind):
        errors["kind"] = msg("请选择类别：漏判重大隐患、一般事故或较大及以上事故")
    if not description.strip():
        errors["description"] = msg("请填写经过与情况")
    if occurred_on > now().date():
        errors["occurred_on"] = msg("日期不能晚于今天")
    if fatalities < 0 or injuries < 0:
        errors["fatalities"] = msg("伤亡人数不能为负数")
    if kind == IncidentKind.GENERAL_ACCIDENT and (
            fatalities >= LARGER_ACCIDENT_DEATHS or injuries >= LARGER_ACCIDENT_INJURIES):
        errors["kind"] = msg("死亡 3 人以上或重伤 10 人以上属较大及以上事故")
    if kind == IncidentKind.MISSED_MAJOR and not found_by.strip():
        errors["found_by"] = msg("请填写发现该重大隐患的单位（如属地建设主管部门）")
    if hazard_id is not None:
        hazard = session.get(Hazard, hazard_id)
        if hazard is None or hazard.project_id != project_id:
            errors["hazard_id"] = msg("关联的隐患不属于该项目")
    if errors:
        raise ValidationError(errors)
    row = Incident(project_id=project_id, kind=kind, occurred_on=occurred_on,
                   description=description.strip(), found_by=found_by.strip(), fatalities=fatalities,
                   injuries=injuries, hazard_id=hazard_id)
    session.add(row)
    audit.record_create(session, actor, row)
    return _incident_row(row)


def _incident_row(i: Incident) -> IncidentRow:
    return IncidentRow(i.id, i.project_id, i.kind, i.occurred_on, i.description, i.found_by,
                       i.fatalities, i.injuries, i.hazard_id)


def incidents(session: Session, *, project_ids: list[int] | None = None, kind: str | None = None,
              start: dt.date | None = None, end: dt.date | None = None) -> list[IncidentRow]:
    stmt = select(Incident).where(Incident.deleted_at.is_(None))
    if project_ids is not None:
        stmt = stmt.where(Incident.project_id.in_(project_ids))
    if kind is not None:
        stmt = stmt.where(Incident.kind == kind)
    if start is not None:
        stmt = stmt.where(Incident.occurred_on >= start)
    if end is not None:
        stmt = stmt.where(Incident.occurred_on <= end)
    return [_incident_row(i) for i in session.execute(stmt.order_by(Incident.occurred_on, Incident.id)).scalars()]


# -- evaluations received from insurers and authorities (C-7e/f) ----------------------------


def record_evaluation(session: Session, actor: Actor, *, evaluator_kind: str, evaluator_id: int | None,
                      period: str, received_on: dt.date, result: str, recognized: bool,
                      note: str = "") -> EvaluationRow:
    permissions.require(actor, "compliance.answer")
    errors: dict[str, str] = {}
    if evaluator_kind not in ("insurer", "authority"):
        errors["evaluator_kind"] = msg("评价单位须为承保机构或建设主管部门")
    elif evaluator_id is not None:
        org = session.get(Organisation, evaluator_id)
        if org is None or org.kind != evaluator_kind:
            errors["evaluator_id"] = msg("所选评价单位不存在或类型不符")
    try:
        label = parse(period).label
    except ValueError as exc:
        errors["period"] = str(exc)
        label = ""
    if received_on > now().date():
        errors["received_on"] = msg("收到日期不能晚于今天")
    if not result.strip():
        errors["result"] = msg("请填写评价结果（如 优秀、合格、第 2 名）")
    if errors:
        raise ValidationError(errors)
    row = Evaluation(evaluator_kind=evaluator_kind, evaluator_id=evaluator_id, period=label,
                     received_on=received_on, result=result.strip(), recognized=recognized,
                     note=note.strip())
    session.add(row)
    audit.record_create(session, actor, row)
    return evaluations(session, ids=[row.id])[0]


def evaluations(session: Session, *, evaluator_kind: str | None = None, evaluator_ids: list[int] | None = None,
                overlapping: Period | None = None, ids: list[int] | None = None) -> list[EvaluationRow]:
    stmt = select(Evaluation, Organisation.name).outerjoin(
        Organisation, Organisation.id == Evaluation.evaluator_id).where(Evaluation.deleted_at.is_(None))
    if evaluator_kind is not None:
        stmt = stmt.where(Evaluation.evaluator_kind == evaluator_kind)
    if evaluator_ids is not None:
        stmt = stmt.where(Evaluation.evaluator_id.in_(evaluator_ids))
    if ids is not None:
        stmt = stmt.where(Evaluation.id.in_(ids))
    out = []
    for e, name in session.execute(stmt.order_by(Evaluation.received_on, Evaluation.id)).all():
        if overlapping is not None:
            p = parse(e.period)
            if p.end < overlapping.start or p.start > overlapping.end:
                continue
        out.append(EvaluationRow(e.id, e.evaluator_kind, e.evaluator_id, name or "", e.period,
                                 e.received_on, e.result, e.recognized, e.note))
    return out
