"""Moving data out: the review package and the backup against plain zip/cp of the same bytes.

    .venv/bin/python -m bench.bench_data [--db /tmp/scale/riskdesk.sqlite3] [--photos 300]

Builds a data folder in a temp directory: a copy of the scale database (5,000 projects,
1,000,000 hazards; made with `bench.generate` if absent), an agency profile, an admin, the
signing key, and `--photos` JPEGs of incompressible noise (~1–2 MB each) attached to hazards
that insurer `--insurer` must see in `--period`, so that every photo goes into the package.

1. `packages.export_package` against `zip -0 -q -r` of the package's own files (the package
   unzipped into a folder; only the zip is timed) and a plain `cp -r` of that folder.
2. `backup.backup` against `cp` of the database file plus `cp -r` of the attachment folder.
3. A second, photo-heavy package (run after the backup, whose data it does not change): the
   `--heavy-projects` projects of that insurer with the most hazards in the period, two more
   noise JPEGs on each of their hazards found in the period, exported with `project_ids`.
   Row 1's package is mostly a 48,000-row register; this one is mostly photos, as a package
   for a few projects usually is.

Each is the median of `--repeat` runs after a warm-up. Ours and its baselines run in turn
within each repetition, so that a change in the machine's load (other work on the same two
cores) weighs on both sides of a ratio alike.
"""

from __future__ import annotations

import argparse
import io
import random
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from bench.common import machine, write_result
from desktop import clock
from desktop.config import Config
from desktop.db import Database
from desktop.models import Hazard
from desktop.services import agency, periods, signing
from desktop.services.context import Actor
from desktop.services.exchange import attachments, backup, packages
from desktop.services.queries.doc_data_periodic import listed_hazards

MB = 1024 * 1024


def noise_jpeg(rng: random.Random, index: int) -> bytes:
    """A valid JPEG of random pixels: about 1–2 MB that no zip can shrink."""
    width = rng.choice((1400, 1500, 1600, 1700, 1800))
    height = width * 3 // 4
    im = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=85, comment=f"bench photo {index}".encode())
    return out.getvalue()


def _chosen_hazards(session, pids: list[int], period: periods.Period) -> list:  # noqa: ANN001
    """(id, project_id, found_date) of the hazards the package takes, in register order."""
    scope = packages._Chosen("insurer", None, "", "", ids=tuple(pids))
    return session.execute(select(Hazard.id, Hazard.project_id, Hazard.found_date)
                           .where(*listed_hazards(session, scope, period, clock.today()))
                           .order_by(Hazard.found_date, Hazard.number)).all()


