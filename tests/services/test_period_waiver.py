"""The period waiver (issue 14 §13): a service too short inside a quarter or half-year owes
that period's duty no more than a contract signed late in it — the same allowance (the N-02
first-identification days, 15) at both edges, for the quarter's full-coverage inspection (C-2f)
and for the half-year's training items (C-4a/b/c). The leap day in retention is in
test_archive and below."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.services import archive, periods
from desktop.services.periods import owed_in
from tests.services.test_rule_boundaries import H1, H2, Q1, Q2, d, evaluate, gaps, project

FULL_Q1, FULL_Q2 = "2026年第一季度未开展全覆盖检查", "2026年第二季度未开展全覆盖检查"
TRAINING_H1, TRAINING_H2 = "2026年上半年未开展集中安全教育培训", "2026年下半年未开展集中安全教育培训"


@pytest.mark.parametrize(("started", "completed", "owed"), [
    (None, None, True),
    ("2026-03-16", None, True),    # + 15 days = 31 March: still inside Q1
    ("2026-03-17", None, False),   # + 15 days = 1 April: the first identification covers Q1
    (None, "2026-01-15", False),   # completed before Q1's 1 January + 15 days
    (None, "2026-01-16", True),    # completed on day 16: Q1 owed
    ("2026-01-05", "2026-02-10", True),   # completed mid-quarter: owed
])
def test_owed_in_a_quarter_both_edges(started, completed, owed):
    assert owed_in(Q1, started and d(started), completed and d(completed), 15) is owed


def test_the_half_year_uses_the_same_allowance():
    assert owed_in(H1, d("2026-06-15"), None, 15) is True
    assert owed_in(H1, d("2026-06-16"), None, 15) is False
    assert owed_in(H2, None, d("2026-07-15"), 15) is False
    assert owed_in(H2, None, d("2026-07-16"), 15) is True
    leap = periods.parse("2024Q1")  # 29 February is inside, the allowance counts it
    assert owed_in(leap, d("2024-03-16"), None, 15) is True and owed_in(leap, d("2024-03-17"), None, 15) is False


def test_a_project_completed_early_in_a_quarter_is_waived_like_a_late_contract(db, admin):
    with db.session() as s:
        early = project(s, admin, status="completed", completion_date=d("2026-04-15"))
        later = project(s, admin, status="completed", completion_date=d("2026-04-16"))
        late_contract = project(s, admin, service_contract_date=d("2026-06-17"), start_date=d("2026-06-20"))
    q2 = evaluate(db, Q2, d("2026-07-20"))
    assert gaps(q2, "C-2f", early.project) == [(FULL_Q2, False)]
    assert gaps(q2, "C-2f", later.project) == [(FULL_Q2, True)]
    assert gaps(q2, "C-2f", late_contract.project) == [(FULL_Q2, False)]


def test_the_half_year_training_rule_applies_the_same_waiver(db, admin):
    with db.session() as s:
        late_contract = project(s, admin, service_contract_date=d("2026-06-20"), start_date=d("2026-06-25"))
        early = project(s, admin, status="completed", completion_date=d("2026-07-10"))
        mid = project(s, admin, status="completed", completion_date=d("2026-09-10"))
    h1 = evaluate(db, H1, d("2026-07-20"))
    assert gaps(h1, "C-4a", late_contract.project) == [(TRAINING_H1, False)]
    h2 = evaluate(db, H2, d("2027-01-20"))
    assert gaps(h2, "C-4a", early.project) == [(TRAINING_H2, False)]
    assert gaps(h2, "C-4a", mid.project) == [(TRAINING_H2, True)]
    # the coverage and targeting items of the same half-year follow the frequency item
    for item in ("C-4b", "C-4c"):
        assert {due for _, due in gaps(h2, item, early.project)} <= {False}
        assert True in {due for _, due in gaps(h2, item, mid.project)}
    assert h2.get("C-4a").status == "not_met"  # the mid-half project still owes its training


def test_a_waived_project_alone_leaves_the_quarter_met(db, admin):
    with db.session() as s:
        late = project(s, admin, service_contract_date=d("2026-03-20"), start_date=d("2026-03-25"))
    q1 = evaluate(db, Q1, d("2026-04-20"))
    assert gaps(q1, "C-2f", late.project) == [(FULL_Q1, False)]
    assert q1.get("C-2f").status == "met"


@pytest.mark.parametrize(("completion", "years", "until"), [
    ("2024-02-29", 5, "2029-03-01"),   # no 29 February in 2029: the day after 28 February
    ("2024-02-29", 4, "2028-02-29"),   # a leap year again: the same date
    ("2024-02-28", 5, "2029-02-28"),
    ("2023-03-01", 5, "2028-03-01"),
])
def test_retention_at_least_five_years_from_the_leap_day(completion, years, until):
    assert archive.retention_until(dt.date.fromisoformat(completion), years) == dt.date.fromisoformat(until)


# -- risk sources count for a quarter only if they existed during it (issue 14 §8, the date side)


def test_a_source_added_in_q3_does_not_change_q1s_verdict(db, admin):
    from desktop.models import RiskSource
    from desktop.services import inspections, risk_sources
    from tests.factories import recorded_on
    from tests.services.test_rule_boundaries import full

    with db.session() as s:
        p = project(s, admin)
        early = risk_sources.add(s, admin, p.project, risk_sources.SourceForm(name="深基坑开挖", level=1))
        recorded_on(s, RiskSource, early.id, d("2026-01-12"))
        inspection = full(s, admin, p.project, "2026-02-10")
        inspections.verify_sources(s, admin, inspection.id, {early.id: True})
    before = evaluate(db, Q1, d("2026-04-20"))
    with db.session() as s:
        later = risk_sources.add(s, admin, p.project, risk_sources.SourceForm(name="塔吊安拆", level=2))
        recorded_on(s, RiskSource, later.id, d("2026-07-15"))
        on_q1_last_day = risk_sources.add(s, admin, p.project, risk_sources.SourceForm(name="高支模", level=2))
        recorded_on(s, RiskSource, on_q1_last_day.id, d("2026-03-31"))
    after = evaluate(db, Q1, d("2026-04-20"))
    assert before.get("C-2d").status == "met"
    # the source recorded in Q3 is not Q1's; the one recorded on 31 March (China time) is
    assert gaps(after, "C-2d", p.project) == [("2026年第一季度二级风险源“高支模”未在全覆盖检查中核查", True)]
    with db.session() as s:
        assert risk_sources.coverage(s, p.project, Q1).total == 2
        assert risk_sources.coverage(s, p.project, periods.parse("2026Q3")).total == 3


def test_a_source_checked_in_a_quarter_existed_in_it_whenever_it_was_typed_in(db, admin):
    from desktop.models import RiskSource
    from desktop.services import inspections, risk_sources
    from tests.factories import recorded_on
    from tests.services.test_rule_boundaries import full

    with db.session() as s:
        p = project(s, admin)
        source = risk_sources.add(s, admin, p.project, risk_sources.SourceForm(name="深基坑开挖", level=1))
        recorded_on(s, RiskSource, source.id, d("2026-07-15"))  # typed in late, from paper records
        inspection = full(s, admin, p.project, "2026-02-10")
        inspections.verify_sources(s, admin, inspection.id, {source.id: True})
        assert risk_sources.coverage(s, p.project, Q1).verified == 1


def test_a_waived_gap_is_marked_as_not_counted_not_as_not_yet_due(db, admin):
    with db.session() as s:
        late = project(s, admin, service_contract_date=d("2026-03-20"), start_date=d("2026-03-25"))
        on_time = project(s, admin, service_contract_date=d("2026-01-05"), start_date=d("2026-01-10"))
    during = evaluate(db, Q1, d("2026-03-28"))  # the quarter not over: both not yet due
    assert during.get("C-2f").status == "not_due"
    assert {g.project_id: (g.due, g.waived) for g in during.get("C-2f").gaps} == {
        late.project: (False, False), on_time.project: (False, False)}
    after = evaluate(db, Q1, d("2026-04-20"))
    assert {g.project_id: (g.due, g.waived) for g in after.get("C-2f").gaps} == {
        late.project: (False, True), on_time.project: (True, False)}
    assert after.get("C-2f").status == "not_met"
    from desktop.services.checklist_items import summary_text
    text = summary_text(after, max_gaps=10)
    waived = [line for line in text.splitlines() if "未开展全覆盖检查" in line and "2026-03-20" in line]
    assert waived and all(line.endswith("［本期不计］") for line in waived), waived
