"""The editable copy: any document's story, as its builder made it for the PDF, written as .docx.

Each kind has one builder (reports/*.py) that composes a story of flowables and hands it to
layout.write_pdf. `write_docx(build, data, path)` runs that builder with layout.STORY_SINK set,
so the finished story comes here instead, and walks it: the title and headings (BoldText),
paragraphs (their plain text and alignment), tables (reports/grid.Grid keeps their cells and
spans), keep-together groups, the register's rows, photos and charts (drawn as pictures by
reports/chart_png.py). Word lays out its own pages: A4 with the PDF's margins, the agency
header with its logo and 第 X 页 共 Y 页.

A draft is marked 工作稿 (header and a line under the title); a signed document's copy says it
is the editable copy of the signed issue and that the PDF prevails.
"""

from __future__ import annotations

import html
import io
import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from docx import Document as new_document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips
from reportlab.graphics.shapes import Drawing
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph
from reportlab.platypus import Image as RLImage

from desktop.fileutil import atomic_writer
from desktop.reports.chart_png import MARGIN as CHART_MARGIN
from desktop.reports.chart_png import drawing_png
from desktop.reports.data import DocMeta
from desktop.reports.grid import Grid
from desktop.reports.layout import (
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MARGIN_X_WIDE,
    STORY_SINK,
    frame_width,
    letterhead_line,
)
from desktop.reports.photos import shrink_photo
from desktop.reports.styles import BoldText

log = logging.getLogger("desktop.reports")

DRAFT_MARK = "工作稿"
SIGNED_NOTE = "（签发版的可编辑副本，以 PDF 为准）"
BODY_FONT, TABLE_FONT, HEAD_FONT, LATIN_FONT = "仿宋", "宋体", "黑体", "Times New Roman"
RED = RGBColor(0xC6, 0x28, 0x28)
GREY = RGBColor(0x55, 0x55, 0x55)
_ALIGN = {TA_CENTER: WD_ALIGN_PARAGRAPH.CENTER, TA_RIGHT: WD_ALIGN_PARAGRAPH.RIGHT,
          TA_JUSTIFY: WD_ALIGN_PARAGRAPH.JUSTIFY}


def write_docx(build: Callable[[Any, Path], Path], data: Any, path: Path | str) -> Path:
    """Run the PDF builder `build(data, path)` and write its story to `path` as .docx."""
    target = Path(path)
    written: list[Path] = []

    def sink(meta: DocMeta, story: list[Flowable], _pdf_path: Path, wide: bool) -> Path:
        written.append(story_to_docx(meta, story, target, wide=wide))
        return target

    token = STORY_SINK.set(sink)
    try:
        build(data, target)
    finally:
        STORY_SINK.reset(token)
    if not written:
        raise RuntimeError(f"{build.__name__} wrote no story")
    return written[0]


def story_to_docx(meta: DocMeta, story: Sequence[Flowable], path: Path | str, *,
                  wide: bool = False) -> Path:
    doc = new_document()
    _page(doc, wide)
    _styles(doc)
    _header_footer(doc, meta)
    walker = _Walker(doc, frame_width(wide=wide))
    for flowable in story:
        walker.add(flowable)
        if walker.titled and not walker.marked:
            walker.marked = True
            _mark(doc.add_paragraph(), meta)
    if not walker.marked:  # a story without the title block: the mark goes on top
        first = doc.paragraphs[0] if doc.paragraphs else doc.add_paragraph()
        _mark(first.insert_paragraph_before(), meta)
    target = Path(path)
    with atomic_writer(target, "wb") as fh:
        doc.save(fh)
    log.info("wrote %s (%s, .docx)", target, meta.title)
    return target


# -- page, fonts, header -----------------------------------------------------------------------


def _page(doc: Any, wide: bool) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = (Mm(297), Mm(210)) if wide else (Mm(210), Mm(297))
    section.orientation = WD_ORIENT.LANDSCAPE if wide else WD_ORIENT.PORTRAIT
    side = Mm((MARGIN_X_WIDE if wide else MARGIN_X) / 72 * 25.4)
    section.left_margin = section.right_margin = side
    section.top_margin = Mm(MARGIN_TOP / 72 * 25.4)
    section.bottom_margin = Mm(MARGIN_BOTTOM / 72 * 25.4)
    section.header_distance, section.footer_distance = Mm(10), Mm(8)


def set_font(target: Any, east_asian: str, size: float | None = None, *,
             bold: bool = False, colour: RGBColor | None = None) -> None:
    """A run's or a style's font: Latin and East Asian names (w:eastAsia, read by Word and WPS)."""
    font = target.font
    font.name = LATIN_FONT
    if size is not None:
        font.size = Pt(size)
    font.bold = bold or None
    if colour is not None:
        font.color.rgb = colour
    rpr = target.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)


