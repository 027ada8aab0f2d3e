"""风险评估报告 for a period and scope: high / medium / low projects, their spread, the changes."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether

from desktop.reports.blocks import (
    Sections,
    data_table,
    numbered,
    paragraphs,
    shares,
    signature_block,
)
from desktop.reports.data import DocMeta, Signatory
from desktop.reports.fonts import BODY, ensure_fonts
from desktop.reports.layout import frame_width, title_block, write_pdf
from desktop.reports.text import cn_date, iso
from desktop.vocabulary import HAZARD_LEVEL_COLOURS, RISK_LEVEL_LABELS

log = logging.getLogger("desktop.reports")

LEVELS = ("high", "medium", "low")
LEVEL_LABELS: dict[str | None, str] = {key: text for key, text in RISK_LEVEL_LABELS.items()}
LEVEL_LABELS[None] = "未评定"
# the level tints of the hazard colours: high red, medium orange, low blue
LEVEL_TINT: dict[str | None, int] = {"high": 1, "medium": 2, "low": 4}
_W = frame_width()


@dataclass(frozen=True)
class RiskProjectLine:
    code: str
    name: str
    level: str | None  # high / medium / low; None: not assessed by the end of the period
    insurer: str = ""
    authority: str = ""
    assessed_on: dt.date | None = None
    reason: str = ""
    factors: str = ""  # the grading factors, e.g. 深基坑（开挖深度 6.5 m）
    is_override: bool = False


@dataclass(frozen=True)
class RiskChange:
    code: str
    name: str
    date: dt.date
    before: str | None  # None: first assessment
    after: str
    reason: str = ""
    by: str = ""
    is_override: bool = False

    @property
    def direction(self) -> int:
        """+1 raised, -1 lowered, 0 first assessment or unchanged."""
        order = {"low": 0, "medium": 1, "high": 2}
        if self.before is None:
            return 0
        return (order[self.after] > order[self.before]) - (order[self.after] < order[self.before])


@dataclass(frozen=True)
class RiskGroup:
    """Projects of one insurer or one authority by level."""

    label: str
    high: int = 0
    medium: int = 0
    low: int = 0
    unassessed: int = 0

    @property
    def total(self) -> int:
        return self.high + self.medium + self.low + self.unassessed


@dataclass(frozen=True)
class RiskReportData:
    meta: DocMeta
    scope_label: str
    period_label: str
    as_of: dt.date  # the levels are those in force at the end of this day
    projects: tuple[RiskProjectLine, ...]
    changes: tuple[RiskChange, ...] = ()
    by_insurer: tuple[RiskGroup, ...] = ()
    by_authority: tuple[RiskGroup, ...] = ()
    intervals: Mapping[str, int] = field(default_factory=dict)  # visit interval (days) per level
    prepared_by: str = ""
    approved_by: str = ""

    def of_level(self, level: str | None) -> tuple[RiskProjectLine, ...]:
        return tuple(p for p in self.projects if p.level == level)


def overview_text(d: RiskReportData) -> str:
    counts = {lv: len(d.of_level(lv)) for lv in (*LEVELS, None)}
    up = sum(1 for c in d.changes if c.direction > 0)
    down = sum(1 for c in d.changes if c.direction < 0)
    first = sum(1 for c in d.changes if c.before is None)
    text = (f"截至{cn_date(d.as_of)}，{d.scope_label}范围内在服务项目{len(d.projects)}个，其中高风险"
            f"{counts['high']}个、中风险{counts['medium']}个、低风险{counts['low']}个")
    text += f"、未评定{counts[None]}个。" if counts[None] else "。"
    text += (f"{d.period_label}共调整项目风险等级{len(d.changes)}次，其中首次评定{first}次、"
             f"上调{up}次、下调{down}次。")
    return text


def advice(d: RiskReportData) -> tuple[str, ...]:
    """Points that follow from the lists alone."""
    points: list[str] = []
    for level in LEVELS:
        n = len(d.of_level(level))
        days = d.intervals.get(level)
        if n and days:
            points.append(f"{LEVEL_LABELS[level]}项目{n}个，按每{days}天不少于1次的频次开展检查服务。")
    raised = len(d.of_level("high")) + len(d.of_level("medium"))
    if raised:
        points.append(f"高、中风险项目{raised}个，应逐一制定并落实专项服务方案。")
    unassessed = len(d.of_level(None))
    if unassessed:
        points.append(f"尚有{unassessed}个项目未开展风险评估，应在首次风险辨识后及时评定等级。")
    up = [c for c in d.changes if c.direction > 0]
    if up:
        points.append(f"本期{len(up)}个项目风险等级上调，应及时调整服务频次并加强危大工程和重大隐患的跟踪。")
    return tuple(points) or ("本期项目风险等级无变化，继续按既定频次开展服务。",)


def build_risk_report(data: RiskReportData, path: Path | str) -> Path:
    """The report: overview, spread by level / insurer / authority, the three lists, the changes."""
    story: list[Flowable] = [*title_block(data.meta, _W)]
    section = Sections()
    story.append(section("基本情况"))
    story += paragraphs(overview_text(data))
    counts = [(LEVEL_LABELS[lv], len(data.of_level(lv))) for lv in (*LEVELS, None)]
    total = len(data.projects)
    rows = [[label, str(n), f"{n / total:.1%}" if total else "—",
             f"每{data.intervals[lv]}天不少于1次" if lv is not None and lv in data.intervals else "—"]
            for (label, n), lv in zip(counts, (*LEVELS, None), strict=False)]
    story.append(KeepTogether([
        level_bars(counts, width=_W),
        data_table(["风险等级", "项目数", "占比", "检查服务频次"], rows,
                   widths=shares([30, 25, 25, 45], _W), center_cols=(0, 1, 2),
                   levels=[LEVEL_TINT.get(lv) for lv in (*LEVELS, None)], level_col=0),
    ]))
    for title, groups in (("按承保机构分布", data.by_insurer), ("按属地建设主管部门分布", data.by_authority)):
        if len(groups) > 1:
            story.append(section(title))
            story.append(_group_table(groups))
    for level in LEVELS:
        story.append(section(f"{LEVEL_LABELS[level]}项目清单"))
        story += _project_list(data.of_level(level))
    if data.of_level(None):
        story.append(section("未评定风险等级的项目"))
        story += _project_list(data.of_level(None))
    story.append(section("本期风险等级变化"))
    if data.changes:
        rows = [[cn_date(c.date), f"{c.name}（{c.code}）", LEVEL_LABELS.get(c.before, "—")
                 if c.before else "（首次评定）", LEVEL_LABELS[c.after],
                 c.reason + ("（人工调整）" if c.is_override else ""), c.by] for c in data.changes]
        story.append(data_table(["日期", "项目", "原等级", "新等级", "原因", "评定人"], rows,
                                widths=shares([24, 50, 18, 16, 50, 16], _W), center_cols=(2, 3),
                                levels=[LEVEL_TINT[c.after] for c in data.changes], level_col=3))
    else:
        story += paragraphs("本期无项目风险等级变化。")
    story.append(section("工作建议"))
    story += numbered(list(advice(data)))
    story.append(signature_block([
        Signatory("编制", seal=False, name=data.prepared_by, role="编制人"),
        Signatory("审核", seal=False, name=data.approved_by,
                  date=data.meta.date if data.approved_by else None, role="技术负责人"),
        # no approval by the agency's 负责人 is recorded: the line is left to sign by hand
        Signatory("批准（风控服务机构）", data.meta.agency.name, role="负责人"),
    ], width=_W))
    return write_pdf(data.meta, story, path)


def level_bars(counts: Sequence[tuple[str, int]], *, width: float,
               height: float = 55 * mm) -> Drawing:
    """Projects per level as bars in the level colours, in the order high, medium, low, 未评定."""
    ensure_fonts()
    drawing = Drawing(width, height, initialFontName=BODY, initialFontSize=8)  # never the unembedded Helvetica
    drawing.add(String(width / 2, height - 12, "项目风险等级分布（个）", fontName=BODY, fontSize=10,
                       textAnchor="middle"))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 18, width - 80, height - 42  # type: ignore[assignment]  # the stubs say int; ReportLab takes any number
    chart.data = [[n for _, n in counts]]
    chart.categoryAxis.categoryNames = [label for label, _ in counts]
    for labels in (chart.categoryAxis.labels, chart.valueAxis.labels):
        labels.fontName, labels.fontSize = BODY, 8
    chart.valueAxis.valueMin = 0
    top = max(max(chart.data[0], default=0), 1)
    step = next(s * 10 ** e for e in range(7) for s in (1, 2, 5) if s * 10 ** e * 5 >= top)
    chart.valueAxis.valueMax, chart.valueAxis.valueStep = step * (top // step + 1), step
    chart.bars.strokeColor = None
    fills = [colors.HexColor(HAZARD_LEVEL_COLOURS[LEVEL_TINT[lv]]) for lv in LEVELS]
    fills.append(colors.HexColor("#9e9e9e"))  # 未评定
    for i, fill in enumerate(fills[:len(counts)]):
        chart.bars[(0, i)].fillColor = fill
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName, chart.barLabels.fontSize, chart.barLabels.nudge = BODY, 8, 6
    chart.barWidth, chart.groupSpacing = 10, 25
    drawing.add(chart)
    return drawing


def _group_table(groups: Sequence[RiskGroup]) -> Flowable:
    rows = [[g.label, str(g.high), str(g.medium), str(g.low), str(g.unassessed), str(g.total)]
            for g in groups]
    rows.append(["合计", *(str(sum(getattr(g, k) for g in groups))
                         for k in ("high", "medium", "low", "unassessed", "total"))])
    return data_table(["单位", "高风险", "中风险", "低风险", "未评定", "合计"], rows,
                      widths=shares([70, 18, 18, 18, 18, 18], _W), center_cols=(1, 2, 3, 4, 5))


def _project_list(lines: Sequence[RiskProjectLine]) -> list[Flowable]:
    if not lines:
        return [*paragraphs("无。")]
    rows = [[str(i), p.code, p.name, p.insurer, p.authority, iso(p.assessed_on),
             (p.factors or p.reason) + ("（人工调整）" if p.is_override else "")]
            for i, p in enumerate(lines, start=1)]
    return [data_table(["序号", "项目编号", "项目名称", "承保机构", "属地主管部门", "评定日期", "主要风险因素"],
                       rows, widths=shares([9, 25, 38, 30, 26, 20, 42], _W), center_cols=(0, 5))]


__all__ = ["LEVEL_LABELS", "RiskChange", "RiskGroup", "RiskProjectLine", "RiskReportData",
           "advice", "build_risk_report", "overview_text"]