def build(folder: Path, source_db: Path, *, photos: int, insurer: int, period: str,
          seed: int = 11) -> tuple[Config, Database, Actor, int]:
    """The data folder; returns (config, database, admin actor, photo bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    config = Config(data_dir=folder)
    shutil.copyfile(source_db, config.sqlite_path)
    db = Database(config.database_url)
    if db.needs_upgrade():  # a scale database made before the newest migration
        db.migrate(backup=False)
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")
        row = agency.create_first_admin(s, username="admin", display_name="管理员",
                                        password="Bench-pass-2026")
        signing.setup_key(s, data_dir=config.data_dir)
    actor = Actor(user_id=row.id, username=row.username, role=row.role,
                  display_name=row.display_name)
    p = periods.parse(period)
    rng = random.Random(seed)
    total = 0
    with db.session() as s:
        # the package's own choice (policies in force in the period), found in the period
        pids = [proj.id for proj, _ in packages._projects(s, insurer, p, None)]
        hazard_ids = [h.id for h in _chosen_hazards(s, pids, p) if h.found_date >= p.start]
        if not hazard_ids:
            raise SystemExit(f"承保机构 {insurer} 在 {period} 没有隐患")
        chosen = rng.sample(hazard_ids, min(len(hazard_ids), max(1, photos // 2)))
        for i in range(photos):
            data = noise_jpeg(rng, i)
            total += len(data)
            attachments.store_file(s, actor, store_dir=config.attachments_dir, data=data,
                                   owner_type="hazard", owner_id=chosen[i % len(chosen)],
                                   role="before" if i % 2 == 0 else "after",
                                   original_name=f"IMG_{i:04d}.jpg", durable=False)
    return config, db, actor, total


class Phases:
    """Wall-clock marks from the progress callback: when each named step first reported."""

    def __init__(self) -> None:
        self.start, self.marks = time.perf_counter(), {}

    def __call__(self, done: int, total: int, text: str) -> bool:
        self.marks.setdefault(text, time.perf_counter())
        return True

    def at(self, text: str) -> float:
        return self.marks[text] - self.start


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def run_cmd(cmd: list[str], cwd: Path | None = None) -> None:
    subprocess.run(cmd, cwd=cwd, check=True)


def row(label: str, content: int, output: int | None, seconds: float, base: float) -> str:
    written = f"{output / MB:,.0f}" if output is not None else ""
    return (f"| {label} | {content / MB:,.0f} | {written} | {seconds:.2f} | "
            f"{content / MB / seconds:,.0f} | {seconds / base:.2f} |")


def split(total: float, parts: list[tuple[str, float]]) -> str:
    """'a 1.2 s, b 3.4 s' from marks (label, seconds since start) in order, ending at total."""
    ends = [at for _, at in parts[1:]] + [total]
    return ", ".join(f"{label} {end - at:.1f} s" for (label, at), end in zip(parts, ends, strict=True))


def interleaved(fns: dict[str, Callable[[], object]], *, repeat: int) -> dict[str, float]:
    """Median wall seconds of each function; one warm-up round, then `repeat` rounds in turn."""
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(found) for name, found in times.items()}


def add_heavy_photos(config: Config, db: Database, actor: Actor, *, insurer: int, period: str,
                     projects: int, seed: int = 29) -> tuple[list[int], int, int]:
    """Two noise JPEGs on every hazard found in the period in the insurer's `projects` busiest
    projects; returns (project ids, photos, photo bytes)."""
    p = periods.parse(period)
    rng = random.Random(seed)
    with db.session() as s:
        pids = [proj.id for proj, _ in packages._projects(s, insurer, p, None)]
        found: dict[int, list[int]] = {}
        for h in _chosen_hazards(s, pids, p):
            if h.found_date >= p.start:
                found.setdefault(h.project_id, []).append(h.id)
        chosen = sorted(found, key=lambda pid: (-len(found[pid]), pid))[:projects]
        count = total = 0
        for pid in chosen:
            for hazard_id in found[pid]:
                for role in ("before", "after"):
                    data = noise_jpeg(rng, 10_000 + count)
                    attachments.store_file(s, actor, store_dir=config.attachments_dir, data=data,
                                           owner_type="hazard", owner_id=hazard_id, role=role,
                                           original_name=f"HEAVY_{count:04d}.jpg", durable=False)
                    count += 1
                    total += len(data)
    return chosen, count, total


def measure_package(root: Path, db: Database, config: Config, actor: Actor, *, insurer: int,
                    period: str, repeat: int, project_ids: list[int] | None = None) -> dict:
    """Our export against zip -0 and cp -r of its own files, timed in the same run."""
    out = root / "out"
    out.mkdir(exist_ok=True)
    pkg = out / "package.zip"
    holder: dict = {}

    def export() -> None:
        pkg.unlink(missing_ok=True)
        holder["phases"] = phases = Phases()
        holder["result"] = packages.export_package(
            db, config, actor, insurer_id=insurer, period=period, out_path=pkg,
            project_ids=project_ids, progress=phases)
        holder["total"] = time.perf_counter() - phases.start

    def plan_only() -> None:
        with db.read() as s:
            holder["plan"] = packages.plan_package(
                s, actor, store_dir=config.attachments_dir, insurer_id=insurer, period=period,
                project_ids=project_ids)

    export()  # a package to unzip for the baselines
    unpacked = root / "unpacked"
    run_cmd(["unzip", "-q", str(pkg), "-d", str(unpacked)])
    content = folder_size(unpacked)
    zipped = out / "plain.zip"

    def zip0() -> None:
        zipped.unlink(missing_ok=True)
        run_cmd(["zip", "-0", "-q", "-r", str(zipped), "."], cwd=unpacked)

    def cp_pkg() -> None:
        target = out / "cp-package"
        shutil.rmtree(target, ignore_errors=True)
        run_cmd(["cp", "-r", str(unpacked), str(target)])

    t = interleaved({"export": export, "zip": zip0, "cp": cp_pkg, "plan": plan_only},
                    repeat=repeat)
    zip_size = zipped.stat().st_size
    shutil.rmtree(out / "cp-package", ignore_errors=True)
    shutil.rmtree(unpacked)
    zipped.unlink()
    pkg.unlink()
    ep, et = holder["phases"], holder["total"]
    marks = [("planning", 0.0),
             ("register written", ep.at("正在生成隐患排查及问题整改清单")),
             ("cover", ep.at("正在生成封面及目录")),
             ("cover, registers, documents and photos into the zip, manifest, signature, fsync",
              ep.at(packages.COVER))]
    photos = [at for text, at in ep.marks.items() if str(text).startswith("隐患照片/")]
    holder["photos_done"] = max(photos) - ep.start if photos else 0.0
    return {"export": t["export"], "plan": t["plan"], "zip": t["zip"], "cp": t["cp"],
            "content": content,
            "zip_size": zip_size, "result": holder["result"], "plan_data": holder["plan"],
            "split": split(et, marks), "photos_done": holder["photos_done"]}


def package_section(title: str, m: dict) -> list[str]:
    result, plan = m["result"], m["plan_data"]
    photos_in = sum(1 for x in plan.members if x.kind == "photo")
    ratio = m["export"] / m["zip"]
    return [
        title, "",
        f"Package: {result.files} files — {photos_in} photos, hazard register of "
        f"{len(plan.hazards):,} rows, project list of {len(plan.projects):,} projects, cover — "
        f"{result.size / MB:,.0f} MB. The baselines work on the package unzipped into a folder.",
        "", HEADER, "|---|---:|---:|---:|---:|---:|",
        row("`zip -0 -q -r` of the package's files", m["content"], m["zip_size"], m["zip"],
            m["zip"]),
        row("`cp -r` of the package's files", m["content"], m["content"], m["cp"], m["zip"]),
        row("`export_package` (ours)", m["content"], result.size, m["export"], m["zip"]), "",
        f"Where the export's time goes (last run): {m['split']}; the last photo was in at "
        f"{m['photos_done']:.1f} s. `plan_package` alone (reading the register's lines "
        f"included): {m['plan']:.2f} s.", "",
        f"Target: export within 1.5× of zip -0 → **{ratio:.2f}×, "
        f"{'met' if ratio <= 1.5 else 'not met'}**.", "",
    ]


HEADER = "| route | content MB | written MB | seconds | MB/s | ratio |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/scale/riskdesk.sqlite3"))
    parser.add_argument("--photos", type=int, default=300)
    parser.add_argument("--insurer", type=int, default=1)
    parser.add_argument("--period", default="2026Q3")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--heavy-projects", type=int, default=3,
                        help="projects in the photo-heavy package (0: skip it)")
    parser.add_argument("--tmp", type=Path, default=None, help="where the data folder is made")
    args = parser.parse_args()
    if not args.db.is_file():
        print(f"{args.db} 不存在，正在生成（约需数分钟）…", flush=True)
        run_cmd([str(Path(".venv/bin/python")), "-m", "bench.generate", "--out", str(args.db.parent)])

    with tempfile.TemporaryDirectory(prefix="riskdesk-bench-data-", dir=args.tmp) as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        config, db, actor, photo_bytes = build(root / "data", args.db, photos=args.photos,
                                               insurer=args.insurer, period=args.period)
        print(f"data folder ready in {time.perf_counter() - start:.0f} s", flush=True)

        # -- 1. review package ------------------------------------------------------------
        first = measure_package(root, db, config, actor, insurer=args.insurer,
                                period=args.period, repeat=args.repeat)
        print(f"package: {first['export']:.2f} s vs zip -0 {first['zip']:.2f} s", flush=True)

        # -- 2. backup ----------------------------------------------------------------------
        out = root / "out"
        bak = out / "backup.zip"
        holder: dict = {}

        def our_backup() -> None:
            bak.unlink(missing_ok=True)
            holder["backup_phases"] = phases = Phases()
            holder["backup"] = backup.backup(db, config, bak, progress=phases)
            holder["backup_total"] = time.perf_counter() - phases.start

        def cp_backup() -> None:
            target = out / "cp-backup"
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
            run_cmd(["cp", str(config.sqlite_path), str(target / "riskdesk.sqlite3")])
            run_cmd(["cp", "-r", str(config.attachments_dir), str(target / "attachments")])

        def cp_backup_sync() -> None:
            cp_backup()
            run_cmd(["sync", "-f", str(out)])

        db_bytes = config.sqlite_path.stat().st_size
        store_bytes = folder_size(config.attachments_dir)
        t = interleaved({"ours": our_backup, "cp": cp_backup, "cp_sync": cp_backup_sync},
                        repeat=args.repeat)
        t_backup, t_cp, t_cp_sync = t["ours"], t["cp"], t["cp_sync"]
        backup_size = bak.stat().st_size
        bak.unlink()
        shutil.rmtree(out / "cp-backup", ignore_errors=True)
        copy_bytes = db_bytes + store_bytes
        print(f"backup: {t_backup:.2f} s vs cp {t_cp:.2f} s", flush=True)

        # -- 3. photo-heavy package ---------------------------------------------------------
        heavy = None
        if args.heavy_projects > 0:
            pids, heavy_count, heavy_bytes = add_heavy_photos(
                config, db, actor, insurer=args.insurer, period=args.period,
                projects=args.heavy_projects)
            heavy = measure_package(root, db, config, actor, insurer=args.insurer,
                                    period=args.period, repeat=args.repeat, project_ids=pids)
            print(f"heavy package: {heavy['export']:.2f} s vs zip -0 {heavy['zip']:.2f} s",
                  flush=True)
        db.dispose()

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    backup_ratio = t_backup / t_cp
    bp, bt = holder["backup_phases"], holder["backup_total"]
    first_blob = min(at for text, at in bp.marks.items()
                     if str(text).startswith(backup.STORE_PREFIX)) - bp.start
    backup_split = split(bt, [("removing the previous zip, checkpoint, write lock, reader", 0.0),
                              ("database copied in the kernel (lock let go), read back for "
                               "SHA-256 + CRC-32", bp.at(backup.DB_SQLITE)),
                              ("attachments the same way", first_blob),
                              ("rest of quick_check, manifest, fsync, rename",
                               bp.at("正在检查数据库快照"))])
    lines = [
        "# Data out: review package and backup vs zip/cp of the same bytes", "",
        f"Machine: {machine()}",
        f"Data: copy of {args.db} ({db_bytes / MB:,.0f} MB), {args.photos} noise JPEGs "
        f"({photo_bytes / MB:,.0f} MB) on hazards insurer {args.insurer} sees in {args.period}.", "",
        f"Median of {args.repeat} runs after a warm-up; ours and its baselines run in turn "
        "within each repetition, page cache warm. MB/s is content MB ÷ seconds; ratio is "
        "seconds ÷ the first baseline's seconds.", "",
        *package_section("## 1. Review package (`packages.export_package`)", first),
        "## 2. Backup (`backup.backup`)", "",
        HEADER, "|---|---:|---:|---:|---:|---:|",
        row("`cp` database + `cp -r` attachments", copy_bytes, copy_bytes, t_cp, t_cp),
        row("the same cp, then `sync -f`", copy_bytes, copy_bytes, t_cp_sync, t_cp),
        row("`backup.backup` (ours)", copy_bytes, backup_size, t_backup, t_cp), "",
        "Ours does more than copy. Under SQLite's write lock (other desks wait only while the "
        "database is copied), the database file and its WAL go into the zip by "
        "`copy_file_range`, the kernel call `cp` uses; `PRAGMA quick_check` of that same state "
        "runs on a second thread from the start; every member is read back from the zip for "
        "SHA-256 and CRC-32; everything is stored; a manifest and fsync finish it, and the zip "
        "is renamed into place only after the check said ok. `cp` reads nothing into user "
        f"space and checks nothing. Where our time goes (last run): {backup_split}.", "",
        f"Target: backup within 2× of copying → **{backup_ratio:.2f}×, "
        f"{'met' if backup_ratio <= 2 else 'not met'}**.", "",
    ]
    if heavy is not None:
        lines += package_section(
            f"## 3. Photo-heavy review package ({args.heavy_projects} projects, "
            f"{heavy_count} more photos, {heavy_bytes / MB:,.0f} MB, added after section 2)",
            heavy)
    first_ratio = first["export"] / first["zip"]
    notes = [
        f"- Export ({first_ratio:.2f}×, target 1.5×): planning chooses the hazards from the index "
        "(project_id, found_date, status, closed_at) on live hazards (migration 0003) and reads "
        "only the 47,838 rows it keeps (the periodic hazard list's selection and 17-column "
        "rows, `doc_data_periodic.hazard_rows`); the register is written by a row formatter, "
        "the sheet deflated on a second thread (`threads.WriteBehind`), then the members go "
        "into the zip in the order listed (zipfile as documented, SHA-256 in the same pass; "
        "no copier thread). A cover lists at most 50 projects (more "
        "are counted by status and listed in the project register): the 724-project table took "
        "0.2 s and 15 pages. What is left is Python on one core: reading 47,838 rows of 17 "
        "columns (about 0.5 s with SQLite's own 0.3 s) and formatting them (about 0.35 s).",
        f"- Backup ({backup_ratio:.2f}× cp, reported beside the target of 15 s for about 1 GB): "
        "SQLite's online backup into a temporary file beside the zip, quick_check of it on a "
        "second thread, then the copy and the attachments into the zip with zipfile as "
        "documented (stored, SHA-256 in the same pass, zipfile's own CRC-32); no kernel copy, "
        "header patching, compiled CRC or switch-interval change (issue 17).",
        "- Measured and not kept: producing each register row's XML in SQLite (1.4 s: string "
        "concatenation in SQL is slower than Python's), SHA-256 and CRC-32 of one member on "
        "separate threads, other chunk sizes, MAP_POPULATE, mmap for quick_check.",
        "- The code before this change (commit b87a7c7), on this data: export 3.78 s (3.34×), "
        "backup 4.42 s (4.92×) in bench/results/data.md of that commit.",
    ]
    lines += ["## Notes on the targets", "", *notes, ""]
    lines += [
        f"Peak memory of the benchmark process: {peak:.0f} MB.", "",
        "Reproduce: `.venv/bin/python -m bench.generate --out /tmp/scale` (once), then "
        f"`.venv/bin/python -m bench.bench_data --photos {args.photos} --repeat {args.repeat}`.",
    ]
    print("\n".join(lines))
    write_result("data", lines)


if __name__ == "__main__":
    main()
