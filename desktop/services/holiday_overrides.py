"""The agency rule `calendar.overrides`: one year's holiday notice as an admin types it in, and
its check. Plain data and validation only, so that the rule store (services/rules.py) can
check a value before saving it without reading the working-day calendar built on it
(services/workdays.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from desktop.services.context import ValidationError, msg

OVERRIDES_KEY = "calendar.overrides"


@dataclass(frozen=True)
class YearDays:
    """One year's notice typed in by an admin: its holidays and its 调休 working weekend days."""

    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]


def parse_overrides(value: Any) -> dict[int, YearDays]:
    """{"2027": {"holidays": [...], "workdays": [...]}} → per-year days; ValidationError in Chinese."""
    key = OVERRIDES_KEY
    if not isinstance(value, dict):
        raise ValidationError({key: msg("节假日安排须按年份填写")})
    out: dict[int, YearDays] = {}
    for year_text, entry in value.items():
        if not (isinstance(year_text, str) and year_text.isascii() and year_text.isdigit()
                and len(year_text) == 4 and 2000 <= int(year_text) <= 2100):
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


# fixed by 《全国年节及纪念日放假办法》 whatever the year's notice moves: every notice keeps them
STATUTORY_FIXED = ((1, 1, "元旦（1月1日）"), (10, 1, "国庆节（10月1日）"))


def check_notice(year: int, days: YearDays) -> None:
    """A year typed in as a whole notice: it must keep the holidays fixed by law, so that an
    entry meant to add or correct one day cannot silently drop the rest of the year."""
    for month, day, name in STATUTORY_FIXED:
        if dt.date(year, month, day) not in days.holidays:
            raise ValidationError({OVERRIDES_KEY: msg(
                "{year}年的放假日期缺少{name}：请按当年通知录入全年的放假日期和调休上班日期",
                year=year, name=name)})


def check_changed(before: Any, value: Any) -> None:
    """Each year added or changed by a save must read as a whole notice (`check_notice`); years
    stored before and left alone are not judged again."""
    old = parse_overrides(before)
    for year, days in parse_overrides(value).items():
        if old.get(year) != days:
            check_notice(year, days)


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
