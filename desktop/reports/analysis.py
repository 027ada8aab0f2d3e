"""安全生产分析 report for a period and scope: levels, categories, months, rectification, repeats."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from desktop.reports.blocks import (
    Sections,
    data_table,
    numbered,
    paragraphs,
    shares,
    signature_block,
)
from desktop.reports.charts import category_bars, level_pie, month_bars
from desktop.reports.data import AnalysisData, PeriodStats, Signatory
from desktop.reports.layout import frame_width, title_block, write_pdf
from desktop.reports.standardisation_docs import analysis_text
from desktop.reports.styles import Styles
from desktop.reports.text import basis_text
from desktop.vocabulary import HAZARD_LEVEL_LABELS

log = logging.getLogger("desktop.reports")

_W = frame_width()
TOP_CATEGORIES = 12  # the rest are summed as 其他 so the chart stays legible


def build_safety_analysis(data: AnalysisData, path: Path | str) -> Path:
    """The analysis with charts; the text is derived from the numbers plus the author's points."""
    s = data.stats
    story: list[Flowable] = [*title_block(data.meta, _W)]
    section = Sections()
    story.append(section("基本情况"))
    if data.as_of is not None:
        story += paragraphs(basis_text(data.as_of), Styles.plain)
    story += paragraphs(overview_text(s, data.carried_over))
    story += paragraphs(analysis_text(data.standardisation))
    story.append(section("隐患等级分布"))
    story.append(KeepTogether([level_pie(s.by_level, width=_W), _level_table(s)]))
    story.append(section("隐患类别分布"))
    categories = _top_categories(s.by_category)
    if categories:
        story.append(category_bars(categories, width=_W))
        story.append(_category_table(categories, s.found))
    else:
        story += paragraphs("本期未发现隐患。")
    story.append(section("月度趋势"))
    if s.by_month:
        story.append(month_bars([(m.month, m.found, m.closed) for m in s.by_month], width=_W))
        rows = [[m.month, str(m.found), str(m.closed)] for m in s.by_month]
        story.append(data_table(["月份", "发现隐患（项）", "销项（项）"], rows,
                                widths=shares([40, 40, 40], _W), center_cols=(0, 1, 2)))
    else:
        story += paragraphs("本期无按月统计数据。")
    story.append(section("隐患整改情况"))
    story += paragraphs(rectification_text(s))
    story.append(section("重复出现的隐患"))
    if s.repeat_hazards:
        rows = [[str(i), r.project_name, r.category, r.description, str(r.count)]
                for i, r in enumerate(s.repeat_hazards, start=1)]
        story.append(data_table(["序号", "项目名称", "类别", "隐患内容", "出现次数"], rows,
                                widths=shares([10, 45, 22, 75, 18], _W), center_cols=(0, 4)))
    else:
        story += paragraphs("本期未发现同一项目重复出现的同类隐患。")
    story.append(section("未整改隐患较多的项目"))
    if s.top_open_projects:
        rows = [[str(i), p.project_name, str(p.open_count), str(p.open_level1), str(p.overdue)]
                for i, p in enumerate(s.top_open_projects, start=1)]
        story.append(data_table(["序号", "项目名称", "未销项隐患", "其中一级", "其中逾期"], rows,
                                widths=shares([10, 88, 24, 24, 24], _W), center_cols=(0, 2, 3, 4)))
    else:
        story += paragraphs("本期末无未销项隐患。")
    story.append(section("分析与建议"))
    points = list(observations(s)) + list(data.observations)
    story += numbered(points)
    if data.suggestions:
        story.append(Spacer(1, 2 * mm))
        story += paragraphs("下一步工作建议：", Styles.plain)
        story += numbered(list(data.suggestions))
    story.append(signature_block([
        Signatory("编制", seal=False, name=data.prepared_by, role="编制人"),
        Signatory("审核", seal=False, name=data.approved_by,
                  date=data.meta.date if data.approved_by else None, role="技术负责人"),
        # no approval by the agency's 负责人 is recorded: the line is left to sign by hand
        Signatory("批准（风控服务机构）", data.meta.agency.name, role="负责人"),
    ], width=_W))
    return write_pdf(data.meta, story, path)


