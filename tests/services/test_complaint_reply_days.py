"""A complaint keeps the working days its reply was given and its date is counted when read
(migration 0024): holiday data loaded later — a newer calendar package with the next year's
notice — moves the date and drops the flag, and a reply "late" only against a Monday–Friday
guess is not called late."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from alembic import command
from sqlalchemy import text

from desktop import clock
from desktop.services import complaints, compliance, periods, rules, workdays
from desktop.services.queries import duties

RECEIVED = dt.date(2026, 12, 7)  # a Monday; 30 working days run into 2027


@pytest.fixture(autouse=True)
def _mid_december(monkeypatch):
    monkeypatch.setattr(clock, "system_time", lambda: dt.datetime(2026, 12, 20, 2, 0, tzinfo=dt.UTC))


@pytest.fixture
def package_knows_2027(monkeypatch):
    """What a chinesecalendar release with the 2027 notice would answer (元旦 a holiday)."""
    real = chinese_calendar.is_workday

    def is_workday(day: dt.date) -> bool:
        if day.year == 2027:
            return day.weekday() < 5 and day != dt.date(2027, 1, 1)
        return real(day)

    monkeypatch.setattr(workdays, "library_covers", lambda year: year <= 2027)
    monkeypatch.setattr(chinese_calendar, "is_workday", is_workday)


@pytest.fixture
def late_january(monkeypatch):
    """Replies made in late January 2027 are in the past."""
    monkeypatch.setattr(clock, "system_time", lambda: dt.datetime(2027, 1, 25, 2, 0, tzinfo=dt.UTC))


def _record(db, admin, **kw):
    with db.session() as s:
        return complaints.record_complaint(s, admin, received_at=RECEIVED, content="夜间施工噪声",
                                           needs_checking=True, **kw)


def test_a_calendar_package_that_learns_a_year_moves_the_date_and_drops_the_flag(db, admin, request):
    c = _record(db, admin)
    assert (c.reply_due, c.unloaded) == (dt.date(2027, 1, 18), (2027,))  # a Monday–Friday guess
    request.getfixturevalue("package_knows_2027")  # the program updated; nothing else touched
    with db.read() as s:
        [row] = complaints.complaints(s)
        listed = duties.upcoming(s, days=60, today=dt.date(2026, 12, 20))
    assert (row.reply_due, row.unloaded) == (dt.date(2027, 1, 19), ())
    [duty] = [d for d in listed if d.kind == "complaint"]
    assert duty.date == dt.date(2027, 1, 19) and not duty.flagged


def test_a_reply_late_only_against_the_guess_is_not_called_late(db, admin, request):
    c = _record(db, admin)
    request.getfixturevalue("late_january")
    with db.session() as s:
        complaints.reply(s, admin, c.id, replied_at=dt.date(2027, 1, 19), text="已核实并答复",
                         expected_version=c.version)
    with db.read() as s:
        [row] = complaints.complaints(s)
        result = compliance.evaluate(s, period=periods.parse("2026Q4"), scope_type="agency",
                                     scope_id=None, as_of=dt.date(2026, 12, 31))
    assert row.replied_late and row.unloaded == (2027,)
    [gap] = [str(g.missing) for g in result.get("C-7d").gaps]
    assert "逾期" not in gap
    assert "晚于按周一至周五估算的期限 2027-01-18" in gap and workdays.UNLOADED in gap


def test_a_reply_after_a_known_deadline_is_late(db, admin, package_knows_2027, request):
    c = _record(db, admin)
    request.getfixturevalue("late_january")
    with db.session() as s:
        complaints.reply(s, admin, c.id, replied_at=dt.date(2027, 1, 20), text="答复",
                         expected_version=c.version)
    with db.read() as s:
        result = compliance.evaluate(s, period=periods.parse("2026Q4"), scope_type="agency",
                                     scope_id=None, as_of=dt.date(2026, 12, 31))
    [gap] = [str(g.missing) for g in result.get("C-7d").gaps]
    assert "2027-01-20 已答复（逾期）" in gap


def test_the_days_given_stay_when_the_rule_changes_and_follow_a_re_marking(db, admin):
    c = _record(db, admin, project_id=None)
    with db.session() as s:
        rules.set_value(s, admin, "complaint.reply_working_days", {"normal": 5, "checking": 20})
    with db.read() as s:
        assert complaints.complaints(s)[0].reply_due == dt.date(2027, 1, 18)  # still 30 days
    with db.session() as s:
        marked = complaints.set_needs_checking(s, admin, c.id, False, expected_version=c.version)
    assert marked.reply_due == dt.date(2026, 12, 14)  # now 5 days, as the rule says today


def _migrate(db, target: str, *, down: bool) -> None:
    with db.engine.begin() as conn:
        cfg = db._alembic_config(conn)
        (command.downgrade if down else command.upgrade)(cfg, target)


def test_migration_0024_gives_recorded_complaints_the_rules_days(db, admin):
    _record(db, admin)
    with db.session() as s:
        complaints.record_complaint(s, admin, received_at=RECEIVED, content="扬尘")
        rules.set_value(s, admin, "complaint.reply_working_days", {"normal": 12, "checking": 25})
    _migrate(db, "0023", down=True)
    with db.engine.connect() as conn:
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info(complaints)"))] \
            if db.engine.dialect.name == "sqlite" else [r[0] for r in conn.execute(text(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'complaints'"))]
    assert "reply_days" not in columns
    _migrate(db, "head", down=False)
    with db.engine.connect() as conn:
        days = dict(conn.execute(text("SELECT content, reply_days FROM complaints")).all())
    assert days == {"夜间施工噪声": 25, "扬尘": 12}
