"""The 安全生产分析 report: charts with Chinese labels, derived text, tables."""

from __future__ import annotations

import pytest

from desktop.reports import analysis
from desktop.reports.data import (
    AnalysisData,
    MonthCount,
    PeriodStats,
    ProjectOpenCount,
    RepeatHazard,
)
from tests.reports.conftest import flat, meta, pdffonts, pdftotext

pytestmark = pytest.mark.usefixtures("poppler")


def _stats(**kw) -> PeriodStats:
    base = dict(
        scope_label="绍兴市越城区", period_label="2026年第一季度", projects_served=12,
        inspections=48, found=200, closed=150, overdue=9, major=4,
        by_level={1: 4, 2: 36, 3: 100, 4: 60},
        by_category=(("脚手架工程", 70), ("施工用电", 50), ("基坑工程", 30), ("高处作业", 50)),
        by_month=(MonthCount("2026-01", 80, 50), MonthCount("2026-02", 50, 40),
                  MonthCount("2026-03", 70, 60)),
        repeat_hazards=(RepeatHazard("金色家园二期", "施工用电", "配电箱未设置漏电保护器", 3),),
        top_open_projects=(ProjectOpenCount("金色家园二期", 12, 1, 3),),
    )
    base.update(kw)
    return PeriodStats(**base)


def test_analysis_report_text_charts_and_fonts(tmp_path, agency):
    data = AnalysisData(meta(agency, "2026年第一季度安全生产分析报告", "风控分析〔2026〕0001号"),
                        _stats(), suggestions=("加强施工用电专项检查。",), prepared_by="王五")
    path = analysis.build_safety_analysis(data, tmp_path / "a.pdf")
    assert all(r[-5] == "yes" for r in pdffonts(path))
    text = flat(pdftotext(path))
    assert "整改率75.0%" in text
    assert "脚手架工程类隐患最多，共70项，占35%" in text
    # chart labels are text in the CJK font, not lost glyphs
    for label in ("隐患等级分布", "一级（重大）4项", "隐患类别分布", "1月", "发现", "销项"):
        assert label in text, label
    assert "加强施工用电专项检查" in text


def test_analysis_of_an_empty_period(tmp_path, agency):
    data = AnalysisData(meta(agency, "安全生产分析报告", "风控分析〔2026〕0002号"),
                        _stats(found=0, closed=0, overdue=0, major=0, by_level={}, by_category=(),
                               by_month=(), repeat_hazards=(), top_open_projects=()))
    text = flat(pdftotext(analysis.build_safety_analysis(data, tmp_path / "e.pdf")))
    assert "整改率—" in text and "本期无隐患" in text and "本期各项指标正常" in text


def test_many_categories_are_folded_into_other(tmp_path, agency):
    cats = tuple((f"类别{i}", 20 - i) for i in range(18))
    data = AnalysisData(meta(agency, "安全生产分析报告", "风控分析〔2026〕0003号"),
                        _stats(by_category=cats, found=sum(n for _, n in cats)))
    text = flat(pdftotext(analysis.build_safety_analysis(data, tmp_path / "c.pdf")))
    assert "其他" in text and "类别17" not in text
