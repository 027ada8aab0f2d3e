"""Service plans drafted from the project's records, edited by their author, signed like any plan:
the general plan lists sources and measures per stage, the special plan names its risk factors."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest
from sqlalchemy import select

from desktop.models import AuditEntry, DangerItem, ServicePlan
from desktop.services import catalogues, compliance, documents, plans, projects, risk, risk_sources
from desktop.services.context import (
    ConflictError,
    PermissionDenied,
    TransitionError,
    ValidationError,
    now,
)
from desktop.services.periods import quarter_of
from tests.factories import make_project

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
RULE_ID = re.compile(r"(?<![A-Za-z0-9])[NC]-\d")


@pytest.fixture
def dirs(tmp_path):
    return {"store_dir": tmp_path / "store", "work_dir": tmp_path / "work"}


@pytest.fixture
def pid(db, users):
    """A project with stages, three sources (one level-2 without measures) and a 超危大 item."""
    with db.session() as s:
        ids = make_project(s, users["admin"])
        add = risk_sources.add
        add(s, users["tech_lead"], ids.project, risk_sources.SourceForm(
            "深基坑土方开挖与支护", 1, "基坑工程", stage="地基与基础", measures="设置支护结构并每日监测位移"))
        add(s, users["tech_lead"], ids.project, risk_sources.SourceForm(
            "塔式起重机安装拆卸", 2, "起重吊装", stage="主体结构"))
        add(s, users["tech_lead"], ids.project, risk_sources.SourceForm(
            "一般模板安装与拆除作业", 3, "模板工程", stage="主体结构"))
        projects.add_danger_item(s, users["admin"], ids.project, name="深基坑工程（开挖深度6.5m）",
                                 is_super=True, status="in_progress", planned_start=dt.date(2026, 2, 1),
                                 planned_end=dt.date(2026, 12, 31), parameters="开挖深度6.5m")
        return ids.project


def source_id(db, pid, name):
    with db.read() as s:
        return next(r.id for r in risk_sources.list_for_project(s, pid) if r.name == name)


def assess(db, users, pid):
    with db.session() as s:
        return risk.assess(s, users["tech_lead"], pid)


def draft(db, actor, dirs, kind, pid):
    with db.session() as s:
        return documents.generate_draft(s, actor, kind=kind, scope_type="project", scope_id=pid, **dirs)


def sign(db, actor, row, dirs):
    with db.session() as s:
        return documents.sign(s, actor, row.id, expected_version=row.version, **dirs)


def pdftext(dirs, row) -> str:
    path = documents.file_path(dirs["store_dir"], row)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                         text=True, check=True)
    return "".join(out.stdout.split())


def save(db, actor, pid, kind="general", version=None, **edits):
    with db.session() as s:
        return plans.save(s, actor, pid, kind, plans.PlanEdits(**edits), expected_version=version)


def test_the_draft_lists_each_stage_with_its_sources_and_danda_items(db, users, pid):
    with db.read() as s:
        plan = plans.draft(s, pid)
    by_stage = {st.name: st for st in plan.stages}
    assert [x.name for x in by_stage["地基与基础"].sources] == ["深基坑土方开挖与支护"]
    assert {x.name for x in by_stage["主体结构"].sources} == {"塔式起重机安装拆卸", "一般模板安装与拆除作业"}
    assert by_stage[plans.NO_STAGE].dangers[0].name == "深基坑工程（开挖深度6.5m）"
    assert plan.missing_measures == ("塔式起重机安装拆卸",)
    assert plan.sections["items"] == plan.defaults["items"]


def test_catalogue_measures_stand_in_for_a_source_without_its_own(db, users, pid):
    with db.session() as s:
        catalogues.load_all(s)
        risk_sources.import_catalogue(s, users["tech_lead"], pid, item_codes=("QZ-01",))
        source = next(r for r in risk_sources.list_for_project(s, pid) if r.catalogue_item_id)
        from desktop.models import CatalogueItem, RiskSource

        s.get(CatalogueItem, source.catalogue_item_id).sub_items = ["专项方案经审批后实施", "安装后验收合格方可使用"]
        s.get(RiskSource, source.id).measures = ""
    with db.read() as s:
        line = next(x for x in plans.draft(s, pid).sources if x.id == source.id)
    assert line.measures == "专项方案经审批后实施\n安装后验收合格方可使用"


@needs_poppler
def test_plan_text_lists_sources_and_measures_per_stage(db, users, pid, dirs):
    text = pdftext(dirs, draft(db, users["clerk"], dirs, "service_plan", pid))
    assert "深基坑土方开挖与支护（一级）" in text and "塔式起重机安装拆卸（二级）" in text
    assert "设置支护结构并每日监测位移" in text
    assert "（未填写管控措施，签发前须补充）" in text
    assert "深基坑工程（开挖深度6.5m）（超危大）" in text
    assert not RULE_ID.search(text)


def test_signing_is_refused_while_a_level_2_source_has_no_measures(db, users, pid, dirs):
    row = draft(db, users["clerk"], dirs, "service_plan", pid)
    with pytest.raises(ValidationError, match="一、二级风险源未填写管控措施.*塔式起重机安装拆卸"):
        sign(db, users["tech_lead"], row, dirs)
    sid = source_id(db, pid, "塔式起重机安装拆卸")
    save(db, users["clerk"], pid, source_measures={sid: "安装拆卸前核查专项方案，验收合格后使用"})
    row = draft(db, users["clerk"], dirs, "service_plan", pid)
    signed = sign(db, users["tech_lead"], row, dirs)
    assert signed.status == "signed"
    with db.read() as s:
        plan = s.execute(select(ServicePlan).where(ServicePlan.project_id == pid)).scalar_one()
        assert (plan.status, plan.document_id, plan.visit_interval_days) == ("signed", signed.id, 30)  # not assessed: the shortest


@needs_poppler
def test_edits_are_kept_printed_and_audited(db, users, pid, dirs):
    sid = source_id(db, pid, "塔式起重机安装拆卸")
    plan = save(db, users["clerk"], pid, sections={"goals": ["全年无较大及以上生产安全事故。", ""]},
                source_measures={sid: "安装拆卸由具备资质的单位实施"})
    assert plan.sections["goals"] == ("全年无较大及以上生产安全事故。",)
    assert plan.sections["items"] == plan.defaults["items"]
    again = save(db, users["tech_lead"], pid, version=plan.version,
                 sections={"goals": ["全年无较大及以上生产安全事故。"], "staffing": ["项目负责人每月到场一次。"]})
    assert again.plan_id == plan.plan_id and again.sections["staffing"] == ("项目负责人每月到场一次。",)
    with pytest.raises(ConflictError):
        save(db, users["clerk"], pid, version=plan.version, sections={"goals": ["过期的版本"]})
    with db.read() as s:
        actions = s.execute(select(AuditEntry.action).where(
            AuditEntry.entity == "service_plans", AuditEntry.entity_id == plan.plan_id)
            .order_by(AuditEntry.id)).scalars().all()
    assert actions == ["create", "edit_plan"]
    text = pdftext(dirs, draft(db, users["clerk"], dirs, "service_plan", pid))
    assert "全年无较大及以上生产安全事故" in text and "项目负责人每月到场一次" in text
    assert "安装拆卸由具备资质的单位实施" in text


def test_facts_are_not_editable_and_bad_wording_is_refused(db, users, pid):
    with pytest.raises(ValidationError) as err:
        save(db, users["clerk"], pid, sections={"items": [" ", ""], "stages": ["地基"]},
             source_measures={999999: "x"})
    assert set(err.value.fields) == {"section.items", "section.stages", "source.999999"}
    with pytest.raises(ValidationError, match="每条不超过 500 字"):
        save(db, users["clerk"], pid, sections={"goals": ["目" * 501]})


def test_editing_needs_the_plan_permission(db, users, pid):
    for role in ("inspector", "reviewer"):
        with pytest.raises(PermissionDenied):
            save(db, users[role], pid, sections={"goals": ["x"]})
    assert save(db, users["admin"], pid, sections={"goals": ["x"]}).sections["goals"] == ("x",)


def test_a_signed_plan_is_not_edited_an_edit_starts_the_next_revision(db, users, pid, dirs):
    sid = source_id(db, pid, "塔式起重机安装拆卸")
    save(db, users["clerk"], pid, source_measures={sid: "验收合格后使用"})
    first = sign(db, users["tech_lead"], draft(db, users["clerk"], dirs, "service_plan", pid), dirs)
    later = save(db, users["clerk"], pid, sections={"goals": ["修订后的目标。"]})
    assert later.revision == 2
    with db.read() as s:
        rows = {p.revision: p for p in s.execute(select(ServicePlan).where(
            ServicePlan.project_id == pid)).scalars()}
        assert rows[1].status == "signed" and rows[2].status == "draft"
        assert rows[1].content["edits"].get("sections") == {}
    with db.session() as s:
        fix = documents.correct(s, users["clerk"], first.id, reason="修订服务目标", **dirs)
    second = sign(db, users["tech_lead"], fix, dirs)
    with db.read() as s:
        rows = {p.revision: (p.status, p.document_id) for p in s.execute(select(ServicePlan).where(
            ServicePlan.project_id == pid)).scalars()}
    assert rows == {1: ("superseded", first.id), 2: ("signed", second.id)}


def test_a_special_plan_is_refused_for_a_low_risk_project(db, users, pid, dirs):
    with pytest.raises(ValidationError, match="专项服务方案适用于高风险和中风险项目"):
        save(db, users["clerk"], pid, "special", sections={"goals": ["x"]})
    with pytest.raises(ValidationError, match="专项服务方案适用于高风险和中风险项目"):
        draft(db, users["clerk"], dirs, "special_plan", pid)


@needs_poppler
def test_a_special_plan_names_its_risk_factors_targets_and_raised_frequency(db, users, pid, dirs):
    assert assess(db, users, pid).level == "high"
    with db.read() as s:
        plan = plans.draft(s, pid, "special")
    codes = [f.code for f in plan.factors]
    assert "super_danda_in_progress" in codes and plan.interval_days == 30
    save(db, users["clerk"], pid, "special",
         factor_measures={"super_danda_in_progress": "深基坑开挖期间每周到场检查一次"},
         source_measures={source_id(db, pid, "塔式起重机安装拆卸"): "验收合格后使用"})
    row = draft(db, users["clerk"], dirs, "special_plan", pid)
    text = pdftext(dirs, row)
    assert "风险等级及判定依据" in text and "本项目风险等级为高风险" in text
    assert "超危大工程施工中：深基坑工程（开挖深度6.5m）" in text
    assert "深基坑开挖期间每周到场检查一次" in text
    assert "加密隐患排查" in text and "每30天不少于1次" in text
    assert "一般模板安装与拆除作业" not in text.split("主要风险源及管控措施")[1].split("针对")[0]
    assert not RULE_ID.search(text)
    own = draft(db, users["tech_lead"], dirs, "special_plan", pid)
    with pytest.raises(TransitionError, match="编制人与审核人不能为同一人"):
        sign(db, users["tech_lead"], own, dirs)
    signed = sign(db, users["tech_lead"], draft(db, users["clerk"], dirs, "special_plan", pid), dirs)
    assert re.search(r"方案〔\d{4}〕1号$", signed.number), signed.number
    with db.read() as s:
        assert risk.special_plans_signed(s, project_ids=[pid]) == {pid}
        assert risk.visit_schedule(s, today=now().date())[0].from_plan


def test_c3b_counts_special_plans_signed_by_the_end_of_the_period(db, users, pid, dirs):
    assess(db, users, pid)
    quarter = quarter_of(now().date())

    def item():
        with db.read() as s:
            result = compliance.evaluate(s, period=quarter, scope_type="project", scope_id=pid)
        return next(r for r in result.items if r.item.id == "C-3b")

    before = item()
    assert [g.project_id for g in before.gaps] == [pid]
    save(db, users["clerk"], pid, "special",
         source_measures={source_id(db, pid, "塔式起重机安装拆卸"): "验收合格后使用"})
    sign(db, users["tech_lead"], draft(db, users["clerk"], dirs, "special_plan", pid), dirs)
    after = item()
    assert after.gaps == () and after.status == "met"
    assert [e.count for e in after.evidence] == [1, 1]
    with db.read() as s:  # signed today: it was not there the day before
        yesterday = now().date() - dt.timedelta(days=1)
        assert risk.special_plans_signed(s, upto=yesterday, project_ids=[pid]) == set()
        # assessed today as well: the day before it was not yet high or medium risk, nothing owed
        assert risk.special_plan_missing(s, project_ids=[pid], upto=yesterday) == []


def test_a_plan_drafted_at_a_past_moment_lists_the_sources_and_danda_items_of_then(db, users):
    """Drafted under a pinned clock (as the demo drafts past quarters' plans): a source or 危大
    item recorded after that day is not listed, a source lists the level it had then, and an item
    started later is still 计划 — the register as it stood, not as it stands."""
    from desktop import clock
    from desktop.services import project_facts

    lead, admin = users["tech_lead"], users["admin"]
    past = clock.wall_now().replace(microsecond=0) - dt.timedelta(days=10)
    with db.session() as s:
        project = make_project(s, admin).project
    with clock.pinned(past - dt.timedelta(days=2)), db.session() as s:
        early = risk_sources.add(s, lead, project, risk_sources.SourceForm(
            "外脚手架搭设与拆除", 3, "脚手架工程", stage="主体结构", measures="按方案搭设并验收"))
        item = projects.add_danger_item(s, admin, project, name="落地式钢管脚手架工程（搭设高度30m）",
                                        planned_start=past.date() - dt.timedelta(days=5))
    with db.session() as s:  # afterwards, on the real clock
        risk_sources.add(s, lead, project, risk_sources.SourceForm(
            "施工升降机安装拆卸", 2, "起重吊装", measures="安装后检测验收"))
        projects.add_danger_item(s, admin, project, name="施工升降机安装工程")
        risk_sources.update(s, lead, early.id, risk_sources.SourceForm(
            early.name, 2, early.category, early.location, early.stage, early.measures), expected_version=early.version)
        version = s.get(DangerItem, item).version
        project_facts.update_danger_item(s, admin, item, project_facts.DangerEdit(
            name="落地式钢管脚手架工程（搭设高度30m）", status="in_progress",
            planned_start=past.date() - dt.timedelta(days=5), actual_start=past.date() + dt.timedelta(days=3)),
            expected_version=version)
    with clock.pinned(past), db.read() as s:
        then = plans.draft(s, project)
    assert [(x.name, x.level) for x in then.sources] == [("外脚手架搭设与拆除", 3)]
    assert [(d.name, d.status, d.start) for d in then.dangers] == [
        ("落地式钢管脚手架工程（搭设高度30m）", "planned", past.date() - dt.timedelta(days=5))]
    with db.read() as s:
        current = plans.draft(s, project)
    assert [(x.name, x.level) for x in current.sources] == [("外脚手架搭设与拆除", 2), ("施工升降机安装拆卸", 2)]
    assert {(d.name, d.status) for d in current.dangers} == {
        ("落地式钢管脚手架工程（搭设高度30m）", "in_progress"), ("施工升降机安装工程", "planned")}
