"""Attachment-store housekeeping: remove files a crashed transaction (or a purge) left without
a row, with their thumbnails and print copies.

A file is written (and synced) before the row that names it is committed, so a crash can
leave a file nobody references — never a row without its file. Those orphans are swept at
start-up once they are older than a grace period, so a transaction still running on
another desk never loses the file it just wrote.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import CompoundSelect, select, union
from sqlalchemy.orm import Session

from desktop.fileutil import remove_file
from desktop.models import AgencyProfile, Attachment, Document
from desktop.services import letterhead
from desktop.services.exchange.attachments import THUMBS

log = logging.getLogger("desktop.services.exchange.store_gc")
GRACE_SECONDS = 3600


@dataclass(frozen=True)
class SweepReport:
    removed: tuple[str, ...]
    kept_young: int


def referenced(session: Session) -> set[str]:
    stmt: CompoundSelect[str | None] = union(
        select(Attachment.sha256),
        select(Document.file_sha256).where(Document.file_sha256.is_not(None)),
        select(AgencyProfile.logo_sha256).where(AgencyProfile.logo_sha256.is_not(None)),
    )
    return {r[0] for r in session.execute(stmt) if r[0] is not None} | letterhead.referenced(session)


def _blobs(store: Path) -> Iterator[Path]:
    if not store.is_dir():
        return
    for first in store.iterdir():
        if len(first.name) != 2 or not first.is_dir():
            continue  # thumbs/ and anything else that is not a hash folder
        for second in first.iterdir():
            if second.is_dir():
                yield from (f for f in second.iterdir() if f.is_file() and len(f.name) == 64)


def _copies(store: Path) -> Iterator[Path]:
    """thumbs/<size>/<xx>/<sha>.jpg: the shrunk copies attachments.thumbnail keeps."""
    thumbs = store / THUMBS
    if thumbs.is_dir():
        yield from (f for f in thumbs.glob("*/*/*.jpg") if f.is_file() and len(f.stem) == 64)


def sweep_orphans(session: Session, store_dir: Path | str, *,
                  grace_seconds: float = GRACE_SECONDS) -> SweepReport:
    store = Path(store_dir)
    keep = referenced(session)
    cutoff = time.time() - grace_seconds
    removed: list[str] = []
    young = 0
    for blob in _blobs(store):
        if blob.name in keep:
            continue
        if blob.stat().st_mtime > cutoff:
            young += 1
            continue
        remove_file(blob)  # stored read-only
        removed.append(blob.name)
    # thumbnails and print copies of a file that is gone (or never referenced) go with it:
    # a photo destroyed with its archive must leave no smaller copy behind
    for copy in _copies(store):
        if copy.stem in keep or copy.stat().st_mtime > cutoff:
            continue
        copy.unlink(missing_ok=True)
    for tmp in store.rglob(".*.part") if store.is_dir() else ():
        if tmp.stat().st_mtime <= cutoff:
            tmp.unlink(missing_ok=True)
    if removed:
        log.info("removed %d orphaned attachment files", len(removed))
    return SweepReport(tuple(removed), young)
