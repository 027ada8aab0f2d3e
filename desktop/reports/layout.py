"""The house layout: A4 page template with header, 第 X 页 共 Y 页 footer, title block, draft mark."""

from __future__ import annotations

import io
import logging
import zlib
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFPage, PDFStream
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Spacer, TableStyle

from desktop.fileutil import atomic_writer
from desktop.reports.data import AgencyInfo, DocMeta
from desktop.reports.fonts import BODY, ensure_fonts, text_width
from desktop.reports.grid import Grid
from desktop.reports.photos import shrink_photo
from desktop.reports.styles import GREY, INK, RULE, BoldText
from desktop.reports.text import cn_date

log = logging.getLogger("desktop.reports")

MARGIN_X = 20 * mm
MARGIN_X_WIDE = 12 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 18 * mm
STAMP_W = 24 * mm  # the header's 草稿 box


def title_block(meta: DocMeta, width: float) -> list[Flowable]:
    """The document title, then 编号 (文号) on the left and the date on the right."""
    dated = f"日期：{cn_date(meta.date)}"
    if meta.signed_by:
        dated = f"签发人：{meta.signed_by}　{dated}"
    split = 0.5 if meta.signed_by else 0.6
    line = Grid([[f"编号：{meta.number}", dated]],
                 colWidths=[width * split, width * (1 - split)])
    line.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), BODY, 10),
        ("ALIGN", (1, 0), (1, 0), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("LINEBELOW", (0, 0), (-1, 0), 1.2, RULE),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]))
    return [BoldText(meta.title, size=20, align="center", space_before=2, space_after=8),
            line, Spacer(1, 5 * mm)]


class _HouseCanvas(Canvas):
    """The canvas of every house document: 第 X 页 共 Y 页 on each page, and the sign-off
    marks carried to the signature boxes.

    The total is known only at the end, and a page is never kept for it: a finished page
    names its footer, a form XObject ("rdFooterN"), and save() defines the forms once the
    total is known (`Canvas.doForm`: a form may be defined after the pages that use it).
    `BaseDocTemplate.build` always finishes its last page before save(); a page left open
    would name a form that does not exist, and ReportLab refuses to save it (KeyError).
    """

    house_marks: SignOffMarks | None = None  # set by HouseDoc._header, read by reports/blocks.py

    def __init__(self, filename: str | IO[bytes], pagesize: tuple[float, float] = A4,
                 **kwargs: Any) -> None:
        super().__init__(filename, pagesize=pagesize, **kwargs)
        self._page_width = float(pagesize[0])
        self._shown = 0

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        self._shown += 1
        self.doForm(_footer_form(self._shown))
        super().showPage()

    def save(self) -> None:
        for number in range(1, self._shown + 1):
            self.beginForm(_footer_form(number))
            _draw_footer(self, self._page_width, number, self._shown)
            self.endForm()
        super().save()


def _footer_form(number: int) -> str:
    return f"rdFooter{number}"


def _draw_footer(canv: Canvas, width: float, number: int, total: int) -> None:
    canv.saveState()
    canv.setFont(BODY, 9)
    canv.setFillColor(GREY)
    canv.drawCentredString(width / 2, MARGIN_BOTTOM - 9 * mm, f"第 {number} 页 共 {total} 页")
    canv.restoreState()


class _StreamingCanvas(_HouseCanvas):
    """For documents of thousands of pages: memory stays flat as pages are added.

    ReportLab keeps each finished page's content stream as text until save() (measured: most
    of the 1.2 GB of a 65,000-row register); here a finished page's stream is compressed at
    once. ReportLab has no public accessor for a finished page, hence `_doc` below: kept
    because the measured memory depends on it (docs/performance.md, "ReportLab's private
    names").
    """

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        super().showPage()
        _compress(self._doc.Pages.pages[-1])  # type: ignore[attr-defined]  # the finished page: no public accessor


