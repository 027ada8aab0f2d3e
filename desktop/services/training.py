"""Training (N-13: plans, sessions, attendance, coverage, half-year rule, targeting) and emergency plans and drills (N-14)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import (
    Drill,
    EmergencyPlanAssist,
    FeeEntry,
    Hazard,
    Policy,
    Project,
    TrainingAttendance,
    TrainingAttendee,
    TrainingPlan,
    TrainingSession,
)
from desktop.models.base import utcnow
from desktop.services import audit, permissions, rules, training_people, training_rule
from desktop.services.context import Actor, ValidationError, get_live, msg, now
from desktop.services.periods import Period, parse
from desktop.services.projects import check_version
from desktop.services.projects import load as load_project
from desktop.services.risk import add_months
from desktop.services.training_people import AttendeeForm, AttendeeRow

BASES = {"contract": "按合同约定", "half_year": "每半年集中培训"}
ASSIST_KINDS = {"draft_provided": "协助编制应急预案", "written_suggestions": "书面修改建议"}
ASSIST_SUMMARY_LIMIT = 4000
RATINGS = ("优", "良", "中", "差")


@dataclass(frozen=True)
class TrainingPlanRow:
    id: int
    project_id: int
    basis: str
    planned_sessions: int  # per half-year when the basis is the contract
    topics: str
    note: str
    version: int


@dataclass(frozen=True)
class Attendance:
    project_id: int
    managers: int = 0
    workers: int = 0
    roster: str = ""


@dataclass(frozen=True)
class SessionForm:
    date: dt.date
    topic: str
    categories: tuple[str, ...] = ()
    trainer: str = ""
    duration_hours: Decimal | str = Decimal("2.0")
    location: str = ""
    centralized: bool = False
    materials: str = ""
    content: str = ""  # 培训内容: what was taught


@dataclass(frozen=True)
class SessionRow:
    id: int
    date: dt.date
    topic: str
    categories: tuple[str, ...]
    trainer: str
    duration_hours: Decimal
    location: str
    centralized: bool
    attendance: tuple[Attendance, ...]
    version: int
    materials: str = ""
    content: str = ""
    attendees: tuple[AttendeeRow, ...] = ()  # the roster, by project and group


@dataclass(frozen=True)
class HalfYearStatus:
    project_id: int
    period: str
    basis: str
    required_sessions: int
    session_ids: tuple[int, ...]
    centralized_sessions: int
    managers_trained: int  # distinct people in the half-year (services/training_people.py)
    workers_trained: int
    headcount_managers: int
    headcount_workers: int
    hazard_categories: tuple[str, ...]  # found on the project before the sessions
    targeted_session_ids: tuple[int, ...]

    @property
    def frequency_met(self) -> bool:
        if self.basis == "contract":
            return len(self.session_ids) >= self.required_sessions
        return self.centralized_sessions >= 1

    @property
    def coverage_met(self) -> bool:
        heads = self.headcount_managers + self.headcount_workers
        return heads > 0 and self.managers_trained >= self.headcount_managers \
            and self.workers_trained >= self.headcount_workers

    def percent(self, group: str) -> float | None:
        head = getattr(self, f"headcount_{group}")
        done = getattr(self, f"{group}_trained")
        return None if head == 0 else round(min(100.0, 100.0 * done / head), 1)

    @property
    def targeted(self) -> bool:
        return bool(self.targeted_session_ids)

    # attendances (人次), for reference beside the people
    manager_attendances: int = 0
    worker_attendances: int = 0


@dataclass(frozen=True)
class DrillForm:
    project_id: int
    date: dt.date
    scenario: str
    location: str = ""
    participants: int = 0
    organiser: str = ""
    observations: str = ""


@dataclass(frozen=True)
class DrillRow:
    id: int
    project_id: int
    date: dt.date
    scenario: str
    participants: int
    organiser: str
    evaluation: str
    findings: str
    improvements: str
    rating: str
    version: int

    @property
    def evaluated(self) -> bool:
        return bool(self.evaluation.strip())


@dataclass(frozen=True)
class AssistRow:
    id: int
    project_id: int
    kind: str
    date: dt.date
    title: str
    summary: str
    kind_label: str = ""


def split_categories(text: str | tuple[str, ...]) -> tuple[str, ...]:
    parts = text if isinstance(text, tuple) else re.split(r"[,，、;；\n]", text or "")
    out: list[str] = []
    for p in parts:
        p = p.strip()
        if p and p not in out:
            out.append(p)
    return tuple(out)


def _matches(a: str, b: str) -> bool:
    return a == b or a in b or b in a


# -- plans -------------------------------------------------------------------------------


def set_plan(session: Session, actor: Actor, project_id: int, *, basis: str, planned_sessions: int,
             topics: str = "", note: str = "") -> TrainingPlanRow:
    """The project's training plan (one current plan per project; editing keeps the audit trail)."""
    permissions.require(actor, "training.edit")
    load_project(session, project_id)
    errors: dict[str, str] = {}
    if basis not in BASES:
        errors["basis"] = msg("培训依据须为“按合同约定”或“每半年集中培训”")
    if not isinstance(planned_sessions, int) or not 1 <= planned_sessions <= 50:
        errors["planned_sessions"] = msg("计划培训次数须为 1 到 50 之间的整数")
    if errors:
        raise ValidationError(errors)
    plan = _plan(session, project_id)
    if plan is None:
        plan = TrainingPlan(project_id=project_id, basis=basis, planned_sessions=planned_sessions,
                            topics=topics.strip(), note=note.strip())
        session.add(plan)
        audit.record_create(session, actor, plan)
    else:
        before = audit.snapshot(plan)
        plan.basis, plan.planned_sessions = basis, planned_sessions
        plan.topics, plan.note = topics.strip(), note.strip()
        audit.record_update(session, actor, plan, before)
    return TrainingPlanRow(plan.id, project_id, plan.basis, plan.planned_sessions, plan.topics,
                           plan.note, plan.version)


