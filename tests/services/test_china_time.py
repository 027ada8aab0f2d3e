"""China time (issue 14 §9): "today", "the same day" and "not in the future" are China's calendar
day whatever the computer's zone. Every test runs with the process in UTC and in Asia/Shanghai
and expects the same answers; the computer's clock is pinned through `clock.system_time`."""

from __future__ import annotations

import datetime as dt
import json
import os
import time

import pytest

from desktop import clock
from desktop.config import Config
from desktop.services import complaints, hazards, periods
from desktop.services.context import ValidationError, now
from desktop.services.queries import history
from tests.factories import make_project

UTC = dt.UTC
SHANGHAI_OFFSET = dt.timedelta(hours=8)

pytestmark = pytest.mark.skipif(not hasattr(time, "tzset"), reason="the process zone is set with tzset")


@pytest.fixture(params=["UTC", "Asia/Shanghai"])
def process_tz(request):
    """The process's own zone set to UTC or China's, restored afterwards."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.fixture
def pin(monkeypatch, process_tz):
    """pin("2026-12-07 01:00") sets the computer's clock to that China wall-clock time."""
    def set_china(text: str) -> dt.datetime:
        china = dt.datetime.fromisoformat(text)
        instant = (china - SHANGHAI_OFFSET).replace(tzinfo=UTC)
        monkeypatch.setattr(clock, "system_time", lambda: instant)
        return china
    return set_china


@pytest.fixture
def agency_zone():
    """Restore the default agency zone after a test that changes it."""
    yield
    clock.use_zone(clock.DEFAULT_ZONE)


def test_process_zone_is_really_set(process_tz):
    # the fixture does change what the machine-local clock functions see
    offset = time.localtime(0).tm_gmtoff
    assert offset == (0 if process_tz == "UTC" else 8 * 3600)


@pytest.mark.parametrize(("china", "day"), [
    ("2026-12-06 23:59", "2026-12-06"),
    ("2026-12-07 00:01", "2026-12-07"),
    ("2026-12-07 01:00", "2026-12-07"),   # 17:00 UTC the day before
    ("2026-03-31 23:59", "2026-03-31"),   # a quarter's last minute
    ("2026-04-01 00:01", "2026-04-01"),   # the next quarter's first
])
def test_today_is_chinas_calendar_day(pin, china, day):
    wall = pin(china)
    assert clock.today() == dt.date.fromisoformat(day)
    assert clock.wall_now() == wall and now() == wall
    assert clock.now().utcoffset() == SHANGHAI_OFFSET


def test_quarter_edge_follows_china_time(pin):
    pin("2026-03-31 23:59")
    assert periods.quarter_of(clock.today()).label == "2026Q1"
    pin("2026-04-01 00:01")
    assert periods.quarter_of(clock.today()).label == "2026Q2"
    assert periods.half_of(clock.today()).label == "2026H1"
    pin("2026-07-01 00:01")
    assert periods.half_of(clock.today()).label == "2026H2"


def level1(s, actor, project_id, found_at=None):
    return hazards.record(s, actor, hazards.HazardForm(
        project_id=project_id, description="基坑支护变形", level=1, category="基坑工程",
        measures="停止开挖，加固支护", contingency="设置警戒区", stop_work="partial",
        found_at=found_at))


def test_level1_found_at_01_00_china_is_dated_that_day_and_due_by_its_end(db, admin, pin):
    pin("2026-12-07 01:00")
    with db.session() as s:
        p = make_project(s, admin)
        h = level1(s, admin, p.project)  # found "now"
        due = {r.due_at for r in hazards.pending_reports(s, h.id)}
    assert h.found_at == dt.datetime(2026, 12, 7, 1, 0)
    assert due == {dt.datetime(2026, 12, 7, 23, 59, 59)}


def test_a_time_typed_in_china_time_is_not_in_the_future(db, admin, pin):
    pin("2026-12-07 01:00")
    with db.session() as s:
        p = make_project(s, admin)
        typed = level1(s, admin, p.project, found_at=dt.datetime(2026, 12, 7, 0, 50))
        assert typed.found_at.date() == dt.date(2026, 12, 7)
        with pytest.raises(ValidationError, match="发现时间不能晚于当前时间"):
            level1(s, admin, p.project, found_at=dt.datetime(2026, 12, 7, 1, 30))


