"""The self-check against the annex checklist: every item C-1a … C-8c from the data, with evidence and gaps."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal, NamedTuple, TypedDict, TypeVar, cast

from sqlalchemy import ColumnElement, Executable, Select, select
from sqlalchemy.orm import Session

from desktop.messages import Series
from desktop.models import (
    AgencyProfile,
    ChecklistAnswer,
    DangerItem,
    Document,
    Drill,
    EmergencyPlanAssist,
    ExternalReport,
    Hazard,
    HazardEvent,
    Inspection,
    Meeting,
    Organisation,
    Policy,
    Project,
    ProjectStage,
    RiskAssessment,
    ServicePlan,
    Submission,
    User,
)
from desktop.models.enums import InspectionKind, Recipient
from desktop.services import (
    audit,
    complaints,
    fees,
    obligations,
    permissions,
    risk,
    risk_sources,
    risk_watch,
    rules,
    training,
)
from desktop.services.checklist_items import (
    BY_ID,
    ITEMS,
    MANUAL_ALLOWED,
    SCOPES,
    ChecklistResult,
    Evidence,
    Gap,
    ItemResult,
    ManualAnswer,
    summary_text,
)
from desktop.services.context import Actor, NotFound, ValidationError, get_live, msg, now
from desktop.services.periods import Period, owed_in, parse, quarter_of
from desktop.services.projects import insurer_of

ANSWERS = ("met", "not_met", "not_applicable")
DOC_KINDS = {"hazard_list": msg("隐患排查及问题整改清单"), "safety_analysis": msg("安全生产分析"),
             "risk_assessment": msg("风险评估报告")}
LEVEL = {1: msg("一级"), 2: msg("二级"), 3: msg("三级"), 4: msg("四级")}
_STEP = {"month": 1, "quarter": 3, "half": 6, "year": 12}

__all__ = ["ChecklistResult", "Evidence", "Gap", "ItemResult", "ManualAnswer", "answer_manual",
           "evaluate", "resolve_scope", "sub_periods", "summary_text"]

T = TypeVar("T")
DayKey = Literal["first", "stage_grace_days", "delivery_days", "special_plan_days",
                 "emergency_plan_days", "drill_days", "drill_evaluation_days"]


class Deadlines(rules.ComplianceDeadlines):
    first: int  # days from the service start to the first identification (first_inspection_days)


@dataclass
class Context:
    """What every item computation shares: the scope's projects, the dates, name look-ups."""

    session: Session
    period: Period
    as_of: dt.date  # the day of the check: what is late is judged against it
    upto: dt.date  # the last day of data counted: min(period end, as_of)
    scope_type: str
    scope_id: int | None
    projects: dict[int, Project] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)
    candidates: list[int] | None = None  # the scope's projects (None: the whole agency)

    @property
    def pids(self) -> list[int]:
        return list(self.projects)

    def label(self, pid: int | None) -> str:
        p = self.projects.get(pid) if pid is not None else None
        return f"{p.name}（{p.code}）" if p else ""

    def gap(self, pid: int | None, missing: str, since: dt.date | None, *, ref_type: str = "",
            ref_id: int | None = None, due: bool = True, waived: bool = False) -> Gap:
        return Gap(pid, self.label(pid), missing, since, ref_type, ref_id, due and not waived, waived)

    def deadlines(self) -> Deadlines:
        if "deadlines" not in self.cache:
            value: Deadlines = {**deadlines_setting(self.session),
                                "first": int(rules.get(self.session, "first_inspection_days"))}
            self.cache["deadlines"] = value
        deadlines: Deadlines = self.cache["deadlines"]
        return deadlines

    def days(self, key: DayKey) -> int:
        return self.deadlines()[key]

    def started(self, pid: int) -> dt.date | None:
        p = self.projects[pid]
        return p.service_contract_date or p.start_date

    def since(self, pid: int, period: Period) -> dt.date:
        """A periodic duty's gap (a quarter's, a half-year's) runs from the period's start, or from
        the service start when that came later: never from before the project was served."""
        started = self.started(pid)
        return period.start if started is None else max(period.start, started)

    def late(self, pid: int, days: int) -> bool:
        """More than `days` have passed since the service started (or its start is unknown)."""
        start = self.started(pid)
        return start is None or start + dt.timedelta(days=days) < self.upto

    def once(self, key: str, fn: Callable[[], T]) -> T:
        if key not in self.cache:
            self.cache[key] = fn()
        value: T = self.cache[key]
        return value


Outcome = tuple[str | None, list[Evidence], list[Gap]]  # status None: decided by the gaps
ItemFn = Callable[[Context, str], Outcome]
COMPUTE: dict[str, Callable[[Context], Outcome]] = {}


def _bound(fn: ItemFn, item: str) -> Callable[[Context], Outcome]:
    return lambda ctx: fn(ctx, item)


def computes(*ids: str) -> Callable[[ItemFn], ItemFn]:
    def register(fn: ItemFn) -> ItemFn:
        for i in ids:
            COMPUTE[i] = _bound(fn, i)
        return fn
    return register


def resolve_scope(session: Session, scope_type: str, scope_id: int | None) -> tuple[str, list[int]]:
    """The scope's display name and the projects it covers (deleted projects left out)."""
    if scope_type not in SCOPES:
        raise ValidationError({"scope_type": msg("范围须为全机构、项目、承保机构或建设主管部门")})
    base = select(Project.id).where(Project.deleted_at.is_(None)).order_by(Project.id)
    if scope_type == "agency":
        profile = session.execute(select(AgencyProfile.name).limit(1)).scalar_one_or_none()
        return profile or SCOPES["agency"], list(session.execute(base).scalars())
    if scope_id is None:
        raise ValidationError({"scope_id": msg("请选择{what}", what=SCOPES[scope_type])})
    if scope_type == "project":
        project = get_live(session, Project, scope_id, msg("项目不存在或已删除。"))
        return project.name, [project.id]
    org = session.get(Organisation, scope_id)
    if org is None or org.kind != scope_type:
        raise NotFound(msg("{what}不存在。", what=SCOPES[scope_type]))
    if scope_type == "insurer":
        base = base.where(Project.id.in_(select(Policy.project_id).where(
            Policy.insurer_id == scope_id, Policy.deleted_at.is_(None))))
    else:
        base = base.where(Project.authority_id == scope_id)
    return org.name, list(session.execute(base).scalars())


