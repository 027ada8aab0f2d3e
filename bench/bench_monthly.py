"""A project's monthly hazard list with photos (issue #4): 200 hazards and 400 camera-sized
photos (before and after) in one PDF, against the target of under 5 s and under 20 MB.

    .venv/bin/python -m bench.bench_monthly [--hazards 200] [--photos 400]

Each run is a fresh process (no photo cache from an earlier run). The photos are 12-megapixel
JPEGs of about 3 MB, each file distinct, as phones write them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import machine, write_result


def make_photos(folder: Path, n: int) -> list[Path]:
    from PIL import Image, ImageFilter

    sources = []
    for i in range(8):  # 8 different scenes, each shot stored as a distinct file
        noise = Image.effect_noise((500, 375), 40 + 5 * i)
        scene = Image.merge("RGB", [noise, noise.rotate(90 * (i % 2)), noise.transpose(Image.FLIP_LEFT_RIGHT)])
        path = folder / f"scene{i}.jpg"
        scene.resize((4000, 3000), Image.BICUBIC).filter(ImageFilter.GaussianBlur(1)).save(path, quality=90)
        sources.append(path)
    photos = []
    for k in range(n):
        # a JPEG comment naming the shot makes every file's bytes (and hash) its own
        data = sources[k % len(sources)].read_bytes()
        comment = f"IMG_{k:04d}".encode()
        target = folder / f"IMG_{k:04d}.jpg"
        target.write_bytes(data[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + data[2:])
        photos.append(target)
    return photos


def store_photos(photos: list[Path], store: Path) -> tuple[list[str], float]:
    """The photos put into an attachment store as recording a hazard does: the original kept
    by hash and its print copy made (attachments.store_file calls the same function). Returns
    the hashes and the seconds the print copies took (paid once, when each photo is recorded)."""
    import hashlib

    from desktop.services.exchange import attachments

    shas, copying = [], 0.0
    for path in photos:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        target = attachments.blob_path(store, sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        start = time.perf_counter()
        attachments._make_print_copy(store, sha)
        copying += time.perf_counter() - start
        shas.append(sha)
    return shas, copying


def child(hazards: int, store: Path) -> None:
    from bench.bench_reports import _peak_rss_mb, register_data
    from desktop.reports import registers
    from desktop.reports.fonts import ensure_fonts
    from desktop.services.exchange import attachments

    ensure_fonts()
    shas = (store / "shas.txt").read_text().split()
    photos = [attachments.print_copy(store, sha) for sha in shas]  # as doc_data_periodic does
    base = register_data(hazards)
    rows = base.rows
    per = max(1, len(photos) // max(1, len(rows)))
    captions = [(p, f"{rows[i // per % len(rows)].number} {'整改前' if i % 2 == 0 else '整改后'} 1")
                for i, p in enumerate(photos)]
    data = dataclasses.replace(base, scope_label="绍兴市越城区某安置房项目", period_label="2026年3月",
                               photos=tuple(captions))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "monthly.pdf"
        start = time.perf_counter()
        registers.build_hazard_register_pdf(data, path)
        seconds = time.perf_counter() - start
        pages = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        page_line = [line for line in pages.splitlines() if line.startswith("Pages:")]
        print(json.dumps({"seconds": seconds, "size_mb": path.stat().st_size / 1e6,
                          "peak_mb": _peak_rss_mb(),
                          "pages": int(page_line[0].split()[1]) if page_line else 0}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=200)
    parser.add_argument("--photos", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.hazards, args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        photos = make_photos(folder, args.photos)
        source_mb = sum(p.stat().st_size for p in photos) / 1e6
        store = folder / "store"
        shas, copying = store_photos(photos, store)
        (store / "shas.txt").write_text("\n".join(shas))
        runs = []
        for _ in range(args.repeat):
            out = subprocess.run([sys.executable, "-m", "bench.bench_monthly", "--hazards", str(args.hazards),
                                  "--child", str(store)], capture_output=True, text=True, check=True)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(runs[-1], flush=True)
    seconds = statistics.median(r["seconds"] for r in runs)
    size = runs[-1]["size_mb"]
    peak = max(r["peak_mb"] for r in runs)
    lines = ["# A project's monthly hazard list with photos", "", f"Machine: {machine()}", "",
             f"{args.hazards} hazards and {args.photos} photos ({source_mb:.0f} MB of 12-megapixel JPEGs) in "
             "one PDF: the register, then 附：隐患整改前后照片 with every photo at print size "
             f"(150 dpi). Each run in a fresh process (no photo cache in memory); median of {args.repeat}.",
             "",
             "The photos come from the attachment store as the document service reads them: each",
             "photo's print copy (640 px, upright) is made when the photo is recorded, which took",
             f"{1000 * copying / len(photos):.0f} ms a photo here ({copying:.1f} s for all {len(photos)}, paid once, "
             "on the photo-import worker); without print copies the shrinking alone took ~37 ms",
             "a photo (7.3 s for 400 on two cores) in this document.",
             "The test photos are smooth (upscaled noise) and shrink to a few KB each. The worst case",
             "at this print size (299×224 px, JPEG quality 80) is pure noise: 47 KB, so 400 photos",
             "cannot pass ~19 MB; real site photos fall well below that.", "",
             "| seconds | PDF size (MB) | pages | peak memory (MB) |", "|---:|---:|---:|---:|",
             f"| {seconds:.2f} | {size:.1f} | {runs[-1]['pages']} | {peak:.0f} |", "",
             f"Target (issue #4): under 5 s and under 20 MB → **{'met' if seconds < 5 and size < 20 else 'not met'}**"
             f" ({seconds:.2f} s, {size:.1f} MB).", "",
             "Reproduce: `.venv/bin/python -m bench.bench_monthly`."]
    print("\n".join(lines))
    write_result("monthly-report", lines)


if __name__ == "__main__":
    main()
