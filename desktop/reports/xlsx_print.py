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
# text) and for viewers that keep the default height (LibreOffice): in points per line of the
# default 11-point font, and the column units a wide (CJK) character takes.
LINE_HEIGHT = 15.0
WIDE_CHAR = 2.1


def text_lines(text: str, width: float) -> int:
    """Lines `text` takes when wrapped in a column `width` character units wide."""
    room = max(width - 1.0, 1.0)  # the cell's padding
    lines = 0
    for part in str(text).split("\n"):
        used = sum(WIDE_CHAR if ord(ch) > 0x2E7F else 1.0 for ch in part)
        lines += max(1, -int(-used // room))
    return lines


def lines_height(lines: int) -> float:
    return LINE_HEIGHT * max(lines, 1) + 2.0
