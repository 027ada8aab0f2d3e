"""The archive ledger (N-15): retention from completion, reminders, destruction when approved."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess

import pytest
from sqlalchemy import select

from desktop.models import ArchiveItem, AuditEntry, DestructionRequest
from desktop.models.enums import ArchiveStatus as A
from desktop.reports.archive_docs import build_archive_catalogue, build_destruction_form
from desktop.services import agency, archive, projects, rules
from desktop.services.context import PermissionDenied, TransitionError, ValidationError, now
from desktop.services.exchange import attachments
from tests.factories import make_project

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = now().date()
CLOCK_DAYS = ("TODAY",)  # set again before each test (conftest): a run may cross midnight


@pytest.fixture
def proj(db, admin):
    with db.session() as s:
        return make_project(s, admin)


def complete(db, actor, project_id, day: dt.date) -> None:
    """Mark the project completed through the project service, then refresh retention."""
    with db.session() as s:
        detail = projects.get_detail(s, project_id)
        form = dataclasses.replace(detail.form, status="completed", completion_date=day,
                                   start_date=min(day, detail.form.start_date or day))
        projects.update_project(s, actor, project_id, form, expected_version=detail.project.version)
        archive.refresh_retention(s, project_id)


def add(db, actor, project_id, title="首次风险辨识记录", **kw) -> archive.ArchiveRow:
    with db.session() as s:
        return archive.add_item(s, actor, archive.ArchiveForm(
            project_id=project_id, title=title, pages=kw.pop("pages", 12),
            box=kw.pop("box", "2026-A-01"), shelf=kw.pop("shelf", "档案室 3 号柜"), **kw))


def old_items(db, users, proj, n=2) -> list[archive.ArchiveRow]:
    """Items of a project completed six years ago: retention ended a year ago."""
    rows = [add(db, users["clerk"], proj.project, title=f"检查记录第{i}册") for i in range(1, n + 1)]
    complete(db, users["admin"], proj.project, TODAY.replace(year=TODAY.year - 6))
    return rows


def approve(db, actor, store, request_id, **kw):
    with db.session() as s:
        req = archive.get_request(s, request_id)
        scan = attachments.store_file(s, actor, store_dir=store, data=PDF, original_name="批复.pdf",
                                      owner_type="destruction_request", owner_id=request_id,
                                      role="scan")
        values = {"approved_by_name": "李经理", "approved_at": now(), "approval_ref": "人保绍〔2026〕18号",
                  "approval_attachment_id": scan.id}
        values.update(kw)
        return archive.record_approval(s, actor, request_id, expected_version=req.version, **values)


def test_retention_starts_at_completion_and_follows_the_rule(db, users, proj):
    row = add(db, users["clerk"], proj.project)
    assert row.retention_until is None and row.status == A.ACTIVE and row.filed_by == "内勤文员甲"
    complete(db, users["admin"], proj.project, dt.date(2026, 6, 30))
    with db.session() as s:
        assert archive.get(s, row.id).retention_until == dt.date(2031, 6, 30)
        rules.set_value(s, users["admin"], "archive.retention_years", 8)  # refreshes every item
        assert archive.get(s, row.id).retention_until == dt.date(2034, 6, 30)
        assert archive.refresh_all(s) == 0  # nothing left to move
    later = add(db, users["clerk"], proj.project, title="竣工资料")
    assert later.retention_until == dt.date(2034, 6, 30)  # new items take the project's date
    with db.session() as s, pytest.raises(ValidationError, match="不得少于竣工后 5 年"):
        rules.set_value(s, users["admin"], "archive.retention_years", 4)
    assert archive.retention_until(dt.date(2024, 2, 29), 5) == dt.date(2029, 3, 1)  # leap day → 1 March


def test_items_due_soon_and_past_due(db, users, proj):
    rows = old_items(db, users, proj, n=1)
    other = make_project_completed(db, users, TODAY - dt.timedelta(days=5 * 365 - 20))
    soon = add(db, users["clerk"], other, title="培训记录")
    with db.session() as s:
        due = {r.id: r for r in archive.due_items(s, within_days=60)}
        assert set(due) == {rows[0].id, soon.id}
        assert due[rows[0].id].days_left(TODAY) < 0 < due[soon.id].days_left(TODAY) <= 60
        assert [r.id for r in archive.due_items(s, within_days=0)] == [rows[0].id]


def make_project_completed(db, users, day: dt.date) -> int:
    with db.session() as s:
        ids = make_project(s, users["admin"])
    complete(db, users["admin"], ids.project, day)
    return ids.project


def test_destruction_workflow_request_approval_destruction(db, users, proj, tmp_path):
    store = tmp_path / "attachments"
    rows = old_items(db, users, proj)
    with db.session() as s:
        req = archive.request_destruction(s, users["clerk"], item_ids=[r.id for r in rows],
                                          reason="保存期限已满，申请销毁")
    assert req.insurer_id == proj.insurer and req.status == "requested"
    assert set(req.item_ids) == {r.id for r in rows}
    with db.read() as s:
        assert {archive.get(s, r.id).status for r in rows} == {A.DESTRUCTION_REQUESTED}
    approved = approve(db, users["tech_lead"], store, req.id)
    assert approved.status == "approved" and approved.approval_ref == "人保绍〔2026〕18号"
    with db.session() as s:
        done = archive.record_destruction(s, users["tech_lead"], item_ids=[r.id for r in rows],
                                          note="碎纸机销毁，王某、张某监销")
        assert {r.status for r in done} == {A.DESTROYED}
        assert archive.get_request(s, req.id).status == "done"
        actions = s.execute(select(AuditEntry.action)
                            .where(AuditEntry.entity == "archive_items")).scalars().all()
        assert actions.count("destroy") == 2 and actions.count("request_destruction") == 2
        form = archive.destruction_form_data(s, req.id, number="风控销毁〔2026〕0001号")
        catalogue = archive.catalogue_data(s, proj.project)
    assert form.approved_by_name == "李经理" and form.destroyed_at is not None and len(form.lines) == 2
    assert [x.status for x in catalogue.lines] == ["已销毁", "已销毁"] and catalogue.total_pages == 24
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")
        form = archive.destruction_form_data(s, req.id, number="风控销毁〔2026〕0001号")
        catalogue = archive.catalogue_data(s, proj.project, number="风控档案〔2026〕0001号")
    for builder, data, words in ((build_destruction_form, form, "档案销毁审批表"),
                                 (build_archive_catalogue, catalogue, "档案目录")):
        path = builder(data, tmp_path / f"{words}.pdf")
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert words in text and "绍兴安途安全风控咨询有限公司" in text and "检查记录第1册" in text


def test_destruction_refused_before_retention_ends(db, users, proj):
    row = add(db, users["clerk"], proj.project)
    with db.session() as s, pytest.raises(ValidationError, match="尚未竣工"):
        archive.request_destruction(s, users["clerk"], item_ids=[row.id], reason="清理")
    complete(db, users["admin"], proj.project, TODAY - dt.timedelta(days=365))
    with db.session() as s, pytest.raises(ValidationError, match="尚未届满"):
        archive.request_destruction(s, users["clerk"], item_ids=[row.id], reason="清理")
    with db.read() as s:
        assert archive.get(s, row.id).status == A.ACTIVE
        assert s.execute(select(DestructionRequest)).first() is None


def test_nothing_is_destroyed_without_the_insurers_approval(db, users, proj, tmp_path):
    rows = old_items(db, users, proj)
    with db.session() as s, pytest.raises(TransitionError, match="没有经承保机构书面批准"):
        archive.record_destruction(s, users["admin"], item_ids=[rows[0].id])
    with db.session() as s:
        req = archive.request_destruction(s, users["clerk"], item_ids=[rows[0].id], reason="期满")
    with db.session() as s, pytest.raises(TransitionError, match="没有经承保机构书面批准"):
        archive.record_destruction(s, users["admin"], item_ids=[rows[0].id])
    with db.session() as s, pytest.raises(ValidationError) as err:
        archive.record_approval(s, users["admin"], req.id, expected_version=req.version,
                                approved_by_name="", approved_at=now(), approval_ref="",
                                approval_attachment_id=None)
    assert set(err.value.fields) == {"approved_by_name", "approval_ref", "approval_attachment_id"}
    with db.session() as s:  # a scan attached elsewhere is not this request's approval
        other = attachments.store_file(s, users["admin"], store_dir=tmp_path / "a", data=PDF,
                                       owner_type="archive", owner_id=rows[1].id)
    with db.session() as s, pytest.raises(ValidationError, match="本销毁申请的附件"):
        archive.record_approval(s, users["admin"], req.id, expected_version=req.version,
                                approved_by_name="李经理", approved_at=now(), approval_ref="批复 1 号",
                                approval_attachment_id=other.id)
    with db.read() as s:
        assert {archive.get(s, r.id).status for r in rows} == {A.DESTRUCTION_REQUESTED, A.ACTIVE}
        destroyed = select(ArchiveItem).where(ArchiveItem.status == A.DESTROYED)
        assert s.execute(destroyed).first() is None


def test_roles_and_rejection(db, users, proj, tmp_path):
    rows = old_items(db, users, proj)
    with db.session() as s, pytest.raises(PermissionDenied, match="只读审阅无权"):
        archive.request_destruction(s, users["reviewer"], item_ids=[rows[0].id], reason="期满")
    with db.session() as s, pytest.raises(PermissionDenied):
        archive.add_item(s, users["inspector"],
                         archive.ArchiveForm(project_id=proj.project, title="x", box="1"))
    with db.session() as s:
        req = archive.request_destruction(s, users["clerk"], item_ids=[rows[0].id], reason="期满")
    with db.session() as s, pytest.raises(PermissionDenied, match="内勤文员无权登记档案销毁"):
        archive.record_rejection(s, users["clerk"], req.id, expected_version=req.version,
                                 note="不同意")
    approve(db, users["admin"], tmp_path / "store", req.id)
    with db.session() as s, pytest.raises(PermissionDenied):
        archive.record_destruction(s, users["reviewer"], item_ids=[rows[0].id])
    with db.session() as s:
        second = archive.request_destruction(s, users["clerk"], item_ids=[rows[1].id], reason="期满")
        archive.record_rejection(s, users["admin"], second.id, expected_version=second.version,
                                 note="涉诉项目，暂缓销毁")
        assert archive.get(s, rows[1].id).status == A.ACTIVE
        assert archive.get_request(s, second.id).status == "rejected"
        approved = archive.get(s, rows[0].id)
        with pytest.raises(TransitionError, match="已批准销毁"):
            archive.update_item(s, users["clerk"], rows[0].id, archive.ArchiveForm(
                project_id=proj.project, title="改名", box="1"), expected_version=approved.version)


def test_item_validation(db, users, proj):
    with db.session() as s, pytest.raises(ValidationError) as err:
        archive.add_item(s, users["clerk"], archive.ArchiveForm(
            project_id=proj.project, title=" ", medium="vinyl", pages=0,
            filed_at=TODAY + dt.timedelta(days=3)))
    assert set(err.value.fields) == {"title", "medium", "pages", "filed_at"}
    with db.session() as s, pytest.raises(ValidationError, match="盒号或存放位置"):
        archive.add_item(s, users["clerk"],
                         archive.ArchiveForm(project_id=proj.project, title="纸质"))
    row = add(db, users["clerk"], proj.project, medium="electronic", box="", shelf="")
    with db.session() as s:
        moved = archive.update_item(s, users["clerk"], row.id, archive.ArchiveForm(
            project_id=proj.project, title="首次风险辨识记录（电子版）", medium="electronic",
            shelf="服务器 /archive/2026"), expected_version=row.version)
    assert moved.shelf == "服务器 /archive/2026" and moved.version == row.version + 1
