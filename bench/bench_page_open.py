"""Every page of the main window opened on the demo data: seconds from the click on the
navigation to the page shown and filled (its reads done, its workers finished, painted).

    .venv/bin/python -m bench.bench_page_open [--data DIR] [--rounds 5] [--first 2] [--profile KEY]

`--data` reuses a folder made by `riskdesk --data-dir DIR demo`; without it the demo is
generated into a temporary folder first (about 25 s).

- first: each page opened as the first page after the window came up, in a fresh process
  (`--first` processes per page; its module imported, its widgets built, its data read). For
  工作台, which the window opens on, the window's own start to the dashboard filled.
- again: in one process, every page marked stale (as a change made elsewhere does), then
  each opened again (its data read anew); the median of `--rounds` such rounds.

Target (issue 16): under 0.5 s each. `--profile KEY` prints cProfile's top entries for that
page's first open.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.common import machine, write_result  # noqa: E402

TARGET = 0.5


def _demo(folder: Path) -> None:
    from desktop.cli import main

    code = main(["--data-dir", str(folder), "demo"])
    if code:
        raise SystemExit(f"riskdesk demo failed ({code})")


def _settled(app, window) -> None:  # type: ignore[no-untyped-def]
    """Run the event loop until no worker runs and the register has its rows, then paint."""
    from PySide6.QtCore import QEventLoop

    from desktop.ui import tasks

    page = window.current_page()
    table = getattr(page, "table", None)
    start = time.perf_counter()
    while tasks._running or getattr(table, "is_loading", False):
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        if time.perf_counter() - start > 60:
            raise SystemExit(f"{page.key}: still loading after 60 s")
    app.processEvents()
    window.repaint()


def _open(app, window, row: int) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    window.nav.setCurrentRow(row)  # what a click on the navigation list does
    _settled(app, window)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--first", type=int, default=2)
    parser.add_argument("--profile", default="")
    parser.add_argument("--one", default="", help=argparse.SUPPRESS)  # a child: open this page once
    args = parser.parse_args()
    if args.one:
        print(json.dumps(first_open(args.data, args.one, args.profile)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.data or Path(tmp) / "demo"
        if args.data is None:
            _demo(folder)
        firsts: dict[str, list[float]] = {}
        from desktop.ui.pages import PAGES

        # compiled modules cached as an installed program has them (not in the source tree)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        for n in range(args.first + 1):  # interleaved: the machine's load falls on every page alike
            for ref in PAGES:
                done = subprocess.run([sys.executable, "-m", "bench.bench_page_open", "--data", str(folder),
                                       "--one", ref.key], capture_output=True, text=True, check=True, env=env)
                if n:  # the first pass only fills the cache
                    firsts.setdefault(ref.key, []).append(json.loads(done.stdout.strip().splitlines()[-1]))
        again, titles = reopen(folder, args.rounds)
        report(firsts, again, titles, args.rounds)


def _window(folder: Path):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import select

    from desktop.config import Config
    from desktop.db import Database
    from desktop.models import User
    from desktop.services.context import Actor
    from desktop.ui.app_state import AppState
    from desktop.ui.main_window import MainWindow
    from desktop.ui.resources import ensure_chinese_font

    app = QApplication.instance() or QApplication([])
    ensure_chinese_font(app)
    ticker = QTimer(app)  # an event every 10 ms, so a wait for events always returns
    ticker.start(10)
    config = Config.load(folder)
    db = Database(config.database_url)
    with db.read() as session:
        admin = session.execute(select(User).where(User.role == "admin").order_by(User.id)).scalars().first()
        actor = Actor(admin.id, admin.username, admin.role, admin.display_name)
    state = AppState(db=db, config=config, actor=actor)
    state.settings.setValue("main/page", 0)  # the window opens on 工作台, whatever the last run left
    start = time.perf_counter()
    window = MainWindow(state)
    window.resize(1366, 768)
    window.show()
    _settled(app, window)
    return app, db, state, window, time.perf_counter() - start


def first_open(folder: Path, key: str, profile_key: str) -> float:
    app, db, _state, window, started = _window(folder)
    keys = [ref.key for ref in window.page_classes]
    if key == keys[0]:
        seconds = started
    else:
        profiler = cProfile.Profile() if profile_key == key else None
        if profiler is not None:
            profiler.enable()
        seconds = _open(app, window, keys.index(key))
        if profiler is not None:
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
            sys.stderr.write(out.getvalue())
    window.close()
    db.dispose()
    return seconds


def reopen(folder: Path, rounds: int) -> tuple[dict[str, list[float]], dict[str, str]]:
    from desktop.services.context import Changes

    app, db, state, window, _started = _window(folder)
    keys = [ref.key for ref in window.page_classes]
    titles = {ref.key: ref.title() for ref in window.page_classes}
    every = Changes(**{name: True for name in ("settings", "users", "hazards", "projects", "inspections",
                                               "training", "archive", "reports", "documents")})
    times: dict[str, list[float]] = {k: [] for k in keys}
    for n in range(rounds):
        if n:
            window.nav.setCurrentRow(len(keys) - 1)
            _settled(app, window)
            state.announce(every)  # every page stale, as after a change made elsewhere
        order = keys[1:] + keys[:1]  # the window opened on the first page: it comes last
        for key in order:
            times[key].append(_open(app, window, keys.index(key)))
    window.close()
    db.dispose()

    return times, titles


def report(firsts: dict[str, list[float]], again_times: dict[str, list[float]], titles: dict[str, str],
           rounds: int) -> None:
    lines = ["# Opening each page on the demo data (issue 16: < 0.5 s)", "",
             f"Machine: {machine()}", "",
             f"Demo data: `riskdesk demo` (22 projects, 280 hazards, 535 photos); window 1366×768, offscreen. "
             f"First: the page opened first after the window came up, in a fresh process (median of "
             f"{len(next(iter(firsts.values())))}; 工作台: the window's own start to the dashboard filled). "
             f"Again: median of {rounds - 1} reopenings in one process after every page was marked stale "
             "(its data read anew).", "",
             "| page | first | again (median) | again (max) | met? |", "|---|---|---|---|---|"]
    for key in titles:
        first, again = statistics.median(firsts[key]), again_times[key][1:] or again_times[key]
        median = statistics.median(again)
        met = "yes" if first < TARGET and median < TARGET else ("reopen only" if median < TARGET else "no")
        lines.append(f"| {titles[key]} ({key}) | {first:.3f} s | {median:.3f} s | {max(again):.3f} s | {met} |")
        print(f"{key:12} first {first:.3f}  again {median:.3f}  max {max(again):.3f}  {met}")
    print(write_result("page-open", lines))


if __name__ == "__main__":
    main()