@pytest.mark.parametrize(("china", "reported", "in_time"), [
    ("2026-12-07 23:59", "2026-12-07 23:59", True),
    ("2026-12-08 00:01", "2026-12-08 00:01", False),
])
def test_same_day_report_at_23_59_and_00_01(db, admin, pin, china, reported, in_time):
    pin("2026-12-07 08:00")
    with db.session() as s:
        p = make_project(s, admin)
        h = level1(s, admin, p.project)
    pin(china)
    with db.session() as s:
        for r in hazards.pending_reports(s, h.id):
            hazards.record_report(s, admin, r.id, channel="电话",
                                  reported_at=dt.datetime.fromisoformat(reported))
        done = [r for r in hazards.reports(s, h.id) if r.reason == "level1_same_day"]
    assert len(done) == 2
    assert all((r.reported_at <= r.due_at) is in_time for r in done)


def test_a_complaint_received_today_in_china_is_accepted(db, admin, pin):
    pin("2026-12-07 01:00")  # still 6 December in UTC
    with db.session() as s:
        c = complaints.record_complaint(s, admin, received_at=dt.date(2026, 12, 7), content="噪声扰民")
        assert c.received_at == dt.date(2026, 12, 7)
        with pytest.raises(ValidationError, match="不能晚于今天"):
            complaints.record_complaint(s, admin, received_at=dt.date(2026, 12, 8), content="x")


def test_audit_times_are_stored_in_utc_and_shown_in_china_time(db, admin, process_tz):
    with db.session() as s:
        p = make_project(s, admin)
    with db.read() as s:
        moments = [row.at for row in history.history(s, admin, "projects", p.project)]
    assert moments, "creating a project writes an audit entry"
    stored = moments[0].replace(tzinfo=None)
    real_utc = dt.datetime.now(UTC).replace(tzinfo=None)
    assert abs(stored - real_utc) < dt.timedelta(hours=1)  # UTC in either process zone, not local
    shown = clock.to_local(stored)
    assert shown.replace(tzinfo=None) - stored == SHANGHAI_OFFSET and shown.utcoffset() == SHANGHAI_OFFSET


def test_storage_helpers_round_trip(pin):
    pin("2026-12-07 01:00")
    assert clock.utc_now() == dt.datetime(2026, 12, 6, 17, 0)
    assert clock.to_utc(dt.datetime(2026, 12, 7, 1, 0)) == dt.datetime(2026, 12, 6, 17, 0)
    assert clock.to_wall(clock.to_local(dt.datetime(2026, 12, 6, 17, 0))) == dt.datetime(2026, 12, 7, 1, 0)
    assert clock.from_wall(dt.datetime(2026, 12, 7, 1, 0)).utcoffset() == SHANGHAI_OFFSET
    assert clock.day_end(dt.date(2026, 12, 7)) == dt.datetime(2026, 12, 7, 23, 59, 59)


def test_the_zone_setting_is_validated(tmp_path, agency_zone):
    config = Config(data_dir=tmp_path)
    assert config.time_zone == "Asia/Shanghai"
    with pytest.raises(ValueError, match="无效的时区"):
        config.set("time_zone", "China/Beijing")
    with pytest.raises(ValueError, match="时区不能为空"):
        config.set("time_zone", " ")
    (tmp_path / "settings.json").write_text(json.dumps({"time_zone": "Mars/Olympus"}), encoding="utf-8")
    with pytest.raises(ValueError, match="time_zone"):
        Config.load(tmp_path)
    with pytest.raises(ValueError, match="无效的时区"):
        clock.use_zone("UTC+8")
    assert clock.agency_zone().key == "Asia/Shanghai"  # a refused zone changes nothing


def test_another_agency_zone_moves_today(pin, agency_zone):
    pin("2026-12-07 01:00")
    clock.use_zone("Europe/London")
    assert clock.today() == dt.date(2026, 12, 6)
    clock.use_zone("Asia/Shanghai")
    assert clock.today() == dt.date(2026, 12, 7)