def evaluate(session: Session, *, period: Period, scope_type: str, scope_id: int | None,
             as_of: dt.date | None = None) -> ChecklistResult:
    """Fill in the whole checklist for a period and scope, item by item."""
    as_of = as_of or now().date()
    if period.start > as_of:
        raise ValidationError({"period": msg("{period}尚未开始", period=period.chinese)})
    name, candidates = resolve_scope(session, scope_type, scope_id)
    upto = min(period.end, as_of)
    ctx = Context(session, period, as_of, upto, scope_type, scope_id, candidates=candidates)
    served = obligations.projects_in_service(session, period.start, upto, candidates)
    loaded = {p.id: p for p in session.execute(select(Project).where(Project.id.in_(served))).scalars()}
    ctx.projects.update((pid, loaded[pid]) for pid in served if pid in loaded)
    results = []
    for item in ITEMS:
        if item.id in COMPUTE:
            status, evidence, gaps = COMPUTE[item.id](ctx)
        else:
            status, evidence, gaps = "manual", [], []
        if status is None:
            # nothing due yet is not 符合: the records may hold nothing at all so far (a gap
            # waived for a service too short in the period never comes due: it leaves 符合)
            status = "not_met" if any(g.due for g in gaps) else \
                "not_due" if any(not g.waived for g in gaps) else "met"
        results.append(_with_answer(ctx, ItemResult(item, status, tuple(evidence), tuple(gaps))))
    return ChecklistResult(period, scope_type, scope_id, name, as_of, now(), tuple(ctx.pids), tuple(results))


def _with_answer(ctx: Context, result: ItemResult) -> ItemResult:
    if result.status != "manual":
        return result
    answers = ctx.once("answers", lambda: _live_answers(ctx.session))
    answer = _best_answer(answers.get(result.item.id, []), ctx.period, ctx.scope_type, ctx.scope_id)
    if answer is None:
        return result
    names: dict[int, str] = ctx.once("answered_by", lambda: {
        uid: name for uid, name in ctx.session.execute(
            select(User.id, User.display_name).where(User.id.in_(
                {a.answered_by_id for rows in answers.values() for a in rows if a.answered_by_id})))})
    return ItemResult(result.item, answer.answer, result.evidence, result.gaps, answer.note,
                      names.get(answer.answered_by_id, "") if answer.answered_by_id else "",
                      answer.answered_at)


def _answer_row(a: ChecklistAnswer) -> ManualAnswer:
    return ManualAnswer(a.id, a.item, a.period, a.scope_type, a.scope_id, a.answer, a.note,
                        a.answered_by_id, a.answered_at)


def _live_answers(session: Session) -> dict[str, list[ChecklistAnswer]]:
    """The manual answers not deleted, by item."""
    out: dict[str, list[ChecklistAnswer]] = {}
    for a in session.execute(select(ChecklistAnswer).where(ChecklistAnswer.deleted_at.is_(None))
                             .order_by(ChecklistAnswer.id)).scalars():
        out.setdefault(a.item, []).append(a)
    return out


def _best_answer(rows: list[ChecklistAnswer], period: Period, scope_type: str,
                 scope_id: int | None) -> ManualAnswer | None:
    """The manual answer that applies: this scope before the agency's, this period before a
    longer one containing it (an answer for 2026 holds for 2026Q1)."""
    best: tuple[int, int, ChecklistAnswer] | None = None
    for a in rows:
        exact_scope = a.scope_type == scope_type and a.scope_id == scope_id
        if not exact_scope and a.scope_type != "agency":
            continue
        p = parse(a.period)
        if not (p.start <= period.start and p.end >= period.end):
            continue
        rank = (0 if exact_scope else 1, (p.end - p.start).days)
        if best is None or rank < best[:2]:
            best = (*rank, a)
    return _answer_row(best[2]) if best else None


def answer_manual(session: Session, actor: Actor, item: str, *, period: Period | str, scope_type: str,
                  scope_id: int | None = None, answer: str, note: str) -> ManualAnswer:
    """Answer an item the data cannot decide (C-1a; C-7e/f without evaluation records)."""
    permissions.require(actor, "compliance.answer")
    errors: dict[str, str] = {}
    if item not in BY_ID:
        errors["item"] = msg("检查表中没有 {item} 项", item=item)
    elif item not in MANUAL_ALLOWED:
        errors["item"] = msg("{item} 由系统根据业务数据计算，不能人工填写", item=item)
    if answer not in ANSWERS:
        errors["answer"] = msg("请选择符合、不符合或不适用")
    if not note.strip():
        errors["note"] = msg("请说明依据（如制度文件名称、评价文号）")
    try:
        label = (parse(period) if isinstance(period, str) else period).label
    except ValueError as exc:
        errors["period"] = str(exc)
    if errors:
        raise ValidationError(errors)
    resolve_scope(session, scope_type, scope_id)
    scope_id = None if scope_type == "agency" else scope_id
    row = session.execute(select(ChecklistAnswer).where(
        ChecklistAnswer.item == item, ChecklistAnswer.period == label,
        ChecklistAnswer.scope_type == scope_type, ChecklistAnswer.deleted_at.is_(None),
        ChecklistAnswer.scope_id.is_(None) if scope_id is None else ChecklistAnswer.scope_id == scope_id,
    )).scalar_one_or_none()
    before = audit.snapshot(row) if row else None
    if row is None:
        row = ChecklistAnswer(item=item, period=label, scope_type=scope_type, scope_id=scope_id)
        session.add(row)
    row.answer, row.note = answer, note.strip()
    row.answered_by_id, row.answered_at = actor.user_id, now()
    if before is None:
        audit.record_create(session, actor, row)
    else:
        audit.record_update(session, actor, row, before)
    return _answer_row(row)


# -- due dates beside the rules (the duties list asks when each falls due) ----------------------


def deadlines_setting(session: Session) -> rules.ComplianceDeadlines:
    """The self-check's deadlines (setting compliance.deadlines, defaults filled in)."""
    default = next(r.default for r in rules.RULES if r.key == "compliance.deadlines")
    return cast(rules.ComplianceDeadlines, {**default, **rules.get(session, "compliance.deadlines")})


# `deadlines`: deadlines_setting(session) read once by a caller that asks for many days
def output_deadline(session: Session, period: Period, kind: str, *,
                    deadlines: rules.ComplianceDeadlines | None = None) -> dt.date:
    """The day a month's / quarter's / year's periodic outputs are due (as `_outputs` reads it)."""
    deadlines = deadlines_setting(session) if deadlines is None else deadlines
    return period.end + dt.timedelta(days=int(deadlines["report_due_days"][kind]))


def drill_deadline(session: Session, started: dt.date | None, *,
                   deadlines: rules.ComplianceDeadlines | None = None) -> dt.date | None:
    """The day a project's first drill is due counted from its service start (as `_drills`)."""
    if started is None:
        return None
    deadlines = deadlines_setting(session) if deadlines is None else deadlines
    return started + dt.timedelta(days=int(deadlines["drill_days"]))


