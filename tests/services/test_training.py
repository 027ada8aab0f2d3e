"""Training (N-13): plans, sessions, coverage against headcount, the half-year rule, targeting; drills (N-14)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from desktop.models import AuditEntry, Hazard
from desktop.services import hazards, periods, training
from desktop.services.context import PermissionDenied, ValidationError
from tests.factories import make_project

H1 = periods.parse("2026H1")


@pytest.fixture
def proj(db, admin):
    with db.session() as s:
        return make_project(s, admin)  # 12 managers, 180 workers


def session_form(day, **kw):
    base = dict(date=day, topic="基坑工程安全专项培训", categories=("基坑工程",), trainer="王工",
                centralized=True)
    base.update(kw)
    return training.SessionForm(**base)


def add_hazard(s, admin, project_id, category, found):
    h = hazards.record(s, admin, hazards.HazardForm(
        project_id=project_id, description=f"{category}隐患", level=3, category=category, measures="整改",
        found_at=dt.datetime.combine(found, dt.time(10))))
    return h


def test_session_validation_and_permission(db, admin, users, proj):
    with db.session() as s:
        with pytest.raises(ValidationError) as info:
            training.record_session(s, admin, session_form(dt.date(2026, 3, 1), topic=" ", duration_hours="abc"), [])
        assert set(info.value.fields) == {"topic", "duration_hours", "attendance"}
        with pytest.raises(ValidationError, match="管理人员或作业人员"):
            training.record_session(s, admin, session_form(dt.date(2026, 3, 1)),
                                    [training.Attendance(proj.project, 0, 0)])
        with pytest.raises(PermissionDenied):
            training.record_session(s, users["reviewer"], session_form(dt.date(2026, 3, 1)),
                                    [training.Attendance(proj.project, 5, 50)])
        row = training.record_session(s, users["clerk"], session_form(
            dt.date(2026, 3, 1), categories=("基坑工程", "基坑工程", "高处作业")),
            [training.Attendance(proj.project, 5, 50, "张三\n李四")])
        assert row.categories == ("基坑工程", "高处作业")
        assert row.attendance == (training.Attendance(proj.project, 5, 50, "张三\n李四"),)
        assert s.execute(select(AuditEntry.entity).where(AuditEntry.entity == "training_sessions")).scalar()


def test_half_year_rule_coverage_and_correction(db, admin, proj):
    with db.session() as s:
        st = training.half_year_status(s, proj.project, "2026H1")
        assert not st.frequency_met and not st.coverage_met and st.session_ids == ()
        t = training.record_session(s, admin, session_form(dt.date(2026, 3, 10), centralized=False),
                                    [training.Attendance(proj.project, 12, 100)])
        st = training.half_year_status(s, proj.project, H1)
        assert not st.frequency_met  # the half-year rule asks for a centralized session
        training.record_session(s, admin, session_form(dt.date(2026, 5, 10)),
                                [training.Attendance(proj.project, 3, 60)])
        st = training.half_year_status(s, proj.project, H1)
        assert st.frequency_met and st.centralized_sessions == 1
        # counts without a roster are at least that many people, never added up across sessions
        assert (st.managers_trained, st.workers_trained) == (12, 100)
        assert (st.manager_attendances, st.worker_attendances) == (15, 160)
        assert not st.coverage_met and st.percent("workers") == pytest.approx(55.6)
        assert st.percent("managers") == 100.0
        training.set_attendance(s, admin, t.id, training.Attendance(proj.project, 12, 180))
        st = training.half_year_status(s, proj.project, H1)
        assert st.coverage_met and st.workers_trained == 180
        # the second half-year starts from nothing
        assert training.half_year_status(s, proj.project, "2026H2").session_ids == ()
        with pytest.raises(ValidationError):
            training.half_year_status(s, proj.project, "2026Q1")


def test_contract_basis_counts_sessions_per_half_year(db, admin, proj):
    with db.session() as s:
        plan = training.set_plan(s, admin, proj.project, basis="contract", planned_sessions=3, topics="法规、标准")
        assert plan.basis == "contract"
        for day in (dt.date(2026, 2, 1), dt.date(2026, 4, 1)):
            training.record_session(s, admin, session_form(day), [training.Attendance(proj.project, 12, 180)])
        st = training.half_year_status(s, proj.project, H1)
        assert st.required_sessions == 3 and not st.frequency_met
        training.set_plan(s, admin, proj.project, basis="contract", planned_sessions=2)
        assert training.half_year_status(s, proj.project, H1).frequency_met
        with pytest.raises(ValidationError):
            training.set_plan(s, admin, proj.project, basis="weekly", planned_sessions=0)


def test_targeted_means_categories_found_in_previous_six_months(db, admin, proj):
    with db.session() as s:
        add_hazard(s, admin, proj.project, "高处作业", dt.date(2026, 1, 20))
        add_hazard(s, admin, proj.project, "施工用电", dt.date(2025, 6, 1))  # too old for a 2026-03 session
        assert training.hazard_categories(s, proj.project, before=dt.date(2026, 3, 1)) == ("高处作业",)
        training.record_session(s, admin, session_form(dt.date(2026, 3, 1), categories=("施工用电",)),
                                [training.Attendance(proj.project, 12, 180)])
        st = training.half_year_status(s, proj.project, H1)
        assert not st.targeted and "高处作业" in st.hazard_categories
        hit = training.record_session(s, admin, session_form(dt.date(2026, 4, 2), categories=("高处作业安全",)),
                                      [training.Attendance(proj.project, 1, 1)])
        st = training.half_year_status(s, proj.project, H1)
        assert st.targeted_session_ids == (hit.id,)


def test_targeted_is_per_project(db, admin):
    with db.session() as s:
        a, b = make_project(s, admin), make_project(s, admin)
        add_hazard(s, admin, a.project, "起重吊装", dt.date(2026, 2, 1))
        add_hazard(s, admin, b.project, "模板支撑", dt.date(2026, 2, 1))
        training.record_session(s, admin, session_form(dt.date(2026, 3, 1), categories=("起重吊装",)),
                                [training.Attendance(a.project, 12, 180), training.Attendance(b.project, 12, 180)])
        assert training.half_year_status(s, a.project, H1).targeted
        assert not training.half_year_status(s, b.project, H1).targeted


def test_statuses_of_many_projects_are_each_alone_in_a_fixed_number_of_statements(db, admin):
    """The self-check asks every project's half-year at once: the same answers as one project
    at a time, and no statement per project or per session."""
    from tests.sql_count import statements

    with db.session() as s:
        a, b, c = (make_project(s, admin) for _ in range(3))
        add_hazard(s, admin, a.project, "起重吊装", dt.date(2026, 2, 1))
        add_hazard(s, admin, a.project, "施工用电", dt.date(2025, 9, 1))  # in the half's look-back only
        add_hazard(s, admin, b.project, "模板支撑", dt.date(2026, 2, 1))  # 起重吊装 is not for b
        training.record_session(s, admin, session_form(dt.date(2026, 3, 1), categories=("起重吊装",)),
                                [training.Attendance(a.project, 12, 180), training.Attendance(b.project, 2, 20)])
        training.record_session(s, admin, session_form(dt.date(2026, 5, 1), categories=("模板",)),
                                [training.Attendance(b.project, 12, 180)])
    with db.read() as s:
        alone = {p: training.half_year_status(s, p, H1) for p in (a.project, b.project, c.project)}
    with db.read() as s, statements(db) as one:
        training.half_year_statuses(s, H1, [a.project])
    with db.read() as s, statements(db) as three:
        together = training.half_year_statuses(s, H1, [a.project, b.project, c.project])
    assert together == alone
    assert alone[a.project].hazard_categories == ("施工用电", "起重吊装") and alone[a.project].targeted
    assert len(alone[b.project].targeted_session_ids) == 1  # the May session (模板), not March's
    assert not alone[c.project].session_ids
    assert len(three) == len(one)


def test_deleted_session_no_longer_counts(db, admin, proj):
    with db.session() as s:
        t = training.record_session(s, admin, session_form(dt.date(2026, 3, 1)),
                                    [training.Attendance(proj.project, 12, 180)])
        assert training.half_year_status(s, proj.project, H1).frequency_met
        with pytest.raises(ValidationError):
            training.delete_session(s, admin, t.id, expected_version=t.version, reason="")
        training.delete_session(s, admin, t.id, expected_version=t.version, reason="重复登记")
        assert not training.half_year_status(s, proj.project, H1).frequency_met
        assert training.sessions_for_project(s, proj.project) == []


def test_emergency_plan_and_drill_evaluation(db, admin, users, proj):
    with db.session() as s:
        with pytest.raises(ValidationError):
            training.record_assist(s, admin, proj.project, kind="other", date=dt.date(2026, 2, 1), title="")
        assist = training.record_assist(s, admin, proj.project, kind="written_suggestions",
                                        date=dt.date(2026, 2, 1), title="生产安全事故综合应急预案")
        assert assist.kind_label == "书面修改建议"
        assert [a.id for a in training.assists_for_project(s, proj.project)] == [assist.id]
        drill = training.record_drill(s, users["inspector"], training.DrillForm(
            project_id=proj.project, date=dt.date(2026, 4, 10), scenario="基坑坍塌", participants=45))
        assert not drill.evaluated
        assert [d.id for d in training.drills_unevaluated(s)] == [drill.id]
        with pytest.raises(ValidationError) as info:
            training.evaluate_drill(s, admin, drill.id, evaluation=" ", rating="甲", expected_version=drill.version)
        assert set(info.value.fields) == {"evaluation", "rating"}
        drill = training.evaluate_drill(s, admin, drill.id, evaluation="响应及时，疏散有序",
                                        findings="警戒区设置偏晚", improvements="明确警戒人员", rating="良",
                                        expected_version=drill.version)
        assert drill.evaluated and drill.rating == "良"
        assert training.drills_unevaluated(s, project_ids=[proj.project]) == []
        assert s.execute(select(AuditEntry.action).where(AuditEntry.entity == "drills")
                         .order_by(AuditEntry.id)).scalars().all() == ["create", "evaluate"]
        with pytest.raises(PermissionDenied):
            training.record_drill(s, users["reviewer"], training.DrillForm(
                project_id=proj.project, date=dt.date(2026, 4, 10), scenario="火灾"))


def test_cancelled_hazards_do_not_set_the_target(db, admin, proj):
    with db.session() as s:
        h = add_hazard(s, admin, proj.project, "消防安全", dt.date(2026, 2, 1))
        s.get(Hazard, h.id).status = "cancelled"
        assert training.hazard_categories(s, proj.project, before=dt.date(2026, 3, 1)) == ()
