"""A construction stage's dates and the inspections recorded against it: an inspection must
fall inside its stage's dates on record, when it is recorded and whenever the dates change
afterwards (only what the records contradict is refused; a date missing is no bound)."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import Inspection
from desktop.services.context import ValidationError, msg


class StageDates(Protocol):
    name: str
    planned_start: dt.date | None
    planned_end: dt.date | None
    actual_start: dt.date | None
    actual_end: dt.date | None


def stage_problem(stage: StageDates, day: dt.date) -> str | None:
    """Why an inspection on `day` cannot be of this construction stage, by the dates on record:
    its actual dates once it has begun (an open end while it is under way), else its planned
    ones. A date missing is no bound: only what the records contradict is refused."""
    if stage.actual_start is not None:
        if day < stage.actual_start:
            return msg("检查日期 {date} 早于施工阶段“{name}”的实际开始日期 {start}，请核对检查日期或所选施工阶段",
                       date=day, name=stage.name, start=stage.actual_start)
        if stage.actual_end is not None and day > stage.actual_end:
            return msg("检查日期 {date} 晚于施工阶段“{name}”的实际结束日期 {end}，请核对检查日期或所选施工阶段",
                       date=day, name=stage.name, end=stage.actual_end)
        return None
    if stage.planned_start is not None and day < stage.planned_start:
        return msg("检查日期 {date} 早于施工阶段“{name}”的计划开始日期 {start}（未登记实际开始日期）；"
                   "请核对检查日期或所选施工阶段，如该阶段已提前开始，请先在项目中登记实际开始日期",
                   date=day, name=stage.name, start=stage.planned_start)
    if stage.planned_end is not None and day > stage.planned_end:
        return msg("检查日期 {date} 晚于施工阶段“{name}”的计划结束日期 {end}（未登记实际日期）；"
                   "请核对检查日期或所选施工阶段，如该阶段仍在施工，请先在项目中登记实际开始日期",
                   date=day, name=stage.name, end=stage.planned_end)
    return None


def _field(stage: StageDates, day: dt.date) -> str:
    """The date field of the stage form that leaves `day` outside."""
    if stage.actual_start is not None:
        return "actual_start" if day < stage.actual_start else "actual_end"
    return "planned_start" if stage.planned_start is not None and day < stage.planned_start \
        else "planned_end"


def check_inspections_inside(session: Session, stage_id: int, dates: StageDates, *,
                             key: str | None = None) -> None:
    """Refuse new dates for stage `stage_id` that would leave an inspection already recorded
    against it outside them (the inspection would have been refused on those dates): the
    message names how many and their dates, and the field that leaves them out (or `key`)."""
    days = list(session.execute(
        select(Inspection.date).where(Inspection.stage_id == stage_id,
                                      Inspection.deleted_at.is_(None))
        .order_by(Inspection.date)).scalars())
    outside = [d for d in days if stage_problem(dates, d) is not None]
    if not outside:
        return
    shown = "、".join(str(d) for d in outside[:5]) + ("等" if len(outside) > 5 else "")
    raise ValidationError({key or _field(dates, outside[0]): msg(
        "施工阶段“{name}”已有 {n} 次检查记录的日期（{dates}）不在修改后的阶段日期之内。"
        "请先核对这些检查记录，或按检查时的实际情况填写阶段日期；未做任何改动。",
        name=dates.name, n=len(outside), dates=shown)})
