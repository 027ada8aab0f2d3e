"""Reading typed dates and times: pure functions, no Qt, so they can be tested on their own.

Accepted dates: 2028-06-30, 2028/6/30, 2028.6.30, 2028 6 30, 20280630, 2028年6月30日 (full-width
digits and separators too). The year is always written out in four digits: a date without its year
is refused rather than guessed. Times: 14:30, 14：30, 1430, 14时30分, 14点30, 9:5.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

DATE_FORMAT = "%Y-%m-%d"
TIME_FORMAT = "%H:%M"
EXAMPLE_DATE = "2028-06-30"
MIN_YEAR, MAX_YEAR = 1900, 2199  # outside this a year is a typo (0202, 20028), not a date

_SEPARATED = re.compile(r"^(\d{4})\s*[-/.\s]\s*(\d{1,2})\s*[-/.\s]\s*(\d{1,2})$")
_CHINESE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TIME_SEPARATED = re.compile(r"^(\d{1,2})\s*[:时点.]\s*(\d{1,2})\s*分?$")
_TIME_COMPACT = re.compile(r"^(\d{2})(\d{2})$")
_TIME_HOUR = re.compile(r"^(\d{1,2})\s*[时点]$")


def _normalise(text: str) -> str:
    # NFKC turns full-width digits, "／", "－" and "：" typed with a Chinese input method into ASCII
    return unicodedata.normalize("NFKC", text).strip()


def parse_date(text: str) -> dt.date | None:
    """The date written in `text`, or None when it is empty or not a real date."""
    cleaned = _normalise(text)
    for pattern in (_SEPARATED, _CHINESE, _COMPACT):
        found = pattern.match(cleaned)
        if found:
            year, month, day = (int(part) for part in found.groups())
            if not MIN_YEAR <= year <= MAX_YEAR:
                return None
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
    return None


def parse_time(text: str) -> dt.time | None:
    """The time of day written in `text` (hours and minutes), or None when it is not one."""
    cleaned = _normalise(text)
    found = (_TIME_SEPARATED.match(cleaned) or _TIME_COMPACT.match(cleaned)
             or _TIME_HOUR.match(cleaned))
    if not found:
        return None
    hour = int(found.group(1))
    minute = int(found.group(2)) if found.re.groups > 1 else 0
    try:
        return dt.time(hour, minute)
    except ValueError:
        return None


def format_date(day: dt.date | None) -> str:
    return day.strftime(DATE_FORMAT) if day is not None else ""


def format_time(moment: dt.time | None) -> str:
    return moment.strftime(TIME_FORMAT) if moment is not None else ""
