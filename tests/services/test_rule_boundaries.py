"""Each rule at its edges: the last day of a quarter against the first of the next, a level-1
report at 23:59 against 00:00, June 30 against July 1 for training, 29 February in deadlines and
periods, and a project completed in the middle of a quarter (it was served there, so the quarter's
obligations apply; DOMAIN N-03 / N-13: per calendar quarter / half-year per project served).

What other files already pin is not repeated here: a report the next morning (test_compliance),
a fatal accident's three months from 31 March (test_risk), retention from 29 February
(test_archive)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from desktop.models import ExternalReport, Incident, RiskAssessment, RiskSource
from desktop.services import (
    compliance,
    hazards,
    inspections,
    obligations,
    periods,
    projects,
    risk,
    risk_sources,
    training,
)
from desktop.services.periods import Period
from tests.factories import make_project, recorded_on

Q1, Q2 = periods.parse("2026Q1"), periods.parse("2026Q2")
H1, H2 = periods.parse("2026H1"), periods.parse("2026H2")


def at(day: str, hh: int = 10, mm: int = 0, ss: int = 0) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hh, mm, ss))


def d(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


def project(s, actor, **changes):
    """A project (contract 2026-01-05 unless changed), changed through the service as a user would."""
    p = make_project(s, actor)
    if changes:
        detail = projects.get_detail(s, p.project)
        projects.update_project(s, actor, p.project, dataclasses.replace(detail.form, **changes),
                                expected_version=detail.project.version)
    return p


def full(s, actor, project_id, day):
    return inspections.record(s, actor, inspections.InspectionForm(
        project_id=project_id, kind="full_coverage", date=d(day), inspector_ids=(actor.user_id,)))


def level(s, actor, project_id, lv, found, **kw):
    base = dict(project_id=project_id, description=f"{lv}级隐患", level=lv, category="基坑工程",
                measures="按方案整改", contingency="设置警戒", found_at=found)
    if lv == 1:
        base["stop_work"] = "partial"
    base.update(kw)
    return hazards.record(s, actor, hazards.HazardForm(**base))


def report(s, actor, hazard_id, when, recipients=("insurer", "authority")):
    for r in hazards.pending_reports(s, hazard_id):
        if r.recipient in recipients:
            hazards.record_report(s, actor, r.id, channel="电话", reported_at=when)


def evaluate(db, period: Period, as_of: dt.date, scope_type="agency", scope_id=None):
    with db.read() as s:
        return compliance.evaluate(s, period=period, scope_type=scope_type, scope_id=scope_id, as_of=as_of)


def gaps(result, item, project_id=None):
    return [(g.missing, g.due) for g in result.get(item).gaps if project_id is None or g.project_id == project_id]


def session_form(day: str, **kw):
    base = dict(date=d(day), topic="安全教育培训", categories=("基坑工程",), centralized=True)
    base.update(kw)
    return training.SessionForm(**base)


# -- periods and months, leap years ---------------------------------------------------------------


def test_period_edges():
    assert (Q1.end, Q2.start) == (d("2026-03-31"), d("2026-04-01"))
    assert periods.quarter_of(d("2026-03-31")) == Q1 and periods.quarter_of(d("2026-04-01")) == Q2
    assert periods.quarter_of(d("2026-12-31")).label == "2026Q4"
    assert periods.quarter_of(d("2027-01-01")).label == "2027Q1"
    assert (H1.end, H2.start) == (d("2026-06-30"), d("2026-07-01"))
    assert periods.half_of(d("2026-06-30")) == H1 and periods.half_of(d("2026-07-01")) == H2
    assert H1.contains(d("2026-06-30")) and not H1.contains(d("2026-07-01"))
    for bad in ("2026Q0", "2026Q5", "2026-13", "2026-00", "2026H3"):
        with pytest.raises(ValueError):
            periods.parse(bad)


def test_leap_years_in_periods():
    assert periods.parse("2028Q1") == Period("2028Q1", d("2028-01-01"), d("2028-03-31"))
    assert periods.parse("2028-02").end == d("2028-02-29")
    assert periods.parse("2027-02").end == d("2027-02-28")
    assert periods.parse("2100-02").end == d("2100-02-28")  # a century is leap only every 400 years
    assert periods.parse("2000-02").end == d("2000-02-29")
    leap = d("2028-02-29")
    assert periods.quarter_of(leap).label == "2028Q1" and periods.half_of(leap).label == "2028H1"
    assert periods.parse("2028Q1").contains(leap) and periods.parse("2028H1").contains(leap)
    months = compliance.sub_periods(periods.parse("2028H1"), "month", inside=True)
    assert [m.label for m in months] == [f"2028-0{n}" for n in range(1, 7)]
    assert months[1].end == leap and months[2].start == d("2028-03-01")
    assert [q.label for q in compliance.sub_periods(periods.parse("2028-02"), "quarter")] == ["2028Q1"]


def test_months_added_across_29_february():
    assert risk.add_months(d("2027-11-30"), 3) == d("2028-02-29")
    assert risk.add_months(d("2026-11-30"), 3) == d("2027-02-28")
    assert risk.add_months(d("2028-02-29"), 12) == d("2029-02-28")
    assert risk.add_months(d("2028-02-29"), 48) == d("2032-02-29")
    assert risk.add_months(d("2028-03-31"), -1) == d("2028-02-29")
    assert risk.add_months(d("2028-08-29"), -6) == d("2028-02-29")


# -- N-03 / C-2f: the quarter's full-coverage inspection ------------------------------------------


def test_an_inspection_on_31_march_is_q1_and_on_1_april_is_q2(db, admin):
    with db.session() as s:
        last, first = project(s, admin), project(s, admin)
        full(s, admin, last.project, "2026-03-31")
        full(s, admin, first.project, "2026-04-01")
        pids = [last.project, first.project]
        assert obligations.full_inspection_missing(s, Q1, pids) == [first.project]
        assert obligations.full_inspection_missing(s, Q2, pids) == [last.project]
    q1 = evaluate(db, Q1, d("2026-04-20"))
    assert gaps(q1, "C-2f", last.project) == []
    assert gaps(q1, "C-2f", first.project) == [("2026年第一季度未开展全覆盖检查", True)]
    q2 = evaluate(db, Q2, d("2026-07-01"))
    assert gaps(q2, "C-2f", first.project) == []
    assert gaps(q2, "C-2f", last.project) == [("2026年第二季度未开展全覆盖检查", True)]


def test_the_quarters_last_day_is_still_in_time(db, admin):
    """On 31 March an inspection that day still counts: the gap is listed, not yet late (C-2f, and
    the level-1/2 risk sources C-2d); from 1 April it is."""
    with db.session() as s:
        p = project(s, admin)
        source = risk_sources.add(s, admin, p.project, risk_sources.SourceForm(name="深基坑开挖", level=1))
        recorded_on(s, RiskSource, source.id, d("2026-03-02"))
    on = evaluate(db, Q1, d("2026-03-31"))
    after = evaluate(db, Q1, d("2026-04-01"))
    for item in ("C-2d", "C-2f"):
        assert on.get(item).status == "not_due" and on.get(item).gaps and not on.get(item).due_gaps, item
        assert after.get(item).status == "not_met", item
    with db.session() as s:  # an inspection on the last day meets it
        inspection = full(s, admin, p.project, "2026-03-31")
        [source] = inspections.sources_to_verify(s, inspection.id)
        inspections.verify_sources(s, admin, inspection.id, {source.risk_source_id: True})
    late = evaluate(db, Q1, d("2026-04-01"))
    assert late.get("C-2f").status == late.get("C-2d").status == "met"
    assert not late.get("C-2f").gaps and not late.get("C-2d").gaps


def test_a_contract_signed_late_in_the_quarter_is_covered_by_the_first_identification(db, admin):
    """The first identification is due 15 days after the contract: signed on 16 March it is due
    by 31 March and the quarter's full inspection is owed; signed on 17 March it is not."""
    with db.session() as s:
        owed = project(s, admin, service_contract_date=d("2026-03-16"))
        spared = project(s, admin, service_contract_date=d("2026-03-17"))
    result = evaluate(db, Q1, d("2026-04-20"))
    assert gaps(result, "C-2f", owed.project) == [("2026年第一季度未开展全覆盖检查", True)]
    assert gaps(result, "C-2f", spared.project) == [("2026年第一季度未开展全覆盖检查", False)]


