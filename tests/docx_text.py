"""Reading a .docx back for tests: its text (body, tables, headers) and its PDF's words."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn


def _cell_texts(table) -> list[str]:  # type: ignore[no-untyped-def]
    out: list[str] = []
    for row in table.rows:
        for cell in row.cells:
            out += [p.text for p in cell.paragraphs]
            for inner in cell.tables:
                out += _cell_texts(inner)
    return out


def docx_lines(path: Path) -> list[str]:
    """Every paragraph of the body, its tables (nested too) and the header, in order."""
    doc = Document(str(path))
    lines: list[str] = []
    for p in doc.sections[0].header.paragraphs:
        lines.append(p.text)
    for p in doc.paragraphs:
        lines.append(p.text)
    for table in doc.tables:
        lines += _cell_texts(table)
    return [line for line in lines if line.strip()]


def east_asian_fonts(path: Path) -> set[str]:
    """The w:eastAsia font names the document's runs and styles name."""
    doc = Document(str(path))
    return {el.get(qn("w:eastAsia")) for el in doc.element.iter(qn("w:rFonts"))
            if el.get(qn("w:eastAsia"))} | {
        el.get(qn("w:eastAsia")) for el in doc.styles.element.iter(qn("w:rFonts"))
        if el.get(qn("w:eastAsia"))}


def pdf_words(path: Path) -> list[str]:
    """The PDF's text split at white space, without the 第 X 页 共 Y 页 footer and the header's
    shortened title (…)."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    text = re.sub(r"第\s*\d+\s*页\s*共\s*\d+\s*页", " ", text)
    return [w for w in text.split() if "…" not in w]


def missing_words(pdf: Path, other_text: str) -> list[str]:
    """Words of the PDF that the other rendering's text (white space ignored) lacks."""
    flat = "".join(other_text.split())
    return [w for w in pdf_words(pdf) if w not in flat]