def _plan(session: Session, project_id: int) -> TrainingPlan | None:
    return session.execute(select(TrainingPlan).where(
        TrainingPlan.project_id == project_id, TrainingPlan.deleted_at.is_(None))
        .order_by(TrainingPlan.id.desc()).limit(1)).scalar_one_or_none()


# -- sessions and attendance --------------------------------------------------------------


def _validate_session(form: SessionForm) -> tuple[Decimal, dict[str, str]]:
    errors: dict[str, str] = {}
    if not form.topic.strip():
        errors["topic"] = msg("请填写培训主题")
    elif len(form.topic) > 200:
        errors["topic"] = msg("培训主题不超过 200 字")
    if form.date > now().date():
        errors["date"] = msg("培训日期不能晚于今天")
    if len(form.content) > 2000:
        errors["content"] = msg("培训内容不超过 2000 字")
    if len(",".join(split_categories(form.categories))) > 300:
        errors["categories"] = msg("针对的隐患类别过多（合计不超过 300 字）")
    try:
        hours = Decimal(str(form.duration_hours))
        if not Decimal("0.5") <= hours <= Decimal("24"):
            errors["duration_hours"] = msg("培训学时须在 0.5 到 24 小时之间")
    except InvalidOperation:
        hours = Decimal(0)
        errors["duration_hours"] = msg("培训学时须为数字")
    return hours, errors


def _validate_attendance(session: Session, items: tuple[Attendance, ...] | list[Attendance]) -> dict[str, str]:
    seen: set[int] = set()
    for a in items:
        project = session.get(Project, a.project_id)
        if project is None or project.deleted_at is not None:
            return {"attendance": msg("参训项目不存在")}
        if a.project_id in seen:
            return {"attendance": msg("项目“{name}”重复登记", name=project.name)}
        seen.add(a.project_id)
        if a.managers < 0 or a.workers < 0 or a.managers + a.workers == 0:
            return {"attendance": msg("请填写项目“{name}”参训的管理人员或作业人员人数",
                                   name=project.name)}
    return {}