def drill_evaluation_deadline(session: Session, drill_date: dt.date, *,
                              deadlines: rules.ComplianceDeadlines | None = None) -> dt.date:
    """The day a drill's evaluation is due (as `_drills`)."""
    deadlines = deadlines_setting(session) if deadlines is None else deadlines
    return drill_date + dt.timedelta(days=int(deadlines["drill_evaluation_days"]))


# -- the item computations -------------------------------------------------------------------


def sub_periods(period: Period, kind: str, *, inside: bool = False) -> list[Period]:
    """The months / quarters / halves / years overlapping the period (or inside it)."""
    step = _STEP[kind]
    year, month = period.start.year, (period.start.month - 1) // step * step + 1
    out = []
    while dt.date(year, month, 1) <= period.end:
        n = (month - 1) // step + 1
        label = {"month": f"{year}-{month:02d}", "quarter": f"{year}Q{n}", "half": f"{year}H{n}",
                 "year": str(year)}[kind]
        p = parse(label)
        if not inside or (p.start >= period.start and p.end <= period.end):
            out.append(p)
        year, month = (year + 1, 1) if month + step > 12 else (year, month + step)
    return out


def _window(ctx: Context, kind: str) -> list[tuple[Period, list[int]]]:
    """Sub-periods begun by the last day counted, each with the scope's projects served in it."""
    return ctx.once(f"window:{kind}", lambda: [
        (p, obligations.projects_in_service(ctx.session, p.start, min(p.end, ctx.upto), ctx.pids))
        for p in sub_periods(ctx.period, kind) if p.start <= ctx.upto])


def _ids(ctx: Context, stmt: Executable) -> set[int]:
    return set(ctx.session.execute(stmt).scalars())


def _na_without_projects(fn: Callable[[Context, str], Outcome]) -> Callable[[Context, str], Outcome]:
    def wrapper(ctx: Context, item: str) -> Outcome:
        return ("not_applicable", [], []) if not ctx.projects else fn(ctx, item)
    return wrapper


@computes("C-1b")
def _staff(ctx: Context, _: str) -> Outcome:
    leads = sorted(_ids(ctx, select(User.id).where(
        User.role == "tech_lead", User.active.is_(True), User.is_fulltime.is_(True), User.deleted_at.is_(None))))
    active = _ids(ctx, select(User.id).where(User.active.is_(True), User.deleted_at.is_(None)))
    led = [pid for pid, p in ctx.projects.items() if p.lead_user_id in active]
    gaps = [] if leads else [ctx.gap(None, msg("未配备在职的专职技术负责人"), None)]
    gaps += [ctx.gap(pid, msg("未指定在职的项目负责人"), ctx.started(pid)) for pid in ctx.pids if pid not in led]
    return None, [Evidence(msg("专职技术负责人"), len(leads), "users", tuple(leads)),
                  Evidence(msg("已指定项目负责人的项目"), len(led), "projects", tuple(led))], gaps


@computes("C-2a")
@_na_without_projects
def _work_plans(ctx: Context, _: str) -> Outcome:
    signed = _ids(ctx, select(ServicePlan.project_id).where(
        ServicePlan.project_id.in_(ctx.pids), ServicePlan.kind == "general",
        ServicePlan.status == "signed", ServicePlan.deleted_at.is_(None)))
    gaps = [ctx.gap(pid, msg("未编制并签发事故预防技术服务工作方案（一项目一方案）"), ctx.started(pid),
                    due=ctx.late(pid, ctx.days("first"))) for pid in ctx.pids if pid not in signed]
    return None, [Evidence(msg("有已签发工作方案的项目"), len(signed), "projects", tuple(sorted(signed)))], gaps


@computes("C-2b")
@_na_without_projects
def _kickoff(ctx: Context, _: str) -> Outcome:
    held = _ids(ctx, select(Meeting.project_id).where(
        Meeting.project_id.in_(ctx.pids), Meeting.kind == "kickoff", Meeting.date <= ctx.upto,
        Meeting.deleted_at.is_(None)))
    # a meeting counts once the insured's confirmation is recorded (who, on a day up to the end)
    kicked = _ids(ctx, select(Meeting.project_id).where(
        Meeting.project_id.in_(ctx.pids), Meeting.kind == "kickoff", Meeting.date <= ctx.upto,
        Meeting.deleted_at.is_(None), Meeting.confirmed_by != "", Meeting.confirmed_on <= ctx.upto))
    first = _ids(ctx, select(Inspection.project_id).where(
        Inspection.project_id.in_(ctx.pids), Inspection.kind == InspectionKind.FIRST.value,
        Inspection.date <= ctx.upto, Inspection.deleted_at.is_(None)))
    late_first = set(obligations.first_inspection_missing(ctx.session, ctx.upto, ctx.pids))
    by_policy = obligations.counted_from_policy(ctx.session, ctx.pids)
    gaps = []
    for pid in ctx.pids:
        if pid not in kicked:
            gaps.append(ctx.gap(pid, msg("服务交底会记录未经投保单位确认") if pid in held else msg("无服务交底会记录"),
                                ctx.started(pid), due=ctx.late(pid, ctx.days("first"))))
        if pid not in first:
            text = msg("未开展首次风险识别和隐患排查（合同签订日期未登记，按保单起期计）") if pid in by_policy \
                else msg("未开展首次风险识别和隐患排查")
            gaps.append(ctx.gap(pid, text, by_policy.get(pid) or ctx.started(pid), due=pid in late_first))
    evidence = [Evidence(msg("有经双方确认的交底会记录的项目"), len(kicked), "projects", tuple(sorted(kicked))),
                Evidence(msg("已开展首次风险辨识的项目"), len(first), "projects", tuple(sorted(first)))]
    if by_policy:
        evidence.append(Evidence(msg("合同签订日期未登记，按保单起期计"), len(by_policy), "projects",
                                 tuple(sorted(by_policy))))
    return None, evidence, gaps


@computes("C-2c")
@_na_without_projects
def _stages(ctx: Context, _: str) -> Outcome:
    stages = ctx.session.execute(select(ProjectStage).where(
        ProjectStage.project_id.in_(ctx.pids), ProjectStage.actual_start.is_not(None),
        ProjectStage.actual_start <= ctx.upto,
        (ProjectStage.actual_end.is_(None)) | (ProjectStage.actual_end >= ctx.period.start))
        .order_by(ProjectStage.project_id, ProjectStage.seq)).scalars().all()
    if not stages:
        return "not_applicable", [Evidence(msg("期间内施工的阶段"), 0)], []
    visits = ctx.session.execute(select(Inspection.project_id, Inspection.stage_id, Inspection.date).where(
        Inspection.project_id.in_(ctx.pids), Inspection.date <= ctx.upto,
        Inspection.deleted_at.is_(None))).all()
    covered, gaps = [], []
    grace = dt.timedelta(days=ctx.days("stage_grace_days"))
    for st in stages:
        if st.actual_start is None:  # left out by the query
            continue
        end = st.actual_end or ctx.upto
        if any(v.project_id == st.project_id and (v.stage_id == st.id or st.actual_start <= v.date <= end)
               for v in visits):
            covered.append(st.id)
            continue
        due = (st.actual_end is not None and st.actual_end <= ctx.upto) or st.actual_start + grace <= ctx.upto
        gaps.append(ctx.gap(st.project_id, msg("施工阶段“{name}”未开展风险识别和隐患排查", name=st.name), st.actual_start,
                            ref_type="project_stages", ref_id=st.id, due=due))
    return None, [Evidence(msg("期间内施工的阶段"), len(stages), "project_stages", tuple(s.id for s in stages)),
                  Evidence(msg("已检查的阶段"), len(covered), "project_stages", tuple(covered))], gaps


