"""隐患排查及问题整改清单 as a landscape PDF and as an XLSX in a stable, documented column layout."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib import colors
from reportlab.platypus import Flowable, Table, TableStyle

from desktop.fileutil import atomic_writer
from desktop.reports.blocks import HEAD_FILL, LINE, paragraphs, signature_block
from desktop.reports.data import LEVEL_LIGHT, LEVEL_SHORT, HazardRow, RegisterData, Signatory
from desktop.reports.fonts import BODY, ensure_fonts
from desktop.reports.layout import frame_width, title_block, write_pdf
from desktop.reports.styles import Styles
from desktop.reports.text import iso, wrap_cjk, yes_no

log = logging.getLogger("desktop.reports")


@dataclass(frozen=True)
class Column:
    key: str  # "seq" or a HazardRow field
    header: str
    kind: str  # int / text / date / level / bool
    pdf_share: float  # relative width in the PDF
    xlsx_width: float  # Excel character units


# The stable layout shared with insurers and authorities (N-18) and read back by the importer:
# change it only together with read_hazard_xlsx and the importer, never silently.
COLUMNS: tuple[Column, ...] = (
    Column("seq", "序号", "int", 7, 6),
    Column("number", "隐患编号", "text", 19, 16),
    Column("project_name", "项目名称", "text", 24, 28),
    Column("found_date", "发现日期", "date", 14, 12),
    Column("location", "部位", "text", 16, 18),
    Column("description", "隐患描述", "text", 42, 48),
    Column("category", "类别", "text", 12, 12),
    Column("level", "等级", "level", 8, 7),
    Column("is_major", "重大隐患", "bool", 8, 9),
    Column("measures", "整改措施", "text", 34, 40),
    Column("deadline", "整改期限", "date", 14, 12),
    Column("responsible_unit", "责任单位", "text", 22, 24),
    Column("status_label", "状态", "text", 10, 10),
    Column("closed_date", "销项日期", "date", 14, 12),
    Column("overdue", "是否逾期", "bool", 8, 9),
)
HEADERS = tuple(c.header for c in COLUMNS)
SHEET_NAME = "隐患清单"
_FONT_SIZE = 7.5
_LEADING = 9.5
_PAD = 2
_PAD_TOP = 1.5
_PAD_BOTTOM = 2
_LEVEL_COL = HEADERS.index("等级")
_OVERDUE_COL = HEADERS.index("是否逾期")
DATE_FORMAT = "yyyy-mm-dd"


def summary_text(data: RegisterData) -> str:
    rows = data.rows
    levels = Counter(r.level for r in rows)
    by_level = "，".join(f"{LEVEL_SHORT[lvl]}{levels.get(lvl, 0)}项" for lvl in (1, 2, 3, 4))
    major = sum(1 for r in rows if r.is_major)
    closed = sum(1 for r in rows if r.closed_date is not None)
    overdue = sum(1 for r in rows if r.overdue)
    return (f"统计范围：{data.scope_label}；统计期间：{data.period_label}；隐患共{len(rows)}项"
            f"（{by_level}；其中重大事故隐患{major}项）；已销项{closed}项；逾期{overdue}项。")


def build_hazard_register_pdf(data: RegisterData, path: Path | str, *,
                              progress: Callable[[int], None] | None = None) -> Path:
    """The register as a landscape PDF; 5,000 rows take a few seconds (see bench_reports).

    `progress(pages_done)` after each page; raising from it cancels and leaves no file.
    """
    width = frame_width(wide=True)
    story: list[Flowable] = [*title_block(data.meta, width)]
    story += paragraphs(summary_text(data), Styles.plain)
    story.append(_register_table(data.rows, width))
    story.append(signature_block([
        Signatory("编制", seal=False, role="编制人"),
        Signatory("审核", seal=False, role="技术负责人"),
        Signatory("风控服务机构", data.meta.agency.name, date=data.meta.date, role="负责人"),
    ], width=width * 0.75))
    return write_pdf(data.meta, story, path, wide=True, progress=progress)


def _register_table(rows: Sequence[HazardRow], width: float) -> Table:
    """Pre-wrapped plain strings and known row heights: no Paragraph, no per-row style command.

    Measured at 5,000 rows: a Paragraph per cell doubles the time, and per-row style commands
    are re-split at every page break (quadratic); the level tint is therefore a cell flowable.
    """
    ensure_fonts()
    total = sum(c.pdf_share for c in COLUMNS)
    widths = [width * c.pdf_share / total for c in COLUMNS]
    inner = [w - 2 * _PAD - 0.5 for w in widths]
    head = [wrap_cjk(c.header, inner[j], _FONT_SIZE) for j, c in enumerate(COLUMNS)]
    cells: list[list] = [head]
    heights = [_height(head)]
    tags = {lvl: _Tag(label, fill=colors.HexColor(LEVEL_LIGHT[lvl]))
            for lvl, label in LEVEL_SHORT.items()}
    overdue_tag = _Tag("是", ink=colors.HexColor("#c62828"))
    for i, row in enumerate(rows, start=1):
        values: list = [wrap_cjk(v, inner[j], _FONT_SIZE)
                        for j, v in enumerate(_pdf_values(row, i))]
        heights.append(_height(values))
        if row.level in tags:
            values[_LEVEL_COL] = tags[row.level]
        if row.overdue:
            values[_OVERDUE_COL] = overdue_tag
        cells.append(values)
    table = Table(cells, colWidths=widths, rowHeights=heights, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), BODY, _FONT_SIZE, _LEADING),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
        ("GRID", (0, 0), (-1, -1), 0.4, LINE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("ALIGN", (_LEVEL_COL, 1), (_LEVEL_COL + 1, -1), "CENTER"),
        ("ALIGN", (_OVERDUE_COL, 1), (_OVERDUE_COL, -1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
        ("TOPPADDING", (0, 0), (-1, -1), _PAD_TOP),
        ("BOTTOMPADDING", (0, 0), (-1, -1), _PAD_BOTTOM),
    ]))
    return table


def _height(values: Sequence[str]) -> float:
    lines = max(v.count("\n") + 1 for v in values)
    return lines * _LEADING + _PAD_TOP + _PAD_BOTTOM


class _Tag(Flowable):
    """A one-line cell value on a tinted rounded background (the level) or in colour (逾期)."""

    def __init__(self, text: str, *, fill=None, ink=None) -> None:
        super().__init__()
        self.text, self.fill, self.ink = text, fill, ink

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, _LEADING

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        if self.fill is not None:
            c.setFillColor(self.fill)
            c.roundRect(0, -1, self.width, _LEADING + 1, 2, stroke=0, fill=1)
        c.setFillColor(self.ink or colors.black)
        c.setFont(BODY, _FONT_SIZE)
        c.drawCentredString(self.width / 2, (_LEADING - _FONT_SIZE) / 2 + 0.8, self.text)
        c.restoreState()


def _pdf_values(row: HazardRow, seq: int) -> list[str]:
    return [str(seq), row.number, row.project_name, iso(row.found_date), row.location,
            row.description, row.category, LEVEL_SHORT.get(row.level, str(row.level)),
            yes_no(row.is_major), row.measures, iso(row.deadline), row.responsible_unit,
            row.status_label, iso(row.closed_date), yes_no(row.overdue)]


def build_hazard_register_xlsx(data: RegisterData, path: Path | str, *,
                               progress: Callable[[int], None] | None = None) -> Path:
    """The register as XLSX: frozen header, auto-filter, level fills, real dates, a 说明 sheet.

    Write-only mode streams rows to disk, so a list of 100k hazards stays around 40 MB.
    `progress(rows_done)` every 1,000 rows; raising from it cancels and leaves no file.
    """
    target = Path(path)
    wb = Workbook(write_only=True)
    wb.properties.title = data.meta.title
    wb.properties.creator = data.meta.agency.name
    ws = wb.create_sheet(SHEET_NAME)
    ws.freeze_panes = "A2"
    for i, column in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.xlsx_width
    last = get_column_letter(len(COLUMNS))
    ws.auto_filter.ref = f"A1:{last}{len(data.rows) + 1}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    styles = _XlsxStyles(wb)
    ws.append([styles.cell(ws, h, styles.HEAD) for h in HEADERS])
    try:
        for seq, row in enumerate(data.rows, start=1):
            ws.append(_xlsx_row(ws, styles, row, seq))
            if progress is not None and seq % 1000 == 0:
                progress(seq)
    except BaseException:
        _abandon(ws)
        raise
    _about_sheet(wb, data)
    with atomic_writer(target, "wb") as fh:
        wb.save(fh)
    log.info("wrote %s (%d rows)", target, len(data.rows))
    return target


def _abandon(ws) -> None:
    """Finish the sheet's stream and delete its temporary file after a failure or a cancel."""
    ws.close()
    temp = getattr(getattr(ws, "_writer", None), "out", None)  # openpyxl's spool file
    if isinstance(temp, str) and os.path.exists(temp):
        os.remove(temp)


