"""预防费用台账 as a workbook: the same entries, period totals and ledger totals as the PDF."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from desktop.fileutil import atomic_writer
from desktop.reports import xlsx_print
from desktop.reports.prevention_docs import FeeLedgerData
from desktop.reports.text import iso

HEADERS = ("保单号", "日期", "类别", "用途", "摘要", "收入（元）", "支出（元）", "余额（元）")
WIDTHS = (22, 12, 10, 16, 40, 14, 14, 14)
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="E8E8E8")
_MONEY = "#,##0.00"


def _text(value: object) -> object:
    """User text never becomes a formula in the sheet."""
    return f"'{value}" if isinstance(value, str) and value.startswith("=") else value


def build_fee_ledger_xlsx(data: FeeLedgerData, path: Path | str) -> Path:
    wb = Workbook()
    ws = wb.active
    if not isinstance(ws, Worksheet):  # a new workbook opens on its one worksheet
        raise TypeError("a new workbook has a worksheet")
    ws.title = "台账"
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    xlsx_print.apply(ws, WIDTHS)
    ws.append(HEADERS)
    for c in ws[1]:
        c.font, c.fill, c.border = Font(bold=True), _HEAD_FILL, _BORDER
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def add(values: list[object], *, bold: bool = False) -> None:
        ws.append([_text(v) for v in values])
        for j, c in enumerate(ws[ws.max_row], start=1):
            c.border = _BORDER
            c.alignment = Alignment(vertical="top", wrap_text=True)
            if j == 2 and c.value is not None:
                c.number_format = "yyyy-mm-dd"
            if j >= 6:
                c.number_format = _MONEY
            if bold:
                c.font = Font(bold=True)

    for led in data.policies:
        add([led.policy_no, None, "期初余额", None, None, None, None, led.opening], bold=True)
        if not led.lines:
            add([led.policy_no, None, None, None, "本期台账无收支记录", None, None, None])
        for x in led.lines:
            add([led.policy_no, x.date, x.kind, x.use, x.description, x.income, x.spent, x.balance])
        add([led.policy_no, None, "本期合计", None, None, led.period_in, led.period_out, None], bold=True)
        add([led.policy_no, None, "期末累计", None,
             f"预算 {led.budget:,.2f}，调整 {led.adjustments:,.2f}", led.budget + led.adjustments,
             led.spent, led.balance], bold=True)
    about = wb.create_sheet("说明")
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 14, 80
    xlsx_print.apply(about, (14, 80), title_rows=0)
    for label, value in (("文书名称", data.meta.title), ("编号", data.meta.number),
                         ("编制机构", data.meta.agency.name), ("项目", f"{data.project.name}（{data.project.code}）"),
                         ("台账期间", data.period_text),
                         ("说明", "事故预防服务费用据实列支、专款专用，每笔支出对应已提供的服务。"
                          if data.policies else "该项目没有登记保单，无预防费用台账记录。"),
                         ("编制人", data.prepared_by), ("审核（技术负责人）", data.approved_by),
                         ("日期", iso(data.meta.date)), ("状态", "草稿" if data.meta.draft else "已签发")):
        about.append([label, _text(value)])
    target = Path(path)
    with atomic_writer(target, "wb") as fh:
        wb.save(fh)
    return target
