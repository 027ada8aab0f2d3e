"""The register page in a real (offscreen) window over the agency-scale database: time to the
first rows, time to the bottom row, and the process's peak memory with every id loaded.

    .venv/bin/python -m bench.bench_register_window --db /tmp/scale/riskdesk.sqlite3
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.common import best_of, machine, write_result  # noqa: E402


def _first_rows_bare(db, bare: sqlite3.Connection, flt) -> None:  # type: ignore[no-untyped-def]
    """The view's first page of ids and its first 200 rows, as plain SQL on sqlite3."""
    from bench.bench_register import _bare_sql

    ids_sql, rows_sql = _bare_sql(db, flt)
    ids = [r[0] for r in bare.execute(ids_sql + " LIMIT 500")][:200]
    if ids:
        bare.execute(rows_sql.format(",".join("?" * len(ids))), ids).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    from desktop.config import Config
    from desktop.db import Database
    from desktop.services.context import Actor
    from desktop.services.register import RegisterFilter
    from desktop.ui.app_state import AppState
    from desktop.ui.pages.hazards_page import HazardTable

    app = QApplication.instance() or QApplication([])
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    db = Database(f"sqlite:///{args.db}")
    with tempfile.TemporaryDirectory() as tmp:
        state = AppState(db=db, config=Config(data_dir=Path(tmp)), actor=Actor(1, "bench", "admin", "基准"))
        rows = []
        bare = sqlite3.connect(args.db)
        for label, flt in (("全部隐患", RegisterFilter()), ("逾期未整改", RegisterFilter(overdue=True)),
                           ("搜索“临边防护”", RegisterFilter(text="临边防护")),
                           ("搜索“盖板”", RegisterFilter(text="盖板"))):
            table = HazardTable(state)
            table.resize(1200, 800)
            table.show()
            app.processEvents()
            start = time.perf_counter()
            table.set_filter(flt)
            model = table.model_
            # on screen: the first page is in, its first row is read and the table painted
            while table.is_loading or model.rowCount() == 0 or model.data(model.index(0, 1)) in (None, ""):
                app.processEvents()
                if time.perf_counter() - start > 60:
                    break
            table.viewport().repaint()
            first = time.perf_counter() - start
            while not model.total_known and time.perf_counter() - start < 60:
                app.processEvents()
            counted = time.perf_counter() - start
            baseline = best_of(lambda flt=flt: _first_rows_bare(db, bare, flt), repeat=3)
            view = table  # HazardTable is the QTableView itself
            start = time.perf_counter()
            deadline = start + 120
            while time.perf_counter() < deadline:
                view.scrollToBottom()
                app.processEvents()
                model = table.model_
                last = model.rowCount() - 1
                if last >= 0 and model.data(model.index(last, 1)) not in (None, "") and not table.is_loading:
                    break
            bottom = time.perf_counter() - start
            rows.append((label, table.model_.rowCount(), first, baseline, counted, bottom))
            if table.stream is not None:
                table.stream.stop()  # as a new filter would: the old view's worker stops
            table.close()
            table.deleteLater()
            app.processEvents()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = ["# Register page in the window (offscreen), 1,000,000 hazards", "", f"Machine: {machine()}",
             f"Database: {args.db}", "",
             "*First rows*: from setting the filter to the first page's rows painted. *Bare SQL*: the",
             "same view's first 500 ids in order and its first 200 rows, run directly on sqlite3",
             "(median of 3). *Counted*: when the scroll bar has the whole list (the count follows",
             "the first page on the worker). *Bottom row*: scrolling to the end.", "",
             "| view | rows | first rows on screen (s) | bare SQL (s) | ratio | counted (s) "
             "| bottom row on screen (s) |", "|---|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {label} | {n:,} | {first:.3f} | {base:.3f} | {first / base:.1f} | {counted:.2f} "
              f"| {bottom:.2f} |" for label, n, first, base, counted, bottom in rows]
    lines += ["", f"Peak memory of the whole process (Qt, Python, SQLite, every id of every view loaded): "
              f"**{peak:.0f} MB** (Qt alone at start: {base_rss:.0f} MB). Target: under 400 MB.", "",
              "Reproduce: `.venv/bin/python -m bench.bench_register_window --db /tmp/scale/riskdesk.sqlite3`."]
    print("\n".join(lines))
    write_result("register-window", lines)
    db.dispose()


if __name__ == "__main__":
    main()
