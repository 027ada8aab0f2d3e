"""Period documents from the database: hazard list, safety analysis, risk report, self-check."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, SQLColumnExpression, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import operators
from sqlalchemy.sql.expression import ColumnElement, UnaryExpression

from desktop import clock
from desktop.models import (
    AgencyProfile,
    Attachment,
    Hazard,
    Inspection,
    Organisation,
    Policy,
    Project,
    RiskAssessment,
    User,
)
from desktop.models.enums import OPEN_HAZARD_STATES, HazardStatus
from desktop.reports.data import (
    AnalysisData,
    DocMeta,
    MonthCount,
    PeriodStats,
    ProjectOpenCount,
    RegisterData,
    RegisterLine,
    RepeatHazard,
)
from desktop.services.checklist_items import SCOPES
from desktop.services.context import NotFound, ValidationError, get_live, msg
from desktop.services.exchange.attachments import print_copy
from desktop.services.exchange.photo_capture import capture_line
from desktop.services.periods import Period, parse
from desktop.services.queries.doc_data import Output, Request, issuer, meta, output

if TYPE_CHECKING:
    from desktop.reports.risk_report import RiskChange, RiskGroup, RiskProjectLine, RiskReportData
    from desktop.reports.selfcheck import SelfCheckData
    from desktop.services.checklist_items import ChecklistResult

# Each document's layout (ReportLab, charts) and the checklist's rules are imported by the
# function that lays it out or reads it: a hazard list loads none of the others, and the screens
# that only read (the compliance page, packages) load no layout (issue 17 §8).

# Every number is computed by grouped SQL; nothing loops over all hazards in Python. Figures are
# those in force at the end of `as_of` = min(period end, document date), so a report drawn again
# later for a past period gives the same numbers.
OPEN = [s.value for s in OPEN_HAZARD_STATES]
CLOSED = HazardStatus.CLOSED.value
CANCELLED = HazardStatus.CANCELLED.value
TOP = 10


@dataclass(frozen=True)
class Scope:
    type: str  # project / insurer / authority / agency
    id: int | None
    name: str
    label: str  # as it reads in a sentence: 某承保机构承保项目

    def projects(self) -> Select[int]:
        """The ids of the scope's projects (deleted ones left out), as a subquery."""
        stmt = select(Project.id).where(Project.deleted_at.is_(None))
        if self.type == "project":
            return stmt.where(Project.id == self.id)
        if self.type == "insurer":
            return stmt.where(Project.id.in_(select(Policy.project_id).where(
                Policy.insurer_id == self.id, Policy.deleted_at.is_(None))))
        if self.type == "authority":
            return stmt.where(Project.authority_id == self.id)
        return stmt


def scope_of(session: Session, scope_type: str, scope_id: int | None) -> Scope:
    if scope_type == "agency":
        name = session.execute(select(AgencyProfile.name).limit(1)).scalar_one_or_none() or "本机构"
        return Scope("agency", None, name, "全部服务项目")
    if scope_type == "project":
        p = get_live(session, Project, scope_id, msg("项目不存在或已删除。"))
        return Scope("project", p.id, p.name, f"{p.name}（{p.code}）")
    if scope_type not in ("insurer", "authority"):
        raise ValidationError({"scope_type": msg("范围须为项目、承保机构、建设主管部门或全机构")})
    org = session.get(Organisation, scope_id) if scope_id is not None else None
    if org is None or org.kind != scope_type:
        raise NotFound(msg("{what}不存在。", what=SCOPES[scope_type]))
    label = f"{org.name}{'承保' if scope_type == 'insurer' else '辖区'}项目"
    return Scope(scope_type, org.id, org.name, label)


def as_of(period: Period, today: dt.date) -> dt.date:
    if period.start > today:
        raise ValidationError({"period": msg("{period}尚未开始", period=period.chinese)})
    return min(period.end, today)


def _next_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def _month(session: Session, column: SQLColumnExpression[Any]) -> ColumnElement[str]:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _closed_month(closed: ColumnElement[bool], months: list[Period]) -> ColumnElement[str | None]:
    """The agency month a closed hazard was closed in ("YYYY-MM"; "" before the first month).

    `closed_at` holds a UTC instant, so the month is found by comparing it with each month's
    first moment in agency time (the column's type converts the bound value), never by
    formatting the stored value: 00:30 on 1 December China time is 30 November in UTC."""
    whens: list[tuple[ColumnElement[bool], str]] = []
    if months:
        whens.append((and_(closed, Hazard.closed_at < _next_midnight(
            months[0].start - dt.timedelta(days=1))), ""))
    for m in months:
        whens.append((and_(closed, Hazard.closed_at < _next_midnight(m.end)), m.label))
    return case(*whens) if whens else case((closed, ""))


