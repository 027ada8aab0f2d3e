"""The start-up sweep removes files no row names, and the shrunk copies made of them."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import delete

from desktop.models import Attachment
from desktop.services.exchange import attachments, store_gc
from tests.factories import make_project


def photo(colour: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (1600, 1200), colour).save(buf, "JPEG")
    return buf.getvalue()


def test_a_purged_photo_leaves_no_original_thumbnail_or_print_copy(db, admin, tmp_path):
    store = tmp_path / "store"
    with db.session() as s:
        project = make_project(s, admin).project
        kept = attachments.store_file(s, admin, store_dir=store, data=photo("red"),
                                      owner_type="project", owner_id=project, role="before")
        gone = attachments.store_file(s, admin, store_dir=store, data=photo("blue"),
                                      owner_type="project", owner_id=project, role="before")
    for row in (kept, gone):
        attachments.thumbnail(store, row.sha256)  # as the photo strip shows it
    copies = {row.sha256: sorted(p for p in (store / attachments.THUMBS).rglob(f"{row.sha256}.jpg"))
              for row in (kept, gone)}
    assert all(len(found) == 2 for found in copies.values())  # 256 px and the print copy
    with db.session() as s:  # the row purged (the recycle bin's last step)
        s.execute(delete(Attachment).where(Attachment.id == gone.id))
    with db.read() as s:
        young = store_gc.sweep_orphans(s, store)  # within the grace period: everything stays
        assert young.removed == () and all(p.is_file() for p in copies[gone.sha256])
        report = store_gc.sweep_orphans(s, store, grace_seconds=0)
    assert report.removed == (gone.sha256,)
    assert not attachments.blob_path(store, gone.sha256).exists()
    assert not any(p.exists() for p in copies[gone.sha256])
    assert all(p.is_file() for p in copies[kept.sha256])
    assert attachments.blob_path(store, kept.sha256).is_file()
