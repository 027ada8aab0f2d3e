"""A period report and the self-check from the command line vs a bare sqlite3 + ReportLab script.

    .venv/bin/python -m bench.bench_cli_reports [--data-dir DIR] [--period 2026Q4] [--repeat 5]

Without --data-dir, `riskdesk demo` writes the demo data into a temporary folder first (not
timed). Each run is a fresh interpreter timed from start to exit, and the runs take turns
(bare, hazard list, self-check, sign-in, …) so other load on the machine falls on all alike:

- bare: `sqlite3` reads the period's hazards (found in it, or earlier and open at its start,
  as the list counts them) with their project and responsible unit (the list's columns), registers the same CJK font with ReportLab and writes them as one
  landscape Table with a title — what an agency's own script would do;
- `riskdesk report hazard-list --period P` and `riskdesk selfcheck --period P` as a person
  runs them (signed in as the demo admin, password from a file);
- sign-in alone: the argon2 check of the admin's stored hash (timed inside its process) —
  the part of every data command that exists to be slow (the password hash's cost),
  reported so the ratios can be read with and without it;
- the same documents made bare (bench/same_document.py): every SELECT the command sent,
  recorded from a run of it, executed again with `sqlite3`, and the same cell texts laid out
  with plain ReportLab in the same columns and pages — the bare script "doing the same";
- the floor: importing SQLAlchemy, the ORM classes and ReportLab and reading both font faces,
  nothing else — what any document command pays before its first query.

Medians and their ratios to bare are reported (target ≤ 2×, issue #17 §8).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import machine, write_result
from bench.same_document import BARE_SAME
from bench.same_document import capture as capture_same
from bench.same_document import pages as same_pages

ROOT = Path(__file__).resolve().parents[1]
DEMO_PASSWORD = "Demo-2024-desk"
# each command's own bare baseline: a bare script making the same document (same_document.py)
SAME = {"riskdesk report hazard-list": "bare, the same hazard list (same reads, same pages)",
        "riskdesk selfcheck": "bare, the same self-check (same reads, same pages)"}

BARE = r"""
import sqlite3, sys
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle
db, start, end, font, out = sys.argv[1:6]
con = sqlite3.connect(db)
rows = con.execute(
    "SELECT h.number, p.name, h.found_date, h.location, h.description, h.category, h.level,"
    " h.measures, h.deadline, coalesce(o.name, ''), h.status, h.closed_at"
    " FROM hazards h JOIN projects p ON p.id = h.project_id"
    " LEFT JOIN organisations o ON o.id = h.responsible_unit_id"
    " WHERE h.deleted_at IS NULL AND h.status != 'cancelled' AND h.found_date <= ?"
    " AND (h.found_date >= ? OR h.status != 'closed' OR h.closed_at >= ?)"
    " ORDER BY h.found_date, h.id", (end, start, start)).fetchall()
pdfmetrics.registerFont(TTFont("CJK", font))
head = ["编号", "项目", "发现日期", "部位", "隐患描述", "类别", "等级", "措施", "期限", "责任单位",
        "状态", "销项"]
data = [head] + [[str(v or "")[:40] for v in r] for r in rows]
table = Table(data, repeatRows=1)
table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "CJK", 6),
                           ("GRID", (0, 0), (-1, -1), 0.25, (0, 0, 0))]))
title = Paragraph("隐患排查及问题整改清单", ParagraphStyle("t", fontName="CJK", fontSize=14))
SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=8 * mm, rightMargin=8 * mm).build(
    [title, table])
print(len(rows))
"""

SIGN_IN = r"""
import sqlite3, sys
from argon2 import PasswordHasher
stored = sqlite3.connect(sys.argv[1]).execute(
    "SELECT password_hash FROM users WHERE username = 'admin'").fetchone()[0]
