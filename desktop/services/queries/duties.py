"""What falls due in the coming days (issue 16): visits, reports, rectification deadlines,
periodic outputs, complaint replies, training, drills and archive retention.

Nothing here re-derives a rule: each kind asks the function the dashboard and the self-check
use (risk.visit_schedule, obligations, compliance's due dates, complaints' reply_due) and
only sorts what it gets by date. Already-late duties are listed too, on their own due day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop import clock
from desktop.models import ArchiveItem, Complaint, Drill, ExternalReport, Hazard, Project
from desktop.models.enums import ProjectStatus, ReportReason
from desktop.services import compliance, obligations, risk, submissions_due
from desktop.services.complaints import due_of
from desktop.services.context import Message, msg
from desktop.services.hazards import OPEN_STATES
from desktop.services.periods import half_of
from desktop.services.workdays import calendar

KINDS = {
    "visit": msg("检查到期"), "report": msg("报告到期"), "rectification": msg("整改期限"),
    "output": msg("成果报送"), "complaint": msg("投诉答复"), "training": msg("半年培训"),
    "drill": msg("应急演练"), "archive": msg("档案期满"),
}
_REASONS = {ReportReason.LEVEL1.value: msg("一级隐患当日报告"), ReportReason.SERIOUS_L2.value: msg("较严重二级隐患报告"),
            ReportReason.REFUSAL.value: msg("拒不整改报告"), ReportReason.DELAY.value: msg("逾期未整改报告")}
_RECIPIENTS = {"insurer": msg("保险公司"), "authority": msg("建设主管部门"), "owner": msg("建设单位")}
_LEVELS = {"high": msg("高风险"), "medium": msg("中风险"), "low": msg("低风险")}


@dataclass(frozen=True)
class Duty:
    date: dt.date
    kind: str  # a key of KINDS
    project_id: int | None
    project: str  # 项目名称（编号）, empty for agency-wide duties
    text: Message  # in the notice's words, no rule ids
    target_type: str  # the record to open: projects / hazards / reports / complaints / drills / archive / documents
    target_id: int | None
    overdue: bool = False
    flagged: bool = False  # the deadline crosses a year with no holiday data
    ref: str = ""  # extra key for the target (a period label and document kind for outputs)
    target_ids: tuple[int, ...] = ()  # several records to open together (a project's late hazards)

    @property
    def kind_label(self) -> Message:
        return KINDS[self.kind]

    @property
    def uid(self) -> str:
        """Stable across exports, so a calendar updates an event instead of doubling it."""
        return f"{self.kind}-{self.target_type}-{self.target_id or 0}-{self.ref or self.date}@riskdesk"


def upcoming(session: Session, *, days: int = 7, today: dt.date | None = None,
             outputs: list[submissions_due.OwedOutput] | None = None) -> list[Duty]:
    """Every duty due on or before today + days (late ones included), by date then kind.

    `outputs`: owed_outputs(session, today, until) of the same window, when the caller has
    read it already (the dashboard counts 待报送 from the same list)."""
    today = today or clock.today()
    until = today + dt.timedelta(days=days)
    names: dict[int | None, str] = {pid: f"{name}（{code}）" for pid, name, code in session.execute(
        select(Project.id, Project.name, Project.code).where(Project.deleted_at.is_(None)))}
    out: list[Duty] = []
    for collect in (_visits, _reports, _rectifications, _complaints, _training, _drills, _archive):
        out += collect(session, today, until, names)
    out += _outputs(owed_outputs(session, today, until) if outputs is None else outputs, today)
    return sorted((d for d in out if d.date <= until),
                  key=lambda d: (d.date, list(KINDS).index(d.kind), d.project, d.text))


def by_day(duties: list[Duty]) -> dict[dt.date, list[Duty]]:
    grouped: dict[dt.date, list[Duty]] = {}
    for d in duties:
        grouped.setdefault(d.date, []).append(d)
    return grouped


def _visits(session: Session, today: dt.date, until: dt.date, names: dict[int | None, str]) -> list[Duty]:
    out = []
    for v in risk.visit_schedule(session, today=today):
        if v.next_due > until:
            continue
        text = msg("首次风险辨识检查到期") if v.last_visit is None else msg(
            "{level}项目按频次检查到期（每 {days} 天，上次 {last}）",
            level=_LEVELS.get(v.level or "", msg("未评定风险等级")), days=v.interval_days, last=v.last_visit)
        out.append(Duty(v.next_due, "visit", v.project_id, names.get(v.project_id, v.name), text,
                        "projects", v.project_id, v.overdue))
    return out


def _reports(session: Session, today: dt.date, until: dt.date, names: dict[int | None, str]) -> list[Duty]:
    out = []
    for r in session.execute(select(ExternalReport).where(
            ExternalReport.status == "pending", ExternalReport.due_at.is_not(None),
            ExternalReport.due_at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
            .order_by(ExternalReport.due_at)).scalars():
        if r.due_at is None:  # left out by the query
            continue
        day = r.due_at.date()  # a business time: agency wall clock
        text = msg("{reason}：报{to}", reason=_REASONS.get(r.reason, msg("隐患报告")),
                   to=_RECIPIENTS.get(r.recipient, r.recipient))
        out.append(Duty(day, "report", r.project_id, names.get(r.project_id, ""), text,
                        "hazards", r.hazard_id, day < today, ref=f"report:{r.id}"))
    return out


def _rectifications(session: Session, today: dt.date, until: dt.date, names: dict[int | None, str]) -> list[Duty]:
    """Rectification deadlines by `until`: one duty a hazard for those still to come; those
    already past, one duty a project — its late hazards together, opened together — so that a
    backlog (the 工作台 counts every overdue hazard) does not bury the week's duties."""
    rows = session.execute(select(Hazard.id, Hazard.project_id, Hazard.number, Hazard.description,
                                  Hazard.deadline).where(
        Hazard.status.in_([s.value for s in OPEN_STATES]), Hazard.deadline.is_not(None),
        Hazard.deadline <= until, Hazard.deleted_at.is_(None))
        .order_by(Hazard.project_id, Hazard.deadline, Hazard.id)).all()
    out: list[Duty] = []
    late: dict[int, list[Any]] = {}
    for row in rows:
        if row.deadline < today:
            late.setdefault(row.project_id, []).append(row)
        else:
            out.append(_rectification(row, names, overdue=False))
    for pid, group in late.items():
        first = group[0]
        if len(group) == 1:
            out.append(_rectification(first, names, overdue=True))
            continue
        out.append(Duty(first.deadline, "rectification", pid, names.get(pid, ""), msg(
            "{count} 项隐患已过整改期限仍未闭合（最早 {first} 到期：隐患 {number}）",
            count=len(group), first=first.deadline, number=first.number),
            "hazards", None, True, ref=f"late:{pid}", target_ids=tuple(r.id for r in group)))
    return out


