"""The register page in a real (offscreen) window over the agency-scale database: time to the
first rows, time to the bottom row, and the process's peak memory with every id loaded.

    .venv/bin/python -m bench.bench_register_window --db /tmp/scale/riskdesk.sqlite3
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.common import machine, write_result  # noqa: E402


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
        for label, flt in (("全部隐患", RegisterFilter()), ("逾期未整改", RegisterFilter(overdue=True)),
                           ("搜索“临边防护”", RegisterFilter(text="临边防护")),
                           ("搜索“盖板”", RegisterFilter(text="盖板"))):
            table = HazardTable(state)
            table.resize(1200, 800)
            table.show()
            start = time.perf_counter()
            table.set_filter(flt)
            while table.is_loading or table.model_.rowCount() == 0:
                app.processEvents()
                if time.perf_counter() - start > 60:
                    break
            first = time.perf_counter() - start
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
            rows.append((label, table.model_.rowCount(), first, bottom))
            table.close()
            table.deleteLater()
            app.processEvents()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = ["# Register page in the window (offscreen), 1,000,000 hazards", "", f"Machine: {machine()}",
             f"Database: {args.db}", "", "| view | rows | first rows on screen (s) | bottom row on screen (s) |",
             "|---|---:|---:|---:|"]
    lines += [f"| {label} | {n:,} | {first:.2f} | {bottom:.2f} |" for label, n, first, bottom in rows]
    lines += ["", f"Peak memory of the whole process (Qt, Python, SQLite, every id of every view loaded): "
              f"**{peak:.0f} MB** (Qt alone at start: {base_rss:.0f} MB). Target: under 400 MB.", "",
              "Reproduce: `.venv/bin/python -m bench.bench_register_window --db /tmp/scale/riskdesk.sqlite3`."]
    print("\n".join(lines))
    write_result("register-window", lines)
    db.dispose()


if __name__ == "__main__":
    main()
