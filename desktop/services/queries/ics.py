"""Duties as an iCalendar file (RFC 5545) that Outlook and WPS calendars import.

Written by hand, it is small: one all-day VEVENT per duty, CRLF line ends, content lines
folded at 75 octets without splitting a UTF-8 character, text escaped per section 3.3.11.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from desktop import clock
from desktop.fileutil import atomic_write_bytes
from desktop.services.queries.duties import Duty

# a line break in any form (CRLF, a lone CR or LF, Unicode's line and paragraph separators, NEL)
_LINE_BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029\x85]")
# control characters TEXT may not hold (section 3.3.11: TSAFE-CHAR keeps only HTAB among them)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape(text: str) -> str:
    """TEXT per section 3.3.11: \\ ; , escaped, every line break as \\n, other controls dropped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _CONTROL.sub("", _LINE_BREAK.sub(lambda _m: "\\n", text))


def fold(line: str) -> bytes:
    """One content line as octets, folded so no physical line exceeds 75 octets."""
    out, current, limit = [], b"", 75
    for ch in line:
        b = ch.encode("utf-8")
        if len(current) + len(b) > limit:
            out.append(current)
            current, limit = b" ", 75  # the continuation's leading space counts in its 75
        current += b
    out.append(current)
    return b"\r\n".join(out) + b"\r\n"


def calendar_bytes(duties: list[Duty], *, stamp: dt.datetime | None = None) -> bytes:
    stamp_utc = (stamp or clock.now()).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//RiskDesk//Duties//ZH", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", "X-WR-CALNAME:" + escape("风控到期事项")]
    for d in duties:
        summary = f"{d.kind_label}：{d.project + ' ' if d.project else ''}{d.text}"
        lines += ["BEGIN:VEVENT", "UID:" + escape(d.uid), "DTSTAMP:" + stamp_utc,
                  "DTSTART;VALUE=DATE:" + d.date.strftime("%Y%m%d"),
                  "DTEND;VALUE=DATE:" + (d.date + dt.timedelta(days=1)).strftime("%Y%m%d"),
                  "SUMMARY:" + escape(summary), "DESCRIPTION:" + escape(d.text + ("（已逾期）" if d.overdue else "")),
                  "TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return b"".join(fold(line) for line in lines)


def export(duties: list[Duty], path: Path | str, *, stamp: dt.datetime | None = None) -> Path:
    """Write the calendar atomically; returns the path written."""
    target = Path(path)
    if target.suffix.lower() != ".ics":
        target = target.with_suffix(".ics")
    atomic_write_bytes(target, calendar_bytes(duties, stamp=stamp))
    return target
