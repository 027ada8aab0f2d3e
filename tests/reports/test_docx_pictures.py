"""The Word copy carries what the PDF draws as pictures: the letterhead logo and the charts."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import replace

import pytest
from docx import Document as open_docx
from PIL import Image
from reportlab.lib.units import mm

from desktop.reports import analysis, charts, letters
from desktop.reports.chart_png import MARGIN, drawing_png
from desktop.reports.data import AnalysisData
from desktop.reports.docx_out import write_docx
from desktop.vocabulary import HAZARD_LEVEL_COLOURS as LEVEL_COLOURS
from tests.reports.conftest import flat, meta, pdftotext
from tests.reports.test_analysis import _stats

pytestmark = pytest.mark.usefixtures("poppler")


def _pictures(part) -> list[bytes]:  # type: ignore[no-untyped-def]
    """The images a part (body or header) shows, in order, as bytes."""
    blips = part.part.element.xpath(".//a:blip/@r:embed")
    return [part.part.related_parts[rid].blob for rid in blips]


def _colours(png: bytes) -> set[tuple[int, int, int]]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return {c for _, c in image.getcolors(maxcolors=1 << 20) or []}


def test_a_chart_as_a_picture_keeps_its_size_colours_and_labels():
    drawing = charts.level_pie({1: 2, 2: 5, 3: 10, 4: 7}, width=160 * mm)
    png = drawing_png(drawing, scale=2)
    image = Image.open(io.BytesIO(png))
    assert image.size == (round((drawing.width + 2 * MARGIN) * 2),
                          round((drawing.height + 2 * MARGIN) * 2))
    seen = _colours(png)
    for level in (1, 2, 3, 4):  # each slice in its level's colour
        hex_colour = LEVEL_COLOURS[level].lstrip("#")
        assert tuple(int(hex_colour[i:i + 2], 16) for i in (0, 2, 4)) in seen, level
    assert (0, 0, 0) in seen or any(max(c) < 60 for c in seen)  # the title and labels in ink
    empty = drawing_png(charts.level_pie({}, width=160 * mm), scale=1)
    assert len(_colours(empty)) > 1  # 本期无隐患 is drawn, not a blank picture


def test_analysis_docx_carries_the_charts_and_the_logo(tmp_path, agency):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (600, 300), (10, 40, 140)).save(logo)
    data = AnalysisData(meta(replace(agency, logo_path=logo), "2026年第一季度安全生产分析报告",
                             "风控分析〔2026〕1号"), _stats(), suggestions=("加强施工用电专项检查。",),
                        prepared_by="王五")
    docx = write_docx(analysis.build_safety_analysis, data, tmp_path / "a.docx")
    doc = open_docx(str(docx))
    # three charts (levels, categories, months) as inline pictures in the body
    assert len(doc.inline_shapes) == 3
    body = _pictures(doc)
    assert len(body) == 3 and all(Image.open(io.BytesIO(b)).width > 1000 for b in body)
    red = tuple(int(LEVEL_COLOURS[1].lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    assert red in _colours(body[0])
    # the logo in the header, 9 mm high, before the agency's name
    header = doc.sections[0].header
    logos = _pictures(header)
    assert len(logos) == 1 and Image.open(io.BytesIO(logos[0])).getpixel((5, 5))[:3] == \
        pytest.approx((10, 40, 140), abs=6)
    shape = header.paragraphs[0].runs[0].element.xpath(".//wp:extent")[0]
    assert round(int(shape.get("cy")) / 36000) == 9
    assert header.paragraphs[0].text.strip().startswith(agency.name)


def test_a_letter_without_logo_has_no_header_picture(tmp_path, agency, project, minor_hazard):
    from tests.reports.test_letters import _notice

    data = _notice(agency, project, minor_hazard, minor_hazard)
    doc = open_docx(str(write_docx(letters.build_rectification_notice, data, tmp_path / "n.docx")))
    assert _pictures(doc.sections[0].header) == []


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_libreoffice_opens_the_copy_with_its_pictures(tmp_path, agency):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (600, 300), (10, 40, 140)).save(logo)
    data = AnalysisData(meta(replace(agency, logo_path=logo), "安全生产分析报告", "风控分析〔2026〕2号"),
                        _stats(), suggestions=(), prepared_by="王五")
    docx = write_docx(analysis.build_safety_analysis, data, tmp_path / "a.docx")
    out = tmp_path / "out"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(docx)],
                   check=True, capture_output=True, timeout=240)
    pdf = out / "a.pdf"
    text = flat(pdftotext(pdf))
    assert "安全生产分析报告" in text and agency.name in text
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert len(images) >= 4  # three charts on the pages, the logo in the header
