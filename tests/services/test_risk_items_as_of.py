"""An assessment dated in the past reads the 危大 items as they stood that day (issue 14): an item
started on D is under way from D, a finished one until its end date and done after it; today,
the item's status says so."""

from __future__ import annotations

import datetime as dt

from desktop import clock
from desktop.models import DangerItem
from desktop.services import project_facts, projects, risk
from tests.factories import make_project

START, END = dt.date(2026, 3, 10), dt.date(2026, 5, 20)


def _edit(s, admin, item_id, status, start=None, end=None):
    row = s.get(DangerItem, item_id)
    project_facts.update_danger_item(s, admin, item_id, project_facts.DangerEdit(
        name=row.name, is_super=True, status=status, actual_start=start, actual_end=end),
        expected_version=row.version)


def _super(s, project_id, day):
    comp = risk.compute(s, project_id, today=day)
    return next((f for f in comp.factors if f.code == "super_danda_in_progress"), None)


def test_a_finished_item_counts_on_the_days_it_was_under_way_only(db, admin):
    with db.session() as s:
        p = make_project(s, admin)
        item = projects.add_danger_item(s, admin, p.project, name="高大模板支撑", is_super=True)
        _edit(s, admin, item, "in_progress", START)
        _edit(s, admin, item, "done", START, END)
        assert _super(s, p.project, START - dt.timedelta(days=1)) is None  # not started yet
        for day in (START, dt.date(2026, 4, 1), END):
            factor = _super(s, p.project, day)
            assert factor is not None and factor.ref_ids == (item,)
        assert _super(s, p.project, END + dt.timedelta(days=1)) is None  # done after its end date
        assert _super(s, p.project, clock.today()) is None  # done now
        assessed = risk.assess(s, admin, p.project, today=dt.date(2026, 4, 1))
        assert assessed.level == "high"


def test_an_item_under_way_now_did_not_count_before_its_start(db, admin):
    with db.session() as s:
        p = make_project(s, admin)
        item = projects.add_danger_item(s, admin, p.project, name="深基坑支护", is_super=True)
        _edit(s, admin, item, "in_progress", START)
        assert _super(s, p.project, dt.date(2026, 2, 1)) is None
        assert _super(s, p.project, START) is not None
        assert _super(s, p.project, clock.today()) is not None


def test_an_item_without_actual_dates_falls_back_to_its_status(db, admin):
    with db.session() as s:
        p = make_project(s, admin)
        projects.add_danger_item(s, admin, p.project, name="塔吊安装", is_super=True, status="in_progress")
        projects.add_danger_item(s, admin, p.project, name="塔吊拆除", is_super=True, status="planned")
        factor = _super(s, p.project, dt.date(2026, 2, 1))
        assert factor is not None and factor.detail == "塔吊安装"
