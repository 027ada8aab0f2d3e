"""The projects and inspections screens' queries, and their one-transaction saves."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from desktop.services import hazards, inspections, organisations, projects, risk
from desktop.services.context import ConflictError, ValidationError, now
from desktop.services.queries import inspection_list, project_list
from desktop.services.queries.inspection_list import InspectionFilter
from desktop.services.queries.project_list import (
    UNASSESSED,
    ContactDraft,
    DangerDraft,
    PolicyDraft,
    ProjectBundle,
    ProjectFilter,
    StageDraft,
)
from tests.factories import make_project


@pytest.fixture
def data(db, admin):
    with db.session() as s:
        a = make_project(s, admin)  # 越城区, PICC
        b = make_project(s, admin, name="柯桥区华舍街道安置房", district="柯桥区")
        c = make_project(s, admin, name="50%_折扣 仓库")
        ping_an = organisations.ensure(s, admin, kind="insurer", name="中国平安财产保险股份有限公司")
        projects.add_policy(s, admin, b.project, projects.PolicyForm(
            "PA-1", ping_an.id, start_date=dt.date(2027, 1, 1)))  # the newer policy names the insurer
        form = projects.get_detail(s, c.project).form
        projects.update_project(s, admin, c.project, dataclasses.replace(
            form, status="completed", completion_date=dt.date(2026, 9, 1), address="越城区解放北路 1 号"),
            expected_version=1)
        risk.override(s, admin, a.project, "high", reason="深基坑")
        today = now().date()
        for days, level, status in ((20, 3, None), (2, 4, None), (1, 2, "cancel")):
            h = hazards.record(s, admin, hazards.HazardForm(
                project_id=a.project, description=f"隐患{days}", level=level, measures="整改",
                contingency="预案", found_at=now() - dt.timedelta(days=days),
                deadline=today - dt.timedelta(days=days - 5)))
            if status == "cancel":
                hazards.cancel(s, admin, h.id, expected_version=h.version, reason="误判")
        inspections.record(s, admin, inspections.InspectionForm(
            a.project, "routine", today - dt.timedelta(days=3), inspector_ids=(admin.user_id,)))
        inspections.record(s, admin, inspections.InspectionForm(
            a.project, "full_coverage", today - dt.timedelta(days=1), inspector_ids=(admin.user_id,)))
    return a, b, c, ping_an.id


def ids(db, **kw):  # type: ignore[no-untyped-def]
    with db.read() as s:
        return project_list.project_ids(s, ProjectFilter(**kw))


def test_filters(db, data):
    a, b, c, ping_an = data
    assert ids(db) == [a.project, b.project, c.project]
    assert ids(db, insurer_id=ping_an) == [b.project]
    assert ids(db, insurer_id=a.insurer) == [a.project, b.project, c.project]
    assert ids(db, authority_id=b.authority) == [b.project]
    assert ids(db, district="越城区") == [a.project, c.project]
    assert ids(db, statuses=frozenset({"completed"})) == [c.project]
    assert ids(db, risk_levels=frozenset({"high"})) == [a.project]
    assert ids(db, risk_levels=frozenset({UNASSESSED})) == [b.project, c.project]
    assert ids(db, risk_levels=frozenset({"high", UNASSESSED})) == [a.project, b.project, c.project]
    assert ids(db, text="华舍") == [b.project]
    assert ids(db, text="解放北路") == [c.project]  # the address
    assert ids(db, text="p-2026") == [a.project, b.project, c.project]  # the code, any case
    assert ids(db, text="50%_") == [c.project]  # LIKE wildcards are literal
    assert ids(db, text="0%x") == []


def test_sorting(db, data):
    a, b, c, _ = data
    with db.read() as s:
        assert project_list.project_ids(s, ProjectFilter(), sort="risk_level") == [a.project, b.project, c.project]
        assert project_list.project_ids(s, ProjectFilter(), sort="code", descending=True) == [
            c.project, b.project, a.project]
        assert project_list.project_ids(s, ProjectFilter(), sort="district")[0] == b.project
        with pytest.raises(ValueError):
            project_list.project_ids(s, ProjectFilter(), sort="nonsense")


def test_rows_carry_what_the_list_shows(db, data):
    a, b, c, _ = data
    with db.read() as s:
        rows = project_list.rows_by_ids(s, [c.project, a.project, 99_999, b.project])
    assert [r.id for r in rows] == [c.project, a.project, b.project]  # order kept, missing skipped
    row_c, row_a, row_b = rows
    assert row_a.insurer == "中国人民财产保险股份有限公司绍兴市分公司"
    assert row_b.insurer == "中国平安财产保险股份有限公司"
    assert row_a.authority == "越城区住房和城乡建设局" and row_a.contractor == "浙江某建设集团有限公司"
    assert (row_a.open_hazards, row_a.overdue_hazards) == (2, 1)  # the cancelled one is not open
    assert row_a.last_inspection == now().date() - dt.timedelta(days=1)
    assert row_a.risk_level_label == "高风险" and row_b.risk_level_label == "未评定"
    assert row_c.status_label == "竣工" and row_c.last_inspection is None and row_c.open_hazards == 0


def test_options_choices_overview_and_plans(db, data):
    a, b, _, _ = data
    with db.read() as s:
        options = project_list.filter_options(s)
        choices = project_list.choices(s)
        overview = project_list.overview(s, a.project)
        plans = project_list.service_plans(s, a.project)
        assert project_list.count(s, ProjectFilter(district="柯桥区")) == 1
    assert options.districts == ("柯桥区", "越城区")
    assert {name for _, name in options.insurers} >= {"中国平安财产保险股份有限公司"}
    assert [c_.id for c_ in choices] == [a.project, b.project]  # the completed one is not offered
    assert overview.org_names[overview.detail.form.contractor_id] == "浙江某建设集团有限公司"
    assert plans == []


def bundle(**kw):  # type: ignore[no-untyped-def]
    form = projects.ProjectForm(code=kw.pop("code", "SX-1"), name=kw.pop("name", "新项目"),
                                district="上虞区", start_date=kw.pop("start", None))
    return ProjectBundle(form=form, **kw)


def test_a_whole_project_is_saved_in_one_transaction(db, admin):
    with db.session() as s:
        saved = project_list.save_project(s, admin, bundle(
            parties={"authority_id": "上虞区住房和城乡建设局", "contractor_id": "浙江上虞建工集团"},
            policy=PolicyDraft("TP-9", "中国太平洋财产保险股份有限公司", premium="8,000"),
            stages=(StageDraft("桩基", planned_start=dt.date(2026, 1, 1), planned_end=dt.date(2026, 2, 1)),
                    StageDraft("主体结构")),
            danger_items=(DangerDraft("起重吊装", status="in_progress"),),
            contacts=(ContactDraft("安全员", "赵六", "139"),)))
        detail = projects.get_detail(s, saved.row.id)
        authority = organisations.get(s, detail.form.authority_id)
    assert saved.changes.projects and saved.changes.ids["projects"] == {saved.row.id}
    assert authority.district == "上虞区"
    assert [st.name for st in detail.stages] == ["桩基", "主体结构"]
    assert detail.stages[0].planned_end == dt.date(2026, 2, 1)
    assert detail.policies[0].premium == 8000
    assert [d.name for d in detail.danger_items] == ["起重吊装"]
    assert [x.name for x in detail.contacts] == ["赵六"]


def test_every_problem_is_named_and_nothing_is_written(db, admin):
    # the session sees the refusal and rolls back: organisations created on the way are gone too
    with pytest.raises(ValidationError) as refused, db.session() as s:
        project_list.save_project(s, admin, bundle(
            name="", parties={"owner_id": "某" * 201, "contractor_id": "新的施工单位"},
            stages=(StageDraft("基础", planned_start=dt.date(2026, 3, 1), planned_end=dt.date(2026, 2, 1)),
                    StageDraft(" "))))
    assert set(refused.value.fields) == {"name", "owner_id", "stages.0", "stages.1"}
    assert refused.value.fields["stages.0"] == "基础：计划结束早于计划开始"
    with pytest.raises(ValidationError) as refused, db.session() as s:
        project_list.save_project(s, admin, bundle(
            policy=PolicyDraft("", ""), danger_items=(DangerDraft(" "),), contacts=(ContactDraft("", "无名"),)))
    assert refused.value.fields == {
        "policy.insurer_id": "请填写承保机构", "policy.policy_no": "请填写保单号",
        "danger.0": "第 1 项危大工程：请填写危大工程名称", "contact.0": "第 1 位联系人：请填写联系人姓名和岗位"}
    with db.read() as s:
        assert projects.count(s) == 0 and organisations.list_orgs(s) == []


def test_an_edit_checks_the_version(db, admin):
    with db.session() as s:
        row = project_list.save_project(s, admin, bundle(stages=(StageDraft("主体"),))).row
    with db.session() as s:
        stage = projects.get_detail(s, row.id).stages[0]
        edited = project_list.save_project(s, admin, bundle(
            name="改名", project_id=row.id, expected_version=row.version,
            stages=(StageDraft("主体", stage.id, actual_start=dt.date(2026, 4, 1)),)))
    assert edited.row.version == row.version + 1
    with pytest.raises(ConflictError), db.session() as s:
        project_list.save_project(s, admin, bundle(project_id=row.id, expected_version=row.version))


# -- inspections -------------------------------------------------------------------------------


def test_inspection_list_filters_and_rows(db, data, users):
    b = data[1]
    with db.session() as s:
        other = inspections.record(s, admin_of(users), inspections.InspectionForm(
            b.project, "first_identification", now().date() - dt.timedelta(days=40),
            inspector_ids=(users["inspector"].user_id,)))
        inspections.confirm(s, admin_of(users), other.id, site_person="钱监理", expected_version=1)
    with db.read() as s:
        def find(**kw):  # type: ignore[no-untyped-def]
            return inspection_list.inspection_ids(s, InspectionFilter(**kw))

        everything = find()
        assert len(everything) == 3 and everything[-1] == other.id  # newest first
        assert find(project_id=b.project) == [other.id]
        assert find(text="华舍") == [other.id]
        assert len(find(kinds=frozenset({"full_coverage", "routine"}))) == 2
        assert find(inspector_id=users["inspector"].user_id) == [other.id]
        assert other.id not in find(unconfirmed=True)
        assert find(date_to=now().date() - dt.timedelta(days=10)) == [other.id]
        assert inspection_list.inspection_ids(s, InspectionFilter(), sort="project",
                                              descending=False)[-1] == other.id
        rows = inspection_list.rows_by_ids(s, [other.id])
    assert rows[0].inspectors == "检查人员甲" and rows[0].site_confirmed_by == "钱监理"
    assert rows[0].kind_label == "首次风险辨识" and rows[0].hazards == 0


def admin_of(users):  # type: ignore[no-untyped-def]
    return users["admin"]


def test_a_visit_with_findings_is_saved_whole_or_not_at_all(db, data, admin):
    a = data[0]
    form = inspections.InspectionForm(a.project, "routine", now().date() - dt.timedelta(days=1),
                                      inspector_ids=(admin.user_id,))
    good = hazards.HazardForm(project_id=0, description="洞口未覆盖", level=3, measures="加盖板")
    bad = hazards.HazardForm(project_id=0, description="塔吊限位失效", level=1, measures="停用")
    with pytest.raises(ValidationError) as refused, db.session() as s:
        inspection_list.save_visit(s, admin, form=form, findings=[good, bad])
    assert refused.value.fields["finding.1.contingency"].startswith("第 2 条隐患：")
    assert refused.value.fields["finding.1.stop_work"].startswith("第 2 条隐患：一级隐患须提出")
    with db.read() as s:
        assert len(inspections.list_for_project(s, a.project)) == 2
    with db.session() as s:
        saved = inspection_list.save_visit(s, admin, form=form, findings=[good])
    assert saved.changes.inspections and saved.changes.hazards and not saved.changes.reports
    assert saved.hazards[0].found_at.date() == form.date  # found on the day of the visit
    with db.session() as s:
        more = inspection_list.save_visit(s, admin, inspection_id=saved.inspection.id, findings=[
            dataclasses.replace(bad, contingency="设警戒区", stop_work="partial")])
    assert more.changes.reports
    with db.read() as s:
        assert [h.level for h in inspection_list.findings(s, saved.inspection.id)] == [3, 1]
        assert inspection_list.rows_by_ids(s, [saved.inspection.id])[0].hazards == 2
    with pytest.raises(ValueError), db.session() as s:
        inspection_list.save_visit(s, admin)


@pytest.mark.slow
def test_five_thousand_projects_filter_and_page(tmp_path):
    """An agency-scale database: each filter's ids in order and a window of their rows (the
    speed is measured by bench/, not asserted here)."""
    from bench.generate import generate
    from desktop.db import Database

    path = generate(tmp_path, projects=5000, hazards=50_000)["path"]
    db = Database(f"sqlite:///{path}")
    try:
        with db.read() as s:
            for flt, sort in ((ProjectFilter(), "code"), (ProjectFilter(text="越城"), "risk_level"),
                              (ProjectFilter(insurer_id=2, statuses=frozenset({"active"})), "name")):
                found = project_list.project_ids(s, flt, sort=sort)
                rows = project_list.rows_by_ids(s, found[:100])
                assert len(rows) == min(100, len(found)) and found, (flt, sort)
                assert [r.id for r in rows] == found[:100]  # the window in display order
                assert len(set(found)) == len(found) == project_list.count(s, flt)
            assert len(project_list.project_ids(s, ProjectFilter())) == 5000
    finally:
        db.dispose()