def _count(cond: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _live(session: Session, scope: Scope) -> list[Any]:
    """Hazards of the scope that count: not deleted, not cancelled.

    Beyond one project these queries read a large share of the table, and SQLite would walk a
    partial index (deleted_at IS NULL) with one random row read per entry: measured at a million
    hazards, 2.6 s against 0.4 s for a plain scan. `+deleted_at` keeps it to the scan.
    PostgreSQL's planner chooses well by itself.
    """
    deleted: SQLColumnExpression[dt.datetime | None] = Hazard.deleted_at
    if scope.type != "project" and session.get_bind().dialect.name == "sqlite":
        deleted = UnaryExpression(Hazard.deleted_at.expression, operator=operators.custom_op("+"))
    # one project: an equality the planner matches to the (project_id, found_date) index
    mine = Hazard.project_id == scope.id if scope.type == "project" \
        else Hazard.project_id.in_(scope.projects())
    return [deleted.is_(None), Hazard.status != CANCELLED, mine]


def _day(value: object) -> dt.date | None:
    """A date from the driver: a date (PostgreSQL) or ISO text (SQLite)."""
    return None if value is None else _date(value)


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


class _AgencyDays:
    """The agency's calendar date of a business time (an `AgencyTime` column) read from the
    driver: a naive UTC instant, as a datetime (PostgreSQL) or ISO text (SQLite). The cursor
    skips the column type, so the conversion it makes (`clock.wall_of_utc`) is made here:
    closed at 23:15 on 30 June UTC is 1 July in China.

    A list reads up to 300,000 of them: the date is remembered per UTC hour when the whole hour
    falls on one agency day (always, for a whole-hour offset such as China's), so most values
    cost a slice and a look-up instead of a parse and a conversion."""

    def __init__(self) -> None:
        self._hours: dict[object, dt.date | None] = {}

    def __call__(self, value: object) -> dt.date | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:  # an aware value (not what a `timestamp` column gives)
                return clock.to_wall(value).date()
            key: object = (value.year, value.month, value.day, value.hour)
        else:
            value = str(value)
            key = value[:13]  # "YYYY-MM-DD HH"
        try:
            day = self._hours[key]
        except KeyError:
            day = self._hours[key] = self._hour_day(value)
        if day is not None:
            return day
        stored = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
        return clock.wall_of_utc(stored).date()

    @staticmethod
    def _hour_day(value: dt.datetime | str) -> dt.date | None:
        """The agency day of every instant of `value`'s UTC hour, or None when it has two."""
        stored = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
        hour = stored.replace(minute=0, second=0, microsecond=0)
        first = clock.wall_of_utc(hour).date()
        last = clock.wall_of_utc(hour + dt.timedelta(hours=1, microseconds=-1)).date()
        return first if first == last else None


# -- the hazard list ---------------------------------------------------------------------------


def listed_hazards(session: Session, scope: Scope, period: Period,
                   today: dt.date) -> list[ColumnElement[bool]]:
    """The hazards a period's list shows: found in the period, or found earlier and still open
    at its start (carried over); nothing found after `today`; cancelled ones left out. The
    review package (services/exchange/packages.py) lists and counts the same hazards."""
    return [*_live(session, scope), Hazard.found_date <= as_of(period, today),
            or_(Hazard.found_date >= period.start, Hazard.status.in_(OPEN),
                Hazard.closed_at >= dt.datetime.combine(period.start, dt.time()))]


def carried_over(session: Session, scope: Scope, period: Period, today: dt.date) -> int:
    """How many of the hazards the period's list shows were found before the period (上期结转)."""
    return session.execute(select(func.count()).select_from(Hazard).where(
        *listed_hazards(session, scope, period, today), Hazard.found_date < period.start)).scalar_one()


def carried_in(rows: list[RegisterLine], period: Period) -> int:
    """How many of a period list's rows are carried over (上期结转未销项): those found before
    the period. `listed_hazards` lets an earlier hazard in only when it was still open at the
    period's first instant (open now, or closed at or after it, compared as instants in SQL), so
    this is `carried_over`'s count, without a second query."""
    return sum(1 for r in rows if r.found_date < period.start)


def hazard_rows(session: Session, scope: Scope, period: Period, *,
                today: dt.date) -> list[RegisterLine]:
    """Found in the period, plus those found earlier and still open at its start (carried over);
    status and 逾期 as of `today`. Cancelled hazards are left out.

    The rows are read from the driver's cursor: SQLAlchemy's row and date processing cost four
    times the query for a quarter of an agency's hazards (300,000 rows).
    """
    unit = aliased(Organisation)
    stmt = (select(Hazard.number, Project.name, Hazard.found_date, Hazard.location,
                   Hazard.description, Hazard.category, Hazard.level, Hazard.is_major,
                   Hazard.measures, Hazard.deadline, func.coalesce(unit.name, ""), Hazard.status,
                   Hazard.closed_at, Hazard.responsible_person, Hazard.contingency)
            .join(Project, Project.id == Hazard.project_id)
            .outerjoin(unit, unit.id == Hazard.responsible_unit_id)
            .where(*listed_hazards(session, scope, period, today))
            .order_by(Hazard.found_date, Hazard.number))
    labels = {s.value: s.label for s in HazardStatus}
    open_states = set(OPEN)
    agency_day = _AgencyDays()
    rows: list[RegisterLine] = []
    result = session.connection().execute(stmt)
    try:
        while batch := result.cursor.fetchmany(20_000):
            for (number, project, found, location, text, category, level, major, measures,
                 deadline, unit_name, status, closed, person, contingency) in batch:
                deadline = _day(deadline)  # a Date column: the agency's day as stored
                closed = agency_day(closed)  # an AgencyTime column: UTC stored, China day printed
                late = status in open_states and deadline is not None and deadline < today
                days = (closed - deadline).days if closed is not None and deadline is not None \
                    and closed > deadline else 0
                rows.append(RegisterLine(
                    number, project, _date(found), location, text, category, level, bool(major),
                    measures, deadline, unit_name, labels.get(status, status), closed, late,
                    person or "", contingency or "", days))
    finally:
        result.close()
    return rows


def hazard_photos(session: Session, scope: Scope, period: Period, store_dir: Path | str, *,
                  today: dt.date) -> tuple[tuple[Path, str], ...]:
    """The before and after photos of the hazards hazard_rows lists (a project's list prints
    them as an appendix), in the list's order, captioned 编号 整改前/整改后 n."""
    stmt = (select(Hazard.number, Attachment.role, Attachment.sha256, Attachment.taken_at,
                   Attachment.taken_source, Attachment.latitude, Attachment.longitude)
            .join(Attachment, and_(Attachment.owner_type == "hazard", Attachment.owner_id == Hazard.id))
            .where(*listed_hazards(session, scope, period, today), Attachment.role.in_(("before", "after")))
            .order_by(Hazard.found_date, Hazard.number, Attachment.role.desc(), Attachment.id))
    words = {"before": "整改前", "after": "整改后"}
    counts: Counter[tuple[str, str]] = Counter()
    photos = []
    for number, role, sha, taken_at, source, latitude, longitude in session.execute(stmt):
        counts[number, role] += 1
        caption = f"{number} {words[role]} {counts[number, role]}"
        note = capture_line(taken_at, source, latitude, longitude)  # capture time and place, when known
        photos.append((print_copy(store_dir, sha), f"{caption}\n{note}" if note else caption))
    return tuple(photos)


# -- the numbers of a period -------------------------------------------------------------------


def period_stats(session: Session, scope: Scope, period: Period, *,
                 today: dt.date) -> PeriodStats:
    """Counts by level, category and month, rectification, overdue, repeats and the projects
    with most open hazards; rectification rate = closed ÷ found in the period (not cancelled).

    Two passes over the hazards: one grouped pass over those found in the period, one over those
    open at its end, grouped by project; the rest are small look-ups."""
    last = as_of(period, today)
    cutoff = _next_midnight(last)
    live = _live(session, scope)
    in_period = [*live, Hazard.found_date.between(period.start, last)]
    closed = and_(Hazard.status == CLOSED, Hazard.closed_at < cutoff)
    found_month = _month(session, Hazard.found_date)
    from desktop.services import compliance

    month_periods = [m for m in compliance.sub_periods(period, "month") if m.start <= last]
    months = [m.label for m in month_periods]
    keys = (Hazard.level, Hazard.category, found_month, _closed_month(closed, month_periods))
    groups = session.execute(select(*keys, func.count(), _count(Hazard.is_major.is_(True)))
                             .where(*in_period).group_by(*keys)).all()
    by_level: dict[int, int] = {}
    by_category: dict[str, int] = {}
    found_by: dict[str, int] = {}
    closed_by: dict[str, int] = {}
    for level, category, month, closed_on, n, _ in groups:
        by_level[level] = by_level.get(level, 0) + n
        by_category[category] = by_category.get(category, 0) + n
        found_by[month] = found_by.get(month, 0) + n
        if closed_on is not None:
            closed_by[closed_on] = closed_by.get(closed_on, 0) + n
    still_open: ColumnElement[bool] = Hazard.status.in_(OPEN)
    if cutoff <= dt.datetime.combine(today, dt.time()):  # a past end: closed since, open then
        still_open = or_(still_open, and_(Hazard.status == CLOSED, Hazard.closed_at >= cutoff))
    per_project = session.execute(
        select(Hazard.project_id, func.count(), _count(Hazard.level == 1),
               _count(Hazard.deadline < last),
               _count(and_(Hazard.deadline < last, Hazard.found_date < period.start)))
        .where(*live, Hazard.found_date <= last, still_open).group_by(Hazard.project_id)).all()
    top = sorted(per_project, key=lambda r: (-r[1], r[0]))[:TOP]
    names = dict(session.execute(select(Project.id, Project.name).where(
        Project.id.in_([r[0] for r in top]))).all()) if top else {}
    pids = scope.projects()
    return PeriodStats(
        scope.label, period.chinese,
        projects_served=session.execute(select(func.count()).select_from(Project).where(
            Project.id.in_(pids), *_in_service(period, last))).scalar_one(),
        inspections=session.execute(select(func.count()).select_from(Inspection).where(
            Inspection.project_id.in_(pids), Inspection.deleted_at.is_(None),
            Inspection.date.between(period.start, last))).scalar_one(),
        found=sum(by_level.values()), closed=sum(closed_by.values()),
        overdue=sum(int(r[3]) for r in per_project), major=sum(int(g[5]) for g in groups),
        overdue_carried=sum(int(r[4]) for r in per_project),
        by_level=by_level,
        by_category=tuple(sorted(by_category.items(), key=lambda c: (-c[1], c[0]))),
        by_month=tuple(MonthCount(m, found_by.get(m, 0), closed_by.get(m, 0)) for m in months),
        repeat_hazards=_repeats(session, in_period),
        top_open_projects=tuple(ProjectOpenCount(names[pid], n, int(l1), int(late))
                                for pid, n, l1, late, _ in top))


def _in_service(period: Period, last: dt.date) -> list[Any]:
    """Projects served at some time in the period (the rule of obligations.projects_in_service)."""
    return [or_(Project.service_contract_date.is_(None), Project.service_contract_date <= last),
            or_(Project.completion_date.is_(None), Project.completion_date >= period.start)]


def _repeats(session: Session, in_period: list[Any]) -> tuple[RepeatHazard, ...]:
    """Hazards of the period marked as repeating an earlier one, counted per original."""
    counts = session.execute(select(Hazard.repeat_of_id, func.count()).where(
        *in_period, Hazard.repeat_of_id.is_not(None)).group_by(Hazard.repeat_of_id)
        .order_by(func.count().desc(), Hazard.repeat_of_id).limit(TOP)).all()
    if not counts:
        return ()
    first: dict[int | None, Hazard] = {h.id: h for h in session.execute(select(Hazard).where(
        Hazard.id.in_([c[0] for c in counts]))).scalars()}
    names = dict(session.execute(select(Project.id, Project.name).where(
        Project.id.in_({h.project_id for h in first.values()}))).all())
    return tuple(RepeatHazard(names[first[i].project_id], first[i].category,
                              first[i].description, n + 1) for i, n in counts)


# -- the risk assessment report ----------------------------------------------------------------


def risk_data(session: Session, scope: Scope, period: Period, doc_meta: DocMeta, *, today: dt.date,
              prepared_by: str = "", approved_by: str = "") -> RiskReportData:
    """Levels in force at the end of the period for the projects then in service, and the
    assessments of the period that changed a level."""
    from desktop.reports.risk_report import RiskProjectLine, RiskReportData
    from desktop.services import risk

    last = as_of(period, today)
    cutoff = _next_midnight(last)
    pids = scope.projects()
    projects = session.execute(
        select(Project.id, Project.code, Project.name, Project.authority_id)
        .where(Project.id.in_(pids), *_in_service(period, last)).order_by(Project.code)).all()
    insurer: dict[int, int] = {}
    for pid, org in session.execute(select(Policy.project_id, Policy.insurer_id).where(
            Policy.project_id.in_(pids), Policy.deleted_at.is_(None))
            .order_by(Policy.project_id, Policy.start_date.desc().nulls_last(),
                      Policy.id.desc())):
        insurer.setdefault(pid, org)
    orgs = {*insurer.values(), *(p.authority_id for p in projects if p.authority_id)}
    names: dict[int | None, str] = dict(session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_(orgs))).all())
    ranked = select(RiskAssessment.id, func.row_number().over(
        partition_by=RiskAssessment.project_id,
        order_by=(RiskAssessment.assessed_at.desc(), RiskAssessment.id.desc())).label("rn")).where(
        RiskAssessment.project_id.in_(pids), RiskAssessment.assessed_at < cutoff).subquery()
    current = {a.project_id: a for a in session.execute(select(RiskAssessment).join(
        ranked, ranked.c.id == RiskAssessment.id).where(ranked.c.rn == 1)).scalars()}
    lines = []
    for pid, code, name, authority in projects:
        a = current.get(pid)
        lines.append(RiskProjectLine(
            code, name, a.level if a else None, names.get(insurer.get(pid), ""),
            names.get(authority, ""), a.assessed_at.date() if a else None, a.reason if a else "",
            _factors(a) if a else "", bool(a and a.is_override)))
    return RiskReportData(doc_meta, scope.label, period.chinese, last, tuple(lines),
                          _changes(session, pids, period, cutoff),
                          _groups(lines, "insurer"), _groups(lines, "authority"),
                          risk.visit_intervals(session), prepared_by, approved_by)


