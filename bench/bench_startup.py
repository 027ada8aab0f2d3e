"""Cold start to the main window vs a bare PySide6 window, each in a fresh process.

    .venv/bin/python -m bench.bench_startup [--db /tmp/scale/riskdesk.sqlite3]

"Ours" imports the application, opens and checks the database, builds the main window
with every page, shows it and lets the first page paint; "bare" imports PySide6 and shows
an empty QMainWindow. Both measure from interpreter start to the first processed paint.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench import bench_window_start
from bench.common import machine, write_result

# the same two scripts as bench_window_start (window 1200×760; the time is the first line printed)
BARE, OURS = bench_window_start.BARE, bench_window_start.OURS


def _time(code: str, *args: str, runs: int) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode cached, as installed (see bench_window_start)
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                             env=env, check=True).stdout
        times.append(float(out.strip().splitlines()[0]))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="database to open (default: a new empty one)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path("/tmp/riskdesk-bench-startup")
    work.mkdir(exist_ok=True)
    url = f"sqlite:///{args.db}" if args.db else f"sqlite:///{work / 'empty.sqlite3'}"
    bare = _time(BARE, runs=args.runs)
    ours = _time(OURS, url, str(work), runs=args.runs)
    lines = ["# Cold start to the main window", "", f"Machine: {machine()}",
             f"Database: {args.db or 'new, empty'}", "",
             f"| start | median of {args.runs} (s) |", "|---|---:|",
             f"| bare PySide6 QMainWindow | {bare:.2f} |", f"| RiskDesk main window, 8 pages | {ours:.2f} |",
             "", f"Ratio ours / bare: **{ours / bare:.2f}**", "",
             "Reproduce: `.venv/bin/python -m bench.bench_startup --db /tmp/scale/riskdesk.sqlite3`."]
    print("\n".join(lines))
    write_result("startup" + ("-scale" if args.db else ""), lines)


if __name__ == "__main__":
    main()
