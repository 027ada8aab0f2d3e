"""Stored business times pass through `clock.to_utc` / `clock.wall_of_utc`, which remember the
zone's offset per hour: around every daylight-saving change they must give exactly what the
zone data gives for each value."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop import clock


@pytest.fixture
def agency_zone():
    yield
    clock.use_zone(clock.DEFAULT_ZONE)


def _exact_wall(stored: dt.datetime) -> dt.datetime:
    return stored.replace(tzinfo=dt.UTC).astimezone(clock.agency_zone()).replace(tzinfo=None)


def _exact_utc(wall: dt.datetime) -> dt.datetime:
    return wall.replace(tzinfo=clock.agency_zone()).astimezone(dt.UTC).replace(tzinfo=None)


@pytest.mark.parametrize(("zone", "days"), [
    ("America/New_York", ["2026-03-08", "2026-11-01"]),      # changes at 02:00 local
    ("America/St_Johns", ["2026-03-08", "2026-11-01"]),      # UTC-3:30: changes off the UTC hour
    ("Australia/Lord_Howe", ["2026-04-05", "2026-10-04"]),   # a half-hour change
    ("Asia/Shanghai", ["1991-04-14", "1991-09-15", "2026-12-07"]),  # its last change, and today
])
def test_every_minute_around_a_change_matches_the_zone_data(agency_zone, zone, days):
    clock.use_zone(zone)
    for day in days:
        start = dt.datetime.fromisoformat(day) - dt.timedelta(hours=14)
        for minute in range(0, 40 * 60, 7):
            value = start + dt.timedelta(minutes=minute, seconds=minute % 60)
            assert clock.wall_of_utc(value) == _exact_wall(value), (zone, value)
            assert clock.to_utc(value) == _exact_utc(value), (zone, value)


def test_a_zone_change_forgets_the_offsets_remembered(agency_zone):
    stored = dt.datetime(2026, 12, 6, 17, 0)
    assert clock.wall_of_utc(stored) == dt.datetime(2026, 12, 7, 1, 0)
    clock.use_zone("Asia/Tokyo")
    assert clock.wall_of_utc(stored) == dt.datetime(2026, 12, 7, 2, 0)
    assert clock.to_utc(dt.datetime(2026, 12, 7, 2, 0)) == stored
