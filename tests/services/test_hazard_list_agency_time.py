"""The periodic hazard list reads business times in the agency's (China) time (review 15, D1).

`hazard_rows` reads the driver's cursor for speed, which skips the `AgencyTime` column type: a
closure at 23:15 UTC on 30 June is 07:15 on 1 July in China, and the list, its carried-over
count and the review package's cover must say so, as the ORM and the safety analysis do."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image
from sqlalchemy import select

from desktop import clock
from desktop.models import Hazard
from desktop.reports import registers
from desktop.services import agency, hazards, periods, signing
from desktop.services.exchange import attachments, packages, register_export
from desktop.services.queries import doc_data, doc_outputs
from desktop.services.queries.doc_data_periodic import (
    _AgencyDays,
    carried_over,
    hazard_rows,
    period_stats,
    scope_of,
)
from tests.factories import make_project

TODAY = dt.date(2026, 11, 28)


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(buf, "JPEG")
    return buf.getvalue()


def record(s, actor, project_id, found_at: dt.datetime, deadline: dt.date, words: str):
    return hazards.record(s, actor, hazards.HazardForm(
        project_id=project_id, description=words, level=3, category="临时用电",
        measures="按规范整改", contingency="设置警戒", found_at=found_at, deadline=deadline))


def close_at(s, actor, store, h, closed_at: dt.datetime):
    """Notice, delivery, after-photo, closure through the supervisor; verified at `closed_at`
    (China wall-clock time), the steps before it spread between the finding and the closure."""
    step = (closed_at - h.found_at) / 5
    h = hazards.issue_notice(s, actor, h.id, expected_version=h.version, at=h.found_at + step)
    h = hazards.record_delivery(s, actor, h.id, expected_version=h.version, received_by="张安全",
                                at=h.found_at + 2 * step)
    attachments.store_file(s, actor, store_dir=store, data=jpeg(), owner_type="hazard",
                           owner_id=h.id, role="after")
    h = hazards.submit_closure(s, actor, h.id, expected_version=h.version, supervisor_name="李监理",
                               at=h.found_at + 3 * step, note="已整改完毕")
    return hazards.verify_close(s, actor, h.id, expected_version=h.version, at=closed_at,
                                reinspection_date=closed_at.date(), note="现场复查合格")


def stored_closed_at(s, hazard_id: int) -> dt.datetime:
    """closed_at as the database holds it (naive UTC), read without the column type."""
    value = s.connection().exec_driver_sql(
        "SELECT closed_at FROM hazards WHERE id = ?" if s.get_bind().dialect.name == "sqlite"
        else "SELECT closed_at FROM hazards WHERE id = %s", (hazard_id,)).scalar_one()
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


@pytest.fixture
def late_closure(db, admin, tmp_path):
    """One project: a hazard found 15 June, due 30 June, closed 07:15 on 1 July China time;
    one found in Q3 and still open; one found in June and closed on 30 June in China too."""
    store = tmp_path / "store"
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")
        p = make_project(s, admin)
        late = record(s, admin, p.project, dt.datetime(2026, 6, 15, 10), dt.date(2026, 6, 30),
                      "二层临边防护缺失")
        late = close_at(s, admin, store, late, dt.datetime(2026, 7, 1, 7, 15))
        before = record(s, admin, p.project, dt.datetime(2026, 6, 16, 10), dt.date(2026, 6, 30),
                        "配电箱无门")
        before = close_at(s, admin, store, before, dt.datetime(2026, 6, 30, 23, 50))
        new = record(s, admin, p.project, dt.datetime(2026, 8, 3, 9), dt.date(2026, 8, 10),
                     "电缆拖地")
    return {"p": p, "late": late, "before": before, "new": new, "store": store}


def test_a_closure_after_midnight_china_time_prints_the_china_date_and_is_late(db, late_closure):
    w = late_closure
    q3 = periods.parse("2026Q3")
    with db.read() as s:
        # the fact the fault lay in: stored in UTC on 30 June
        assert stored_closed_at(s, w["late"].id) == dt.datetime(2026, 6, 30, 23, 15)
        assert s.execute(select(Hazard.closed_at).where(Hazard.id == w["late"].id)).scalar_one() \
            == dt.datetime(2026, 7, 1, 7, 15)
        scope = scope_of(s, "project", w["p"].project)
        rows = hazard_rows(s, scope, q3, today=TODAY)
        orm = register_export.hazard_rows(s, [w["late"].id, w["new"].id], today=TODAY)
        stats = period_stats(s, scope, q3, today=TODAY)
        carried = carried_over(s, scope, q3, TODAY)
        output = doc_outputs.prepare(s, doc_data.Request(
            "hazard_list", "project", w["p"].project, TODAY, "2026Q3", "风控清单〔2026〕0001号",
            draft=False), store_dir=w["store"])
    by = {r.number: r for r in rows}
    # closed 23:50 on 30 June China time (15:50 UTC): before Q3, not listed
    assert w["before"].number not in by
    late = by[w["late"].number]
    assert late.closed_date == dt.date(2026, 7, 1)
    assert late.late_days == 1 and registers.overdue_value(late) == "是（逾期1天销项）"
    # the same lines as the ORM's (the register export)
    assert [by[r.number] for r in orm] == orm
    # the list's counts are the safety analysis's
    data = output.data
    assert data.carried_over == carried == 1
    assert len(data.rows) - data.carried_over == stats.found == 1
    summary = registers.summary_text(data)
    assert "含上期结转未销项1项、本期新发现1项" in summary and "逾期后销项1项" in summary


def test_a_hazard_closed_after_midnight_on_the_first_day_is_carried_over(db, admin, tmp_path):
    """Found 22:00 on 30 September, due that day, closed 00:30 on 1 October (China): open when
    October began, so carried over into October's list, closed in October, found in September."""
    store = tmp_path / "store"
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")
        p = make_project(s, admin)
        h = record(s, admin, p.project, dt.datetime(2026, 9, 30, 22), dt.date(2026, 9, 30),
                   "基坑临边未设防护栏杆")
        h = close_at(s, admin, store, h, dt.datetime(2026, 10, 1, 0, 30))
    october, q3 = periods.parse("2026-10"), periods.parse("2026Q3")
    with db.read() as s:
        assert stored_closed_at(s, h.id) == dt.datetime(2026, 9, 30, 16, 30)
        scope = scope_of(s, "project", p.project)
        [row] = hazard_rows(s, scope, october, today=TODAY)
        stats = period_stats(s, scope, october, today=TODAY)
        carried = carried_over(s, scope, october, TODAY)
        output = doc_outputs.prepare(s, doc_data.Request(
            "hazard_list", "project", p.project, TODAY, "2026-10", "风控清单〔2026〕0002号",
            draft=False), store_dir=store)
        [q3_row] = hazard_rows(s, scope, q3, today=TODAY)
    assert row.number == h.number and row.found_date == dt.date(2026, 9, 30)
    assert row.closed_date == dt.date(2026, 10, 1) and row.late_days == 1
    assert output.data.carried_over == carried == 1
    assert len(output.data.rows) - output.data.carried_over == stats.found == 0
    assert "含上期结转未销项1项、本期新发现0项" in registers.summary_text(output.data)
    # in the third quarter's list it is found there and closed after it
    assert q3_row.closed_date == dt.date(2026, 10, 1)


