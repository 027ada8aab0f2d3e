"""The same documents made by a bare sqlite3 + ReportLab script (issue 17 §8 asks for the
ratio to "a bare sqlite3 + ReportLab script doing the same").

The minimal bare script of `bench_cli_reports` reads one query and draws one face, its cells cut
at 40 characters and never wrapped: far less than the documents. Here a bare script does what
our command does, with the tools an agency's own script would use:

- **the same reads**: every SELECT our command sent to SQLite (signing in, the scope, the
  document's data), recorded from a run of the command in this process, executed again with
  `sqlite3` and fetched to the end;
- **the same pages**: the same title and summary lines, the same tables with the same cell
  texts, column widths, page size and margins, each cell a ReportLab `Paragraph` wrapping
  Chinese (`wordWrap="CJK"`), the header row repeated on every page, both faces (the sans face
  for headers, the Song face where our documents set body text), 第 X 页 共 Y 页 on every page
  (ReportLab's two-pass numbered-canvas recipe).

The cell texts come from our run (the bare script does not re-implement the self-check's 27
rules or the list's date and status formatting: that is small next to the reads and the
layout, and a script doing it would only be slower). Not repeated: the letterhead, the draft
stamp, the sign-off block, the level tints — a bare script doing them would be slower too.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path
from typing import Any

# The bare script: argv = spec.json out.pdf; prints the pages it wrote.
BARE_SAME = r"""
import json, sqlite3, sys
from xml.sax.saxutils import escape
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle
spec = json.load(open(sys.argv[1], encoding="utf-8"))
con = sqlite3.connect(spec["db"])
for sql, params in spec["reads"]:
    con.execute(sql, params).fetchall()
con.close()
pdfmetrics.registerFont(TTFont("Sans", spec["sans"][0], subfontIndex=spec["sans"][1]))
pdfmetrics.registerFont(TTFont("Song", spec["song"][0], subfontIndex=spec["song"][1]))
styles = {}
def style(font, size, leading):
    key = (font, size, leading)
    if key not in styles:
        styles[key] = ParagraphStyle(str(key), fontName=font, fontSize=size, leading=leading,
                                     wordWrap="CJK")
    return styles[key]
class Numbered(canvas.Canvas):
    def __init__(self, *args, **kw):
        canvas.Canvas.__init__(self, *args, **kw)
        self.pages = []
    def showPage(self):
        self.pages.append(dict(self.__dict__))
        self._startPage()
    def save(self):
        total = len(self.pages)
        for state in self.pages:
            self.__dict__.update(state)
            self.setFont("Sans", 8)
            self.drawCentredString(self._pagesize[0] / 2, 20, f"第 {self._pageNumber} 页 共 {total} 页")
            canvas.Canvas.showPage(self)
        canvas.Canvas.save(self)
        print(total)
title = style("Song", 16, 24)
body = style("Song", 11, 16.5)
story = [Paragraph(escape(spec["title"]), title)]
story += [Paragraph(escape(line), body) for line in spec["paragraphs"]]
for t in spec["tables"]:
    head = [Paragraph(escape(h), style("Sans", *t["head_style"])) for h in t["head"]]
    cell, listed = style(*t["cell_style"]), style(*t["list_style"])
    rows = [[[Paragraph(escape(x), listed) for x in v] if isinstance(v, list)
             else Paragraph(escape(v), cell) for v in row] for row in t["rows"]]
    story.append(Table([head] + rows, colWidths=t["widths"], repeatRows=1, style=TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), t["pad"]), ("RIGHTPADDING", (0, 0), (-1, -1), t["pad"])])))
    story += [Paragraph(escape(line), body) for line in t.get("after", [])]
size = landscape(A4) if spec["wide"] else A4
SimpleDocTemplate(sys.argv[2], pagesize=size, leftMargin=spec["margins"][0],
                  rightMargin=spec["margins"][0], topMargin=spec["margins"][1],
                  bottomMargin=spec["margins"][2]).build(story, canvasmaker=Numbered)
"""


def capture(folder: Path, period: str, user: str, out_dir: Path) -> dict[str, Path]:
    """Run both commands here once, recording their reads; write one spec file for each.
    Returns {"hazard-list": spec path, "selfcheck": spec path}."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from desktop.cli import main

    reads: list[tuple[str, list[Any]]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and not executemany:
            reads.append((statement, [_plain(v) for v in (parameters or ())]))

    specs: dict[str, Path] = {}
    event.listen(Engine, "before_cursor_execute", record)
    try:
        for name, command in (("hazard-list", ["report", "hazard-list"]), ("selfcheck", ["selfcheck"])):
            reads.clear()
            with contextlib.redirect_stdout(io.StringIO()):
                done = main([*command, "--period", period, "--out", str(out_dir / f"capture-{name}.pdf"),
                             "--data-dir", str(folder), "--user", user])
            if done != 0:
                raise RuntimeError(f"{name} failed while recording its reads")
            spec = _spec(name, folder, period)
            spec["reads"] = list(reads)
            path = out_dir / f"same-{name}.json"
            path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
            specs[name] = path
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    return specs


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, (int, float, str, bytes)) else str(value)