def _factors(a: RiskAssessment) -> str:
    """The grading factors that called for the level given, e.g. 深基坑（开挖深度 6.5 m）."""
    chosen = [f for f in (a.factors or []) if isinstance(f, dict) and f.get("level") == a.level]
    return "；".join(f"{f.get('label', '')}（{f['detail']}）" if f.get("detail")
                    else str(f.get("label", "")) for f in chosen)


def _changes(session: Session, pids: Select[int], period: Period,
             cutoff: dt.datetime) -> tuple[RiskChange, ...]:
    from desktop.reports.risk_report import RiskChange

    lagged = select(RiskAssessment.id, func.lag(RiskAssessment.level).over(
        partition_by=RiskAssessment.project_id,
        order_by=(RiskAssessment.assessed_at, RiskAssessment.id)).label("before")).where(
        RiskAssessment.project_id.in_(pids), RiskAssessment.assessed_at < cutoff).subquery()
    rows = session.execute(
        select(RiskAssessment, lagged.c.before, Project.code, Project.name,
               func.coalesce(User.display_name, "系统"))
        .join(lagged, lagged.c.id == RiskAssessment.id)
        .join(Project, Project.id == RiskAssessment.project_id)
        .outerjoin(User, User.id == RiskAssessment.assessed_by_id)
        .where(RiskAssessment.assessed_at >= dt.datetime.combine(period.start, dt.time()),
               or_(lagged.c.before.is_(None), lagged.c.before != RiskAssessment.level))
        .order_by(RiskAssessment.assessed_at, RiskAssessment.id)).all()
    return tuple(RiskChange(code, name, a.assessed_at.date(), before, a.level, a.reason, who,
                            a.is_override) for a, before, code, name, who in rows)


