"""Chinese line breaking in every document (review 15, D8): no line ends with an opening
bracket or starts with closing punctuation, a date or a number with its unit stays whole,
and a narrow cell still breaks rather than runs over."""

from __future__ import annotations

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from desktop.reports.fonts import BODY, ensure_fonts, text_width
from desktop.reports.line_breaks import NO_LINE_END, NO_LINE_START
from desktop.reports.styles import P, Styles
from desktop.reports.text import para, wrap_cjk

ensure_fonts()
# the bundled sans face: the same widths on every machine (the Song face may be the system's)
STYLE = ParagraphStyle("t", fontName=BODY, fontSize=10, leading=14, wordWrap="CJK")

GAP = "越城区镜湖新区地下综合管廊工程（FK2026-010）：服务交底会记录未经投保单位确认（自2026年7月24日）"
FACTOR = "深基坑（开挖深度 8.20 m，不小于 5 m）"
AGENCY = "绍兴安途安全风险管理咨询有限公司（演示数据）"


def lines(markup: str, width: float, style: ParagraphStyle = STYLE) -> list[str]:
    """The text of each line of the Paragraph wrapped at `width`."""
    p = P(markup, style) if style is not STYLE else Paragraph(markup, style)
    p.wrap(width, 10_000)
    return ["".join(f.text for f in line.words) if hasattr(line, "words") else line[1][0]
            for line in p.blPara.lines]


@pytest.mark.parametrize(("width", "expected"), [
    (150, ["越城区镜湖新区地下综合管廊工程", "（FK2026-010）：服务交底会记",
           "录未经投保单位确认（自", "2026年7月24日）"]),
    (190, ["越城区镜湖新区地下综合管廊工程", "（FK2026-010）：服务交底会记录未经投",
           "保单位确认（自2026年7月24日）"]),
    (230, ["越城区镜湖新区地下综合管廊工程（FK2026-010）：", "服务交底会记录未经投保单位确认（自",
           "2026年7月24日）"]),
])
def test_brackets_closing_marks_and_dates(width, expected):
    # was: a line ending 工程（, a line starting ：服务…, and 2026年 / 7月24日）
    assert lines(para(GAP), width) == expected


def test_a_number_keeps_its_unit():
    # was: 深基坑（开挖深度 8.20 / m，不小于 5 m）
    assert lines(para(FACTOR), 110) == ["深基坑（开挖深度", "8.20 m，不小于 5 m）"]
    assert lines(para(FACTOR), 85) == ["深基坑（开挖深度", "8.20 m，不小于", "5 m）"]


def test_an_agency_name_breaks_before_its_bracket():
    # was: 绍兴安途安全风险管理咨询有限公司（ / 演示数据）
    assert lines(para(AGENCY), 170) == ["绍兴安途安全风险管理咨询有限公司", "（演示数据）"]
    # the house style of the 落款 (whatever Song face the machine has): never （ at a line's end
    for width in range(60, 230, 5):
        assert not any(line.endswith("（") for line in lines(para(AGENCY), width, Styles.sign))


def test_several_runs_and_line_breaks_follow_the_same_rules():
    # a <br/> and a run in another font take ReportLab's other path (cjkFragSplit)
    markup = para("项目：越城区镜湖新区地下综合管廊工程（FK2026-010）：服务交底会记录\n") + \
        f'未经确认（自<font name="{BODY}">2026</font>年7月24日）'
    assert lines(markup, 150) == ["项目：越城区镜湖新区地下综合管", "廊工程（FK2026-010）：服务交",
                                  "底会记录", "未经确认（自2026年7月24日）"]
    assert lines(markup, 100) == ["项目：越城区镜湖新区", "地下综合管廊工程",
                                  "（FK2026-010）：服", "务交底会记录", "未经确认（自",
                                  "2026年7月24日）"]


def test_a_narrow_cell_breaks_a_date_between_its_parts_rather_than_overflow():
    assert lines("2026年12月17日", 40) == ["2026年", "12月", "17日"]
    assert lines("2026年12月17日", 50) == ["2026年", "12月17日"]
    assert lines("YH-2026-00001-REVIEW", 50) == ["YH-2026-", "00001-", "REVIEW"]


def test_no_lone_last_character():
    # a hazard category in the register's narrow column: was 临时用 / 电, 起重吊 / 装
    assert wrap_cjk("临时用电", 28, 7.5) == "临时\n用电"
    assert wrap_cjk("起重吊装", 28, 7.5) == "起重\n吊装"
    assert lines("支护与降水方案须经专家论证", 120) == ["支护与降水方案须经专家", "论证"]
    # a closing mark does not count: not ［未到 / 期］
    assert lines(para("未在全覆盖检查中核查（自2026年10月1日）［未到期］"), 230) == [
        "未在全覆盖检查中核查（自2026年10月1日）［未", "到期］"]


def test_register_cells_follow_the_same_rules():
    text = "（FK2026-010）：服务交底会记录未经投保单位确认（自2026年7月24日）"
    assert wrap_cjk(text, 80, 7.5).split("\n") == [
        "（FK2026-010）：服务", "交底会记录未经投保单", "位确认（自", "2026年7月24日）"]


@pytest.mark.parametrize("width", range(40, 260, 7))
def test_rules_hold_at_every_width(width):
    texts = [GAP, FACTOR, AGENCY + "（盖章）",
             "脚手架连墙件设置不符合专项施工方案要求，第8层至第12层连墙件缺失约6处（见照片）。" * 2,
             "依据：“一项目一方案”要求，《房屋市政工程生产安全重大事故隐患判定标准（2022版）》。"]
    for text in texts:
        got = lines(para(text), width)
        assert "".join(got).replace(" ", "") == text.replace(" ", "")
        for line in got[1:]:
            assert line[0] not in NO_LINE_START, (width, got)
        for line in got[:-1]:
            assert line[-1] not in NO_LINE_END, (width, got)
            # at most one closing mark hangs past the width
            assert text_width(line.rstrip("".join(NO_LINE_START)), 10, BODY) <= width + 1e-6
