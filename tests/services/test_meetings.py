"""服务交底会: recorded with attendees by party, topics, the insured's confirmation and the signed
sign-in sheet; corrected, deleted to the recycle bin; the self-check counts confirmed meetings;
its document (服务交底会记录) drafted and signed like the other kinds."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest
from PIL import Image
from sqlalchemy import select

from desktop.models import Attachment, AuditEntry, Meeting
from desktop.services import agency, compliance, documents, meetings, periods, recycle
from desktop.services.context import ConflictError, NotFound, PermissionDenied, ValidationError
from desktop.services.meetings import Attendee, MeetingForm
from tests.factories import make_project

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
DAY = dt.date(2026, 1, 8)
PEOPLE = (Attendee("agency", "王工", "项目负责人"), Attendee("contractor", "李明", "项目经理"),
          Attendee("supervisor", "赵敏", "总监理工程师"), Attendee("owner", "陈红", "工程部经理"),
          Attendee("insurer", "孙强", "客户经理"))


def form(**changes) -> MeetingForm:
    base = dict(date=DAY, place="项目部二楼会议室", attendees=PEOPLE,
                topics=("scope", "plan", "contacts", "reporting"),
                notes="明确检查频次、隐患整改闭环流程和一级隐患当日报告途径。",
                confirmed_by="李明", confirmed_on=dt.date(2026, 1, 9))
    base.update(changes)
    return MeetingForm(**base)


def pdftext(path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                         check=True)
    return "".join(out.stdout.split())


@pytest.fixture
def project(db, admin):
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")
        return make_project(s, admin)


@pytest.fixture
def sheet(tmp_path):
    path = tmp_path / "签到表.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (800, 1100), (250, 250, 245)).save(buf, "JPEG")
    path.write_bytes(buf.getvalue())
    return path


def test_record_keeps_every_fact_and_the_sign_in_sheet(db, users, project, sheet, tmp_path):
    with db.session() as s:
        row = meetings.record(s, users["clerk"], project.project, form(), sign_in_sheet=sheet,
                              store_dir=tmp_path / "store")
    with db.read() as s:
        again = meetings.for_project(s, project.project)
        [attached] = meetings.sheets(s, row.id)
        entry = s.execute(select(AuditEntry.action, AuditEntry.after).where(
            AuditEntry.entity == "meetings")).one()
    assert again == [row]
    assert row.place == "项目部二楼会议室" and row.attendees == PEOPLE and row.confirmed
    assert row.topic_labels == ("服务范围", "服务方案", "联系人", "报告途径")
    assert row.count("contractor") == 1 and row.sheets == 1
    assert attached.role == "scan" and attached.caption == "签到表" and attached.owner_type == "meeting"
    assert entry.action == "create" and entry.after["confirmed_by"] == "李明"
    assert entry.after["attendee_list"][1] == {"party": "contractor", "name": "李明", "position": "项目经理"}


@pytest.mark.parametrize(("changes", "field", "text"), [
    (dict(date=dt.date(2099, 1, 1), confirmed_on=None, confirmed_by=""), "date", "交底会日期不能晚于今天"),
    (dict(place="  "), "place", "请填写会议地点"),
    (dict(place="会" * 201), "place", "会议地点不超过 200 字"),
    (dict(attendees=()), "attendees", "请登记参会人员"),
    (dict(attendees=(Attendee("agency", "王工"),)), "attendees",
     "参会人员须包括风控机构和施工单位（投保单位）的人员"),
    (dict(attendees=(Attendee("agency", "王工"), Attendee("contractor", " "))), "attendees",
     "请填写第 2 位参会人员的姓名"),
    (dict(attendees=(Attendee("agency", "王工"), Attendee("bank", "钱"))), "attendees",
     "第 2 位参会人员的单位类别无效"),
    (dict(topics=(), notes=""), "topics", "请勾选交底内容（服务范围、服务方案、联系人、报告途径）或填写说明"),
    (dict(topics=("weather",)), "topics", "未知的交底内容：weather"),
    (dict(confirmed_on=None), "confirmed_on", "请填写投保单位确认日期"),
    (dict(confirmed_by=""), "confirmed_by", "请填写投保单位确认人"),
    (dict(confirmed_on=dt.date(2026, 1, 7)), "confirmed_on", "确认日期不能早于交底会日期"),
    (dict(confirmed_on=dt.date(2099, 1, 7)), "confirmed_on", "确认日期不能晚于今天"),
])
def test_bad_input_is_refused_in_chinese_beside_its_field(db, admin, project, changes, field, text):
    with pytest.raises(ValidationError) as refused, db.session() as s:
        meetings.record(s, admin, project.project, form(**changes))
    assert refused.value.fields[field] == text
    with db.read() as s:
        assert meetings.for_project(s, project.project) == []


def test_a_bad_sign_in_sheet_is_refused_and_nothing_is_kept(db, admin, project, tmp_path):
    bad = tmp_path / "sheet.txt"
    bad.write_text("not a scan")
    with pytest.raises(ValidationError) as refused, db.session() as s:
        meetings.record(s, admin, project.project, form(), sign_in_sheet=bad, store_dir=tmp_path / "store")
    assert "sign_in_sheet" in refused.value.fields
    with db.read() as s:
        assert s.execute(select(Meeting)).first() is None


def test_one_kick_off_per_project_and_permissions(db, users, project):
    with pytest.raises(PermissionDenied) as denied, db.session() as s:
        meetings.record(s, users["reviewer"], project.project, form())
    assert str(denied.value) == "只读审阅无权登记服务交底会。"
    with db.session() as s:
        meetings.record(s, users["tech_lead"], project.project, form())
    with pytest.raises(ValidationError) as refused, db.session() as s:
        meetings.record(s, users["tech_lead"], project.project, form(date=dt.date(2026, 1, 10)))
    assert refused.value.fields["date"] == "该项目已登记服务交底会（2026-01-08），如需更正请修改原记录"
    with pytest.raises(NotFound), db.session() as s:
        meetings.record(s, users["admin"], 999_999, form())


def test_edit_adds_the_confirmation_later_and_checks_the_version(db, users, project, sheet, tmp_path):
    with db.session() as s:
        row = meetings.record(s, users["clerk"], project.project, form(confirmed_by="", confirmed_on=None))
    assert not row.confirmed
    with db.session() as s:
        edited = meetings.edit(s, users["clerk"], row.id, form(), expected_version=row.version,
                               sign_in_sheet=sheet, store_dir=tmp_path / "store")
    assert edited.confirmed and edited.confirmed_on == dt.date(2026, 1, 9) and edited.sheets == 1
    with pytest.raises(ConflictError), db.session() as s:
        meetings.edit(s, users["clerk"], row.id, form(place="工地"), expected_version=row.version)
    with pytest.raises(PermissionDenied), db.session() as s:
        meetings.edit(s, users["reviewer"], row.id, form(), expected_version=edited.version)
    with db.read() as s:
        update = s.execute(select(AuditEntry.before, AuditEntry.after).where(
            AuditEntry.entity == "meetings", AuditEntry.action == "update")).one()
    assert update.before == {"confirmed_by": "", "confirmed_on": None, "version": 1}
    assert update.after == {"confirmed_by": "李明", "confirmed_on": "2026-01-09", "version": 2}


def test_delete_moves_to_the_recycle_bin_and_back(db, users, project):
    with db.session() as s:
        row = meetings.record(s, users["clerk"], project.project, form())
    with pytest.raises(ValidationError) as refused, db.session() as s:
        meetings.delete(s, users["clerk"], row.id, expected_version=row.version, reason=" ")
    assert refused.value.fields["reason"] == "请填写删除原因"
    with db.session() as s:
        meetings.delete(s, users["clerk"], row.id, expected_version=row.version, reason="重复登记")
    with db.read() as s:
        assert meetings.for_project(s, project.project) == []
        [binned] = [b for b in recycle.list_bin(s, users["admin"]) if b.entity == "meetings"]
        assert binned.kind_label == "服务交底会" and binned.entity_id == row.id
    with db.session() as s:
        recycle.restore(s, users["clerk"], "meetings", row.id)
    with db.read() as s:
        assert [m.id for m in meetings.for_project(s, project.project)] == [row.id]


def _kickoff(db, scope_id):
    with db.read() as s:
        result = compliance.evaluate(s, period=periods.parse("2026Q1"), scope_type="project",
                                     scope_id=scope_id, as_of=dt.date(2026, 4, 10))
    item = result.get("C-2b")
    return item.evidence[0].count, [g.missing for g in item.gaps]


def test_the_self_check_counts_only_confirmed_meetings(db, users, project):
    assert _kickoff(db, project.project) == (0, ["无服务交底会记录", "未开展首次风险识别和隐患排查"])
    with db.session() as s:
        row = meetings.record(s, users["clerk"], project.project, form(confirmed_by="", confirmed_on=None))
    count, gaps = _kickoff(db, project.project)
    assert count == 0 and gaps[0] == "服务交底会记录未经投保单位确认"
    with db.session() as s:
        meetings.edit(s, users["clerk"], row.id, form(confirmed_on=dt.date(2026, 4, 20)),
                      expected_version=row.version)
    count, gaps = _kickoff(db, project.project)
    assert count == 0 and gaps[0] == "服务交底会记录未经投保单位确认"  # confirmed after the end
    with db.session() as s:
        meetings.edit(s, users["clerk"], row.id, form(), expected_version=row.version + 1)
    count, gaps = _kickoff(db, project.project)
    assert count == 1 and gaps == ["未开展首次风险识别和隐患排查"]
    from desktop.services.checklist_items import BY_ID

    assert "投保单位确认人和确认日期" in BY_ID["C-2b"].basis


@needs_poppler
def test_the_record_document_prints_the_facts_and_is_signed(db, users, project, sheet, tmp_path):
    dirs = {"store_dir": tmp_path / "store", "work_dir": tmp_path / "work"}
    with db.session() as s:
        row = meetings.record(s, users["clerk"], project.project, form(topics=("scope", "reporting")),
                              sign_in_sheet=sheet, store_dir=dirs["store_dir"])
        doc = documents.generate_draft(s, users["clerk"], kind="kickoff_record", scope_type="meeting",
                                       scope_id=row.id, **dirs)
    text = pdftext(documents.file_path(dirs["store_dir"], doc))
    assert doc.kind_label == "服务交底会记录" and doc.title.startswith("服务交底会记录（")
    for fact in ("服务交底会记录", "2026年1月8日", "项目部二楼会议室", "施工单位浙江某建设集团有限公司李明项目经理",
                 "风控机构绍兴安途安全风控咨询有限公司王工", "■服务范围□服务方案□联系人■报告途径",
                 "一级隐患当日报告途径", "扫描件1份", "以上交底内容经投保单位李明于2026年1月9日确认。",
                 "附件：签到表", "草稿"):
        assert fact in text, fact
    assert not any(tag in text for tag in ("N-0", "C-2"))
    with db.session() as s:
        signed = documents.sign(s, users["tech_lead"], doc.id, expected_version=doc.version, **dirs)
        listed = documents.register(s, project_id=project.project)
    assert signed.number.startswith("风控交底〔") and [d.id for d in listed] == [signed.id]
    text = pdftext(documents.file_path(dirs["store_dir"], signed))
    assert signed.number in text and "技术负责人：技术负责人甲" in text
    with db.session() as s:  # a record its signed document names is not purged
        meetings.delete(s, users["clerk"], row.id, expected_version=row.version, reason="测试")
    with pytest.raises(Exception) as refused, db.session() as s:
        recycle.purge(s, users["admin"], "meetings", row.id)
    assert "文书" in str(refused.value)
    with db.read() as s:
        assert s.execute(select(Attachment).where(Attachment.owner_type == "meeting")).scalars().all()


def test_an_unconfirmed_record_says_so(db, users, project, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    dirs = {"store_dir": tmp_path / "store", "work_dir": tmp_path / "work"}
    with db.session() as s:
        row = meetings.record(s, users["clerk"], project.project, form(confirmed_by="", confirmed_on=None))
        doc = documents.generate_draft(s, users["clerk"], kind="kickoff_record", scope_type="meeting",
                                       scope_id=row.id, **dirs)
    text = pdftext(documents.file_path(dirs["store_dir"], doc))
    assert "投保单位尚未确认本记录。" in text and "未附签到表扫描件。" in text


def test_the_demo_leaves_confirmed_kick_offs_and_standardisation_records(db, tmp_path):
    from desktop.demo import generator as demo
    from desktop.models import StandardisationAssist
    from desktop.services.context import now

    with db.session() as s:
        demo.generate(s, store_dir=tmp_path / "store", projects=6, seed=7)
    with db.read() as s:
        result = compliance.evaluate(s, period=periods.parse(str(now().year)), scope_type="agency",
                                     scope_id=None, as_of=now().date())
        confirmed = s.execute(select(Meeting.attendee_list, Meeting.date, Meeting.confirmed_on).where(
            Meeting.confirmed_by != "")).all()
        follow_ups = s.execute(select(StandardisationAssist.follow_up_on)).scalars().all()
    served = len(result.project_ids)
    assert served - 2 <= result.get("C-2b").evidence[0].count <= served
    assert confirmed and all(people and on >= day for people, day, on in confirmed)
    assert follow_ups and any(follow_ups)
