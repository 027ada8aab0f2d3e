"""The self-check against the annex form (序号 / 检查内容 / 检查要点 / 检查情况) as PDF and XLSX."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from desktop.fileutil import atomic_writer
from desktop.reports import xlsx_print
from desktop.reports.blocks import (
    HEAD_FILL,
    LABEL_FILL,
    LINE,
    cell,
    data_table,
    field_table,
    paragraphs,
    shares,
    signature_block,
)
from desktop.reports.data import DocMeta, Signatory
from desktop.reports.fonts import BODY
from desktop.reports.grid import Grid
from desktop.reports.layout import frame_width, title_block, write_pdf
from desktop.reports.styles import P, Styles, heading
from desktop.reports.text import cn_date, iso, para
from desktop.reports.wording import text as wording_text

if TYPE_CHECKING:
    from openpyxl.cell import Cell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

log = logging.getLogger("desktop.reports")

STATUS_LABELS = {"met": "符合", "not_met": "不符合", "not_due": "尚未到期", "not_applicable": "不适用",
                 "manual": "待人工填写"}
STATUS_COLOURS = {"met": "#2e7d32", "not_met": "#c62828", "not_due": "#1565c0", "not_applicable": "#616161",
                  "manual": "#e65100"}
GAPS_IN_CELL = 5  # the rest go to the appendix: a table row may not outgrow a page
GAPS_IN_XLSX_CELL = 30  # Excel refuses cells over 32,767 characters; the rest are on 问题清单
APPENDIX_ROWS = 1000  # the PDF appendix stops here; the XLSX always holds every gap
XLSX_HEADERS = ("序号", "检查内容", "检查要点", "检查情况", "依据", "问题数", "其中已逾期",
                "问题清单", "说明", "条目编号")
GAP_HEADERS = ("条目编号", "检查要点", "项目", "问题", "起始日期", "是否已逾期")
_W = frame_width()


@dataclass(frozen=True)
class SelfCheckGap:
    project: str  # "" for an agency-wide gap
    missing: str
    since: dt.date | None = None
    due: bool = True  # False: not yet late
    waived: bool = False  # never due: the service in the period was too short to owe it

    @property
    def state(self) -> str:
        return "已逾期" if self.due else "本期不计" if self.waived else "未到期"


@dataclass(frozen=True)
class SelfCheckRow:
    """One 检查要点 of the annex with its result."""

    item_id: str  # C-2d
    number: str  # 序号 as printed ("" continues the numbered row above)
    section: str
    content: str  # 检查内容
    point: str  # 检查要点 ("" where the annex has none)
    status: str  # met / not_met / not_due / not_applicable / manual
    evidence: tuple[str, ...] = ()
    gaps: tuple[SelfCheckGap, ...] = ()
    note: str = ""
    basis: str = ""  # how the result was decided

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def ref(self) -> str:
        """The item as the checklist itself numbers it (序号2第4点), never our internal id."""
        tail = self.item_id.rsplit("-", 1)[-1]
        number, letter = tail.rstrip("abcdefghijklmnopqrstuvwxyz"), tail[-1:]
        if not number.isdigit() or not letter.isalpha():
            return f"序号{self.number}" if self.number else ""
        return f"序号{number}第{ord(letter) - ord('a') + 1}点"

    @property
    def due_gaps(self) -> int:
        return sum(1 for g in self.gaps if g.due)


@dataclass(frozen=True)
class SelfCheckData:
    meta: DocMeta
    scope_label: str
    period_label: str  # 2026年第三季度（2026-07-01 至 2026-09-30）
    as_of: dt.date
    project_count: int
    rows: tuple[SelfCheckRow, ...]
    prepared_by: str = ""
    approved_by: str = ""
    counted_to: dt.date | None = None  # the last day whose records count (the period's end, or as_of)

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(1 for r in self.rows if r.status == s) for s in STATUS_LABELS}

    @property
    def basis(self) -> list[tuple[str, dt.date]]:
        """统计截至 is the last day whose records were counted; when the document is made later,
        the day lateness is judged on is named too (a duty done after the period still counts
        as missing for it, and 已逾期 is judged at the print date)."""
        counted = self.counted_to or self.as_of
        out = [("统计截至", counted)]
        if counted < self.as_of:
            out.append(("逾期判断日", self.as_of))
        return out


def result_text(data: SelfCheckData) -> str:
    c = data.counts
    return (f"共 {len(data.rows)} 项：符合 {c['met']} 项，不符合 {c['not_met']} 项，"
            f"尚未到期 {c['not_due']} 项，不适用 {c['not_applicable']} 项，待人工填写 {c['manual']} 项")


def _gap_line(g: SelfCheckGap) -> str:
    who = f"{g.project}：" if g.project else ""
    since = f"（自{cn_date(g.since)}）" if g.since else ""
    return f"{who}{g.missing}{since}{'' if g.due else f'［{g.state}］'}"


_STATUS_STYLES = {s: ParagraphStyle(f"status_{s}", parent=Styles.cell, fontSize=10, leading=14,
                                    textColor=colors.HexColor(c))
                  for s, c in STATUS_COLOURS.items()}
_SMALL = ParagraphStyle("selfcheck_small", parent=Styles.cell, fontSize=8, leading=11)


def _finding(row: SelfCheckRow) -> list[Flowable]:
    """The 检查情况 cell: the verdict, what it rests on, the gaps (a few), the manual note."""
    parts: list[Flowable] = [P(f"【{para(row.status_label)}】", _STATUS_STYLES[row.status])]
    if row.evidence:
        parts.append(P(para("依据：" + "；".join(row.evidence)), _SMALL))
    if row.gaps:
        parts.append(P(para(f"问题 {len(row.gaps)} 项（已逾期 {row.due_gaps} 项）："), _SMALL))
        parts += [P(para(f"· {_gap_line(g)}"), _SMALL) for g in row.gaps[:GAPS_IN_CELL]]
        if len(row.gaps) > GAPS_IN_CELL:
            parts.append(P(para(f"……另有 {len(row.gaps) - GAPS_IN_CELL} 项，见附表"), _SMALL))
    if row.note:
        parts.append(P(para(f"说明：{row.note}"), _SMALL))
    return parts


GAP_COLUMN_WIDTH = 44  # the 问题清单 column of the checklist sheet (checklist_widths below)


def _gap_cell(row: SelfCheckRow, width: float = GAP_COLUMN_WIDTH) -> str:
    """The problems of one item in its cell: as many as fit in a row of Excel's greatest height
    (409 pt) with one line kept for "另有 N 项" — a taller row would be cut at 409 pt and the
    line saying where the rest are would not print. At most GAPS_IN_XLSX_CELL."""
    room = int(xlsx_print.MAX_ROW_HEIGHT // xlsx_print.LINE_HEIGHT) - 1
    lines: list[str] = []
    used = 0
    for gap in row.gaps[:GAPS_IN_XLSX_CELL]:
        text = _gap_line(gap)
        needed = xlsx_print.text_lines(text, width)
        if used + needed > room:
            break
        lines.append(text)
        used += needed
    if len(lines) < len(row.gaps):
        lines.append(f"……另有 {len(row.gaps) - len(lines)} 项，见“问题清单”工作表")
    return "\n".join(lines)


def _layout(rows: Sequence[SelfCheckRow]) -> list[tuple[bool, bool, bool]]:
    """Per row: (starts a section, starts a 序号 group, starts a 检查内容 group)."""
    out = []
    previous: SelfCheckRow | None = None
    for row in rows:
        if previous is None or row.section != previous.section:
            section = number = content = True
        else:
            section = False
            # "" continues the numbered row above, as the annex leaves merged cells blank
            number = row.number != "" and row.number != previous.number
            content = number or row.content != previous.content or not row.point \
                or not previous.point
        out.append((section, number, content))
        previous = row
    return out


def checklist_table(rows: Sequence[SelfCheckRow], *, width: float) -> Table:
    """The annex grid. Merged cells are drawn by leaving out inner rules, not by SPAN, so that
    a long group of rows may still break across pages."""
    widths = shares([8, 30, 27, 42], width)
    data: list[list[Any]] = [[cell(h, Styles.label) for h in ("序号", "检查内容", "检查要点", "检查情况")]]
    cmds: list[tuple[Any, ...]] = [("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
                         ("LINEBELOW", (0, 0), (-1, 0), 0.5, LINE)]
    for row, (section, number, content) in zip(rows, _layout(rows), strict=True):
        if section:
            r = len(data)
            data.append([cell(row.section, Styles.label), "", "", ""])
            cmds += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), LABEL_FILL),
                     ("LINEBELOW", (0, r), (-1, r), 0.5, LINE),
                     ("NOSPLIT", (0, r), (-1, r + 1))]  # a section title never ends a page
        r = len(data)
        first = [cell(row.number, Styles.cell_center) if number else "",
                 cell(row.content) if content else ""]
        if row.point:
            data.append(first + [cell(row.point), _finding(row)])
        else:  # items 8: the content is the point and takes both columns
            data.append(first + ["", _finding(row)])
            cmds.append(("SPAN", (1, r), (2, r)))
        if number:
            cmds.append(("LINEBELOW", (0, r - 1), (0, r - 1), 0.5, LINE))
        if content:
            cmds.append(("LINEBELOW", (1, r - 1), (1, r - 1), 0.5, LINE))
        cmds.append(("LINEBELOW", (2, r), (3, r), 0.5, LINE))
    table = Grid(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), BODY, 9),
        ("BOX", (0, 0), (-1, -1), 0.8, LINE),
        ("LINEAFTER", (0, 0), (2, -1), 0.5, LINE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        *cmds,
    ]))
    return table


def _appendix(rows: Sequence[SelfCheckRow]) -> list[Flowable]:
    gaps = [(r, g) for r in rows for g in r.gaps]
    if not gaps:
        return []
    shown = gaps[:APPENDIX_ROWS]
    lines = [[str(i), r.ref, g.project or "全机构", g.missing, cn_date(g.since, blank=""),
              g.state] for i, (r, g) in enumerate(shown, start=1)]
    out: list[Flowable] = [heading("附表：自查发现的问题清单"),
                           data_table(["序号", "条目", "项目", "问题", "起始日期", "状态"], lines,
                                      widths=shares([9, 12, 40, 70, 24, 15], _W),
                                      center_cols=(0, 1, 5))]
    if len(gaps) > len(shown):
        out += paragraphs(f"问题共 {len(gaps)} 项，此处列出前 {len(shown)} 项；完整清单见同期自查表 Excel 文件。",
                          Styles.plain)
    return out


def build_selfcheck_pdf(data: SelfCheckData, path: Path | str) -> Path:
    """The filled annex checklist, then every gap found, then the sign-off."""
    story: list[Flowable] = [*title_block(data.meta, _W)]
    story.append(field_table([
        [("受检机构", data.meta.agency.name)],
        [("自查范围", data.scope_label), ("涉及项目", f"{data.project_count} 个")],
        [("自查期间", data.period_label), (data.basis[0][0], cn_date(data.basis[0][1]))],
        *([(label, cn_date(day))] for label, day in data.basis[1:]),
        [("自查结果", result_text(data))],
    ], width=_W))
    story.append(Spacer(1, 4 * mm))
    story.append(checklist_table(data.rows, width=_W))
    story += paragraphs(wording_text(dict(data.meta.wording), "self_check", "note"), Styles.small)
    story += _appendix(data.rows)
    story.append(signature_block([
        Signatory("自查", seal=False, name=data.prepared_by, role="自查人"),
        Signatory("审核", seal=False, name=data.approved_by,
                  date=data.meta.date if data.approved_by else None, role="技术负责人"),
        # no approval by the agency's 负责人 is recorded: the line is left to sign by hand
        Signatory("批准（风控服务机构）", data.meta.agency.name, role="负责人"),
    ], width=_W))
    return write_pdf(data.meta, story, path)


def build_selfcheck_xlsx(data: SelfCheckData, path: Path | str) -> Path:
    """The same checklist as a workbook: the annex sheet, every gap, a 说明 sheet.

    Written in openpyxl's write-only mode: an agency of 4,000 projects has some 200,000 gaps.
    """
    # openpyxl is imported here, not with the module: the PDF self-check never needs it
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    wb.properties.title = data.meta.title
    wb.properties.creator = data.meta.agency.name
    st = _XlsxStyles()
    ws = wb.create_sheet("检查表")
    # 184 units: fitted to A4 landscape the 11 pt text prints at 8 pt (xlsx_print.print_points)
    checklist_widths = (6, 28, 26, 12, 24, 7, 9, GAP_COLUMN_WIDTH, 20, 8)
    for i, width in enumerate(checklist_widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    xlsx_print.apply(ws, checklist_widths)
    ws.row_dimensions[1].height = _head_height(XLSX_HEADERS, checklist_widths)  # 其中已逾期: 2 lines
    ws.append([st.cell(ws, h, st.head) for h in XLSX_HEADERS])
    r = 1
    groups: dict[int, int | None] = {1: None, 2: None}  # column -> first row of the open group

    def close(column: int, last: int) -> None:
        first = groups[column]
        if first is not None and last > first:
            letter = get_column_letter(column)
            ws.merged_cells.add(f"{letter}{first}:{letter}{last}")
        groups[column] = None

    layout = _layout(data.rows)
    values_of: list[list[str | float | None]] = [
        [row.number, row.content, row.point, row.status_label, "；".join(row.evidence),
         len(row.gaps), row.due_gaps, _gap_cell(row), row.note, row.ref] for row in data.rows]
    heights = _row_heights(values_of, layout, checklist_widths)
    for row, (section, number, content), values, height in zip(
            data.rows, layout, values_of, heights, strict=True):
        if section:
            close(1, r)
            close(2, r)
            r += 1
            ws.append([st.cell(ws, row.section, st.section)])
            ws.merged_cells.add(f"A{r}:{get_column_letter(len(XLSX_HEADERS))}{r}")
        r += 1
        for column, starts in ((1, number), (2, content)):
            if starts:
                close(column, r - 1)
                groups[column] = r
        ws.row_dimensions[r].height = height  # set before the row is written (write-only)
        cells = [st.cell(ws, v, st.body) for v in values]
        cells[3].font = Font(bold=True, color=STATUS_COLOURS[row.status].lstrip("#").upper())
        ws.append(cells)
    close(1, r)
    close(2, r)
    gaps = wb.create_sheet("问题清单")
    gap_widths = (9, 50, 36, 60, 12, 10)
    for i, width in enumerate(gap_widths, start=1):
        gaps.column_dimensions[get_column_letter(i)].width = width
    gaps.freeze_panes = "A2"
    xlsx_print.apply(gaps, gap_widths)
    gaps.row_dimensions[1].height = _head_height(GAP_HEADERS, gap_widths)
    gaps.append([st.cell(gaps, h, st.head) for h in GAP_HEADERS])
    for row in data.rows:
        what = row.point or row.content
        for g in row.gaps:
            since = None
            if g.since is not None:
                since = WriteOnlyCell(gaps, value=g.since)  # type: ignore[arg-type]  # openpyxl writes dates; the stubs leave them out
                since.number_format = "yyyy-mm-dd"
            gaps.append([row.ref, _text(gaps, what), _text(gaps, g.project or "全机构"),
                         _text(gaps, g.missing), since, "是" if g.due else "本期不计" if g.waived else "否"])
    about = wb.create_sheet("说明")
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 14, 80
    xlsx_print.apply(about, (14, 80), title_rows=0)
    for pair in (("文书名称", data.meta.title), ("编号", data.meta.number),
                 ("受检机构", data.meta.agency.name), ("自查范围", data.scope_label),
                 ("自查期间", data.period_label), *((label, iso(day)) for label, day in data.basis),
                 ("涉及项目", data.project_count), ("自查结果", result_text(data)),
                 ("编制日期", iso(data.meta.date))):
        about.append([_text(about, v) for v in pair])
    target = Path(path)
    with atomic_writer(target, "wb") as fh:
        wb.save(fh)
    log.info("wrote %s (%d items)", target, len(data.rows))
    return target


def _head_height(headers: Sequence[str], widths: Sequence[float]) -> float:
    return xlsx_print.lines_height(max(xlsx_print.text_lines(h, w)
                                       for h, w in zip(headers, widths, strict=True)))


def _row_heights(values_of: Sequence[Sequence[object]], layout: Sequence[tuple[bool, bool, bool]],
                 widths: Sequence[float]) -> list[float]:
    """Each checklist row's height in points: its tallest wrapped cell, and a merged 序号 or
    检查内容 cell's text spread over its group (the group's last row takes what is missing)."""
    lines = [max(xlsx_print.text_lines(str(v), widths[j]) for j, v in enumerate(values) if j > 1)
             for values in values_of]
    for column, flag in ((0, 1), (1, 2)):  # 序号, 检查内容: the first row of a group holds the text
        starts = [i for i, marks in enumerate(layout) if marks[flag] or marks[0]]
        for first, end in zip(starts, [*starts[1:], len(layout)], strict=True):
            need = xlsx_print.text_lines(str(values_of[first][column]), widths[column])
            have = sum(lines[first:end])
            if need > have:
                lines[end - 1] += need - have
    return [xlsx_print.lines_height(n) for n in lines]


def _text(ws: WriteOnlyWorksheet, value: object) -> object:
    """User text as a text cell: openpyxl takes a string starting with "=" for a formula (an
    imported project name "=HYPERLINK(…)" would become a live link), so such a string is
    written as an explicit string cell; others go as they are."""
    if isinstance(value, str) and value.startswith("="):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value


class _XlsxStyles:
    """Style objects made once and shared by every cell."""

    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        thin = Side(style="thin", color="999999")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.head = (Font(bold=True), PatternFill("solid", fgColor="E8E8E8"),
                     Alignment(horizontal="center", vertical="center", wrap_text=True))
        self.section = (Font(bold=True), PatternFill("solid", fgColor="F4F4F4"), None)
        self.body = (None, None, Alignment(vertical="top", wrap_text=True))

    def cell(self, ws: WriteOnlyWorksheet, value: str | float | None,
             style: tuple[Font | None, PatternFill | None, Alignment | None]) -> Cell:
        from openpyxl.cell import WriteOnlyCell

        c = WriteOnlyCell(ws, value=value)
        if isinstance(value, str):
            c.data_type = "s"  # user text stays text, even when it starts with "="
        font, fill, alignment = style
        c.border = self.border
        if font is not None:
            c.font = font
        if fill is not None:
            c.fill = fill
        if alignment is not None:
            c.alignment = alignment
        return c