def with_roster(attendance: tuple[Attendance, ...] | list[Attendance],
                roster: tuple[AttendeeForm, ...] | list[AttendeeForm]) -> list[Attendance]:
    """The attendance lines with a named roster's projects counted from the roster: a project
    with people on the roster attended with exactly those people (a line is added for a project
    only the roster names)."""
    counts = training_people.group_counts(roster)
    out = [Attendance(a.project_id, *counts[a.project_id], a.roster) if a.project_id in counts else a
           for a in attendance]
    listed = {a.project_id for a in attendance}
    out += [Attendance(pid, m, w) for pid, (m, w) in counts.items() if pid not in listed]
    return out


def _roster_errors(roster: tuple[AttendeeForm, ...] | list[AttendeeForm]) -> dict[str, str]:
    problem = training_people.roster_problems(roster)
    return {"attendees": problem} if problem else {}


def _write_roster(session: Session, session_id: int, roster: tuple[AttendeeForm, ...] | list[AttendeeForm]) -> None:
    for old in session.execute(select(TrainingAttendee).where(
            TrainingAttendee.session_id == session_id)).scalars():
        session.delete(old)
    session.flush()
    session.add_all(training_people.new_row(session_id, f) for f in roster)
    session.flush()


def record_session(session: Session, actor: Actor, form: SessionForm,
                   attendance: tuple[Attendance, ...] | list[Attendance],
                   attendees: tuple[AttendeeForm, ...] | list[AttendeeForm] = ()) -> SessionRow:
    """A training session and, per project, how many managers and workers attended; with a
    roster (`attendees`), the named people, whose numbers then are the project's counts."""
    permissions.require(actor, "training.edit")
    attendance = with_roster(attendance, attendees)
    hours, errors = _validate_session(form)
    errors.update(_roster_errors(attendees))
    errors.update(_validate_attendance(session, attendance))
    if not attendance:
        errors["attendance"] = msg("请至少登记一个参训项目")
    if errors:
        raise ValidationError(errors)
    row = TrainingSession(date=form.date, topic=form.topic.strip(),
                          categories=",".join(split_categories(form.categories)),
                          trainer=form.trainer.strip(), duration_hours=hours,
                          location=form.location.strip(), centralized=form.centralized,
                          materials=form.materials, content=form.content.strip(),
                          created_by_id=actor.user_id)
    session.add(row)
    session.flush()
    session.add_all(TrainingAttendance(session_id=row.id, project_id=a.project_id, managers=a.managers,
                                       workers=a.workers, roster=a.roster.strip()) for a in attendance)
    _write_roster(session, row.id, attendees)
    audit.record_create(session, actor, row, note="参训：" + "；".join(
        f"项目{a.project_id} 管理{a.managers}人 作业{a.workers}人" for a in attendance)
        + (f"；名单 {len(attendees)} 人" if attendees else ""))
    return get_session(session, row.id)


def set_attendance(session: Session, actor: Actor, session_id: int, item: Attendance) -> SessionRow:
    """Add or correct one project's attendance at a session."""
    permissions.require(actor, "training.edit")
    _load_session(session, session_id)
    named = training_people.group_counts(training_people.attendees(session, session_id, item.project_id))
    if item.project_id in named:  # a project with a roster attended with exactly those people
        item = Attendance(item.project_id, *named[item.project_id], item.roster)
    errors = _validate_attendance(session, [item])
    if errors:
        raise ValidationError(errors)
    row = session.execute(select(TrainingAttendance).where(
        TrainingAttendance.session_id == session_id,
        TrainingAttendance.project_id == item.project_id)).scalar_one_or_none()
    before = audit.snapshot(row) if row else None
    if row is None:
        row = TrainingAttendance(session_id=session_id, project_id=item.project_id)
        session.add(row)
    row.managers, row.workers, row.roster = item.managers, item.workers, item.roster.strip()
    session.flush()
    audit.record(session, actor, action="update" if before else "create", entity="training_attendance",
                 entity_id=row.id, before=before, after=audit.snapshot(row))
    return get_session(session, session_id)


