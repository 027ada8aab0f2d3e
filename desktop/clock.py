"""The agency's clock: "now", "today" and instants in the agency's time zone, whatever the
computer's own zone is.

The notice speaks of China's calendar day (当日, 每季度, 每半年), so every "today", "the same
day" and period edge is computed in the agency zone (setting `time_zone` in desktop/config.py,
default Asia/Shanghai: China Standard Time, UTC+8, no daylight saving).

Every time column holds a naive UTC instant. Two kinds, as Python sees them:
- row bookkeeping (created_at, updated_at, the audit log) is read as UTC: `utc_now()`;
  shown with `to_local()`;
- business times people type or read on documents (found_at, due_at, reported_at, …) are read
  and written as the agency's wall-clock time (`wall_now()`'s form): the column type
  `models.types.AgencyTime` converts with `to_utc()` / `wall_of_utc()` at the database's edge.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DEFAULT_ZONE = "Asia/Shanghai"

_zone: ZoneInfo = ZoneInfo(DEFAULT_ZONE)


def zone_problem(name: object) -> str | None:
    """Why `name` is not a usable IANA zone (a Chinese sentence), or None when it is."""
    if not isinstance(name, str) or not name.strip():
        return "时区不能为空，应为 IANA 时区名称，如 Asia/Shanghai"
    try:
        ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return f"无效的时区：{name}（应为 IANA 时区名称，如 Asia/Shanghai）"
    return None


def zone_names() -> list[str]:
    """The zones a setting may name, sorted (for a choice list)."""
    return sorted(available_timezones())


def use_zone(name: str) -> None:
    """Set the agency zone for this process (called once at start-up from the settings)."""
    global _zone
    problem = zone_problem(name)
    if problem is not None:
        raise ValueError(problem)
    _zone = ZoneInfo(name.strip())
    _offsets_of_utc.clear()
    _offsets_of_wall.clear()


def agency_zone() -> ZoneInfo:
    return _zone


_pinned: ContextVar[dt.datetime | None] = ContextVar("riskdesk_pinned_clock", default=None)


def system_time() -> dt.datetime:
    """The computer's clock as an aware UTC instant: the one place it is read (tests replace it).
    Inside `pinned(...)` it is the pinned instant instead."""
    held = _pinned.get()
    return held if held is not None else dt.datetime.now(dt.UTC)


@contextmanager
def pinned(at: dt.datetime) -> Iterator[None]:
    """Hold "now" at `at` (agency wall-clock time, or aware) for the calls inside, in this thread
    or task only: the demo data records a past day's work through the services as that day.
    A time in the future is refused: nothing may be recorded ahead of the real clock."""
    instant = from_wall(at).astimezone(dt.UTC)
    if instant > dt.datetime.now(dt.UTC):
        raise ValueError("a pinned clock may not run ahead of the real one")
    token = _pinned.set(instant)
    try:
        yield
    finally:
        _pinned.reset(token)


def now() -> dt.datetime:
    """The current instant, aware, in the agency zone (to the second)."""
    return system_time().astimezone(_zone).replace(microsecond=0)


def today() -> dt.date:
    """The agency's calendar date now."""
    return now().date()


def wall_now() -> dt.datetime:
    """The agency's wall-clock time now, naive: the form business time columns hold."""
    return now().replace(tzinfo=None)


def utc_now() -> dt.datetime:
    """Now in UTC, naive: the form bookkeeping columns hold."""
    return system_time().astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)


def to_local(instant: dt.datetime) -> dt.datetime:
    """An instant as the agency's aware time; a naive value is taken as stored UTC."""
    aware = instant if instant.tzinfo is not None else instant.replace(tzinfo=dt.UTC)
    return aware.astimezone(_zone)


def to_utc(instant: dt.datetime) -> dt.datetime:
    """An instant as naive UTC for storing; a naive value is taken as agency wall-clock time."""
    if instant.tzinfo is None:
        offset = _hour_offset(_offsets_of_wall, instant, wall=True)
        if offset is not None:
            return instant - offset
    return from_wall(instant).astimezone(dt.UTC).replace(tzinfo=None)


def from_wall(instant: dt.datetime) -> dt.datetime:
    """A business time (naive agency wall-clock, or already aware) as an aware instant."""
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=_zone)


def to_wall(instant: dt.datetime) -> dt.datetime:
    """An aware instant as the agency's naive wall-clock time (a naive value is returned as is)."""
    return instant if instant.tzinfo is None else instant.astimezone(_zone).replace(tzinfo=None)


def day_end(day: dt.date) -> dt.datetime:
    """The last second of the agency's calendar day, as wall-clock time ("当日" ends here)."""
    return dt.datetime.combine(day, dt.time(23, 59, 59))


def wall_of_utc(stored: dt.datetime) -> dt.datetime:
    """A naive UTC instant (as the database holds it) as the agency's naive wall-clock time."""
    offset = _hour_offset(_offsets_of_utc, stored, wall=False)
    if offset is not None:
        return stored + offset
    return stored.replace(tzinfo=dt.UTC).astimezone(_zone).replace(tzinfo=None)


# Every stored business time passes through to_utc / wall_of_utc (models/types.py), 50,000 of
# them in a large list: the zone's offset is looked up once per hour of the calendar instead of
# once per value. An hour is remembered only when the offset at its first and its last
# microsecond agree, so an hour holding a daylight-saving change is always computed exactly.
_Hour = tuple[int, int, int, int]  # year, month, day, hour: a cheaper key than a datetime
_offsets_of_utc: dict[_Hour, dt.timedelta | None] = {}
_offsets_of_wall: dict[_Hour, dt.timedelta | None] = {}
_LAST_MICROSECOND = dt.timedelta(hours=1, microseconds=-1)
_MAX_HOURS = 200_000


def _hour_offset(cache: dict[_Hour, dt.timedelta | None], value: dt.datetime, *,
                 wall: bool) -> dt.timedelta | None:
    key = (value.year, value.month, value.day, value.hour)
    try:
        return cache[key]
    except KeyError:
        pass
    hour = dt.datetime(*key)
    if wall:
        first = hour.replace(tzinfo=_zone).utcoffset()
        last = (hour + _LAST_MICROSECOND).replace(tzinfo=_zone).utcoffset()
    else:
        first = hour.replace(tzinfo=dt.UTC).astimezone(_zone).utcoffset()
        last = (hour + _LAST_MICROSECOND).replace(tzinfo=dt.UTC).astimezone(_zone).utcoffset()
    if len(cache) >= _MAX_HOURS:
        cache.clear()
    cache[key] = offset = first if first == last else None
    return offset