def _rectification(row: Any, names: dict[int | None, str], *, overdue: bool) -> Duty:
    return Duty(row.deadline, "rectification", row.project_id, names.get(row.project_id, ""),
                msg("隐患 {number} 整改期限届满：{what}", number=row.number, what=row.description[:30]),
                "hazards", row.id, overdue)


def owed_outputs(session: Session, today: dt.date, until: dt.date) -> list[submissions_due.OwedOutput]:
    """Each month's, quarter's and year's output due by `until` and not yet logged as sent to
    each of its insurers and authorities (submissions_due: the dashboard's 待报送 is this list)."""
    return submissions_due.by_output(submissions_due.unsubmitted(session, today, until=until))


def _outputs(owed: list[submissions_due.OwedOutput], today: dt.date) -> list[Duty]:
    """The owed outputs, each on its deadline."""
    return [Duty(o.deadline, "output", None, "", o.text, "documents", o.document_id, o.deadline < today,
                 ref=f"{o.period}:{o.kind}") for o in owed]


def _complaints(session: Session, today: dt.date, until: dt.date, names: dict[int | None, str]) -> list[Duty]:
    out = []
    cal = calendar(session)
    # the stored date is the last count's; holiday data loaded since (a newer calendar package)
    # can bring a deadline forward by its make-up working days, so look a month further and count
    for c in session.execute(select(Complaint).where(
            Complaint.replied_at.is_(None), Complaint.deleted_at.is_(None),
            Complaint.reply_due <= until + dt.timedelta(days=31))).scalars():
        due = due_of(c, cal)
        if due.day > until:
            continue
        text = msg("投诉答复期限届满（{received} 收到）：{what}", received=c.received_at, what=c.content[:30])
        if due.flagged:
            text = msg("{text}（{years}年未载入节假日安排，期限按周一至周五估算）", text=text,
                       years="、".join(map(str, due.unloaded)))
        out.append(Duty(due.day, "complaint", c.project_id, names.get(c.project_id, ""), text,
                        "complaints", c.id, due.day < today, due.flagged))
    return out


def _training(session: Session, today: dt.date, until: dt.date, names: dict[int | None, str]) -> list[Duty]:
    half = half_of(today)
    if half.end > until:
        return []
    return [Duty(half.end, "training", pid, names.get(pid, ""), msg("{period}安全培训未达要求", period=half.chinese),
                 "projects", pid) for pid in obligations.projects_without_training(session, half)]


def _drills(session: Session, today: dt.date, until: dt.date, names: dict[int | None, str]) -> list[Duty]:
    out = []
    active = session.execute(select(Project).where(
        Project.deleted_at.is_(None), Project.status == ProjectStatus.ACTIVE.value)).scalars().all()
    drilled = set(session.execute(select(Drill.project_id).where(Drill.deleted_at.is_(None))).scalars())
    deadlines = compliance.deadlines_setting(session)
    for p in active:
        due = compliance.drill_deadline(session, p.service_contract_date or p.start_date, deadlines=deadlines)
        if p.id not in drilled and due is not None and due <= until:
            out.append(Duty(due, "drill", p.id, names.get(p.id, ""), msg("协助开展应急救援演练"),
                            "projects", p.id, due < today))
    for d in session.execute(select(Drill).where(Drill.deleted_at.is_(None), Drill.evaluation == "")).scalars():
        due = compliance.drill_evaluation_deadline(session, d.date, deadlines=deadlines)
        if due <= until:
            out.append(Duty(due, "drill", d.project_id, names.get(d.project_id, ""),
                            msg("{date} “{scenario}”演练成效评估", date=d.date, scenario=d.scenario),
                            "drills", d.id, due < today))
    return out


def _archive(session: Session, today: dt.date, until: dt.date, names: dict[int | None, str]) -> list[Duty]:
    rows = session.execute(select(ArchiveItem).where(
        ArchiveItem.status == "active", ArchiveItem.retention_until.is_not(None),
        ArchiveItem.retention_until <= until, ArchiveItem.deleted_at.is_(None))).scalars()
    return [Duty(a.retention_until, "archive", a.project_id, names.get(a.project_id, ""),
                 msg("档案“{title}”保存期满，待作出销毁或续存决定", title=a.title), "archive", a.id,
                 a.retention_until < today) for a in rows if a.retention_until is not None]
