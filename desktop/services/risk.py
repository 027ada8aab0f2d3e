"""Project risk level (N-12): configurable grading with its factors, overrides, history, lists and visit schedule."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar, cast

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from desktop.messages import Message
from desktop.models import (
    DangerItem,
    Document,
    Hazard,
    Incident,
    Inspection,
    Policy,
    Project,
    RiskAssessment,
    ServicePlan,
    User,
)
from desktop.models.enums import ProjectStatus, RiskLevel
from desktop.services import audit, permissions, rules
from desktop.services.context import Actor, ValidationError, msg, now
from desktop.services.hazards import OPEN_STATES
from desktop.services.projects import load as load_project

RANK = {"low": 0, "medium": 1, "high": 2}
_OPEN = [s.value for s in OPEN_STATES]


DEFAULT_REASON = msg("按评定规则计算")  # an assessment by the rules, not by hand


@dataclass(frozen=True)
class Factor:
    code: str
    label: str
    level: str  # the level this factor calls for
    detail: str = ""
    ref_ids: tuple[int, ...] = ()
    until: dt.date | None = None  # binding until this date (fatal accident)


@dataclass(frozen=True)
class Computation:
    project_id: int
    level: str
    factors: tuple[Factor, ...]
    valid_until: dt.date | None
    floor: str | None  # an override may not go below this level


@dataclass(frozen=True)
class AssessmentRow:
    id: int
    project_id: int
    level: str
    computed_level: str | None
    is_override: bool
    reason: str
    factors: tuple[Factor, ...]
    assessed_at: dt.datetime
    assessed_by_id: int | None
    assessed_by: str
    valid_until: dt.date | None

    @property
    def level_label(self) -> str:
        return RiskLevel(self.level).label


@dataclass(frozen=True)
class ProjectLevel:
    project_id: int
    code: str
    name: str
    district: str
    status: str
    level: str | None
    assessed_at: dt.datetime | None
    is_override: bool
    reason: str


@dataclass(frozen=True)
class LevelLists:
    high: tuple[ProjectLevel, ...]
    medium: tuple[ProjectLevel, ...]
    low: tuple[ProjectLevel, ...]
    unassessed: tuple[ProjectLevel, ...]


@dataclass(frozen=True)
class VisitDue:
    project_id: int
    code: str
    name: str
    level: str | None
    interval_days: int
    from_plan: bool  # the interval comes from a signed special service plan
    last_visit: dt.date | None
    next_due: dt.date
    overdue: bool
    days_overdue: int


@dataclass(frozen=True)
class SpecialPlanGap:
    project_id: int
    code: str
    name: str
    level: str
    since: dt.date  # first assessment of the current high/medium run


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def grading(session: Session) -> rules.Grading:
    default = next(r.default for r in rules.RULES if r.key == "risk.grading")
    # the stored value was checked by rules.validate; the defaults fill what it leaves out
    return cast(rules.Grading, {**default, **rules.get(session, "risk.grading")})


def compute(session: Session, project_id: int, *, today: dt.date | None = None) -> Computation:
    """Grade a project from its data; the level is the highest any factor calls for."""
    today = today or now().date()
    p = load_project(session, project_id)
    cfg = grading(session)
    factors: list[Factor] = []
    depth = p.excavation_depth_m
    if depth is not None:
        deep, shallow = Decimal(str(cfg["deep_excavation_m"])), Decimal(str(cfg["shallow_excavation_m"]))
        if depth >= deep:
            factors.append(Factor("deep_excavation", msg("深基坑"), "high",
                                   msg("开挖深度 {depth} m，不小于 {deep} m", depth=depth, deep=deep)))
        elif depth >= shallow:
            factors.append(Factor("excavation", msg("基坑开挖"), "medium",
                                   msg("开挖深度 {depth} m（{shallow}–{deep} m）", depth=depth, shallow=shallow,
                                       deep=deep)))
        else:
            factors.append(Factor("shallow_excavation", msg("浅基坑"), "low",
                                   msg("开挖深度 {depth} m，小于 {shallow} m", depth=depth, shallow=shallow)))
    items = danger_items_on(session, p.id, today)
    danda: tuple[tuple[bool, rules.LevelFactor, Message], ...] = (
        (True, "super_danda_in_progress", msg("超危大工程施工中")),
        (False, "danda_in_progress", msg("危大工程施工中")))
    for is_super, key, label in danda:
        chosen = [i for i in items if bool(i.is_super) == is_super]
        if chosen:
            factors.append(Factor(key, label, cfg[key], "、".join(i.name for i in chosen),
                                  tuple(i.id for i in chosen)))
    open_hazards = session.execute(select(Hazard.id, Hazard.level, Hazard.escalated).where(
        Hazard.project_id == p.id, Hazard.status.in_(_OPEN), Hazard.deleted_at.is_(None),
        Hazard.found_date <= today)).all()
    level1 = tuple(h.id for h in open_hazards if h.level == 1)
    if level1:
        factors.append(Factor("open_level1_hazard", msg("存在未闭合一级隐患"), cfg["open_level1_hazard"],
                              msg("{n} 项", n=len(level1)), level1))
    escalated = tuple(h.id for h in open_hazards if h.escalated)
    if escalated:
        factors.append(Factor("escalated_hazard", msg("拒不整改或拖延整改"), cfg["escalated_hazard"],
                              msg("{n} 项", n=len(escalated)), escalated))
    units = max(Decimal(1), (p.floor_area_m2 or Decimal(0)) / Decimal(10_000))
    density = cfg["open_hazards_per_10k_m2"]
    for level, per_10k in (("high", density["high"]), ("medium", density["medium"])):
        threshold = Decimal(str(per_10k)) * units
        if open_hazards and len(open_hazards) >= threshold:
            factors.append(Factor("hazard_density", msg("未闭合隐患较多"), level,
                                  msg("未闭合隐患 {n} 项，阈值 {threshold} 项", n=len(open_hazards),
                                      threshold=f"{threshold:.0f}")))
            break
    factors.extend(_accident_factors(session, p.id, cfg, today))
    if not factors:
        factors.append(Factor("baseline", msg("未触发升级因素"), "low", msg("按低风险管理")))
    level = max((f.level for f in factors), key=RANK.__getitem__)
    binding = [f.until for f in factors if f.until is not None]
    valid_until = max(binding) if binding else None
    return Computation(p.id, level, tuple(factors), valid_until, "high" if binding else None)


def danger_items_on(session: Session, project_id: int, day: dt.date) -> list[Any]:
    """The project's 危大 items under way on `day`. Today (or later) their status says so; for a
    past day their actual dates do — an item started on D is under way from D, a finished one
    until its end date and done after it — so an assessment dated in the past reads the items as
    they stood then, not as they stand now. An item without an actual start (entered before the
    dates were kept) falls back to its status."""
    rows = session.execute(select(
        DangerItem.id, DangerItem.name, DangerItem.is_super, DangerItem.status, DangerItem.actual_start,
        DangerItem.actual_end).where(DangerItem.project_id == project_id, DangerItem.deleted_at.is_(None))
        .order_by(DangerItem.id)).all()
    if day >= now().date():
        return [r for r in rows if r.status == "in_progress"]
    return [r for r in rows if (r.status == "in_progress" and r.actual_start is None) or (
        r.actual_start is not None and r.actual_start <= day
        and (r.actual_end is None or day <= r.actual_end))]


def _accident_factors(session: Session, project_id: int, cfg: rules.Grading, today: dt.date) -> list[Factor]:
    fatal: list[tuple[int, dt.date]] = []
    recent: list[int] = []
    for i in session.execute(select(Incident).where(
            Incident.project_id == project_id, Incident.deleted_at.is_(None),
            Incident.kind.in_(("general_accident", "larger_accident")),
            Incident.occurred_on <= today).order_by(Incident.occurred_on)).scalars():
        until = add_months(i.occurred_on, int(cfg["fatal_accident_months"]))
        if (i.fatalities > 0 or i.kind == "larger_accident") and until >= today:
            fatal.append((i.id, until))
        elif i.occurred_on >= add_months(today, -int(cfg["accident_months"])):
            recent.append(i.id)
    out: list[Factor] = []
    if fatal:
        until = max(u for _, u in fatal)
        out.append(Factor("fatal_accident", msg("发生死亡或较大及以上事故"), "high",
                          msg("至 {until} 保持高风险", until=until.isoformat()), tuple(i for i, _ in fatal),
                          until))
    if recent:
        out.append(Factor("recent_accident", msg("近期发生生产安全事故"), cfg["accident_level"],
                          msg("{n} 起", n=len(recent)), tuple(recent)))
    return out


def _store(session: Session, actor: Actor, comp: Computation, *, level: str, is_override: bool,
           reason: str) -> AssessmentRow:
    project = load_project(session, comp.project_id)
    row = RiskAssessment(
        project_id=project.id, level=level, computed_level=comp.level, is_override=is_override,
        reason=reason, factors=[_factor_json(f) for f in comp.factors],
        assessed_at=now(), assessed_by_id=actor.user_id, valid_until=comp.valid_until)
    session.add(row)
    audit.record_create(session, actor, row)
    if project.risk_level != level:
        before = audit.snapshot(project)
        project.risk_level = level
        audit.record_update(session, actor, project, before, action="risk_level", note=reason)
    return _row(row, actor.display_name or actor.username)


def assess(session: Session, actor: Actor, project_id: int, *, reason: str = "",
           today: dt.date | None = None) -> AssessmentRow:
    """Compute and store the project's level; Project.risk_level follows the latest assessment."""
    permissions.require(actor, "risk.assess")
    comp = compute(session, project_id, today=today)
    return _store(session, actor, comp, level=comp.level, is_override=False,
                  reason=reason.strip() or DEFAULT_REASON)