import time; t0 = time.perf_counter()
PasswordHasher().verify(stored, sys.argv[2])
print(time.perf_counter() - t0)
"""

# What any RiskDesk document command pays before its own work: the interpreter, SQLAlchemy and
# the ORM classes (the brief fixes SQLAlchemy; every read goes through the models), ReportLab,
# and the two faces every document draws (the sans face and the Song body face).
FLOOR = ("import sqlalchemy, desktop.models; from reportlab import platypus; "
         "from desktop.reports import fonts; fonts.ensure_fonts()")

CLI = "import sys; from desktop.cli import main; sys.exit(main(sys.argv[1:]))"


def _timed(args: list[str], root: Path = ROOT) -> tuple[float, str]:
    env = dict(os.environ, RISKDESK_PASSWORD=DEMO_PASSWORD)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode cached, as installed (see bench_window_start)
    env.pop("PYTHONPATH", None)  # `desktop` from `root` (the current folder comes first for -c)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          cwd=root, check=True)
    return time.perf_counter() - start, done.stdout


def _period_bounds(period: str) -> tuple[str, str]:
    year, quarter = int(period[:4]), int(period[-1])
    first = 3 * quarter - 2
    end_month = first + 2
    ends = {3: "03-31", 6: "06-30", 9: "09-30", 12: "12-31"}
    return f"{year}-{first:02d}-01", f"{year}-{ends[end_month]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="a demo data folder (default: made)")
    parser.add_argument("--period", default="2026Q4", help="a quarter, e.g. 2026Q4")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--before", type=Path, default=None,
                        help="another checkout (e.g. an older commit's `git archive`) timed in turn too")
    args = parser.parse_args(argv)
    from desktop.paths import font_path

    with tempfile.TemporaryDirectory(prefix="riskdesk-cli-reports-") as tmp:
        folder = args.data_dir
        if folder is None:
            folder = Path(tmp) / "demo"
            _timed(["-c", CLI, "demo", "--data-dir", str(folder)])
        db = folder / "riskdesk.sqlite3"
        start, end = _period_bounds(args.period)
        out = Path(tmp)
        cases = {
            "bare sqlite3 + ReportLab": ["-c", BARE, str(db), start, end, str(font_path()),
                                         str(out / "bare.pdf")],
            "riskdesk report hazard-list": ["-c", CLI, "report", "hazard-list", "--period",
                                            args.period, "--out", str(out / "list.pdf"),
                                            "--data-dir", str(folder), "--user", "admin"],
            "riskdesk selfcheck": ["-c", CLI, "selfcheck", "--period", args.period, "--out",
                                   str(out / "selfcheck.pdf"), "--data-dir", str(folder),
                                   "--user", "admin"],
            "sign-in alone (argon2 verify)": ["-c", SIGN_IN, str(db), DEMO_PASSWORD],
            "floor: SQLAlchemy + the models + ReportLab + both faces": ["-c", FLOOR],
        }
        # the same documents made by a bare script (same reads, same pages: same_document.py)
        os.environ["RISKDESK_PASSWORD"] = DEMO_PASSWORD  # the recording run signs in as the demo admin
        specs = capture_same(folder, args.period, "admin", out)
        cases[SAME["riskdesk report hazard-list"]] = ["-c", BARE_SAME, str(specs["hazard-list"]),
                                                      str(out / "same-list.pdf")]
        cases[SAME["riskdesk selfcheck"]] = ["-c", BARE_SAME, str(specs["selfcheck"]),
                                             str(out / "same-selfcheck.pdf")]
        roots = {name: ROOT for name in cases}
        if args.before is not None:
            for name in ("riskdesk report hazard-list", "riskdesk selfcheck"):
                cases[f"{name}, {args.before}"] = cases[name]
                roots[f"{name}, {args.before}"] = args.before
        rows = _timed(cases["bare sqlite3 + ReportLab"])[1].strip()
        for name, case in cases.items():  # warm the file cache and the .pyc files
            _timed(case, roots[name])
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.repeat):
            for name, case in cases.items():
                took, printed = _timed(case, roots[name])
                times[name].append(float(printed) if name.startswith("sign-in") else took)
        pages = {name: f"{same_pages(out / ours)}/{same_pages(out / bare_same)}"
                 for name, ours, bare_same in (("hazard list", "list.pdf", "same-list.pdf"),
                                               ("self-check", "selfcheck.pdf", "same-selfcheck.pdf"))}
        con = sqlite3.connect(db)  # counted before the made demo's folder goes
        try:
            hazards = con.execute("SELECT count(*) FROM hazards").fetchone()[0]
        finally:
            con.close()
    load = os.getloadavg()
    med = {name: statistics.median(t) for name, t in times.items()}
    bare, sign_in = med["bare sqlite3 + ReportLab"], med["sign-in alone (argon2 verify)"]
    lines = ["# A period report and the self-check vs bare sqlite3 + ReportLab", "",
             f"Machine: {machine()}; load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}",
             "", f"Demo data ({hazards} hazards), period {args.period}: {rows} hazards in the bare "
             f"table. Fresh processes, interleaved, {args.repeat} runs each after a warm-up.", "",
             "| run | median (s) | min (s) | max (s) | × bare | × bare, sign-in taken out "
             "| × the same document made bare | the same, sign-in taken out |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, t in times.items():
        ratio = med[name] / bare
        without = (med[name] - sign_in) / bare if name.startswith("riskdesk") else ratio
        same = (f"{med[name] / med[SAME[name]]:.2f} | {(med[name] - sign_in) / med[SAME[name]]:.2f}"
                if name in SAME else "— | —")
        lines.append(f"| {name} | {med[name]:.2f} | {min(t):.2f} | {max(t):.2f} | "
                     f"{ratio:.2f} | {without:.2f} | {same} |")
    floor = med["floor: SQLAlchemy + the models + ReportLab + both faces"]
    lines += ["", "Target ≤ 2× bare (issue #17 §8). The last column subtracts the median "
              "argon2 check (the sign-in row: the verify alone, timed inside its process).", "",
              "Two bare baselines. *bare sqlite3 + ReportLab* is the minimal script: one query, "
              "one face, cells cut at 40 characters and not wrapped, one page count. *The same "
              "document made bare* (bench/same_document.py) runs every SELECT the command sent "
              "(recorded from a run of it) through `sqlite3`, registers both faces and lays the "
              "same cell texts out in the same columns and page size, a `Paragraph` per cell, "
              "header repeated, 第 X 页 共 Y 页: what issue 17 §8 calls a bare script "
              "\"doing the same\". Pages, ours/bare: "
              + ", ".join(f"{n} {p}" for n, p in pages.items()) + ".", "",
              f"The floor row imports what every document command must (SQLAlchemy, the ORM classes, "
              f"ReportLab) and reads both font faces, and does nothing else: {floor / bare:.2f}× bare "
              f"before a query is made or a page drawn. Above the floor: "
              + ", ".join(f"{name.removeprefix('riskdesk ')} {med[name] - floor:.2f} s"
                          for name in med if name.startswith("riskdesk")) + ".", "",
              "Reproduce: `.venv/bin/python -m bench.bench_cli_reports`."]
    print("\n".join(lines))
    write_result("cli-reports", lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