def _groups(lines: list[RiskProjectLine], key: str) -> tuple[RiskGroup, ...]:
    from desktop.reports.risk_report import RiskGroup

    counts: dict[str, dict[str, int]] = {}
    for line in lines:
        label = getattr(line, key) or "（未登记）"
        bucket = counts.setdefault(label, {"high": 0, "medium": 0, "low": 0, "unassessed": 0})
        bucket[line.level or "unassessed"] += 1
    groups = [RiskGroup(label, **c) for label, c in counts.items()]
    return tuple(sorted(groups, key=lambda g: (-g.total, g.label)))


# -- the self-check ----------------------------------------------------------------------------


def selfcheck_data(result: ChecklistResult, doc_meta: DocMeta, *, prepared_by: str = "",
                   approved_by: str = "") -> SelfCheckData:
    """The evaluated checklist (services.compliance) in the builder's plain records."""
    from desktop.reports.selfcheck import SelfCheckData, SelfCheckGap, SelfCheckRow

    p = result.period
    rows = tuple(SelfCheckRow(
        r.item.id, r.item.number, r.item.section, r.item.content, r.item.point, r.status,
        tuple(f"{e.label} {e.count}" for e in r.evidence),
        tuple(SelfCheckGap(g.project_name, g.missing, g.since, g.due, g.waived) for g in r.gaps),
        r.note + (f"（{r.answered_by}）" if r.note and r.answered_by else ""), r.item.basis)
        for r in result.items)
    scope = SCOPES[result.scope_type]
    label = result.scope_name if result.scope_name.startswith(scope) \
        else f"{scope}：{result.scope_name}"
    return SelfCheckData(doc_meta, label, f"{p.chinese}（{p.start} 至 {p.end}）", result.as_of,
                         len(result.project_ids), rows, prepared_by, approved_by,
                         counted_to=min(p.end, result.as_of))


