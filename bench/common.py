"""Shared helpers for benchmarks: timing, machine description, result files."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def best_of(fn: Callable[[], object], *, repeat: int = 5) -> float:
    """Median wall time in seconds of `repeat` runs (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    sqlite = subprocess.run(["python3", "-c", "import sqlite3; print(sqlite3.sqlite_version)"],
                            capture_output=True, text=True).stdout.strip()
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} cores, {cpu}, "
            f"Python {platform.python_version()}, SQLite {sqlite}")


def write_result(name: str, lines: list[str]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
