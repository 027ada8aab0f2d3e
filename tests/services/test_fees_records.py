"""The service records a fee entry may book (N-17): the project's inspections, training it attended,
drills and emergency-plan help, newest first, those booked marked; the ledger names each link."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.services import fees, inspections, recycle, training
from desktop.services.context import NotFound
from tests.factories import make_project


@pytest.fixture
def proj(db, admin):
    with db.session() as s:
        return make_project(s, admin)


def test_records_of_the_project_newest_first_and_booked_marked(db, admin, proj):
    with db.session() as s:
        other = make_project(s, admin)
        visit = inspections.record(s, admin, inspections.InspectionForm(
            project_id=proj.project, kind="full_coverage", date=dt.date(2026, 3, 5),
            inspector_ids=(admin.user_id,)))
        inspections.record(s, admin, inspections.InspectionForm(  # another project's: not offered
            project_id=other.project, kind="routine", date=dt.date(2026, 3, 6), inspector_ids=(admin.user_id,)))
        shared = training.record_session(s, admin, training.SessionForm(date=dt.date(2026, 3, 1), topic="基坑安全培训"),
                                         [training.Attendance(proj.project, 5, 50),
                                          training.Attendance(other.project, 5, 50)])
        training.record_session(s, admin, training.SessionForm(date=dt.date(2026, 3, 2), topic="别的项目培训"),
                                [training.Attendance(other.project, 5, 50)])
        drill = training.record_drill(s, admin, training.DrillForm(
            project_id=proj.project, date=dt.date(2026, 3, 10), scenario="基坑坍塌"))
        assist = training.record_assist(s, admin, proj.project, kind="draft_provided", date=dt.date(2026, 1, 25),
                                        title="综合应急预案")
        fees.add_entry(s, admin, proj.policy, fees.FeeForm(
            date=dt.date(2026, 3, 11), kind="service", amount="900", service_kind="drill",
            ref_type="drill", ref_id=drill.id))
        records = fees.service_records(s, proj.policy)
        with pytest.raises(NotFound):
            fees.service_records(s, 9999)
    assert [(r.ref_type, r.ref_id) for r in records] == [
        ("drill", drill.id), ("inspection", visit.id), ("training_session", shared.id),
        ("emergency_plan_assist", assist.id)]
    assert [r.booked for r in records] == [True, False, False, False]
    assert [r.service_kind for r in records] == ["drill", "inspection", "training", "emergency_plan"]
    assert [r.title for r in records] == ["基坑坍塌", "全覆盖检查", "基坑安全培训", "综合应急预案"]
    # the other project's ledger offers the shared session, not yet booked there
    with db.read() as s:
        theirs = fees.service_records(s, other.policy)
    assert ("training_session", shared.id, False) in [(r.ref_type, r.ref_id, r.booked) for r in theirs]


def test_the_ledger_names_the_linked_record_even_once_deleted(db, admin, proj):
    with db.session() as s:
        visit = inspections.record(s, admin, inspections.InspectionForm(
            project_id=proj.project, kind="routine", date=dt.date(2026, 2, 3), inspector_ids=(admin.user_id,)))
        linked = fees.add_entry(s, admin, proj.policy, fees.FeeForm(
            date=dt.date(2026, 2, 5), kind="service", amount="3500", service_kind="inspection",
            ref_type="inspection", ref_id=visit.id))
        plain = fees.add_entry(s, admin, proj.policy, fees.FeeForm(
            date=dt.date(2026, 2, 6), kind="service", amount="100", service_kind="other"))
    assert linked.record is not None and plain.record is None
    assert (linked.record.ref_id, linked.record.date, linked.record.title) == (visit.id, dt.date(2026, 2, 3), "日常巡查")
    assert linked.record.booked and not linked.record.deleted
    with db.session() as s:
        recycle.soft_delete(s, admin, "inspections", visit.id, expected_version=visit.version, reason="录错项目")
        [entry] = [e for e in fees.ledger(s, proj.policy).entries if e.id == linked.id]
        assert entry.record is not None and entry.record.deleted
        assert all(r.ref_id != visit.id for r in fees.service_records(s, proj.policy))
