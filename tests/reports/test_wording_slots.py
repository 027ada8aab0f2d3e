"""Every fixed sentence declared in reports/wording.py prints in its own document: by default the
declared text (the document unchanged from before the sentence was editable), with the facts in
its placeholders; with the agency's wording, that wording and the same facts instead."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from desktop.reports import (
    key_letter,
    letters,
    meeting_docs,
    prevention_docs,
    records,
    selfcheck,
    training_docs,
    wording,
)
from desktop.reports.data import InspectionInfo, ServicePlanData
from desktop.reports.text import cn_date, join_cn, quoted
from tests.reports.conftest import flat, meta, pdftotext
from tests.reports.test_letters import _all_letters
from tests.reports.test_selfcheck import _rows

pytestmark = pytest.mark.usefixtures("poppler")


def _documents(agency, project, hazard, minor_hazard):
    """kind -> (builder, data, facts the builder puts into the kind's placeholders)."""
    built = {b.__name__: d for b, d in _all_letters(agency, project, hazard, minor_hazard)}
    notice, stop = built["build_rectification_notice"], built["build_stop_work_suggestion"]
    escalation = built["build_escalation_report"]
    supervisors = join_cn(sorted({h.supervising_unit for h in notice.hazards if h.supervising_unit}))
    kickoff = meeting_docs.KickoffRecordData(
        meta(agency, "服务交底会记录", "风控交底〔2026〕3号"), project, dt.date(2026, 3, 2), "项目部会议室", (),
        (("服务范围", True),), confirmed_by="李明", confirmed_on=dt.date(2026, 3, 4))
    advice = prevention_docs.PlanAdviceData(
        meta(agency, "应急预案编制建议书", "风控预案〔2026〕1号"), project, "深基坑坍塌专项应急预案",
        "书面修改建议", dt.date(2026, 3, 3), (("补充基坑监测预警值", ""),))
    key = key_letter.KeyLetterData(
        meta(agency, key_letter.TITLE, "风控函〔2026〕1号"), agency.name, "", "AB12 CD34", "ab12cd34",
        "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----", dt.date(2026, 3, 1))
    ledger = prevention_docs.FeeLedgerData(meta(agency, "预防费用台账", "风控台账〔2026〕1号"), project,
                                           "2026年第一季度", ())
    check = selfcheck.SelfCheckData(meta(agency, "检查表（自查）", "风控自查〔2026〕1号"), "全机构", "2026年",
                                    dt.date(2026, 12, 31), 1, _rows(0))
    inspection = InspectionInfo(meta(agency, "安全检查记录", "风控检查〔2026〕1号"), project,
                                kind_label="日常巡查", date=dt.date(2026, 3, 6), inspectors=("王五",),
                                summary="")
    plan = ServicePlanData(meta(agency, "事故预防技术服务工作方案", "风控方案〔2026〕1号"), project, 30, (),
                           revision=2)
    drill = training_docs.DrillRecordData(meta(agency, "应急演练记录及评估报告", "风控演练〔2026〕1号"), project,
                                          dt.date(2026, 9, 1), "基坑坍塌")
    plan_facts = {"项目名称": quoted(project.name), "版次": "2"}
    return {
        "service_plan": (records.build_service_plan, plan, plan_facts),
        "special_plan": (records.build_service_plan, replace(plan, special=True), plan_facts),
        "drill_record": (training_docs.build_drill_record, drill, {}),
        "rectification_notice": (letters.build_rectification_notice, notice,
                                 {"监理单位": f"（{supervisors}）" if supervisors else ""}),
        "stop_work": (letters.build_stop_work_suggestion, stop,
                      {"停工措施": f"立即对{stop.scope}实施局部停工"}),
        "refusal_report": (letters.build_escalation_report, escalation,
                           {"项目名称": quoted(project.name), "施工单位": project.contractor,
                            "报告日期": cn_date(escalation.meta.date),
                            "整改情况": "未在规定期限内完成整改，整改工作明显拖延"}),
        "inspection_record": (records.build_inspection_record, inspection, {}),
        "kickoff_record": (meeting_docs.build_kickoff_record, kickoff,
                           {"确认人": "李明", "确认日期": "2026年3月4日"}),
        "emergency_plan_advice": (prevention_docs.build_plan_advice, advice, {}),
        "key_letter": (key_letter.build_key_letter, key, {"机构名称": agency.name}),
        "fee_ledger": (prevention_docs.build_fee_ledger, ledger, {}),
        "self_check": (selfcheck.build_selfcheck_pdf, check, {}),
    }


def test_every_declared_sentence_prints_in_its_document_and_the_agencys_wording_replaces_it(
        tmp_path, agency, project, hazard, minor_hazard):
    documents = _documents(agency, project, hazard, minor_hazard)
    assert {s.kind for s in wording.SLOTS} == documents.keys()  # every kind with a slot is built
    for slot in wording.SLOTS:
        builder, data, facts = documents[slot.kind]
        default = flat(wording.text({}, slot.kind, slot.key, **facts))
        assert "{" not in default, slot.id  # every placeholder has its fact
        text = flat(pdftotext(builder(data, tmp_path / f"{slot.id}.pdf")))
        assert default in text, slot.id
        # the agency's wording: its own words around the same facts
        own = "本机构自拟用语" + "".join(f"「{{{name}}}」" for name in slot.placeholders) + "。"
        changed = replace(data, meta=replace(data.meta, wording=((slot.id, own),)))
        text = flat(pdftotext(builder(changed, tmp_path / f"{slot.id}-own.pdf")))
        assert flat(wording.fill(own, facts)) in text, slot.id
        assert default not in text, slot.id
        for name in slot.placeholders:
            if facts[name]:
                assert f"「{flat(facts[name])}」" in text, (slot.id, name)