def override(session: Session, actor: Actor, project_id: int, level: str, *, reason: str,
             today: dt.date | None = None) -> AssessmentRow:
    """Set a level by hand; the reason is required and the computed level is kept beside it."""
    permissions.require(actor, "risk.assess")
    errors: dict[str, str] = {}
    if level not in RANK:
        errors["level"] = msg("风险等级须为高、中、低之一")
    if not reason.strip():
        errors["reason"] = msg("人工调整风险等级须填写理由")
    if errors:
        raise ValidationError(errors)
    comp = compute(session, project_id, today=today)
    if comp.floor and RANK[level] < RANK[comp.floor]:
        raise ValidationError({"level": msg("项目发生死亡或较大及以上事故，{valid_until} 前须保持高风险",
                                            valid_until=comp.valid_until)})
    return _store(session, actor, comp, level=level, is_override=True, reason=reason.strip())


def _factor_json(f: Factor) -> dict[str, Any]:
    """A factor as stored: its Chinese texts, plus their templates so a window in another
    language can still translate them when the assessment is read back."""
    data: dict[str, Any] = audit.jsonable(f.__dict__)
    texts = {name: [text.template, audit.jsonable(dict(text.params))]
             for name in ("label", "detail")
             if isinstance(text := getattr(f, name), Message) and text.template is not None}
    if texts:
        data["texts"] = texts
    return data


