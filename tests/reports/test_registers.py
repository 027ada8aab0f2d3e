"""The hazard register: multi-page PDF with page X of Y and repeated header; XLSX round trip."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook, load_workbook

from desktop.reports import registers
from desktop.reports.data import RegisterData
from desktop.vocabulary import HAZARD_LEVEL_LIGHT
from tests.reports.conftest import flat, meta, page_count, pdffonts, pdftotext, register_rows

pytestmark = pytest.mark.usefixtures("poppler")


@pytest.fixture
def register(agency):
    return RegisterData(meta(agency, "隐患排查及问题整改清单", "风控清单〔2026〕0001号"),
                        scope_label="全部在保项目", period_label="2026年第一季度",
                        rows=register_rows(120))


def test_pdf_pages_are_numbered_x_of_y_and_repeat_the_header(tmp_path, register):
    path = registers.build_hazard_register_pdf(register, tmp_path / "reg.pdf")
    pages = page_count(path)
    assert pages >= 3
    assert all(r[-5] == "yes" for r in pdffonts(path))
    for number in (1, 2, pages):
        assert f"第{number}页共{pages}页" in flat(pdftotext(path, first=number))
    page2 = flat(pdftotext(path, first=2))
    for header in ("序号", "隐患编号", "隐患描述", "整改期限", "责任单位"):
        assert header in page2
    assert "草稿" not in pdftotext(path)


def test_pdf_draft_mark_on_every_page(tmp_path, register):
    from dataclasses import replace

    draft = replace(register, meta=replace(register.meta, draft=True))
    path = registers.build_hazard_register_pdf(draft, tmp_path / "d.pdf")
    for number in range(1, page_count(path) + 1):
        assert "草稿" in pdftotext(path, first=number)


def test_pdf_rows_and_summary(tmp_path, register):
    path = registers.build_hazard_register_pdf(register, tmp_path / "reg.pdf")
    text = flat(pdftotext(path, raw=True))
    assert "隐患共120项" in text
    assert "YH-2026-00001" in text and "YH-2026-00120" in text
    assert flat(register.rows[0].description) in text


def test_xlsx_layout_fills_dates_and_round_trip(tmp_path, register):
    path = registers.build_hazard_register_xlsx(register, tmp_path / "reg.xlsx")
    wb = load_workbook(path)
    ws = wb[registers.SHEET_NAME]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:Q{len(register.rows) + 1}"
    assert tuple(c.value for c in ws[1]) == registers.HEADERS
    assert ws.column_dimensions["F"].width == registers.COLUMNS[5].xlsx_width  # 隐患描述
    level_col = registers.HEADERS.index("等级") + 1
    for r, row in enumerate(register.rows, start=2):
        fill = ws.cell(r, level_col).fill.fgColor.rgb
        assert fill.endswith(HAZARD_LEVEL_LIGHT[row.level].lstrip("#").upper())
    found = ws.cell(2, registers.HEADERS.index("发现日期") + 1)
    assert isinstance(found.value, dt.datetime) and found.number_format == "yyyy-mm-dd"
    assert found.value.date() == register.rows[0].found_date
    assert "说明" in wb.sheetnames
    expected = [{"seq": i, **{c.key: getattr(r, c.key) for c in registers.COLUMNS[1:]}}
                for i, r in enumerate(register.rows, start=1)]
    assert registers.read_hazard_xlsx(path) == expected


def test_xlsx_keeps_text_that_looks_like_a_formula(tmp_path, register):
    from dataclasses import replace

    odd = register.rows[0]._replace(description="=HYPERLINK(\"x\")", location="=1+1")
    data = replace(register, rows=[odd])
    path = registers.build_hazard_register_xlsx(data, tmp_path / "f.xlsx")
    assert registers.read_hazard_xlsx(path)[0]["description"] == "=HYPERLINK(\"x\")"
    assert registers.read_hazard_xlsx(path)[0]["location"] == "=1+1"


def test_read_accepts_hand_edited_values_and_rejects_other_layouts(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(list(registers.HEADERS))
    ws.append([1, "YH-1", "项目", "2026-03-01", "", "描述", "", 2, "否", "", "", "", None, "", "整改中",
               "", "否"])
    ws.append([None] * len(registers.HEADERS))
    path = tmp_path / "hand.xlsx"
    wb.save(path)
    rows = registers.read_hazard_xlsx(path)
    assert len(rows) == 1
    assert rows[0]["found_date"] == dt.date(2026, 3, 1) and rows[0]["level"] == 2
    assert rows[0]["deadline"] is None and rows[0]["is_major"] is False

    ws.cell(2, registers.HEADERS.index("等级") + 1, "五级")
    wb.save(path)
    with pytest.raises(ValueError, match="第 2 行"):
        registers.read_hazard_xlsx(path)
    ws.cell(1, 1, "编号")
    wb.save(path)
    with pytest.raises(ValueError, match="表头"):
        registers.read_hazard_xlsx(path)


@pytest.mark.slow
def test_five_thousand_rows_as_pdf_and_xlsx(tmp_path, agency):
    """The size of a quarter's register (its speed is measured by bench/bench_reports.py)."""
    data = RegisterData(meta(agency, "隐患排查及问题整改清单", "风控清单〔2026〕0002号"),
                        "全部在保项目", "2026年", register_rows(5000))
    registers.build_hazard_register_pdf(data, tmp_path / "big.pdf")
    registers.build_hazard_register_xlsx(data, tmp_path / "big.xlsx")
    assert page_count(tmp_path / "big.pdf") > 100
    assert len(registers.read_hazard_xlsx(tmp_path / "big.xlsx")) == 5000


