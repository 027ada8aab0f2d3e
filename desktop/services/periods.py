"""Reporting periods: months, quarters, half-years and years as date ranges and labels."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    label: str  # 2026-03, 2026Q1, 2026H1, 2026
    start: dt.date
    end: dt.date  # inclusive

    @property
    def chinese(self) -> str:
        if "Q" in self.label:
            y, q = self.label.split("Q")
            return f"{y}年第{'一二三四'[int(q) - 1]}季度"
        if "H" in self.label:
            y, h = self.label.split("H")
            return f"{y}年{'上下'[int(h) - 1]}半年"
        if "-" in self.label:
            y, m = self.label.split("-")
            return f"{y}年{int(m)}月"
        return f"{self.label}年度"

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
            raise ValueError(f"月份无效：{label}")
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
    raise ValueError(f"期间格式无效：{label}（应为 2026-03、2026Q3、2026H1 或 2026）")


def quarter_of(day: dt.date) -> Period:
    return parse(f"{day.year}Q{(day.month - 1) // 3 + 1}")


def half_of(day: dt.date) -> Period:
    return parse(f"{day.year}H{1 if day.month <= 6 else 2}")
