"""Project risk level (N-12): each factor, the highest wins, overrides need a reason, history, lists, visits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from desktop.models import AuditEntry, DangerItem, Incident, Inspection, Project, ServicePlan
from desktop.services import hazards, projects, risk, rules
from desktop.services.context import PermissionDenied, ValidationError
from tests.factories import make_project

TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def proj(db, admin):
    with db.session() as s:
        return make_project(s, admin)


def set_depth(s, project_id, depth):
    s.get(Project, project_id).excavation_depth_m = Decimal(str(depth))


def codes(comp):
    return {f.code: f.level for f in comp.factors}


def test_excavation_depth_thresholds(db, proj):
    for depth, level, code in ((6.5, "high", "deep_excavation"), (5, "high", "deep_excavation"),
                               (4, "medium", "excavation"), (2.5, "low", "shallow_excavation")):
        with db.session() as s:
            set_depth(s, proj.project, depth)
            comp = risk.compute(s, proj.project, today=TODAY)
        assert comp.level == level
        assert code in codes(comp)


def test_no_factor_is_low_with_a_stated_reason(db, proj):
    with db.read() as s:
        comp = risk.compute(s, proj.project, today=TODAY)
    assert comp.level == "low"
    assert [f.code for f in comp.factors] == ["baseline"]


def test_danda_and_super_danda_in_progress(db, admin, proj):
    with db.session() as s:
        set_depth(s, proj.project, 2)
        projects.add_danger_item(s, admin, proj.project, name="落地式脚手架", status="in_progress")
        comp = risk.compute(s, proj.project, today=TODAY)
        assert comp.level == "medium"  # at least medium even with a shallow pit
        assert codes(comp)["shallow_excavation"] == "low"
        projects.add_danger_item(s, admin, proj.project, name="高大模板支撑", is_super=True,
                                 status="in_progress")
        projects.add_danger_item(s, admin, proj.project, name="塔吊拆除", is_super=True, status="planned")
        comp = risk.compute(s, proj.project, today=TODAY)
    assert comp.level == "high"
    factor = next(f for f in comp.factors if f.code == "super_danda_in_progress")
    assert factor.detail == "高大模板支撑" and len(factor.ref_ids) == 1


def test_open_level1_hazard_makes_high_until_closed(db, admin, proj):
    with db.session() as s:
        h = hazards.record(s, admin, hazards.HazardForm(
            project_id=proj.project, description="深基坑支护变形超预警值", level=1, measures="停止开挖，回填反压",
            contingency="撤离坑内人员", stop_work="partial"))
        comp = risk.compute(s, proj.project)
        assert comp.level == "high"
        assert codes(comp)["open_level1_hazard"] == "high"
        hazards.cancel(s, admin, h.id, expected_version=h.version, reason="误登记")
        assert risk.compute(s, proj.project).level == "low"


def test_fatal_accident_high_for_three_months_and_override_floor(db, admin, proj):
    with db.session() as s:
        s.add(Incident(project_id=proj.project, kind="general_accident", occurred_on=dt.date(2026, 3, 31),
                       description="高处坠落", fatalities=1))
        comp = risk.compute(s, proj.project, today=dt.date(2026, 5, 1))
        assert comp.level == "high" and comp.valid_until == dt.date(2026, 6, 30)
        assert comp.floor == "high"
        with pytest.raises(ValidationError) as info:
            risk.override(s, admin, proj.project, "low", reason="整改到位", today=dt.date(2026, 5, 1))
        assert "level" in info.value.fields
        row = risk.assess(s, admin, proj.project, today=dt.date(2026, 5, 1))
        assert row.valid_until == dt.date(2026, 6, 30)
        # after the three months a fatal accident no longer binds; a recent one would be medium
        assert risk.compute(s, proj.project, today=dt.date(2026, 7, 1)).level == "low"


def test_non_fatal_recent_accident_is_medium(db, proj):
    with db.session() as s:
        s.add(Incident(project_id=proj.project, kind="general_accident", occurred_on=dt.date(2026, 5, 20),
                       description="物体打击，1 人轻伤", injuries=1))
        assert risk.compute(s, proj.project, today=TODAY).level == "medium"
        assert risk.compute(s, proj.project, today=dt.date(2026, 9, 1)).level == "low"


def test_hazard_density_scales_with_floor_area(db, admin, proj):
    with db.session() as s:
        rules.set_value(s, admin, "risk.grading", {"open_hazards_per_10k_m2": {"high": 4, "medium": 2}})
        for n in range(4):
            hazards.record(s, admin, hazards.HazardForm(
                project_id=proj.project, description=f"临边防护缺失{n}", level=3, measures="补设防护"))
        assert risk.compute(s, proj.project).level == "high"
        s.get(Project, proj.project).floor_area_m2 = Decimal("30000")  # thresholds ×3: 12 / 6
        assert risk.compute(s, proj.project).level == "low"
        s.get(Project, proj.project).floor_area_m2 = Decimal("15000")  # ×1.5: 6 / 3
        comp = risk.compute(s, proj.project)
    assert comp.level == "medium" and codes(comp)["hazard_density"] == "medium"


def test_assess_stores_and_keeps_project_level_equal_to_latest(db, admin, users, proj):
    with db.session() as s:
        set_depth(s, proj.project, 6)
        row = risk.assess(s, admin, proj.project, reason="开工评定", today=TODAY)
        assert row.level == "high" and not row.is_override and row.reason == "开工评定"
        assert s.get(Project, proj.project).risk_level == "high"
    with db.session() as s:
        with pytest.raises(PermissionDenied):
            risk.assess(s, users["inspector"], proj.project)
        with pytest.raises(ValidationError) as info:
            risk.override(s, users["tech_lead"], proj.project, "medium", reason="  ")
        assert "reason" in info.value.fields
        risk.override(s, users["tech_lead"], proj.project, "medium", reason="基坑已回填，深基坑阶段结束")
        assert s.get(Project, proj.project).risk_level == "medium"
    with db.read() as s:
        hist = risk.history(s, proj.project)
        assert [(h.level, h.is_override) for h in hist] == [("medium", True), ("high", False)]
        assert hist[0].assessed_by == users["tech_lead"].display_name
        assert hist[0].computed_level == "high"
        assert hist[0].reason == "基坑已回填，深基坑阶段结束"
        assert any(f.code == "deep_excavation" for f in hist[1].factors)
        assert risk.current(s, proj.project).id == hist[0].id
        notes = s.execute(select(AuditEntry.note).where(AuditEntry.action == "risk_level")).scalars().all()
        assert notes == ["开工评定", "基坑已回填，深基坑阶段结束"]


def test_level_lists_per_insurer_and_authority(db, admin):
    with db.session() as s:
        a = make_project(s, admin, district="柯桥区")
        b = make_project(s, admin, district="越城区")
        c = make_project(s, admin, district="越城区")
        set_depth(s, a.project, 7)
        risk.assess(s, admin, a.project)
        risk.assess(s, admin, b.project)
    with db.read() as s:
        lists = risk.level_lists(s, insurer_id=a.insurer)
        assert [r.project_id for r in lists.high] == [a.project]
        assert [r.project_id for r in lists.low] == [b.project]
        assert [r.project_id for r in lists.unassessed] == [c.project]
        by_auth = risk.level_lists(s, authority_id=b.authority)
        assert {r.project_id for r in by_auth.low + by_auth.unassessed} == {b.project, c.project}
        assert by_auth.high == ()


def test_visit_schedule_by_level_and_special_plan(db, admin):
    with db.session() as s:
        hi = make_project(s, admin)
        lo = make_project(s, admin)
        new = make_project(s, admin)
        set_depth(s, hi.project, 8)
        risk.assess(s, admin, hi.project)
        risk.assess(s, admin, lo.project)
        for p in (hi.project, lo.project):
            s.add(Inspection(project_id=p, kind="routine", date=dt.date(2026, 5, 1)))
        s.add(Inspection(project_id=lo.project, kind="routine", date=dt.date(2026, 6, 20), deleted_at=dt.datetime(2026, 6, 21)))
    with db.read() as s:
        sched = {v.project_id: v for v in risk.visit_schedule(s, today=TODAY)}
        assert sched[hi.project].interval_days == 30 and sched[hi.project].next_due == dt.date(2026, 5, 31)
        assert sched[hi.project].overdue and sched[hi.project].days_overdue == 15
        assert sched[lo.project].interval_days == 180 and not sched[lo.project].overdue
        # never visited: due by the first-identification allowance after the contract (2026-01-05 + 15)
        assert sched[new.project].last_visit is None
        assert sched[new.project].next_due == dt.date(2026, 1, 20)
        assert sched[new.project].interval_days == 30  # not yet assessed: the strictest interval
        assert [v.project_id for v in risk.visit_schedule(s, today=TODAY, overdue_only=True)] == [
            new.project, hi.project]
        assert [g.project_id for g in risk.special_plan_missing(s)] == [hi.project]
    with db.session() as s:
        s.add(ServicePlan(project_id=hi.project, kind="special", title="高风险项目专项服务方案",
                          status="signed", visit_interval_days=14))
    with db.read() as s:
        assert risk.special_plan_missing(s) == []
        v = next(v for v in risk.visit_schedule(s, today=TODAY) if v.project_id == hi.project)
        assert v.from_plan and v.interval_days == 14


def test_needs_reassessment(db, admin, proj):
    with db.session() as s:
        risk.assess(s, admin, proj.project, today=TODAY)
        assert risk.needs_reassessment(s, today=TODAY) == []
        s.add(DangerItem(project_id=proj.project, name="深基坑工程", is_super=True, status="in_progress"))
        s.flush()
        [(row, comp)] = risk.needs_reassessment(s, today=TODAY)
        assert row.level == "low" and comp.level == "high"
