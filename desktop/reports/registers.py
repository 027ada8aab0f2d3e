"""隐患排查及问题整改清单 as a landscape PDF and as an XLSX in a stable, documented column layout."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Spacer, Table, TableStyle

from desktop.fileutil import atomic_writer
from desktop.reports import xlsx_print
from desktop.reports.blocks import HEAD_FILL, LINE, paragraphs, signature_block
from desktop.reports.data import RegisterData, RegisterLine, Signatory
from desktop.reports.fonts import BODY, ensure_fonts, text_width
from desktop.reports.layout import frame_height, frame_width, title_block, write_pdf
from desktop.reports.photos import grid_px, photo_grid, prefetch
from desktop.reports.styles import Styles, heading
from desktop.reports.text import basis_text, clip, iso, tidy, wrap_cjk, yes_no
from desktop.reports.xlsx_stream import (
    Cell,
    CellStyle,
    RowFormatter,
    SheetLayout,
    SheetWriter,
    XlsxWriter,
    row_formatter,
)

log = logging.getLogger("desktop.reports")


@dataclass(frozen=True)
class Column:
    key: str  # "seq" or a RegisterLine field
    header: str
    kind: str  # int / text / date / level / bool
    pdf_share: float  # relative width in the PDF
    xlsx_width: float  # Excel character units


# The stable layout shared with insurers and authorities (N-18) and read back by
# read_hazard_xlsx: change it only together with that reader, never silently. N-10's
# 责任、措施、时限、预案 stand side by side. Shares are for the landscape PDF; a date column
# is as wide as one date at the table's size, so a date is never broken.
COLUMNS: tuple[Column, ...] = (
    Column("seq", "序号", "int", 7, 6),
    Column("number", "隐患编号", "text", 19, 14),
    Column("project_name", "项目名称", "text", 20, 13),
    Column("found_date", "发现日期", "date", 17, 10.5),
    Column("location", "部位", "text", 14, 9.5),
    Column("description", "隐患描述", "text", 36, 22),
    Column("category", "类别", "text", 11, 9.5),
    Column("level", "等级", "level", 8, 5.5),
    Column("is_major", "重大隐患", "bool", 8, 5.5),
    Column("responsible_unit", "责任单位", "text", 18, 13),
    Column("responsible_person", "责任人", "text", 10, 7.5),
    Column("measures", "整改措施", "text", 28, 18),
    Column("deadline", "整改期限", "date", 17, 10.5),
    Column("contingency", "应急预案/临时措施", "text", 24, 14),
    Column("status_label", "状态", "text", 10, 7.5),
    Column("closed_date", "销项日期", "date", 17, 10.5),
    Column("overdue", "是否逾期", "overdue", 12, 7.5),
)
# The workbook's widths (units of xlsx_print) add up to 184: fitted to an A4 landscape page
# the 11 pt text prints at 8 pt or more (xlsx_print.print_points); every text column wraps,
# a date and a hazard number stay on one line, four CJK characters fit 类别 and 部位.
from desktop.vocabulary import HAZARD_LEVEL_LIGHT, HAZARD_LEVEL_SHORT

# The layout before issue 15, for rows that carry only RegisterLine's first fourteen fields
# (the review package's database lines): same columns less 责任人 and 预案.
SHORT_COLUMNS: tuple[Column, ...] = (COLUMNS[0], *(
    next(c for c in COLUMNS if c.key == key) for key in RegisterLine._fields[:14]))
HEADERS = tuple(c.header for c in COLUMNS)
_SHORT_ROW = 14  # fields of a short row
_ONE_LINE = {"number": "YH-2026-00001", "overdue": "是否逾期", "contingency": "应急预案/临时措施"}
_FIELDS = {name: i for i, name in enumerate(RegisterLine._fields)}
PRINT_LIMITS = {"description": 500, "measures": 500, "contingency": 500, "location": 100,
                "project_name": 100, "responsible_unit": 100, "responsible_person": 50,
                "category": 50}  # longer text (recorded before limits) prints cut with …
SHEET_NAME = "隐患清单"
_FONT_SIZE = 7.5
_LEADING = 9.5
_PAD = 2
_PAD_TOP = 1.5
_PAD_BOTTOM = 2
DATE_FORMAT = "yyyy-mm-dd"


_LEVEL, _MAJOR, _CLOSED, _OVERDUE_AT, _LATE = (RegisterLine._fields.index(name) for name in (
    "level", "is_major", "closed_date", "overdue", "late_days"))


def columns_for(rows: Sequence[Any]) -> tuple[Column, ...]:
    """The full layout, or the short one for rows of RegisterLine's first fourteen fields."""
    width = getattr(rows, "row_width", None)
    if width is None:
        width = len(rows[0]) if len(rows) else len(RegisterLine._fields)
    return SHORT_COLUMNS if width <= _SHORT_ROW else COLUMNS


