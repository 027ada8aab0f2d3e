"""The grading thresholds' workbook template: one sheet 评定规则 — a title row, the header
项目 | 取值 | 说明, one row a threshold filled in with its current value — the layout
`services/exchange/grading_sheet.py` reads back (docs/rules-evaluation.md)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from desktop.fileutil import atomic_writer
from desktop.reports import xlsx_print

SHEET = "评定规则"
TITLE = "项目风险等级评定规则（修改“取值”列后导入；未列出的项保持现值）"
HEADERS = ("项目", "取值", "说明")
WIDTHS = (44, 12, 52)
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="E8E8E8")


def build_grading_template_xlsx(rows: Sequence[tuple[str, object, str]], path: Path | str) -> Path:
    """(项目, 取值, 说明) rows into a workbook at `path`, written atomically."""
    wb = Workbook()
    ws = wb.active
    if not isinstance(ws, Worksheet):  # a new workbook opens on its one worksheet
        raise TypeError("a new workbook has a worksheet")
    ws.title = SHEET
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.append([TITLE])
    ws["A1"].font = Font(bold=True)
    ws.append(list(HEADERS))
    for c in ws[2]:
        c.font, c.fill, c.border = Font(bold=True), _HEAD_FILL, _BORDER
        c.alignment = Alignment(horizontal="center", vertical="center")
    for label, value, note in rows:
        ws.append([label, value, note])
        for c in ws[ws.max_row]:
            c.border = _BORDER
            c.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "A3"
    xlsx_print.apply(ws, WIDTHS, title_rows=2)
    target = Path(path)
    with atomic_writer(target, "wb") as fh:
        wb.save(fh)
    return target