def _styles(doc: Any) -> None:
    normal = doc.styles["Normal"]
    set_font(normal, BODY_FONT, 12)
    normal.paragraph_format.space_after = Pt(2)
    normal.paragraph_format.line_spacing = 1.25
    # narrow cell margins (1 mm, about the PDF's padding): the register's columns are narrow
    for side in doc.styles["Table Grid"].element.iter(qn("w:left"), qn("w:right")):
        if side.getparent().tag == qn("w:tblCellMar"):
            side.set(qn("w:w"), "57")


def _header_footer(doc: Any, meta: DocMeta) -> None:
    section = doc.sections[0]
    head = section.header.paragraphs[0]
    logo = shrink_photo(meta.agency.logo_path, max_px=300) if meta.agency.logo_path else None
    if logo is not None:  # as the PDF's header: the logo 9 mm high before the agency's name
        head.add_run().add_picture(io.BytesIO(logo.data), height=Mm(9))
        head.add_run("　")
    elif meta.agency.logo_path is not None:
        log.warning("logo %s unreadable; header without logo", meta.agency.logo_path)
    set_font(head.add_run(meta.agency.name), HEAD_FONT, 10.5)
    if meta.draft:
        set_font(head.add_run(f"　　【{DRAFT_MARK}】"), HEAD_FONT, 10.5, bold=True, colour=RED)
    # one line each, as the PDF's header lays them out: run together in one paragraph they
    # wrapped mid-word (a telephone number, the 【工作稿】 mark) on a long agency name
    if line := letterhead_line(meta.agency):  # its wording, or address and phone
        set_font(section.header.add_paragraph().add_run(line), TABLE_FONT, 8, colour=GREY)
    side = section.header.add_paragraph()
    side.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    set_font(side.add_run(f"{meta.title}　{meta.number}"), TABLE_FONT, 8, colour=GREY)
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for piece in ("第 ", "PAGE", " 页 共 ", "NUMPAGES", " 页"):
        if piece.isupper():
            _field(foot, piece)
        else:
            set_font(foot.add_run(piece), TABLE_FONT, 9, colour=GREY)


def _field(paragraph: Any, name: str) -> None:
    """A Word field (PAGE, NUMPAGES) whose value Word and LibreOffice compute on opening."""
    for part in ("begin", name, "separate", "1", "end"):
        run = paragraph.add_run("1" if part == "1" else "")
        set_font(run, TABLE_FONT, 9, colour=GREY)
        if part in ("begin", "separate", "end"):
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), part)
            run.element.append(char)
        elif part == name:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {name} "
            run.element.append(instr)


def _mark(p: Any, meta: DocMeta) -> None:
    """Under the title block: 工作稿 on a draft; on a signed copy, that the PDF prevails."""
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if meta.draft:
        set_font(p.add_run(f"{DRAFT_MARK}（未签发，仅供修改）"), HEAD_FONT, 12, bold=True, colour=RED)
    else:
        set_font(p.add_run(SIGNED_NOTE), TABLE_FONT, 10.5, colour=GREY)


# -- the walk ------------------------------------------------------------------------------------


