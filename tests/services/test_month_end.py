"""Month-end batch (issue 16 §5): the period's due documents drafted in one run, a cancel that
keeps what is done and leaves nothing half made, batch signing with each refusal kept, batch
submissions that lower the self-check's count of outputs not sent."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from desktop import clock
from desktop.models import Attachment, Document, Submission
from desktop.services import agency, compliance, month_end
from desktop.services.context import Cancelled, ValidationError
from desktop.services.periods import parse
from tests.factories import make_project


@pytest.fixture
def dirs(tmp_path):
    return {"store_dir": tmp_path / "store", "work_dir": tmp_path / "work"}


@pytest.fixture
def site(db, users, monkeypatch):
    instant = dt.datetime(2026, 7, 5, 2, 0, tzinfo=dt.UTC)  # 10:00 China time
    monkeypatch.setattr(clock, "system_time", lambda: instant)
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")
        return make_project(s, users["admin"])


def unsent(db) -> int:
    with db.read() as s:
        result = compliance.evaluate(s, period=parse("2026Q2"), scope_type="agency", scope_id=None)
    return len(result.get("C-7b").gaps)


def test_plan_draft_sign_and_submit(db, users, site, dirs):
    with db.read() as s:
        planned = month_end.plan(s, period="2026-06", scope_type="agency", scope_id=None)
    # June and the second quarter end in June: three outputs each
    assert sorted((p.period, p.kind) for p in planned) == sorted(
        (label, kind) for label in ("2026-06", "2026Q2") for kind in compliance.DOC_KINDS)
    assert str(planned[0].title).startswith("2026年")
    progress_seen = []
    result = month_end.draft_all(db.session, users["clerk"], period="2026-06", scope_type="agency",
                                 scope_id=None, progress=lambda d, t, _x: progress_seen.append((d, t)) or True,
                                 **dirs)
    assert len(result.drafted) == 6 and not result.refused
    assert progress_seen[-1] == (6, 6)
    with db.read() as s:
        assert all(p.status == "draft" for p in month_end.plan(s, period="2026-06", scope_type="agency",
                                                             scope_id=None))
    # the technical lead drafts one himself: he may not sign what he compiled
    own = result.drafted[0]
    with db.session() as s:
        from desktop.services import documents
        documents.generate_draft(s, users["tech_lead"], kind=own.kind, scope_type="agency", scope_id=None,
                                 period=own.period, **dirs)
    before = unsent(db)
    signed = month_end.sign_all(db.session, users["tech_lead"], [d.id for d in result.drafted], **dirs)
    refused = signed.refused
    assert [o.document_id for o in refused] == [own.id]
    assert "编制人与审核人不能为同一人" in refused[0].message
    ok_ids = [o.document_id for o in signed.outcomes if o.ok]
    assert len(ok_ids) == 5
    with db.read() as s:
        targets = month_end.recipients(s, ok_ids[0])
    assert {r for r, _ in targets} == {"insurer", "authority"}
    at = dt.datetime(2026, 7, 5, 9, 30)
    sent = month_end.submit_all(db.session, users["clerk"], ok_ids, channel="邮件", submitted_at=at)
    assert all(o.ok for o in sent.outcomes)
    with db.read() as s:
        rows = s.execute(select(Submission.channel, Submission.submitted_at)).all()
    assert len(rows) == 10 and set(rows) == {("邮件", at)}
    assert unsent(db) == before - 10
    # logging again adds nothing: each recipient already has the document
    month_end.submit_all(db.session, users["clerk"], ok_ids, channel="邮件", submitted_at=at)
    with db.read() as s:
        assert s.execute(select(func.count(Submission.id))).scalar_one() == 10
    # a signed document is not drafted again; the refused one still is
    with db.read() as s:
        left = [p for p in month_end.plan(s, period="2026-06", scope_type="agency", scope_id=None)
                if p.status != "signed"]
    assert [p.document_id for p in left] == [own.id]


def test_cancel_keeps_whole_documents_only(db, users, site, dirs):
    def stop_after_two(done, _total, _text):  # type: ignore[no-untyped-def]
        return done < 2

    with pytest.raises(Cancelled) as caught:
        month_end.draft_all(db.session, users["clerk"], period="2026-06", scope_type="agency", scope_id=None,
                            progress=stop_after_two, **dirs)
    assert "已生成 2 份草稿" in str(caught.value)
    with db.read() as s:
        docs = s.execute(select(Document.file_sha256, Document.status)).all()
        files = s.execute(select(func.count(Attachment.id)).where(Attachment.owner_type == "document")).scalar_one()
    assert len(docs) == 2 and all(sha and status == "draft" for sha, status in docs)
    assert files == 2


def test_bad_requests(db, users, site, dirs):
    with db.read() as s, pytest.raises(ValidationError):
        month_end.plan(s, period="2026-13", scope_type="agency", scope_id=None)
    with db.read() as s, pytest.raises(ValidationError):
        month_end.plan(s, period="2026-09", scope_type="agency", scope_id=None)  # not begun
    with pytest.raises(ValidationError):
        month_end.submit_all(db.session, users["clerk"], [1], channel=" ")
