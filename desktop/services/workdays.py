"""Working days as the State Council's yearly holiday notices set them (国务院办公厅关于部分节假日安排的通知).

Two sources, by year:
- the `chinesecalendar` package, which tracks the notices (holidays and 调休 make-up working
  days) for the years its pinned version knows;
- the agency rule `calendar.overrides` ({"2027": {"holidays": [...], "workdays": [...]}}), which
  an admin fills in from the newest notice (published each November) before the package
  catches up. An override replaces the package for its year.

A year neither source covers is not guessed: a deadline counted through it comes back flagged
(`Due.unloaded`), and screens and documents add "该年度节假日安排未载入".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import chinese_calendar
from sqlalchemy.orm import Session

from desktop import clock
from desktop.services import rules
from desktop.services.holiday_overrides import OVERRIDES_KEY, YearDays, parse_overrides

UNLOADED = "该年度节假日安排未载入"


@cache
def library_covers(year: int) -> bool:
    """The pinned chinesecalendar holds the notice of this year."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class Calendar:
    overrides: dict[int, YearDays]

    def covers(self, year: int) -> bool:
        return year in self.overrides or library_covers(year)

    def is_working_day(self, day: dt.date) -> bool:
        """Monday–Friday unless a holiday, plus make-up working weekend days; a year without
        data counts Monday–Friday (and the deadline is flagged by `add_working_days`)."""
        year = self.overrides.get(day.year)
        if year is not None:
            return day in year.workdays or (day.weekday() < 5 and day not in year.holidays)
        if library_covers(day.year):
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5


@dataclass(frozen=True)
class Due:
    """A deadline in working days and the years it crossed for which no notice is loaded."""

    day: dt.date
    unloaded: tuple[int, ...] = ()

    @property
    def flagged(self) -> bool:
        return bool(self.unloaded)


def add_working_days(start: dt.date, days: int, cal: Calendar) -> Due:
    """The day `days` working days after `start` (the start day does not count)."""
    day, left = start, days
    while left > 0:
        day += dt.timedelta(days=1)
        if cal.is_working_day(day):
            left -= 1
    return Due(day, unloaded_years(cal, start, day))


def count_working_days(start: dt.date, end: dt.date, cal: Calendar) -> int:
    """Working days after `start` up to and including `end` (the inverse of add_working_days)."""
    return sum(cal.is_working_day(start + dt.timedelta(days=n)) for n in range(1, (end - start).days + 1))


def unloaded_years(cal: Calendar, start: dt.date, end: dt.date) -> tuple[int, ...]:
    """The years from the day after `start` up to `end` that no source covers."""
    first = (start + dt.timedelta(days=1)).year if end > start else end.year
    return tuple(y for y in range(first, end.year + 1) if not cal.covers(y))


def calendar(session: Session) -> Calendar:
    """The calendar with the agency's overrides (validated when saved, so they parse)."""
    return Calendar(parse_overrides(rules.get(session, OVERRIDES_KEY)))


# -- the admin's view and edits (the 节假日安排 tab of the settings page) ---------------------


@dataclass(frozen=True)
class YearRow:
    year: int
    source: str  # "override" (typed by an admin), "library" (chinesecalendar), "missing"
    holidays: tuple[str, ...]  # as typed: dates or 起/止 ranges
    workdays: tuple[str, ...]


def years(session: Session, *, around: int | None = None) -> list[YearRow]:
    """Each year from last year to two years ahead (of `around`, default this year) and every
    overridden year: where its holiday days come from."""
    this = around if around is not None else clock.today().year
    stored = rules.get(session, OVERRIDES_KEY)
    parse_overrides(stored)  # validated when saved; refuse to show a broken value as good
    wanted = sorted({*range(this - 1, this + 3), *(int(y) for y in stored)})
    out = []
    for year in wanted:
        entry = stored.get(str(year))
        if entry is not None:
            out.append(YearRow(year, "override", tuple(map(str, entry.get("holidays", []))),
                               tuple(map(str, entry.get("workdays", [])))))
        elif library_covers(year):
            out.append(YearRow(year, "library", *library_days(year)))
        else:
            out.append(YearRow(year, "missing", (), ()))
    return out


def library_days(year: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The package's holidays and make-up working days of a year, as an admin would type them
    (consecutive days as 起/止 ranges): shown in the tab, and the starting text when an admin
    corrects a built-in year, so that saving one changed day does not drop the rest."""
    days = [dt.date(year, 1, 1) + dt.timedelta(days=n)
            for n in range((dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days)]
    off: list[dt.date] = []
    worked: list[dt.date] = []
    for day in days:
        is_off, name = chinese_calendar.get_holiday_detail(day)
        if name is None:
            continue  # an ordinary weekday or weekend
        (off if is_off else worked).append(day)
    return _ranges(off), tuple(d.isoformat() for d in worked)


def _ranges(days: list[dt.date]) -> tuple[str, ...]:
    runs: list[list[dt.date]] = []
    for day in days:
        if runs and day - runs[-1][-1] == dt.timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    return tuple(r[0].isoformat() if len(r) == 1 else f"{r[0].isoformat()}/{r[-1].isoformat()}" for r in runs)
