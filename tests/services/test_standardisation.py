"""安全生产标准化建设: assistance recorded per project (items checked, advice, follow-up), its
section in the service plan and its line in the periodic safety analysis."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from sqlalchemy import select

from desktop.models import AuditEntry
from desktop.services import agency, documents, recycle, standardisation
from desktop.services.context import ConflictError, PermissionDenied, ValidationError
from desktop.services.standardisation import AssistForm
from tests.factories import make_project

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


def form(**changes) -> AssistForm:
    base = dict(date=dt.date(2026, 2, 10), items=("electricity", "management"), other_items="班前教育记录",
                advice="配电箱门锁缺失，应完善三级配电两级保护；补齐班前教育记录。")
    base.update(changes)
    return AssistForm(**base)


def pdftext(path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                         check=True)
    return "".join(out.stdout.split())


@pytest.fixture
def project(db, admin):
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")
        return make_project(s, admin)


def test_record_then_follow_up_audited(db, users, project):
    with db.session() as s:
        row = standardisation.record(s, users["inspector"], project.project, form())
    assert row.item_labels == ("安全管理", "施工用电", "班前教育记录") and not row.followed_up
    with db.session() as s:
        done = standardisation.edit(s, users["inspector"], row.id, form(
            follow_up_on=dt.date(2026, 3, 1), follow_up_result="已整改到位"), expected_version=row.version)
    assert done.followed_up and done.follow_up_result == "已整改到位"
    with pytest.raises(ConflictError), db.session() as s:
        standardisation.edit(s, users["inspector"], row.id, form(), expected_version=row.version)
    with db.read() as s:
        actions = s.execute(select(AuditEntry.action, AuditEntry.note).where(
            AuditEntry.entity == "standardisation_assists").order_by(AuditEntry.id)).all()
        assert standardisation.for_project(s, project.project) == [done]
    assert [tuple(a) for a in actions] == [("create", "登记安全生产标准化建设协助"), ("update", "登记跟踪复查")]


@pytest.mark.parametrize(("changes", "field", "text"), [
    (dict(date=dt.date(2099, 1, 1)), "date", "协助日期不能晚于今天"),
    (dict(items=(), other_items=""), "items", "请勾选检查项目或填写其他检查内容"),
    (dict(items=("roof",)), "items", "未知的检查项目：roof"),
    (dict(other_items="项" * 201), "other_items", "其他检查内容不超过 200 字"),
    (dict(advice=" "), "advice", "请填写提出的建议"),
    (dict(follow_up_result="已整改"), "follow_up_on", "请填写跟踪复查日期"),
    (dict(follow_up_on=dt.date(2026, 3, 1)), "follow_up_result", "请填写跟踪复查结果"),
    (dict(follow_up_on=dt.date(2026, 2, 1), follow_up_result="已整改"), "follow_up_on", "跟踪复查日期不能早于协助日期"),
    (dict(follow_up_on=dt.date(2099, 2, 1), follow_up_result="已整改"), "follow_up_on", "跟踪复查日期不能晚于今天"),
])
def test_bad_input_is_refused_in_chinese(db, admin, project, changes, field, text):
    with pytest.raises(ValidationError) as refused, db.session() as s:
        standardisation.record(s, admin, project.project, form(**changes))
    assert refused.value.fields[field] == text


def test_permissions_and_the_recycle_bin(db, users, project):
    with pytest.raises(PermissionDenied), db.session() as s:
        standardisation.record(s, users["reviewer"], project.project, form())
    with db.session() as s:
        row = standardisation.record(s, users["clerk"], project.project, form())
    with pytest.raises(PermissionDenied), db.session() as s:
        standardisation.delete(s, users["reviewer"], row.id, expected_version=row.version, reason="错录")
    with db.session() as s:
        standardisation.delete(s, users["clerk"], row.id, expected_version=row.version, reason="错录")
    with db.read() as s:
        assert standardisation.for_project(s, project.project) == []
        assert [b.kind_label for b in recycle.list_bin(s, users["admin"])] == ["安全生产标准化建设协助"]


def test_period_count_counts_assists_projects_and_follow_ups(db, admin, project):
    with db.session() as s:
        other = make_project(s, admin, name="另一项目")
        standardisation.record(s, admin, project.project, form(date=dt.date(2026, 1, 20)))
        standardisation.record(s, admin, project.project, form(
            date=dt.date(2026, 3, 20), follow_up_on=dt.date(2026, 4, 2), follow_up_result="已落实"))
        standardisation.record(s, admin, other.project, form(date=dt.date(2026, 4, 5)))
    with db.read() as s:
        q1 = standardisation.period_count(s, [project.project, other.project], dt.date(2026, 1, 1),
                                          dt.date(2026, 3, 31))
        q2 = standardisation.period_count(s, [project.project, other.project], dt.date(2026, 4, 1),
                                          dt.date(2026, 6, 30))
        only = standardisation.period_count(s, [other.project], dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert (q1.assists, q1.projects, q1.follow_ups) == (2, 1, 0)
    assert (q2.assists, q2.projects, q2.follow_ups) == (1, 1, 1)
    assert (only.assists, only.follow_ups) == (0, 0)


@needs_poppler
def test_the_plan_has_a_standardisation_section(db, users, project, tmp_path):
    dirs = {"store_dir": tmp_path / "store", "work_dir": tmp_path / "work"}
    with db.session() as s:
        standardisation.record(s, users["clerk"], project.project, form(
            follow_up_on=dt.date(2026, 2, 20), follow_up_result="已整改到位"))
        doc = documents.generate_draft(s, users["clerk"], kind="service_plan", scope_type="project",
                                       scope_id=project.project, **dirs)
    text = pdftext(documents.file_path(dirs["store_dir"], doc))
    for fact in ("安全生产标准化建设：协助投保单位", "、安全生产标准化建设", "计划检查的项目：安全管理、文明施工、",
                 "塔式起重机与起重吊装、施工升降机与物料提升机、施工机具。", "已开展的标准化建设协助",
                 "配电箱门锁缺失", "2026年2月20日", "已整改到位"):
        assert fact in text, fact


@needs_poppler
def test_the_safety_analysis_states_the_assistance_of_the_period(db, users, project, tmp_path):
    dirs = {"store_dir": tmp_path / "store", "work_dir": tmp_path / "work"}
    with db.session() as s:
        standardisation.record(s, users["clerk"], project.project, form(
            date=dt.date(2026, 2, 10), follow_up_on=dt.date(2026, 3, 1), follow_up_result="已落实"))
        standardisation.record(s, users["clerk"], project.project, form(date=dt.date(2026, 3, 15)))
        standardisation.record(s, users["clerk"], project.project, form(date=dt.date(2026, 5, 15)))
        q1 = documents.generate_draft(s, users["clerk"], kind="safety_analysis", scope_type="project",
                                      scope_id=project.project, period="2026Q1", **dirs)
        q3 = documents.generate_draft(s, users["clerk"], kind="safety_analysis", scope_type="agency",
                                      scope_id=None, period="2026Q3", **dirs)
    text = pdftext(documents.file_path(dirs["store_dir"], q1))
    assert "本期开展安全生产标准化建设协助2次，涉及1个项目；完成建议落实情况跟踪复查1次。" in text
    assert "本期未开展安全生产标准化建设协助。" in pdftext(documents.file_path(dirs["store_dir"], q3))
