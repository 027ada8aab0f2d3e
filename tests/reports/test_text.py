"""Text helpers: Chinese dates, quoting, and the fast CJK line breaker used by registers."""

from __future__ import annotations

import datetime as dt

from desktop.reports.fonts import text_width
from desktop.reports.text import cn_date, para, quoted, wrap_cjk


def test_cn_date_and_blank_form_date():
    assert cn_date(dt.date(2026, 3, 5)) == "2026年3月5日"
    blank = cn_date(None)
    assert "年" in blank and "月" in blank and blank.startswith("\xa0")


def test_nested_quotes_become_single():
    assert quoted("“金色家园”二期") == "“‘金色家园’二期”"


def test_para_escapes_markup():
    assert para("a<b & c\nd") == "a&lt;b &amp; c<br/>d"


def test_wrap_respects_width_and_punctuation():
    text = "脚手架连墙件设置不符合专项施工方案要求，第8层至第12层连墙件缺失约6处（见照片）。" * 3
    width = 80
    lines = wrap_cjk(text, width, 7.5).split("\n")
    assert "".join(lines) == text
    assert len(lines) > 3
    for line in lines:
        assert line[0] not in "，。）、；：”"
        assert line[-1] not in "（“"
        # a hanging closing mark may overhang by one character, nothing more
        assert text_width(line[:-1], 7.5) <= width


def test_wrap_keeps_latin_words_whole():
    lines = wrap_cjk("检查发现编号 YH-2026-00001 的隐患未整改", 60, 7.5).split("\n")
    assert any("YH-2026-00001" in line for line in lines)


def test_short_text_is_unchanged():
    assert wrap_cjk("短文本", 200, 7.5) == "短文本"
    assert wrap_cjk("", 200, 7.5) == ""
