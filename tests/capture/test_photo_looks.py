"""A stored photo's look (dHash) is kept on its attachment: taken once when the photo is
stored, or — for photos stored before it was kept and drafts received before — the first time
the inbox compares with them, then read from the database on every later start."""

from __future__ import annotations

import dataclasses
import re
import uuid

import pytest
from alembic import command
from sqlalchemy import select, update

from desktop.db import Database
from desktop.models import Attachment, CaptureDraft
from desktop.services import capture_inbox
from desktop.services.exchange import attachments, photo_folder, photo_look
from tests.capture.test_capture_photos import confirm, exif_bytes, one_draft, pinned  # noqa: F401
from tests.capture.test_capture_service import site  # noqa: F401
from tests.services.test_photo_folder import plain_jpeg, visit  # noqa: F401

HEX16 = re.compile(r"^[0-9a-f]{16}$")


@pytest.fixture
def hashes(monkeypatch):  # type: ignore[no-untyped-def]
    """Every look taken of a picture (stored photos and waiting draft photos), counted."""
    calls: list[int] = []
    real = photo_look.dhash_of

    def counted(im):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(im)

    monkeypatch.setattr(photo_look, "dhash_of", counted)
    return calls


def flag(database: Database, drafts, store, site):  # type: ignore[no-untyped-def]  # noqa: F811
    """The inbox's question on a program start of its own (a new Database, nothing in memory)."""
    fresh = Database(database.url)
    try:
        return capture_inbox.flag_near_duplicates(fresh, drafts, store_dir=store,
                                                  drafts_dir=site["tmp"] / "drafts")
    finally:
        fresh.dispose()


def looks_kept(database: Database) -> list[str | None]:
    with database.read() as s:
        return list(s.execute(select(Attachment.dhash).order_by(Attachment.id)).scalars())


def test_a_photo_is_hashed_once_when_stored_and_its_look_reused_after_a_restart(  # noqa: F811
        site, users, hashes):
    store = site["tmp"] / "store"
    first = one_draft(site, (("a.jpg", exif_bytes(7, "2026:12:07 09:00:00")),))
    again = one_draft(site, (("b.jpg", exif_bytes(7, size=(200, 150), quality=60)),))
    other = one_draft(site, (("c.jpg", exif_bytes(8)),))
    hashes.clear()  # the drafts' own looks were taken when they arrived
    hazard = confirm(site, first, users["clerk"], store)
    assert len(hashes) == 1  # taken while the photo was checked and stored
    [kept] = looks_kept(site["db"])
    assert kept is not None and HEX16.match(kept)
    for _start in range(2):
        flags = flag(site["db"], [again, other], store, site)
        assert flags == {again.id: (hazard.number,)}
    assert len(hashes) == 1  # neither start hashed the stored photo again
    assert looks_kept(site["db"]) == [kept]


def test_only_photos_get_a_look(site, users):  # noqa: F811
    store = site["tmp"] / "store"
    hazard = confirm(site, one_draft(site, (("a.jpg", exif_bytes(9)),)), users["clerk"], store)
    with site["db"].session() as s:
        attachments.store_file(s, users["clerk"], store_dir=store, original_name="整改回复.pdf",
                               data=b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                               owner_type="hazard", owner_id=hazard.id, role="evidence")
    photo, pdf = looks_kept(site["db"])
    assert photo is not None and HEX16.match(photo)
    assert pdf is None


def test_a_folder_import_keeps_each_photo_look(db, admin, visit, tmp_path, hashes):  # noqa: F811
    inspection_id, hazard_id = visit
    folder = tmp_path / "phone"
    folder.mkdir()
    for seed in (30, 31, 32):
        plain_jpeg(folder / f"IMG_20261207_09{seed}00.jpg", seed, size=(1280, 960))
    read = photo_folder.read_folder(photo_folder.folder_files(folder))
    hashes.clear()
    photo_folder.import_groups(db.session, admin, inspection_id=inspection_id,
                               store_dir=tmp_path / "store", assignments=[
                                   photo_folder.Assignment(hazard_id, "after", read.photos)])
    assert len(hashes) == 3  # one look a photo, from the decode that checks it
    with db.read() as s:
        kept = dict(s.execute(select(Attachment.sha256, Attachment.dhash)).all())
    for photo in read.photos:  # the folder's look and the stored one: the same picture
        assert photo_look.distance(int(kept[photo.sha256], 16), photo.dhash) <= 2