# -- N-07 / C-6a: the level-1 report the same day --------------------------------------------------


def test_a_hazard_found_just_before_midnight_belongs_to_its_day_and_quarter(db, admin):
    with db.session() as s:
        p = project(s, admin)
        late_q1 = level(s, admin, p.project, 1, at("2026-03-31", 23, 59))
        early_q2 = level(s, admin, p.project, 1, at("2026-04-01", 0, 0))
        dues = {r.hazard_id: r.due_at for r in s.execute(select(ExternalReport)).scalars()}
    assert dues == {late_q1.id: at("2026-03-31", 23, 59, 59), early_q2.id: at("2026-04-01", 23, 59, 59)}
    q1, q2 = evaluate(db, Q1, d("2026-04-20")), evaluate(db, Q2, d("2026-07-20"))
    assert q1.get("C-6a").evidence[0].ids == (late_q1.id,)
    assert q2.get("C-6a").evidence[0].ids == (early_q2.id,)


def test_a_level1_report_at_2359_is_on_time_and_at_midnight_late(db, admin):
    with db.session() as s:
        p = project(s, admin)
        found = at("2026-03-10", 9)
        on_time = level(s, admin, p.project, 1, found)
        report(s, admin, on_time.id, at("2026-03-10", 23, 59))
        last_second = level(s, admin, p.project, 1, found)
        report(s, admin, last_second.id, at("2026-03-10", 23, 59, 59))
        midnight = level(s, admin, p.project, 1, found)
        report(s, admin, midnight.id, at("2026-03-11", 0, 0))
        split = level(s, admin, p.project, 1, found)
        report(s, admin, split.id, at("2026-03-10", 23, 59), recipients=("insurer",))
        report(s, admin, split.id, at("2026-03-11", 0, 0), recipients=("authority",))
        missed = obligations.level1_not_reported_same_day(s, d("2026-03-01"), d("2026-03-31"), [p.project])
    assert missed == {midnight.id: ["insurer", "authority"], split.id: ["authority"]}
    result = evaluate(db, Q1, d("2026-04-20"))
    assert result.get("C-6a").status == "not_met"
    # (still open past their deadline, all four are also gaps as overdue rectifications)
    assert {g.ref_id for g in result.get("C-6a").due_gaps if "当日" in g.missing} == {midnight.id, split.id}


