"""Column types: how a business time is kept.

Every time column holds an instant in **UTC** (naive, as SQLite and PostgreSQL's `timestamp`
keep it). A *business time* — when a hazard was found, a report made, a letter signed — is
handed to the services as the agency's wall-clock time (naive, `clock.wall_now()`'s form),
because the rules are about the agency's calendar day; `AgencyTime` converts at the edge, both
for values written and for values compared in a query (a bound parameter takes the column's
type). Bookkeeping columns (`created_at`, `updated_at`, the audit trail, the phone pairing
times) are plain `DateTime` and read as naive UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from desktop import clock


class AgencyTime(TypeDecorator[dt.datetime]):
    """Agency wall-clock time in Python, UTC in the database (zone: `clock.agency_zone()`)."""

    impl = DateTime
    cache_ok = True  # holds no state: the zone is read when a value is converted

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return clock.to_utc(value)
        if isinstance(value, dt.date):  # a day compared with a time: its first instant
            return clock.to_utc(dt.datetime.combine(value, dt.time()))
        raise TypeError(f"a business time must be a datetime, not {type(value).__name__}")

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return clock.wall_of_utc(value)
