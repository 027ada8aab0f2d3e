"""business times kept as UTC instants

Until now a business time (when a hazard was found or closed, a report made, a letter signed,
an assessment, a deletion…) was stored as the agency's wall-clock time, while the row
bookkeeping (`created_at`, `updated_at`, the audit trail) was stored in UTC. Every time column
now holds UTC; the ORM hands business times to the services as agency wall-clock time
(`desktop/models/types.py::AgencyTime`). This migration converts the stored values from the
agency zone (`clock.agency_zone()`, the `time_zone` setting applied before any database is
opened) to UTC, and back on downgrade.

- PostgreSQL converts with its own zone data: `(t AT TIME ZONE zone) AT TIME ZONE 'UTC'`.
- SQLite, when the zone's offset is the same on every day the values span (Asia/Shanghai: +8
  since 1991), shifts in SQL keeping SQLAlchemy's text form (`YYYY-MM-DD HH:MM:SS.ffffff`);
  otherwise (a zone with daylight saving) each value is converted in Python, in batches.

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

from desktop import clock

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

# every business-time column at this revision (the columns typed AgencyTime in the models)
COLUMNS: dict[str, tuple[str, ...]] = {
    "agency_profile": ("deleted_at",),
    "app_settings": ("updated_at",),
    "archive_items": ("deleted_at",),
    "attachments": ("taken_at",),
    "capture_drafts": ("found_at",),
    "catalogues": ("loaded_at", "checked_at"),
    "checklist_answers": ("answered_at", "deleted_at"),
    "complaints": ("deleted_at",),
    "contacts": ("deleted_at",),
    "danger_items": ("deleted_at",),
    "destruction_requests": ("requested_at", "approved_at", "destroyed_at", "deleted_at"),
    "documents": ("signed_at", "deleted_at"),
    "drills": ("deleted_at",),
    "emergency_plan_assists": ("deleted_at",),
    "escalations": ("at",),
    "evaluations": ("deleted_at",),
    "external_reports": ("due_at", "reported_at"),
    "fee_entries": ("deleted_at",),
    "hazard_events": ("at",),
    "hazards": ("found_at", "closed_at", "deleted_at"),
    "incidents": ("deleted_at",),
    "inspections": ("site_confirmed_at", "deleted_at"),
    "meetings": ("deleted_at",),
    "organisations": ("deleted_at",),
    "policies": ("deleted_at",),
    "project_contacts": ("deleted_at",),
    "project_stages": ("deleted_at",),
    "projects": ("deleted_at",),
    "risk_assessments": ("assessed_at",),
    "risk_sources": ("deleted_at",),
    "service_plans": ("deleted_at",),
    "standardisation_assists": ("deleted_at",),
    "submissions": ("submitted_at", "deleted_at"),
    "training_plans": ("deleted_at",),
    "training_sessions": ("deleted_at",),
    "users": ("locked_until", "last_login_at", "deleted_at"),
}
BATCH = 5000


def upgrade() -> None:
    _convert(to_utc=True)


def downgrade() -> None:
    _convert(to_utc=False)


def _convert(*, to_utc: bool) -> None:
    bind = op.get_bind()
    zone = clock.agency_zone()
    for table, columns in COLUMNS.items():
        if bind.dialect.name == "postgresql":
            _convert_pg(bind, table, columns, str(zone.key), to_utc=to_utc)
            continue
        for column in columns:
            offset = _fixed_offset(bind, table, column, zone)
            if offset is not None:
                _shift_sqlite(bind, table, column, offset if to_utc else -offset)
            else:
                _convert_rows(bind, table, column, to_utc=to_utc)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _convert_pg(bind: sa.engine.Connection, table: str, columns: tuple[str, ...], zone: str, *,
                to_utc: bool) -> None:
    source, target = (":zone", "'UTC'") if to_utc else ("'UTC'", ":zone")
    sets = ", ".join(f"{_q(c)} = ({_q(c)} AT TIME ZONE {source}) AT TIME ZONE {target}"
                     for c in columns)
    bind.execute(sa.text(f"UPDATE {_q(table)} SET {sets}").bindparams(zone=zone))


def _fixed_offset(bind: sa.engine.Connection, table: str, column: str,
                  zone: dt.tzinfo) -> int | None:
    """The zone's UTC offset in minutes when it is the same on every day the column's values
    span (None when the column is empty: nothing to convert, or when it changes: DST)."""
    first, last = bind.execute(sa.text(
        f"SELECT min({_q(column)}), max({_q(column)}) FROM {_q(table)}")).one()
    if first is None:
        return 0
    start = dt.date.fromisoformat(str(first)[:10]) - dt.timedelta(days=1)
    end = dt.date.fromisoformat(str(last)[:10]) + dt.timedelta(days=1)
    offsets = set()
    day = start
    while day <= end:
        for hour in (0, 12):
            moment = dt.datetime.combine(day, dt.time(hour), tzinfo=zone)
            delta = moment.utcoffset()
            offsets.add(int(delta.total_seconds() // 60) if delta is not None else 0)
        if len(offsets) > 1:
            return None
        day += dt.timedelta(days=1)
    return offsets.pop()


def _shift_sqlite(bind: sa.engine.Connection, table: str, column: str, minutes: int) -> None:
    """value - minutes, in SQLAlchemy's text form: the seconds computed by SQLite, the
    fraction kept as written (SQLite's date functions count in milliseconds)."""
    if minutes == 0:
        return
    c = _q(column)
    bind.execute(sa.text(
        f"UPDATE {_q(table)} SET {c} = strftime('%Y-%m-%d %H:%M:%S', substr({c}, 1, 19), "
        f"'{-minutes:+d} minutes') || substr({c}, 20) WHERE {c} IS NOT NULL"))


def _convert_rows(bind: sa.engine.Connection, table: str, column: str, *, to_utc: bool) -> None:
    """Each value through the zone in Python (a zone whose offset changes in the span)."""
    t = sa.table(table, sa.column("id", sa.Integer), sa.column(column, sa.DateTime))
    col = t.c[column]
    last = 0
    while True:
        rows = bind.execute(sa.select(t.c.id, col).where(t.c.id > last, col.is_not(None))
                            .order_by(t.c.id).limit(BATCH)).all()
        if not rows:
            return
        changed = [{"key": rid, "value": clock.to_utc(value) if to_utc else clock.wall_of_utc(value)}
                   for rid, value in rows]
        bind.execute(t.update().where(t.c.id == sa.bindparam("key"))
                     .values({column: sa.bindparam("value")}), changed)
        last = rows[-1][0]
