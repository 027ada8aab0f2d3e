"""The agency words the letters' fixed sentences its own way: checked, audited, previewed, reset;
the documents print its wording while the facts still come from the records."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlalchemy import select

from desktop.models import AuditEntry
from desktop.reports import wording as catalogue
from desktop.services import rules, wording
from desktop.services.context import PermissionDenied, ValidationError, now
from tests.services.test_documents_facts import (  # noqa: F401 - fixtures
    add_hazard,
    dirs,
    draft,
    ids,
    sign,
    text_of,
)

NOTICE = "rectification_notice.request"
SUGGESTION = "stop_work.suggestion"
OWN_SUGGESTION = "鉴于上述隐患可能导致群死群伤，我机构建议你单位{停工措施}，并立即组织整改。"


def _audits(db) -> list[tuple[int, dict, dict]]:
    with db.read() as s:
        return [(a.user_id, a.before, a.after)
                for a in s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
                if a.entity == "app_settings" and "documents.wording" in (a.after or {})]


def test_every_slot_reads_with_its_default_and_placeholders(db):
    with db.read() as s:
        slots = wording.read(s)
    assert [x.id for x in slots] == [s.id for s in catalogue.SLOTS]
    notice = next(x for x in slots if x.id == NOTICE)
    assert notice.kind_label == "隐患整改通知书" and notice.text == notice.default
    assert not notice.customised and dict(notice.placeholders).keys() == {"监理单位"}
    assert "四落实" in notice.default


@pytest.mark.parametrize("slot, text, words", [
    (SUGGESTION, "   ", "不能为空"),
    (SUGGESTION, "建议你单位{停工范围}停工。", "未知的占位符 {停工范围}；可用的占位符：{停工措施}"),
    (SUGGESTION, "建议你单位{停工措施停工。", "花括号不成对"),
    (SUGGESTION, "建议你单位}停工。", "花括号不成对"),
    ("stop_work.resume", "经{监理单位}确认后复工。", "不能使用占位符（{监理单位}）"),
    ("refusal_report.closing", "特" * (catalogue.MAX_LENGTH + 1), "不超过 500 字"),
    ("no_such.slot", "特此报告。", "未知的文书用语"),
])
def test_bad_wording_is_refused_with_a_clear_message(db, users, slot, text, words):
    with pytest.raises(ValidationError) as exc:
        wording.preview(slot, text)
    assert words in str(exc.value)
    with db.session() as s, pytest.raises(ValidationError) as exc:
        wording.save(s, users["admin"], slot, text)
    assert words in str(exc.value)
    with pytest.raises(ValidationError):  # the rule store refuses it too
        rules.validate("documents.wording", {slot: text})
    with db.read() as s:
        assert wording.stored(s) == {}


def test_only_an_administrator_changes_the_wording(db, users):
    with db.session() as s, pytest.raises(PermissionDenied):
        wording.save(s, users["tech_lead"], SUGGESTION, OWN_SUGGESTION)
    with db.session() as s, pytest.raises(PermissionDenied):
        wording.reset(s, users["inspector"], SUGGESTION)


def test_preview_fills_sample_facts():
    shown = wording.preview(SUGGESTION, OWN_SUGGESTION)
    assert shown == "鉴于上述隐患可能导致群死群伤，我机构建议你单位立即对3#楼外脚手架作业区实施局部停工，并立即组织整改。"


def test_save_is_audited_and_the_default_text_or_reset_restores_it(db, users):
    with db.session() as s:
        assert wording.save(s, users["admin"], SUGGESTION, f"  {OWN_SUGGESTION}\n") is True
    with db.session() as s:
        assert wording.save(s, users["admin"], SUGGESTION, OWN_SUGGESTION) is False  # unchanged
    with db.read() as s:
        assert wording.stored(s) == {SUGGESTION: OWN_SUGGESTION}
        slot = next(x for x in wording.read(s) if x.id == SUGGESTION)
        assert slot.customised and slot.text == OWN_SUGGESTION
        assert wording.for_kind(s, "stop_work") == ((SUGGESTION, OWN_SUGGESTION),)
        assert wording.for_kind(s, "rectification_notice") == ()
    first = _audits(db)
    assert first == [(users["admin"].user_id, {"documents.wording": {}},
                       {"documents.wording": {SUGGESTION: OWN_SUGGESTION}})]

    with db.session() as s:
        assert wording.reset(s, users["admin"], SUGGESTION) is True
    with db.session() as s:
        assert wording.reset(s, users["admin"], SUGGESTION) is False
    with db.session() as s:
        wording.save(s, users["admin"], "refusal_report.closing", "请审阅。")
        default = catalogue.BY_ID["refusal_report.closing"].default
        wording.save(s, users["admin"], "refusal_report.closing", default)  # the default: a reset
    with db.read() as s:
        assert wording.stored(s) == {}
    assert len(_audits(db)) == 4


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_documents_print_the_agencys_wording_and_the_records_facts(db, users, ids, dirs):  # noqa: F811
    h = add_hazard(db, users, ids)
    before = text_of(dirs, draft(db, users["inspector"], dirs, "stop_work", h.id))
    assert "为防止生产安全事故发生" in before
    with db.session() as s:
        wording.save(s, users["admin"], SUGGESTION, OWN_SUGGESTION)
        wording.save(s, users["admin"], "stop_work.resume", "整改完毕经我机构复查合格后方可复工。")
        wording.save(s, users["admin"], NOTICE, "请于期限内整改，并经{监理单位}确认后回复我机构。")
    row = draft(db, users["inspector"], dirs, "stop_work", h.id)
    text = text_of(dirs, row)
    assert "为防止生产安全事故发生" not in text
    # the facts still from the records: the stop-work measure, the place, the description
    assert "我机构建议你单位立即对3#楼外脚手架实施局部停工，并立即组织整改。" in text
    assert "3#楼外脚手架连墙件缺失约6处" in text
    assert "整改完毕经我机构复查合格后方可复工。" in text
    signed = sign(db, users["tech_lead"], row, dirs)
    minor = add_hazard(db, users, ids, level=3, stop_work="none", location="2#楼施工电梯",
                       deadline=now().date() + dt.timedelta(days=10))
    notice = text_of(dirs, draft(db, users["inspector"], dirs, "rectification_notice", minor.id))
    assert "请于期限内整改，并经" in notice and "确认后回复我机构。" in notice
    assert "四落实" not in notice
    # a signed letter keeps the text it was signed with
    with db.session() as s:
        wording.reset(s, users["admin"], SUGGESTION)
    assert "并立即组织整改" in text_of(dirs, signed)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_a_periodic_reports_statement_follows_the_agency_and_a_signed_one_keeps_it(
        db, users, ids, dirs):  # noqa: F811
    note = "self_check.note"
    first = draft(db, users["clerk"], dirs, "self_check", None, scope_type="agency", period="2026Q3")
    assert "检查情况由系统依据业务记录逐项计算" in text_of(dirs, first).replace("\n", "")
    with db.session() as s:
        wording.save(s, users["admin"], note, "说明：本表由我机构按业务记录逐项自查。")
    row = draft(db, users["clerk"], dirs, "self_check", None, scope_type="agency", period="2026Q3")
    text = text_of(dirs, row).replace("\n", "")
    assert "本表由我机构按业务记录逐项自查" in text and "逐项计算" not in text
    signed = sign(db, users["tech_lead"], row, dirs)
    with db.session() as s:
        assert wording.reset(s, users["admin"], note)
    assert "本表由我机构按业务记录逐项自查" in text_of(dirs, signed).replace("\n", "")
    again = draft(db, users["clerk"], dirs, "self_check", None, scope_type="agency", period="2026Q4")
    assert "逐项计算" in text_of(dirs, again).replace("\n", "")
