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
from typing import Any

import chinese_calendar
from sqlalchemy.orm import Session

from desktop import clock
from desktop.services import rules
from desktop.services.context import Actor, ValidationError, msg

UNLOADED = "该年度节假日安排未载入"
OVERRIDES_KEY = "calendar.overrides"


@cache
def library_covers(year: int) -> bool:
    """The pinned chinesecalendar holds the notice of this year."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class YearDays:
    """One year's notice typed in by an admin: its holidays and its 调休 working weekend days."""

    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]


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
            return chinese_calendar.is_workday(day)
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


def parse_overrides(value: Any) -> dict[int, YearDays]:
    """{"2027": {"holidays": [...], "workdays": [...]}} → per-year days; ValidationError in Chinese."""
    key = OVERRIDES_KEY
    if not isinstance(value, dict):
        raise ValidationError({key: msg("节假日安排须按年份填写")})
    out: dict[int, YearDays] = {}
    for year_text, entry in value.items():
        if not (isinstance(year_text, str) and year_text.isdigit() and len(year_text) == 4):
            raise ValidationError({key: msg("年份无效：{year}（应为四位数字，如 2027）", year=year_text)})
        year = int(year_text)
        if not isinstance(entry, dict) or set(entry) - {"holidays", "workdays"}:
            raise ValidationError({key: msg("{year}年的节假日安排须包含“放假日期”和“调休上班日期”",
                                            year=year)})
        holidays = _days(entry.get("holidays", []), year, msg("放假日期"))
        workdays = _days(entry.get("workdays", []), year, msg("调休上班日期"))
        if not holidays:
            raise ValidationError({key: msg("{year}年未填写放假日期", year=year)})
        if both := sorted(holidays & workdays):
            raise ValidationError({key: msg("{day} 不能既是放假日又是调休上班日", day=both[0])})
        if weekdays := sorted(d for d in workdays if d.weekday() < 5):
            raise ValidationError({key: msg("调休上班日 {day} 不是周末（调休上班日应为周六或周日）",
                                            day=weekdays[0])})
        out[year] = YearDays(frozenset(holidays), frozenset(workdays))
    return out


def _days(entries: Any, year: int, what: str) -> set[dt.date]:
    """Dates or 起/止 ranges (2027-02-06/2027-02-13), all inside `year`."""
    key = OVERRIDES_KEY
    if not isinstance(entries, list):
        raise ValidationError({key: msg("{year}年的{what}须为日期列表", year=year, what=what)})
    out: set[dt.date] = set()
    for entry in entries:
        first, _, last = str(entry).partition("/")
        try:
            start = dt.date.fromisoformat(first.strip())
            end = dt.date.fromisoformat(last.strip()) if last else start
        except ValueError:
            raise ValidationError({key: msg("{year}年的{what}中日期无效：{entry}（应为 2027-01-01 或 "
                                            "2027-02-06/2027-02-13）", year=year, what=what,
                                            entry=entry)}) from None
        if end < start or (end - start).days > 31:
            raise ValidationError({key: msg("{year}年的{what}中区间无效：{entry}", year=year, what=what,
                                            entry=entry)})
        if start.year != year or end.year != year:
            raise ValidationError({key: msg("{entry} 不属于{year}年", entry=entry, year=year)})
        out.update(start + dt.timedelta(days=n) for n in range((end - start).days + 1))
    return out


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
        else:
            out.append(YearRow(year, "library" if library_covers(year) else "missing", (), ()))
    return out


def save_year(session: Session, actor: Actor, year: int, *, holidays: list[str],
              workdays: list[str]) -> None:
    """Type in (or correct) one year's notice; checked, stored and audited as an agency rule."""
    value = dict(rules.get(session, OVERRIDES_KEY))
    value[str(year)] = {"holidays": [h.strip() for h in holidays if h.strip()],
                        "workdays": [w.strip() for w in workdays if w.strip()]}
    rules.set_value(session, actor, OVERRIDES_KEY, value)


def remove_year(session: Session, actor: Actor, year: int) -> None:
    """Drop an admin's year: the package's data (or none) counts again."""
    value = dict(rules.get(session, OVERRIDES_KEY))
    if value.pop(str(year), None) is None:
        raise ValidationError({OVERRIDES_KEY: msg("{year}年没有手工录入的节假日安排", year=year)})
    rules.set_value(session, actor, OVERRIDES_KEY, value)