def late_text(days: int) -> str:
    return f"是（逾期{days}天销项）"


def overdue_value(row: Any) -> bool | str:
    """是否逾期: open past its deadline (True), closed after it (是（逾期 N 天销项）), or not."""
    if row[_OVERDUE_AT]:
        return True
    days = row[_LATE] if len(row) > _LATE else 0
    return late_text(days) if days else False


def summary_text(data: RegisterData) -> str:
    """The register's one-line summary. Rows are read by position: a RegisterLine or a database
    line in its column order (a review package's register) both serve."""
    rows = data.rows
    levels = Counter(r[_LEVEL] for r in rows)
    by_level = "，".join(f"{HAZARD_LEVEL_SHORT[lvl]}{levels.get(lvl, 0)}项"
                        for lvl in (1, 2, 3, 4))
    major = sum(1 for r in rows if r[_MAJOR])
    closed = sum(1 for r in rows if r[_CLOSED] is not None)
    overdue = sum(1 for r in rows if r[_OVERDUE_AT])
    late = sum(1 for r in rows if len(r) > _LATE and r[_LATE]) if columns_for(rows) is COLUMNS \
        else 0
    late_part = f"；逾期后销项{late}项" if late else ""
    carried = data.carried_over
    carried_part = f"含上期结转未销项{carried}项、本期新发现{len(rows) - carried}项；" \
        if carried else ""
    return (f"统计范围：{data.scope_label}；统计期间：{data.period_label}；隐患共{len(rows)}项"
            f"（{carried_part}{by_level}；其中重大事故隐患{major}项）；已销项{closed}项；逾期未销项{overdue}项"
            f"{late_part}。")


def basis_line(data: RegisterData) -> str:
    """统计截至 …, when the register was drawn for a period (the carried-over count is stated
    with the total, in summary_text)."""
    return basis_text(data.as_of) if data.as_of is not None else ""


def build_hazard_register_pdf(data: RegisterData, path: Path | str, *,
                              progress: Callable[[int], None] | None = None) -> Path:
    """The register as a landscape PDF; time linear in the rows (10,000 in 5–10 s here) and
    memory following the finished file, not the drawing (see bench/results/reports.md).

    `progress(pages_done)` after each page; raising from it cancels and leaves no file.
    """
    width = frame_width(wide=True)
    story: list[Flowable] = [*title_block(data.meta, width)]
    story += paragraphs(summary_text(data), Styles.plain)
    if basis_line(data):
        story += paragraphs(basis_line(data), Styles.plain)
    story.append(_RegisterRows(data.rows, _TableLayout(width, columns_for(data.rows))))
    if data.photos:
        story += _photo_appendix(data.photos, width)
    story.append(signature_block([
        Signatory("编制", seal=False, name=data.prepared_by, role="编制人"),
        Signatory("审核", seal=False, name=data.approved_by,
                  date=data.meta.date if data.approved_by else None, role="技术负责人"),
        # no approval by the agency's 负责人 is recorded: the line is left to sign by hand
        Signatory("批准（风控服务机构）", data.meta.agency.name, role="负责人"),
    ], width=width * 0.75))
    return write_pdf(data.meta, story, path, wide=True, progress=progress, streaming=True)


