"""Paragraph styles, colours and the fill-and-stroke heading of the house layout."""

from __future__ import annotations

from typing import Any, cast

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph

from desktop.reports.fonts import BODY, SERIF, ensure_fonts, serif_markup, text_width
from desktop.reports.text import wrap_cjk

INK = colors.HexColor("#1a1a1a")
RULE = colors.HexColor("#b71c1c")  # the red rule under an official header
GREY = colors.HexColor("#555555")


def _style(name: str, size: float, font: str = SERIF, **kw: Any) -> ParagraphStyle:
    kw.setdefault("leading", round(size * 1.5, 1))
    kw.setdefault("textColor", INK)
    return ParagraphStyle(name, fontName=font, fontSize=size, wordWrap="CJK", **kw)


class Styles:
    """Paragraph styles of the house layout; every one wraps Chinese (wordWrap='CJK').

    Body text, table contents and sign-off lines are in the Song/FangSong face (SERIF);
    labels, notes and captions in the sans face, like the headings."""

    body = _style("body", 11, alignment=TA_JUSTIFY, firstLineIndent=22, spaceAfter=4)
    plain = _style("plain", 11, alignment=TA_LEFT, spaceAfter=2)
    item = _style("item", 11, alignment=TA_JUSTIFY, leftIndent=22, firstLineIndent=-22,
                  spaceAfter=2)
    item_small = _style("item_small", 9, leading=13, leftIndent=18, firstLineIndent=-18)
    salutation = _style("salutation", 11, spaceBefore=6, spaceAfter=4)
    cell = _style("cell", 9, leading=12.5)
    cell_center = _style("cell_center", 9, leading=12.5, alignment=TA_CENTER)
    label = _style("label", 9, BODY, leading=12.5, alignment=TA_CENTER, textColor=GREY)
    small = _style("small", 8.5, BODY, leading=12, textColor=GREY)
    caption = _style("caption", 8, BODY, leading=10, alignment=TA_CENTER, textColor=GREY)
    sign = _style("sign", 9.5, leading=15)


class BoldText(Flowable):
    """A heading drawn fill-and-stroke (render mode 2): weight without a bold font file."""

    def __init__(self, text: str, *, size: float = 13, align: str = "left",
                 space_before: float = 6, space_after: float = 4, colour: colors.Color = INK) -> None:
        super().__init__()
        self.text = text
        self.size = size
        self.align = align
        self.colour = colour
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self._lines: list[str] = [text]

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._avail = avail_width
        self._size, self._lines = title_lines(self.text, avail_width, self.size)
        return avail_width, len(self._lines) * self._size * 1.35

    def draw(self) -> None:
        c = self.canv
        size = getattr(self, "_size", self.size)
        c.saveState()
        c.setFont(BODY, size)
        c.setFillColor(self.colour)
        c.setStrokeColor(self.colour)
        c.setLineWidth(size * 0.035)
        y = len(self._lines) * size * 1.35 - size
        for line in self._lines:
            if self.align == "center":
                c.drawCentredString(self._avail / 2, y, line, mode=2)
            else:
                c.drawString(0, y, line, mode=2)
            y -= size * 1.35
        c.restoreState()


_BREAK_AFTER = "）)，、：；》” "
_BREAK_BEFORE = "（(《“"


def title_lines(text: str, width: float, size: float, *,
                smallest: float = 0.7) -> tuple[float, list[str]]:
    """A title or heading never broken inside a word: one line, shrunk down to `smallest` of
    its size if need be; else broken where a phrase ends (after ）、，：, before （《), the
    break nearest the middle that makes both lines fit."""
    ensure_fonts()
    for step in range(7):
        fitted = size * (1 - (1 - smallest) * step / 6)
        if text_width(text, fitted) <= width:
            return fitted, [text]
    fitted = size * smallest
    cuts = [i + 1 for i, c in enumerate(text[:-1]) if c in _BREAK_AFTER] + \
           [i for i, c in enumerate(text) if c in _BREAK_BEFORE and i > 0]
    good = [i for i in cuts if text_width(text[:i], size) <= width
            and text_width(text[i:], size) <= width]
    if good:
        cut = min(good, key=lambda i: abs(len(text) / 2 - i))
        return size, [text[:cut].rstrip(), text[cut:].lstrip()]
    return fitted, wrap_cjk(text, width, fitted).split("\n")


def heading(text: str, *, size: float = 12.5) -> BoldText:
    """A section heading such as 一、服务内容; it never ends a page alone."""
    h = BoldText(text, size=size, space_before=10 if size > 11 else 6, space_after=5)
    h.keepWithNext = True
    return h


class _Paragraph(Paragraph):
    """A Paragraph that breaks its lines once per width.

    ReportLab wraps a table cell three or four times at the same width — for the row heights,
    for the page split, for each part of a split table again, and before drawing it — and
    breaking Chinese text into lines is the costly part. The lines depend only on the text, the
    style and the width, so the last result is kept and given back for the same width (the
    self-check's 16 pages: layout 0.50 → 0.24 s, the same pages drawn; bench/results).
    """

    _wrapped: tuple[float, Any, float, list[float]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        memo = self._wrapped
        if memo is not None and memo[0] == availWidth:
            self.width, self.blPara, self.height, self._wrapWidths = memo
            return self.width, self.height
        width, height = super().wrap(availWidth, availHeight)
        if height < _CANNOT_FIT:
            self._wrapped = (availWidth, self.blPara, height, self._wrapWidths)
        return width, height

    def split(self, availWidth: float, availHeight: float) -> list[Any]:  # noqa: N803
        self._wrapped = None  # the parts are new paragraphs; this one is not drawn again as it was
        return cast(list[Any], super().split(availWidth, availHeight))


_CANNOT_FIT = 0x7FFFFFFF  # the height Paragraph.wrap gives for a width it cannot use


def P(markup: str, style: ParagraphStyle) -> Paragraph:  # noqa: N802 - reads like Paragraph
    """A Paragraph in the house fonts; registers them first (Paragraph resolves it at once).
    In the Song face, characters it lacks are drawn in the sans face."""
    ensure_fonts()
    if style.fontName == SERIF:
        markup = serif_markup(markup)
    return _Paragraph(markup, style)
