"""Page setup for the workbooks the app writes, so they print cleanly from Excel or WPS.

Every sheet: A4, fitted to one page wide (as many pages tall as the rows need), the header
row(s) repeated on every page (print titles), narrow margins, centred across the page, and
"第 N 页，共 M 页" in the footer. A sheet whose columns are wider than a portrait page holds is
printed landscape. `apply` sets this on an openpyxl worksheet (normal or write-only);
`xlsx_stream` writes the same elements itself (see `SheetWriter._tail`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

A4 = "9"  # the paperSize code of A4 in SpreadsheetML
# Character units (Excel column width) that fit across A4 portrait at 100 % with the margins
# below; a sheet wider than this goes landscape, and any sheet is shrunk to fit the width.
PORTRAIT_WIDTH = 95.0
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.6, "header": 0.3, "footer": 0.3}
FOOTER = "第 &P 页，共 &N 页"  # &P page, &N pages


def is_wide(widths: Sequence[float]) -> bool:
    """Whether columns this wide want a landscape page."""
    return sum(widths) > PORTRAIT_WIDTH


def apply(ws: Any, widths: Sequence[float], *, title_rows: int = 1,
          landscape: bool | None = None) -> None:
    """Page setup on an openpyxl worksheet: A4, fit to width, rows 1..`title_rows` repeated
    (0: none), landscape when the columns are wide (or as `landscape` says)."""
    wide = is_wide(widths) if landscape is None else landscape
    ws.page_setup.paperSize = A4
    ws.page_setup.orientation = "landscape" if wide else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    for side, inches in MARGINS.items():
        setattr(ws.page_margins, side, inches)
    if title_rows:
        ws.print_title_rows = f"1:{title_rows}"
    ws.oddFooter.center.text = FOOTER


# Wrapped text's height, for rows whose height Excel does not find itself (a merged cell's
# text) and for LibreOffice, which keeps the default 15 pt for every row it is given no height
# for (LibreOffice 7.4, checked). Excel's arithmetic: a column `w` units wide is 7·w px at
# 96 dpi (the digit of the default Calibri 11), of which about 5 px are the cell's padding; a
# CJK character is one em (14.7 px at 11 pt), a digit 7 px and a letter 5–7 px (6.5 taken); a
# wrapped line of 11 pt text is 15 pt. LibreOffice with Carlito (Calibri's metric twin, which
# it substitutes for Calibri) breaks CJK text at the same characters (measured at 10, 16, 24
# and 40 units: 4, 7, 11 and 19 characters a line, Excel's arithmetic 4, 7, 11 and 18) and
# spaces lines 12.9 pt apart: rows sized for Excel show LibreOffice about 15 % of spare room.
# Without Carlito LibreOffice measures columns by DejaVu Sans's wider digit: about 1.3 times
# as wide, so fewer lines and rows that look taller still (docs/qa-2026-12-07.md).
DIGIT_PX = 7.0  # Calibri 11's digit: one column unit
NARROW_PX = 6.5  # a digit or Latin letter at 11 pt, on average
PAD_PX = 5.0
POINT_SIZE = 11.0  # the workbooks' default font
LINE_HEIGHT = 15.0  # points a wrapped line of 11 pt text takes in Excel
WIDE_CHAR = POINT_SIZE * 4 / 3 / DIGIT_PX  # column units a CJK character takes at 11 pt (2.1)
# Fitting columns to the page's width: a unit is 5.55 pt at 100 % in LibreOffice with Carlito
# (Excel: 5.25), and LibreOffice fills about 96.4 % of the width between the margins (756 of
# 784 pt on A4 landscape, measured); Excel fills it all. The larger figures are taken.
PT_PER_UNIT = 5.55
FIT_FILL = 0.964
PRINTABLE_PT = {False: 595.3 - 72 * (MARGINS["left"] + MARGINS["right"]),  # A4 width between
                True: 841.9 - 72 * (MARGINS["left"] + MARGINS["right"])}  # the margins


def text_lines(text: str, width: float, size: float = POINT_SIZE) -> int:
    """Lines `text` takes when wrapped in a column `width` units wide, at `size` points.

    A run of CJK characters breaks after the last whole character that fits; mixed text is
    counted by its width with one wide character's room lost at each line's end (a line
    breaks before a character that does not fit). Wide characters are counted from the UTF-8
    length (three bytes: CJK characters and full-width punctuation), which keeps this quick
    enough for every row of a long register."""
    wide_px = size * 4 / 3
    narrow_px = NARROW_PX * size / POINT_SIZE
    room = max(width * DIGIT_PX - PAD_PX, wide_px)
    lines = 0
    for part in str(text).split("\n"):
        n = len(part)
        if not n:
            lines += 1
            continue
        wide = (len(part.encode("utf-8")) - n + 1) // 2
        if wide >= n:
            per_line = max(int(room // wide_px), 1)
            lines += -(-n // per_line)
        else:
            used = wide * wide_px + (n - wide) * narrow_px
            lines += max(1, -int(-used // max(room - wide_px, narrow_px))) if used > room else 1
    return lines


def one_line_chars(width: float, size: float = POINT_SIZE) -> int:
    """How many characters of any kind always fit on one line of a column `width` units wide
    (as many as wide characters fit): a shorter text without a line break takes one line."""
    room = max(width * DIGIT_PX - PAD_PX, size * 4 / 3)
    return max(int(room // (size * 4 / 3)), 1)


MAX_ROW_HEIGHT = 409.0  # points: Excel's limit (a taller row is not shown taller anywhere)


def lines_height(lines: int, size: float = POINT_SIZE) -> float:
    """Points a row of `lines` wrapped lines of `size`-point text takes (Excel's line), at most
    Excel's 409: the self-check's 问题清单 cell of 30 problems wanted 1,425 pt, taller than a
    page (its sheet 问题清单 lists every problem one a row)."""
    return min(round(LINE_HEIGHT * size / POINT_SIZE * max(lines, 1), 2), MAX_ROW_HEIGHT)


def print_points(widths: Sequence[float], *, landscape: bool, size: float = POINT_SIZE) -> float:
    """The size `size`-point text prints at when columns this wide are fitted to the page's
    width (never enlarged)."""
    scale = min(1.0, PRINTABLE_PT[landscape] * FIT_FILL / (sum(widths) * PT_PER_UNIT))
    return size * scale