PHOTO_COLUMNS = 5  # photos across the landscape page in the appendix


def _photo_appendix(photos: Sequence[tuple[Path, str]], width: float) -> list[Flowable]:
    """附：隐患照片 — every photo shrunk to print size (on every core first), captioned with
    its hazard's number and before / after."""
    prefetch([p for p, _ in photos], max_px=grid_px(width, PHOTO_COLUMNS))
    grid = photo_grid(photos, width=width, columns=PHOTO_COLUMNS)
    row_height = (width / PHOTO_COLUMNS - 4 * mm) * 0.75 + 12 * mm  # a photo, its caption
    # the heading and the first row of photos stay together
    return [CondPageBreak(row_height + 16 * mm), Spacer(1, 4 * mm), heading("附：隐患整改前后照片"),
            Spacer(1, 2 * mm),
            *([grid] if grid is not None else [])]


# A row ready to draw: its cells (pre-wrapped strings, or a _Tag) and its height in points.
_Row = tuple[list[Any], float]
_EPS = 0.001  # points kept free so float sums never make a page's Table overflow its frame


class _TableLayout:
    """Column widths, the header row and the style, shared by every page's Table.

    Pre-wrapped plain strings and known row heights: no Paragraph, no per-row style command.
    Measured at 5,000 rows: a Paragraph per cell doubles the time, and per-row style commands
    are re-split at every page break (quadratic); the level tint is therefore a cell flowable.
    """

    def __init__(self, width: float, columns: tuple[Column, ...] = COLUMNS) -> None:
        ensure_fonts()
        total = sum(c.pdf_share for c in columns)
        self.width, self.columns = width, columns
        self.font_size, self.leading = _FONT_SIZE, _LEADING  # also the .docx copy's
        self.widths = [width * c.pdf_share / total for c in columns]
        # a date, a hazard number and 是否逾期 each stay on one line: widen their columns
        # from the description's
        wide = [c.key for c in columns].index("description")
        for j, c in enumerate(columns):
            sample = "2026-12-07" if c.kind == "date" else _ONE_LINE.get(c.key)
            need = text_width(sample, _FONT_SIZE) + 2 * _PAD + 1.5 if sample else 0
            if self.widths[j] < need:
                self.widths[wide] -= need - self.widths[j]
                self.widths[j] = need
        self.inner = [w - 2 * _PAD - 0.5 for w in self.widths]
        self.dates = [j for j, c in enumerate(columns) if c.kind == "date"]
        self.level_col = [c.key for c in columns].index("level")
        self.overdue_col = [c.key for c in columns].index("overdue")
        self.pick = _picker(columns)
        self.head: list[Any] = [wrap_cjk(c.header, self.inner[j], _FONT_SIZE)
                                for j, c in enumerate(columns)]
        self.head_height = _height(self.head)
        self.page_room = frame_height(wide=True) - self.head_height - _EPS  # below the header
        self.tags = {lvl: _Tag(label, fill=colors.HexColor(HAZARD_LEVEL_LIGHT[lvl]))
                     for lvl, label in HAZARD_LEVEL_SHORT.items()}
        self.overdue_tag = _Tag("是", ink=colors.HexColor("#c62828"))
        self.style = TableStyle([
            ("FONT", (0, 0), (-1, -1), BODY, _FONT_SIZE, _LEADING),
            ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
            ("GRID", (0, 0), (-1, -1), 0.4, LINE),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (0, 0), (-1, 0), "CENTER"),
            ("ALIGN", (0, 1), (0, -1), "CENTER"),
            ("ALIGN", (self.level_col, 1), (self.level_col + 1, -1), "CENTER"),
            ("ALIGN", (self.overdue_col, 1), (self.overdue_col, -1), "CENTER"),
            ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
            ("TOPPADDING", (0, 0), (-1, -1), _PAD_TOP),
            ("BOTTOMPADDING", (0, 0), (-1, -1), _PAD_BOTTOM),
        ])

    def row(self, row: RegisterLine, seq: int) -> _Row:
        values: list[Any] = [wrap_cjk(v, self.inner[j], _FONT_SIZE)
                             for j, v in enumerate(_pdf_values(row, seq, self))]
        for j in self.dates:  # never broken inside a date
            values[j] = values[j].replace("\n", "")
        height = _height(values)
        level = cast(int, row[_LEVEL])  # an index worked out from the field names: mypy sees any field
        if level in self.tags:
            values[self.level_col] = self.tags[level]
        if row[_OVERDUE_AT]:
            values[self.overdue_col] = self.overdue_tag
        return values, height

    def table(self, rows: Sequence[_Row]) -> Table:
        """The header and these rows; repeatRows covers a caller that lets ReportLab split it."""
        table = Table([self.head, *(values for values, _ in rows)], colWidths=self.widths,
                      rowHeights=[self.head_height, *(height for _, height in rows)], repeatRows=1)
        table.setStyle(self.style)
        return table


