"""The hazard-list PDF laid out a page at a time: every row exactly once and in order, the header
and 第 X 页 共 Y 页 on every page, a row taller than a page carried over, memory not growing
with the pages."""

from __future__ import annotations

import re
import tracemalloc

import pytest

from desktop.reports import registers
from desktop.reports.data import RegisterData
from tests.reports.conftest import flat, meta, page_count, pdftotext, register_rows

pytestmark = pytest.mark.usefixtures("poppler")
NUMBER = re.compile(r"YH-2026-\d{5}")


def data(agency, rows) -> RegisterData:  # type: ignore[no-untyped-def]
    return RegisterData(meta(agency, "隐患排查及问题整改清单", "风控清单〔2026〕0003号"),
                        "全部在保项目", "2026年第一季度", rows)


def test_every_row_once_in_order_with_header_and_page_x_of_y_on_each_page(tmp_path, agency):
    rows = register_rows(600)
    path = registers.build_hazard_register_pdf(data(agency, rows), tmp_path / "reg.pdf")
    pages = page_count(path)
    assert pages >= 20
    found: list[str] = []
    for number in range(1, pages + 1):
        text = flat(pdftotext(path, first=number, raw=True))
        assert f"第{number}页共{pages}页" in text
        assert "序号" in text and "隐患编号" in text and "整改期限" in text
        found += NUMBER.findall(text)
    assert found == [r.number for r in rows]
    last = flat(pdftotext(path, first=pages))
    assert "风控服务机构" in last  # the signature block closes the list


def test_a_row_taller_than_a_page_goes_on_over_the_next(tmp_path, agency, monkeypatch):
    rows = register_rows(30)
    # 2,000 characters is some 150 lines in its column (print normally cuts at 500: not here)
    monkeypatch.setitem(registers.PRINT_LIMITS, "description", 5000)
    rows[3] = rows[3]._replace(description="钢筋堆垛" * 500, overdue=True)
    path = registers.build_hazard_register_pdf(data(agency, rows), tmp_path / "tall.pdf")
    pages = page_count(path)
    texts = [flat(pdftotext(path, first=n, raw=True)) for n in range(1, pages + 1)]
    assert pages >= 3
    assert sum(t.count("垛") for t in texts) == 500  # nothing lost, nothing twice
    assert all("垛" in t and "隐患编号" in t for t in texts[:3])  # carried over, header on top
    assert NUMBER.findall("".join(texts)) == [r.number for r in rows]
    assert all(f"共{pages}页" in t for t in texts)


def test_over_long_text_prints_cut_with_an_ellipsis(tmp_path, agency):
    rows = register_rows(3)
    rows[1] = rows[1]._replace(description="钢筋堆垛" * 8000)  # 32,000 characters, recorded before limits
    path = registers.build_hazard_register_pdf(data(agency, rows), tmp_path / "long.pdf")
    text = flat(pdftotext(path, raw=True))
    assert page_count(path) <= 3 and text.count("垛") == 124 and "…" in text


@pytest.mark.slow
def test_memory_does_not_grow_with_the_pages(tmp_path, agency):
    """Python allocations at their peak during a build of 200 and of 1,200 rows (3 and 15
    pages). Keeping every page's drawing until the end, as before, cost some 17 MB more for
    the larger list; a page compressed as it is finished and a page-sized table at a time,
    under 1 MB."""
    registers.build_hazard_register_pdf(data(agency, register_rows(20)), tmp_path / "warm.pdf")
    peaks = []
    for n in (200, 1200):
        register = data(agency, register_rows(n))  # the input is not the build's
        tracemalloc.start()
        try:
            registers.build_hazard_register_pdf(register, tmp_path / "m.pdf")
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert peaks[1] - peaks[0] < 4_000_000, peaks
