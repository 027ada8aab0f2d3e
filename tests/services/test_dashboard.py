"""Dashboard counts follow the data: each obligation appears, then disappears when met."""

from __future__ import annotations

import datetime as dt

from desktop import clock
from desktop.models import ArchiveItem, Document, RiskSource, TrainingAttendance, TrainingSession
from desktop.services import hazards, inspections, periods
from desktop.services.queries import dashboard
from tests.factories import make_project

MOMENT = clock.wall_now().replace(microsecond=0)
CLOCK_DAYS = ("MOMENT",)  # set again before each test (conftest): a run may cross midnight


def counts(db):
    with db.read() as s:
        return {i.key: i.count for i in dashboard.summary(s, MOMENT).items}


def test_counts_change_as_work_is_done(db, admin):
    with db.session() as s:
        p = make_project(s, admin)
        s.add(RiskSource(project_id=p.project, name="深基坑开挖", level=1))
        s.add(RiskSource(project_id=p.project, name="外脚手架", level=3))
    before = counts(db)
    # contract signed 2026-01-05, long past the 15-day allowance
    assert before["no_first_inspection"] == 1
    assert before["no_full_inspection"] == 1
    assert before["sources_unverified"] == 1
    assert before["training_due"] == 1
    assert before["unreported_l1"] == 0
    assert before["stop_work_unsigned"] == 0

    with db.session() as s:
        first = inspections.record(s, admin, inspections.InspectionForm(
            project_id=p.project, kind="first_identification", date=MOMENT.date(), inspector_ids=(admin.user_id,)))
        full = inspections.record(s, admin, inspections.InspectionForm(
            project_id=p.project, kind="full_coverage", date=MOMENT.date(), inspector_ids=(admin.user_id,)))
        todo = inspections.sources_to_verify(s, full.id)
        assert [t.name for t in todo] == ["深基坑开挖"]
        inspections.verify_sources(s, admin, full.id, {todo[0].risk_source_id: True})
        h = hazards.record(s, admin, hazards.HazardForm(
            project_id=p.project, inspection_id=first.id, description="基坑周边堆载超限", level=1,
            measures="立即卸载", contingency="停止坑边作业", stop_work="partial"))
        t = TrainingSession(date=MOMENT.date(), topic="基坑工程安全专题培训", centralized=True)
        s.add(t)
        s.flush()
        s.add(TrainingAttendance(session_id=t.id, project_id=p.project, managers=10, workers=150))
    after = counts(db)
    assert after["no_first_inspection"] == 0
    assert after["no_full_inspection"] == 0
    assert after["sources_unverified"] == 0
    assert after["training_due"] == 0
    assert after["unreported_l1"] == 1
    assert after["stop_work_unsigned"] == 1  # the level 1 has no signed stop-work letter yet

    with db.session() as s:
        for r in hazards.pending_reports(s, h.id):
            hazards.record_report(s, admin, r.id, channel="电话")
    assert counts(db)["unreported_l1"] == 0
    assert counts(db)["stop_work_unsigned"] == 1  # reported, but the letter is still unsigned
    with db.session() as s:
        s.add(Document(kind="stop_work", number="风控停工〔2026〕1号", title="停工建议书", scope_type="hazard",
                       scope_id=h.id, status="signed", signed_at=MOMENT))
    with db.read() as s:
        card = dashboard.summary(s, MOMENT).get("stop_work_unsigned")
    assert (card.count, card.ids, card.target, card.label) == (0, (), "hazards", "停工建议书待签发")


def test_archive_and_overdue(db, admin):
    with db.session() as s:
        p = make_project(s, admin)
        s.add(ArchiveItem(project_id=p.project, title="检查记录", filed_at=dt.date(2019, 1, 1),
                          retention_until=MOMENT.date() - dt.timedelta(days=1)))
        s.add(ArchiveItem(project_id=p.project, title="整改通知书", filed_at=dt.date(2025, 1, 1),
                          retention_until=MOMENT.date() + dt.timedelta(days=100)))
        hazards.record(s, admin, hazards.HazardForm(
            project_id=p.project, description="临边防护缺失", level=3, measures="设置防护",
            found_at=MOMENT - dt.timedelta(days=20), deadline=MOMENT.date() - dt.timedelta(days=2)))
    c = counts(db)
    assert c["archive_due"] == 1
    assert c["overdue"] == 1


def test_period_parsing_errors_are_chinese():
    import pytest

    with pytest.raises(ValueError, match="期间格式无效"):
        periods.parse("Q3-2026")
    with pytest.raises(ValueError, match="月份无效"):
        periods.parse("2026-13")
    assert periods.quarter_of(dt.date(2026, 11, 28)).label == "2026Q4"