# -- the outputs -------------------------------------------------------------------------------


@output("hazard_list")
def _hazard_list(session: Session, req: Request, store_dir: Path | str) -> Output:
    from desktop.reports import registers

    period, scope = parse(req.period), scope_of(session, req.scope_type, req.scope_id)
    rows = hazard_rows(session, scope, period, today=req.date)
    photos = hazard_photos(session, scope, period, store_dir, today=req.date) \
        if req.scope_type == "project" else ()
    carried = carried_in(rows, period)
    data = RegisterData(meta(session, req, f"{period.chinese}隐患排查及问题整改清单", store_dir),
                        scope.label, f"{period.chinese}（{period.start} 至 {period.end}）", rows,
                        photos, as_of=req.date, carried_over=carried,
                        prepared_by=req.prepared_by, approved_by=issuer(req))
    return Output(data, data.meta.title, registers.build_hazard_register_pdf,
                  registers.build_hazard_register_xlsx)


@output("safety_analysis")
def _analysis(session: Session, req: Request, store_dir: Path | str) -> Output:
    from desktop.reports import analysis
    from desktop.services import standardisation

    period, scope = parse(req.period), scope_of(session, req.scope_type, req.scope_id)
    stats = period_stats(session, scope, period, today=req.date)
    data = AnalysisData(meta(session, req, f"{period.chinese}安全生产分析报告", store_dir), stats,
                        prepared_by=req.prepared_by, approved_by=issuer(req),
                        as_of=as_of(period, req.date),
                        carried_over=carried_over(session, scope, period, req.date),
                        standardisation=standardisation.count_data(
                            session, scope.projects(), period.start, as_of(period, req.date)))
    return Output(data, data.meta.title, analysis.build_safety_analysis)


@output("risk_assessment")
def _risk(session: Session, req: Request, store_dir: Path | str) -> Output:
    from desktop.reports import risk_report

    period, scope = parse(req.period), scope_of(session, req.scope_type, req.scope_id)
    doc_meta = meta(session, req, f"{period.chinese}风险评估报告", store_dir)
    data = risk_data(session, scope, period, doc_meta, today=req.date,
                     prepared_by=req.prepared_by, approved_by=issuer(req))
    return Output(data, data.meta.title, risk_report.build_risk_report)


@output("self_check")
def _self_check(session: Session, req: Request, store_dir: Path | str) -> Output:
    from desktop.reports import selfcheck
    from desktop.services import compliance

    result = compliance.evaluate(session, period=parse(req.period), scope_type=req.scope_type,
                                 scope_id=req.scope_id, as_of=req.date)
    data = selfcheck_data(result, meta(session, req, "安责险第三方风控服务机构检查表（自查）", store_dir),
                          prepared_by=req.prepared_by, approved_by=issuer(req))
    return Output(data, data.meta.title, selfcheck.build_selfcheck_pdf,
                  selfcheck.build_selfcheck_xlsx)
