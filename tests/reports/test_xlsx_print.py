"""Every workbook the app writes prints cleanly: A4, one page wide, landscape when wide, the
header row repeated on each page, page numbers in the footer (read back with openpyxl)."""

from __future__ import annotations

from openpyxl import Workbook, load_workbook

from desktop.fileutil import atomic_writer
from desktop.reports import registers, selfcheck, xlsx_print
from desktop.reports import xlsx_stream as xs
from desktop.reports.data import RegisterData
from tests.reports.conftest import meta, register_rows
from tests.reports.test_selfcheck import evaluated  # noqa: F401  (the fixture)


def fits_a4_width(ws, *, landscape: bool, titles: str | None = "$1:$1") -> None:  # type: ignore[no-untyped-def]
    setup = ws.page_setup
    assert setup.paperSize in (9, "9")
    assert setup.orientation == ("landscape" if landscape else "portrait")
    assert setup.fitToWidth in (1, "1") and setup.fitToHeight in (0, "0")
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == titles
    assert ws.oddFooter.center.text == xlsx_print.FOOTER
    assert ws.page_margins.left == xlsx_print.MARGINS["left"]


def test_the_streaming_writer_sets_up_every_sheet(tmp_path):
    path = tmp_path / "s.xlsx"
    with atomic_writer(path, "wb") as fh, xs.XlsxWriter(fh) as book:
        with book.sheet(xs.SheetLayout("窄", widths=(10, 40), print_titles=True)) as narrow:
            narrow.append(["序号", "名称"])
            for i in range(200):
                narrow.append([i, f"第{i}项"])
        with book.sheet(xs.SheetLayout("宽", widths=(30,) * 5)) as wide:  # 150 > portrait
            wide.append(["甲", "乙", "丙", "丁", "戊"])
    wb = load_workbook(path)
    fits_a4_width(wb["窄"], landscape=False)
    fits_a4_width(wb["宽"], landscape=True, titles=None)
    assert wb["窄"].print_options.horizontalCentered


def test_the_register_prints_landscape_with_its_header_on_every_page(tmp_path, agency):
    data = RegisterData(meta(agency, "隐患排查及问题整改清单", "风控清单〔2026〕0001号"),
                        scope_label="全部在保项目", period_label="2026年第一季度",
                        rows=register_rows(60))
    wb = load_workbook(registers.build_hazard_register_xlsx(data, tmp_path / "r.xlsx"))
    fits_a4_width(wb[registers.SHEET_NAME], landscape=True)
    fits_a4_width(wb["说明"], landscape=False, titles=None)


def test_the_register_prints_legibly_with_every_line_of_its_text(tmp_path, agency):
    """Fitted to one page wide, the register printed at about 5 pt (17 columns, 308 units) and
    cut long text at the cell's edge: its columns now print at 8 pt or more, every text column
    wraps, and each row is as tall as its most wrapped cell (LibreOffice grows no row)."""
    widths = [c.xlsx_width for c in registers.COLUMNS]
    assert xlsx_print.print_points(widths, landscape=True) >= 8.0
    rows = register_rows(12)
    rows[3] = rows[3]._replace(contingency="设置警戒区域并安排专人监护，禁止无关人员进入" * 3)
    data = RegisterData(meta(agency, "隐患排查及问题整改清单", "风控清单〔2026〕0001号"),
                        scope_label="全部在保项目", period_label="2026年第一季度", rows=rows)
    ws = load_workbook(registers.build_hazard_register_xlsx(data, tmp_path / "r.xlsx"))[
        registers.SHEET_NAME]
    fits_a4_width(ws, landscape=True)
    assert [ws.column_dimensions[xs.column_letter(i)].width
            for i in range(1, len(widths) + 1)] == widths
    text_columns = [i for i, c in enumerate(registers.COLUMNS, start=1) if c.kind == "text"]
    assert all(ws.cell(2, i).alignment.wrap_text for i in text_columns)
    heights = {r: ws.row_dimensions[r].height or xlsx_print.LINE_HEIGHT
               for r in range(1, ws.max_row + 1)}
    assert heights[1] >= 2 * xlsx_print.LINE_HEIGHT  # 重大隐患, 应急预案/临时措施: two lines
    for r in range(2, ws.max_row + 1):
        lines = max(xlsx_print.text_lines(str(ws.cell(r, i).value or ""), widths[i - 1])
                    for i in text_columns)
        assert heights[r] == xlsx_print.lines_height(lines), r
    assert heights[5] >= 9 * xlsx_print.LINE_HEIGHT  # the long contingency, 6 characters a line


def test_text_lines_break_cjk_text_where_excel_and_libreoffice_do():
    """Measured in LibreOffice 7.4 with Carlito: 60 CJK characters (11 pt) take 15, 9, 6 and 4
    lines in columns 10, 16, 24 and 40 units wide (4, 7, 11 and 19 characters a line)."""
    text = "检查是否落实一项目一方案要求编制事故预防技术服务方案并经双方确认后实施每季度至少开展一次风险识别"
    text = (text * 2)[:60]
    assert [xlsx_print.text_lines(text, w) for w in (10, 16, 24, 40)] == [15, 9, 6, 4]
    assert xlsx_print.text_lines("YH-2026-00001", 14) == 1  # a hazard number on one line
    assert xlsx_print.text_lines("2026-12-07", 10.5) == 1
    assert xlsx_print.text_lines(text, 40, size=8) < xlsx_print.text_lines(text, 40)
    assert xlsx_print.lines_height(4) == 4 * xlsx_print.LINE_HEIGHT
    assert xlsx_print.lines_height(2, size=8) < xlsx_print.lines_height(2)


def test_the_selfcheck_workbook_prints_one_page_wide(tmp_path, evaluated):  # noqa: F811
    wb = load_workbook(selfcheck.build_selfcheck_xlsx(evaluated, tmp_path / "c.xlsx"))
    fits_a4_width(wb["检查表"], landscape=True)
    fits_a4_width(wb["问题清单"], landscape=True)
    fits_a4_width(wb["说明"], landscape=False, titles=None)


def test_apply_on_an_openpyxl_sheet_follows_the_widths():
    ws = Workbook().active
    xlsx_print.apply(ws, (10, 20, 30))
    assert ws.page_setup.orientation == "portrait" and ws.print_title_rows == "$1:$1"
    xlsx_print.apply(ws, (10, 20, 30), title_rows=2, landscape=True)
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$2"
    assert xlsx_print.is_wide((50, 50)) and not xlsx_print.is_wide((40, 40))
