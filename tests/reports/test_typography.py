"""Official typography: titles and dates never broken inside a word, punctuation tidied."""

from __future__ import annotations

import pytest
from reportlab.platypus import SimpleDocTemplate

from desktop.reports.blocks import data_table, paragraphs, shares
from desktop.reports.fonts import missing_glyphs, text_width
from desktop.reports.styles import BoldText, title_lines
from desktop.reports.text import basis_text, clip, tidy
from tests.reports.conftest import pdftotext

pytestmark = pytest.mark.usefixtures("poppler")


def test_a_title_shrinks_to_one_line_before_it_breaks():
    title = "安责险第三方风控服务机构检查表（自查）汇总"
    size, lines = title_lines(title, text_width(title, 20) * 0.9, 20)
    assert lines == [title] and 14 <= size < 20


def test_a_title_too_long_for_one_line_breaks_where_a_phrase_ends():
    title = "绍兴市镜湖新区金色家园二期住宅工程（A地块）安全生产事故预防技术服务工作方案（第2版）"
    width = text_width(title, 20) * 0.6
    size, lines = title_lines(title, width, 20)
    assert "".join(lines) == title and len(lines) == 2
    assert lines[0].endswith("）") or lines[1].startswith("（")
    assert all(text_width(line, size) <= width for line in lines)


def test_a_date_in_a_narrow_column_stays_whole(tmp_path):
    rows = [["2026年12月17日", "较长的说明文字用于占满表格的其余宽度"]]
    path = tmp_path / "t.pdf"
    SimpleDocTemplate(str(path)).build([
        BoldText("文书标题"),
        data_table(["日期", "事项"], rows, widths=shares([22, 140], 400)),
        *paragraphs("整改。。完成；。"),
    ])
    text = pdftotext(path)
    assert "2026年12月17日" in text  # one line: not 2026年12月1 / 7日
    assert "整改。完成。" in text


def test_text_helpers():
    assert tidy("整改。。下一项；。完成，，好") == "整改。下一项。完成，好"
    assert clip("钢" * 600, 500) == "钢" * 499 + "…" and clip("短", 500) == "短"
    assert basis_text(__import__("datetime").date(2026, 9, 30), 3) == \
        "统计截至2026年9月30日（各项状态及是否逾期均按该日计）；含上期结转未销项3项。"
    assert missing_glyphs("隐患𠮷😀") == ["😀", "𠮷"]