def overview_text(s: PeriodStats, carried_over: int | None = None) -> str:
    """The period's figures; 排查隐患 counts those found in the period, and the carried-over ones
    the period's hazard list also shows are stated beside it, so the two totals reconcile."""
    found = f"排查隐患{s.found}项"
    if carried_over:
        found += (f"（本期新发现；另有上期结转未销项{carried_over}项，连同结转共"
                  f"{s.found + carried_over}项）")
    return (f"{s.period_label}，我机构在{s.scope_label}范围内共为{s.projects_served}个项目提供"
            f"事故预防服务，开展检查{s.inspections}次，{found}，其中重大事故隐患"
            f"{s.major}项；已整改销项{s.closed}项，整改率{_pct(s.rectification_rate)}；"
            f"逾期未整改{s.overdue}项{_carried(s)}。")


def _carried(s: PeriodStats) -> str:
    return f"（含上期结转{s.overdue_carried}项）" if s.overdue_carried else ""


def rectification_text(s: PeriodStats) -> str:
    open_count = max(0, s.found - s.closed)
    text = (f"本期发现隐患{s.found}项，已销项{s.closed}项，未销项{open_count}项，"
            f"整改率{_pct(s.rectification_rate)}。")
    if s.overdue:
        text += (f"逾期未整改隐患{s.overdue}项{_carried(s)}，应督促责任单位限期整改，必要时报告承保机构和"
                 "属地建设主管部门。")
    else:
        text += "无逾期未整改隐患。"
    return text


def observations(s: PeriodStats) -> tuple[str, ...]:
    """Statements that follow from the numbers alone; the author adds judgement separately."""
    points: list[str] = []
    if s.by_category and s.found:
        name, count = max(s.by_category, key=lambda c: c[1])
        points.append(f"{name or '未分类'}类隐患最多，共{count}项，占{count / s.found:.0%}，"
                      f"应作为下一阶段检查和培训的重点。")
    level1 = s.by_level.get(1, 0)
    if level1:
        points.append(f"本期发现一级隐患{level1}项，均应落实停工或局部停工建议并当日报告。")
    if s.repeat_hazards:
        points.append(f"{len(s.repeat_hazards)}类隐患在同一项目重复出现，说明相关单位整改"
                      f"不彻底或管理存在薄弱环节，应督促查找原因、举一反三。")
    if s.overdue:
        points.append(f"逾期未整改隐患{s.overdue}项，应加强跟踪督办，对拒不整改或拖延整改的依规报告。")
    if s.by_month and len(s.by_month) >= 2:
        first, last = s.by_month[0].found, s.by_month[-1].found
        trend = "上升" if last > first else "下降" if last < first else "持平"
        points.append(f"月度发现隐患数量由{first}项变为{last}项，总体呈{trend}趋势。")
    if not points:
        points.append("本期各项指标正常。")
    return tuple(points)


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def _top_categories(items: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    ranked = sorted(items, key=lambda c: -c[1])
    if len(ranked) <= TOP_CATEGORIES:
        return ranked
    head = ranked[:TOP_CATEGORIES - 1]
    return head + [("其他", sum(n for _, n in ranked[TOP_CATEGORIES - 1:]))]


def _level_table(s: PeriodStats) -> Flowable:
    total = sum(s.by_level.get(lvl, 0) for lvl in (1, 2, 3, 4))
    rows = [[HAZARD_LEVEL_LABELS[lvl], str(s.by_level.get(lvl, 0)),
             f"{s.by_level.get(lvl, 0) / total:.1%}" if total else "—"] for lvl in (1, 2, 3, 4)]
    rows.append(["合计", str(total), "100%" if total else "—"])
    return data_table(["等级", "数量（项）", "占比"], rows, widths=shares([40, 40, 40], _W),
                      levels=[1, 2, 3, 4, None], level_col=0, center_cols=(0, 1, 2))


def _category_table(categories: Sequence[tuple[str, int]], found: int) -> Flowable:
    total = found or sum(n for _, n in categories)
    rows = [[name or "未分类", str(n), f"{n / total:.1%}" if total else "—"]
            for name, n in categories]
    return data_table(["类别", "数量（项）", "占比"], rows, widths=shares([60, 30, 30], _W),
                      center_cols=(1, 2))
