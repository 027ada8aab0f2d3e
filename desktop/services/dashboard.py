"""What needs doing today: the counts on the dashboard, from the same rules the self-check uses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from desktop.services import major_hazards, obligations
from desktop.services.context import Message, msg, now
from desktop.services.periods import half_of, quarter_of


@dataclass(frozen=True)
class Item:
    key: str
    label: Message  # the Chinese label; its template and params let the GUI translate it
    rule: str
    count: int
    target: str  # what a click opens: hazards / projects / risk_sources / archive / reports
    ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Summary:
    moment: dt.datetime
    items: tuple[Item, ...]

    def get(self, key: str) -> Item:
        return next(i for i in self.items if i.key == key)


def summary(session: Session, moment: dt.datetime | None = None) -> Summary:
    moment = moment or now()
    today = moment.date()
    quarter, half = quarter_of(today), half_of(today)
    unreported = obligations.hazards_unreported_level1(session)
    unsigned = major_hazards.letters_unsigned(session)
    no_full = obligations.projects_without_full_inspection(session, quarter)
    no_first = obligations.projects_without_first_inspection(session, today)
    sources = obligations.risk_sources_never_verified(session)
    untrained = obligations.projects_without_training(session, half)
    archive = obligations.archive_items_due(session, today)
    items = (
        Item("unreported_l1", msg("一级隐患待报告（当日）"), "N-07", len(unreported), "hazards",
             tuple(unreported)),
        Item("stop_work_unsigned", msg("停工建议书待签发"), "N-07", len(unsigned), "hazards",
             tuple(unsigned)),
        Item("overdue", msg("逾期未整改隐患"), "N-10", obligations.overdue_hazards_count(session, today),
             "hazards"),
        Item("no_full_inspection", msg("{period}未开展全覆盖检查的项目", period=quarter.chinese), "N-03",
             len(no_full), "projects", tuple(no_full)),
        Item("no_first_inspection", msg("未按期开展首次风险辨识的项目"), "N-02", len(no_first),
             "projects", tuple(no_first)),
        Item("sources_unverified", msg("从未核查的一、二级风险源"), "N-04", len(sources),
             "risk_sources", tuple(sources)),
        Item("training_due", msg("{period}培训未达要求的项目", period=half.chinese), "N-13", len(untrained),
             "projects", tuple(untrained)),
        Item("archive_due", msg("保存期满待处理的档案"), "N-15", len(archive), "archive",
             tuple(archive)),
    )
    return Summary(moment, items)
