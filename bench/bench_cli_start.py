"""`riskdesk --version` and `--help` beside `python -c pass`, each in a fresh process.

    .venv/bin/python -m bench.bench_cli_start [--repeat 15] [--root DIR]

Each case runs what the `riskdesk` console script runs (`from desktop.cli import main`) from
the checkout this script lives in (or --root: another checkout, e.g. an older commit's
`git archive`, to compare); the runs are interleaved (pass, --version, --help, pass, …)
so that other load on the machine falls on all three alike. The median wall time of each is
reported with its ratio to `python -c pass` (target ≤ 3×, issue #17), and which of the heavy
libraries (SQLAlchemy, ReportLab, openpyxl, PySide6) each command imported
(`python -X importtime`).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import machine, write_result

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sqlalchemy", "reportlab", "openpyxl", "PySide6")
CASES = {
    "python -c pass": "pass",
    "riskdesk --version": "import sys; from desktop.cli import main; sys.exit(main(['--version']))",
    "riskdesk --help": "import sys; from desktop.cli import main; sys.exit(main(['--help']))",
}


def run_once(code: str, *args: str, root: Path = ROOT) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args, "-c", code], cwd=root, capture_output=True,
                          text=True, check=True)
    return time.perf_counter() - start, done.stderr


def heavy_imports(code: str, root: Path) -> list[str]:
    _, report = run_once(code, "-X", "importtime", root=root)
    names = {line.rsplit("|", 1)[-1].strip() for line in report.splitlines() if "|" in line}
    return sorted(lib for lib in HEAVY if any(n == lib or n.startswith(lib + ".") for n in names))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to time")
    args = parser.parse_args(argv)
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for code in CASES.values():  # warm the file cache and the .pyc files
        run_once(code, root=args.root)
    for _ in range(args.repeat):
        for name, code in CASES.items():
            times[name].append(run_once(code, root=args.root)[0])
    bare = statistics.median(times["python -c pass"])
    lines = ["# Command-line start: riskdesk --version / --help vs python -c pass", "",
             machine(), "", f"checkout: {args.root}", "",
             f"median of {args.repeat} interleaved runs, each a fresh process:", "",
             "| case | median s | min s | × python -c pass | heavy libraries imported |",
             "|---|---|---|---|---|"]
    for name, code in CASES.items():
        median = statistics.median(times[name])
        heavy = ", ".join(heavy_imports(code, args.root)) or "none"
        lines.append(f"| {name} | {median:.3f} | {min(times[name]):.3f} | {median / bare:.1f} "
                     f"| {heavy} |")
    path = write_result("cli-start" if args.root == ROOT else "cli-start-other", lines)
    print("\n".join(lines))
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