def _cut(row: _Row, room: float) -> tuple[_Row, _Row] | None:
    """A row taller than a page cut between text lines: the lines that fit in `room`, then
    the rest (its other cells blank); None when not one line fits."""
    values, _ = row
    keep = int((room - _PAD_TOP - _PAD_BOTTOM) // _LEADING)
    if keep < 1:
        return None
    head: list[Any] = []
    tail: list[Any] = []
    for value in values:
        if isinstance(value, str):
            lines = value.split("\n")
            head.append("\n".join(lines[:keep]))
            tail.append("\n".join(lines[keep:]))
        else:  # a tag: one line, stays with the row's start
            head.append(value)
            tail.append("")
    return (head, _height([v for v in head if isinstance(v, str)])), (tail, _height(tail))


class _RegisterRows(Flowable):
    """The register's rows, laid out one page-sized Table at a time as the frame asks.

    ReportLab splits a Table of n rows by copying the rest at every page break: quadratic
    (65,000 rows took over 110 s and 0.9–1.2 GB). Here each split hands the frame a Table of exactly
    the rows that fit (heights are known from the pre-wrapped text) with the header row on
    top, and keeps the rest; rows are wrapped only a page ahead, so time is linear in the
    rows and memory holds one page of them. A row taller than a whole page goes on over the
    next page, cut between lines.
    """

    def __init__(self, rows: Sequence[RegisterLine], layout: _TableLayout, *, start: int = 0,
                 ahead: deque[_Row] | None = None) -> None:
        super().__init__()
        self.rows, self.layout, self.next = rows, layout, start
        self.ahead: deque[_Row] = ahead if ahead is not None else deque()
        self.ahead_height = sum(height for _, height in self.ahead)
        self._last: Table | None = None

    def text_rows(self) -> Iterator[list[str]]:
        """The header and every row as plain text (the .docx copy: Word lays out its own pages)."""
        yield [c.header for c in self.layout.columns]
        for seq, row in enumerate(self.rows, start=1):
            yield _pdf_values(row, seq, self.layout)

    def _read_ahead(self, room: float) -> None:
        """Wrap rows until those waiting are taller than `room` or none are left."""
        while self.next < len(self.rows) and self.ahead_height <= room:
            row = self.layout.row(self.rows[self.next], self.next + 1)
            self.next += 1
            self.ahead.append(row)
            self.ahead_height += row[1]

    def _all_read(self) -> bool:
        return self.next >= len(self.rows)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._read_ahead(avail_height - self.layout.head_height)
        height = self.layout.head_height + self.ahead_height
        if self._all_read() and height <= avail_height - _EPS:
            self._last = self.layout.table(list(self.ahead))
            self.width, self.height = self._last.wrap(avail_width, avail_height)
        else:  # more than the frame holds: the frame will ask for a split
            self._last = None
            self.width, self.height = self.layout.width, max(height, avail_height + 1)
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        room = avail_height - self.layout.head_height - _EPS
        self._read_ahead(room)
        taken: list[_Row] = []
        used = 0.0
        while self.ahead and used + self.ahead[0][1] <= room:
            row = self.ahead.popleft()
            taken.append(row)
            used += row[1]
        if not taken and self.ahead and self.ahead[0][1] > self.layout.page_room:
            parts = _cut(self.ahead[0], room)
            if parts is not None:
                taken.append(parts[0])
                self.ahead[0] = parts[1]
        if not taken:
            return []  # not even one row here: the frame moves to the next page
        table = self.layout.table(taken)
        if not self.ahead and self._all_read():
            return [table]
        return [table, _RegisterRows(self.rows, self.layout, start=self.next, ahead=self.ahead)]

    def draw(self) -> None:
        if self._last is None:
            raise RuntimeError("register rows drawn without a fitting wrap()")
        self._last.drawOn(self.canv, 0, 0)


def _height(values: Sequence[str]) -> float:
    lines = max(v.count("\n") + 1 for v in values)
    return lines * _LEADING + _PAD_TOP + _PAD_BOTTOM


class _Tag(Flowable):
    """A one-line cell value on a tinted rounded background (the level) or in colour (逾期)."""

    def __init__(self, text: str, *, fill: colors.Color | None = None, ink: colors.Color | None = None) -> None:
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


def _picker(columns: Sequence[Column]) -> Callable[[Any], tuple[Any, ...]]:
    """A row's values in the order of `columns` (without 序号), by field position."""
    return itemgetter(*(_FIELDS[c.key] for c in columns if c.key != "seq"))


def _pdf_values(row: Any, seq: int, layout: _TableLayout) -> list[str]:
    out = [str(seq)]
    for column, value in zip(layout.columns[1:], layout.pick(row), strict=False):
        if column.kind == "date":
            out.append(_iso(value))
        elif column.kind == "level":
            out.append(HAZARD_LEVEL_SHORT.get(value, str(value)))
        elif column.kind == "bool":
            out.append(yes_no(bool(value)))
        elif column.kind == "overdue":
            flag = overdue_value(row)
            out.append(flag if isinstance(flag, str) else yes_no(flag))
        else:
            text = tidy(value or "")
            limit = PRINT_LIMITS.get(column.key)
            out.append(clip(text, limit) if limit else text)
    return out


def _iso(value: Any) -> str:
    """A date, or ISO text as SQLite gives it, as 2026-12-07."""
    if value is None or value == "":
        return ""
    return value[:10] if isinstance(value, str) else iso(value)


def build_hazard_register_xlsx(data: RegisterData, path: Path | str, *,
                               progress: Callable[[int], None] | None = None,
                               durable: bool = True) -> Path:
    """The register as XLSX: frozen header, auto-filter, level fills, real dates, a 说明 sheet.

    Rows stream through xlsx_stream (each row formatted as one XML string), so memory stays
    flat and 48,000 rows take about half a second instead of openpyxl's 11 s
    (bench/results/data.md). `progress(rows_done)` every 1,000 rows; raising from it cancels
    and leaves no file. `durable=False`: a scratch file (see `atomic_writer`).
    """
    target = Path(path)
    rows = data.rows
    columns = columns_for(rows)
    with atomic_writer(target, "wb", durable=durable) as fh, XlsxWriter(
            fh, styles=_XLSX_STYLES, title=data.meta.title, creator=data.meta.agency.name) as book:
        layout = SheetLayout(SHEET_NAME, tuple(c.xlsx_width for c in columns), freeze_header=True,
                             autofilter=True, print_titles=True, landscape=True)
        with book.sheet(layout, rows_hint=len(rows) + 1) as sheet:
            sheet.append(tuple(c.header for c in columns), book.style(_HEAD),
                         height=xlsx_print.lines_height(max(
                             xlsx_print.text_lines(c.header, c.xlsx_width) for c in columns)))
            line = _xlsx_row(book, columns)
            pick = _picker(columns)
            late_at = [c.key for c in columns].index("overdue") - 1
            full = columns is COLUMNS
            batch: list[str] = []
            for seq, row in enumerate(rows, start=1):
                values = pick(row)
                if full and row[_LATE] and not row[_OVERDUE_AT]:  # closed late: say so
                    values = (*values[:late_at], late_text(cast(int, row[_LATE])), *values[late_at + 1:])
                batch.append(line(seq + 1, (seq, *values)))
                if seq % 1000 == 0:
                    sheet.write("".join(batch), len(batch))
                    batch.clear()
                    if progress is not None:
                        progress(seq)
            sheet.write("".join(batch), len(batch))
        with book.sheet(SheetLayout("说明", (14, 70))) as about:
            _about_sheet(about, data)
    log.info("wrote %s (%d rows)", target, len(rows))
    return target


# Named cell styles (they show in Excel's style gallery): header, 序号, dates, wrapped text,
# centred short values, 逾期 in red, and one fill per hazard level. A row's cells all start at
# its top: a row grows with its longest text.
_HEAD, _SEQ, _DATE, _WRAP, _CENTER, _OVERDUE = ("清单表头", "清单序号", "清单日期", "清单长文本",
                                                 "清单居中", "清单逾期")
_CENTRED: dict[str, Any] = {"horizontal": "center", "vertical": "top", "wrap": True}
_XLSX_STYLES = (
    CellStyle(_HEAD, bold=True, fill="E8E8E8", border=True, horizontal="center",
              vertical="center", wrap=True),
    CellStyle(_SEQ, horizontal="center", vertical="top"),
    CellStyle(_DATE, number_format=DATE_FORMAT, horizontal="center", vertical="top"),
    CellStyle(_WRAP, vertical="top", wrap=True),
    CellStyle(_CENTER, **_CENTRED),
    CellStyle(_OVERDUE, bold=True, colour="C62828", **_CENTRED),
    *(CellStyle(f"隐患{label}", fill=HAZARD_LEVEL_LIGHT[lvl].lstrip("#").upper(), **_CENTRED)
      for lvl, label in HAZARD_LEVEL_SHORT.items()),
)


def _xlsx_row(book: XlsxWriter, columns: Sequence[Column] = COLUMNS) -> RowFormatter:
    """The formatter of one register row, a cell per column of COLUMNS by its kind, its
    height from its wrapped text (every text column wraps, top-aligned). Text is always a
    string cell: a value that starts with "=" stays text, never a formula."""
    center = book.style(_CENTER)
    levels = {lvl: (label, book.style(f"隐患{label}"))
              for lvl, label in HAZARD_LEVEL_SHORT.items()}
    cells: list[Cell] = []
    for column in columns:
        if column.kind == "int":
            cells.append(Cell("number", book.style(_SEQ)))
        elif column.kind == "date":
            cells.append(Cell("date", book.style(_DATE)))
        elif column.kind == "level":
            cells.append(Cell("choice", center, levels))
        elif column.kind in ("bool", "overdue"):
            # 逾期 also takes 是（逾期 N 天销项）, written as text in the column's style
            hot = book.style(_OVERDUE) if column.kind == "overdue" else center
            cells.append(Cell("choice", center, {True: (yes_no(True), hot),
                                                 False: (yes_no(False), center)}))
        else:
            cells.append(Cell("text", book.style(_WRAP)))
    return row_formatter(cells, _row_height(columns))


def _row_height(columns: Sequence[Column]) -> Callable[[Sequence[Any]], float]:
    """A row's height in points from its values (序号 first): the most lines any wrapped text
    takes in its column (是（逾期 N 天销项） too); 0 for one line. Lines are kept by text:
    project names, units and categories repeat down a register."""
    wrapped: list[tuple[int, float, int, dict[str, int]]] = [
        (j, c.xlsx_width, xlsx_print.one_line_chars(c.xlsx_width), {})
        for j, c in enumerate(columns) if c.kind in ("text", "overdue")]

    def height(values: Sequence[Any]) -> float:
        most = 1
        for j, width, fits, known in wrapped:
            text = values[j]
            if text.__class__ is not str or not text or (len(text) <= fits and "\n" not in text):
                continue  # one line whatever its characters: most short columns, quickly
            lines = known.get(text)
            if lines is None:
                lines = known[text] = xlsx_print.text_lines(text, width)
            if lines > most:
                most = lines
        return xlsx_print.lines_height(most) if most > 1 else 0.0  # 0: the default height

    return height


def _about_sheet(sheet: SheetWriter, data: RegisterData) -> None:
    signed = tuple((label, name) for label, name in (
        ("编制人", data.prepared_by), ("技术负责人", data.approved_by))
        if name)
    for pair in (("文书名称", data.meta.title), ("编号", data.meta.number),
                 ("编制单位", data.meta.agency.name), ("编制日期", data.meta.date.isoformat()),
                 ("统计范围", data.scope_label), ("统计期间", data.period_label),
                 *((("统计依据", basis_line(data)),) if basis_line(data) else ()),
                 ("汇总", summary_text(data)), *signed, ("", ""), ("列名", "说明")):
        sheet.append(pair)
    notes = {"date": "日期（Excel 日期，格式 yyyy-mm-dd）", "level": "一级至四级",
             "bool": "是 / 否", "int": "自然数", "text": "文本",
             "overdue": "是（未销项且已过整改期限）/ 是（逾期 N 天销项）/ 否"}
    for column in columns_for(data.rows):
        sheet.append((column.header, notes[column.kind]))


def read_hazard_xlsx(path: Path | str) -> list[dict[str, Any]]:
    """Rows of a register workbook as dicts keyed like COLUMNS, typed as they were written.

    Also accepts hand-edited files: ISO date text, levels written 1–4, empty rows skipped.
    Raises ValueError (with the row number, in Chinese) on a wrong header or value.
    """
    from openpyxl import load_workbook  # only reading a workbook needs openpyxl (0.3 s to import)

    wb = load_workbook(Path(path), read_only=True, data_only=True)
    try:
        ws = wb[SHEET_NAME] if SHEET_NAME in wb.sheetnames else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = tuple((str(v).strip() if v is not None else "") for v in next(rows, ()))
        columns = COLUMNS if header[:len(COLUMNS)] == HEADERS else SHORT_COLUMNS
        if header[:len(columns)] != tuple(c.header for c in columns):
            raise ValueError(f"表头与隐患清单格式不符，应为：{'、'.join(HEADERS)}")
        result = []
        for line, values in enumerate(rows, start=2):
            values = tuple(values[:len(columns)]) + (None,) * (len(columns) - len(values))
            if all(v is None or v == "" for v in values):
                continue
            result.append({c.key: _read_value(c, v, line) for c, v in zip(columns, values, strict=False)})
        return result
    finally:
        wb.close()


_LEVELS = {v: k for k, v in HAZARD_LEVEL_SHORT.items()} | {str(k): k for k in HAZARD_LEVEL_SHORT}


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
        if isinstance(value, int | float) and int(value) in HAZARD_LEVEL_SHORT:
            return int(value)
        if text in _LEVELS:
            return _LEVELS[text]
    elif column.kind in ("bool", "overdue"):
        if text in ("是", "否"):
            return text == "是"
        if column.kind == "overdue" and text.startswith("是（"):
            return text  # 是（逾期 N 天销项）
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