def update_session(session: Session, actor: Actor, session_id: int, form: SessionForm,
                   attendance: tuple[Attendance, ...] | list[Attendance], *,
                   expected_version: int,
                   attendees: tuple[AttendeeForm, ...] | list[AttendeeForm] | None = None) -> SessionRow:
    """Correct a recorded session: its facts and, per project, who attended; a project left out
    of `attendance` is taken off the session (with its people). `attendees` replaces the roster;
    None keeps it. One unit of work, one audit entry."""
    permissions.require(actor, "training.edit")
    row = _load_session(session, session_id)
    check_version(row, expected_version, msg("培训记录"))
    kept = attendees is None
    if attendees is None:
        listed = {a.project_id for a in attendance}
        attendees = [a.form() for a in training_people.attendees(session, row.id)
                     if a.project_id in listed]
    attendance = with_roster(attendance, attendees)
    hours, errors = _validate_session(form)
    errors.update(_roster_errors(attendees))
    errors.update(_validate_attendance(session, attendance))
    if not attendance:
        errors["attendance"] = msg("请至少登记一个参训项目")
    current = {a.project_id: a for a in session.execute(select(TrainingAttendance).where(
        TrainingAttendance.session_id == row.id)).scalars()}
    wanted = {a.project_id: a for a in attendance}
    dropped = [pid for pid in current if pid not in wanted]
    if dropped and "attendance" not in errors:
        booked = _booked_projects(session, row.id, dropped)
        if booked:
            errors["attendance"] = msg("该培训已在项目“{name}”的预防费用台账中列支，"
                                        "不能移除该项目的参训记录；请先作废台账记录",
                                        name=booked[0])
    if errors:
        raise ValidationError(errors)
    facts = {"date": form.date, "topic": form.topic.strip(),
             "categories": ",".join(split_categories(form.categories)), "trainer": form.trainer.strip(),
             "duration_hours": hours, "location": form.location.strip(), "centralized": form.centralized,
             "materials": form.materials, "content": form.content.strip()}
    lines = {pid: (a.managers, a.workers, a.roster.strip()) for pid, a in wanted.items()}
    was = {pid: (a.managers, a.workers, a.roster) for pid, a in current.items()}
    old_roster = [a.form() for a in training_people.attendees(session, row.id)]
    new_roster = [training_people.cleaned(f) for f in attendees]
    if lines == was and new_roster == old_roster and all(getattr(row, k) == v for k, v in facts.items()):
        return get_session(session, row.id)  # nothing to save
    before = audit.snapshot(row)
    for key, value in facts.items():
        setattr(row, key, value)
    row.updated_at = utcnow()  # the version moves on even when only the attendance changed
    for pid in dropped:
        session.delete(current[pid])
    if new_roster != old_roster:
        _write_roster(session, row.id, new_roster)
    for pid, (managers, workers, roster) in lines.items():
        line = current.get(pid)
        if line is None:
            session.add(TrainingAttendance(session_id=row.id, project_id=pid, managers=managers,
                                           workers=workers, roster=roster))
        else:
            line.managers, line.workers, line.roster = managers, workers, roster
    changed = [f"项目{pid} {_attendance_text(was.get(pid))} → {_attendance_text(lines.get(pid))}"
               for pid in sorted(set(lines) | set(was)) if lines.get(pid) != was.get(pid)]
    if new_roster != old_roster:
        changed.append(f"名单 {len(old_roster)} 人 → {len(new_roster)} 人"
                       + ("（随移除的项目）" if kept else ""))
    audit.record_update(session, actor, row, before,
                        note="参训：" + "；".join(changed) if changed else "")
    return get_session(session, row.id)


