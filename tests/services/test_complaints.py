"""Complaints with working-day deadlines, incidents and missed hazards, evaluations received."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.services import complaints, periods, rules
from desktop.services.context import PermissionDenied, ValidationError
from desktop.services.workdays import Calendar, YearDays, add_working_days
from tests.factories import make_project

# 2031: no holidays at all (an override with one holiday on a Sunday), so only weekends count
PLAIN = Calendar({2031: YearDays(frozenset({dt.date(2031, 1, 5)}), frozenset())})


@pytest.fixture
def proj(db, admin):
    with db.session() as s:
        return make_project(s, admin)


def test_working_days_skip_weekends():
    friday = dt.date(2031, 3, 14)
    assert add_working_days(friday, 1, PLAIN).day == dt.date(2031, 3, 17)  # Monday
    assert add_working_days(friday, 10, PLAIN).day == dt.date(2031, 3, 28)
    saturday = dt.date(2031, 3, 15)
    assert add_working_days(saturday, 1, PLAIN).day == dt.date(2031, 3, 17)
    assert add_working_days(dt.date(2031, 3, 17), 30, PLAIN).day == dt.date(2031, 4, 28)
    assert add_working_days(friday, 0, PLAIN).day == friday
    assert not add_working_days(friday, 10, PLAIN).flagged


def test_working_days_respect_holidays_and_make_up_days(db):
    with db.read() as s:
        cal = complaints.calendar(s)
    # 2026 National Day: 10-01 … 10-07 off, Saturday 10-10 worked
    assert not cal.is_working_day(dt.date(2026, 10, 5))
    assert cal.is_working_day(dt.date(2026, 10, 10))
    assert add_working_days(dt.date(2026, 9, 30), 1, cal).day == dt.date(2026, 10, 8)
    assert add_working_days(dt.date(2026, 9, 30), 3, cal).day == dt.date(2026, 10, 10)
    # Spring Festival 02-15 … 02-23; Saturdays 02-14 and 02-28 worked
    assert add_working_days(dt.date(2026, 2, 13), 1, cal).day == dt.date(2026, 2, 14)
    assert add_working_days(dt.date(2026, 2, 13), 2, cal).day == dt.date(2026, 2, 24)


def test_calendar_setting_is_editable_and_checked(db, admin):
    with db.session() as s:
        rules.set_value(s, admin, "calendar.overrides",
                        {"2026": {"holidays": ["2026-01-01", "2026-03-16/2026-03-17", "2026-10-01"], "workdays": []}})
        assert complaints.reply_due(s, dt.date(2026, 3, 13), needs_checking=False).day == dt.date(2026, 3, 31)
        with pytest.raises(ValidationError, match="2026-13-01"):
            rules.set_value(s, admin, "calendar.overrides", {"2026": {"holidays": ["2026-13-01"]}})
        # the refused value was not stored: complaints are still counted with the last good one
        assert complaints.reply_due(s, dt.date(2026, 3, 13), needs_checking=False).day == dt.date(2026, 3, 31)


def test_complaint_deadlines_reply_and_overdue(db, admin, users, proj):
    with db.session() as s:
        rules.set_value(s, admin, "calendar.overrides",
                        {"2026": {"holidays": ["2026-01-01", "2026-10-01"], "workdays": []}})
        with pytest.raises(PermissionDenied):
            complaints.record_complaint(s, users["inspector"], received_at=dt.date(2026, 3, 13), content="x")
        with pytest.raises(ValidationError):
            complaints.record_complaint(s, admin, received_at=dt.date(2026, 3, 13), content=" ")
        c = complaints.record_complaint(s, users["clerk"], project_id=proj.project, received_at=dt.date(2026, 3, 13),
                                        complainant="施工单位", channel="电话", content="检查人员未出示证件")
        assert c.reply_due == dt.date(2026, 3, 27)
        assert not c.overdue(dt.date(2026, 3, 27)) and c.overdue(dt.date(2026, 3, 28))
        c = complaints.set_needs_checking(s, admin, c.id, True, expected_version=c.version)
        assert c.reply_due == dt.date(2026, 4, 24)
        with pytest.raises(ValidationError):
            complaints.reply(s, admin, c.id, replied_at=dt.date(2026, 3, 1), text="已核实", expected_version=c.version)
        c = complaints.reply(s, admin, c.id, replied_at=dt.date(2026, 4, 28), text="已核实并整改",
                             expected_version=c.version)
        assert c.replied_late and not c.overdue(dt.date(2026, 5, 1))
        other = complaints.record_complaint(s, admin, received_at=dt.date(2026, 5, 6), content="报告延迟")
        assert [x.id for x in complaints.complaints(s, open_only=True)] == [other.id]
        assert [x.id for x in complaints.complaints(s, project_ids=[proj.project], include_unassigned=False)] == [c.id]
        assert len(complaints.complaints(s, start=dt.date(2026, 4, 1))) == 1


def test_incidents_validation_and_listing(db, admin, users, proj):
    with db.session() as s:
        with pytest.raises(PermissionDenied):
            complaints.record_incident(s, users["clerk"], project_id=proj.project, kind="general_accident",
                                       occurred_on=dt.date(2026, 4, 1), description="物体打击")
        with pytest.raises(ValidationError, match="较大及以上"):
            complaints.record_incident(s, admin, project_id=proj.project, kind="general_accident",
                                       occurred_on=dt.date(2026, 4, 1), description="坍塌", fatalities=3)
        with pytest.raises(ValidationError) as info:
            complaints.record_incident(s, admin, project_id=proj.project, kind="missed_major_hazard",
                                       occurred_on=dt.date(2026, 4, 1), description="高支模未论证")
        assert "found_by" in info.value.fields
        missed = complaints.record_incident(s, admin, project_id=proj.project, kind="missed_major_hazard",
                                            occurred_on=dt.date(2026, 4, 1), description="高支模未经专家论证",
                                            found_by="越城区住房和城乡建设局")
        acc = complaints.record_incident(s, users["tech_lead"], project_id=proj.project, kind="general_accident",
                                         occurred_on=dt.date(2026, 6, 2), description="高处坠落", fatalities=1)
        assert missed.kind_label == "漏判重大隐患"
        assert [i.id for i in complaints.incidents(s, kind="general_accident")] == [acc.id]
        assert [i.id for i in complaints.incidents(s, end=dt.date(2026, 5, 1))] == [missed.id]


def test_evaluations(db, admin, users, proj):
    with db.session() as s:
        with pytest.raises(PermissionDenied):
            complaints.record_evaluation(s, users["clerk"], evaluator_kind="insurer", evaluator_id=proj.insurer,
                                         period="2026Q1", received_on=dt.date(2026, 4, 20), result="合格",
                                         recognized=True)
        with pytest.raises(ValidationError) as info:
            complaints.record_evaluation(s, admin, evaluator_kind="insurer", evaluator_id=proj.authority,
                                         period="Q1", received_on=dt.date(2026, 4, 20), result="",
                                         recognized=True)
        assert set(info.value.fields) == {"evaluator_id", "period", "result"}
        e = complaints.record_evaluation(s, admin, evaluator_kind="authority", evaluator_id=proj.authority,
                                         period="2026q1", received_on=dt.date(2026, 4, 20), result="季度考核良好",
                                         recognized=True)
        assert e.period == "2026Q1" and e.evaluator_name == "越城区住房和城乡建设局"
        assert complaints.evaluations(s, overlapping=periods.parse("2026")) == [e]
        assert complaints.evaluations(s, overlapping=periods.parse("2026-04")) == []
        assert complaints.evaluations(s, evaluator_kind="insurer") == []
