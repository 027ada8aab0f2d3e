"""The demo's risk assessments are dated as a real year leaves them — one at the first
identification, then one inside each later quarter of service — so a past quarter's self-check
reads the level each project had then, not today's."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from desktop import clock
from desktop.models import Project, RiskAssessment
from desktop.services import compliance, obligations, periods, risk
from tests.services.test_demo import _generate


@pytest.mark.slow
def test_demo_assessments_fall_inside_the_quarters_they_belong_to(tmp_path):
    db, _config, _summary = _generate(tmp_path, projects=6, seed=11)
    today = clock.today()
    last_quarter = periods.quarter_of(periods.quarter_of(today).start - dt.timedelta(days=1))
    with db.read() as s:
        rows = s.execute(select(RiskAssessment.project_id, RiskAssessment.assessed_at, RiskAssessment.level)
                         .order_by(RiskAssessment.assessed_at)).all()
        levels = dict(s.execute(select(Project.id, Project.risk_level)).all())
        served = obligations.projects_in_service(s, last_quarter.start, last_quarter.end, list(levels))
        by_project: dict[int, list[tuple[dt.datetime, str]]] = {}
        for pid, at, level in rows:
            by_project.setdefault(pid, []).append((at, level))
        assert len(rows) > len(by_project)  # more than one assessment a project, as a year leaves
        assert all(at.date() < today for _, at, _ in rows)  # none made "today" in bulk
        for pid, seen in by_project.items():
            quarters = [periods.quarter_of(at.date()).label for at, _ in seen]
            assert len(quarters) == len(set(quarters)), quarters  # one a quarter
            first = periods.quarter_of(seen[0][0].date())
            q = first
            while q.end < seen[-1][0].date():  # no quarter of service skipped between them
                assert q.label in quarters
                q = periods.quarter_of(q.end + dt.timedelta(days=1))
            assert seen[-1][1] == levels[pid]  # the latest is the level now
        then = risk.levels_on(s, last_quarter.end, served)
        assessed_then = {pid for pid in served if then[pid] is not None}
        assert assessed_then, "projects served last quarter had been assessed by its end"
        result = compliance.evaluate(s, period=last_quarter, scope_type="agency", scope_id=None, as_of=today)
        c3a = result.get("C-3a")
        counts = {e.label: e.count for e in c3a.evidence}
        assert counts["高风险项目"] + counts["中风险项目"] + counts["低风险项目"] == len(assessed_then)
        c3b = result.get("C-3b")
        raised_then = {pid for pid in served if then[pid] in ("high", "medium")}
        assert c3b.evidence[0].count == len(raised_then)
    db.dispose()


@pytest.mark.slow
def test_demo_danger_items_carry_the_dates_their_status_needs(tmp_path):
    """Every 危大 item the demo leaves under way or finished has the actual dates the page's
    own rules ask for, so a past day reads it as it stood then (started later: not yet)."""
    from desktop.models import DangerItem
    from desktop.services import project_facts

    db, _config, _summary = _generate(tmp_path, projects=4, seed=5)
    today = clock.today()
    with db.read() as s:
        items = list(s.execute(select(DangerItem).where(DangerItem.deleted_at.is_(None))).scalars())
        assert {i.status for i in items} >= {"in_progress", "planned"}
        for i in items:  # accepted by the same check as an edit in the window
            project_facts.check_danger(project_facts.DangerEdit(
                name=i.name, is_super=i.is_super, status=i.status, planned_start=i.planned_start,
                planned_end=i.planned_end, actual_start=i.actual_start, actual_end=i.actual_end,
                parameters=i.parameters), today=today)
        started = next(i for i in items if i.actual_start is not None and i.actual_start > dt.date(2000, 1, 2))
        before = started.actual_start - dt.timedelta(days=1)
        assert started.id not in {r.id for r in risk.danger_items_on(s, started.project_id, before)}
        assert started.id in {r.id for r in risk.danger_items_on(s, started.project_id, started.actual_start)}