def _compress(page: PDFPage) -> None:
    """Deflate a finished page's content now instead of at save(); Flate only: ReportLab's
    default ASCII85 layer is for 7-bit channels and costs time in its pure-Python fallback."""
    if not page.compression or page.Contents is not None or not page.stream:
        return
    data = page.stream.encode("utf-8") if isinstance(page.stream, str) else page.stream
    stream = PDFStream(PDFDictionary({"Filter": PDFArray([PDFName("FlateDecode")])}),
                       zlib.compress(data))
    page.Contents, page.stream = stream, None


class HouseDoc(BaseDocTemplate):
    """A4 portrait (or landscape for wide registers) with the agency header on every page."""

    def __init__(self, target: IO[bytes], meta: DocMeta, *, wide: bool = False) -> None:
        ensure_fonts()
        self.meta = meta
        margin_x = MARGIN_X_WIDE if wide else MARGIN_X
        super().__init__(
            target, pagesize=landscape(A4) if wide else A4,
            leftMargin=margin_x, rightMargin=margin_x,
            topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
            title=meta.title, author=meta.agency.name, subject=meta.number,
            creator="RiskDesk", initialFontName=BODY, initialFontSize=10,
        )
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
        self.addPageTemplates([PageTemplate(
            id="house", frames=[frame], onPage=self._header, onPageEnd=self._watermark,
        )])
        self._logo = _logo_reader(meta.agency.logo_path)
        self._marks = sign_off_marks(meta)
        self._name_x = self.leftMargin
        if self._logo is not None:
            iw, ih = self._logo.getSize()
            self._name_x += 9 * mm * iw / ih + 2.5 * mm

    def draft_stamp_left(self) -> float:
        """Where the header's 草稿 box starts: the page's middle, or right of a long agency name."""
        width = float(self.pagesize[0])
        name_end = self._name_x + text_width(self.meta.agency.name, 11)
        return min(max(width / 2 - STAMP_W / 2, name_end + 4 * mm),
                   width - self.rightMargin - STAMP_W)

    def _header(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        width, height = self.pagesize
        top = height - 10 * mm
        x = self.leftMargin
        if isinstance(canv, _HouseCanvas):  # always: write_pdf builds with one
            canv.house_marks = self._marks  # read by the signature boxes (blocks.signature_block)
        canv.saveState()
        if self._logo is not None:
            iw, ih = self._logo.getSize()
            h = 9 * mm
            w = h * iw / ih
            canv.drawImage(self._logo, x, top - h + 2.5 * mm, width=w, height=h)
            x = self._name_x
        canv.setFont(BODY, 11)
        canv.setFillColor(INK)
        canv.setStrokeColor(INK)
        canv.setLineWidth(0.3)
        canv.drawString(x, top - 4 * mm, self.meta.agency.name, mode=2)
        canv.setFont(BODY, 8)
        canv.setFillColor(GREY)
        right = width - self.rightMargin
        room = right - (x + text_width(self.meta.agency.name, 11) + 8 * mm)
        if self.meta.draft:  # the title and number stay right of the 草稿 box
            room = min(room, right - (self.draft_stamp_left() + STAMP_W + 3 * mm))
        canv.drawRightString(right, top - 1 * mm, _fit(self.meta.title, room, 8))
        canv.drawRightString(right, top - 5 * mm, _fit(self.meta.number, room, 8))
        canv.setStrokeColor(GREY)
        canv.setLineWidth(0.5)
        canv.line(self.leftMargin, top - 7.5 * mm, right, top - 7.5 * mm)
        line = letterhead_line(self.meta.agency)
        if line:
            canv.setFont(BODY, 7.5)
            canv.drawString(self.leftMargin, top - 11 * mm,
                            _fit(line, right - self.leftMargin, 7.5))
        canv.restoreState()

    def _watermark(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        if not self.meta.draft:
            return
        width, height = self.pagesize
        red = colors.HexColor("#c62828")
        canv.saveState()
        # a boxed stamp in the header: still legible where a faint watermark prints too light
        canv.setStrokeColor(red)
        canv.setFillColor(red)
        canv.setLineWidth(1)
        left = self.draft_stamp_left()
        canv.roundRect(left, height - 13 * mm, STAMP_W, 7 * mm, 1.5 * mm)
        canv.setFont(BODY, 11)
        canv.drawCentredString(left + STAMP_W / 2, height - 11 * mm, "草稿")
        canv.setFillAlpha(0.16)
        canv.setFont(BODY, 110)
        canv.translate(width / 2, height / 2)
        canv.rotate(35)
        canv.drawCentredString(0, -40, "草稿")
        canv.restoreState()


def letterhead_line(agency: AgencyInfo) -> str:
    """The small line under the agency's name: its own wording, else address and telephone."""
    if agency.letterhead:
        return agency.letterhead
    parts = [f"地址：{agency.address}" if agency.address else "",
             f"电话：{agency.phone}" if agency.phone else ""]
    return "　".join(p for p in parts if p)


@dataclass(frozen=True)
class SignOffMarks:
    """What a signed document prints in its signature boxes: the seal over the agency's 落款
    and the signer's signature image in the box bearing their name. A draft has neither."""

    agency_name: str
    signed_by: str
    seal: ImageReader | None
    signature: ImageReader | None


def sign_off_marks(meta: DocMeta) -> SignOffMarks | None:
    if meta.draft or not meta.signed_by:
        return None
    seal = _image_reader(meta.agency.seal_path)
    signature = _image_reader(meta.signature_path)
    if seal is None and signature is None:
        return None
    return SignOffMarks(meta.agency.name, meta.signed_by, seal, signature)


def _image_reader(path: Path | None) -> ImageReader | None:
    """A stored letterhead image (a PNG the service normalised) with its transparency."""
    if path is None:
        return None
    try:
        return ImageReader(io.BytesIO(path.read_bytes()))
    except OSError as exc:
        log.warning("image %s unreadable (%s); printed without it", path, exc)
        return None


def _fit(text: str, width: float, size: float) -> str:
    """`text` shortened with … to fit `width` points (long titles in the small header)."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _logo_reader(path: Path | None) -> ImageReader | None:
    """The logo shrunk for a 9 mm header: a poster-sized file never reaches the PDF."""
    if path is None:
        return None
    shrunk = shrink_photo(path, max_px=300)
    if shrunk is None:
        log.warning("logo %s unreadable; header without logo", path)
        return None
    return ImageReader(io.BytesIO(shrunk.data))


# Set (reports/docx_out.py) while a builder runs to hand its finished story to another
# renderer instead of writing the PDF: one builder per kind serves both formats.
STORY_SINK: ContextVar[Callable[[DocMeta, list[Flowable], Path, bool], Path] | None] = \
    ContextVar("story_sink", default=None)


def write_pdf(meta: DocMeta, story: Sequence[Flowable], path: Path | str, *,
              wide: bool = False, progress: Callable[[int], None] | None = None,
              streaming: bool = False, durable: bool = True) -> Path:
    """Lay out `story` in the house template and write it atomically to `path`.

    `progress(pages_done)` is called after each page; an exception raised by it (a cancel)
    stops the build and leaves no file behind. `streaming` (registers of thousands of pages)
    compresses each page as it is finished, so memory does not grow with the page count.
    `durable=False`: a scratch file (see `atomic_writer`).
    """
    target = Path(path)
    other = STORY_SINK.get()
    if other is not None:  # the same story drawn by another renderer (the .docx copy)
        return other(meta, list(story), target, wide)
    with atomic_writer(target, "wb", durable=durable) as fh:
        doc = HouseDoc(fh, meta, wide=wide)
        if progress is not None:
            doc.setProgressCallBack(lambda kind, value: progress(value) if kind == "PAGE" else None)
        doc.build(list(story), canvasmaker=_StreamingCanvas if streaming else _HouseCanvas)
    log.info("wrote %s (%s)", target, meta.title)
    return target


def frame_width(*, wide: bool = False) -> float:
    """Usable width of the body frame, for sizing tables before the document exists."""
    page_width = landscape(A4)[0] if wide else A4[0]
    return page_width - 2 * (MARGIN_X_WIDE if wide else MARGIN_X)


def frame_height(*, wide: bool = False) -> float:
    """Height of the body frame: the room an empty page gives."""
    return (landscape(A4)[1] if wide else A4[1]) - MARGIN_TOP - MARGIN_BOTTOM