class _Walker:
    """Adds each flowable of a story to the document (or to a table cell)."""

    def __init__(self, doc: Any, width_pt: float) -> None:
        self.doc = doc
        self.width = width_pt
        self.titled = False  # the title and the 编号 line are in
        self.marked = False
        self.scratch = Canvas(io.BytesIO())

    def add(self, f: Any, into: Any = None) -> None:
        box = into if into is not None else self.doc
        if isinstance(f, (list, tuple)):
            for item in f:
                self.add(item, into)
        elif isinstance(f, str):
            if f.strip():
                self._text(box, f, TABLE_FONT, 10)
        elif isinstance(f, BoldText):
            self._bold(box, f)
        elif isinstance(f, Paragraph):
            self._paragraph(box, f)
        elif isinstance(f, Grid):
            self._grid(box, f)
        elif isinstance(f, KeepTogether):
            # split hands back its content when it fits (on a page this tall: always); the
            # scratch canvas only measures text
            parts = f.splitOn(self.scratch, self.width, 1e9)
            self.add([x for x in parts if not _is_action(x)], into)
        elif isinstance(f, RLImage):
            self._image(box, f)
        elif isinstance(f, Drawing):
            self._chart(box, f)
        elif isinstance(f, PageBreak):
            if into is None:
                self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif hasattr(f, "text_rows"):  # the register's rows, in the PDF's column widths
            self._rows(box, list(f.text_rows()), getattr(f, "layout", None))
        elif isinstance(getattr(f, "text", None), str):  # a tag or a placeholder
            self._text(box, f.text, TABLE_FONT, 9)
        # spacers and page-break hints: nothing to copy

    def _text(self, box: Any, text: str, font: str, size: float, *, bold: bool = False,
              align: Any = None) -> Any:
        p = box.add_paragraph()
        if align is not None:
            p.alignment = align
        lines = text.split("\n")
        for i, line in enumerate(lines):
            run = p.add_run(line)
            set_font(run, font, size, bold=bold)
            if i < len(lines) - 1:
                run.add_break()
        return p

    def _bold(self, box: Any, f: BoldText) -> None:
        title = f.size >= 16
        p = box.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER if f.align == "center" else None
        p.paragraph_format.space_before = Pt(f.spaceBefore)
        p.paragraph_format.space_after = Pt(f.spaceAfter)
        p.paragraph_format.keep_with_next = True
        set_font(p.add_run(f.text), HEAD_FONT, 20 if title else min(f.size + 1.5, 15), bold=True)

    def _paragraph(self, box: Any, f: Paragraph) -> None:
        style = f.style
        p = box.add_paragraph()
        if style.alignment in _ALIGN:
            p.alignment = _ALIGN[style.alignment]
        fmt = p.paragraph_format
        if style.firstLineIndent:
            fmt.first_line_indent = Pt(style.firstLineIndent * 12 / style.fontSize)
        if style.leftIndent:
            fmt.left_indent = Pt(style.leftIndent * 12 / style.fontSize)
        fmt.space_after = Pt(style.spaceAfter or 0)
        in_cell = box is not self.doc
        size = style.fontSize + (0.5 if in_cell else 1)
        lines = plain_lines(f.text)
        for i, line in enumerate(lines):
            run = p.add_run(line)
            set_font(run, TABLE_FONT if in_cell else BODY_FONT, size)
            if i < len(lines) - 1:
                run.add_break()

    def _grid(self, box: Any, g: Grid) -> None:
        rows = g.cells
        if not rows or not any(_has_content(c) for row in rows for c in row):
            return  # a rule
        ncols = max(len(r) for r in rows)
        table = box.add_table(rows=len(rows), cols=ncols)
        if g.ruled:
            table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        widths = _widths(table, g.widths[:ncols] if g.widths is not None else None, self.width)
        head = g.repeatRows if isinstance(g.repeatRows, int) else 0
        # row by row: Table.cell(i, j) walks the whole table at each call
        for i, (row_obj, row) in enumerate(zip(table.rows, rows, strict=False)):
            for j, (cell, value) in enumerate(zip(row_obj.cells, row, strict=False)):
                if j < len(widths):
                    cell.width = widths[j]
                self.add(value, _CellBox(cell))
                if i < head:
                    _head_cell(cell)
        if not g.ruled and ncols == 2 and len(rows) == 1:  # the 编号 / 日期 line
            for p in table.cell(0, 1).paragraphs:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            self.titled = True
        for (c0, r0), (c1, r1) in g.spans:
            c0, c1 = (c if c >= 0 else ncols + c for c in (c0, c1))
            r0, r1 = (r if r >= 0 else len(rows) + r for r in (r0, r1))
            if (c0, r0) != (c1, r1):
                _merge(table.cell(r0, c0), table.cell(r1, c1))
        _table_width(table, widths)
        if box is self.doc:
            self.doc.add_paragraph()

    def _rows(self, box: Any, rows: list[list[str]], layout: Any) -> None:
        """The register's rows in the PDF's column widths, type size and leading (the
        layout's), so that Word's pages hold about as many rows as the PDF's."""
        widths = getattr(layout, "widths", None)
        size = getattr(layout, "font_size", 8)
        style = self._row_style(size, getattr(layout, "leading", size * 1.3))
        table = box.add_table(rows=len(rows), cols=len(rows[0]))
        table.style = "Table Grid"
        sizes = _widths(table, widths, self.width) \
            if widths is not None and len(widths) == len(rows[0]) else []
        for row, values in zip(table.rows, rows, strict=False):  # one pass: indexing rows is linear each
            for j, (cell, value) in enumerate(zip(row.cells, values, strict=False)):
                if sizes:
                    cell.width = sizes[j]
                paragraph = cell.paragraphs[0]
                paragraph.style = style
                set_font(paragraph.add_run(value), TABLE_FONT, size)
        for c in table.rows[0].cells:
            _head_cell(c)
        _table_width(table, sizes)
        if box is self.doc:
            # a table right after another is one table to Word and LibreOffice: the register
            # ran into the signature boxes and was drawn at their grid's width (≈205 mm)
            self.doc.add_paragraph()

    def _row_style(self, size: float, leading: float) -> Any:
        """The paragraph style of the register's cells: no space after, exact leading."""
        name = "清单表格"
        if any(s.name == name for s in self.doc.styles):
            return self.doc.styles[name]
        style = self.doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = self.doc.styles["Normal"]
        set_font(style, TABLE_FONT, size)
        style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.line_spacing = Pt(leading)
        return style

    def _image(self, box: Any, f: RLImage) -> None:
        data = getattr(f, "photo_bytes", None)  # set by reports/photos.photo_flowable
        if not isinstance(data, bytes):
            return
        width = Mm(f.drawWidth / 72 * 25.4)
        p = box.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run().add_picture(io.BytesIO(data), width=width)


    def _chart(self, box: Any, f: Drawing) -> None:
        """A chart as a picture of the PDF's size (never wider than the text column)."""
        width = min(f.width + 2 * CHART_MARGIN, self.width)
        p = box.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        p.add_run().add_picture(io.BytesIO(drawing_png(f)), width=Mm(width / 72 * 25.4))


