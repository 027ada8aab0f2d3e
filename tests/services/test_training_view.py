"""The training page's reads: sessions filtered in SQL, half-year rows, help and drills across
projects, attendance saved all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.services import training
from desktop.services.context import PermissionDenied, ValidationError
from desktop.services.queries import training_view
from desktop.services.queries.training_view import SessionFilter
from tests.factories import make_project


@pytest.fixture
def two(db, admin):
    with db.session() as s:
        first = make_project(s, admin, name="越城区安置房")
        second = make_project(s, admin, name="柯桥区学校", district="柯桥区")
        training.record_session(s, admin, training.SessionForm(
            dt.date(2026, 3, 10), "基坑工程安全专项培训", ("基坑工程",), trainer="王工", centralized=True),
            [training.Attendance(first.project, 6, 90), training.Attendance(second.project, 4, 30)])
        training.record_session(s, admin, training.SessionForm(
            dt.date(2026, 8, 2), "高处作业与临边防护_100%", ("高处坠落",), trainer="李工", location="项目部会议室"),
            [training.Attendance(second.project, 2, 20)])
    return first, second


def test_sessions_filtered_and_sorted_in_sql(db, two):
    first, second = two
    with db.read() as s:
        everything = training_view.session_ids(s, SessionFilter())
        assert len(everything) == 2
        rows = {r.topic: r for r in training_view.session_rows(s, everything)}
        joint = rows["基坑工程安全专项培训"]
        assert joint.managers == 10 and joint.workers == 120 and joint.centralized
        assert joint.projects.count("、") == 1 and "越城区安置房" in joint.projects
        assert training_view.session_ids(s, SessionFilter(project_id=first.project)) == [joint.id]
        h2 = training_view.halves(dt.date(2026, 11, 28))[0]
        assert h2.label == "2026H2"
        assert len(training_view.session_ids(s, SessionFilter(start=h2.start, end=h2.end))) == 1
        assert training_view.session_ids(s, SessionFilter(centralized_only=True)) == [joint.id]
        assert len(training_view.session_ids(s, SessionFilter(text="李工"))) == 1
        assert len(training_view.session_ids(s, SessionFilter(text="_100%"))) == 1  # LIKE escapes
        assert training_view.session_ids(s, SessionFilter(text="基坑%")) == []
        by_topic = training_view.session_ids(s, SessionFilter(), sort="topic", descending=False)
        assert [r.topic for r in training_view.session_rows(s, by_topic[:1])] == ["基坑工程安全专项培训"]
        assert training_view.session_rows(s, []) == []


def test_half_year_rows_follow_the_service(db, admin, two):
    first, second = two
    with db.read() as s:
        rows = training_view.half_year_rows(s, "2026H1")
        assert [r.id for r in rows] == [first.project, second.project]
        st = rows[0].status
        assert st.frequency_met and not st.coverage_met and st.managers_trained == 6
        assert rows[0].basis_label == "每半年集中培训"
        only = training_view.half_year_rows(s, "2026H2", project_id=second.project)
        assert [r.id for r in only] == [second.project] and not only[0].status.frequency_met
        assert training_view.plan_of(s, first.project) is None
    with db.session() as s:
        training.set_plan(s, admin, first.project, basis="contract", planned_sessions=3,
                          topics="每季度一次")
    with db.read() as s:
        plan = training_view.plan_of(s, first.project)
        assert plan.basis == "contract" and plan.planned_sessions == 3
        assert training_view.half_year_rows(s, "2026H1")[0].status.required_sessions == 3


def test_halves_newest_first():
    halves = training_view.halves(dt.date(2026, 3, 1), back=2)
    assert [p.label for p in halves] == ["2026H1", "2025H2", "2025H1"]


def test_attendance_saved_all_or_nothing(db, admin, users, two):
    first, second = two
    with db.read() as s:
        sid = training_view.session_ids(s, SessionFilter(project_id=first.project))[0]
    with db.session() as s:
        row = training_view.save_attendance(s, admin, sid, [
            training.Attendance(first.project, 12, 180),
            training.Attendance(second.project, 4, 35, "张三\n李四")])
        workers = {a.project_id: a.workers for a in row.attendance}
        assert workers == {first.project: 180, second.project: 35}
    with pytest.raises(ValidationError), db.session() as s:
        training_view.save_attendance(s, admin, sid, [
            training.Attendance(first.project, 1, 1), training.Attendance(second.project, 0, 0)])
    with db.read() as s:  # the first correction was rolled back with the refused second
        assert training.get_session(s, sid).attendance[0].managers == 12
    with pytest.raises(PermissionDenied), db.session() as s:
        training_view.save_attendance(s, users["reviewer"], sid,
                                      [training.Attendance(first.project, 1, 1)])


def test_drills_and_help_across_projects(db, admin, two):
    first, second = two
    with db.session() as s:
        training.record_assist(s, admin, first.project, kind="draft_provided",
                               date=dt.date(2026, 2, 1), title="综合应急预案")
        d1 = training.record_drill(s, admin, training.DrillForm(
            first.project, dt.date(2026, 4, 1), "基坑坍塌", location="基坑北侧", participants=40))
        training.record_drill(s, admin, training.DrillForm(
            second.project, dt.date(2026, 5, 1), "火灾"))
        training.evaluate_drill(s, admin, d1.id, evaluation="响应及时", rating="良",
                                expected_version=d1.version)
    with db.read() as s:
        assists = training_view.assist_rows(s)
        assert len(assists) == 1 and assists[0].project_name.startswith("越城区安置房")
        assert assists[0].kind_label == "协助编制应急预案"
        assert training_view.assist_rows(s, project_id=second.project) == []
        drills = training_view.drill_rows(s)
        assert [d.scenario for d in drills] == ["火灾", "基坑坍塌"]  # newest first
        assert drills[1].evaluated and drills[1].rating == "良" and drills[1].location == "基坑北侧"
        assert [d.id for d in training_view.drill_rows(s, ids=[d1.id])] == [d1.id]
        second_only = training_view.drill_rows(s, project_id=second.project)
        assert [d.scenario for d in second_only] == ["火灾"] and not second_only[0].evaluated
        choices = training_view.project_choices(s)
        assert [c.headcount_workers for c in choices] == [180, 180]
