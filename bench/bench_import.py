"""The hazard import against the bare read + insert of the same rows.

    .venv/bin/python -m bench.bench_import [--rows 50000] [--repeat 1]

Writes a field team's hazard list of `--rows` rows (11 columns, levels 1–4 mixed, 200
projects named by code, dates as real dates and as text) and a migrated SQLite database with
those projects, then times, each case in a fresh process on a fresh copy of the database:

- bare: openpyxl read-only `iter_rows(values_only=True)` into row dicts, then one SQLAlchemy
  Core `insert(hazards)` executemany in one transaction: the floor;
- import: `importer.read` + `importer.commit`: caps, merges and formulas scanned on the zip,
  every cell normalised, every rule of `hazards.prepare`, numbers, events, required reports,
  one chained audit entry per hazard, one transaction;
- dry run: `importer.read` + `importer.preview`: the same reading and checking, no insert.

Targets (issue #17): import ≤ 3× bare, dry run ≤ 2× bare, peak memory ≤ 400 MB. Peak memory
is the process's VmHWM (resident high-water mark) after the case, interpreter included.
Results: `bench/results/import.md`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import machine, write_result

HEADERS = ["序号", "隐患编号", "项目编号", "发现日期", "隐患部位", "隐患描述", "隐患等级", "整改措施",
           "整改期限", "应急措施", "停工建议"]
PROJECTS = 200
PLACES = ["3#楼三层东侧", "基坑北侧", "塔吊基础", "外脚手架", "施工电梯", "配电房", "钢筋加工棚", "临边洞口"]
PROBLEMS = ["临边防护栏杆缺失", "基坑边堆载超限", "塔吊附着螺栓松动", "连墙件缺失", "配电箱未接地",
            "安全网破损未更换", "消防通道堵塞", "特种作业人员无证上岗"]


def make_book(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    rng = random.Random(17)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("隐患清单")
    ws.append(HEADERS)
    for i in range(1, rows + 1):
        level = rng.choices((1, 2, 3, 4), (1, 4, 60, 35))[0]
        found = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(300))
        found_cell = found if i % 2 else found.isoformat()  # half real dates, half text
        ws.append([i, f"XC-{i:06d}", f"P-{rng.randrange(PROJECTS) + 1:04d}", found_cell,
                   rng.choice(PLACES), f"{rng.choice(PROBLEMS)}（第 {i} 项）", level,
                   "立即整改并复查", found + dt.timedelta(days=15),
                   "设置警戒区，专人监护" if level <= 2 else None,
                   "局部停工" if level == 1 else None])
    wb.save(path)


def make_db(folder: Path) -> Path:
    from desktop.db import Database
    from desktop.services import organisations, projects, users
    from desktop.services.context import Actor

    path = folder / "riskdesk.sqlite3"
    db = Database(f"sqlite:///{path}")
    db.migrate(backup=False)
    with db.session() as s:
        clerk = users.create_user(s, Actor.system(), username="clerk", display_name="导入员",
                                  role="clerk", password="bench-password-1")
        actor = Actor(clerk.id, clerk.username, clerk.role, clerk.display_name)
        contractor = organisations.ensure(s, actor, kind="contractor", name="浙江某建设集团有限公司")
        authority = organisations.ensure(s, actor, kind="authority", name="越城区住房和城乡建设局")
        for n in range(1, PROJECTS + 1):
            projects.create_project(s, actor, projects.ProjectForm(
                code=f"P-{n:04d}", name=f"绍兴市某工程{n}", contractor_id=contractor.id,
                authority_id=authority.id))
    db.dispose()
    return path


def case_bare(book: Path, db_path: Path) -> dict:
    from openpyxl import load_workbook
    from sqlalchemy import create_engine, insert, select

    from desktop.models import Hazard, Project

    start = time.perf_counter()
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        project_ids = dict(conn.execute(select(Project.code, Project.id)).all())
        wb = load_workbook(book, read_only=True, data_only=True)
        rows = []
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # bookkeeping columns hold UTC
        for values in wb["隐患清单"].iter_rows(min_row=2, values_only=True):
            _, number, code, found, location, description, level, measures, deadline, \
                contingency, stop_work = values + (None,) * (len(HEADERS) - len(values))
            day = found.date() if isinstance(found, dt.datetime) else dt.date.fromisoformat(found)
            rows.append({"number": f"YH-{number}", "external_ref": number,
                         "project_id": project_ids[code],
                         "found_at": dt.datetime.combine(day, dt.time()),
                         "found_date": day, "location": location, "description": description,
                         "level": level, "measures": measures, "deadline": deadline.date(),
                         "contingency": contingency or "", "stop_work": stop_work or "none",
                         "status": "recorded", "created_at": now, "updated_at": now, "version": 1})
        wb.close()
        conn.execute(insert(Hazard.__table__), rows)
    engine.dispose()
    return {"seconds": time.perf_counter() - start, "rows": len(rows)}


def case_import(book: Path, db_path: Path, *, dry: bool) -> dict:
    from sqlalchemy import select

    from desktop.db import Database
    from desktop.models import User
    from desktop.services.context import Actor
    from desktop.services.exchange import importer

    db = Database(f"sqlite:///{db_path}")
    with db.read() as s:
        user = s.execute(select(User).where(User.username == "clerk")).scalar_one()
        actor = Actor(user.id, user.username, user.role, user.display_name)
    start = time.perf_counter()
    table = importer.read(book, kind="hazards")
    reports = []
    with db.session() as s:
        step = importer.preview if dry else importer.commit
        report = step(s, actor, kind="hazards", table=table,
                      progress=lambda done, total, text: reports.append(done) is None)
    db.dispose()
    assert report.ok and report.new == len(table.rows), report.lines()[:20]
    return {"seconds": time.perf_counter() - start, "rows": report.new,
            "progress_reports": len(reports)}


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child(case: str, book: str, db_path: str) -> None:
    if case == "bare":
        result = case_bare(Path(book), Path(db_path))
    else:
        result = case_import(Path(book), Path(db_path), dry=case == "dry")
    result["peak_mb"] = _peak_mb()
    print(json.dumps(result))


def run_case(case: str, book: Path, template: Path, work: Path) -> dict:
    copy = work / f"{case}.sqlite3"
    shutil.copyfile(template, copy)
    out = subprocess.run([sys.executable, "-m", "bench.bench_import", "--child", case, str(book),
                          str(copy)], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{case} failed:\n{out.stderr}")
    copy.unlink()
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", nargs=3, metavar=("CASE", "BOOK", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        work = Path(tmp)
        book = work / "隐患清单.xlsx"
        make_book(book, args.rows)
        template = make_db(work)
        runs: dict[str, list[dict]] = {"bare": [], "import": [], "dry": []}
        for _ in range(args.repeat):  # in turn, so a change in the machine's load hits all alike
            for case in runs:
                runs[case].append(run_case(case, book, template, work))
                print(case, runs[case][-1], flush=True)
        size_mb = book.stat().st_size / 1024 / 1024
    seconds = {c: statistics.median(r["seconds"] for r in rs) for c, rs in runs.items()}
    peak = {c: max(r["peak_mb"] for r in rs) for c, rs in runs.items()}
    bare = seconds["bare"]
    target = {"bare": "", "import": "≤ 3×", "dry": "≤ 2×"}
    labels = {"bare": "bare openpyxl read-only + Core executemany", "import": "import (commit)",
              "dry": "dry run (preview)"}
    lines = [f"# Import benchmark: {args.rows:,} hazard rows", "",
             f"Machine: {machine()}", "",
             f"Workbook: {size_mb:.1f} MB, {len(HEADERS)} columns; median of {args.repeat} run(s), "
             "each case in a fresh process on a fresh copy of the database.", "",
             "| case | seconds | × bare | target | peak memory (MB) |", "|---|---|---|---|---|"]
    for case in runs:
        ratio = seconds[case] / bare
        limit = float(target[case][2:-1]) if target[case] else 0.0
        met = "" if case == "bare" else (" met" if ratio <= limit else " missed")
        lines.append(f"| {labels[case]} | {seconds[case]:.1f} | {ratio:.2f} | {target[case]}{met} "
                     f"| {peak[case]:.0f} |")
    lines += ["", f"Progress reports during the import: {runs['import'][0]['progress_reports']} "
              f"(one per batch of 1,000 rows and stage)."]
    path = write_result("import", lines)
    print("\n".join(lines))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