def test_a_photo_stored_before_looks_were_kept_is_compared_then_kept(  # noqa: F811
        site, users, hashes):
    store = site["tmp"] / "store"
    db = site["db"]
    hazard = confirm(site, one_draft(site, (("a.jpg", exif_bytes(7, "2026:12:07 09:00:00")),)),
                     users["clerk"], store)
    again = one_draft(site, (("b.jpg", exif_bytes(7, size=(200, 150), quality=60)),))
    [taken_when_stored] = looks_kept(db)
    # the database as the previous version left it: back to 0019 (no column), then upgraded
    with db.engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), "0019")
    db.dispose()
    db.migrate(backup=False)
    assert db.current_revision() == db.head_revision()
    assert looks_kept(db) == [None]  # the migration leaves the rows stored before empty
    hashes.clear()
    assert flag(db, [again], store, site) == {again.id: (hazard.number,)}
    assert len(hashes) == 1  # from the print copy, once
    [filled] = looks_kept(db)
    assert filled is not None and HEX16.match(filled)
    assert photo_look.distance(int(filled, 16), int(taken_when_stored, 16)) <= 2
    assert flag(db, [again], store, site) == {again.id: (hazard.number,)}
    assert len(hashes) == 1  # the next start reads it


def test_a_draft_received_before_looks_were_kept_gets_one_and_is_flagged(  # noqa: F811
        site, users, hashes):
    store = site["tmp"] / "store"
    db = site["db"]
    hazard = confirm(site, one_draft(site, (("a.jpg", exif_bytes(7, "2026:12:07 09:00:00")),)),
                     users["clerk"], store)
    old = one_draft(site, (("b.jpg", exif_bytes(7, size=(200, 150), quality=60)),
                           ("c.jpg", exif_bytes(8))))
    bare = [{k: v for k, v in p.items() if k != "dhash"} for p in old.photos]
    with db.session() as s:  # as a draft from before the look was kept arrives in the inbox
        s.execute(update(CaptureDraft).where(CaptureDraft.id == old.id).values(photos=bare))
    with db.read() as s:
        [listed] = capture_inbox.list_drafts(s, users["clerk"])
    assert [p.get("dhash") for p in listed.photos] == [None, None]
    hashes.clear()
    assert flag(db, [listed], store, site) == {listed.id: (hazard.number,)}
    assert len(hashes) == 2  # the draft's two waiting photos; the stored one's look was kept
    with db.read() as s:
        again = capture_inbox.get(s, old.id)
    assert [p["dhash"] for p in again.photos] == [p["dhash"] for p in old.photos]
    assert again.version == listed.version  # a look is no edit: the office's confirm still fits
    assert flag(db, [again], store, site) == {again.id: (hazard.number,)}
    assert len(hashes) == 2


def test_a_draft_without_its_waiting_photo_is_left_unflagged(site, users):  # noqa: F811
    store = site["tmp"] / "store"
    confirm(site, one_draft(site, (("a.jpg", exif_bytes(7)),)), users["clerk"], store)
    row = one_draft(site, (("b.jpg", exif_bytes(7, size=(200, 150))),))
    lost = dataclasses.replace(row, photos=(
        {"sha256": uuid.uuid4().hex * 2, "name": "b.jpg", "size": 1},))
    assert flag(site["db"], [lost], store, site) == {}


def test_the_look_is_imagehash_s_dhash_bit_for_bit():
    """photo_look computes dHash with Pillow alone; it must equal imagehash's, or looks kept
    before and after would not compare."""
    import random

    import imagehash
    from PIL import Image

    from desktop.services.exchange import photo_look

    rng = random.Random(2026)
    for i in range(60):
        size = (rng.randint(12, 300), rng.randint(12, 300))
        im = Image.effect_noise(size, rng.uniform(5, 120)).convert("L")
        if i % 3 == 0:
            im = Image.linear_gradient("L").resize(size).rotate(rng.randint(0, 90))
        expected = int(str(imagehash.dhash(im, hash_size=8)), 16)
        assert photo_look.dhash_of(im.copy()) == expected