_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def plain_lines(markup: str) -> list[str]:
    """A Paragraph's markup as its lines of text: <br/> breaks, other tags dropped."""
    return [html.unescape(_TAG.sub("", part)) for part in _BREAK.split(markup or "")]


def _has_content(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, tuple)):
        return any(_has_content(v) for v in value)
    return value is not None


def _is_action(f: Any) -> bool:
    return type(f).__name__ in ("FrameBreak", "NullActionFlowable")


def _widths(table: Any, points: Sequence[float] | None, room: float) -> list[Any]:
    """Column widths as the PDF's (points) for the table's grid, never wider in all than
    `room` (the text width, points), fixed layout; the widths to give each row's cells as they
    are filled (asking a column for its cells walks the table)."""
    if points is None or not all(isinstance(w, (int, float)) for w in points):
        return []
    scale = min(1.0, room / sum(points)) if sum(points) > 0 else 1.0
    # whole twips, rounded down: the columns' sum never passes the text width
    widths = [Twips(int(w * scale * 20)) for w in points]
    table.autofit = False  # python-docx writes <w:tblLayout w:type="fixed"/>
    for column, width in zip(table.columns, widths, strict=False):
        column.width = width
    return widths


def _table_width(table: Any, widths: Sequence[Any]) -> None:
    """The table's own width (w:tblW, ECMA-376 §17.4.63) as its grid's sum, once the table is
    filled. python-docx has no API for it and leaves it "auto"; the documented element is set
    through `docx.oxml`, the table's element reached from a run's public element (as
    `_head_cell` reaches its cell). A table without text keeps "auto"."""
    run = next((r for row in table.rows for c in row.cells for p in c.paragraphs for r in p.runs),
               None)
    if not widths or run is None:
        return
    tbl = next(run.element.iterancestors(qn("w:tbl")))
    props = tbl.find(qn("w:tblPr"))
    width = props.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        props.append(width)
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(sum(w.twips for w in widths)))


class _CellBox:
    """A table cell as the walk's container: its first (empty) paragraph is used first."""

    def __init__(self, cell: Any) -> None:
        self.cell = cell
        self.used = False

    def add_paragraph(self) -> Any:
        if not self.used:
            self.used = True
            return self.cell.paragraphs[0]
        return self.cell.add_paragraph()

    def add_table(self, rows: int, cols: int) -> Any:
        self.used = True
        return self.cell.add_table(rows, cols)


def _merge(a: Any, b: Any) -> None:
    """Merge a spanned range; python-docx keeps the first cell's text, blank cells add none."""
    a.merge(b)


def _head_cell(cell: Any) -> None:
    """A header cell: bold on grey, its row repeated on every page. The cell and row elements
    are reached from a run's public element (python-docx has no call for either)."""
    runs = [r for p in cell.paragraphs for r in p.runs]
    for r in runs:
        r.font.bold = True
    if not runs:
        return
    tc = runs[0].element.getparent().getparent()
    if tc.tag != qn("w:tc"):
        return
    pr = tc.find(qn("w:tcPr"))
    if pr is None:
        pr = OxmlElement("w:tcPr")
        tc.insert(0, pr)
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), "E8E8E8")
    pr.append(shading)
    tr = tc.getparent()
    tr_pr = tr.find(qn("w:trPr"))
    if tr_pr is None:
        tr_pr = OxmlElement("w:trPr")
        tr.insert(0, tr_pr)
    if tr_pr.find(qn("w:tblHeader")) is None:
        tr_pr.append(OxmlElement("w:tblHeader"))
