"""Reporting periods: months, quarters, half-years and years as date ranges and labels."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from desktop.messages import Message, msg


@dataclass(frozen=True)
class Period:
    label: str  # 2026-03, 2026Q1, 2026H1, 2026
    start: dt.date
    end: dt.date  # inclusive

    @property
    def chinese(self) -> Message:
        """The period's name: 2026年第一季度 (a Message, so the GUI can show it translated)."""
        # one template per quarter and half, so a translation may word each its own way
        if "Q" in self.label:
            y, q = self.label.split("Q")
            return (msg("{year}年第一季度", year=y), msg("{year}年第二季度", year=y),
                    msg("{year}年第三季度", year=y), msg("{year}年第四季度", year=y))[int(q) - 1]
        if "H" in self.label:
            y, h = self.label.split("H")
            return (msg("{year}年上半年", year=y), msg("{year}年下半年", year=y))[int(h) - 1]
        if "-" in self.label:
            y, m = self.label.split("-")
            return msg("{year}年{month}月", year=y, month=int(m))
        return msg("{year}年度", year=self.label)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def parse(label: str) -> Period:
    """Parse 2026-03, 2026Q3, 2026H1 or 2026; raise ValueError with a Chinese message."""
    label = label.strip().upper()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", label):
        y, mo = int(m[1]), int(m[2])
        if not 1 <= mo <= 12:
            raise ValueError(msg("月份无效：{label}", label=label))
        return Period(f"{y}-{mo:02d}", dt.date(y, mo, 1), _month_end(y, mo))
    if m := re.fullmatch(r"(\d{4})Q([1-4])", label):
        y, q = int(m[1]), int(m[2])
        return Period(f"{y}Q{q}", dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q))
    if m := re.fullmatch(r"(\d{4})H([12])", label):
        y, h = int(m[1]), int(m[2])
        return Period(f"{y}H{h}", dt.date(y, 6 * h - 5, 1), _month_end(y, 6 * h))
    if m := re.fullmatch(r"(\d{4})", label):
        y = int(m[1])
        return Period(str(y), dt.date(y, 1, 1), dt.date(y, 12, 31))
    raise ValueError(msg("期间格式无效：{label}（应为 2026-03、2026Q3、2026H1 或 2026）", label=label))


def quarter_of(day: dt.date) -> Period:
    return parse(f"{day.year}Q{(day.month - 1) // 3 + 1}")


def half_of(day: dt.date) -> Period:
    return parse(f"{day.year}H{1 if day.month <= 6 else 2}")


def owed_in(period: Period, started: dt.date | None, completed: dt.date | None,
            allowance_days: int) -> bool:
    """Whether a project owes a periodic duty (a quarter's full-coverage inspection, a half-year's
    training) for `period`: not when its service inside the period is shorter than the
    first-identification allowance (N-02 days). Both edges are treated alike:
    - a contract signed late in the period (started + allowance after the period's end) is
      covered by the first identification it is owed anyway;
    - a project completed early in the period (completed before the period's start + allowance)
      was covered by the previous period's duty.
    An unknown start or completion date waives nothing."""
    allowance = dt.timedelta(days=allowance_days)
    if started is not None and started + allowance > period.end:
        return False
    return not (completed is not None and completed < period.start + allowance)
