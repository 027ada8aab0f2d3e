"""Midnight at the agency with the window open: the day watch notices it (China time, whatever
the computer's zone) and the desk has every page read again."""

from __future__ import annotations

import datetime as dt

from desktop import clock
from desktop.ui import day_watch
from desktop.ui.day_watch import DayWatch


def at_china(monkeypatch, text: str) -> None:
    instant = (dt.datetime.fromisoformat(text) - dt.timedelta(hours=8)).replace(tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "system_time", lambda: instant)


def test_the_watch_wakes_just_after_china_midnight_and_says_the_new_day(qtbot, monkeypatch):
    at_china(monkeypatch, "2026-12-07T23:59:30")  # 15:59:30 UTC: the computer's date is the same
    watch = DayWatch()
    assert watch.day == dt.date(2026, 12, 7)
    assert watch.timer.interval() == 31_000 and watch.timer.isActive()  # a second after midnight
    days: list[object] = []
    watch.new_day.connect(days.append)
    watch.check()  # woken early (the timer is single-shot; a sleeping computer wakes late)
    assert days == []
    at_china(monkeypatch, "2026-12-08T00:00:01")  # 16:00:01 UTC, still the 7th in UTC
    watch.check()
    assert days == [dt.date(2026, 12, 8)] and watch.day == dt.date(2026, 12, 8)
    assert watch.timer.isActive()
    assert watch.timer.interval() == day_watch.CHECK_AT_LEAST_MS  # an hour at most
    watch.check()
    assert days == [dt.date(2026, 12, 8)]  # once a day
    watch.stop()
    assert not watch.timer.isActive()


def test_a_new_day_has_the_desk_read_every_page_again(qtbot, monkeypatch, db, config, users,
                                                    agency_profile):
    from desktop.ui.desk import Desk

    desk = Desk(db, config, users["admin"])
    qtbot.addWidget(desk.window)
    qtbot.waitUntil(lambda: not desk.window.is_filling, timeout=5000)
    announced = []
    desk.state.changed.connect(announced.append)
    desk.day_watch.day -= dt.timedelta(days=1)  # as if the window had been open since yesterday
    desk.day_watch.check()
    [changes] = announced
    assert all((changes.projects, changes.hazards, changes.reports, changes.inspections,
                changes.documents, changes.training, changes.archive))
    assert not changes.settings and not changes.users
    desk.close()
    desk.window.close()
    assert not desk.day_watch.timer.isActive()