def _factor(f: dict[str, Any]) -> Factor:
    data = {k: v for k, v in f.items() if k != "texts"}
    for name, (template, params) in (f.get("texts") or {}).items():
        data[name] = Message(template, params, text=data.get(name, ""))
    data["ref_ids"] = tuple(f.get("ref_ids") or ())
    data["until"] = dt.date.fromisoformat(f["until"]) if f.get("until") else None
    return Factor(**data)


def _row(a: RiskAssessment, who: str) -> AssessmentRow:
    factors = tuple(_factor(f) for f in (a.factors or []))
    return AssessmentRow(a.id, a.project_id, a.level, a.computed_level, a.is_override, a.reason,
                         factors, a.assessed_at, a.assessed_by_id, who, a.valid_until)


def history(session: Session, project_id: int) -> list[AssessmentRow]:
    """Every assessment of the project, newest first: who, when, why."""
    rows = session.execute(
        select(RiskAssessment, func.coalesce(User.display_name, "系统"))
        .outerjoin(User, User.id == RiskAssessment.assessed_by_id)
        .where(RiskAssessment.project_id == project_id)
        .order_by(RiskAssessment.assessed_at.desc(), RiskAssessment.id.desc())).all()
    return [_row(a, who) for a, who in rows]


def current(session: Session, project_id: int) -> AssessmentRow | None:
    rows = history(session, project_id)
    return rows[0] if rows else None


_S = TypeVar("_S", bound="Select[*tuple[Any, ...]]")


