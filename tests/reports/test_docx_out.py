"""The .docx copy walks the same story as the PDF: every word of the PDF is in the copy (bar the
charts' labels and the 草稿 stamp), tables stay tables, the page is A4 with the PDF's margins."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from docx import Document as open_docx
from docx.oxml.ns import qn
from docx.shared import Length

from desktop.reports import letters, registers, risk_report, training_docs
from desktop.reports.docx_out import DRAFT_MARK, SIGNED_NOTE, write_docx
from tests.docx_text import docx_lines, east_asian_fonts, missing_words
from tests.reports.test_letters import _all_letters
from tests.reports.test_registers import register  # noqa: F401 - fixture
from tests.reports.test_risk_report import report  # noqa: F401 - fixture
from tests.reports.test_training_docs import drill, session_data  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("poppler")

# drawn only in the PDF: chart labels (their figures are in the tables)
PDF_ONLY = re.compile(r"\d+(\.\d+)?%|\d+月|\d+|[一二三四]级|高|中|低|较大|一般|重大|未评定|"
                      r".*统计|.*分布.*")


def both(builder, data, tmp_path):  # type: ignore[no-untyped-def]
    name = builder.__name__
    return builder(data, tmp_path / f"{name}.pdf"), write_docx(builder, data, tmp_path / f"{name}.docx")


def agree(pdf, docx, *, charts: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Every word of the PDF is in the copy; with `charts`, bar the charts' labels."""
    missing = [w for w in missing_words(pdf, "\n".join(docx_lines(docx)))
               if not (charts and PDF_ONLY.fullmatch(w))]
    assert missing == [], (docx.name, missing)


def test_every_letter_as_docx_has_the_pdfs_words_tables_and_signature_boxes(
        tmp_path, agency, project, hazard, minor_hazard):
    for builder, data in _all_letters(agency, project, hazard, minor_hazard):
        pdf, docx = both(builder, data, tmp_path)
        agree(pdf, docx)
        lines = docx_lines(docx)
        assert data.meta.title in lines and f"编号：{data.meta.number}" in lines
        assert SIGNED_NOTE in lines and DRAFT_MARK not in "".join(lines)
        assert open_docx(str(docx)).tables, builder.__name__  # grids stay tables
        assert {"仿宋", "宋体", "黑体"} <= east_asian_fonts(docx)
    notice = _all_letters(agency, project, hazard, minor_hazard)[0][1]
    _, docx = both(letters.build_rectification_notice,
                   replace(notice, meta=replace(notice.meta, draft=True)), tmp_path)
    lines = docx_lines(docx)
    assert DRAFT_MARK in lines[0] and SIGNED_NOTE not in lines  # header: 工作稿
    # the photos of the hazard go into the copy as pictures
    assert open_docx(str(docx)).inline_shapes


def test_records_and_reports_as_docx(tmp_path, session_data, drill, report):  # noqa: F811
    for builder, data in ((training_docs.build_training_record, session_data),
                          (training_docs.build_drill_record, drill),
                          (risk_report.build_risk_report, report)):
        pdf, docx = both(builder, data, tmp_path)
        agree(pdf, docx, charts=builder is risk_report.build_risk_report)
        assert data.meta.title in docx_lines(docx)


def test_the_register_as_a_landscape_docx_with_every_row(tmp_path, register):  # noqa: F811
    pdf, docx = both(registers.build_hazard_register_pdf, register, tmp_path)
    agree(pdf, docx)
    doc = open_docx(str(docx))
    section = doc.sections[0]
    assert round(section.page_width.mm) == 297 and round(section.left_margin.mm) == 12
    table = max(doc.tables, key=lambda t: len(t.rows))
    assert len(table.rows) == len(register.rows) + 1  # the header and every hazard
    assert [c.text for c in table.rows[0].cells][:2] == ["序号", "隐患编号"]


