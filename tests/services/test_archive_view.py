"""The archive page's reads (the ledger filtered in SQL, requests) and the approval kept with
its scan."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from desktop.models import Attachment
from desktop.services import archive, projects
from desktop.services.context import PermissionDenied, ValidationError, now
from desktop.services.queries import archive_view
from desktop.services.queries.archive_view import ArchiveFilter
from tests.factories import make_project

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = now().date()
CLOCK_DAYS = ("TODAY",)  # set again before each test (conftest): a run may cross midnight


def complete(s, actor, project_id, day):  # type: ignore[no-untyped-def]
    detail = projects.get_detail(s, project_id)
    form = dataclasses.replace(detail.form, status="completed", completion_date=day,
                               start_date=min(day, detail.form.start_date or day))
    projects.update_project(s, actor, project_id, form, expected_version=detail.project.version)
    archive.refresh_retention(s, project_id)


@pytest.fixture
def ledger(db, admin):
    """An old project (retention ended), one ending within 90 days, one still running."""
    with db.session() as s:
        old, soon, live = (make_project(s, admin, name=n) for n in ("老城改造", "镜湖学校", "袍江厂房"))
        for ids, titles in ((old, ("检查记录第1册", "整改通知书汇编")), (soon, ("培训记录",)),
                            (live, ("服务合同", "首次风险辨识记录"))):
            for title in titles:
                archive.add_item(s, admin, archive.ArchiveForm(ids.project, title, doc_type="检查记录",
                                                               box="A-01", shelf="档案室 1 号柜"))
        complete(s, admin, old.project, TODAY.replace(year=TODAY.year - 6))
        ends = TODAY + dt.timedelta(days=30)
        complete(s, admin, soon.project, ends.replace(year=ends.year - 5))
    return old, soon, live


def test_filters_and_counts(db, ledger):
    old, soon, live = ledger
    with db.read() as s:
        assert len(archive_view.item_ids(s, ArchiveFilter())) == 5
        past = archive_view.item_ids(s, ArchiveFilter(due="past"))
        assert {r.project_id for r in archive_view.rows_by_ids(s, past)} == {old.project}
        due = archive_view.rows_by_ids(s, archive_view.item_ids(s, ArchiveFilter(due="due_soon")))
        assert [r.title for r in due] == ["培训记录"]
        assert len(archive_view.item_ids(s, ArchiveFilter(project_id=live.project))) == 2
        assert len(archive_view.item_ids(s, ArchiveFilter(text="通知"))) == 1
        assert archive_view.item_ids(s, ArchiveFilter(status="destroyed")) == []
        first_by_title = archive_view.item_ids(s, ArchiveFilter(), sort="title")[:1]
        by_title = archive_view.rows_by_ids(s, first_by_title)
        assert by_title[0].title == "培训记录"  # code-point order of the titles
        counts = archive_view.counts(s)
        assert (counts.total, counts.due_soon, counts.past) == (5, 1, 2)
        completed = [c.completion_date is not None for c in archive_view.project_choices(s)]
        assert completed == [True, True, False]
        with pytest.raises(ValidationError):
            archive_view.item_ids(s, ArchiveFilter(due="someday"))


def test_approval_with_its_scan_or_not_at_all(db, admin, users, ledger, tmp_path):
    old = ledger[0]
    store = tmp_path / "store"
    with db.session() as s:
        ids = archive_view.item_ids(s, ArchiveFilter(project_id=old.project))
        req = archive.request_destruction(s, admin, item_ids=ids, reason="保存期限届满")
    with db.read() as s:
        assert [r.status for r in archive_view.requests(s)] == ["requested"]
    values = dict(expected_version=req.version, approved_by_name="李经理", approved_at=now(),
                  approval_ref="人保绍〔2026〕18号", store_dir=store)
    with pytest.raises(ValidationError) as refused, db.session() as s:
        archive_view.approve_with_scan(s, admin, req.id, scan=None, **values)
    assert set(refused.value.fields) == {"approval_attachment_id"}
    bad = tmp_path / "批复.txt"
    bad.write_text("not a scan")
    with pytest.raises(ValidationError) as refused, db.session() as s:
        archive_view.approve_with_scan(s, admin, req.id, scan=bad, **values)
    assert "不支持的文件类型" in refused.value.fields["approval_attachment_id"]
    with pytest.raises(PermissionDenied), db.session() as s:
        archive_view.approve_with_scan(s, users["clerk"], req.id, scan=bad, **values)
    scan = tmp_path / "批复.pdf"
    scan.write_bytes(PDF)
    with pytest.raises(ValidationError), db.session() as s:  # refused after storing: no row kept
        archive_view.approve_with_scan(s, admin, req.id, scan=scan,
                                       **{**values, "approval_ref": " "})
    with db.read() as s:
        assert s.execute(select(Attachment.id)).first() is None
    with db.session() as s:
        row = archive_view.approve_with_scan(s, admin, req.id, scan=scan, **values)
    assert row.status == "approved" and row.approval_attachment_id is not None
    with db.read() as s:
        assert archive_view.requests(s, open_only=True)[0].approval_ref == "人保绍〔2026〕18号"
        assert {r.status for r in archive_view.rows_by_ids(s, ids)} == {"destruction_approved"}