def _scoped(stmt: _S, insurer_id: int | None, authority_id: int | None) -> _S:
    if insurer_id is not None:
        stmt = stmt.where(Project.id.in_(select(Policy.project_id).where(
            Policy.insurer_id == insurer_id, Policy.deleted_at.is_(None))))
    if authority_id is not None:
        stmt = stmt.where(Project.authority_id == authority_id)
    return stmt


def project_levels(session: Session, *, insurer_id: int | None = None, authority_id: int | None = None,
                   project_ids: list[int] | None = None, include_completed: bool = False) -> list[ProjectLevel]:
    latest = select(RiskAssessment.project_id, func.max(RiskAssessment.id).label("aid")) \
        .group_by(RiskAssessment.project_id).subquery()
    stmt = (select(Project, RiskAssessment)
            .outerjoin(latest, latest.c.project_id == Project.id)
            .outerjoin(RiskAssessment, RiskAssessment.id == latest.c.aid)
            .where(Project.deleted_at.is_(None)).order_by(Project.code))
    if not include_completed:
        stmt = stmt.where(Project.status != ProjectStatus.COMPLETED.value)
    if project_ids is not None:
        stmt = stmt.where(Project.id.in_(project_ids))
    return [ProjectLevel(p.id, p.code, p.name, p.district, p.status, p.risk_level,
                         a.assessed_at if a else None, bool(a and a.is_override), a.reason if a else "")
            for p, a in session.execute(_scoped(stmt, insurer_id, authority_id)).all()]


def level_lists(session: Session, *, insurer_id: int | None = None,
                authority_id: int | None = None) -> LevelLists:
    """The high / medium / low project lists (and the not yet assessed) for a scope."""
    rows = project_levels(session, insurer_id=insurer_id, authority_id=authority_id)
    by_level: dict[str | None, list[ProjectLevel]] = {"high": [], "medium": [], "low": [], None: []}
    for r in rows:
        by_level.setdefault(r.level, []).append(r)
    return LevelLists(*(tuple(by_level[k]) for k in ("high", "medium", "low", None)))


def visit_intervals(session: Session) -> dict[str, int]:
    return {k: int(v) for k, v in rules.get(session, "risk.visit_interval_days").items()}


def visit_schedule(session: Session, *, today: dt.date | None = None, insurer_id: int | None = None,
                   authority_id: int | None = None, overdue_only: bool = False,
                   project_ids: list[int] | None = None) -> list[VisitDue]:
    """For each project under construction: last visit, next due by its level, overdue flag.

    A signed special plan's own interval wins; a project not yet assessed gets the shortest
    interval; a project never visited is due by the first-identification allowance (N-02).
    Given `project_ids` (the self-check's projects served in a period), those projects whatever
    their status now."""
    today = today or now().date()
    intervals = visit_intervals(session)
    first_days = int(rules.get(session, "first_inspection_days"))
    last = select(Inspection.project_id, func.max(Inspection.date).label("last")).where(
        Inspection.deleted_at.is_(None), Inspection.date <= today).group_by(Inspection.project_id).subquery()
    policy_start = select(func.min(Policy.start_date)).where(
        Policy.project_id == Project.id, Policy.deleted_at.is_(None)).scalar_subquery()
    stmt = (select(Project, last.c.last, policy_start).outerjoin(last, last.c.project_id == Project.id)
            .where(Project.deleted_at.is_(None)))
    stmt = stmt.where(Project.status == ProjectStatus.ACTIVE.value) if project_ids is None \
        else stmt.where(Project.id.in_(project_ids))
    plans = dict(session.execute(
        select(ServicePlan.project_id, ServicePlan.visit_interval_days).where(
            ServicePlan.kind == "special", ServicePlan.status == "signed",
            ServicePlan.deleted_at.is_(None), ServicePlan.visit_interval_days.is_not(None))
        .order_by(ServicePlan.revision)).all())
    out = []
    for p, last_visit, insured_from in session.execute(_scoped(stmt, insurer_id, authority_id)).all():
        interval = plans.get(p.id) or intervals.get(p.risk_level or "", min(intervals.values()))
        if last_visit is not None:
            due = last_visit + dt.timedelta(days=interval)
        else:
            # counted as the first identification is: the contract, else the policy start
            basis = p.service_contract_date or insured_from or p.start_date or today
            due = basis + dt.timedelta(days=first_days)
        late = max(0, (today - due).days)
        if overdue_only and not late:
            continue
        out.append(VisitDue(p.id, p.code, p.name, p.risk_level, interval, p.id in plans,
                            last_visit, due, late > 0, late))
    return sorted(out, key=lambda v: (v.next_due, v.code))


