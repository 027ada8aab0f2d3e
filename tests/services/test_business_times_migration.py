"""Migration 0023 turns stored business times from the agency's wall-clock time into UTC
instants and back (issue 14 §9): in SQL for a zone with one offset (China), value by value
for a zone with daylight saving, with PostgreSQL's own zone data there."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import text

from desktop import clock
from desktop.models import Hazard, User
from desktop.services import hazards
from tests.factories import make_project


@pytest.fixture
def agency_zone():
    yield
    clock.use_zone(clock.DEFAULT_ZONE)


def _migrate(db, target: str, *, down: bool) -> None:
    with db.engine.begin() as conn:
        cfg = db._alembic_config(conn)
        (command.downgrade if down else command.upgrade)(cfg, target)


def _raw(db, sql: str, **params):
    with db.engine.connect() as conn:
        return [str(v)[:19] if v is not None else None for v in conn.execute(text(sql), params).one()]


def test_china_times_go_to_utc_and_back(db, admin):
    with db.session() as s:
        p = make_project(s, admin)
        h = hazards.record(s, admin, hazards.HazardForm(
            project_id=p.project, description="临边防护缺失", level=2, category="高处作业",
            measures="补设防护栏杆", contingency="设置警示带", found_at=dt.datetime(2026, 12, 1, 1, 30)))
        hazard_id = h.id
    assert _raw(db, "SELECT found_at FROM hazards WHERE id = :i", i=hazard_id) == ["2026-11-30 17:30:00"]

    _migrate(db, "0022", down=True)
    assert _raw(db, "SELECT found_at FROM hazards WHERE id = :i", i=hazard_id) == ["2026-12-01 01:30:00"]
    assert db.current_revision() == "0022"

    _migrate(db, "head", down=False)
    assert _raw(db, "SELECT found_at FROM hazards WHERE id = :i", i=hazard_id) == ["2026-11-30 17:30:00"]
    with db.read() as s:
        row = s.get(Hazard, hazard_id)
        assert (row.found_at, row.found_date) == (dt.datetime(2026, 12, 1, 1, 30), dt.date(2026, 12, 1))


def test_a_zone_with_daylight_saving_converts_each_value(db, admin, agency_zone):
    clock.use_zone("America/New_York")  # UTC-4 in July, UTC-5 in January
    with db.session() as s:
        user = s.get(User, admin.user_id)
        user.last_login_at = dt.datetime(2026, 7, 1, 12, 0)
        user.locked_until = dt.datetime(2026, 1, 15, 12, 0)
    sql = "SELECT last_login_at, locked_until FROM users WHERE id = :i"
    assert _raw(db, sql, i=admin.user_id) == ["2026-07-01 16:00:00", "2026-01-15 17:00:00"]

    _migrate(db, "0022", down=True)
    assert _raw(db, sql, i=admin.user_id) == ["2026-07-01 12:00:00", "2026-01-15 12:00:00"]

    _migrate(db, "head", down=False)
    assert _raw(db, sql, i=admin.user_id) == ["2026-07-01 16:00:00", "2026-01-15 17:00:00"]
    with db.read() as s:
        user = s.get(User, admin.user_id)
        assert (user.last_login_at, user.locked_until) == (dt.datetime(2026, 7, 1, 12, 0),
                                                           dt.datetime(2026, 1, 15, 12, 0))