def test_a_pending_level1_report_is_overdue_from_midnight(db, admin):
    with db.session() as s:
        p = project(s, admin)
        h = level(s, admin, p.project, 1, at("2026-03-10", 22, 30))
        mine = {r.id for r in hazards.pending_reports(s, h.id)}
        assert len(mine) == 2
        assert not mine & set(obligations.pending_reports_overdue(s, at("2026-03-10", 23, 59, 59)))
        assert mine <= set(obligations.pending_reports_overdue(s, at("2026-03-11", 0, 0)))
    # found today and still pending: listed, not yet late; the day after, late
    today = evaluate(db, periods.parse("2026-03"), d("2026-03-10"))
    assert [g.due for g in today.get("C-6a").gaps] == [False] and today.get("C-6a").status == "not_due"
    assert evaluate(db, periods.parse("2026-03"), d("2026-03-11")).get("C-6a").status == "not_met"


def test_a_serious_level2_report_is_due_by_the_end_of_the_next_day(db, admin):
    with db.session() as s:
        p = project(s, admin)
        h = level(s, admin, p.project, 2, at("2026-03-10", 15), is_serious=True)
        assert {r.due_at for r in hazards.pending_reports(s, h.id)} == {at("2026-03-11", 23, 59, 59)}
    march = periods.parse("2026-03")
    assert evaluate(db, march, d("2026-03-11")).get("C-6b").status == "not_due"  # still the day it is due
    assert evaluate(db, march, d("2026-03-12")).get("C-6b").status == "not_met"


