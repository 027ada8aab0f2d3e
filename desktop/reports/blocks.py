"""Building blocks of the house layout: data tables, form grids, paragraphs, signature boxes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from desktop.reports.data import HazardInfo, Signatory
from desktop.reports.fonts import BODY, text_width
from desktop.reports.grid import Grid
from desktop.reports.styles import GREY, P, Styles, heading
from desktop.reports.text import cn_date, para
from desktop.vocabulary import HAZARD_LEVEL_LIGHT, HAZARD_LEVEL_SHORT

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

    from desktop.reports.grid import TableCommand
    from desktop.reports.layout import SignOffMarks

LINE = colors.HexColor("#444444")
HEAD_FILL = colors.HexColor("#e8e8e8")
LABEL_FILL = colors.HexColor("#f4f4f4")


def cell(text: str, style: ParagraphStyle = Styles.cell) -> Paragraph:
    return P(para(text), style)


def paragraphs(text: str, style: ParagraphStyle = Styles.body) -> list[Paragraph]:
    """One Paragraph per line of `text`; blank lines are dropped."""
    return [P(para(line.strip()), style) for line in (text or "").splitlines() if line.strip()]


def numbered(items: Sequence[str], style: ParagraphStyle = Styles.item) -> list[Paragraph]:
    """（1）…（2）… as separate paragraphs, the usual way to list points in an official text."""
    return [P(para(f"（{i}）{item}"), style) for i, item in enumerate(items, start=1)]


def data_table(headers: Sequence[str], rows: Sequence[Sequence[str]], *,
               widths: Sequence[float], levels: Sequence[int | None] | None = None,
               level_col: int | None = None, center_cols: Sequence[int] = ()) -> Table:
    """A grid with a shaded header repeated on every page; cells wrap Chinese text.

    `levels[i]` tints the `level_col` cell of row i with the light colour of that hazard level.
    """
    head = [cell(h, Styles.label) for h in headers]
    body = [[_fitted(v, Styles.cell_center if j in center_cols else Styles.cell, widths[j])
             for j, v in enumerate(row)] for row in rows]
    table = Grid([head] + body, colWidths=list(widths), repeatRows=1)
    style: list[TableCommand] = [
        ("FONT", (0, 0), (-1, -1), BODY, 9),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
        ("GRID", (0, 0), (-1, -1), 0.5, LINE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if levels is not None and level_col is not None:
        for i, level in enumerate(levels, start=1):
            if level in HAZARD_LEVEL_LIGHT:
                style.append(("BACKGROUND", (level_col, i), (level_col, i),
                              HAZARD_LEVEL_LIGHT[level]))
    table.setStyle(TableStyle(style))
    return table


# a date or number that must stay on one line: 2026年12月7日, 2026-12-07, 12:30, 1,234
_ATOM = re.compile(r"^[0-9０-９][0-9０-９年月日时分.:：,\-/ ]*[0-9日分]$")


def _fitted(text: str, style: ParagraphStyle, width: float) -> Paragraph:
    """A cell; a date in a column too narrow for it is set smaller, never broken."""
    room = width - 7  # the cell's padding
    need = text_width(text, style.fontSize, style.fontName) if text else 0.0
    if text and _ATOM.match(text) and need > room:
        size = max(5.5, style.fontSize * room / need)
        style = ParagraphStyle(f"{style.name}-{size:.1f}", parent=style, fontSize=size,
                               leading=max(style.leading * size / style.fontSize, size * 1.2))
    return cell(text, style)


def shares(parts: Sequence[float], width: float) -> list[float]:
    """Column widths in proportion to `parts`, filling `width`."""
    total = sum(parts)
    return [width * x / total for x in parts]


def hazard_table(hazards: Sequence[HazardInfo], *, width: float) -> Table:
    """The hazards of a notice or an inspection: number, place, description, level, measures."""
    rows = [[str(i), h.number, h.location, h.description, HAZARD_LEVEL_SHORT.get(h.level, ""),
             h.measures, cn_date(h.deadline, blank="")] for i, h in enumerate(hazards, start=1)]
    return data_table(["序号", "隐患编号", "部位", "隐患描述", "等级", "整改措施", "整改期限"], rows,
                      widths=shares([9, 27, 20, 44, 11, 40, 21], width),
                      levels=[h.level for h in hazards], level_col=4, center_cols=(0, 4))


def field_table(rows: Sequence[Sequence[tuple[str, str]]], *, width: float) -> Table:
    """A form grid: each row holds one (label, value) pair spanning the width, or two pairs."""
    label_w = width * 0.16
    value_w = (width - 2 * label_w) / 2
    data: list[list[Any]] = []
    # label fills cell by cell: a column-wide fill would also paint under a spanned value
    cmds: list[tuple[Any, ...]] = []
    for r, pairs in enumerate(rows):
        cmds.append(("BACKGROUND", (0, r), (0, r), LABEL_FILL))
        if len(pairs) == 1:
            label, value = pairs[0]
            data.append([cell(label, Styles.label), cell(value), "", ""])
            cmds.append(("SPAN", (1, r), (3, r)))
        elif len(pairs) == 2:
            (l1, v1), (l2, v2) = pairs
            data.append([cell(l1, Styles.label), cell(v1), cell(l2, Styles.label), cell(v2)])
            cmds.append(("BACKGROUND", (2, r), (2, r), LABEL_FILL))
        else:
            raise ValueError("field_table rows take one or two (label, value) pairs")
    table = Grid(data, colWidths=[label_w, value_w, label_w, value_w])
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), BODY, 9),
        ("GRID", (0, 0), (-1, -1), 0.5, LINE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        *cmds,
    ]))
    return table


def signature_block(signatories: Sequence[Signatory], *, width: float,
                    intro: str = "") -> Flowable:
    """签字 / 盖章 boxes side by side (up to three per row), each with its 日期 line."""
    per_row = 2 if len(signatories) == 4 else min(3, max(1, len(signatories)))
    box_w = width / per_row
    rows: list[list[Any]] = []
    for start in range(0, len(signatories), per_row):
        chunk = signatories[start:start + per_row]
        rows.append([_signature_cell(s) for s in chunk] + [""] * (per_row - len(chunk)))
    table = Grid(rows, colWidths=[box_w] * per_row, hAlign="RIGHT")  # 落款 sits on the right
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), BODY, 9),
        ("BOX", (0, 0), (-1, -1), 0.5, LINE),
        ("INNERGRID", (0, 0), (-1, -1), 0.5, LINE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))
    parts: list[Flowable] = [Spacer(1, 6 * mm)]
    if intro:
        parts.append(P(para(intro), Styles.plain))
        parts.append(Spacer(1, 2 * mm))
    parts.append(table)
    return KeepTogether(parts)


def _signature_cell(s: Signatory) -> list[Flowable]:
    party = f"{s.party}（盖章）" if s.seal else s.party
    lines: list[Flowable] = [P(para(party), Styles.sign)]
    if s.unit:
        lines.append(P(para(s.unit), Styles.small))
    # room for a round seal (~40 mm) to overlap the signature, as on paper
    lines.append(_SignatureSpace(s, 16 * mm if s.seal else 8 * mm))
    lines.append(P(para(f"{s.role}：{s.name}"), Styles.sign))
    # a date on this line says when the named person signed: with no one named, the records
    # hold no such sign-off, so name and date are both left to the pen
    lines.append(P(para(f"日期：{cn_date(s.date if s.name else None)}"), Styles.sign))
    lines.append(_SealMark(s))  # last: the seal lies over the 落款, as it is stamped on paper
    return lines


def _marks(canv: Canvas) -> SignOffMarks | None:
    """The signed document's seal and signature images (layout.SignOffMarks), if any."""
    marks: SignOffMarks | None = getattr(canv, "house_marks", None)
    return marks


