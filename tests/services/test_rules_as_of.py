"""A past period read as it stood then (issue 14 §8): a project's risk level for the special
service plan (C-3b) and the level-1/2 risk sources owing verification (N-04, C-2d) are taken as
they were at the period's end, not as they are now — the dashboard and the self-check alike."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from desktop import clock
from desktop.models import RiskAssessment, RiskSource
from desktop.services import compliance, inspections, obligations, periods, risk, risk_sources
from desktop.services.queries import dashboard
from tests.factories import make_project, recorded_on

Q1 = periods.parse("2026Q1")
AS_OF = dt.date(2026, 4, 20)


def check(s, item, *, period=Q1, as_of=AS_OF, scope=("agency", None)):
    result = compliance.evaluate(s, period=period, scope_type=scope[0], scope_id=scope[1], as_of=as_of)
    return result.get(item)


def test_sources_changed_later_still_count_for_q1_and_one_added_later_does_not(db, admin):
    with db.session() as s:
        p = make_project(s, admin)
        pit, crane, fence = (risk_sources.add(s, admin, p.project, risk_sources.SourceForm(name=n, level=lv))
                             for n, lv in (("深基坑开挖", 1), ("塔式起重机", 2), ("卸料平台", 2)))
        for source in (pit, crane, fence):
            recorded_on(s, RiskSource, source.id, dt.date(2026, 1, 12))
        full = inspections.record(s, admin, inspections.InspectionForm(
            project_id=p.project, kind="full_coverage", date=dt.date(2026, 3, 5), inspector_ids=(admin.user_id,)))
        inspections.verify_sources(s, admin, full.id, {pit.id: True})
        before = risk_sources.coverage(s, p.project, Q1)
        # later (today): the crane leaves the site, the platform is lowered, a new source is added
        risk_sources.deactivate(s, admin, crane.id, expected_version=crane.version, reason="塔吊已拆除")
        risk_sources.update(s, admin, fence.id, risk_sources.SourceForm(name="卸料平台", level=3),
                            expected_version=fence.version)
        late = risk_sources.add(s, admin, p.project, risk_sources.SourceForm(name="高大模板", level=1))
    with db.read() as s:
        after = risk_sources.coverage(s, p.project, Q1)
        assert (after.total, after.verified) == (before.total, before.verified) == (3, 1)
        assert {u.id for u in after.unverified} == {crane.id, fence.id}
        # the dashboard on Q1's last day and the self-check of Q1 name the same sources
        assert dashboard.unverified_sources(s, dt.date(2026, 3, 31)) == sorted([crane.id, fence.id])
        item = check(s, "C-2d")
        assert sorted(g.ref_id for g in item.gaps) == sorted([crane.id, fence.id])
        assert [e.count for e in item.evidence][:2] == [3, 1] and item.status == "not_met"
        # the current quarter reads today's register: crane and platform out, the new source in
        today = clock.today()
        now_cov = risk_sources.coverage(s, p.project, periods.quarter_of(today))
        assert {u.id for u in now_cov.unverified} == {pit.id, late.id} and now_cov.total == 2
        assert set(dashboard.unverified_sources(s, today)) == {pit.id, late.id}


def test_a_source_deactivated_then_brought_back_counts_as_it_was(db, admin):
    with db.session() as s:
        p = make_project(s, admin)
        pit = risk_sources.add(s, admin, p.project, risk_sources.SourceForm(name="深基坑开挖", level=1))
        recorded_on(s, RiskSource, pit.id, dt.date(2026, 1, 12))
        off = risk_sources.deactivate(s, admin, pit.id, expected_version=pit.version, reason="暂停施工")
        risk_sources.set_active(s, admin, pit.id, True, expected_version=off.version)
        # a source inactive at Q1's end (its later reactivation says so) is not owed for Q1
        other = risk_sources.add(s, admin, p.project, risk_sources.SourceForm(name="塔式起重机", level=2))
        recorded_on(s, RiskSource, other.id, dt.date(2026, 1, 12))
        row = s.get(RiskSource, other.id)
        row.active = False  # already off by Q1's end: only the reactivation is after it
        s.flush()
        risk_sources.set_active(s, admin, other.id, True, expected_version=row.version)
    with db.read() as s:
        assert [x for _, x, _ in sorted(obligations.sources_as_of(
            s, Q1.end, [p.project]))] == [pit.id]


def _level(s, actor, pid, level, when):
    row = risk.override(s, actor, pid, level, reason="按项目实际情况调整")
    if when is not None:
        s.get(RiskAssessment, row.id).assessed_at = when
    s.flush()


def test_special_plan_item_reads_each_projects_level_in_the_period(db, users):
    lead = users["tech_lead"]
    with db.session() as s:
        lowered = make_project(s, lead).project  # high in Q1, low now
        raised = make_project(s, lead).project   # low in Q1, high now
        _level(s, lead, lowered, "high", dt.datetime(2026, 2, 10, 9, 0))
        _level(s, lead, raised, "low", dt.datetime(2026, 2, 1, 9, 0))
        _level(s, lead, lowered, "low", None)
        _level(s, lead, raised, "high", None)
    with db.read() as s:
        assert risk.levels_on(s, Q1.end, [lowered, raised]) == {lowered: "high", raised: "low"}
        assert risk.levels_on(s, dt.date(2026, 2, 5), [lowered, raised]) == {lowered: None, raised: "low"}
        q1 = check(s, "C-3b")
        assert [g.project_id for g in q1.gaps] == [lowered] and q1.status == "not_met"
        assert q1.gaps[0].since == dt.date(2026, 2, 10) and q1.evidence[0].count == 1
        assert q1.gaps[0].missing == "高风险项目未制定并签发专项服务方案"
        levels = {e.label: e.count for e in check(s, "C-3a").evidence}
        assert (levels["高风险项目"], levels["低风险项目"]) == (1, 1)
        gaps = risk.special_plan_missing(s, project_ids=[lowered, raised], upto=Q1.end)
        assert [(g.project_id, g.level) for g in gaps] == [(lowered, "high")]
        today = clock.today()
        current = check(s, "C-3b", period=periods.quarter_of(today), as_of=today)
        assert [g.project_id for g in current.gaps] == [raised]
        assert [g.project_id for g in risk.special_plan_missing(s, project_ids=[lowered, raised])] == [raised]
        assert s.execute(select(RiskAssessment.id)).scalars().all()  # the history itself is kept
