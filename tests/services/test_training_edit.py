"""Editing a recorded training session: its details and attendance by project and group, in one
unit of work, over the version the user saw, by those allowed, with an audit entry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from desktop.models import AuditEntry, TrainingAttendance, TrainingSession
from desktop.services import fees, periods, training
from desktop.services.context import ConflictError, NotFound, PermissionDenied, ValidationError
from tests.factories import make_project

H1 = periods.parse("2026H1")


@pytest.fixture
def two(db, admin):
    with db.session() as s:
        return make_project(s, admin), make_project(s, admin)  # 12 managers, 180 workers each


def form(day=dt.date(2026, 3, 1), **kw):
    base = dict(date=day, topic="基坑工程安全专项培训", categories=("基坑工程",), trainer="王工",
                duration_hours="2.0", location="项目部会议室", centralized=False, materials="课件")
    base.update(kw)
    return training.SessionForm(**base)


def recorded(db, admin, project_id, **kw):
    with db.session() as s:
        return training.record_session(s, admin, form(**kw), [training.Attendance(project_id, 5, 50)])


def audit_rows(s, session_id):
    return s.execute(select(AuditEntry).where(AuditEntry.entity == "training_sessions",
                                              AuditEntry.entity_id == session_id)
                     .order_by(AuditEntry.id)).scalars().all()


def test_details_and_attendance_change_together(db, admin, two):
    a, b = two
    row = recorded(db, admin, a.project)
    assert row.materials == "课件"
    with db.session() as s:
        saved = training.update_session(s, admin, row.id, form(
            dt.date(2026, 4, 2), topic="高处作业安全专项培训", categories=("高处作业", "临边防护"),
            trainer="李工", duration_hours="3.5", location="培训中心", centralized=True,
            materials="课件、签到表"), [training.Attendance(a.project, 12, 150, "张三\n李四"),
                                      training.Attendance(b.project, 3, 40)],
            expected_version=row.version)
    assert (saved.date, saved.topic, saved.trainer, saved.location) == (
        dt.date(2026, 4, 2), "高处作业安全专项培训", "李工", "培训中心")
    assert saved.categories == ("高处作业", "临边防护") and saved.duration_hours == Decimal("3.5")
    assert saved.centralized and saved.materials == "课件、签到表"
    assert saved.attendance == (training.Attendance(a.project, 12, 150, "张三\n李四"),
                                training.Attendance(b.project, 3, 40))
    assert saved.version == row.version + 1
    with db.read() as s:
        # the half-year rule now sees a centralized session for both projects
        assert training.half_year_status(s, b.project, H1).frequency_met
        entries = audit_rows(s, row.id)
        assert [e.action for e in entries] == ["create", "update"]
        update = entries[-1]
        assert update.user_id == admin.user_id
        assert update.before["topic"] == "基坑工程安全专项培训"
        assert update.after["topic"] == "高处作业安全专项培训" and update.after["trainer"] == "李工"
        assert f"项目{a.project} 管理5人 作业50人 → 管理12人 作业150人" in update.note
        assert f"项目{b.project} 无 → 管理3人 作业40人" in update.note


def test_a_project_taken_off_and_only_attendance_changed_moves_the_version(db, admin, two):
    a, b = two
    with db.session() as s:
        row = training.record_session(s, admin, form(), [training.Attendance(a.project, 5, 50),
                                                          training.Attendance(b.project, 2, 20)])
    with db.session() as s:
        saved = training.update_session(s, admin, row.id, form(),
                                         [training.Attendance(a.project, 6, 50)],
                                         expected_version=row.version)
    assert [x.project_id for x in saved.attendance] == [a.project]
    assert saved.version == row.version + 1  # only the attendance changed: still a new version
    with db.read() as s:
        lines = s.execute(select(TrainingAttendance.project_id).where(
            TrainingAttendance.session_id == row.id)).scalars().all()
        assert lines == [a.project]
        assert training.sessions_for_project(s, b.project) == []
        assert f"项目{b.project} 管理2人 作业20人 → 无" in audit_rows(s, row.id)[-1].note


def test_nothing_changed_saves_nothing(db, admin, two):
    a, _ = two
    row = recorded(db, admin, a.project)
    with db.session() as s:
        same = training.update_session(s, admin, row.id, form(), [training.Attendance(a.project, 5, 50)],
                                       expected_version=row.version)
        assert same.version == row.version
        assert [e.action for e in audit_rows(s, row.id)] == ["create"]


def test_a_role_without_the_right_is_refused(db, admin, users, two):
    a, _ = two
    row = recorded(db, admin, a.project)
    with db.session() as s:
        with pytest.raises(PermissionDenied):
            training.update_session(s, users["reviewer"], row.id, form(topic="改过的主题"),
                                    [training.Attendance(a.project, 5, 50)], expected_version=row.version)
    # an inspector may (training.edit is staff's), and the clerk too
    with db.session() as s:
        saved = training.update_session(s, users["inspector"], row.id, form(topic="改过的主题"),
                                        [training.Attendance(a.project, 5, 50)], expected_version=row.version)
    assert saved.topic == "改过的主题"
    with db.read() as s:
        assert s.get(TrainingSession, row.id).topic == "改过的主题"


def test_a_stale_version_is_refused_and_nothing_is_written(db, admin, users, two):
    a, _ = two
    row = recorded(db, admin, a.project)
    with db.session() as s:  # someone else saved first
        training.update_session(s, users["clerk"], row.id, form(trainer="赵工"),
                                [training.Attendance(a.project, 5, 50)], expected_version=row.version)
    with pytest.raises(ConflictError):
        with db.session() as s:
            training.update_session(s, admin, row.id, form(topic="覆盖他人的修改"),
                                    [training.Attendance(a.project, 9, 90)], expected_version=row.version)
    with db.read() as s:
        now_row = training.get_session(s, row.id)
        assert now_row.topic == "基坑工程安全专项培训" and now_row.trainer == "赵工"
        assert now_row.attendance == (training.Attendance(a.project, 5, 50),)
        assert [e.action for e in audit_rows(s, row.id)] == ["create", "update"]


def test_validation_names_each_field(db, admin, two):
    a, _ = two
    row = recorded(db, admin, a.project)
    with db.session() as s:
        with pytest.raises(ValidationError) as info:
            training.update_session(s, admin, row.id, form(dt.date(2099, 1, 1), topic=" ", duration_hours="30"),
                                    [], expected_version=row.version)
        assert set(info.value.fields) == {"date", "topic", "duration_hours", "attendance"}
        with pytest.raises(ValidationError, match="管理人员或作业人员"):
            training.update_session(s, admin, row.id, form(), [training.Attendance(a.project, 0, 0)],
                                    expected_version=row.version)
        with pytest.raises(ValidationError, match="重复登记"):
            training.update_session(s, admin, row.id, form(), [training.Attendance(a.project, 1, 0),
                                                                training.Attendance(a.project, 2, 0)],
                                    expected_version=row.version)
        training.delete_session(s, admin, row.id, expected_version=row.version, reason="重复登记")
        with pytest.raises(NotFound):
            training.update_session(s, admin, row.id, form(), [training.Attendance(a.project, 5, 50)],
                                    expected_version=row.version + 1)


def test_a_project_whose_ledger_books_the_session_stays_on_it(db, admin, two):
    a, b = two
    with db.session() as s:
        row = training.record_session(s, admin, form(), [training.Attendance(a.project, 5, 50),
                                                          training.Attendance(b.project, 2, 20)])
        fees.add_entry(s, admin, b.policy, fees.FeeForm(
            date=dt.date(2026, 3, 2), kind="service", amount="800", service_kind="training",
            ref_type="training_session", ref_id=row.id))
    with db.session() as s:
        with pytest.raises(ValidationError, match="预防费用台账中列支") as info:
            training.update_session(s, admin, row.id, form(), [training.Attendance(a.project, 5, 50)],
                                    expected_version=row.version)
        assert set(info.value.fields) == {"attendance"}
        # taking off the other project is fine
        saved = training.update_session(s, admin, row.id, form(), [training.Attendance(b.project, 2, 20)],
                                        expected_version=row.version)
    assert [x.project_id for x in saved.attendance] == [b.project]
