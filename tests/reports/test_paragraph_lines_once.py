"""A document's paragraphs break their lines once per width (issue 17 §8: ReportLab wrapped a
table cell three or four times at the same width, half the self-check's layout time), and
what they give back is what a fresh Paragraph gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

from desktop.reports import styles
from desktop.reports.styles import P, Styles

TEXT = ("越城区镜湖新区地下综合管廊工程（FK2026-010）：服务交底会记录未经投保单位确认"
        "（自2026年7月24日），塔式起重机安装拆卸工程施工阶段未开展专项检查。")


def _fresh(width: float) -> tuple[float, float, list[str]]:
    p = Paragraph(P(TEXT, Styles.cell).text, Styles.cell)
    w, h = p.wrap(width, 10_000)
    return w, h, [str(line) for line in p.blPara.lines]


@pytest.mark.parametrize("widths", [(120, 120), (120, 260, 120), (260, 90, 260, 90)])
def test_each_wrap_gives_what_a_fresh_paragraph_gives(widths: tuple[float, ...]) -> None:
    p = P(TEXT, Styles.cell)
    for width in widths:
        w, h = p.wrap(width, 500)
        assert (w, h, [str(line) for line in p.blPara.lines]) == _fresh(width)
        assert p.width == width and p.height == h


def test_a_table_over_pages_breaks_each_cell_once(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    broken: list[int] = []
    original = Paragraph.breakLinesCJK

    def counted(self: Paragraph, widths: list[float]) -> object:
        broken.append(id(self))
        return original(self, widths)

    monkeypatch.setattr(Paragraph, "breakLinesCJK", counted)
    head = [P(h, Styles.label) for h in ("序号", "问题", "说明")]
    rows = [[P(str(i), Styles.cell), P(TEXT, Styles.cell), P(TEXT[::-1], Styles.cell)]
            for i in range(120)]
    story = [Table([head, *rows], colWidths=[40, 230, 230], repeatRows=1)]
    SimpleDocTemplate(str(tmp_path / "t.pdf"), pagesize=A4).build(story)
    pages = (tmp_path / "t.pdf").read_bytes().count(b"/Type /Page\n")
    assert pages > 3  # the table was split, and its parts laid out again
    cells = 3 * (len(rows) + 1)
    # every cell broken once: the header repeated on each page is the same three paragraphs
    assert len(set(broken)) == cells
    assert len(broken) == cells


def test_a_split_paragraph_breaks_again(tmp_path: Path) -> None:
    """A paragraph that runs over a page is split into new paragraphs; the one split keeps
    nothing that would be given back as if it were still whole."""
    long = P(TEXT * 80, Styles.body)
    long.wrap(400, 10_000)
    parts = long.split(400, 200)
    assert len(parts) == 2
    assert isinstance(parts[0], styles._Paragraph)
    assert long._wrapped is None
    SimpleDocTemplate(str(tmp_path / "s.pdf"), pagesize=A4).build([P(TEXT * 80, Styles.body)])