def _attendance_text(line: tuple[int, int, str] | None) -> str:
    return "无" if line is None else f"管理{line[0]}人 作业{line[1]}人"


def _booked_projects(session: Session, session_id: int, project_ids: list[int]) -> list[str]:
    """Names of those projects whose fee ledger books this session (they stay on it)."""
    return list(session.execute(select(Project.name).join(Policy, Policy.project_id == Project.id)
                                .join(FeeEntry, FeeEntry.policy_id == Policy.id).where(
        Project.id.in_(project_ids), FeeEntry.ref_type == "training_session",
        FeeEntry.ref_id == session_id, FeeEntry.deleted_at.is_(None)).order_by(Project.id)).scalars())


def _load_session(session: Session, session_id: int) -> TrainingSession:
    return get_live(session, TrainingSession, session_id, msg("培训记录不存在或已删除。"))


def get_session(session: Session, session_id: int, *, roster: bool = True) -> SessionRow:
    """One session with its attendance and (unless `roster` is False: lists and counts that do
    not need them) its named people."""
    t = _load_session(session, session_id)
    att = tuple(Attendance(a.project_id, a.managers, a.workers, a.roster) for a in session.execute(
        select(TrainingAttendance).where(TrainingAttendance.session_id == t.id)
        .order_by(TrainingAttendance.project_id)).scalars())
    return SessionRow(t.id, t.date, t.topic, split_categories(t.categories), t.trainer,
                      t.duration_hours, t.location, t.centralized, att, t.version, t.materials,
                      t.content, tuple(training_people.attendees(session, t.id)) if roster else ())


def delete_session(session: Session, actor: Actor, session_id: int, *, expected_version: int,
                   reason: str) -> None:
    permissions.require(actor, "training.edit")
    row = _load_session(session, session_id)
    check_version(row, expected_version, msg("培训记录"))
    if not reason.strip():
        raise ValidationError({"reason": msg("请填写删除原因")})
    before = audit.snapshot(row)
    row.deleted_at = now()
    audit.record_update(session, actor, row, before, action="delete", note=reason.strip())


def sessions_for_project(session: Session, project_id: int, *, period: Period | None = None) -> list[SessionRow]:
    stmt = select(TrainingSession.id).join(
        TrainingAttendance, TrainingAttendance.session_id == TrainingSession.id).where(
        TrainingAttendance.project_id == project_id, TrainingSession.deleted_at.is_(None))
    if period is not None:
        stmt = stmt.where(TrainingSession.date.between(period.start, period.end))
    ids = session.execute(stmt.order_by(TrainingSession.date, TrainingSession.id)).scalars().all()
    return [get_session(session, i, roster=False) for i in ids]  # a list: the people stay unread


# -- the half-year rule, coverage and targeting (C-4a/b/c) ---------------------------------


def hazard_categories(session: Session, project_id: int, *, before: dt.date,
                      months: int | None = None) -> tuple[str, ...]:
    """Hazard categories found on the project in the months up to `before` (inclusive)."""
    months = int(rules.get(session, "training.hazard_lookback_months")) if months is None else months
    found = _categories_found(session, [project_id], add_months(before, -months), before)
    return tuple(sorted(found.get(project_id, {})))