def special_plans_signed(session: Session, *, upto: dt.date | None = None,
                         project_ids: list[int] | None = None) -> set[int]:
    """Projects with a special service plan signed (by `upto`, when given): a revision since
    replaced by its correction still counts for the days it was in force."""
    stmt = (select(ServicePlan.project_id, func.coalesce(Document.signed_at, ServicePlan.created_at))
            .outerjoin(Document, Document.id == ServicePlan.document_id)
            .where(ServicePlan.kind == "special", ServicePlan.status.in_(("signed", "superseded")),
                   ServicePlan.deleted_at.is_(None)))
    if project_ids is not None:
        stmt = stmt.where(ServicePlan.project_id.in_(project_ids))
    return {pid for pid, at in session.execute(stmt).all()
            if upto is None or (at is not None and at.date() <= upto)}


def levels_on(session: Session, day: dt.date, project_ids: list[int]) -> dict[int, str | None]:
    """Each project's risk level as it stood at the end of `day` (agency time): its latest
    assessment by then (`assessed_at` is agency wall-clock time), None when none was made yet.
    A project raised or lowered later keeps, for a past period, the level it had then."""
    out: dict[int, str | None] = dict.fromkeys(project_ids)
    cutoff = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    for pid, level in session.execute(select(RiskAssessment.project_id, RiskAssessment.level).where(
            RiskAssessment.project_id.in_(project_ids), RiskAssessment.assessed_at < cutoff)
            .order_by(RiskAssessment.assessed_at, RiskAssessment.id)):
        out[pid] = level
    return out


def special_plan_missing(session: Session, *, insurer_id: int | None = None,
                         authority_id: int | None = None,
                         project_ids: list[int] | None = None,
                         upto: dt.date | None = None) -> list[SpecialPlanGap]:
    """High and medium projects without a signed special service plan (N-12, C-3b). With
    `upto` (a period's last day counted), the level each project had on that day counts, not
    its level now, and a plan signed after that day does not."""
    signed = special_plans_signed(session, upto=upto, project_ids=project_ids)
    rows = project_levels(session, insurer_id=insurer_id, authority_id=authority_id,
                          project_ids=project_ids, include_completed=upto is not None)
    then = levels_on(session, upto, [r.project_id for r in rows]) if upto is not None else {}
    out = []
    for r in rows:
        level = then[r.project_id] if upto is not None else r.level
        if level in ("high", "medium") and r.project_id not in signed:
            out.append(SpecialPlanGap(r.project_id, r.code, r.name, level,
                                      _run_start(session, r.project_id, upto)))
    return out


def _run_start(session: Session, project_id: int, upto: dt.date | None = None) -> dt.date:
    """When the project's run of high/medium assessments (current, or as of `upto`) began."""
    since = None
    stmt = select(RiskAssessment.level, RiskAssessment.assessed_at).where(
        RiskAssessment.project_id == project_id)
    if upto is not None:
        stmt = stmt.where(RiskAssessment.assessed_at < dt.datetime.combine(
            upto + dt.timedelta(days=1), dt.time()))
    for level, at in session.execute(stmt.order_by(RiskAssessment.assessed_at.desc(),
                                                   RiskAssessment.id.desc())):
        if level not in ("high", "medium"):
            break
        since = at
    return (since or now()).date()


def needs_reassessment(session: Session, *, today: dt.date | None = None,
                       project_ids: list[int] | None = None) -> list[tuple[ProjectLevel, Computation]]:
    """Projects whose data now grade differently from their stored level (or never graded).

    A manual override stands until its reason lapses: it is listed only when a binding factor
    (fatal accident) calls for more than the override gave."""
    out = []
    for r in project_levels(session, project_ids=project_ids):
        comp = compute(session, r.project_id, today=today)
        if r.level is None or (not r.is_override and comp.level != r.level) or (
                r.is_override and comp.floor and RANK[r.level] < RANK[comp.floor]):
            out.append((r, comp))
    return out