class _XlsxStyles:
    """Named cell styles registered once; a cell then takes one by name.

    Assigning Font/Fill/Alignment objects cell by cell makes openpyxl hash each of them
    (measured: ~0.5 s per 5,000 rows); a named style is copied as one small array. The
    names also show in Excel's style gallery.
    """

    HEAD, DATE, WRAP, CENTER, OVERDUE = "清单表头", "清单日期", "清单长文本", "清单居中", "清单逾期"

    def __init__(self, wb: Workbook) -> None:
        thin = Side(style="thin", color="999999")
        center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        named = [
            NamedStyle(self.HEAD, font=Font(bold=True), alignment=center,
                       fill=PatternFill("solid", fgColor="E8E8E8"),
                       border=Border(left=thin, right=thin, top=thin, bottom=thin)),
            NamedStyle(self.DATE, number_format=DATE_FORMAT),
            NamedStyle(self.WRAP, alignment=Alignment(vertical="top", wrap_text=True)),
            NamedStyle(self.CENTER, alignment=center),
            NamedStyle(self.OVERDUE, alignment=center, font=Font(color="C62828", bold=True)),
        ]
        self.level = {}
        for lvl, colour in LEVEL_LIGHT.items():
            name = f"隐患{LEVEL_SHORT[lvl]}"
            named.append(NamedStyle(name, alignment=center,
                                    fill=PatternFill("solid", fgColor=colour.lstrip("#").upper())))
            self.level[lvl] = name
        for style in named:
            wb.add_named_style(style)

    @staticmethod
    def cell(ws, value: Any, style: str) -> WriteOnlyCell:
        c = WriteOnlyCell(ws, value=value)
        c.style = style
        return c


