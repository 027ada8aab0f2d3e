"""Documents state only what the records hold, show who signed, and print as official texts do.

Each test reads the stored PDF's (or workbook's) text, as an authority's reviewer would.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from desktop.models import Hazard
from desktop.services import agency, documents, hazards, inspections, rules
from desktop.services.context import TransitionError, ValidationError, now
from desktop.services.exchange import attachments
from desktop.services.periods import quarter_of
from desktop.services.queries.doc_data import Claim, check_claims
from tests.factories import make_project
from tests.signoff_text import sign_off

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
FOUND = dt.datetime(2026, 8, 5, 9, 30)
RULE_ID = re.compile(r"(?<![A-Za-z0-9])[NC]-\d")


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 90, 40)).save(buf, "JPEG")
    return buf.getvalue()


def pdftext(path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                         check=True)
    return "".join(out.stdout.split())


@pytest.fixture
def dirs(tmp_path):
    return {"store_dir": tmp_path / "store", "work_dir": tmp_path / "work"}


@pytest.fixture
def ids(db, users):
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安衡安全风控咨询有限公司", legal_rep="周总")
        return make_project(s, users["admin"])


def add_hazard(db, users, ids, **kw):
    base = dict(project_id=ids.project, description="3#楼外脚手架连墙件缺失约6处", level=1,
                location="3#楼外脚手架", measures="立即补设连墙件并验收", contingency="停止该区域作业，设置警戒区",
                stop_work="partial", category="脚手架", found_at=FOUND)
    base.update(kw)
    with db.session() as s:
        return hazards.record(s, users["inspector"], hazards.HazardForm(**base))


def report(db, users, hazard_id, recipient, at):
    with db.session() as s:
        pending = [r for r in hazards.pending_reports(s, hazard_id) if r.recipient == recipient]
        hazards.record_report(s, users["inspector"], pending[0].id, channel="电话", reported_at=at)


def draft(db, actor, dirs, kind, scope_id=None, scope_type="hazard", period=""):
    with db.session() as s:
        return documents.generate_draft(s, actor, kind=kind, scope_type=scope_type, scope_id=scope_id,
                                        period=period, **dirs)


def sign(db, actor, row, dirs):
    with db.session() as s:
        return documents.sign(s, actor, row.id, expected_version=row.version, **dirs)


def text_of(dirs, row) -> str:
    return pdftext(documents.file_path(dirs["store_dir"], row))


def test_stop_work_says_reported_the_same_day_only_when_both_reports_were_logged(db, users, ids, dirs):
    h = add_hazard(db, users, ids)
    first = text_of(dirs, draft(db, users["inspector"], dirs, "stop_work", h.id))
    assert "已于当日报送" not in first
    assert "尚未报送承保机构" in first and "尚未报送建设主管部门" in first
    report(db, users, h.id, "insurer", FOUND + dt.timedelta(hours=1))
    report(db, users, h.id, "authority", FOUND + dt.timedelta(days=2))
    late = text_of(dirs, draft(db, users["inspector"], dirs, "stop_work", h.id))
    assert "已于当日报送" not in late
    assert "已于2026年8月5日报送承保机构" in late and "已于2026年8月7日报送建设主管部门" in late

    other = add_hazard(db, users, ids, location="5#楼塔吊")
    report(db, users, other.id, "insurer", FOUND + dt.timedelta(hours=2))
    report(db, users, other.id, "authority", FOUND + dt.timedelta(hours=5))
    signed = sign(db, users["tech_lead"], draft(db, users["inspector"], dirs, "stop_work", other.id), dirs)
    # signed months later: the reports were of the hazard on the day found, not of this letter
    text = text_of(dirs, signed)
    assert "该隐患已于发现当日（2026年8月5日）报送承保机构" in text and "建设主管部门" in text
    assert "本建议书" not in text


def test_a_claimed_report_the_records_do_not_hold_cannot_be_signed(db, users, ids):
    h = add_hazard(db, users, ids)
    report(db, users, h.id, "insurer", FOUND + dt.timedelta(hours=1))
    with db.read() as s:
        check_claims(s, [Claim(h.id, "insurer", ("level1_same_day",), FOUND.date())])
        with pytest.raises(ValidationError, match="文书称已向建设主管部门报送.*不能签发"):
            check_claims(s, [Claim(h.id, "authority", ("level1_same_day",), FOUND.date())])
        with pytest.raises(ValidationError, match="承保机构"):  # logged, but not on the day claimed
            check_claims(s, [Claim(h.id, "insurer", ("level1_same_day",), FOUND.date() + dt.timedelta(days=1))])


def test_report_titles_follow_the_true_classification(db, users, ids, dirs):
    plain = add_hazard(db, users, ids)
    serious = add_hazard(db, users, ids, level=2, is_serious=True, stop_work="none", location="基坑东侧")
    major = add_hazard(db, users, ids, is_major=True, location="塔吊")
    texts = {key: text_of(dirs, draft(db, users["inspector"], dirs, "hazard_report", h.id))
             for key, h in (("plain", plain), ("serious", serious), ("major", major))}
    assert "一级隐患报告单" in texts["plain"] and "重大事故隐患报告单" not in texts["plain"]
    assert "较严重二级隐患报告单" in texts["serious"] and "重大事故隐患否" in texts["serious"]
    assert "重大隐患报告单" not in texts["serious"]
    assert "重大事故隐患报告单" in texts["major"] and "重大事故隐患是" in texts["major"]


def test_report_form_prints_the_reporter_and_the_reviewer(db, users, ids, dirs):
    h = add_hazard(db, users, ids)
    report(db, users, h.id, "insurer", FOUND + dt.timedelta(hours=1))
    report(db, users, h.id, "authority", FOUND + dt.timedelta(hours=2))
    signed = sign(db, users["tech_lead"], draft(db, users["clerk"], dirs, "hazard_report", h.id), dirs)
    text = text_of(dirs, signed)
    assert "报告人：检查人员甲" in text and "审核人：技术负责人甲" in text
    assert "报告人：技术负责人甲" not in text
    today = now().date()
    assert f"填报日期{today.year}年{today.month}月{today.day}日" in text
    assert "2026年8月5日10时30分，电话" in text


def test_letter_dates_are_checked(db, users, ids, dirs):
    h = add_hazard(db, users, ids, level=3, stop_work="none", deadline=dt.date(2026, 8, 12))
    with pytest.raises(ValidationError, match="整改回复期限（2026年8月12日）早于发文日期"):
        draft(db, users["inspector"], dirs, "rectification_notice", h.id)
    with db.session() as s:
        hazards.update(s, users["admin"], h.id, expected_version=hazards.get(s, h.id).version,
                       deadline=now().date() + dt.timedelta(days=5))
    text = text_of(dirs, draft(db, users["inspector"], dirs, "rectification_notice", h.id))
    reply = now().date() + dt.timedelta(days=5)
    assert f"请于{reply.year}年{reply.month}月{reply.day}日前书面回复" in text


def test_inspection_notice_asks_for_no_reply_after_its_earliest_deadline(db, users, ids, dirs):
    today = now().date()
    with db.session() as s:
        visit = inspections.record(s, users["admin"], inspections.InspectionForm(
            project_id=ids.project, kind="full_coverage", date=today, inspector_ids=(users["admin"].user_id,)))
    found = min(dt.datetime.combine(today, dt.time(9)), now().replace(tzinfo=None))  # not later than now
    early, late = today + dt.timedelta(days=6), today + dt.timedelta(days=29)
    add_hazard(db, users, ids, level=2, stop_work="none", deadline=early, inspection_id=visit.id,
               found_at=found)
    add_hazard(db, users, ids, level=3, stop_work="none", deadline=late, inspection_id=visit.id,
               found_at=found, location="2#楼临边")
    text = text_of(dirs, draft(db, users["inspector"], dirs, "rectification_notice", visit.id,
                               scope_type="inspection"))
    assert f"请于{late.year}年{late.month}月{late.day}日前书面回复" not in text
    assert (f"请按上表所列各项隐患的整改期限逐项书面回复，最早一项须于{early.year}年{early.month}月"
            f"{early.day}日前回复") in text


def test_notice_of_a_closed_hazard_is_refused_as_closed(db, users, ids, dirs):
    h = _closed_late(db, users, ids, dirs["store_dir"])
    with db.read() as s:
        number = s.execute(select(Hazard.number).where(Hazard.id == h.id)).scalar_one()
    with pytest.raises(ValidationError, match=f"隐患 {number} 已销项") as err:
        draft(db, users["inspector"], dirs, "rectification_notice", h.id)
    assert "请先调整整改期限" not in str(err.value)


def test_stop_work_letter_of_a_closed_hazard_is_refused_as_closed(db, users, ids, dirs, tmp_path):
    """A letter asking work to stop is not drafted (nor a signed one corrected, which redraws it
    as of today) for a hazard already closed; the one signed before the closure keeps its copy."""
    h = add_hazard(db, users, ids)
    report(db, users, h.id, "insurer", FOUND + dt.timedelta(hours=1))
    report(db, users, h.id, "authority", FOUND + dt.timedelta(hours=2))
    signed = sign(db, users["tech_lead"], draft(db, users["inspector"], dirs, "stop_work", h.id), dirs)
    admin, today = users["admin"], now().date()
    with db.session() as s:
        hazards.issue_notice(s, admin, h.id, expected_version=hazards.get(s, h.id).version,
                             at=FOUND + dt.timedelta(hours=3))
        hazards.record_delivery(s, admin, h.id, expected_version=hazards.get(s, h.id).version,
                                received_by="张三", at=FOUND + dt.timedelta(hours=4))
        attachments.store_file(s, admin, store_dir=dirs["store_dir"], data=jpeg(), original_name="a.jpg",
                               owner_type="hazard", owner_id=h.id, role="after")
        hazards.submit_closure(s, admin, h.id, expected_version=hazards.get(s, h.id).version,
                               supervisor_name="李监理")
        closed = hazards.verify_close(s, admin, h.id, expected_version=hazards.get(s, h.id).version,
                                      reinspection_date=today)
    assert closed.status == "closed"
    day = f"{today.year}年{today.month}月{today.day}日"
    with pytest.raises(ValidationError, match=f"隐患 {h.number} 已于{day}销项，不能再出具停工（局部停工）建议书"):
        with db.session() as s:
            documents.correct(s, users["inspector"], signed.id, reason="补充停工范围", **dirs)
    with db.session() as s:
        copy = documents.docx_copy(s, admin, signed.id, store_dir=dirs["store_dir"],
                                   target=tmp_path / "letter.docx")
    assert copy.is_file()


def _closed_late(db, users, ids, store):
    """A level-3 hazard due 8-12, closed on 8-20 (8 days late)."""
    h = add_hazard(db, users, ids, level=3, stop_work="none", deadline=dt.date(2026, 8, 12),
                   responsible_person="王责任", contingency="临边设置防护栏杆")
    with db.session() as s:
        at = FOUND + dt.timedelta(days=1)
        hazards.issue_notice(s, users["admin"], h.id, expected_version=hazards.get(s, h.id).version, at=at)
        hazards.record_delivery(s, users["admin"], h.id, expected_version=hazards.get(s, h.id).version,
                                received_by="张三", at=at)
        attachments.store_file(s, users["admin"], store_dir=store, data=jpeg(), original_name="a.jpg",
                               owner_type="hazard", owner_id=h.id, role="after")
        hazards.submit_closure(s, users["admin"], h.id, expected_version=hazards.get(s, h.id).version,
                               supervisor_name="李监理", at=dt.datetime(2026, 8, 19, 10))
        hazards.verify_close(s, users["admin"], h.id, expected_version=hazards.get(s, h.id).version,
                             reinspection_date=dt.date(2026, 8, 20), at=dt.datetime(2026, 8, 20, 16))
    return h


def test_hazard_list_columns_late_closures_basis_and_sign_off(db, users, ids, dirs):
    closed = _closed_late(db, users, ids, dirs["store_dir"])
    add_hazard(db, users, ids, found_at=dt.datetime(2026, 6, 1, 9), location="旧隐患")  # carried over
    row = draft(db, users["clerk"], dirs, "hazard_list", ids.project, scope_type="project", period="2026Q3")
    with pytest.raises(TransitionError, match="编制人与审核人不能为同一人"):
        _sign_own(db, users, dirs)
    signed = sign(db, users["tech_lead"], row, dirs)
    text = text_of(dirs, signed)
    for header in ("责任单位", "责任人", "整改措施", "整改期限", "应急预案/临时措施", "是否逾期"):
        assert header in text
    assert "王责任" in text and "临边设置防护栏杆" in text
    assert "是（逾期8天销项）" in text
    today = now().date()
    assert f"统计截至{today.year}年{today.month}月{today.day}日" in text and "含上期结转未销项1项" in text
    assert "编制人：内勤文员甲" in text and "技术负责人：技术负责人甲" in text
    # no approval by the agency's 负责人 is recorded: neither the legal representative nor a date
    assert "周总" not in text
    assert sign_off(documents.file_path(dirs["store_dir"], signed), "负责人") == [("", "")]
    with db.read() as s:
        xlsx = next(f for f in documents.files(s, signed.id) if f.original_name.endswith(".xlsx"))
    wb = load_workbook(io.BytesIO(attachments.open_path(dirs["store_dir"], xlsx.sha256).read_bytes()))
    values = [c for row_ in wb["隐患清单"].iter_rows(values_only=True) for c in row_]
    assert "是（逾期8天销项）" in values and "王责任" in values and "临边设置防护栏杆" in values
    with db.read() as s:
        number = s.execute(select(Hazard.number).where(Hazard.id == closed.id)).scalar_one()
    assert number in text


def _sign_own(db, users, dirs):
    """A technical lead who compiled a list cannot review it himself."""
    period = quarter_of(now().date()).label
    own = draft(db, users["tech_lead"], dirs, "safety_analysis", None, scope_type="agency", period=period)
    sign(db, users["tech_lead"], own, dirs)


def test_analysis_states_its_basis(db, users, ids, dirs):
    add_hazard(db, users, ids, found_at=dt.datetime(2026, 6, 1, 9), deadline=dt.date(2026, 6, 3))
    text = text_of(dirs, draft(db, users["clerk"], dirs, "safety_analysis", None, scope_type="agency",
                               period="2026Q3"))
    assert "统计截至2026年9月30日" in text
    assert "逾期未整改1项（含上期结转1项）" in text


def test_hazard_list_and_analysis_of_one_period_state_totals_that_reconcile(db, users, ids, dirs):
    add_hazard(db, users, ids, found_at=dt.datetime(2026, 6, 1, 9), location="旧隐患")  # carried over
    add_hazard(db, users, ids, level=3, stop_work="none")
    add_hazard(db, users, ids, level=3, stop_work="none", location="2#楼临边")
    listed = text_of(dirs, draft(db, users["clerk"], dirs, "hazard_list", None, scope_type="agency",
                                 period="2026Q3"))
    analysis = text_of(dirs, draft(db, users["clerk"], dirs, "safety_analysis", None, scope_type="agency",
                                   period="2026Q3"))
    total, carried, new = map(int, re.search(
        r"隐患共(\d+)项（含上期结转未销项(\d+)项、本期新发现(\d+)项", listed).groups())
    found, carried_too, together = map(int, re.search(
        r"排查隐患(\d+)项（本期新发现；另有上期结转未销项(\d+)项，连同结转共(\d+)项）", analysis).groups())
    assert (total, carried, new) == (3, 1, 2)
    assert (found, carried_too, together) == (new, carried, total)


def test_numbers_follow_the_pattern_with_the_agency_code(db, users, ids, dirs):
    with db.session() as s:
        rules.set_value(s, users["admin"], "numbering.agency_code", "绍安衡风控")
        with pytest.raises(ValidationError, match="不补零"):
            rules.set_value(s, users["admin"], "numbering.document", "{code}{prefix}〔{year}〕{seq:04d}号")
    h = add_hazard(db, users, ids)
    first = sign(db, users["tech_lead"], draft(db, users["inspector"], dirs, "stop_work", h.id), dirs)
    year = now().year
    assert first.number == f"绍安衡风控停工〔{year}〕1号"
    assert first.number in text_of(dirs, first)


def test_no_rule_ids_in_print(db, users, ids, dirs):
    h = add_hazard(db, users, ids)
    period = quarter_of(now().date()).label
    rows = [draft(db, users["inspector"], dirs, kind, h.id) for kind in ("stop_work", "hazard_report")]
    rows += [draft(db, users["clerk"], dirs, kind, None, scope_type="agency", period=period)
             for kind in ("hazard_list", "safety_analysis", "risk_assessment", "self_check")]
    rows.append(draft(db, users["clerk"], dirs, "service_plan", ids.project, scope_type="project"))
    for row in rows:
        text = text_of(dirs, row)
        assert not RULE_ID.search(text), (row.kind, RULE_ID.findall(text))
        assert "。。" not in text and "。；" not in text


def test_characters_the_font_cannot_draw_are_reported_before_signing(db, users, ids, dirs):
    h = add_hazard(db, users, ids, responsible_person="𠮷野", description="脚手架缺连墙件😀")
    row = draft(db, users["inspector"], dirs, "stop_work", h.id)
    with pytest.raises(ValidationError, match="无法用内置字体打印.*😀 𠮷|无法用内置字体打印.*𠮷 😀"):
        sign(db, users["tech_lead"], row, dirs)


def test_over_long_fields_are_refused(db, users, ids):
    with pytest.raises(ValidationError, match="隐患描述不超过 500 字"):
        add_hazard(db, users, ids, description="钢" * 501)
    with pytest.raises(ValidationError, match="责任人不超过 50 字"):
        add_hazard(db, users, ids, responsible_person="张" * 51)


def test_plan_carries_compiler_and_reviewer_and_leaves_the_approval_to_sign(db, users, ids, dirs):
    row = draft(db, users["clerk"], dirs, "service_plan", ids.project, scope_type="project")
    unsigned = text_of(dirs, row)
    assert "编制人：内勤文员甲" in unsigned and "周总" not in unsigned
    assert "技术负责人：技术负责人甲" not in unsigned
    done = sign(db, users["tech_lead"], row, dirs)
    signed = text_of(dirs, done)
    assert "编制人：内勤文员甲" in signed and "技术负责人：技术负责人甲" in signed
    # 批准 and 投保单位确认: no such sign-off is recorded, so both stay blank, without a date
    assert "批准（风控服务机构）" in signed and "周总" not in signed
    assert sign_off(documents.file_path(dirs["store_dir"], done), "负责人") == [("", ""), ("", "")]