def half_year_statuses(session: Session, half: Period, project_ids: list[int]) -> dict[int, HalfYearStatus]:
    """Each project's half-year status, read in a fixed number of statements whatever the
    number of projects and sessions (the self-check asks it for every project of the agency)."""
    months = int(rules.get(session, "training.hazard_lookback_months"))
    frequency = training_rule.frequency(session, half, project_ids)
    people = training_people.people_trained(session, half, project_ids)
    heads = {pid: (managers, workers) for pid, managers, workers in session.execute(
        select(Project.id, Project.headcount_managers, Project.headcount_workers)
        .where(Project.id.in_(project_ids), Project.deleted_at.is_(None)))}
    session_ids = {sid for pid in project_ids for sid in frequency[pid].session_ids}
    sessions = {sid: (day, split_categories(categories)) for sid, day, categories in session.execute(
        select(TrainingSession.id, TrainingSession.date, TrainingSession.categories)
        .where(TrainingSession.id.in_(session_ids)))} if session_ids else {}
    # categories found during the half-year and the look-back before it, and before each session
    windows = [(add_months(half.end, -(months + 6)), half.end)]
    windows += [(add_months(day, -months), day) for day, _ in sessions.values()]
    found_on = _categories_found(session, project_ids, min(w[0] for w in windows),
                                 max(w[1] for w in windows))

    def found(pid: int, before: dt.date, back: int) -> set[str]:
        since = add_months(before, -back)
        return {c for c, days in found_on.get(pid, {}).items() if any(since <= d <= before for d in days)}

    out: dict[int, HalfYearStatus] = {}
    for pid in project_ids:
        if pid not in heads:
            load_project(session, pid)  # says the project is gone, as one project's status does
        freq = frequency[pid]
        targeted = []
        for sid in freq.session_ids:
            day, categories = sessions[sid]
            wanted = found(pid, day, months)
            # with no hazards yet, content declared for some category counts as targeted
            if (wanted and any(_matches(c, w) for c in categories for w in wanted)) or (
                    not wanted and categories):
                targeted.append(sid)
        p = people[pid]
        out[pid] = HalfYearStatus(
            pid, half.label, freq.basis, freq.required_sessions, freq.session_ids,
            len(freq.centralized_ids), p.managers, p.workers, heads[pid][0], heads[pid][1],
            tuple(sorted(found(pid, half.end, months + 6))), tuple(targeted),
            p.manager_attendances, p.worker_attendances)
    return out


def _categories_found(session: Session, project_ids: list[int], since: dt.date,
                      until: dt.date) -> dict[int, dict[str, list[dt.date]]]:
    """The days each hazard category was found on each project between two days (inclusive):
    hazards not deleted, not cancelled, with a category given."""
    out: dict[int, dict[str, list[dt.date]]] = {}
    for pid, category, day in session.execute(
            select(Hazard.project_id, Hazard.category, Hazard.found_date).where(
                Hazard.project_id.in_(project_ids), Hazard.deleted_at.is_(None), Hazard.category != "",
                Hazard.status != "cancelled", Hazard.found_date >= since, Hazard.found_date <= until)
            .group_by(Hazard.project_id, Hazard.category, Hazard.found_date)):
        out.setdefault(pid, {}).setdefault(category, []).append(day)
    return out


def half_year_status(session: Session, project_id: int, half: Period | str) -> HalfYearStatus:
    """Training frequency (per contract, else one centralized session: services/training_rule.py),
    coverage of all managers and workers — distinct people against the headcount
    (services/training_people.py) — and targeting, for one project and half-year."""
    half = parse(half) if isinstance(half, str) else half
    if "H" not in half.label:
        raise ValidationError({"half": msg("请选择半年度（如 2026H1）")})
    return half_year_statuses(session, half, [project_id])[project_id]


# -- emergency plans and drills (N-14) ------------------------------------------------------


def record_assist(session: Session, actor: Actor, project_id: int, *, kind: str, date: dt.date,
                  title: str, summary: str = "") -> AssistRow:
    """Help with the insured's emergency plan: a draft provided or written suggestions (C-5a)."""
    permissions.require(actor, "drill.edit")
    load_project(session, project_id)
    errors: dict[str, str] = {}
    if kind not in ASSIST_KINDS:
        errors["kind"] = msg("请选择协助编制或书面修改建议")
    if not title.strip():
        errors["title"] = msg("请填写应急预案名称")
    elif len(title.strip()) > 200:  # the column's size
        errors["title"] = msg("{field}不超过 {limit} 字", field=msg("应急预案名称"), limit=200)
    if len(summary.strip()) > ASSIST_SUMMARY_LIMIT:  # printed as the 编制建议书's suggestions
        errors["summary"] = msg("{field}不超过 {limit} 字", field=msg("主要建议"),
                                limit=ASSIST_SUMMARY_LIMIT)
    if date > now().date():
        errors["date"] = msg("日期不能晚于今天")
    if errors:
        raise ValidationError(errors)
    row = EmergencyPlanAssist(project_id=project_id, kind=kind, date=date, title=title.strip(),
                              summary=summary.strip(), created_by_id=actor.user_id)
    session.add(row)
    audit.record_create(session, actor, row)
    return AssistRow(row.id, project_id, kind, date, row.title, row.summary, ASSIST_KINDS[kind])


