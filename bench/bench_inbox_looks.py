"""The capture inbox opened on a project with 500 stored hazard photos: how long the
near-duplicate check takes at a program start, before and after the photos' looks were kept.

    .venv/bin/python -m bench.bench_inbox_looks [--photos 500] [--drafts 10] [--runs 3]

Set-up (not timed): one project with 250 hazards (`bench.generate`), `--photos` distinct
640×480 photos stored as their before-photos (file, print copy and row, as recording them
leaves them) and `--drafts` pending drafts with one photo each, one of them a smaller
re-save of a stored photo. Each timing runs in a fresh process (a program start: nothing in
memory, the database opened anew) and times only `capture_inbox`'s near-duplicate check:

- before: the looks not kept (the column empty) and nothing written — what every start paid
  before this change (each stored photo's dHash taken again from its print copy);
- first start after the upgrade: the column empty; the looks taken once and written back in
  one bulk update (`flag_near_duplicates`);
- second start: the looks read from the attachment rows.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

from bench.common import machine, write_result

SIZE = (640, 480)


def picture(seed: int) -> Image.Image:
    rng = random.Random(seed)
    gradient = Image.linear_gradient("L").rotate(rng.randrange(360)).resize(SIZE)
    noise = Image.effect_noise(SIZE, 24)
    image = Image.merge("RGB", (gradient, noise, Image.new("L", SIZE, rng.randrange(40, 200))))
    draw = ImageDraw.Draw(image)
    for _ in range(8):
        x, y = rng.randrange(SIZE[0]), rng.randrange(SIZE[1])
        draw.rectangle((x, y, x + rng.randrange(40, 250), y + rng.randrange(40, 250)),
                       fill=tuple(rng.randrange(256) for _ in range(3)))
    return image


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def build(work: Path, photos: int) -> Path:
    """The data folder: database and attachment store; returns the database file."""
    from sqlalchemy import insert

    from bench.generate import generate
    from desktop.db import Database
    from desktop.models import Attachment
    from desktop.services.exchange import attachments

    path = Path(generate(work, projects=1, hazards=250)["path"])
    store = work / "attachments"
    rows = []
    for n in range(photos):
        data = jpeg(picture(n))
        sha = hashlib.sha256(data).hexdigest()
        target = attachments.blob_path(store, sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        attachments.print_copy(store, sha)
        rows.append({"sha256": sha, "size": len(data), "mime": "image/jpeg",
                     "original_name": f"IMG_{n:04d}.jpg", "role": "before", "owner_type": "hazard",
                     "owner_id": n % 250 + 1, "width": SIZE[0], "height": SIZE[1], "caption": "",
                     "dhash": None})
    db = Database(f"sqlite:///{path}")
    with db.session() as session:
        session.execute(insert(Attachment.__table__), rows)
    db.dispose()
    return path


def child(mode: str, path: Path, drafts: int) -> None:
    """One program start: open the database, then the inbox's near-duplicate check, timed."""
    import datetime as dt

    from desktop.db import Database
    from desktop.services import capture_inbox

    db = Database(f"sqlite:///{path}")
    store = path.parent / "attachments"
    rows = []
    for n in range(drafts):
        # draft 0 is stored photo 0 again, smaller and saved again; the others are new views
        image = picture(0).resize((320, 240)) if n == 0 else picture(100_000 + n)
        code = capture_inbox.dhash_of(Image.open(io.BytesIO(jpeg(image, 60))))
        rows.append(capture_inbox.DraftRow(
            n + 1, f"bench-{n:04d}", 1, 1, "", 1, 1, "", "", "", 3, None,
            dt.datetime(2026, 12, 7, 9, 0), ({"sha256": "0" * 64, "name": "x.jpg", "size": 1,
                                             "dhash": f"{code:016x}"},), "pending", "", None, 1))
    start = time.perf_counter()
    if mode == "before":
        with db.read() as session:
            found = capture_inbox.near_duplicates(session, rows, store_dir=store)
    else:
        found = capture_inbox.flag_near_duplicates(db, rows, store_dir=store,
                                                   drafts_dir=path.parent / "drafts")
    took = time.perf_counter() - start
    db.dispose()
    print(f"{took:.4f} {len(found)}")


def run(mode: str, path: Path, drafts: int) -> tuple[float, int]:
    out = subprocess.run([sys.executable, "-m", "bench.bench_inbox_looks", "--child", mode,
                          str(path), "--drafts", str(drafts)],
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), int(out[1])


def empty_looks(path: Path) -> None:
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE attachments SET dhash = NULL")
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=500)
    parser.add_argument("--drafts", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), args.drafts)
        return
    work = Path(tempfile.mkdtemp(prefix="inbox-looks-bench-"))
    try:
        t0 = time.perf_counter()
        path = build(work, args.photos)
        print(f"set up {args.photos} stored photos in {time.perf_counter() - t0:.1f} s (not timed)")
        results: dict[str, list[float]] = {"before": [], "first": [], "after": []}
        flagged = set()
        for mode in results:
            for _ in range(args.runs):
                if mode != "after":
                    empty_looks(path)
                took, found = run(mode, path, args.drafts)
                results[mode].append(took)
                flagged.add(found)
        labels = {"before": "before: every start hashes each stored photo's print copy",
                  "first": "first start after the upgrade: hashed once, kept in one bulk update",
                  "after": "second start: the looks read from the attachment rows"}
        lines = ["# The capture inbox's near-duplicate check at a program start", "",
                 f"Machine: {machine()}", "",
                 f"{args.photos} stored hazard photos (640×480 print copies) on one project, "
                 f"{args.drafts} pending drafts; each run a fresh process, the check alone timed; "
                 f"drafts flagged in every run: {sorted(flagged)}.", "",
                 f"| start | median of {args.runs} (s) | runs (s) |", "|---|---:|---|"]
        for mode, times in results.items():
            lines.append(f"| {labels[mode]} | {statistics.median(times):.3f} | "
                         f"{', '.join(f'{t:.3f}' for t in times)} |")
        lines += ["", "Reproduce: `.venv/bin/python -m bench.bench_inbox_looks`."]
        print("\n".join(lines))
        write_result("inbox-looks", lines)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
