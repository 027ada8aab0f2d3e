"""Photo-folder import, timed: N phone-sized (12 MP) JPEGs read, grouped and flagged.

    .venv/bin/python -m bench.bench_photo_folder [--photos 500] [--bases 20] [--keep DIR]

Generation (outside the timing) paints `--bases` distinct 4000×3000 pictures (gradients and
noise, so they compress like photos, ~3–4 MB) and writes each of the N files as one of them
with its own EXIF DateTimeOriginal (a new group every few photos), so every file differs in
bytes and SHA-256 while the decoding work per file is that of a real 12 MP photo.

Timed: `read_folder` + `propose` (what the dialog waits for), against the bare work of the
same files: one thread reading each file, SHA-256, a full Pillow decode and a dHash.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import random
import shutil
import tempfile
import time
from pathlib import Path

import imagehash
from PIL import Image, ImageDraw

from bench.common import machine
from desktop.services.exchange import photo_folder

SIZE = (4000, 3000)


def base_picture(seed: int) -> bytes:
    rng = random.Random(seed)
    gradient = Image.linear_gradient("L").rotate(rng.randrange(360)).resize(SIZE)
    noise = Image.effect_noise(SIZE, 24)
    tint = Image.new("L", SIZE, rng.randrange(40, 200))
    image = Image.merge("RGB", (gradient, noise, tint))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(SIZE[0]), rng.randrange(SIZE[1])
        draw.rectangle((x, y, x + rng.randrange(200, 900), y + rng.randrange(200, 900)),
                       fill=tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def with_time(jpeg: bytes, taken: dt.datetime) -> bytes:
    """The JPEG with an EXIF block carrying `taken` as DateTimeOriginal (pixels untouched)."""
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    payload = b"Exif\x00\x00" + exif.tobytes()
    segment = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    return jpeg[:2] + segment + jpeg[2:]


def generate(folder: Path, photos: int, bases: int) -> None:
    pictures = [base_picture(seed) for seed in range(bases)]
    taken = dt.datetime(2026, 12, 7, 8, 30)
    for n in range(photos):
        taken += dt.timedelta(minutes=12 if n % 6 == 0 else 0, seconds=40)
        (folder / f"IMG_{n:04d}.jpg").write_bytes(with_time(pictures[n % bases], taken))


def bare(files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        data = path.read_bytes()
        hashlib.sha256(data).hexdigest()
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            imagehash.dhash(im)
    return time.perf_counter() - start


def ours(files: list[Path]) -> tuple[float, photo_folder.Proposal]:
    start = time.perf_counter()
    proposal = photo_folder.propose(photo_folder.read_folder(files))
    return time.perf_counter() - start, proposal


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=500)
    parser.add_argument("--bases", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="generate into (and keep) this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="photo-folder-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        if not any(folder.glob("IMG_*.jpg")):
            t0 = time.perf_counter()
            generate(folder, args.photos, args.bases)
            print(f"generated {args.photos} files in {time.perf_counter() - t0:.1f} s (not timed)")
        files = photo_folder.folder_files(folder)
        mb = sum(p.stat().st_size for p in files) / 1e6
        ours(files[: min(10, len(files))])  # warm-up: imports, the page cache for a few files
        took, proposal = ours(files)
        base = bare(files)
        print(machine())
        print(f"{len(files)} files, {mb:.0f} MB; {len(proposal.groups)} groups, "
              f"{sum(p.is_duplicate for g in proposal.groups for p in g.photos)} exact duplicates, "
              f"{sum(bool(p.near_of) for g in proposal.groups for p in g.photos)} near-duplicates")
        print(f"read + grouped: {took:.1f} s ({took / len(files) * 1000:.0f} ms a photo)")
        print(f"bare Pillow decode + SHA-256 + dHash, one thread: {base:.1f} s")
        print(f"ratio: {took / base:.2f}")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