def _xlsx_row(ws, styles: _XlsxStyles, row: HazardRow, seq: int) -> list[Any]:
    out: list[Any] = []
    for column in COLUMNS:
        value = seq if column.key == "seq" else getattr(row, column.key)
        if column.kind == "date":
            out.append(None if value is None else styles.cell(ws, value, styles.DATE))
        elif column.kind == "level":
            label = LEVEL_SHORT.get(value, str(value))
            out.append(styles.cell(ws, label, styles.level.get(value, styles.CENTER)))
        elif column.kind == "bool":
            overdue = value and column.key == "overdue"
            out.append(styles.cell(ws, yes_no(value), styles.OVERDUE if overdue else styles.CENTER))
        elif column.kind == "text":
            text = _clean(value)
            if column.key in ("description", "measures"):
                c = styles.cell(ws, text, styles.WRAP)
            elif text.startswith("="):
                c = WriteOnlyCell(ws, value=text)
            else:
                out.append(text or None)
                continue
            if c.data_type == "f":
                c.data_type = "s"  # text that starts with "=" stays text, never a formula
            out.append(c)
        else:
            out.append(value)
    return out


def _clean(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text or "")


def _about_sheet(wb: Workbook, data: RegisterData) -> None:
    ws = wb.create_sheet("说明")
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 70
    for pair in (("文书名称", data.meta.title), ("编号", data.meta.number),
                 ("编制单位", data.meta.agency.name), ("编制日期", data.meta.date.isoformat()),
                 ("统计范围", data.scope_label), ("统计期间", data.period_label),
                 ("汇总", summary_text(data)), ("", ""), ("列名", "说明")):
        ws.append(list(pair))
    notes = {"date": "日期（Excel 日期，格式 yyyy-mm-dd）", "level": "一级至四级",
             "bool": "是 / 否", "int": "自然数", "text": "文本"}
    for column in COLUMNS:
        ws.append([column.header, notes[column.kind]])


def read_hazard_xlsx(path: Path | str) -> list[dict[str, Any]]:
    """Rows of a register workbook as dicts keyed like COLUMNS, typed as they were written.

    Also accepts hand-edited files: ISO date text, levels written 1–4, empty rows skipped.
    Raises ValueError (with the row number, in Chinese) on a wrong header or value.
    """
    wb = load_workbook(Path(path), read_only=True, data_only=True)
    try:
        ws = wb[SHEET_NAME] if SHEET_NAME in wb.sheetnames else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = tuple((str(v).strip() if v is not None else "") for v in next(rows, ()))
        if header[:len(HEADERS)] != HEADERS:
            raise ValueError(f"表头与隐患清单格式不符，应为：{'、'.join(HEADERS)}")
        result = []
        for line, values in enumerate(rows, start=2):
            values = tuple(values[:len(COLUMNS)]) + (None,) * (len(COLUMNS) - len(values))
            if all(v is None or v == "" for v in values):
                continue
            result.append({c.key: _read_value(c, v, line) for c, v in zip(COLUMNS, values)})
        return result
    finally:
        wb.close()


_LEVELS = {v: k for k, v in LEVEL_SHORT.items()} | {str(k): k for k in LEVEL_SHORT}


def _read_value(column: Column, value: Any, line: int) -> Any:
    if column.kind == "date":
        return as_date(value, column=column.header, line=line)
    if column.kind == "text":
        return "" if value is None else str(value)
    text = "" if value is None else str(value).strip()
    if column.kind == "int":
        if isinstance(value, int):
            return value
        if text.isdigit():
            return int(text)
    elif column.kind == "level":
        if isinstance(value, int | float) and int(value) in LEVEL_SHORT:
            return int(value)
        if text in _LEVELS:
            return _LEVELS[text]
    elif column.kind == "bool":
        if text in ("是", "否"):
            return text == "是"
    raise ValueError(f"第 {line} 行“{column.header}”的值无效：{value}")


def as_date(value: Any, *, column: str, line: int) -> dt.date | None:
    """A cell value as a date: Excel dates, ISO text (hand-edited files) or empty."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"第 {line} 行“{column}”不是有效日期：{value}") from None