def assists_for_project(session: Session, project_id: int) -> list[AssistRow]:
    return [AssistRow(a.id, a.project_id, a.kind, a.date, a.title, a.summary, ASSIST_KINDS.get(a.kind, a.kind))
            for a in session.execute(select(EmergencyPlanAssist).where(
                EmergencyPlanAssist.project_id == project_id, EmergencyPlanAssist.deleted_at.is_(None))
                .order_by(EmergencyPlanAssist.date)).scalars()]


def _drill_row(d: Drill) -> DrillRow:
    return DrillRow(d.id, d.project_id, d.date, d.scenario, d.participants, d.organiser,
                    d.evaluation, d.findings, d.improvements, d.rating, d.version)


def record_drill(session: Session, actor: Actor, form: DrillForm) -> DrillRow:
    permissions.require(actor, "drill.edit")
    load_project(session, form.project_id)
    errors: dict[str, str] = {}
    if not form.scenario.strip():
        errors["scenario"] = msg("请填写演练科目（如高处坠落、坍塌、火灾）")
    if form.date > now().date():
        errors["date"] = msg("演练日期不能晚于今天")
    if form.participants < 0:
        errors["participants"] = msg("参演人数不能为负数")
    if errors:
        raise ValidationError(errors)
    drill = Drill(project_id=form.project_id, date=form.date, scenario=form.scenario.strip(),
                  location=form.location.strip(), participants=form.participants,
                  organiser=form.organiser.strip(), observations=form.observations.strip(),
                  created_by_id=actor.user_id)
    session.add(drill)
    audit.record_create(session, actor, drill)
    return _drill_row(drill)


def evaluate_drill(session: Session, actor: Actor, drill_id: int, *, evaluation: str, rating: str,
                   findings: str = "", improvements: str = "", expected_version: int) -> DrillRow:
    """The agency's evaluation of how the drill went (C-5b: 演练成效总结评估)."""
    permissions.require(actor, "drill.edit")
    drill = get_live(session, Drill, drill_id, msg("演练记录不存在或已删除。"))
    check_version(drill, expected_version, msg("演练记录"))
    errors: dict[str, str] = {}
    if not evaluation.strip():
        errors["evaluation"] = msg("请填写演练成效评估")
    if rating not in RATINGS:
        errors["rating"] = msg("评价等级须为 优、良、中、差 之一")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(drill)
    drill.evaluation, drill.rating = evaluation.strip(), rating
    drill.findings, drill.improvements = findings.strip(), improvements.strip()
    audit.record_update(session, actor, drill, before, action="evaluate")
    return _drill_row(drill)


def drills_for_project(session: Session, project_id: int) -> list[DrillRow]:
    return [_drill_row(d) for d in session.execute(select(Drill).where(
        Drill.project_id == project_id, Drill.deleted_at.is_(None)).order_by(Drill.date)).scalars()]


def drills_unevaluated(session: Session, *, project_ids: list[int] | None = None) -> list[DrillRow]:
    stmt = select(Drill).where(Drill.deleted_at.is_(None), Drill.evaluation == "")
    if project_ids is not None:
        stmt = stmt.where(Drill.project_id.in_(project_ids))
    return [_drill_row(d) for d in session.execute(stmt.order_by(Drill.date)).scalars()]
