"""`clock.pinned` holds "now" at a past moment for the calls inside only (the demo records a past
day's work through the services that way), and never runs ahead of the real clock."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop import clock
from desktop.services.context import now


def test_pinned_holds_now_inside_and_lets_go_after():
    at = dt.datetime(2026, 3, 31, 23, 30)  # agency wall-clock time
    with clock.pinned(at):
        assert now() == at and clock.today() == dt.date(2026, 3, 31)
        assert clock.utc_now() == dt.datetime(2026, 3, 31, 15, 30) or clock.agency_zone().key != "Asia/Shanghai"
    assert clock.today() != dt.date(2026, 3, 31) and now() > at


def test_a_pinned_clock_may_not_run_ahead():
    with pytest.raises(ValueError):
        with clock.pinned(clock.wall_now() + dt.timedelta(hours=1)):
            pass
    assert now() <= clock.wall_now()
