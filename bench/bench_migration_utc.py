"""Migration 0023 (business times to UTC) on an agency-scale SQLite database.

    .venv/bin/python -m bench.bench_migration_utc [--hazards 200000] [--projects 1000]

Generates a database (bench.generate, not timed), takes it back to 0022 (the values turned
into China wall-clock time, timed), then upgrades it to 0023 as the program does on its first
start after the update (timed): the user waits this long once. Reported with the number of
hazards; each hazard carries found_at and, when closed, closed_at.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from alembic import command

from bench import generate
from bench.common import machine, write_result
from desktop.db import Database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=200_000)
    parser.add_argument("--projects", type=int, default=1000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        generate.generate(Path(tmp), projects=args.projects, hazards=args.hazards)
        path = Path(tmp) / "riskdesk.sqlite3"
        db = Database(f"sqlite:///{path}")
        started = time.perf_counter()
        with db.engine.begin() as conn:
            command.downgrade(db._alembic_config(conn), "0022")
        down = time.perf_counter() - started
        db.dispose()
        db = Database(f"sqlite:///{path}")
        started = time.perf_counter()
        db.migrate(backup=False)
        up = time.perf_counter() - started
        db.dispose()
        size = path.stat().st_size / 2**20
    lines = [f"# Migration 0023: business times to UTC ({args.hazards:,} hazards)", "",
             machine(), "",
             f"- database {size:.0f} MB",
             f"- back to 0022 (to China wall-clock time): {down:.2f} s",
             f"- upgrade to 0023 as at the first start after the update: **{up:.2f} s**"]
    print("\n".join(lines))
    write_result("migration-utc", lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
