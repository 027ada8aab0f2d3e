"""User text that looks like a formula (= + - @) stays text in every workbook the application
writes: the self-check (openpyxl write-only), the hazard register and the package's project
list (both streamed by xlsx_stream). Each is opened with openpyxl, formulas not evaluated."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from types import SimpleNamespace

from openpyxl import load_workbook

from desktop.reports import registers, selfcheck
from desktop.reports.registers import RegisterData
from desktop.reports.selfcheck import SelfCheckData, SelfCheckGap, SelfCheckRow
from desktop.services.checklist_items import ITEMS
from desktop.services.exchange import packages
from tests.reports.conftest import meta, register_rows

LOOKS_LIKE = ['=HYPERLINK("http://example.com","点此查看")', "=1+1", "+86 575 8888", "-5",
              "@SUM(A1:A3)"]


def cells_of(path):
    """Every (sheet, coordinate, data type, value) of a workbook, formulas kept as written."""
    book = load_workbook(path)  # not data_only: a formula cell shows as type "f"
    try:
        return [(ws.title, c.coordinate, c.data_type, c.value)
                for ws in book.worksheets for row in ws.iter_rows() for c in row]
    finally:
        book.close()


def assert_kept_as_text(path):
    cells = cells_of(path)
    assert not [c for c in cells if c[2] == "f"], "a formula was written"
    for text in LOOKS_LIKE:
        found = [c for c in cells if c[3] == text]
        assert found and all(c[2] == "s" for c in found), (text, found)


def test_selfcheck_workbook_keeps_an_imported_project_name_as_text(tmp_path, agency):
    item = ITEMS[0]
    gaps = tuple(SelfCheckGap(text, f"缺少 {text}", dt.date(2026, 7, 1)) for text in LOOKS_LIKE)
    gaps += (SelfCheckGap("项目", LOOKS_LIKE[1]),)
    row = SelfCheckRow(item.id, item.number, item.section, item.content, item.point, "not_met",
                       tuple(LOOKS_LIKE), gaps, note=LOOKS_LIKE[0], basis=item.basis)
    data = SelfCheckData(meta(agency, "安责险第三方风控服务机构检查表（自查）", "风控自查〔2026〕0003号"),
                         LOOKS_LIKE[0], "2026年", dt.date(2026, 12, 31), 1, (row,))
    path = selfcheck.build_selfcheck_xlsx(data, tmp_path / "selfcheck.xlsx")
    assert_kept_as_text(path)
    book = load_workbook(path)
    try:
        names = [r[2] for r in book["问题清单"].iter_rows(min_row=2, values_only=True)]
        assert names[0] == LOOKS_LIKE[0]  # the project column, exactly as imported
        assert book["说明"]["B4"].value == LOOKS_LIKE[0] and book["说明"]["B4"].data_type == "s"
    finally:
        book.close()


def test_hazard_register_workbook_keeps_formula_looking_text(tmp_path, agency):
    rows = register_rows(len(LOOKS_LIKE))
    odd = [r._replace(description=text, location=text) for r, text in zip(rows, LOOKS_LIKE, strict=True)]
    data = RegisterData(meta(agency, "隐患排查及问题整改清单", "风控清单〔2026〕0002号"),
                        scope_label=LOOKS_LIKE[0], period_label="2026年第一季度", rows=odd)
    path = registers.build_hazard_register_xlsx(replace(data), tmp_path / "register.xlsx")
    assert_kept_as_text(path)


def test_package_project_list_keeps_formula_looking_text(tmp_path):
    plan = SimpleNamespace(agency=SimpleNamespace(name="安泰风控"),
                           projects=tuple((f"P-{i}", text, text, "在建", "", "低")
                                          for i, text in enumerate(LOOKS_LIKE)))
    path = packages._write_projects(plan, tmp_path / "项目清单.xlsx")  # type: ignore[arg-type]
    assert_kept_as_text(path)
