"""Register filter and search through our service vs the same SQL run bare on sqlite3.

    .venv/bin/python -m bench.bench_register --db /tmp/scale/riskdesk.sqlite3

Each scenario times what the window does to show a view: all matching ids in order plus
the first 200 rows, against the identical statements executed with the bare sqlite3 module.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sqlite3
from pathlib import Path

from sqlalchemy import and_, func, select

from bench.common import best_of, machine, write_result
from desktop.db import Database
from desktop.models import Hazard
from desktop.services.queries import register
from desktop.services.queries.register import RegisterFilter

TODAY = dt.date(2026, 11, 28)
SCENARIOS = [
    ("全部隐患（按发现日期倒序）", RegisterFilter(today=TODAY)),
    ("一级隐患", RegisterFilter(levels=frozenset({1}), today=TODAY)),
    ("单个项目", RegisterFilter(project_id=1234, today=TODAY)),
    ("某承保机构", RegisterFilter(insurer_id=2, today=TODAY)),
    ("逾期未整改", RegisterFilter(overdue=True, today=TODAY)),
    ("日期范围（一个月）", RegisterFilter(date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 10, 31), today=TODAY)),
    ("全文搜索“临边防护”（4字）", RegisterFilter(text="临边防护", today=TODAY)),
    ("全文搜索“盖板”（2字）", RegisterFilter(text="盖板", today=TODAY)),
    ("一级 + 搜索“基坑”", RegisterFilter(levels=frozenset({1}), text="基坑", today=TODAY)),
]


def _bare_sql(db: Database, flt: RegisterFilter) -> tuple[str, str]:
    with db.read() as s:
        ids_stmt = register.ids_query(s, flt)
        ids_sql = str(ids_stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
    rows_sql = (
        "SELECT h.id, h.number, h.project_id, p.name, h.found_date, h.location, h.description,"
        " h.category, h.level, h.is_major, h.deadline, h.status, h.escalated,"
        " coalesce(o.name, ''), h.closed_at FROM hazards h JOIN projects p ON p.id = h.project_id"
        " LEFT OUTER JOIN organisations o ON o.id = h.responsible_unit_id WHERE h.id IN ({})"
    )
    return ids_sql, rows_sql


def run(path: Path) -> list[str]:
    db = Database(f"sqlite:///{path}")
    bare = sqlite3.connect(path)
    lines = ["# Register: filter and search", "", f"Machine: {machine()}", f"Database: {path}", "",
             "*First rows* is what the window waits for: the first page of ids (500) and the",
             "first 200 rows. The *count* follows on the worker and sizes the scroll bar. *All ids*",
             "is scrolling to the bottom. Each is compared with the same SQL run bare on the",
             "sqlite3 module (median of 3 after a warm-up): ids in order with LIMIT 500, the count,", "every id.", "",
             "| view | rows | first rows ours (ms) | bare (ms) | ratio | count ours (ms) | bare (ms) "
             "| all ids ours (ms) | bare (ms) | ratio |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for label, flt in SCENARIOS:
        holder: dict = {}

        def first_ours() -> None:
            with db.read() as s:
                ids, _after = register.page_ids(s, flt, limit=500)
            with db.read() as s:
                register.rows_by_ids(s, ids[:200], today=TODAY)

        def count_ours() -> None:
            with db.read() as s:
                holder["n"] = register.count(s, flt)

        def all_ours() -> None:
            loader = register.IdLoader(db.read, flt)
            loader.ensure(10**9)

        ids_sql, rows_sql = _bare_sql(db, flt)
        with db.read() as s:
            count_sql = str(select(func.count(Hazard.id)).where(and_(*register.where_clauses(s, flt)))
                            .compile(db.engine, compile_kwargs={"literal_binds": True}))

        def count_bare() -> None:
            bare.execute(count_sql).fetchone()

        def first_bare() -> None:
            ids = [r[0] for r in bare.execute(ids_sql + " LIMIT 500")]
            first = ids[:200]
            if first:
                bare.execute(rows_sql.format(",".join("?" * len(first))), first).fetchall()

        def all_bare() -> None:
            [r[0] for r in bare.execute(ids_sql)]

        f_ours, f_bare = best_of(first_ours, repeat=3), best_of(first_bare, repeat=3)
        c_ours, c_bare = best_of(count_ours, repeat=3), best_of(count_bare, repeat=3)
        a_ours, a_bare = best_of(all_ours, repeat=3), best_of(all_bare, repeat=3)
        lines.append(f"| {label} | {holder['n']:,} | {f_ours * 1000:.0f} | {f_bare * 1000:.0f} | "
                     f"{f_ours / f_bare:.2f} | {c_ours * 1000:.0f} | {c_bare * 1000:.0f} | "
                     f"{a_ours * 1000:.0f} | {a_bare * 1000:.0f} | {a_ours / a_bare:.2f} |")
        print(lines[-1], flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines += ["", f"Peak memory of the benchmark process: {peak:.0f} MB.", "",
              "Reproduce: `.venv/bin/python -m bench.generate --out /tmp/scale` then "
              "`.venv/bin/python -m bench.bench_register --db /tmp/scale/riskdesk.sqlite3`."]
    db.dispose()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args()
    lines = run(args.db)
    print("\n".join(lines))
    write_result("register", lines)


if __name__ == "__main__":
    main()