@computes("C-2d")
@_na_without_projects
def _sources(ctx: Context, _: str) -> Outcome:
    total = verified = 0
    gaps = []
    for q, pids in _window(ctx, "quarter"):
        for pid, cov in risk_sources.coverage_for(ctx.session, q, pids).items():
            total, verified = total + cov.total, verified + cov.verified
            gaps += [ctx.gap(pid, msg("{period}{level}风险源“{name}”未在全覆盖检查中核查",
                                      period=q.chinese, level=LEVEL[src.level], name=src.name),
                             ctx.since(pid, q), ref_type="risk_sources", ref_id=src.id,
                             due=q.end < ctx.as_of)
                     for src in cov.unverified]
    if total == 0:
        return "not_applicable", [Evidence(msg("应核查的一、二级风险源（个·季度）"), 0)], []
    return None, [Evidence(msg("应核查的一、二级风险源（个·季度）"), total),
                  Evidence(msg("已核查（{percent:.1f}%）", percent=100 * verified / total), verified)], gaps


@computes("C-2e")
@_na_without_projects
def _danda(ctx: Context, _: str) -> Outcome:
    items = ctx.session.execute(select(DangerItem).where(
        DangerItem.project_id.in_(ctx.pids), DangerItem.deleted_at.is_(None),
        DangerItem.status.in_(("in_progress", "done")),
        (DangerItem.actual_start.is_(None)) | (DangerItem.actual_start <= ctx.upto),
        (DangerItem.actual_end.is_(None)) | (DangerItem.actual_end >= ctx.period.start))).scalars().all()
    key_proc = _ids(ctx, select(Inspection.id).where(
        Inspection.project_id.in_(ctx.pids), Inspection.kind == InspectionKind.KEY_PROCEDURE.value,
        Inspection.date.between(ctx.period.start, ctx.upto), Inspection.deleted_at.is_(None)))
    if not items:
        return "not_applicable", [Evidence(msg("期间内施工的危大工程"), 0),
                                  Evidence(msg("关键工序检查"), len(key_proc), "inspections", tuple(sorted(key_proc)))], []
    visits = ctx.session.execute(select(Inspection.id, Inspection.danger_item_id, Inspection.date).where(
        Inspection.danger_item_id.in_([i.id for i in items]), Inspection.kind == InspectionKind.DANDA.value,
        Inspection.date <= ctx.upto, Inspection.deleted_at.is_(None))).all()
    gaps = []
    for item in items:
        dates = [v.date for v in visits if v.danger_item_id == item.id]
        begun = item.actual_start
        if not any(begun is None or d >= begun for d in dates):
            gaps.append(ctx.gap(item.project_id, msg("危大工程“{name}”施工阶段未开展专项检查", name=item.name), begun,
                                ref_type="danger_items", ref_id=item.id))
        started = ctx.started(item.project_id)
        if begun is not None and (started is None or started < begun) and not any(d <= begun for d in dates):
            gaps.append(ctx.gap(item.project_id, msg("危大工程“{name}”准备阶段未开展针对性风险识别", name=item.name), begun,
                                ref_type="danger_items", ref_id=item.id))
    return None, [Evidence(msg("期间内施工的危大工程"), len(items), "danger_items", tuple(i.id for i in items)),
                  Evidence(msg("危大工程专项检查"), len(visits), "inspections", tuple(v.id for v in visits)),
                  Evidence(msg("关键工序检查"), len(key_proc), "inspections", tuple(sorted(key_proc)))], gaps


@computes("C-2f")
@_na_without_projects
def _full(ctx: Context, _: str) -> Outcome:
    gaps = []
    for q, pids in _window(ctx, "quarter"):
        for pid in obligations.full_inspection_missing(ctx.session, q, pids):
            # a contract signed late or a project completed early in the quarter owes none
            over = q.end < ctx.as_of
            owed = owed_in(q, ctx.started(pid), ctx.projects[pid].completion_date, ctx.days("first"))
            gaps.append(ctx.gap(pid, msg("{period}未开展全覆盖检查", period=q.chinese), ctx.since(pid, q),
                                due=over and owed, waived=over and not owed))
    done = _ids(ctx, select(Inspection.id).where(
        Inspection.project_id.in_(ctx.pids), Inspection.kind == InspectionKind.FULL.value,
        Inspection.date.between(ctx.period.start, ctx.upto), Inspection.deleted_at.is_(None)))
    return None, [Evidence(msg("全覆盖检查"), len(done), "inspections", tuple(sorted(done)))], gaps


@computes("C-3a")
@_na_without_projects
def _assessed(ctx: Context, _: str) -> Outcome:
    assessed = _ids(ctx, select(RiskAssessment.project_id).where(
        RiskAssessment.project_id.in_(ctx.pids),
        RiskAssessment.assessed_at < dt.datetime.combine(ctx.upto + dt.timedelta(days=1), dt.time())))
    then = ctx.once("levels", lambda: risk.levels_on(ctx.session, ctx.upto, ctx.pids))
    levels = Counter(then[pid] for pid in assessed)
    gaps = [ctx.gap(pid, msg("未开展安全风险评估（无风险等级）"), ctx.started(pid), due=ctx.late(pid, ctx.days("first")))
            for pid in ctx.pids if pid not in assessed]
    late, visiting = _visits(ctx)
    gaps += [ctx.gap(v.project_id, _late_visit(v), v.next_due, ref_type="projects", ref_id=v.project_id)
             for v in late]
    return None, [*(Evidence(label, levels.get(lv, 0)) for lv, label in
                    (("high", msg("高风险项目")), ("medium", msg("中风险项目")),
                     ("low", msg("低风险项目")))),
                  Evidence(msg("按风险等级确定的服务频次到访的项目"), len(visiting) - len(late), "projects",
                           tuple(sorted(set(visiting) - {v.project_id for v in late})))], gaps


