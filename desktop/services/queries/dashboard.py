"""What needs doing today: the counts on the dashboard, from the same rules the self-check uses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from desktop.services import (
    major_hazards,
    obligations,
    risk_sources,
    risk_watch,
    rules,
    submissions_due,
)
from desktop.services.context import Message, msg, now
from desktop.services.periods import half_of, quarter_of
from desktop.services.queries import duties
from desktop.services.queries.duties import Duty


@dataclass(frozen=True)
class Item:
    key: str
    label: Message  # the Chinese label; its template and params let the GUI translate it
    rule: str
    count: int
    target: str  # what a click opens: hazards / projects / risk_sources / archive / reports / duties
    ids: tuple[int, ...] = ()
    basis: str = ""  # the notice's own words, for a tooltip (never the rule id)


@dataclass(frozen=True)
class Summary:
    moment: dt.datetime
    items: tuple[Item, ...]

    def get(self, key: str) -> Item:
        return next(i for i in self.items if i.key == key)


@dataclass(frozen=True)
class Desk:
    """One refresh of the 工作台: the counts and the 近期到期 list, read together."""

    summary: Summary
    duties: list[Duty]


def desk(session: Session, moment: dt.datetime | None = None) -> Desk:
    """The counts and the duties of the next DUTY_DAYS days, the owed outputs both show read once."""
    moment = moment or now()
    today = moment.date()
    unsent = unsubmitted(session, today)
    return Desk(summary(session, moment, unsent=unsent),
                duties.upcoming(session, days=DUTY_DAYS, today=today, outputs=unsent))


def summary(session: Session, moment: dt.datetime | None = None, *,
            unsent: list[submissions_due.OwedOutput] | None = None) -> Summary:
    """`unsent`: unsubmitted(session, moment's day), when the caller has read it already."""
    moment = moment or now()
    today = moment.date()
    quarter, half = quarter_of(today), half_of(today)
    unreported = obligations.hazards_unreported_level1(session)
    unsigned = major_hazards.letters_unsigned(session)
    days = int(rules.get(session, "first_inspection_days"))  # N-02's allowance, read once
    no_full = obligations.projects_without_full_inspection(session, quarter, days=days)
    no_first = obligations.projects_without_first_inspection(session, today, days=days)
    sources = unverified_sources(session, today)
    untrained = obligations.projects_without_training(session, half, days=days)
    archive = obligations.archive_items_due(session, today)
    overdue = [hid for hid, _ in obligations.overdue_hazards(session, today)]
    late_visits = [v.project_id for v in risk_watch.visits_overdue(session, today)]
    reassess = sorted(risk_watch.triggers(session))
    unsent = unsubmitted(session, today) if unsent is None else unsent
    items = (
        Item("unreported_l1", msg("一级隐患待报告（当日）"), "N-07", len(unreported), "hazards",
             tuple(unreported), msg("对发现的一级风险立即提出停工或局部停工意见，并当天上报承保机构和属地建设主管部门")),
        Item("stop_work_unsigned", msg("停工建议书待签发"), "N-07", len(unsigned), "hazards",
             tuple(unsigned), msg("对发现的一级风险立即提出停工或局部停工意见")),
        Item("overdue", msg("逾期未整改隐患"), "N-10", len(overdue), "hazards", tuple(overdue),
             msg("明确隐患整改责任、措施、时限、预案，逐项跟踪整改落实，实现闭环管理")),
        # the quarter's and the half-year's duties run to the period's end: the self-check holds
        # their gaps ［未到期］ until then, so the cards say "not yet", never 未达要求
        Item("no_full_inspection", msg("{period}尚未开展全覆盖检查的项目", period=quarter.chinese), "N-03",
             len(no_full), "projects", tuple(no_full), msg("每季度开展不少于1次全覆盖检查")),
        Item("no_first_inspection", msg("未按期开展首次风险辨识的项目"), "N-02", len(no_first),
             "projects", tuple(no_first), msg("合同签订后，风控机构应及时对项目开展首次风险识别和隐患排查")),
        Item("sources_unverified", msg("{period}尚未核查的一、二级风险源", period=quarter.chinese),
             "N-04", len(sources), "risk_sources", tuple(sources),
             msg("《施工现场风险源分级与防范措施一览表》中列明的一、二级风险源，应做到 100%核查")),
        Item("training_due", msg("{period}培训尚未达标的项目", period=half.chinese), "N-13", len(untrained),
             "projects", tuple(untrained), msg("每半年开展一次集中安全教育培训")),
        Item("archive_due", msg("保存期满待处理的档案"), "N-15", len(archive), "archive",
             tuple(archive), msg("纸质版档案在项目竣工后应至少保留五年，档案销毁前应报保险机构核准")),
        Item("visit_overdue", msg("未按风险等级频次到访的项目"), "N-12", len(late_visits), "projects",
             tuple(late_visits), msg("根据风险等级制定服务形式和频次等内容")),
        Item("reassessment_due", msg("风险因素变化待重新评估的项目"), "N-12", len(reassess),
             "projects", tuple(reassess), msg("及时开展风险评估和隐患排查")),
        Item("unsubmitted", msg("待报送"), "N-16", len(unsent), "duties",
             tuple(o.document_id for o in unsent if o.document_id is not None),
             msg("及时将服务成果上报承保机构和属地建设主管部门")),
    )
    return Summary(moment, items)


def unverified_sources(session: Session, today: dt.date) -> list[int]:
    """Level-1/2 risk sources not yet verified in a full-coverage inspection this quarter: the
    self-check's rule (risk_sources.coverage_for) for the quarter so far, the same projects."""
    quarter = quarter_of(today)
    pids = obligations.projects_in_service(session, quarter.start, today)
    return sorted(src.id for cov in risk_sources.coverage_for(session, quarter, pids).values()
                  for src in cov.unverified)


DUTY_DAYS = 7  # the dashboard's 近期到期 section


def unsubmitted(session: Session, today: dt.date) -> list[submissions_due.OwedOutput]:
    """待报送: the periodic outputs due by the end of the 近期到期 window and not logged as sent
    to each of their insurers and authorities — exactly the 成果报送 rows of the duties list."""
    return duties.owed_outputs(session, today, today + dt.timedelta(days=DUTY_DAYS))
