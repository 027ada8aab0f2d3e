"""Visit frequency by risk level (N-12) on the project, the dashboard and the self-check; the
reassessment prompt when a risk factor changes, cleared by a new assessment."""

from __future__ import annotations

import datetime as dt

from desktop.services import (
    complaints,
    compliance,
    hazards,
    inspections,
    periods,
    project_facts,
    projects,
    risk,
    risk_watch,
)
from desktop.services.queries import dashboard
from tests.factories import make_project

TODAY = dt.date(2026, 4, 20)


def _visit(s, actor, pid, day):
    inspections.record(s, actor, inspections.InspectionForm(
        project_id=pid, kind="routine", date=day, inspector_ids=(actor.user_id,)))


def test_next_visit_by_level_and_last_inspection(db, users):
    admin, lead = users["admin"], users["tech_lead"]
    with db.session() as s:
        high = make_project(s, admin)
        low = make_project(s, admin)
        risk.override(s, lead, high.project, "high", reason="深基坑")
        risk.override(s, lead, low.project, "low", reason="装饰阶段")
        _visit(s, admin, high.project, dt.date(2026, 3, 1))
        _visit(s, admin, low.project, dt.date(2026, 3, 1))
    with db.read() as s:
        w = risk_watch.watch(s, high.project, today=TODAY)
        assert (w.visit.interval_days, w.visit.last_visit, w.visit.next_due) == (
            30, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
        assert w.visit.overdue and w.visit.days_overdue == 20
        assert not risk_watch.watch(s, low.project, today=TODAY).visit.overdue  # 180 days
        card = dashboard.summary(s, dt.datetime.combine(TODAY, dt.time(9))).get("visit_overdue")
        assert card.ids == (high.project,) and card.count == 1 and "频次" in card.basis
        result = compliance.evaluate(s, period=periods.parse("2026Q2"), scope_type="agency",
                                     scope_id=None, as_of=TODAY).get("C-3a")
    late = [g for g in result.gaps if "频次" in g.missing]
    assert [g.project_id for g in late] == [high.project]
    assert late[0].missing == "未按风险等级确定的频次到访（高风险，每 30 天；最近一次 2026-03-01，应于 2026-03-31 前）"
    assert result.status == "not_met"
    with db.session() as s:
        _visit(s, admin, high.project, dt.date(2026, 4, 15))
    with db.read() as s:
        assert risk_watch.visits_overdue(s, TODAY) == []
        result = compliance.evaluate(s, period=periods.parse("2026Q2"), scope_type="agency",
                                     scope_id=None, as_of=TODAY).get("C-3a")
    assert not [g for g in result.gaps if "频次" in g.missing]


def test_reassessment_prompted_by_each_risk_factor_and_cleared_by_an_assessment(db, users):
    admin, lead = users["admin"], users["tech_lead"]
    with db.session() as s:
        p = make_project(s, admin)
        item = projects.add_danger_item(s, admin, p.project, name="高大模板工程", is_super=True)
        risk.assess(s, lead, p.project)
    with db.read() as s:
        assert risk_watch.triggers(s) == {}
        assert not risk_watch.watch(s, p.project, today=TODAY).needs_reassessment

    def edit(s, version, **kw):
        return project_facts.update_danger_item(s, admin, item, project_facts.DangerEdit(
            name="高大模板工程", is_super=True, **kw), expected_version=version, today=TODAY)

    with db.session() as s:  # a 超危大 item starts
        v = edit(s, 1, status="in_progress", actual_start=dt.date(2026, 4, 1))
    with db.read() as s:
        [t] = risk_watch.triggers(s)[p.project]
        assert (t.kind, t.text, t.day) == ("super_danda", "超危大工程“高大模板工程”开始施工", dt.date(2026, 4, 1))
        card = dashboard.summary(s, dt.datetime.combine(TODAY, dt.time(9))).get("reassessment_due")
        assert card.ids == (p.project,)
    with db.session() as s:
        risk.assess(s, lead, p.project)
    with db.read() as s:
        assert risk_watch.triggers(s) == {}
    with db.session() as s:  # ... and ends
        edit(s, v, status="done", actual_start=dt.date(2026, 4, 1), actual_end=dt.date(2026, 4, 18))
    with db.read() as s:
        assert [t.text for t in risk_watch.triggers(s)[p.project]] == ["超危大工程“高大模板工程”施工完成"]
    with db.session() as s:
        risk.assess(s, lead, p.project)
        hazards.record(s, admin, hazards.HazardForm(
            project_id=p.project, description="模板支撑立杆悬空", level=1, category="模板工程",
            measures="立即加固", contingency="停止浇筑", stop_work="partial"))
        complaints.record_incident(s, admin, project_id=p.project, kind="general_accident",
                                   occurred_on=dt.date(2026, 4, 2), description="高处坠落一人受伤",
                                   injuries=1)
    with db.read() as s:
        kinds = sorted(t.kind for t in risk_watch.watch(s, p.project, today=TODAY).triggers)
    assert kinds == ["accident", "level1_hazard"]
    with db.session() as s:
        risk.override(s, lead, p.project, "high", reason="一级隐患、事故")
    with db.read() as s:
        assert risk_watch.triggers(s) == {}


def test_a_project_never_visited_is_due_by_the_first_identification_allowance(db, users):
    """No contract date recorded: counted from the policy start, as the first identification is."""
    from desktop.models import Project

    with db.session() as s:
        p = make_project(s, users["admin"])
        s.get(Project, p.project).service_contract_date = None
    with db.read() as s:
        v = risk_watch.watch(s, p.project, today=TODAY).visit
    assert (v.last_visit, v.next_due) == (None, dt.date(2026, 1, 16))
    assert v.overdue
