"""The main window on a fresh empty database vs a bare PySide6 QMainWindow, fresh processes.

    .venv/bin/python -m bench.bench_window_start [--repeat 7]

A new SQLite database is created and migrated once, before the timing. Then each run is a
fresh interpreter (offscreen platform) timed from its start to the window shown and its
first paint processed: "bare" imports PySide6 and shows an empty QMainWindow; "ours" shows
the main window's frame the way `desktop.ui.window_start.show_window` does (Qt-only modules:
navigation, menus, status bar, 正在读取…) while a worker opens and checks the database —
SQLAlchemy and the ORM are imported there — and loads the dashboard's module; "filled" is the
same process until the dashboard is built, has read and is painted. "database first" is
the earlier order, still what a MainWindow on an open database does: import the data layer,
open the database, build the window and its page, show. Bytecode is cached as in an
installed app (PYTHONDONTWRITEBYTECODE is dropped for the runs: with it, every run compiled
all of `desktop/` from source: 0.4–0.8 s more per start at load average 8, which the bare
window never pays). The runs take turns
(bare, floor, ours, bare, …) so other load on the machine falls on all alike ("floor": the
bare window after importing SQLAlchemy and our ORM classes, the least a window that opens
the database through the ORM first can cost); the medians and
their ratio are reported (target ≤ 6×, issue #17).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import machine, write_result

ROOT = Path(__file__).resolve().parents[1]

BARE = r"""
import time; t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1200, 760); w.show(); app.processEvents()
print(time.perf_counter() - t0)
"""

OURS = r"""
import time; t0 = time.perf_counter()
import sys
from pathlib import Path
from PySide6.QtCore import QEventLoop
from desktop.config import Config
from desktop.services.context import Actor
from desktop.ui import i18n
from desktop.ui.app_state import AppState
from desktop.ui.application import create_application
from desktop.ui.window_start import show_window
app = create_application()
config = Config(data_dir=Path(sys.argv[2]))
i18n.install_translators("zh_CN", cache_dir=config.data_dir / "cache")
def open_db():
    from desktop.db import Database
    db = Database(sys.argv[1]); db.migrate()
    return db
state = AppState(db=None, config=config, actor=Actor(1, "bench", "admin", "基准"))
w = show_window(state, open_db)
assert w.isVisible() and "sqlalchemy" not in sys.modules, "the frame came after the data layer"
app.processEvents()  # the frame painted (the worker has started meanwhile)
shown = time.perf_counter() - t0
while w.is_filling:
    app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
app.processEvents()
print(shown)
print(time.perf_counter() - t0)
print(len(w.built_pages()))
"""

# the order before: the data layer imported and the database opened, then the window built
# with its page and shown (also what the --before checkout runs)
DB_FIRST = r"""
import time; t0 = time.perf_counter()
import sys
from pathlib import Path
from desktop.app import create_application
from desktop.config import Config
from desktop.db import Database
from desktop.services.context import Actor
from desktop.ui import i18n
from desktop.ui.app_state import AppState
from desktop.ui.main_window import MainWindow
app = create_application()
config = Config(data_dir=Path(sys.argv[2]))
i18n.install_translators("zh_CN", cache_dir=config.data_dir / "cache")
db = Database(sys.argv[1]); db.migrate()
state = AppState(db=db, config=config, actor=Actor(1, "bench", "admin", "基准"))
w = MainWindow(state); w.resize(1200, 760); w.show(); app.processEvents()
print(time.perf_counter() - t0)
print(len(w.built_pages()) if hasattr(w, "built_pages") else len(w.pages))
"""

# the floor of any window that opens the database through the ORM before it shows: the bare
# window plus importing SQLAlchemy and the mapped classes (no query, no page)
FLOOR = BARE.replace("from PySide6.QtWidgets", "import desktop.db, desktop.models\nfrom PySide6.QtWidgets")

SETUP = r"""
import sys
from desktop.db import Database
Database(sys.argv[1]).migrate()
"""


def _run(code: str, *args: str, root: Path = ROOT) -> list[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    # timed as installed (pip and the frozen build ship compiled bytecode), not recompiling
    # every module from source in each process as PYTHONDONTWRITEBYTECODE would make it
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHONPATH", None)  # `desktop` from `root` (the current folder comes first for -c)
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         env=env, cwd=root, check=True).stdout
    return out.strip().splitlines()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--before", type=Path, default=None,
                        help="another checkout (e.g. an older commit's `git archive`) timed in turn too")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="riskdesk-window-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'riskdesk.sqlite3'}"
        _run(SETUP, url)
        url_before = f"sqlite:///{Path(tmp) / 'before.sqlite3'}"  # its own schema's head
        if args.before is not None:
            _run(SETUP, url_before, root=args.before)
        _run(BARE), _run(OURS, url, tmp)  # warm the file cache and the .pyc files
        bare: list[float] = []
        floor: list[float] = []
        ours: list[float] = []
        filled: list[float] = []
        first: list[float] = []
        before: list[float] = []
        built = "?"
        for _ in range(args.repeat):
            bare.append(float(_run(BARE)[-1]))
            floor.append(float(_run(FLOOR)[-1]))
            out = _run(OURS, url, tmp)
            ours.append(float(out[-3]))
            filled.append(float(out[-2]))
            built = out[-1]
            first.append(float(_run(DB_FIRST, url, tmp)[-2]))
            if args.before is not None:
                before.append(float(_run(DB_FIRST, url_before, tmp, root=args.before)[-2]))
    b, o = statistics.median(bare), statistics.median(ours)
    ratios = sorted(x / y for x, y in zip(ours, bare, strict=True))
    load = os.getloadavg()
    lines = ["# Main window start on an empty database", "",
             f"Machine: {machine()}; load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}", "",
             f"Fresh processes, offscreen, interleaved, {args.repeat} runs each after a warm-up.",
             f"Pages built once filled: {built}.", "",
             "| start | median (s) | min (s) | max (s) |", "|---|---:|---:|---:|",
             f"| bare PySide6 QMainWindow | {b:.3f} | {min(bare):.3f} | {max(bare):.3f} |",
             (f"| bare window + SQLAlchemy and our ORM classes imported | "
              f"{statistics.median(floor):.3f} | {min(floor):.3f} | {max(floor):.3f} |"),
             f"| RiskDesk main window: frame shown | {o:.3f} | {min(ours):.3f} | {max(ours):.3f} |",
             (f"| RiskDesk main window: dashboard filled (same processes) | "
              f"{statistics.median(filled):.3f} | {min(filled):.3f} | {max(filled):.3f} |"),
             (f"| RiskDesk main window, database first | "
              f"{statistics.median(first):.3f} | {min(first):.3f} | {max(first):.3f} |"),
             *([(f"| RiskDesk main window, {args.before} | {statistics.median(before):.3f} | "
                 f"{min(before):.3f} | {max(before):.3f} |")] if before else []), "",
             *([f"Ratio before / bare: {statistics.median(before) / b:.2f}.", ""] if before else []),
             f"Ratio floor / bare: {statistics.median(floor) / b:.2f}; filled / bare: "
             f"{statistics.median(filled) / b:.2f}; database first / bare: "
             f"{statistics.median(first) / b:.2f}.", "",
             (f"Ratio of medians frame shown / bare: **{o / b:.2f}** (target ≤ 6); per-pair ratios "
              f"{', '.join(f'{r:.1f}' for r in ratios)}."), "",
             "Reproduce: `.venv/bin/python -m bench.bench_window_start`."]
    print("\n".join(lines))
    write_result("window-start", lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