def _spec(name: str, folder: Path, period: str) -> dict[str, Any]:
    from desktop.config import Config
    from desktop.db import Database
    from desktop.paths import font_path
    from desktop.reports import fonts, layout
    from desktop.services.queries import doc_data, doc_data_periodic, doc_outputs

    config = Config.load(folder)
    db = Database(config.database_url)
    from desktop import cli_docs

    try:
        with db.read() as session:
            if name == "hazard-list":
                data = doc_outputs.prepare(
                    session, cli_docs._request("hazard_list", ("agency", None), cli_docs._period(period)),
                    store_dir=config.attachments_dir).data
            else:
                from desktop.services import compliance

                p = cli_docs._period(period)
                result = compliance.evaluate(session, period=p, scope_type="agency", scope_id=None)
                data = doc_data_periodic.selfcheck_data(result, doc_data.meta(
                    session, cli_docs._request("self_check", ("agency", None), p),
                    cli_docs.SELFCHECK_TITLE, config.attachments_dir))
    finally:
        db.dispose()
    fonts.ensure_fonts()
    serif = fonts.serif_font()
    spec: dict[str, Any] = {
        "db": str(config.sqlite_path), "sans": [str(font_path()), 0],
        "song": [str(serif.file.path), serif.file.index], "title": data.meta.title,
        "margins": [layout.MARGIN_X_WIDE if name == "hazard-list" else layout.MARGIN_X,
                    layout.MARGIN_TOP, layout.MARGIN_BOTTOM],
        "wide": name == "hazard-list",
    }
    if name == "hazard-list":
        spec.update(_hazard_list(data))
    else:
        spec.update(_selfcheck(data))
    return spec


def _hazard_list(data: Any) -> dict[str, Any]:
    from desktop.reports import registers

    width = registers.frame_width(wide=True)
    table = registers._TableLayout(width, registers.columns_for(data.rows))
    head, *rows = list(registers._RegisterRows(data.rows, table).text_rows())
    lines = [registers.summary_text(data)] + ([registers.basis_line(data)] if registers.basis_line(data) else [])
    size, leading = registers._FONT_SIZE, registers._LEADING
    return {"paragraphs": lines, "tables": [{
        "head": head, "rows": rows, "widths": table.widths, "pad": registers._PAD,
        "head_style": [size, leading], "cell_style": ["Sans", size, leading],
        "list_style": ["Sans", size, leading]}]}


def _selfcheck(data: Any) -> dict[str, Any]:
    from desktop.reports import selfcheck
    from desktop.reports.blocks import shares
    from desktop.reports.text import cn_date

    w = selfcheck._W
    rows: list[list[Any]] = []
    for row, (section, number, content) in zip(data.rows, selfcheck._layout(data.rows), strict=True):
        if section:
            rows.append([row.section, "", "", ""])
        finding = [p.getPlainText() for p in selfcheck._finding(row)]
        rows.append([row.number if number else "", row.content if content else "",
                     row.point or "", finding])
    gaps = [(r, g) for r in data.rows for g in r.gaps][:selfcheck.APPENDIX_ROWS]
    appendix = [[str(i), r.ref, g.project or "全机构", g.missing, cn_date(g.since, blank=""), g.state]
                for i, (r, g) in enumerate(gaps, start=1)]
    fields = [f"受检机构：{data.meta.agency.name}", f"自查范围：{data.scope_label}",
              f"自查期间：{data.period_label}", f"自查结果：{selfcheck.result_text(data)}"]
    return {"paragraphs": fields, "tables": [
        {"head": ["序号", "检查内容", "检查要点", "检查情况"], "rows": rows,
         "widths": shares([8, 30, 27, 42], w), "pad": 3, "head_style": [9, 12.5],
         "cell_style": ["Song", 9, 12.5], "list_style": ["Song", 8, 11]},
        {"head": ["序号", "条目", "项目", "问题", "起始日期", "状态"], "rows": appendix,
         "widths": shares([9, 12, 40, 70, 24, 15], w), "pad": 3, "head_style": [9, 12.5],
         "cell_style": ["Song", 9, 12.5], "list_style": ["Song", 9, 12.5]},
    ]}


def pages(pdf: Path) -> int:
    """Pages of a PDF file, counted from its page objects."""
    return pdf.read_bytes().count(b"/Type /Page\n")


if __name__ == "__main__":  # a quick look: capture, then one bare run
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("RISKDESK_PASSWORD", "Demo-2024-desk")
        made = capture(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "2026Q4", "admin",
                       Path(tmp))
        for name, spec in made.items():
            out = Path(tmp) / f"{name}.pdf"
            done = subprocess.run([sys.executable, "-c", BARE_SAME, str(spec), str(out)],
                                  capture_output=True, text=True, check=True)
            print(name, "bare pages", done.stdout.strip(), "ours", pages(Path(tmp) / f"capture-{name}.pdf"),
                  "reads", len(json.loads(spec.read_text())["reads"]))
