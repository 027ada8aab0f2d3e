"""The editable Word copy of a document: 工作稿 when a draft, the number and the PDF's precedence
when signed, the same words as the PDF; LibreOffice opens the .docx and the register's .xlsx."""

from __future__ import annotations

import csv
import shutil
import subprocess

import pytest
from docx import Document as open_docx
from docx.shared import Mm
from sqlalchemy import select

from desktop.models import AuditEntry
from desktop.services import documents
from desktop.services.context import ValidationError
from desktop.services.exchange import attachments
from tests.docx_text import docx_lines, east_asian_fonts, missing_words
from tests.services.test_documents import dirs, draft, sign, site  # noqa: F401 - fixtures

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
needs_office = pytest.mark.skipif(
    not shutil.which("soffice"),
    reason="LibreOffice (soffice) not installed: apt-get install libreoffice-writer-nogui "
           "libreoffice-calc-nogui (.ci/run installs it)")

# comma, quote, UTF-8, from line 1, …, every sheet to its own file (LibreOffice 7.2+)
SHEETS_AS_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def copy(db, actor, row, dirs, target):  # noqa: F811 - the fixture's value
    with db.session() as s:
        return documents.docx_copy(s, actor, row.id, store_dir=dirs["store_dir"], target=target)


def office(path, fmt, tmp_path):
    """Convert with LibreOffice headless in its own profile; the converted file's text."""
    out = tmp_path / "office"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", fmt, "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=180)
    converted = sorted(out.glob(f"{path.stem}*.{fmt.split(':')[0]}"))
    assert converted, f"LibreOffice did not convert {path.name}"
    return "\n".join(f.read_text(encoding="utf-8-sig") for f in converted)


@needs_poppler
def test_a_drafts_copy_is_a_working_copy_and_a_signed_ones_carries_its_number(db, users, site, dirs,  # noqa: F811
                                                                                 tmp_path):
    _, h = site
    row = draft(db, users["inspector"], dirs, scope_id=h.id)
    path = copy(db, users["inspector"], row, dirs, tmp_path / "draft.docx")
    lines = docx_lines(path)
    text = "\n".join(lines)
    assert "工作稿" in lines[0] and "工作稿（未签发，仅供修改）" in text  # header and under the title
    assert "局部停工建议书" in text and documents.NUMBER_PENDING in text and h.number in text
    assert "以 PDF 为准" not in text
    page = open_docx(str(path)).sections[0]
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)
    assert round(page.left_margin.mm) == 20 and page.top_margin > Mm(20)
    assert {"仿宋", "宋体", "黑体"} <= east_asian_fonts(path)

    signed = sign(db, users["tech_lead"], row, dirs)
    path = copy(db, users["clerk"], signed, dirs, tmp_path / "signed.docx")
    text = "\n".join(docx_lines(path))
    assert signed.number in text and "（签发版的可编辑副本，以 PDF 为准）" in text
    assert "技术负责人甲" in text and "工作稿" not in text
    # the same words as the signed PDF: title, number, table cells, names, dates
    assert missing_words(documents.file_path(dirs["store_dir"], signed), text) == []
    with db.read() as s:
        actions = s.execute(select(AuditEntry.action, AuditEntry.note).where(
            AuditEntry.entity == "documents", AuditEntry.entity_id == row.id)).all()
    assert ("export", "导出 Word 副本（草稿）") in actions and ("export", "导出 Word 副本（已签发）") in actions


def test_a_copy_is_written_only_as_docx(db, users, site, dirs, tmp_path):  # noqa: F811
    _, h = site
    row = draft(db, users["inspector"], dirs, scope_id=h.id)
    with pytest.raises(ValidationError, match=r"\.docx"):
        copy(db, users["inspector"], row, dirs, tmp_path / "copy.pdf")
    assert not (tmp_path / "copy.pdf").exists()


@needs_poppler
@needs_office
def test_libreoffice_reads_the_copy_with_the_pdfs_words_and_opens_the_registers_workbook(
        db, users, site, dirs, tmp_path):  # noqa: F811
    ids, h = site
    # a letter with form grids and signature boxes
    letter = sign(db, users["tech_lead"], draft(db, users["inspector"], dirs, scope_id=h.id), dirs)
    path = copy(db, users["inspector"], letter, dirs, tmp_path / "letter.docx")
    text = office(path, "txt:Text", tmp_path)
    assert missing_words(documents.file_path(dirs["store_dir"], letter), text) == []
    for phrase in ("局部停工建议书", letter.number, h.number, "3#楼外脚手架", "技术负责人甲",
                   "以 PDF 为准"):
        assert phrase in text
    # the register: a wide table of every hazard, the same words as its PDF
    register = sign(db, users["tech_lead"], draft(db, users["inspector"], dirs, kind="hazard_list",
                                                  scope_type="project", scope_id=ids.project,
                                                  period="2026Q3"), dirs)
    path = copy(db, users["inspector"], register, dirs, tmp_path / "register.docx")
    text = office(path, "txt:Text", tmp_path)
    assert missing_words(documents.file_path(dirs["store_dir"], register), text) == []
    # the register's signed workbook opens in LibreOffice Calc with the hazard in it
    with db.read() as s:
        book = next(f for f in documents.files(s, register.id) if f.original_name.endswith(".xlsx"))
    sheet = tmp_path / "register.xlsx"
    shutil.copyfile(attachments.open_path(dirs["store_dir"], book.sha256), sheet)
    cells = [c for row in csv.reader(office(sheet, SHEETS_AS_CSV, tmp_path).splitlines()) for c in row]
    assert h.number in cells and "3#楼外脚手架连墙件缺失约6处" in cells
