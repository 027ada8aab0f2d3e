"""Photos that look alike: a 64-bit difference hash (dHash, `imagehash`) and the hazard photos
already stored for a project, so a new photo can be compared with them.

The hash of a stored photo is taken from its print copy (small, upright, made when it was
stored) and remembered by content hash: a file stored by its SHA-256 never changes, so the
remembered value can never be stale.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import Attachment, Hazard
from desktop.services.exchange.attachments import IMAGE_MIMES, print_copy

NEAR_DISTANCE = 6  # of 64 bits: a re-saved, resized or slightly recropped copy, or the same view
HASH_SIZE = 8
_DRAFT = (128, 128)
_READ_ERRORS = (OSError, SyntaxError, ValueError, EOFError, UnidentifiedImageError,
                Image.DecompressionBombError)


@dataclass(frozen=True)
class StoredPhoto:
    hazard_number: str
    sha256: str
    dhash: int


def dhash_of(im: Image.Image) -> int:
    """The dHash of an open image (turned upright first; JPEG decoded at a small scale)."""
    import imagehash  # with numpy: loaded on the first hash, not with every screen that lists drafts

    im.draft("L", _DRAFT)
    small = ImageOps.exif_transpose(im.convert("L"))
    return int(str(imagehash.dhash(small, hash_size=HASH_SIZE)), 16)


def dhash_of_bytes(data: bytes) -> int | None:
    """The dHash of a picture's bytes; None when it cannot be read."""
    if data[4:8] == b"ftyp":
        import pillow_heif

        pillow_heif.register_heif_opener()
    try:
        with Image.open(io.BytesIO(data)) as im:
            return dhash_of(im)
    except _READ_ERRORS:
        return None


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


@functools.lru_cache(maxsize=8192)
def _stored_dhash(store_dir: str, sha: str) -> int | None:
    try:
        with Image.open(print_copy(store_dir, sha)) as im:
            return dhash_of(im)
    except _READ_ERRORS:
        return None


def stored_dhash(store_dir: Path | str, sha: str) -> int | None:
    """The dHash of a stored photo (None when it is missing or unreadable)."""
    return _stored_dhash(str(store_dir), sha)


def project_hazard_photos(session: Session, project_id: int,
                          store_dir: Path | str) -> list[StoredPhoto]:
    """The project's hazard photos (before and after, hazards not deleted) with their hashes."""
    rows = session.execute(
        select(Hazard.number, Attachment.sha256)
        .join(Attachment, (Attachment.owner_type == "hazard") & (Attachment.owner_id == Hazard.id))
        .where(Hazard.project_id == project_id, Hazard.deleted_at.is_(None),
               Attachment.mime.in_(sorted(IMAGE_MIMES)),
               Attachment.role.in_(("before", "after")))
        .order_by(Hazard.number, Attachment.id)).all()
    found = []
    for number, sha in rows:
        code = stored_dhash(store_dir, sha)
        if code is not None:
            found.append(StoredPhoto(number, sha, code))
    return found