def test_the_command_line_applies_the_zone_setting(tmp_path, capsys, agency_zone):
    from desktop.cli import main

    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "settings.json").write_text(json.dumps({"time_zone": "Mars/Olympus"}), encoding="utf-8")
    assert main(["check", "--data-dir", str(folder)]) == 1
    assert "time_zone" in capsys.readouterr().err
    (folder / "settings.json").write_text(json.dumps({"time_zone": "Europe/London"}), encoding="utf-8")
    main(["check", "--data-dir", str(folder)])  # no database here: what matters is the zone
    assert clock.agency_zone().key == "Europe/London"


# -- business times kept as UTC instants (issue 14 §9, migration 0023) ------------------------


def _raw(db, sql, **params):
    from sqlalchemy import text

    with db.engine.connect() as conn:
        return conn.execute(text(sql), params).one()


def test_business_times_are_stored_as_utc_instants(db, admin, pin):
    pin("2026-12-07 01:00")
    with db.session() as s:
        p = make_project(s, admin)
        h = level1(s, admin, p.project)
        hazard_id = h.id
    found_at, found_date = _raw(db, "SELECT found_at, found_date FROM hazards WHERE id = :i", i=hazard_id)
    # the database holds the instant (17:00 UTC on the 6th), the date column the China day
    assert str(found_at).startswith("2026-12-06 17:00:00")
    assert str(found_date) == "2026-12-07"
    due = _raw(db, "SELECT min(due_at) FROM external_reports WHERE hazard_id = :i", i=hazard_id)[0]
    assert str(due).startswith("2026-12-07 15:59:59")  # 23:59:59 China time
    with db.read() as s:
        again = s.get(hazards.Hazard, hazard_id)
        assert again.found_at == dt.datetime(2026, 12, 7, 1, 0)  # read back in China time
        assert {r.due_at for r in hazards.pending_reports(s, hazard_id)} == {
            dt.datetime(2026, 12, 7, 23, 59, 59)}


def test_a_query_on_a_business_time_compares_in_china_time(db, admin, pin):
    from sqlalchemy import func, select

    from desktop.models import Hazard

    pin("2026-12-07 01:00")
    with db.session() as s:
        p = make_project(s, admin)
        level1(s, admin, p.project, found_at=dt.datetime(2026, 12, 7, 0, 30))
    with db.read() as s:
        after_midnight = s.execute(select(func.count()).select_from(Hazard).where(
            Hazard.found_at >= dt.datetime(2026, 12, 7))).scalar_one()
        latest = s.execute(select(func.max(Hazard.found_at))).scalar_one()
    assert after_midnight == 1  # 16:30 UTC on the 6th, 00:30 on the 7th in China
    assert latest == dt.datetime(2026, 12, 7, 0, 30)


def test_a_closure_at_00_30_on_the_1st_counts_in_that_china_month(db, admin, pin):
    from desktop.models import Hazard
    from desktop.services.queries import doc_data_periodic

    pin("2026-12-02 09:00")
    with db.session() as s:
        p = make_project(s, admin)
        h = level1(s, admin, p.project, found_at=dt.datetime(2026, 11, 20, 9, 0))
        row = s.get(Hazard, h.id)
        # the closure's own steps are tested elsewhere; here only its time matters
        row.status, row.closed_at = "closed", dt.datetime(2026, 12, 1, 0, 30)  # 30 Nov in UTC
    with db.read() as s:
        scope = doc_data_periodic.scope_of(s, "agency", None)
        stats = doc_data_periodic.period_stats(s, scope, periods.parse("2026Q4"),
                                               today=dt.date(2026, 12, 2))
    by_month = {m.month: (m.found, m.closed) for m in stats.by_month}
    assert by_month["2026-11"] == (1, 0) and by_month["2026-12"] == (0, 1)
    assert stats.closed == 1


def test_another_agency_zone_reads_the_same_instant(db, admin, pin, agency_zone):
    pin("2026-12-07 01:00")
    with db.session() as s:
        p = make_project(s, admin)
        hazard_id = level1(s, admin, p.project).id
    clock.use_zone("Asia/Tokyo")  # one hour ahead of China: the same instant, read there
    with db.read() as s:
        assert s.get(hazards.Hazard, hazard_id).found_at == dt.datetime(2026, 12, 7, 2, 0)
