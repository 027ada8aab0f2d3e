"""One evaluation of each rule: the dashboard, the self-check and the periodic safety analysis,
asked about the same agency on the same day, give the same counts."""

from __future__ import annotations

import datetime as dt

from desktop.models import Policy, Project, RiskSource
from desktop.services import compliance, hazards, inspections, periods, risk_sources
from desktop.services.queries import dashboard, doc_data_periodic
from tests.factories import make_project, recorded_on

TODAY = dt.date(2026, 4, 20)
Q2 = periods.parse("2026Q2")


def _hazard(s, actor, pid, level, found, deadline, **kw):
    form = dict(project_id=pid, description=f"{level}级隐患", level=level, category="基坑工程",
                measures="按方案整改", contingency="设置警戒", found_at=dt.datetime.combine(found, dt.time(10)),
                deadline=deadline)
    if level == 1:
        form["stop_work"] = "partial"
    form.update(kw)
    return hazards.record(s, actor, hazards.HazardForm(**form))


def test_dashboard_self_check_and_safety_analysis_agree(db, admin):
    with db.session() as s:
        a = make_project(s, admin)  # contract 2026-01-05, no first identification
        b = make_project(s, admin)  # no contract date: counted from the policy start
        s.get(Project, b.project).service_contract_date = None
        assert s.get(Policy, b.policy).start_date == dt.date(2026, 1, 1)
        sources = [risk_sources.add(s, admin, a.project, risk_sources.SourceForm(name=n, level=lv))
                   for n, lv in (("深基坑开挖", 1), ("塔式起重机", 2), ("临边防护", 3))]
        mould = risk_sources.add(s, admin, b.project, risk_sources.SourceForm(name="高大模板", level=1))
        recorded_on(s, RiskSource, mould.id, dt.date(2026, 4, 5))  # entered in April, never verified
        full = inspections.record(s, admin, inspections.InspectionForm(
            project_id=a.project, kind="full_coverage", date=dt.date(2026, 4, 10),
            inspector_ids=(admin.user_id,)))
        inspections.verify_sources(s, admin, full.id, {sources[0].id: True, sources[1].id: False})
        # overdue and open: level 1 (carried over from Q1), level 2, level 3; in time: level 4
        _hazard(s, admin, a.project, 1, dt.date(2026, 3, 20), dt.date(2026, 3, 23))
        _hazard(s, admin, a.project, 2, dt.date(2026, 4, 2), dt.date(2026, 4, 9))
        _hazard(s, admin, b.project, 3, dt.date(2026, 4, 3), dt.date(2026, 4, 18))
        _hazard(s, admin, b.project, 4, dt.date(2026, 4, 15), dt.date(2026, 5, 15))

    with db.read() as s:
        board = dashboard.summary(s, dt.datetime.combine(TODAY, dt.time(9)))
        check = compliance.evaluate(s, period=Q2, scope_type="agency", scope_id=None, as_of=TODAY)
        stats = doc_data_periodic.period_stats(s, doc_data_periodic.scope_of(s, "agency", None), Q2,
                                               today=TODAY)

    overdue_gaps = [g for item in ("C-6a", "C-6b", "C-6c") for g in check.get(item).gaps
                    if "逾期未闭合" in g.missing]
    assert board.get("overdue").count == len(overdue_gaps) == stats.overdue == 3
    assert sorted(board.get("overdue").ids) == sorted(g.ref_id for g in overdue_gaps)
    assert check.get("C-6a").status == check.get("C-6b").status == "not_met"

    unverified = [g for g in check.get("C-2d").gaps]
    assert board.get("sources_unverified").count == len(unverified) == 2
    assert sorted(board.get("sources_unverified").ids) == sorted(g.ref_id for g in unverified)

    first = [g for g in check.get("C-2b").due_gaps if "首次风险识别" in g.missing]
    assert sorted(board.get("no_first_inspection").ids) == sorted(g.project_id for g in first) == sorted(
        [a.project, b.project])

    full = [g.project_id for g in check.get("C-2f").gaps]
    assert list(board.get("no_full_inspection").ids) == full == [b.project]
