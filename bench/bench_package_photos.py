"""A photo-heavy review package, timed: `--photos` noise JPEGs on hazards of one project.

    .venv/bin/python -m bench.bench_package_photos setup --root /tmp/pkgbench --photos 200 [--rows N]
    .venv/bin/python -m bench.bench_package_photos run --root /tmp/pkgbench --repeat 5

`setup` makes a data folder (SQLite, agency, signing key, one insured project, 40 hazards in
2026Q3 carrying the photos, and `--rows` more copies of them in bulk for a register-heavy
package); `run` exports its 2026Q3 package `--repeat` times after a warm-up
and prints the median. Run `run` from another checkout (PYTHONPATH) to compare two versions
on the same data; alternate them so that the machine's load weighs on both alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import statistics
import time
from pathlib import Path

from PIL import Image
from sqlalchemy import insert, select

from desktop.config import Config
from desktop.db import Database
from desktop.models import Hazard
from desktop.services import agency, hazards, organisations, projects, signing
from desktop.services.context import Actor
from desktop.services.exchange import attachments, packages


def noise_jpeg(rng: random.Random, width: int = 1000) -> bytes:
    height = width * 3 // 4
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3)).save(
        out, "JPEG", quality=85)
    return out.getvalue()


def setup(root: Path, photos: int, rows: int = 0) -> None:
    config = Config(data_dir=root / "data")
    config.data_dir.mkdir(parents=True)
    db = Database(config.database_url)
    db.migrate(backup=False)
    actor = Actor.system()
    rng = random.Random(7)
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")
        signing.setup_key(s, data_dir=config.data_dir)
        org = {kind: organisations.ensure(s, actor, kind=kind, name=f"{kind} 单位").id
               for kind in ("insurer", "authority", "owner", "contractor", "supervisor")}
        row = projects.create_project(s, actor, projects.ProjectForm(
            code="P-2026-0001", name="绍兴市越城区某安置房项目", district="越城区",
            authority_id=org["authority"], owner_id=org["owner"], contractor_id=org["contractor"],
            supervisor_id=org["supervisor"], service_contract_date=dt.date(2026, 1, 5),
            start_date=dt.date(2026, 1, 10), headcount_managers=12, headcount_workers=180))
        projects.add_policy(s, actor, row.id, projects.PolicyForm(
            policy_no="PICC-AZX-2026-00001", insurer_id=org["insurer"],
            start_date=dt.date(2026, 1, 1), end_date=dt.date(2027, 12, 31), premium="120000",
            prevention_fee="24000"))
        found = [hazards.record(s, actor, hazards.HazardForm(
            project_id=row.id, description=f"临边防护缺失 {i}", level=3, measures="立即整改",
            found_at=dt.datetime(2026, 8, 1 + i % 28, 10))) for i in range(40)]
        for i in range(photos):
            attachments.store_file(s, actor, store_dir=config.attachments_dir,
                                   data=noise_jpeg(rng), owner_type="hazard",
                                   owner_id=found[i % len(found)].id, role="before",
                                   original_name=f"p{i}.jpg", durable=False)
    if rows:
        with db.session() as s:  # bulk copies of the first hazard: a register-heavy package
            first = s.execute(select(Hazard.__table__).where(Hazard.id == found[0].id)).mappings().one()
            base = {k: v for k, v in first.items() if k != "id"}
            s.execute(insert(Hazard.__table__), [
                base | {"number": f"YH-2026-B{i:06d}", "found_date": dt.date(2026, 7, 1 + i % 31),
                        "description": f"{base['description']} 批量 {i}"} for i in range(rows)])
    db.dispose()
    (root / "insurer").write_text(str(org["insurer"]))


def run(root: Path, repeat: int) -> None:
    config = Config.load(root / "data")
    db = Database(config.database_url)
    insurer = int((root / "insurer").read_text())
    out = root / "package.zip"
    times = []
    for i in range(repeat + 1):
        out.unlink(missing_ok=True)
        start = time.perf_counter()
        result = packages.export_package(db, config, Actor.system(), insurer_id=insurer,
                                         period="2026Q3", out_path=out)
        if i:  # the first is a warm-up
            times.append(time.perf_counter() - start)
    db.dispose()
    print(f"{result.files} files, {result.size / 2**20:.0f} MB: median {statistics.median(times):.2f} s"
          f" of {repeat} ({', '.join(f'{t:.2f}' for t in times)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("setup", "run"))
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.step == "setup":
        setup(args.root, args.photos, args.rows)
    else:
        run(args.root, args.repeat)


if __name__ == "__main__":
    main()