# -- N-13 / C-4: the half-year's training ----------------------------------------------------------


def test_training_on_30_june_is_h1_and_on_1_july_is_h2(db, admin):
    with db.session() as s:
        june, july = project(s, admin), project(s, admin)
        a = training.record_session(s, admin, session_form("2026-06-30"), [training.Attendance(june.project, 12, 180)])
        b = training.record_session(s, admin, session_form("2026-07-01"), [training.Attendance(july.project, 12, 180)])
        assert training.half_year_status(s, june.project, H1).session_ids == (a.id,)
        assert training.half_year_status(s, june.project, H2).session_ids == ()
        assert training.half_year_status(s, july.project, H1).session_ids == ()
        assert training.half_year_status(s, july.project, H2).session_ids == (b.id,)
        assert obligations.untrained_in(s, H1, [june.project, july.project]) == [july.project]
        assert obligations.untrained_in(s, H2, [june.project, july.project]) == [june.project]


def test_the_half_years_last_day_is_still_in_time(db, admin):
    with db.session() as s:
        project(s, admin)
    on, after = evaluate(db, H1, d("2026-06-30")), evaluate(db, H1, d("2026-07-01"))
    for item in ("C-4a", "C-4b", "C-4c"):
        assert on.get(item).status == "not_due" and on.get(item).gaps and not on.get(item).due_gaps, item
        assert after.get(item).status == "not_met", item


def test_targeting_looks_back_six_months_to_the_day(db, admin):
    with db.session() as s:
        p = project(s, admin)
        level(s, admin, p.project, 3, at("2025-12-29"), category="施工用电")  # one day too old
        level(s, admin, p.project, 3, at("2025-12-30"), category="高处作业")  # exactly six months
        level(s, admin, p.project, 3, at("2026-06-30", 8), category="起重吊装")  # the session's own day
        assert training.hazard_categories(s, p.project, before=d("2026-06-30")) == ("起重吊装", "高处作业")


# -- the special service plan for high and medium projects (C-3b) ----------------------------------


def test_the_special_plans_last_day_is_still_in_time(db, admin):
    with db.session() as s:
        p = project(s, admin, excavation_depth_m="6")
        risk.assess(s, admin, p.project)
        for a in s.execute(select(RiskAssessment)).scalars():
            a.assessed_at = at("2026-01-10")
    # 15 days to sign the plan: 25 January is the last day
    assert evaluate(db, Q1, d("2026-01-25")).get("C-3b").status == "not_due"
    assert evaluate(db, Q1, d("2026-01-26")).get("C-3b").status == "not_met"


# -- 29 February in deadlines and records (2024, a leap year in the past) ---------------------------