def _visits(ctx: Context) -> tuple[list[risk.VisitDue], list[int]]:
    """The service frequency by risk level (根据风险等级制定服务形式和频次): projects under
    construction on the last day counted whose visit due by their level had passed by then."""
    visiting = [pid for pid, p in ctx.projects.items() if p.status != "suspended"
                and (p.completion_date is None or p.completion_date >= ctx.upto)
                and ((started := ctx.started(pid)) is None or started <= ctx.upto)]
    late = risk_watch.visits_overdue(ctx.session, ctx.upto, visiting) if visiting else []
    return late, visiting


def _late_visit(v: risk.VisitDue) -> str:
    level = {"high": msg("高风险"), "medium": msg("中风险"), "low": msg("低风险")}.get(v.level or "", msg("未评定"))
    if v.last_visit is None:
        return msg("未按风险等级确定的频次到访（{level}，每 {days} 天；尚无检查，应于 {due} 前）",
                   level=level, days=v.interval_days, due=v.next_due)
    return msg("未按风险等级确定的频次到访（{level}，每 {days} 天；最近一次 {last}，应于 {due} 前）",
               level=level, days=v.interval_days, last=v.last_visit, due=v.next_due)


@computes("C-3b")
@_na_without_projects
def _special(ctx: Context, _: str) -> Outcome:
    levels = ctx.once("levels", lambda: risk.levels_on(ctx.session, ctx.upto, ctx.pids))
    raised = [pid for pid in ctx.pids if levels[pid] in ("high", "medium")]
    if not raised:
        return "not_applicable", [Evidence(msg("高、中风险项目"), 0)], []
    days = dt.timedelta(days=ctx.days("special_plan_days"))
    gaps = [ctx.gap(g.project_id, msg("高风险项目未制定并签发专项服务方案") if g.level == "high"
                    else msg("中风险项目未制定并签发专项服务方案"),
                    g.since, due=g.since + days < ctx.as_of)
            for g in risk.special_plan_missing(ctx.session, project_ids=raised, upto=ctx.upto)]
    signed = sorted(risk.special_plans_signed(ctx.session, upto=ctx.upto, project_ids=raised))
    return None, [Evidence(msg("高、中风险项目"), len(raised), "projects", tuple(raised)),
                  Evidence(msg("已签发专项服务方案的项目"), len(signed), "projects", tuple(signed))], gaps


@computes("C-4a", "C-4b", "C-4c")
@_na_without_projects
def _training(ctx: Context, item: str) -> Outcome:
    gaps: list[Gap] = []
    sessions: set[int] = set()
    heads: Counter[str] = Counter()
    for half, pids in _window(ctx, "half"):
        statuses = ctx.once(f"training:{half.label}",
                            partial(training.half_year_statuses, ctx.session, half, pids))
        due = half.end < ctx.as_of
        for pid, st in statuses.items():
            # the quarter's waiver, for the half-year: a service too short in it owes no training
            owed = due and owed_in(half, ctx.started(pid), ctx.projects[pid].completion_date,
                                   ctx.days("first"))
            sessions.update(st.session_ids)
            heads.update(managers=st.manager_attendances, workers=st.worker_attendances,
                         manager_people=st.managers_trained, worker_people=st.workers_trained)
            if item == "C-4a" and not st.frequency_met:
                need = msg("按合同应培训 {required} 次，已培训 {done} 次", required=st.required_sessions,
                           done=len(st.session_ids)) \
                    if st.basis == "contract" else msg("未开展集中安全教育培训")
                gaps.append(ctx.gap(pid, msg("{period}{problem}", period=half.chinese, problem=need),
                                    ctx.since(pid, half), due=owed, waived=due and not owed))
            elif item == "C-4b" and not st.coverage_met:
                what = msg("项目未登记管理人员、作业人员人数") \
                    if st.headcount_managers + st.headcount_workers == 0 else msg(
                        "培训未全覆盖（按人计）：管理人员 {managers}/{manager_count} 人，作业人员 {workers}/{worker_count} 人",
                        managers=st.managers_trained, manager_count=st.headcount_managers,
                        workers=st.workers_trained, worker_count=st.headcount_workers)
                gaps.append(ctx.gap(pid, msg("{period}{problem}", period=half.chinese, problem=what),
                                    ctx.since(pid, half), due=owed, waived=due and not owed))
            elif item == "C-4c" and not st.targeted:
                found = Series(st.hazard_categories) if st.hazard_categories else msg("无")
                what = msg("无培训记录") if not st.session_ids else msg(
                    "培训内容未针对项目隐患类别（近期隐患：{categories}）", categories=found)
                gaps.append(ctx.gap(pid, msg("{period}{problem}", period=half.chinese, problem=what),
                                    ctx.since(pid, half), due=owed, waived=due and not owed))
    return None, [Evidence(msg("培训场次"), len(sessions), "training_sessions", tuple(sorted(sessions))),
                  Evidence(msg("参训管理人员（人，各半年度去重后合计）"), heads["manager_people"]),
                  Evidence(msg("参训作业人员（人，各半年度去重后合计）"), heads["worker_people"]),
                  Evidence(msg("参训管理人员（人次）"), heads["managers"]),
                  Evidence(msg("参训作业人员（人次）"), heads["workers"])], gaps


@computes("C-5a")
@_na_without_projects
def _emergency_plans(ctx: Context, _: str) -> Outcome:
    helped = _ids(ctx, select(EmergencyPlanAssist.project_id).where(
        EmergencyPlanAssist.project_id.in_(ctx.pids), EmergencyPlanAssist.date <= ctx.upto,
        EmergencyPlanAssist.deleted_at.is_(None)))
    gaps = [ctx.gap(pid, msg("未协助编制应急预案或提供书面修改建议"), ctx.started(pid),
                    due=ctx.late(pid, ctx.days("emergency_plan_days"))) for pid in ctx.pids if pid not in helped]
    return None, [Evidence(msg("已协助编制或提出建议的项目"), len(helped), "projects", tuple(sorted(helped)))], gaps


@computes("C-5b")
@_na_without_projects
def _drills(ctx: Context, _: str) -> Outcome:
    drills = ctx.session.execute(select(Drill).where(
        Drill.project_id.in_(ctx.pids), Drill.date <= ctx.upto, Drill.deleted_at.is_(None))).scalars().all()
    drilled = {d.project_id for d in drills}
    gaps = [ctx.gap(pid, msg("未协助开展应急救援演练"), ctx.started(pid), due=ctx.late(pid, ctx.days("drill_days")))
            for pid in ctx.pids if pid not in drilled]
    window = [d for d in drills if d.date >= ctx.period.start]
    wait = dt.timedelta(days=ctx.days("drill_evaluation_days"))
    gaps += [ctx.gap(d.project_id, msg("{date} “{scenario}”演练未进行成效评估", date=d.date,
                                       scenario=d.scenario), d.date, ref_type="drills",
                     ref_id=d.id, due=d.date + wait < ctx.as_of) for d in window if not d.evaluation.strip()]
    return None, [Evidence(msg("期间内演练"), len(window), "drills", tuple(d.id for d in window)),
                  Evidence(msg("已评估"), sum(1 for d in window if d.evaluation.strip()))], gaps


