"""The risk assessment report: the three lists, the spread by insurer and authority, the changes."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.reports import risk_report
from desktop.reports.risk_report import RiskChange, RiskGroup, RiskProjectLine, RiskReportData
from tests.reports.conftest import flat, meta, page_count, pdffonts, pdftotext

pytestmark = pytest.mark.usefixtures("poppler")
INTERVALS = {"high": 30, "medium": 90, "low": 180}


def line(n: int, level: str | None, **kw) -> RiskProjectLine:
    base = dict(code=f"SX-2026-{n:04d}", name=f"绍兴市某某地块{n}号工程", level=level,
                insurer="中国人民财产保险股份有限公司绍兴市分公司", authority="越城区住房和城乡建设局",
                assessed_on=dt.date(2026, 7, 1) if level else None, reason="按评定规则计算",
                factors="深基坑（开挖深度 6.5 m）" if level == "high" else "")
    return RiskProjectLine(**{**base, **kw})


@pytest.fixture
def report(agency) -> RiskReportData:
    projects = (line(1, "high"), line(2, "high", is_override=True, factors="", reason="发生一般事故"),
                line(3, "medium"), line(4, "low"), line(5, None))
    changes = (RiskChange("SX-2026-0001", "绍兴市某某地块1号工程", dt.date(2026, 8, 1), "medium", "high",
                          "超危大工程开始施工", "李技术"),
               RiskChange("SX-2026-0004", "绍兴市某某地块4号工程", dt.date(2026, 8, 9), "medium", "low",
                          "危大工程完工", "李技术"),
               RiskChange("SX-2026-0003", "绍兴市某某地块3号工程", dt.date(2026, 9, 2), None, "medium", "开工评定", "李技术"))
    return RiskReportData(meta(agency, "2026年第三季度风险评估报告", "风控评估〔2026〕0001号"), "全部服务项目",
                          "2026年第三季度", dt.date(2026, 9, 30), projects, changes,
                          (RiskGroup("中国人民财产保险股份有限公司绍兴市分公司", 2, 1, 1, 1),),
                          (RiskGroup("越城区住房和城乡建设局", 2, 0, 1, 0), RiskGroup("柯桥区住房和城乡建设局", 0, 1, 0, 1)),
                          INTERVALS, prepared_by="王编制", approved_by="李技术")


def test_report_lists_every_level_and_the_changes(tmp_path, report):
    path = risk_report.build_risk_report(report, tmp_path / "risk.pdf")
    assert all(row[-5] == "yes" for row in pdffonts(path))
    text = flat(pdftotext(path))
    assert flat(risk_report.overview_text(report)) in text
    for heading in ("高风险项目清单", "中风险项目清单", "低风险项目清单", "未评定风险等级的项目", "本期风险等级变化",
                    "按属地建设主管部门分布", "工作建议"):
        assert heading in text
    assert "按承保机构分布" not in text  # one insurer: nothing to compare
    raw = flat(pdftotext(path, raw=True))  # a wrapped cell's lines stay together
    assert "深基坑（开挖深度6.5m）" in raw and "发生一般事故（人工调整）" in raw and "2026-07-01" in raw
    assert "每30天不少于1次" in text and "（首次评定）" in text and "李技术" in text
    assert f"第1页共{page_count(path)}页" in text


def test_overview_and_advice_follow_the_numbers(report):
    assert risk_report.overview_text(report) == (
        "截至2026年9月30日，全部服务项目范围内在服务项目5个，其中高风险2个、中风险1个、低风险1个、未评定1个。"
        "2026年第三季度共调整项目风险等级3次，其中首次评定1次、上调1次、下调1次。")
    advice = risk_report.advice(report)
    assert advice[0] == "高风险项目2个，按每30天不少于1次的频次开展检查服务。"
    assert any("专项服务方案" in a for a in advice) and any("未开展风险评估" in a for a in advice)
    assert [c.direction for c in report.changes] == [1, -1, 0]
    assert report.by_authority[1].total == 2


def test_an_empty_scope_still_reads_well(tmp_path, agency):
    data = RiskReportData(meta(agency, "2026年10月风险评估报告", "风控评估〔2026〕0002号", draft=True),
                          "某项目（P-1）", "2026年10月", dt.date(2026, 10, 31), ())
    text = flat(pdftotext(risk_report.build_risk_report(data, tmp_path / "empty.pdf")))
    assert "在服务项目0个" in text and "本期无项目风险等级变化" in text and "草稿" in text
    assert risk_report.advice(data) == ("本期项目风险等级无变化，继续按既定频次开展服务。",)