class _SignatureSpace(Flowable):
    """The blank above 签字：name; the signer's signature image when this is their box."""

    def __init__(self, signatory: Signatory, height: float) -> None:
        super().__init__()
        self.signatory, self.height, self.width = signatory, height, 0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.height

    def draw(self) -> None:
        marks = _marks(self.canv)
        if marks is None or marks.signature is None or not self.signatory.name \
                or self.signatory.name != marks.signed_by:
            return
        iw, ih = marks.signature.getSize()
        h = min(self.height - 1 * mm, 14 * mm)
        w = min(h * iw / ih, self.width * 0.8)
        h = w * ih / iw
        self.canv.drawImage(marks.signature, 0, (self.height - h) / 2, width=w, height=h,
                            mask="auto")


class _SealMark(Flowable):
    """Takes no room; on a signed document draws the agency's seal over its 落款 box."""

    DIAMETER = 38 * mm

    def __init__(self, signatory: Signatory) -> None:
        super().__init__()
        self.signatory, self.width, self.height = signatory, 0, 0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, 0

    def draw(self) -> None:
        marks = _marks(self.canv)
        s = self.signatory
        if marks is None or marks.seal is None or not s.seal or s.unit != marks.agency_name:
            return
        iw, ih = marks.seal.getSize()
        d = self.DIAMETER
        w, h = (d, d * ih / iw) if iw >= ih else (d * iw / ih, d)
        centre_x = min(self.width * 0.6, self.width - w / 2)
        self.canv.drawImage(marks.seal, centre_x - w / 2, 15 * mm - h / 2, width=w, height=h,
                            mask="auto")


class Sections:
    """Numbered section headings 一、二、三…; a section left out takes no number."""

    _DIGITS = "零一二三四五六七八九"

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, title: str) -> Flowable:
        self.count += 1
        return heading(f"{self.cn(self.count)}、{title}")

    @classmethod
    def cn(cls, n: int) -> str:
        """Chinese numeral for 1–99: 一 … 十 … 十一 … 二十三."""
        tens, ones = divmod(n, 10)
        head = "" if tens == 0 else ("十" if tens == 1 else cls._DIGITS[tens] + "十")
        return head + (cls._DIGITS[ones] if ones else "")


def note(label: str, text: str) -> Paragraph:
    """A labelled line such as 抄送：… under a letter."""
    return P(f"{para(label)}：{para(text)}", Styles.plain)


def rule(width: float) -> Table:
    """A thin grey rule across the frame."""
    line = Table([[""]], colWidths=[width], rowHeights=[2])
    line.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), BODY, 9),
                           ("LINEBELOW", (0, 0), (-1, -1), 0.5, GREY)]))
    return line