class HazardFacts(NamedTuple):
    """What the C-6 items read of a hazard (rows, not ORM objects: a large agency's quarter has
    hundreds of thousands)."""

    id: int
    project_id: int
    level: int
    number: str
    found_date: dt.date
    deadline: dt.date | None
    stop_work: str
    status: str


_FACTS = (Hazard.id, Hazard.project_id, Hazard.level, Hazard.number, Hazard.found_date,
          Hazard.deadline, Hazard.stop_work, Hazard.status)


def _found_where(ctx: Context, levels: tuple[int, ...], serious: bool) -> list[ColumnElement[bool]]:
    where = [Hazard.project_id.in_(ctx.pids), Hazard.level.in_(levels), Hazard.deleted_at.is_(None),
             Hazard.status != "cancelled", Hazard.found_date.between(ctx.period.start, ctx.upto)]
    return [*where, Hazard.is_serious.is_(True)] if serious else where


def _hazards(ctx: Context, *levels: int, serious: bool = False) -> list[HazardFacts]:
    """The hazards of these levels found in the period, in the order found."""
    stmt = select(*_FACTS).where(*_found_where(ctx, levels, serious))
    return [HazardFacts(*row) for row in ctx.session.execute(stmt.order_by(Hazard.found_date, Hazard.id))]


def _found_ids(ctx: Context, *levels: int, serious: bool = False) -> Select[int]:
    """The ids `_hazards` reads, as a sub-select: a statement about them binds no id at all."""
    return select(Hazard.id).where(*_found_where(ctx, levels, serious))


@computes("C-6a")
@_na_without_projects
def _level1(ctx: Context, _: str) -> Outcome:
    found = _hazards(ctx, 1)
    overdue = _overdue(ctx, 1)
    if not found and not overdue:
        return "not_applicable", [Evidence(msg("期间内一级隐患"), 0)], []
    missed = obligations.level1_not_reported_same_day(ctx.session, ctx.period.start, ctx.upto, ctx.pids)
    gaps = []
    for h in found:
        if h.stop_work == "none":
            gaps.append(ctx.gap(h.project_id, msg("一级隐患 {number} 未提出停工或局部停工意见",
                                                  number=h.number), h.found_date,
                                ref_type="hazards", ref_id=h.id))
        if h.id in missed:
            to = Series(Recipient(r).label for r in missed[h.id])
            gaps.append(ctx.gap(h.project_id, msg("一级隐患 {number} 未于发现当日向{to}报告",
                                                  number=h.number, to=to), h.found_date,
                                ref_type="hazards", ref_id=h.id, due=h.found_date < ctx.as_of))
    gaps += _overdue_gaps(ctx, overdue)
    return None, [Evidence(msg("期间内一级隐患"), len(found), "hazards", tuple(h.id for h in found)),
                  Evidence(msg("当日报告的一级隐患"), len(found) - len(missed)),
                  *_overdue_evidence(overdue)], gaps


def _overdue(ctx: Context, *levels: int) -> list[HazardFacts]:
    """Hazards of these levels overdue and still open on the last day counted: the rule the
    dashboard and the periodic safety analysis count (obligations.overdue_hazards)."""
    stmt = select(*_FACTS).where(*obligations.overdue_where(ctx.upto, levels),
                                 Hazard.project_id.in_(ctx.pids))
    return [HazardFacts(*row) for row in ctx.session.execute(stmt.order_by(Hazard.deadline, Hazard.id))]


def _overdue_gaps(ctx: Context, overdue: list[HazardFacts]) -> list[Gap]:
    return [ctx.gap(h.project_id, msg("{name} 逾期未闭合（整改期限 {deadline}）",
                                      name=msg("{level}隐患 {number}", level=LEVEL[h.level], number=h.number),
                                      deadline=h.deadline), h.deadline, ref_type="hazards", ref_id=h.id)
            for h in overdue]


def _overdue_evidence(overdue: list[HazardFacts]) -> list[Evidence]:
    return [Evidence(msg("逾期未闭合"), len(overdue), "hazards", tuple(h.id for h in overdue))] if overdue else []


@computes("C-6b")
@_na_without_projects
def _serious(ctx: Context, _: str) -> Outcome:
    found = _hazards(ctx, 2, serious=True)
    overdue = _overdue(ctx, 2)
    if not found and not overdue:
        return "not_applicable", [Evidence(msg("期间内较严重二级隐患"), 0)], []
    reports = {(r.hazard_id, r.recipient): r for r in ctx.session.execute(select(ExternalReport).where(
        ExternalReport.hazard_id.in_(_found_ids(ctx, 2, serious=True)),
        ExternalReport.reason == "level2_serious")).scalars()}
    gaps, done = [], 0
    for h in found:
        for recipient in ("insurer", "authority"):
            r = reports.get((h.id, recipient))
            if r is not None and r.status != "pending":
                done += r.status == "done"
                continue
            due = r is None or r.due_at is None or r.due_at.date() < ctx.as_of
            gaps.append(ctx.gap(h.project_id, msg("较严重二级隐患 {number} 未向{to}报告", number=h.number,
                                                  to=Recipient(recipient).label),
                                h.found_date, ref_type="hazards", ref_id=h.id, due=due))
    gaps += _overdue_gaps(ctx, overdue)
    return None, [Evidence(msg("期间内较严重二级隐患"), len(found), "hazards", tuple(h.id for h in found)),
                  Evidence(msg("已完成的报告"), done), *_overdue_evidence(overdue)], gaps


@computes("C-6c")
@_na_without_projects
def _minor(ctx: Context, _: str) -> Outcome:
    found = _hazards(ctx, 3, 4)
    overdue = _overdue(ctx, 3, 4)
    if not found and not overdue:
        return "not_applicable", [Evidence(msg("期间内三、四级隐患"), 0)], []
    events = ctx.session.execute(select(HazardEvent.hazard_id, HazardEvent.kind, HazardEvent.data).where(
        HazardEvent.hazard_id.in_(_found_ids(ctx, 3, 4)),
        HazardEvent.kind.in_(("record_delivery", "submit_closure")))).all()
    delivered = {e.hazard_id for e in events if e.kind == "record_delivery"}
    via_supervisor = {e.hazard_id for e in events if e.kind == "submit_closure"
                      and str((e.data or {}).get("supervisor_name", "")).strip()}
    gaps, wait = [], dt.timedelta(days=ctx.days("delivery_days"))
    for h in found:
        name = msg("{level}隐患 {number}", level=LEVEL[h.level], number=h.number)
        if h.id not in delivered and h.status != "closed":
            gaps.append(ctx.gap(h.project_id, msg("{name} 整改通知未送达责任单位", name=name),
                                h.found_date, ref_type="hazards", ref_id=h.id,
                                due=h.found_date + wait < ctx.as_of))
        if h.status == "closed" and h.id not in via_supervisor:
            gaps.append(ctx.gap(h.project_id, msg("{name} 销项未经监理单位确认提交", name=name), h.found_date,
                                ref_type="hazards", ref_id=h.id))
    gaps += _overdue_gaps(ctx, overdue)
    closed = [h.id for h in found if h.status == "closed"]
    return None, [Evidence(msg("期间内三、四级隐患"), len(found), "hazards", tuple(h.id for h in found)),
                  Evidence(msg("已送达"), len(delivered)), Evidence(msg("已闭合"), len(closed), "hazards", tuple(closed))], gaps


