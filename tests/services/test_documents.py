"""Documents from the database: draft, sign-off by the technical lead only, corrections, submissions."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import shutil
import subprocess
from dataclasses import replace

import pytest
from PIL import Image
from sqlalchemy import func, select

from desktop import clock
from desktop.models import (
    Attachment,
    AuditEntry,
    Document,
    Escalation,
    ExternalReport,
    Sequence,
    ServicePlan,
    Submission,
)
from desktop.services import agency, documents, hazards
from desktop.services.context import NotFound, PermissionDenied, TransitionError, ValidationError
from desktop.services.exchange import attachments
from desktop.services.queries import doc_outputs
from tests.factories import make_project

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
NUMBER = re.compile(r"^风控停工〔2026〕([1-9]\d*)号$")  # no agency code set, no short name: 风控


def pdftext(path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    return "".join(out.stdout.split())


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 90, 40)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def dirs(tmp_path):
    return {"store_dir": tmp_path / "store", "work_dir": tmp_path / "work"}


@pytest.fixture
def site(db, users, dirs):
    """A project with a level-1 hazard (partial stop-work, photographed) and its owed reports."""
    admin = users["admin"]
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")
        ids = make_project(s, admin)
        h = hazards.record(s, users["inspector"], hazards.HazardForm(
            project_id=ids.project, description="3#楼外脚手架连墙件缺失约6处", level=1, location="3#楼外脚手架",
            measures="立即补设连墙件并验收", contingency="停止该区域作业，设置警戒区", stop_work="partial",
            category="脚手架", found_at=dt.datetime(2026, 8, 5, 9, 30)))
        attachments.store_file(s, users["inspector"], store_dir=dirs["store_dir"], data=jpeg(), original_name="a.jpg",
                               owner_type="hazard", owner_id=h.id, role="before")
    return ids, h


def draft(db, actor, dirs, kind="stop_work", scope_type="hazard", scope_id=None, period=""):
    with db.session() as s:
        return documents.generate_draft(s, actor, kind=kind, scope_type=scope_type, scope_id=scope_id,
                                        period=period, **dirs)


def sign(db, actor, row, dirs):
    with db.session() as s:
        return documents.sign(s, actor, row.id, expected_version=row.version, **dirs)


@needs_poppler
def test_stop_work_from_draft_to_signed_by_the_technical_lead_only(db, users, site, dirs):
    ids, h = site
    row = draft(db, users["inspector"], dirs, scope_id=h.id)
    assert row.status == "draft" and row.display_number == documents.NUMBER_PENDING
    assert row.title == f"局部停工建议书（{h.number}）" and row.kind_label == "停工（局部停工）建议书"
    text = pdftext(documents.file_path(dirs["store_dir"], row))
    assert "草稿" in text and "签发时编号" in text and h.number in text
    for role in ("clerk", "inspector", "admin"):
        with pytest.raises(PermissionDenied, match="无权签发文书"), db.session() as s:
            documents.sign(s, users[role], row.id, expected_version=row.version, **dirs)
    draft_sha = row.file_sha256
    signed = sign(db, users["tech_lead"], row, dirs)
    assert signed.status == "signed" and signed.signed_by == "技术负责人甲" and signed.signed_at is not None
    assert NUMBER.match(signed.number)
    path = documents.file_path(dirs["store_dir"], signed)
    content = path.read_bytes()
    assert hashlib.sha256(content).hexdigest() == signed.file_sha256 and len(content) == signed.file_size
    text = pdftext(path)
    assert signed.number in text and "草稿" not in text and "技术负责人甲" in text
    assert not attachments.blob_path(dirs["store_dir"], draft_sha).exists()  # a draft is not a record
    with db.read() as s:
        kept = s.execute(select(Attachment).where(Attachment.owner_type == "document",
                                                  Attachment.owner_id == row.id)).scalars().all()
        assert [a.sha256 for a in kept] == [signed.file_sha256] and kept[0].role == "document"
        actions = s.execute(select(AuditEntry.action).where(AuditEntry.entity == "documents",
                                                            AuditEntry.entity_id == row.id)).scalars().all()
        assert actions == ["create", "sign"]
        assert attachments.verify_store(s, dirs["store_dir"]).ok


def test_a_signed_document_cannot_change(db, users, site, dirs):
    _, h = site
    signed = sign(db, users["tech_lead"], draft(db, users["inspector"], dirs, scope_id=h.id), dirs)
    with pytest.raises(TransitionError, match="已签发"), db.session() as s:
        documents.sign(s, users["tech_lead"], signed.id, expected_version=signed.version, **dirs)
    with pytest.raises(TransitionError, match="更正"):
        draft(db, users["inspector"], dirs, scope_id=h.id)
    with pytest.raises(TransitionError, match="不能修改"), db.session() as s:
        s.get(Document, signed.id).title = "改过的标题"
        s.flush()
    with pytest.raises(TransitionError, match="不能修改"), db.session() as s:
        s.get(Document, signed.id).file_sha256 = "0" * 64  # the stored file is fixed as well
        s.flush()
    with pytest.raises(TransitionError, match="不能删除"), db.session() as s:
        s.delete(s.get(Document, signed.id))
        s.flush()
    with pytest.raises(TransitionError), db.session() as s:
        documents.discard_draft(s, users["inspector"], signed.id, expected_version=signed.version,
                                store_dir=dirs["store_dir"])
    with db.read() as s:
        assert documents.get(s, signed.id) == signed


def test_a_new_draft_replaces_the_old_one_and_takes_no_number(db, users, site, dirs):
    _, h = site
    first = draft(db, users["inspector"], dirs, scope_id=h.id)
    second = draft(db, users["clerk"], dirs, scope_id=h.id)
    assert second.id == first.id and second.version > first.version and second.created_by == "内勤文员甲"
    assert second.file_sha256 != first.file_sha256
    assert not attachments.blob_path(dirs["store_dir"], first.file_sha256).exists()
    report = draft(db, users["inspector"], dirs, kind="hazard_report", scope_id=h.id)
    with db.session() as s:
        documents.discard_draft(s, users["inspector"], report.id, expected_version=report.version,
                                store_dir=dirs["store_dir"])
    with db.read() as s:
        assert s.execute(select(func.count(Document.id))).scalar_one() == 1
        assert s.execute(select(func.count(Sequence.id)).where(Sequence.name.like("doc:%"))).scalar_one() == 0
        assert attachments.verify_store(s, dirs["store_dir"]).ok
    assert NUMBER.match(sign(db, users["tech_lead"], second, dirs).number)[1] == "1"


def test_numbers_are_taken_at_signing_gap_free_per_prefix(db, users, site, dirs, monkeypatch):
    ids, h = site
    with db.session() as s:
        row = hazards.get(s, h.id)
        hazards.issue_notice(s, users["admin"], h.id, expected_version=row.version, at=dt.datetime(2026, 8, 5, 11))
        row = hazards.get(s, h.id)
        hazards.record_delivery(s, users["admin"], h.id, expected_version=row.version, received_by="张三",
                                at=dt.datetime(2026, 8, 5, 15))
        row = hazards.get(s, h.id)
        hazards.escalate(s, users["admin"], h.id, expected_version=row.version, kind="refusal", note="拒绝停工",
                         at=dt.datetime(2026, 8, 6, 9))
        esc = s.execute(select(Escalation.id)).scalar_one()
    report = draft(db, users["inspector"], dirs, kind="hazard_report", scope_id=h.id)
    refusal = draft(db, users["inspector"], dirs, kind="refusal_report", scope_type="escalation", scope_id=esc)
    broken = doc_outputs.prepare

    def fails_when_final(session, req, *, store_dir):
        if not req.draft:
            raise OSError("磁盘已满")
        return broken(session, req, store_dir=store_dir)

    monkeypatch.setattr(doc_outputs, "prepare", fails_when_final)
    with pytest.raises(OSError):
        sign(db, users["tech_lead"], refusal, dirs)
    monkeypatch.undo()
    # the failed signing gave its number back: the two reports share the 风控报告 series
    assert sign(db, users["tech_lead"], refusal, dirs).number == "风控报告〔2026〕1号"
    assert sign(db, users["tech_lead"], report, dirs).number == "风控报告〔2026〕2号"
    with db.read() as s:
        assert s.get(Escalation, esc).document_id == refusal.id


@needs_poppler
def test_a_correction_supersedes_only_once_signed(db, users, site, dirs):
    _, h = site
    v1 = sign(db, users["tech_lead"], draft(db, users["inspector"], dirs, scope_id=h.id), dirs)
    with pytest.raises(ValidationError) as err, db.session() as s:
        documents.correct(s, users["clerk"], v1.id, reason=" ", **dirs)
    assert "reason" in err.value.fields
    with db.session() as s:
        hazards.update(s, users["admin"], h.id, expected_version=hazards.get(s, h.id).version,
                       location="3#楼东侧外脚手架")
        v2 = documents.correct(s, users["clerk"], v1.id, reason="部位表述不准确", **dirs)
    with db.session() as s:
        again = documents.correct(s, users["clerk"], v1.id, reason="部位表述不准确（复核）", **dirs)
    assert again.id == v2.id and v2.number == v1.number and v2.revision == 2 and v2.supersedes_id == v1.id
    with db.read() as s:
        assert documents.get(s, v1.id).status == "signed"  # still in force while the correction is a draft
    text = pdftext(documents.file_path(dirs["store_dir"], again))
    assert "草稿" in text and f"{v1.number}（第2版）" in text and "3#楼东侧外脚手架" in text
    v2 = sign(db, users["tech_lead"], again, dirs)
    with db.read() as s:
        old = documents.get(s, v1.id)
        assert old.status == "superseded" and old.superseded_by_id == v2.id
        assert old.file_sha256 == v1.file_sha256 and documents.file_path(dirs["store_dir"], old).is_file()
        assert [r.id for r in documents.register(s, kind="stop_work")] == [v2.id, v1.id]
        assert [r.id for r in documents.register(s, kind="stop_work", include_superseded=False)] == [v2.id]
    assert f"{v1.number}（第2版）" in pdftext(documents.file_path(dirs["store_dir"], v2))
    for fn in (lambda s: documents.correct(s, users["clerk"], v1.id, reason="再改", **dirs),
               lambda s: documents.record_submission(s, users["clerk"], v1.id, recipient="insurer", channel="邮件")):
        with pytest.raises(TransitionError), db.session() as s:
            fn(s)


def test_submissions_are_logged_and_settle_the_owed_hazard_report(db, users, site, dirs):
    ids, h = site
    row = draft(db, users["inspector"], dirs, kind="hazard_report", scope_id=h.id)
    with pytest.raises(TransitionError, match="签发后"), db.session() as s:
        documents.record_submission(s, users["clerk"], row.id, recipient="insurer", channel="邮件")
    doc = sign(db, users["tech_lead"], row, dirs)
    bad = [dict(recipient="bank", channel="邮件"), dict(recipient="insurer", channel=""),
           dict(recipient="insurer", channel="邮件", submitted_at=clock.wall_now() + dt.timedelta(days=1)),
           dict(recipient="insurer", channel="邮件", submitted_at=dt.datetime(2026, 1, 1)),
           dict(recipient="insurer", channel="邮件", recipient_org_id=ids.authority)]
    for kwargs in bad:
        with pytest.raises(ValidationError), db.session() as s:
            documents.record_submission(s, users["clerk"], doc.id, **kwargs)
    with pytest.raises(PermissionDenied), db.session() as s:
        documents.record_submission(s, users["reviewer"], doc.id, recipient="insurer", channel="邮件")
    with db.session() as s:
        sub = documents.record_submission(s, users["clerk"], doc.id, recipient="insurer", channel="书面",
                                          note="专人送达")
    assert sub.recipient_org_id == ids.insurer and sub.recipient_label == "承保机构"
    assert sub.recipient_org.startswith("中国人民财产保险") and sub.submitted_by == "内勤文员甲"
    with db.read() as s:
        owed = {r.recipient: r for r in s.execute(select(ExternalReport).where(
            ExternalReport.hazard_id == h.id)).scalars()}
        assert owed["insurer"].status == "done" and owed["insurer"].document_id == doc.id
        assert owed["insurer"].channel == "书面" and owed["authority"].status == "pending"
        assert [x.id for x in documents.submissions(s, doc.id)] == [sub.id]
        assert documents.get(s, doc.id).submissions == 1
        authority_id = owed["authority"].id
    with db.session() as s:
        hazards.record_report(s, users["clerk"], authority_id, channel="电话")
        documents.record_submission(s, users["clerk"], doc.id, recipient="authority", channel="系统")
    with db.read() as s:
        authority = s.get(ExternalReport, authority_id)
        assert authority.channel == "电话" and authority.document_id == doc.id  # linked, not re-reported
        assert s.execute(select(func.count(Submission.id))).scalar_one() == 2


def test_register_filters_and_the_service_plan_it_signs(db, users, site, dirs):
    ids, h = site
    stop = sign(db, users["tech_lead"], draft(db, users["inspector"], dirs, scope_id=h.id), dirs)
    plan = sign(db, users["tech_lead"], draft(db, users["clerk"], dirs, kind="service_plan", scope_type="project",
                                              scope_id=ids.project), dirs)
    period = draft(db, users["clerk"], dirs, kind="hazard_list", scope_type="insurer", scope_id=ids.insurer,
                   period="2026q3")
    other = make_project_in(db, users)
    with db.read() as s:
        assert {r.id for r in documents.register(s, project_id=ids.project)} == {stop.id, plan.id}
        assert documents.register(s, project_id=other) == []
        assert [r.id for r in documents.register(s, status="draft")] == [period.id]
        assert [r.id for r in documents.register(s, text=stop.number)] == [stop.id]
        assert [r.id for r in documents.register(s, period="2026Q3", scope_type="insurer")] == [period.id]
        assert period.title.startswith("2026年第三季度隐患排查及问题整改清单（")
        row = s.execute(select(ServicePlan)).scalar_one()
        assert row.status == "signed" and row.document_id == plan.id and row.kind == "general"
    signed = sign(db, users["tech_lead"], period, dirs)
    with db.read() as s:
        kinds = sorted(f.mime.rsplit("/", 1)[-1] for f in documents.files(s, signed.id))
        assert kinds == ["pdf", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
    with pytest.raises(NotFound, match="没有已生成的文件"):
        documents.file_path(dirs["store_dir"], replace(signed, file_sha256=None))


def make_project_in(db, users) -> int:
    with db.session() as s:
        return make_project(s, users["admin"], name="另一项目").project


def test_bad_requests_are_refused_in_chinese(db, users, site, dirs):
    ids, h = site
    cases = [
        (dict(kind="memo", scope_type="hazard", scope_id=h.id), ValidationError, "未知的文书类别"),
        (dict(kind="stop_work", scope_type="project", scope_id=ids.project), ValidationError, "范围须为"),
        (dict(kind="stop_work", scope_type="hazard", scope_id=999_999), NotFound, "隐患不存在"),
        (dict(kind="hazard_list", scope_type="agency", scope_id=None, period="2026Q9"), ValidationError, "期间格式无效"),
        (dict(kind="hazard_list", scope_type="insurer", scope_id=ids.authority, period="2026Q3"), NotFound, "承保机构"),
        (dict(kind="closure_record", scope_type="hazard", scope_id=h.id), ValidationError, "尚未登记整改销项材料"),
        (dict(kind="safety_analysis", scope_type="agency", scope_id=None, period="2027Q1"), ValidationError, "尚未开始"),
    ]
    for kwargs, error, message in cases:
        with pytest.raises(error, match=message), db.session() as s:
            documents.generate_draft(s, users["inspector"], **kwargs, **dirs)
    with pytest.raises(PermissionDenied), db.session() as s:
        documents.generate_draft(s, users["reviewer"], kind="stop_work", scope_type="hazard", scope_id=h.id, **dirs)
    with db.read() as s:
        assert s.execute(select(func.count(Document.id))).scalar_one() == 0


@needs_poppler
@pytest.mark.parametrize(("kind", "scope_type"), [("hazard_list", "agency"), ("rectification_notice", "hazard")])
def test_every_signed_document_names_its_signer(db, users, site, dirs, kind, scope_type):
    ids, h = site
    from desktop.services.context import now
    from desktop.services.periods import quarter_of

    period = quarter_of(now().date()).label if scope_type == "agency" else ""
    if kind == "rectification_notice":  # a notice asks for a reply on or after its own date
        with db.session() as s:
            hazards.update(s, users["admin"], h.id, expected_version=hazards.get(s, h.id).version,
                           deadline=now().date() + dt.timedelta(days=3))
    row = draft(db, users["clerk"], dirs, kind=kind, scope_type=scope_type,
                scope_id=None if scope_type == "agency" else h.id, period=period)
    assert "签发人：技术负责人甲" not in pdftext(documents.file_path(dirs["store_dir"], row))
    signed = sign(db, users["tech_lead"], row, dirs)
    text = pdftext(documents.file_path(dirs["store_dir"], signed))
    assert "签发人：技术负责人甲" in text and signed.number in text
