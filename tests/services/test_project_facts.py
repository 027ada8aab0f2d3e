"""Project facts editable after entry: 危大 items, policies, contacts, stages; floor area; N-02
counted from the policy start when no contract date was recorded (and said so)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from desktop.models import AuditEntry, DangerItem, Policy, Project, ProjectContact
from desktop.services import compliance, obligations, periods, project_facts, projects
from desktop.services.context import ConflictError, PermissionDenied, ValidationError
from desktop.services.queries import dashboard
from tests.factories import make_project

TODAY = dt.date(2026, 4, 20)


def _item(db, admin, **kw):
    with db.session() as s:
        p = make_project(s, admin)
        item_id = projects.add_danger_item(s, admin, p.project, name="深基坑工程", is_super=True, **kw)
    return p, item_id


def _edit(db, actor, item_id, version, **kw):
    base = dict(name="深基坑工程", is_super=True)
    base.update(kw)
    with db.session() as s:
        return project_facts.update_danger_item(s, actor, item_id, project_facts.DangerEdit(**base),
                                                expected_version=version, today=TODAY)


def test_danger_item_moves_planned_in_progress_done_with_actual_dates(db, admin):
    _, item_id = _item(db, admin)
    with pytest.raises(ValidationError) as exc:
        _edit(db, admin, item_id, 1, status="in_progress")
    assert "actual_start" in exc.value.fields
    v = _edit(db, admin, item_id, 1, status="in_progress", actual_start=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError) as exc:
        _edit(db, admin, item_id, v, status="done", actual_start=dt.date(2026, 3, 1))
    assert "actual_end" in exc.value.fields
    with pytest.raises(ValidationError) as exc:
        _edit(db, admin, item_id, v, status="done", actual_start=dt.date(2026, 3, 1),
              actual_end=dt.date(2026, 2, 1))
    assert "早于" in exc.value.fields["actual_end"]
    v = _edit(db, admin, item_id, v, status="done", actual_start=dt.date(2026, 3, 1),
              actual_end=dt.date(2026, 4, 10))
    with db.read() as s:
        item = s.get(DangerItem, item_id)
        assert (item.status, item.actual_start, item.actual_end) == ("done", dt.date(2026, 3, 1),
                                                                      dt.date(2026, 4, 10))
        entries = s.execute(select(AuditEntry).where(AuditEntry.entity == "danger_items",
                                                     AuditEntry.entity_id == item_id,
                                                     AuditEntry.action == "update")).scalars().all()
        assert [e.after.get("status") for e in entries] == ["in_progress", "done"]
    # a finished item cannot jump back to 计划 (one step back is a correction)
    with pytest.raises(ValidationError) as exc:
        _edit(db, admin, item_id, v, status="planned")
    assert "依次" in exc.value.fields["status"]


def test_danger_item_refuses_a_stale_version_a_future_date_and_a_reader(db, users):
    admin = users["admin"]
    _, item_id = _item(db, admin)
    with pytest.raises(ValidationError) as exc:
        _edit(db, admin, item_id, 1, status="in_progress", actual_start=TODAY + dt.timedelta(days=1))
    assert "晚于今天" in exc.value.fields["actual_start"]
    _edit(db, admin, item_id, 1, name="深基坑工程（东区）")
    with pytest.raises(ConflictError):
        _edit(db, admin, item_id, 1, name="深基坑工程（西区）")
    with pytest.raises(PermissionDenied):
        _edit(db, users["reviewer"], item_id, 2, name="只读用户的修改")


def test_policy_contact_and_stage_edits(db, admin):
    with db.session() as s:
        p = make_project(s, admin)
        contact = projects.add_contact(s, admin, p.project, role="安全员", name="王五", phone="1380000")
    with db.session() as s:
        form = projects.PolicyForm(policy_no="PICC-NEW-1", insurer_id=p.insurer,
                                   start_date=dt.date(2026, 2, 1), end_date=dt.date(2027, 1, 31),
                                   premium="1,000", prevention_fee="200")
        project_facts.update_policy(s, admin, p.policy, form, expected_version=1)
        # its own number is not a duplicate of itself
        project_facts.update_policy(s, admin, p.policy, form, expected_version=2)
        project_facts.update_contact(s, admin, contact, role="项目经理", name="王五",
                                     phone="13900000000", expected_version=1)
        stage = projects.get_detail(s, p.project).stages[0]
        project_facts.update_stage(s, admin, stage.id, name="地基与基础工程",
                                   actual_start=dt.date(2026, 1, 10), expected_version=stage.version)
    with db.read() as s:
        policy = s.get(Policy, p.policy)
        assert (policy.policy_no, str(policy.premium), policy.start_date) == (
            "PICC-NEW-1", "1000.00", dt.date(2026, 2, 1))
        assert s.get(ProjectContact, contact).role == "项目经理"
        detail = projects.get_detail(s, p.project)
        assert detail.stages[0].name == "地基与基础工程" and detail.contacts[0].version == 2
    with db.session() as s, pytest.raises(ValidationError) as exc:
        project_facts.update_stage(s, admin, stage.id, name="地基与基础工程",
                                   actual_start=dt.date(2026, 3, 1), actual_end=dt.date(2026, 2, 1),
                                   expected_version=stage.version + 1)
    assert "actual_end" in exc.value.fields
    with db.session() as s:
        other = make_project(s, admin)
    with db.session() as s, pytest.raises(ValidationError) as exc:
        project_facts.update_policy(s, admin, other.policy, projects.PolicyForm(
            policy_no="PICC-NEW-1", insurer_id=p.insurer), expected_version=1)
    assert "已存在" in exc.value.fields["policy_no"]
    with db.session() as s:
        project_facts.remove_contact(s, admin, contact, expected_version=2)
    with db.read() as s:
        assert projects.get_detail(s, p.project).contacts == []


def test_floor_area_on_the_form(db, admin):
    with db.session() as s:
        p = make_project(s, admin)
        form = projects.get_detail(s, p.project).form
        row = projects.update_project(s, admin, p.project, projects.ProjectForm(
            **{**form.__dict__, "floor_area_m2": "35,000.5"}), expected_version=1)
        assert s.get(Project, row.id).floor_area_m2 == pytest.approx(35000.5)
        assert projects.get_detail(s, p.project).form.floor_area_m2 == pytest.approx(35000.5)
        with pytest.raises(ValidationError) as exc:
            projects.validate(s, projects.ProjectForm(**{**form.__dict__, "floor_area_m2": "-3"}),
                              project_id=p.project)
    assert "floor_area_m2" in exc.value.fields


def test_first_identification_without_contract_date_counts_from_the_policy_start(db, admin):
    """N-02: no contract date recorded -> the allowance counts from the policy start (2026-01-01),
    and the self-check says so; the dashboard lists the same project."""
    with db.session() as s:
        p = make_project(s, admin)
        s.get(Project, p.project).service_contract_date = None
        no_policy = make_project(s, admin)
        s.get(Project, no_policy.project).service_contract_date = None
        s.get(Policy, no_policy.policy).start_date = None
    with db.read() as s:
        assert obligations.first_inspection_missing(s, dt.date(2026, 1, 16), [p.project]) == []
        assert obligations.first_inspection_missing(s, dt.date(2026, 1, 17), [p.project]) == [p.project]
        assert p.project in obligations.projects_without_first_inspection(s, TODAY)
        assert no_policy.project not in obligations.projects_without_first_inspection(s, TODAY)
        board = dashboard.summary(s, dt.datetime.combine(TODAY, dt.time(9))).get("no_first_inspection")
        assert p.project in board.ids
        result = compliance.evaluate(s, period=periods.parse("2026Q1"), scope_type="project",
                                     scope_id=p.project, as_of=TODAY).get("C-2b")
    gap = next(g for g in result.gaps if "首次风险识别" in g.missing)
    assert "合同签订日期未登记，按保单起期计" in gap.missing and gap.due
    assert gap.since == dt.date(2026, 1, 1)
    assert any(e.label == "合同签订日期未登记，按保单起期计" and e.count == 1 for e in result.evidence)