def test_the_review_packages_cover_counts_the_carried_over_in_china_time(db, admin, tmp_path):
    from desktop.config import Config

    config = Config(data_dir=tmp_path, values={} if db.is_sqlite else {"database_url": db.url})
    store = config.attachments_dir
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")
        signing.setup_key(s, data_dir=config.data_dir)
        p = make_project(s, admin)
        h = record(s, admin, p.project, dt.datetime(2026, 9, 30, 22), dt.date(2026, 9, 30),
                   "基坑临边未设防护栏杆")
        close_at(s, admin, store, h, dt.datetime(2026, 10, 1, 0, 30))
        record(s, admin, p.project, dt.datetime(2026, 10, 9, 9), dt.date(2026, 10, 16), "电缆拖地")
    with db.read() as s:
        plan = packages.plan_package(s, admin, store_dir=store, insurer_id=p.insurer,
                                     period="2026Q4")
        scope = scope_of(s, "insurer", p.insurer)
        q4 = periods.parse("2026Q4")
        carried = carried_over(s, scope, q4, clock.today())
    assert [r.number for r in plan.hazards][0] == h.number
    assert plan.hazards[0].closed_date == dt.date(2026, 10, 1)
    assert plan.carried_over == carried == 1


@pytest.fixture
def agency_zone():
    yield
    clock.use_zone(clock.DEFAULT_ZONE)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Asia/Kolkata", "America/St_Johns",
                                  "America/New_York", "Australia/Lord_Howe"])
def test_the_raw_values_day_is_the_agency_day_in_any_zone(agency_zone, zone):
    """The list's reading of a raw closed_at (ISO text from SQLite, a datetime from PostgreSQL)
    gives the agency date the column type gives, whole-hour offset or not, around the
    daylight-saving changes too (the hourly shortcut must not hide a change within an hour)."""
    clock.use_zone(zone)
    day_of = _AgencyDays()
    start = dt.datetime(2026, 3, 7, 0, 0)
    for minute in range(0, 60 * 24 * 3, 13):
        stored = start + dt.timedelta(minutes=minute, seconds=minute % 60)
        exact = stored.replace(tzinfo=dt.UTC).astimezone(clock.agency_zone()).date()
        assert day_of(f"{stored:%Y-%m-%d %H:%M:%S}.000000") == exact, (zone, stored)
        assert day_of(stored) == exact, (zone, stored)
    assert day_of(None) is None