def owed_outputs(session: Session, period: Period, upto: dt.date, pids: list[int]) -> list[tuple[Period, str]]:
    """The months, quarters and years inside the period, begun by `upto`, in which one of these
    projects was served: each owes its periodic outputs (DOC_KINDS)."""
    return [(p, kind) for kind in ("month", "quarter", "year") for p in sub_periods(period, kind, inside=True)
            if p.start <= upto and obligations.projects_in_service(session, p.start, min(p.end, upto), pids)]


def output_recipients(session: Session, projects: dict[int, Project], scope_type: str,
                      scope_id: int | None) -> tuple[set[tuple[str, int | None]], set[tuple[str, int]]]:
    """The document scopes that count for these projects, and the insurers and authorities the
    periodic outputs go to (within an insurer's or an authority's scope, only that one)."""
    scopes: set[tuple[str, int | None]] = set()
    recipients: set[tuple[str, int]] = set()
    insurers = dict(session.execute(select(Policy.project_id, Policy.insurer_id).where(
        Policy.project_id.in_(list(projects)), Policy.deleted_at.is_(None))).all())
    for pid, p in projects.items():
        scopes |= {("project", pid), ("insurer", insurers.get(pid)), ("authority", p.authority_id)}
        recipients |= {(k, o) for k, o in (("insurer", insurers.get(pid)), ("authority", p.authority_id)) if o}
    if scope_type in ("insurer", "authority"):
        recipients = {r for r in recipients if r[0] != scope_type or r[1] == scope_id}
    return scopes, recipients


def recipient_span(period: Period) -> Period:
    """The span whose served projects a period's outputs go to: a month's quarter, else itself."""
    return quarter_of(period.start) if "-" in period.label else period


def period_recipients(session: Session, period: Period, upto: dt.date, candidates: list[int] | None = None,
                      scope_type: str = "agency", scope_id: int | None = None, *,
                      known: dict[int, Project] | None = None) -> list[tuple[str, int]]:
    """The insurers and authorities a period's outputs go to — one reading for the self-check
    of any period, the 近期到期 duties, the dashboard and the month-end batch: a month's outputs
    go to everyone served in its quarter up to `upto` (the quarterly self-check asks each
    month's outputs of all of them), a quarter's or a year's to everyone served in it.
    `candidates`: the scope's projects (None: all); `known`: every live project, already
    loaded, by id (a caller asking for many periods; nothing is read again)."""
    span = recipient_span(period)
    end = min(span.end, upto)
    if known is None:
        pids = obligations.projects_in_service(session, span.start, end, candidates)
        projects = {pid: p for pid in pids if (p := session.get(Project, pid)) is not None}
    else:
        projects = {pid: known[pid] for pid in obligations.served(known.values(), span.start, end)
                    if candidates is None or pid in candidates}
    return sorted(output_recipients(session, projects, scope_type, scope_id)[1])


class _Outputs(TypedDict):
    # (sub-period, its kind: month/quarter/year, deadline, the insurers and authorities it goes to)
    owed: list[tuple[Period, str, dt.date, list[tuple[str, int]]]]
    docs: list[Document]
    subs: Sequence[Submission]
    recipients: list[tuple[str, int]]  # all of them: (insurer / authority, organisation id)


def _outputs(ctx: Context) -> _Outputs:
    """Periodic outputs owed in the period, the relevant signed documents and their submissions;
    each output's recipients by `period_recipients` (a year's check asks January's outputs of
    those served in the first quarter, as January's own check and the duties list do)."""
    due_days: dict[str, int] = ctx.deadlines()["report_due_days"]
    owed = owed_outputs(ctx.session, ctx.period, ctx.upto, ctx.pids)
    scopes, _everyone = output_recipients(ctx.session, ctx.projects, ctx.scope_type, ctx.scope_id)
    spans: dict[str, list[tuple[str, int]]] = {}
    each: dict[str, list[tuple[str, int]]] = {}
    for p, _kind in owed:
        span = recipient_span(p).label
        if span not in spans:
            spans[span] = period_recipients(ctx.session, p, ctx.upto, ctx.candidates, ctx.scope_type,
                                            ctx.scope_id)
        each[p.label] = spans[span]
    docs = [d for d in ctx.session.execute(select(Document).where(
        Document.kind.in_(DOC_KINDS), Document.period.in_([p.label for p, _ in owed]),
        Document.status.in_(("signed", "superseded")), Document.deleted_at.is_(None))).scalars()
        if ctx.scope_type == "agency" or d.scope_type == "agency" or (d.scope_type, d.scope_id) in scopes]
    subs = ctx.session.execute(select(Submission).where(
        Submission.document_id.in_([d.id for d in docs]), Submission.deleted_at.is_(None))).scalars().all()
    return {"owed": [(p, k, p.end + dt.timedelta(days=int(due_days[k])), each[p.label]) for p, k in owed],
            "docs": docs, "subs": subs, "recipients": sorted({r for rs in each.values() for r in rs})}


