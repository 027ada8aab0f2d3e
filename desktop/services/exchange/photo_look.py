"""A photo's look as 64 bits: the difference hash (dHash, as `imagehash` defines it) near-duplicates are
found by, and its text form as an attachment row and a draft keep it (16 hex digits).

Below the attachment store (which takes the look of a photo while it checks it) and the
near-duplicate search (`photo_similar`); it imports nothing of `desktop/`.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

NEAR_DISTANCE = 6  # of 64 bits: a re-saved, resized or slightly recropped copy, or the same view
HASH_SIZE = 8
_DRAFT = (128, 128)
READ_ERRORS = (OSError, SyntaxError, ValueError, EOFError, UnidentifiedImageError,
               Image.DecompressionBombError)


def dhash_of(im: Image.Image) -> int:
    """The dHash of an open image (turned upright first; JPEG decoded at a small scale).

    The difference hash as `imagehash.dhash` computes it — grey, LANCZOS down to 9×8, each bit
    "brighter than its left neighbour", row by row, the first bit the highest — written with
    Pillow alone, so that storing a photo does not import numpy and SciPy (bit for bit the same:
    tests/capture/test_photo_looks.py compares the two)."""
    im.draft("L", _DRAFT)
    small = ImageOps.exif_transpose(im.convert("L"))
    grid = small.resize((HASH_SIZE + 1, HASH_SIZE), Image.Resampling.LANCZOS).tobytes()
    code = 0
    for y in range(HASH_SIZE):
        row = grid[y * (HASH_SIZE + 1):(y + 1) * (HASH_SIZE + 1)]
        for x in range(HASH_SIZE):
            code = (code << 1) | (row[x + 1] > row[x])
    return code


def dhash_of_bytes(data: bytes) -> int | None:
    """The dHash of a picture's bytes; None when it cannot be read."""
    if data[4:8] == b"ftyp":
        import pillow_heif

        pillow_heif.register_heif_opener()
    try:
        with Image.open(io.BytesIO(data)) as im:
            return dhash_of(im)
    except READ_ERRORS:
        return None


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def as_text(code: int) -> str:
    """The 16 hex digits a look is kept as (a 64-bit value fits no signed SQL integer)."""
    return f"{code:016x}"


def from_text(text: str | None) -> int | None:
    """A kept look back as a number; None when none is kept (or it is not 16 hex digits)."""
    if not text or len(text) != 16:
        return None
    try:
        return int(text, 16)
    except ValueError:
        return None
