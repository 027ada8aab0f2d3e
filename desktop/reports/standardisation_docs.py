"""安全生产标准化建设 in the documents: the plan's section and the periodic analysis's line."""

from __future__ import annotations

from collections.abc import Callable

from reportlab.platypus import Flowable

from desktop.reports.blocks import data_table, paragraphs, shares
from desktop.reports.standardisation_data import (
    AssistLine,
    StandardisationCount,
    StandardisationPlan,
)
from desktop.reports.styles import heading
from desktop.reports.text import cn_date, join_cn

__all__ = ["AssistLine", "StandardisationCount", "StandardisationPlan", "analysis_text",
           "plan_section"]


def plan_section(section: Callable[[str], Flowable], plan: StandardisationPlan | None,
                 width: float) -> list[Flowable]:
    if plan is None:
        return []
    story: list[Flowable] = [section("安全生产标准化建设")]
    story += paragraphs(
        "协助投保单位开展安全生产标准化工地建设：结合各施工阶段的检查，对照标准化工地要求逐项检查，"
        "书面提出改进建议，并跟踪复查建议的落实情况。")
    story += paragraphs(f"计划检查的项目：{join_cn(list(plan.check_items))}。")
    if plan.done:
        story.append(heading("已开展的标准化建设协助", size=10.5))
        rows = [[cn_date(a.date), join_cn(list(a.items)), a.advice,
                 f"{cn_date(a.follow_up_on)}\n{a.follow_up_result}" if a.follow_up_on else "待复查"]
                for a in plan.done]
        story.append(data_table(["日期", "检查项目", "提出的建议", "跟踪复查"], rows,
                                widths=shares([38, 42, 52, 44], width), center_cols=(0,)))
    return story


def analysis_text(count: StandardisationCount | None) -> str:
    if count is None:
        return ""
    if not count.assists and not count.follow_ups:
        return "本期未开展安全生产标准化建设协助。"
    return (f"本期开展安全生产标准化建设协助{count.assists}次，涉及{count.projects}个项目；"
            f"完成建议落实情况跟踪复查{count.follow_ups}次。")
