"""The self-check in the annex layout: PDF and XLSX from compliance.evaluate, long gap lists, merged cells."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from desktop.reports import selfcheck, xlsx_print
from desktop.reports.selfcheck import SelfCheckData, SelfCheckGap, SelfCheckRow
from desktop.services import compliance, hazards, periods
from desktop.services.checklist_items import ITEMS, SECTIONS
from desktop.services.queries.doc_data_periodic import selfcheck_data
from tests.factories import make_project
from tests.reports.conftest import flat, meta, page_count, pdffonts, pdftotext

pytestmark = pytest.mark.usefixtures("poppler")
AS_OF = dt.date(2026, 10, 20)


@pytest.fixture
def evaluated(db, users, agency):
    """The checklist of a project in 2026Q3 with a level-1 hazard never reported."""
    with db.session() as s:
        ids = make_project(s, users["admin"])
        hazards.record(s, users["inspector"], hazards.HazardForm(
            project_id=ids.project, description="基坑支护变形", level=1, measures="立即卸载", contingency="撤离",
            stop_work="full", found_at=dt.datetime(2026, 8, 3, 9)))
        result = compliance.evaluate(s, period=periods.parse("2026Q3"), scope_type="project",
                                     scope_id=ids.project, as_of=AS_OF)
    return selfcheck_data(result, meta(agency, "安责险第三方风控服务机构检查表（自查）", "风控自查〔2026〕0001号"),
                          prepared_by="王自查", approved_by="李技术")


def test_pdf_has_the_annex_columns_items_and_verdicts(tmp_path, evaluated):
    path = selfcheck.build_selfcheck_pdf(evaluated, tmp_path / "selfcheck.pdf")
    assert all(row[-5] == "yes" for row in pdffonts(path))
    text = flat(pdftotext(path))
    for header in ("序号", "检查内容", "检查要点", "检查情况", *SECTIONS, "自查结果", "共27项"):
        assert header in text
    raw = flat(pdftotext(path, raw=True))
    # each numbered row: the 序号, then its 检查内容, as in the annex
    for number, opening in (("1", "健全管控体系"), ("2", "风险识别和隐患排查"), ("3", "安全风险评估"),
                            ("4", "宣传教育培训"), ("5", "应急预案编制与演练"), ("6", "处置时效和时限要求"),
                            ("7", "加强档案管理"), ("8", "应发现的重大隐患而未发现的")):
        assert f"{number}{opening}" in raw
    c6a = next(r for r in evaluated.rows if r.item_id == "C-6a")
    assert c6a.status == "not_met" and "【不符合】" in text and "未于发现当日" in text
    assert "附表：自查发现的问题清单" in text and "王自查" in text and "李技术" in text
    assert "草稿" not in text
    draft = selfcheck.build_selfcheck_pdf(replace(evaluated, meta=replace(evaluated.meta, draft=True)),
                                          tmp_path / "draft.pdf")
    assert all("草稿" in pdftotext(draft, first=n) for n in range(1, page_count(draft) + 1))


def test_xlsx_columns_merged_groups_and_every_gap(tmp_path, evaluated):
    path = selfcheck.build_selfcheck_xlsx(evaluated, tmp_path / "selfcheck.xlsx")
    wb = load_workbook(path)
    ws = wb["检查表"]
    assert tuple(c.value for c in ws[1]) == selfcheck.XLSX_HEADERS
    items = [row for row in ws.iter_rows(min_row=2, values_only=True) if row[9]]
    assert [r[9] for r in items] == [r.ref for r in evaluated.rows]  # the checklist's numbering
    assert not any(str(v).startswith("C-") for row in ws.iter_rows(values_only=True) for v in row if v)
    assert {r[3] for r in items} <= {"符合", "不符合", "尚未到期", "不适用", "待人工填写"}
    sections = [row[0] for row in ws.iter_rows(min_row=2, values_only=True) if not row[9]]
    assert sections == list(SECTIONS)
    # 序号 2 and its 检查内容 span the six points of item 2
    first = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 10).value == "序号2第1点")
    assert f"A{first}:A{first + 5}" in {str(m) for m in ws.merged_cells.ranges}
    assert f"B{first}:B{first + 5}" in {str(m) for m in ws.merged_cells.ranges}
    gaps = list(wb["问题清单"].iter_rows(min_row=2, values_only=True))
    assert len(gaps) == sum(len(r.gaps) for r in evaluated.rows) > 0
    assert tuple(c.value for c in wb["问题清单"][1]) == selfcheck.GAP_HEADERS
    about = dict(wb["说明"].iter_rows(values_only=True))
    assert about["编号"] == "风控自查〔2026〕0001号" and about["统计截至"] == "2026-09-30"


def _rows(gaps_per_item: int) -> tuple[SelfCheckRow, ...]:
    return tuple(SelfCheckRow(
        i.id, i.number, i.section, i.content, i.point, "not_met" if n % 3 else "met", (f"项目 {n}",),
        tuple(SelfCheckGap(f"绍兴市某某工程{k}期", f"第{k}项缺口：{i.text[:20]}", dt.date(2026, 7, 1), k % 2 == 0)
              for k in range(gaps_per_item)), basis=i.basis) for n, i in enumerate(ITEMS))


@pytest.mark.slow
def test_an_agency_with_thousands_of_gaps_still_lays_out(tmp_path, agency):
    data = SelfCheckData(meta(agency, "安责险第三方风控服务机构检查表（自查）", "风控自查〔2026〕0002号"),
                         "全机构", "2026年", dt.date(2026, 12, 31), 5000, _rows(200))
    path = selfcheck.build_selfcheck_pdf(data, tmp_path / "big.pdf")
    text = flat(pdftotext(path))
    assert "另有195项，见附表" in text and "问题共5400项，此处列出前1000项" in text
    assert f"第{page_count(path)}页共{page_count(path)}页" in flat(pdftotext(path, first=page_count(path)))
    book = load_workbook(selfcheck.build_selfcheck_xlsx(data, tmp_path / "big.xlsx"), read_only=True)
    try:
        assert sum(1 for _ in book["问题清单"].iter_rows(min_row=2)) == 5400
        # an Excel cell holds at most 32,767 characters: the checklist cell lists the first 30
        first = next(r for r in book["检查表"].iter_rows(min_row=2, values_only=True)
                     if len(r) > 9 and r[9] == "序号1第2点")
    finally:
        book.close()
    listed = first[7].count("\n")
    assert 0 < listed <= 30 and first[7].endswith(f"……另有 {200 - listed} 项，见“问题清单”工作表")


def test_a_cell_of_many_problems_keeps_its_last_line_within_excels_row_height():
    from desktop.reports import xlsx_print

    row = next(r for r in _rows(200) if len(r.gaps) == 200)
    cell = selfcheck._gap_cell(row)
    lines = cell.split("\n")
    assert lines[-1] == f"……另有 {200 - (len(lines) - 1)} 项，见“问题清单”工作表"
    needed = sum(xlsx_print.text_lines(line, selfcheck.GAP_COLUMN_WIDTH) for line in lines)
    assert xlsx_print.lines_height(needed) < xlsx_print.MAX_ROW_HEIGHT  # nothing cut at 409 pt
    few = next(r for r in _rows(3) if r.gaps)
    assert "另有" not in selfcheck._gap_cell(few)  # a short list is listed whole


def test_result_text_counts_statuses(agency):
    rows = _rows(0)
    data = SelfCheckData(meta(agency, "自查", "x"), "全机构", "2026年", dt.date(2026, 12, 31), 1, rows)
    assert data.counts == {"met": 9, "not_met": 18, "not_due": 0, "not_applicable": 0, "manual": 0}
    assert selfcheck.result_text(data) == "共 27 项：符合 9 项，不符合 18 项，尚未到期 0 项，不适用 0 项，待人工填写 0 项"


def test_xlsx_rows_are_tall_enough_for_their_wrapped_text(tmp_path, evaluated):
    """Excel does not grow a row for a merged cell's text, LibreOffice keeps 15 pt: the row
    heights are written, so a long 检查内容 spread over its group is not cut off or overprinted."""
    from desktop.reports import xlsx_print

    ws = load_workbook(selfcheck.build_selfcheck_xlsx(evaluated, tmp_path / "s.xlsx"))["检查表"]
    widths = {col: ws.column_dimensions[col].width for col in "ABCDEFGHIJ"}

    def height(r: int) -> float:
        return ws.row_dimensions[r].height or 0.0

    groups = [m for m in ws.merged_cells.ranges if m.min_col == m.max_col == 2]
    assert groups  # 检查内容 merged over several 检查要点
    for m in groups:
        text = str(ws.cell(m.min_row, 2).value)
        lines = xlsx_print.text_lines(text, widths["B"])
        assert lines >= 3  # long enough that one line per row would cut it
        assert sum(height(r) for r in range(m.min_row, m.max_row + 1)) >= lines * xlsx_print.LINE_HEIGHT
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 10).value:  # an item's row: its own cells fit too
            for col in "CEH":
                value = ws[f"{col}{r}"].value
                if value:
                    need = xlsx_print.text_lines(str(value), widths[col]) * xlsx_print.LINE_HEIGHT
                    assert height(r) >= min(need, xlsx_print.MAX_ROW_HEIGHT), (r, col)


def test_xlsx_rows_are_no_taller_than_their_wrapped_text(tmp_path, evaluated):
    """QA found the rows ~30 % too tall in LibreOffice. Each item row is now exactly the lines
    its tallest own cell wraps to, at the font's size in the column's width; only a group's
    last row takes more, the lines its merged 检查内容 still lacks."""
    from desktop.reports import xlsx_print

    ws = load_workbook(selfcheck.build_selfcheck_xlsx(evaluated, tmp_path / "s.xlsx"))["检查表"]
    widths = {col: ws.column_dimensions[col].width for col in "ABCDEFGHIJ"}

    def own_lines(r: int) -> int:
        return max(xlsx_print.text_lines(str(ws[f"{col}{r}"].value or ""), widths[col])
                   for col in "CDEFGHIJ")

    groups = {r: m for m in ws.merged_cells.ranges if m.min_col == m.max_col == 2
              for r in range(m.min_row, m.max_row + 1)}
    checked = 0
    for r in range(2, ws.max_row + 1):
        if not ws.cell(r, 10).value:
            continue  # a section's title row
        height = ws.row_dimensions[r].height
        group = groups.get(r)
        if group is None or r < group.max_row:
            own = xlsx_print.lines_height(own_lines(r))
            content = xlsx_print.lines_height(
                xlsx_print.text_lines(str(ws.cell(r, 2).value or ""), widths["B"]))
            assert height == (own if group is not None else max(own, content)), r
            checked += 1
        else:  # the last row of a group: what the merged text lacks, nothing more
            rows = range(group.min_row, group.max_row + 1)
            need = xlsx_print.text_lines(str(ws.cell(group.min_row, 2).value), widths["B"])
            lines = [own_lines(x) for x in rows]
            lines[-1] += max(0, need - sum(lines))
            assert height == xlsx_print.lines_height(lines[-1]), r
    assert checked > 10
    assert ws.row_dimensions[1].height == xlsx_print.lines_height(2)  # 其中已逾期 wraps
    # 15 pt a line of 11 pt text: Excel's line; LibreOffice's is 12.9 pt (docs/qa-2026-12-07.md)
    assert xlsx_print.lines_height(3) == 45.0


def test_text_lines_counts_wide_characters_and_breaks() -> None:
    from desktop.reports.xlsx_print import text_lines

    assert text_lines("", 10) == 1
    assert text_lines("abcdefghi", 10) == 1  # 9 narrow characters in 9 units of room
    assert text_lines("检查要点检查要点", 10) == 2  # 4 wide characters a line in 10 units
    assert text_lines("一\n二\n三", 40) == 3


def test_the_screen_and_the_form_number_items_alike(evaluated):
    from desktop.services.checklist_items import BY_ID

    assert [BY_ID[r.item_id].ref for r in evaluated.rows] == [r.ref for r in evaluated.rows]
    assert all(ITEMS[i].ref.startswith("序号") for i in range(len(ITEMS)))


def test_xlsx_checklist_prints_at_eight_points_or_more(tmp_path, evaluated):
    """Fitted to an A4 landscape page's width, the checklist's 11 pt text must stay legible
    (it printed at about 6 pt with 247 units of columns)."""
    ws = load_workbook(selfcheck.build_selfcheck_xlsx(evaluated, tmp_path / "s.xlsx"))["检查表"]
    widths = [ws.column_dimensions[col].width for col in "ABCDEFGHIJ"]
    assert xlsx_print.print_points(widths, landscape=True) >= 8.0
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage


def test_the_basis_names_the_last_day_counted_and_the_day_lateness_is_judged(tmp_path, evaluated):
    """A 2026Q3 self-check made on 20 October counts records up to 30 September: 统计截至 says
    so, and the day 已逾期 is judged on is named beside it."""
    assert evaluated.counted_to == dt.date(2026, 9, 30) and evaluated.as_of == AS_OF
    text = flat(pdftotext(selfcheck.build_selfcheck_pdf(evaluated, tmp_path / "q3.pdf")))
    assert "统计截至2026年9月30日" in text and "逾期判断日2026年10月20日" in text
    about = {r[0]: r[1] for r in load_workbook(selfcheck.build_selfcheck_xlsx(
        evaluated, tmp_path / "q3.xlsx"))["说明"].iter_rows(values_only=True)}
    assert about["统计截至"] == "2026-09-30" and about["逾期判断日"] == "2026-10-20"
    during = replace(evaluated, as_of=dt.date(2026, 9, 20), counted_to=dt.date(2026, 9, 20))
    text = flat(pdftotext(selfcheck.build_selfcheck_pdf(during, tmp_path / "during.pdf")))
    assert "统计截至2026年9月20日" in text and "逾期判断日" not in text


def test_a_waived_gap_reads_not_counted_in_print(tmp_path, evaluated):
    rows = list(evaluated.rows)
    waived = SelfCheckGap("某安置房项目", "2026年第三季度未开展全覆盖检查", dt.date(2026, 9, 20), False, True)
    rows[0] = replace(rows[0], gaps=(waived,))
    data = replace(evaluated, rows=tuple(rows))
    text = flat(pdftotext(selfcheck.build_selfcheck_pdf(data, tmp_path / "w.pdf")))
    assert "［本期不计］" in text and "本期不计" in text
    sheet = load_workbook(selfcheck.build_selfcheck_xlsx(data, tmp_path / "w.xlsx"))["问题清单"]
    assert any(row[-1] == "本期不计" for row in sheet.iter_rows(values_only=True))
