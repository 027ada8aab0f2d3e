"""An inspection's construction stage agrees with the stage's dates on record: the stage
prints on the record (施工阶段/对象) and counts for the per-stage inspection rule, so a stage
not begun (or already ended) on the inspection's day is refused; an open end bounds nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.services import inspections, projects
from desktop.services.context import ValidationError
from tests.factories import make_project

D = dt.date.fromisoformat


@pytest.fixture
def stages(db, admin):
    with db.session() as s:
        p = make_project(s, admin)
        found = projects.get_detail(s, p.project).stages
        return p.project, [st.id for st in found], [st.name for st in found]


def record(db, admin, project_id, stage_id, day):
    with db.session() as s:
        return inspections.record(s, admin, inspections.InspectionForm(
            project_id=project_id, kind="routine", date=D(day), stage_id=stage_id,
            inspector_ids=(admin.user_id,)))


def set_dates(db, admin, stage_id, **dates):
    with db.session() as s:
        projects.set_stage_dates(s, admin, stage_id, **{k: D(v) if v else None for k, v in dates.items()})


def refusal(db, admin, project_id, stage_id, day) -> str:
    with pytest.raises(ValidationError) as info:
        record(db, admin, project_id, stage_id, day)
    assert set(info.value.fields) == {"stage_id"}
    return info.value.fields["stage_id"]


def test_a_stage_not_yet_begun_or_already_ended_is_refused_naming_its_dates(db, admin, stages):
    pid, ids, names = stages
    last = ids[-1]  # 竣工验收: under way from 2026-11-26 in the demo; an inspection of 2025-12-05 is not of it
    set_dates(db, admin, last, planned_start="2026-11-20", actual_start="2026-11-26")
    text = refusal(db, admin, pid, last, "2025-12-05")
    assert names[-1] in text and "2026-11-26" in text and "2025-12-05" in text and "实际开始" in text
    first = ids[0]
    set_dates(db, admin, first, actual_start="2025-03-01", actual_end="2025-09-30")
    text = refusal(db, admin, pid, first, "2025-10-01")
    assert "2025-09-30" in text and "实际结束" in text
    row = record(db, admin, pid, first, "2025-09-30")  # its last day: fine
    assert row.stage_name == names[0]


def test_an_open_end_bounds_nothing_and_a_stage_without_dates_is_not_checked(db, admin, stages):
    pid, ids, names = stages
    set_dates(db, admin, ids[1], planned_start="2025-10-01", planned_end="2025-12-31",
              actual_start="2025-10-10")  # under way: past its planned end is no contradiction
    assert record(db, admin, pid, ids[1], "2026-03-02").stage_name == names[1]
    assert record(db, admin, pid, ids[1], "2025-10-10").stage_name == names[1]
    assert record(db, admin, pid, ids[2], "2025-06-01").stage_name == names[2]  # no dates at all
    assert record(db, admin, pid, None, "2025-06-01").stage_name == ""


def test_planned_dates_bound_a_stage_with_no_actual_dates(db, admin, stages):
    pid, ids, names = stages
    set_dates(db, admin, ids[2], planned_start="2026-02-01", planned_end="2026-05-31")
    text = refusal(db, admin, pid, ids[2], "2026-01-20")
    assert "计划开始" in text and "2026-02-01" in text and "登记实际开始日期" in text
    text = refusal(db, admin, pid, ids[2], "2026-06-01")
    assert "计划结束" in text and "2026-05-31" in text
    assert record(db, admin, pid, ids[2], "2026-02-01").stage_name == names[2]
    set_dates(db, admin, ids[3], planned_end="2026-05-31")  # no start on record: no lower bound
    assert record(db, admin, pid, ids[3], "2025-01-02").stage_name == names[3]


def test_dates_changed_afterwards_may_not_leave_a_recorded_inspection_outside(db, admin, stages):
    """The same agreement when the stage's dates change after inspections are recorded (review
    of issue 15: the check at recording alone let a later edit contradict them): refused
    through both forms, naming the inspections' dates, and nothing is changed."""
    from desktop.models import ProjectStage
    from desktop.services import project_facts

    pid, ids, names = stages
    set_dates(db, admin, ids[1], planned_start="2025-10-01", planned_end="2025-12-31")
    record(db, admin, pid, ids[1], "2025-10-15")
    record(db, admin, pid, ids[1], "2025-12-20")
    with pytest.raises(ValidationError) as info:  # the project form's path
        set_dates(db, admin, ids[1], actual_start="2025-11-01")
    (field, text), = info.value.fields.items()
    assert field == "actual_start"
    assert names[1] in text and "1 次检查记录" in text and "2025-10-15" in text and "未做任何改动" in text
    with db.session() as s:
        stage = s.get_one(ProjectStage, ids[1])
        assert stage.actual_start is None  # nothing changed
        with pytest.raises(ValidationError) as info:  # the stage dialog's path
            project_facts.update_stage(s, admin, ids[1], name=stage.name, planned_start=D("2025-10-01"),
                                       planned_end=D("2025-12-01"), expected_version=stage.version)
    (field, text), = info.value.fields.items()
    assert field == "planned_end" and "2025-12-20" in text and "2025-10-15" not in text
    # dates that keep every inspection inside are taken, and so is a rename
    set_dates(db, admin, ids[1], actual_start="2025-10-15", actual_end="2025-12-20")
    with db.session() as s:
        stage = s.get_one(ProjectStage, ids[1])
        project_facts.update_stage(s, admin, ids[1], name="主体结构（一）", planned_start=None,
                                   planned_end=None, actual_start=D("2025-10-01"),
                                   actual_end=D("2025-12-31"), expected_version=stage.version)
    with pytest.raises(ValidationError):
        set_dates(db, admin, ids[1], actual_end="2025-12-19")
