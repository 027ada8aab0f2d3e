"""Charts drawn with reportlab.graphics, every label in the embedded CJK font."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from desktop.reports.fonts import BODY, ensure_fonts
from desktop.vocabulary import HAZARD_LEVEL_COLOURS, HAZARD_LEVEL_LABELS

FOUND = colors.HexColor("#c62828")
CLOSED = colors.HexColor("#2e7d32")
BAR = colors.HexColor("#1565c0")


def _drawing(width: float, height: float) -> Drawing:
    """A Drawing whose initial font is ours: the default would pull in unembedded Helvetica."""
    return Drawing(width, height, initialFontName=BODY, initialFontSize=8)


def _nice_axis(values: Sequence[int]) -> tuple[int, int]:
    """(max, step) with a 1-2-5 step and about five gridlines: 0, 20, 40… rather than 0, 18, 36…"""
    top = max(max(values, default=0), 1)
    raw = top * 1.1 / 5
    magnitude = 10 ** max(0, len(str(int(raw))) - 1)
    step = next((m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw), 10 * magnitude)
    step = max(1, int(step))
    return step * (int(top * 1.1 // step) + 1), step


def _title(drawing: Drawing, text: str, width: float, height: float) -> None:
    drawing.add(String(width / 2, height - 12, text, fontName=BODY, fontSize=10,
                       textAnchor="middle"))


def month_bars(months: Sequence[tuple[str, int, int]], *, width: float,
               height: float = 62 * mm, title: str = "隐患发现与销项按月统计") -> Drawing:
    """Found and closed hazards per month, two bars side by side."""
    ensure_fonts()
    drawing = _drawing(width, height)
    _title(drawing, title, width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 32, 30
    chart.width, chart.height = width - 130, height - 55  # type: ignore[assignment]  # the stubs say int; ReportLab takes any number
    chart.data = [[m[1] for m in months] or [0], [m[2] for m in months] or [0]]
    chart.categoryAxis.categoryNames = [_month_label(m[0]) for m in months] or [""]
    for axis in (chart.categoryAxis.labels, chart.valueAxis.labels):
        axis.fontName, axis.fontSize = BODY, 7.5
    chart.categoryAxis.labels.angle = 30 if len(months) > 8 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(months) > 8 else "n"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax, chart.valueAxis.valueStep = _nice_axis(
        [v for row in chart.data for v in row])
    chart.bars[0].fillColor, chart.bars[1].fillColor = FOUND, CLOSED
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName, chart.barLabels.fontSize = BODY, 6.5
    chart.barLabels.nudge = 6
    chart.groupSpacing, chart.barSpacing = 6, 1
    drawing.add(chart)
    drawing.add(_legend([(FOUND, "发现"), (CLOSED, "销项")], x=width - 85, y=height - 35))
    return drawing


def _month_label(month: str) -> str:
    year, _, mon = month.partition("-")
    return f"{int(mon)}月" if mon.isdigit() else month


def level_pie(by_level: Mapping[int, int], *, width: float, height: float = 62 * mm,
              title: str = "隐患等级分布") -> Drawing:
    """Share of each hazard level in the national four-level colours."""
    ensure_fonts()
    drawing = _drawing(width, height)
    _title(drawing, title, width, height)
    items = [(lvl, by_level.get(lvl, 0)) for lvl in (1, 2, 3, 4)]
    shown = [(lvl, n) for lvl, n in items if n > 0]
    total = sum(n for _, n in shown)
    if not shown:
        drawing.add(String(width / 2, height / 2, "本期无隐患", fontName=BODY, fontSize=10,
                           textAnchor="middle"))
        return drawing
    pie = Pie()
    size = height - 40
    pie.x, pie.y, pie.width, pie.height = width / 2 - size - 10, 12, size, size  # type: ignore[assignment]  # the stubs say int; ReportLab takes any number
    pie.data = [n for _, n in shown]
    pie.labels = [f"{n / total:.0%}" for _, n in shown]
    pie.simpleLabels = 1
    pie.slices.fontName, pie.slices.fontSize = BODY, 8
    pie.slices.strokeColor = colors.white
    pie.startAngle, pie.direction = 90, "clockwise"
    for i, (lvl, _) in enumerate(shown):
        pie.slices[i].fillColor = colors.HexColor(HAZARD_LEVEL_COLOURS[lvl])
    drawing.add(pie)
    drawing.add(_legend([(colors.HexColor(HAZARD_LEVEL_COLOURS[lvl]),
                          f"{HAZARD_LEVEL_LABELS[lvl]} {n} 项")
                         for lvl, n in items], x=width / 2 + 10, y=height - 30))
    return drawing


def category_bars(categories: Sequence[tuple[str, int]], *, width: float,
                  title: str = "隐患类别分布（项）") -> Drawing:
    """Hazard counts per category as horizontal bars, largest first."""
    ensure_fonts()
    rows = sorted(categories, key=lambda c: -c[1])
    height = max(50 * mm, 22 + 14 * len(rows) + 30)
    drawing = _drawing(width, height)
    _title(drawing, title, width, height)
    chart = HorizontalBarChart()
    label_room = 95
    chart.x, chart.y = label_room, 20
    chart.width, chart.height = width - label_room - 30, height - 45  # type: ignore[assignment]  # the stubs say int; ReportLab takes any number
    chart.data = [[n for _, n in reversed(rows)] or [0]]
    chart.categoryAxis.categoryNames = [name or "未分类" for name, _ in reversed(rows)] or [""]
    for labels in (chart.categoryAxis.labels, chart.valueAxis.labels):
        labels.fontName, labels.fontSize = BODY, 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax, chart.valueAxis.valueStep = _nice_axis(chart.data[0])
    chart.bars[0].fillColor = BAR
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName, chart.barLabels.fontSize = BODY, 7.5
    chart.barLabels.boxAnchor, chart.barLabels.dx = "w", 3
    drawing.add(chart)
    return drawing


def _legend(pairs: Sequence[tuple[colors.Color, str]], *, x: float, y: float) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y  # type: ignore[assignment]  # the stubs say int; ReportLab takes any number
    legend.fontName, legend.fontSize = BODY, 8
    legend.alignment = "right"
    legend.boxAnchor = "nw"
    legend.columnMaximum = 8
    legend.dx = legend.dy = 7
    legend.deltay = 12
    legend.colorNamePairs = list(pairs)
    return legend