class _Cancelled(Exception):
    pass


def test_progress_reports_pages_and_a_cancel_leaves_no_file(tmp_path, register, agency):
    seen: list[int] = []
    registers.build_hazard_register_pdf(register, tmp_path / "ok.pdf", progress=seen.append)
    assert seen == list(range(1, page_count(tmp_path / "ok.pdf") + 1))

    def cancel_pdf(pages_done: int) -> None:
        if pages_done == 2:
            raise _Cancelled

    def cancel_xlsx(rows_done: int) -> None:
        raise _Cancelled

    big = RegisterData(register.meta, "全部在保项目", "2026年", register_rows(1500))
    with pytest.raises(_Cancelled):
        registers.build_hazard_register_pdf(register, tmp_path / "c.pdf", progress=cancel_pdf)
    with pytest.raises(_Cancelled):
        registers.build_hazard_register_xlsx(big, tmp_path / "c.xlsx", progress=cancel_xlsx)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.pdf"]


def test_register_is_landscape_and_an_empty_register_still_builds(tmp_path, register):
    import subprocess
    from dataclasses import replace

    path = registers.build_hazard_register_pdf(register, tmp_path / "reg.pdf")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    width, height = (float(v) for v in size.split()[2:5:2])
    assert width > height  # A4 landscape: 842 × 595 pt
    empty = replace(register, rows=[])
    empty_pdf = registers.build_hazard_register_pdf(empty, tmp_path / "e.pdf")
    assert "隐患共0项" in flat(pdftotext(empty_pdf))
    empty_xlsx = registers.build_hazard_register_xlsx(empty, tmp_path / "e.xlsx")
    assert registers.read_hazard_xlsx(empty_xlsx) == []


def test_xlsx_print_setup_styles_and_awkward_text(tmp_path, register):
    from dataclasses import replace

    awkward = register.rows[0]._replace(description="  钢筋 & 模板 <3 层>\n第二行\x07  ",
                      location="", measures="", category=" 前导空格", closed_date=None)
    data = replace(register, rows=[awkward, *register.rows[1:5]])
    path = registers.build_hazard_register_xlsx(data, tmp_path / "a.xlsx")
    wb = load_workbook(path)
    ws = wb[registers.SHEET_NAME]
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    head = ws["A1"]
    assert head.font.b and head.border.bottom.style == "thin" and head.alignment.wrap_text
    overdue = ws.cell(2, registers.HEADERS.index("是否逾期") + 1)
    assert (overdue.value == "是") == awkward.overdue
    if awkward.overdue:
        assert overdue.font.b and overdue.font.color.rgb.endswith("C62828")
    described = ws.cell(2, registers.HEADERS.index("隐患描述") + 1)
    assert described.alignment.wrap_text and described.alignment.vertical == "top"
    assert {"清单表头", "清单日期", "清单长文本", "清单居中", "清单逾期", "隐患一级", "隐患四级"} \
        <= set(wb.named_styles)
    about = dict((r[0].value, r[1].value) for r in wb["说明"].iter_rows() if r[0].value)
    assert about["汇总"] == registers.summary_text(data) and about["编号"] == data.meta.number
    first = registers.read_hazard_xlsx(path)[0]
    assert first["description"] == "  钢筋 & 模板 <3 层>\n第二行  "  # the bell character dropped
    assert first["category"] == " 前导空格" and first["location"] == "" and first["measures"] == ""


def test_a_hazard_row_holds_the_registers_columns_in_order():
    """The XLSX writer takes a row's values in column order (RegisterLine or a database line)."""
    from desktop.reports.data import RegisterLine

    assert {c.key for c in registers.COLUMNS[1:]} <= set(RegisterLine._fields)
    # a short row (the review package's database lines) is drawn in the earlier fifteen columns
    assert RegisterLine._fields[:14] == tuple(c.key for c in registers.SHORT_COLUMNS[1:])
    assert registers.columns_for([tuple(range(14))]) is registers.SHORT_COLUMNS
