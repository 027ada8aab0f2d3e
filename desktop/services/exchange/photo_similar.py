"""Photos that look alike: the hazard photos already stored for a project with their looks
(dHash, `photo_look`), so a new photo can be compared with them.

A stored photo's look is kept on its attachment row (`attachments.dhash`), taken when the
photo is stored. Rows stored before the column existed have none: their look is taken here
from the print copy (small, upright, made when the photo was stored), handed back to the
caller in `computed`, and written to every row of that file by `keep_looks` in one bulk
update — a file stored by its SHA-256 never changes, so the kept value can never be stale and
each photo is hashed once, ever.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from desktop.models import Attachment, Hazard
from desktop.services.exchange import photo_look
from desktop.services.exchange.attachments import IMAGE_MIMES, print_copy
from desktop.services.exchange.photo_look import (
    HASH_SIZE,
    NEAR_DISTANCE,
    dhash_of,
    dhash_of_bytes,
    distance,
)

__all__ = ["HASH_SIZE", "NEAR_DISTANCE", "StoredPhoto", "dhash_of", "dhash_of_bytes", "distance",
           "keep_looks", "project_hazard_photos", "stored_dhash"]


@dataclass(frozen=True)
class StoredPhoto:
    hazard_number: str
    sha256: str
    dhash: int


def stored_dhash(store_dir: Path | str, sha: str) -> int | None:
    """The dHash of a stored photo from its print copy (None when missing or unreadable)."""
    try:
        with Image.open(print_copy(store_dir, sha)) as im:
            return photo_look.dhash_of(im)
    except photo_look.READ_ERRORS:
        return None


def project_hazard_photos(session: Session, project_id: int, store_dir: Path | str, *,
                          computed: dict[str, int] | None = None) -> list[StoredPhoto]:
    """The project's hazard photos (before and after, hazards not deleted) with their looks.

    A row without a kept look gets it from the print copy; the new looks are added to
    `computed` (SHA-256 → dHash) for `keep_looks`.
    """
    rows = session.execute(
        select(Hazard.number, Attachment.sha256, Attachment.dhash)
        .join(Attachment, (Attachment.owner_type == "hazard") & (Attachment.owner_id == Hazard.id))
        .where(Hazard.project_id == project_id, Hazard.deleted_at.is_(None),
               Attachment.mime.in_(sorted(IMAGE_MIMES)),
               Attachment.role.in_(("before", "after")))
        .order_by(Hazard.number, Attachment.id)).all()
    new = computed if computed is not None else {}
    found = []
    for number, sha, kept in rows:
        code = photo_look.from_text(kept)
        if code is None:
            code = new.get(sha)
        if code is None:
            code = stored_dhash(store_dir, sha)
            if code is not None:
                new[sha] = code
        if code is not None:
            found.append(StoredPhoto(number, sha, code))
    return found


def keep_looks(session: Session, looks: Mapping[str, int]) -> int:
    """Write looks (SHA-256 → dHash) onto the attachment rows of those files that have none,
    in one bulk update; how many files were given. A derived value of bytes that never
    change, like the print copy: no user's change, so no audit entry."""
    if not looks:
        return 0
    table = Attachment.__table__
    session.execute(
        update(table).where(table.c.sha256 == bindparam("file_sha"), table.c.dhash.is_(None))
        .values(dhash=bindparam("look")),
        [{"file_sha": sha, "look": photo_look.as_text(code)} for sha, code in sorted(looks.items())])
    return len(looks)
