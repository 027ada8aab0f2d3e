"""The header's 草稿 box never covers the agency's name, nor the title and number on the right."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from reportlab.pdfgen.canvas import Canvas

from desktop.reports.data import AgencyInfo, DocMeta
from desktop.reports.fonts import text_width
from desktop.reports.layout import STAMP_W, HouseDoc

LONG_NAME = "绍兴安途安全风险管理咨询有限公司（演示数据）"


class _Recorder(Canvas):
    """A canvas that notes where the header and the stamp draw."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO())
        self.boxes: list[tuple[float, float]] = []  # (left, right) of each round box
        self.right_texts: list[tuple[float, str, float]] = []  # (right edge, text, size)
        self.left_texts: list[tuple[float, str, float]] = []

    def roundRect(self, x, y, width, height, radius, stroke=1, fill=0):  # noqa: N802
        self.boxes.append((x, x + width))
        super().roundRect(x, y, width, height, radius, stroke, fill)

    def drawString(self, x, y, text, *args, **kwargs):  # noqa: N802
        self.left_texts.append((x, text, self._fontsize))
        super().drawString(x, y, text, *args, **kwargs)

    def drawRightString(self, x, y, text, *args, **kwargs):  # noqa: N802
        self.right_texts.append((x, text, self._fontsize))
        super().drawRightString(x, y, text, *args, **kwargs)


def _draw(name: str, *, wide: bool = False) -> tuple[HouseDoc, _Recorder]:
    meta = DocMeta("2026年度安全生产分析报告", "工作稿（未编号）", dt.date(2026, 12, 7),
                   AgencyInfo(name, address="绍兴市越城区解放北路1号"), draft=True)
    doc = HouseDoc(io.BytesIO(), meta, wide=wide)
    canv = _Recorder()
    doc._header(canv, doc)
    doc._watermark(canv, doc)
    return doc, canv


@pytest.mark.parametrize("wide", [False, True])
def test_stamp_clear_of_a_long_agency_name(wide: bool) -> None:
    doc, canv = _draw(LONG_NAME, wide=wide)
    [(left, right)] = canv.boxes
    name_x = next(x for x, text, _ in canv.left_texts if text == LONG_NAME)
    assert left > name_x + text_width(LONG_NAME, 11)
    for edge, text, size in canv.right_texts:  # title and number, right-aligned
        assert edge - text_width(text, size) > right, text


def test_stamp_in_the_middle_for_a_short_name() -> None:
    doc, canv = _draw("安途风控")
    [(left, right)] = canv.boxes
    assert left == pytest.approx(doc.pagesize[0] / 2 - STAMP_W / 2)
    titles = [text for _, text, _ in canv.right_texts]
    assert titles == ["2026年度安全生产分析报告", "工作稿（未编号）"]  # room enough: not shortened
