"""Inspection record and service work plan."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.reports import records
from desktop.reports.data import (
    InspectionInfo,
    RiskSourceCheckInfo,
    RiskSourceInfo,
    ServicePlanData,
    StaffInfo,
)
from tests.reports.conftest import DESCRIPTION, flat, meta, pdffonts, pdftotext

pytestmark = pytest.mark.usefixtures("poppler")


def _fonts_embedded(path) -> bool:
    rows = pdffonts(path)
    return bool(rows) and all(r[-5] == "yes" for r in rows)


def test_inspection_record_with_findings_and_both_confirmations(
        tmp_path, agency, project, hazard, minor_hazard):
    data = InspectionInfo(
        meta(agency, "安全检查记录", "风控检查〔2026〕0012号"), project, kind_label="全覆盖检查",
        date=dt.date(2026, 3, 5), inspectors=("王五", "李四"), summary="对施工现场进行全覆盖检查。",
        findings=(hazard, minor_hazard), stage_name="地基与基础", weather="晴",
        site_attendees=("张三（项目经理）",),
        risk_source_checks=(RiskSourceCheckInfo("深基坑开挖", 1, True),
                            RiskSourceCheckInfo("塔吊安拆", 2, False, "本次未作业")),
        site_confirmed_by="张三", agency_confirmed_by="王五",
    )
    path = records.build_inspection_record(data, tmp_path / "insp.pdf")
    assert _fonts_embedded(path)
    text = flat(pdftotext(path, raw=True))
    for phrase in ("安全检查记录", "风控检查〔2026〕0012号", DESCRIPTION, "以上检查情况经双方现场确认",
                   "检查单位（风控服务机构）", "受检单位（盖章）", "核查率50%", "附件：现场照片"):
        assert flat(phrase) in text, phrase


def test_inspection_without_findings(tmp_path, agency, project):
    data = InspectionInfo(meta(agency, "安全检查记录", "风控检查〔2026〕0013号"), project,
                          kind_label="日常巡查", date=dt.date(2026, 3, 6), inspectors=("王五",),
                          summary="")
    text = flat(pdftotext(records.build_inspection_record(data, tmp_path / "i.pdf")))
    assert "本次检查未发现安全隐患" in text


def test_service_plan_has_all_sections_and_every_stage(tmp_path, agency, project):
    data = ServicePlanData(
        meta(agency, "安全生产事故预防服务工作方案", "风控方案〔2026〕0001号"), project,
        visit_interval_days=30, special=True,
        staff=(StaffInfo("王五", "项目负责人", "高级工程师", "ZJ-2020-001", "13800000001"),
               StaffInfo("李四", "检查人员", "工程师")),
        risk_sources=(RiskSourceInfo("深基坑开挖", 1, "基坑工程", "地基与基础", "东侧",
                                     "按方案分层开挖，监测预警"),),
        prepared_by="王五", approved_by="钱七",
    )
    path = records.build_service_plan(data, tmp_path / "plan.pdf")
    assert _fonts_embedded(path)
    text = flat(pdftotext(path, raw=True))
    for section in ("服务内容", "服务措施", "服务频次", "人员安排", "服务目标", "保障措施"):
        assert section in text, section
    for stage in project.stages:
        assert stage.name in text
    assert "深基坑工程" in text and "超危大工程" in text
    assert "每30天不少于1次" in text
    assert "专项服务方案" in text
    assert "主要联系人" in text and "总监理工程师" in text