def test_29_february_in_deadlines_reports_inspections_and_training(db, admin):
    leap_q1, leap_h1 = periods.parse("2024Q1"), periods.parse("2024H1")
    with db.session() as s:
        p = project(s, admin, service_contract_date=d("2024-01-05"), start_date=d("2024-01-10"))
        h1 = level(s, admin, p.project, 1, at("2024-02-29", 10))
        h2 = level(s, admin, p.project, 2, at("2024-02-28", 10))
        assert hazards.get(s, h1.id).deadline == d("2024-03-03")  # 3 days, through 29 February
        assert hazards.get(s, h2.id).deadline == d("2024-03-06")  # 7 days
        assert {r.due_at for r in hazards.pending_reports(s, h1.id)} == {at("2024-02-29", 23, 59, 59)}
        report(s, admin, h1.id, at("2024-03-01", 0, 0))  # the day after 29 February: late
        assert obligations.level1_not_reported_same_day(
            s, d("2024-02-01"), d("2024-02-29"), [p.project]) == {h1.id: ["insurer", "authority"]}
        full(s, admin, p.project, "2024-02-29")
        assert obligations.full_inspection_missing(s, leap_q1, [p.project]) == []
        t = training.record_session(s, admin, session_form("2024-02-29"), [training.Attendance(p.project, 12, 180)])
        assert training.half_year_status(s, p.project, leap_h1).session_ids == (t.id,)
    february = evaluate(db, periods.parse("2024-02"), d("2024-03-10"))
    assert february.get("C-6a").evidence[0].ids == (h1.id,)
    assert [g.ref_id for g in february.get("C-6a").due_gaps] == [h1.id]


def test_a_fatal_accident_binds_until_29_february(db, admin):
    with db.session() as s:
        p = project(s, admin, service_contract_date=d("2023-10-01"), start_date=d("2023-10-10"))
        s.add(Incident(project_id=p.project, kind="general_accident", occurred_on=d("2023-11-30"),
                       description="高处坠落", fatalities=1))
        s.flush()
        on = risk.compute(s, p.project, today=d("2024-02-29"))
        after = risk.compute(s, p.project, today=d("2024-03-01"))
    assert (on.level, on.valid_until, on.floor) == ("high", d("2024-02-29"), "high")
    assert "fatal_accident" not in {f.code for f in after.factors} and after.floor is None


# -- a project completed in the middle of a quarter ------------------------------------------------


def test_a_project_completed_mid_quarter_still_owes_that_quarter(db, admin):
    with db.session() as s:
        done = project(s, admin, status="completed", completion_date=d("2026-02-10"))
        running = project(s, admin)
        full(s, admin, running.project, "2026-02-20")
        # the dashboard's list is of projects still under construction
        assert obligations.projects_without_full_inspection(s, Q1) == []
    q1 = evaluate(db, Q1, d("2026-04-20"))
    assert set(q1.project_ids) == {done.project, running.project}
    assert gaps(q1, "C-2f", done.project) == [("2026年第一季度未开展全覆盖检查", True)]
    assert q1.get("C-2f").status == "not_met"
    q2 = evaluate(db, Q2, d("2026-07-20"))
    assert done.project not in q2.project_ids  # nothing is owed after completion


def test_completion_on_the_quarters_last_or_next_first_day(db, admin):
    with db.session() as s:
        on_31 = project(s, admin, status="completed", completion_date=d("2026-03-31"))
        on_1 = project(s, admin, status="completed", completion_date=d("2026-04-01"))
        on_1_done = project(s, admin, status="completed", completion_date=d("2026-04-01"))
        full(s, admin, on_1_done.project, "2026-04-01")  # inspected on its completion day
    q2 = evaluate(db, Q2, d("2026-07-20"))
    assert on_31.project not in q2.project_ids
    assert {on_1.project, on_1_done.project} <= set(q2.project_ids)
    # completed on the quarter's first day: waived as a contract signed on its last would be
    # (issue 14, tests/services/test_period_waiver.py)
    assert gaps(q2, "C-2f", on_1.project) == [("2026年第二季度未开展全覆盖检查", False)]
    assert gaps(q2, "C-2f", on_1_done.project) == []


def test_a_project_completed_mid_half_year_still_owes_that_half_years_training(db, admin):
    with db.session() as s:
        p = project(s, admin, status="completed", completion_date=d("2026-05-15"))
    h1 = evaluate(db, H1, d("2026-07-20"))
    assert p.project in h1.project_ids
    assert gaps(h1, "C-4a", p.project) == [("2026年上半年未开展集中安全教育培训", True)]
    assert p.project not in evaluate(db, H2, d("2026-07-20")).project_ids