@computes("C-7a", "C-7b")
@_na_without_projects
def _periodic(ctx: Context, item: str) -> Outcome:
    data = ctx.once("outputs", lambda: _outputs(ctx))
    if not data["owed"]:
        return "not_applicable", [], []
    names = dict(ctx.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_([o for _, o in data["recipients"]]))).all())
    gaps = []
    for p, _span, deadline, recipients in data["owed"]:
        for kind, title in DOC_KINDS.items():
            docs = [d for d in data["docs"] if d.kind == kind and d.period == p.label]
            what, due = msg("{period}{title}", period=p.chinese, title=title), deadline < ctx.as_of
            if item == "C-7a":
                signed = min((d.signed_at.date() for d in docs if d.signed_at), default=None)
                if signed is None:
                    gaps.append(ctx.gap(None, msg("{what}未出具（应于 {deadline} 前）", what=what,
                                                  deadline=deadline), p.end, due=due))
                elif signed > deadline:
                    gaps.append(ctx.gap(None, msg("{what}逾期出具（{signed} 签发，应于 {deadline} 前）",
                                                  what=what, signed=signed, deadline=deadline),
                                        p.end))
                continue
            ids = {d.id for d in docs}
            for role, org in recipients:
                times = [s.submitted_at.date() for s in data["subs"] if s.document_id in ids
                         and s.recipient == role and s.recipient_org_id in (org, None)]
                if not times:
                    gaps.append(ctx.gap(None, msg("{what}未报送{to}（应于 {deadline} 前）", what=what,
                                                  to=names.get(org, ""), deadline=deadline),
                                        p.end, due=due))
                elif min(times) > deadline:
                    gaps.append(ctx.gap(None, msg("{what}逾期报送{to}（{at}）", what=what,
                                                  to=names.get(org, ""), at=min(times)), p.end))
    return None, [Evidence(msg("应出具成果（期间×类别）"), len(data["owed"]) * len(DOC_KINDS)),
                  Evidence(msg("已签发成果文书"), len(data["docs"]), "documents", tuple(d.id for d in data["docs"])),
                  Evidence(msg("报送记录"), len(data["subs"]), "submissions", tuple(s.id for s in data["subs"]))], gaps


@computes("C-7c")
@_na_without_projects
def _files(ctx: Context, _: str) -> Outcome:
    ledgers = fees.ledgers(ctx.session, project_ids=ctx.pids)
    insured = {lg.project_id for lg in ledgers}
    unfiled = set(obligations.without_archive(ctx.session, ctx.upto, ctx.pids))
    gaps = []
    for pid, p in ctx.projects.items():
        if p.service_contract_date is None:
            gaps.append(ctx.gap(pid, msg("未登记风控服务合同（签订日期）"), None))
        if pid not in insured:
            gaps.append(ctx.gap(pid, msg("未登记安责险保单"), ctx.started(pid)))
        if pid in unfiled:
            gaps.append(ctx.gap(pid, msg("未建立档案台账（无归档记录）"), ctx.started(pid),
                                due=ctx.late(pid, ctx.days("first"))))
    for lg in ledgers:
        if not lg.has_budget:
            gaps.append(ctx.gap(lg.project_id, msg("保单 {policy_no} 预防费用台账未登记预算",
                                                   policy_no=lg.policy_no), lg.start_date,
                                ref_type="policies", ref_id=lg.policy_id))
        delivered = sum(s.delivered for s in lg.services)
        if delivered and not any(s.booked for s in lg.services):
            gaps.append(ctx.gap(lg.project_id, msg("保单 {policy_no} 预防费用台账未列支已提供的 {delivered} 项服务",
                                                   policy_no=lg.policy_no, delivered=delivered),
                                lg.start_date, ref_type="policies", ref_id=lg.policy_id))
    return None, [Evidence(msg("保单"), len(ledgers), "policies", tuple(lg.policy_id for lg in ledgers)),
                  Evidence(msg("已建档案台账的项目"), len(ctx.pids) - len(unfiled))], gaps


@computes("C-7d")
def _complaints(ctx: Context, _: str) -> Outcome:
    rows = complaints.complaints(ctx.session, project_ids=ctx.pids, include_unassigned=ctx.scope_type == "agency",
                                 start=ctx.period.start, end=ctx.upto)
    if not rows and not ctx.projects:
        return "not_applicable", [], []
    gaps = []
    for c in rows:
        if c.replied_at and c.replied_late and c.unloaded:
            # late only against a Monday–Friday guess: say so, not that it was late
            state = msg("{date} 已答复（晚于按周一至周五估算的期限 {due}；{years}年：该年度节假日安排未载入）",
                        date=c.replied_at, due=c.reply_due, years="、".join(map(str, c.unloaded)))
        elif c.replied_at:
            state = msg("{date} 已答复（逾期）", date=c.replied_at) if c.replied_late \
                else msg("{date} 已答复", date=c.replied_at)
        else:
            state = msg("未答复（应于 {date} 前）", date=c.reply_due) if not c.unloaded else msg(
                "未答复（应于 {date} 前；{years}年：该年度节假日安排未载入）", date=c.reply_due,
                years="、".join(map(str, c.unloaded)))
        gaps.append(ctx.gap(c.project_id, msg("投诉：{content}；{state}", content=c.content[:40],
                                              state=state), c.received_at,
                            ref_type="complaints", ref_id=c.id))
    return ("not_met" if rows else "met"), [Evidence(msg("期间内投诉"), len(rows), "complaints",
                                                       tuple(c.id for c in rows))], gaps


@computes("C-7e", "C-7f")
def _recognition(ctx: Context, item: str) -> Outcome:
    kind = "insurer" if item == "C-7e" else "authority"
    if ctx.scope_type in ("insurer", "authority"):
        evaluators: list[int] | None = [ctx.scope_id] if ctx.scope_type == kind and ctx.scope_id is not None \
            else []
    elif ctx.scope_type == "project":
        p = next(iter(ctx.projects.values()), None)
        org = (p.authority_id if kind == "authority" else insurer_of(ctx.session, p.id)) if p else None
        evaluators = [org] if org else []
    else:
        evaluators = None
    rows = complaints.evaluations(ctx.session, evaluator_kind=kind, evaluator_ids=evaluators, overlapping=ctx.period)
    if not rows:
        return "manual", [Evidence(msg("收到的评价"), 0)], []
    gaps = [ctx.gap(None, msg("{evaluator} {period} 评价：{result}（未认可）",
                              evaluator=e.evaluator_name or msg("评价单位"), period=e.period,
                              result=e.result), e.received_on,
                    ref_type="evaluations", ref_id=e.id) for e in rows if not e.recognized]
    return None, [Evidence(msg("收到的评价"), len(rows), "evaluations", tuple(e.id for e in rows))], gaps


@computes("C-8a", "C-8b", "C-8c")
@_na_without_projects
def _incidents(ctx: Context, item: str) -> Outcome:
    kind = {"C-8a": "missed_major_hazard", "C-8b": "general_accident", "C-8c": "larger_accident"}[item]
    rows = complaints.incidents(ctx.session, project_ids=ctx.pids, kind=kind, start=ctx.period.start, end=ctx.upto)
    gaps = [ctx.gap(i.project_id, msg(
        "{kind}：{description}{deaths}{found_by}", kind=i.kind_label, description=i.description[:40],
        deaths=msg("（死亡 {n} 人）", n=i.fatalities) if i.fatalities else "",
        found_by=msg("（发现单位：{name}）", name=i.found_by) if i.found_by else ""), i.occurred_on,
                    ref_type="incidents", ref_id=i.id) for i in rows]
    return None, [Evidence(msg("期间内记录"), len(rows), "incidents", tuple(i.id for i in rows))], gaps