def test_the_register_table_fits_the_text_width_and_stands_apart(tmp_path, register):  # noqa: F811
    """LibreOffice drew the register 205 mm wide on a 273 mm text width (26 pages for the
    PDF's 14): it ran straight into the signature table, and adjacent tables are one table."""
    docx = write_docx(registers.build_hazard_register_pdf, register, tmp_path / "r.docx")
    doc = open_docx(str(docx))
    section = doc.sections[0]
    text_twips = Length(section.page_width - section.left_margin - section.right_margin).twips
    body = list(doc.element.body)
    tables = [el for el in body if el.tag == qn("w:tbl")]
    register_tbl = max(tables, key=lambda t: len(t.findall(qn("w:tr"))))
    width = register_tbl.find(f"{qn('w:tblPr')}/{qn('w:tblW')}")
    grid = [int(c.get(qn("w:w"))) for c in register_tbl.iter(qn("w:gridCol"))]
    assert width.get(qn("w:type")) == "dxa" and int(width.get(qn("w:w"))) == sum(grid)
    assert text_twips - 20 <= sum(grid) <= text_twips  # the whole text width, never more
    layout = register_tbl.find(f"{qn('w:tblPr')}/{qn('w:tblLayout')}")
    assert layout is not None and layout.get(qn("w:type")) == "fixed"
    for tbl in tables:  # every table of the copy, the signature boxes too
        cols = [int(c.get(qn("w:w"))) for c in tbl.iter(qn("w:gridCol"))]
        assert sum(cols) <= text_twips
    following = [body[body.index(t) + 1].tag for t in tables]
    assert qn("w:tbl") not in following  # a paragraph between any two tables
    cell = doc.tables[tables.index(register_tbl)].rows[1].cells[0].paragraphs[0]
    assert cell.style.font.size.pt == 7.5 and cell.style.paragraph_format.space_after == 0


def test_every_table_of_the_documents_is_a_grid_the_copy_can_read():
    """A plain ReportLab Table keeps its cells private: the .docx copy would lose it silently.
    Allowed: the thin rule (no content) and the register's page tables (text_rows gives them)."""
    from pathlib import Path

    import desktop.reports

    allowed = {("blocks.py", "line = Table([[\"\"]]"), ("registers.py", "table = Table([self.head")}
    found = []
    for path in Path(desktop.reports.__file__).parent.glob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"\bTable\(", line) and not line.lstrip().startswith(("#", "def ")):
                if not any(path.name == name and text in line for name, text in allowed):
                    found.append(f"{path.name}: {line.strip()}")
    assert found == []


def test_a_story_without_a_title_block_still_carries_the_mark(tmp_path, agency):
    from desktop.reports.blocks import field_table, paragraphs
    from desktop.reports.docx_out import story_to_docx
    from tests.reports.conftest import meta

    story = [*paragraphs("第一段\n第二段"),
             field_table([[("项目名称", "某工程")], [("施工单位", "甲"), ("监理单位", "乙")]], width=400)]
    for draft, mark in ((True, DRAFT_MARK), (False, SIGNED_NOTE)):
        path = story_to_docx(meta(agency, "某记录", "风控〔2026〕1号", draft=draft), story,
                             tmp_path / f"{draft}.docx")
        doc = open_docx(str(path))
        assert mark in doc.paragraphs[0].text and doc.paragraphs[1].text == "第一段"
        # the one-pair row spans the value over three columns: one merged cell
        first_row = doc.tables[0].rows[0].cells
        assert first_row[1] == first_row[3] != first_row[0] and first_row[1].text == "某工程"


def test_the_header_keeps_name_letterhead_and_title_on_lines_of_their_own(
        tmp_path, agency, project, hazard, minor_hazard):
    """Run together in one paragraph they wrapped mid-word (电话：0575-↵88886666, 【工作↵稿】)."""
    notice = _all_letters(agency, project, hazard, minor_hazard)[0][1]
    data = replace(notice, meta=replace(notice.meta, draft=True))
    _, docx = both(letters.build_rectification_notice, data, tmp_path)
    header = [p.text for p in open_docx(str(docx)).sections[0].header.paragraphs]
    assert header == [f"{agency.name}　　【{DRAFT_MARK}】",
                      f"地址：{agency.address}　电话：{agency.phone}",
                      f"{data.meta.title}　{data.meta.number}"]
