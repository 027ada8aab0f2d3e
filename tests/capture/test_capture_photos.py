"""Phone photos keep when they were taken; a draft is found when its photo was taken; a draft
whose photo looks like a hazard photo already stored for the project is flagged."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from PIL import Image

from desktop import clock
from desktop.services import capture_inbox, hazards
from desktop.services.exchange import attachments
from desktop.services.periods import parse
from desktop.services.queries.doc_data_periodic import hazard_photos, scope_of
from tests.capture.test_capture_service import draft_form, pair, send, site  # noqa: F401
from tests.services.test_photo_folder import picture

NOON = dt.datetime(2026, 12, 7, 4, 0, tzinfo=dt.UTC)  # 12:00 in China


@pytest.fixture(autouse=True)
def pinned(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(clock, "system_time", lambda: NOON)


def exif_bytes(seed: int, taken: str | None = None, *, size=(320, 240), quality: int = 90) -> bytes:
    exif = Image.Exif()
    if taken is not None:
        exif.get_ifd(0x8769)[0x9003] = taken
    out = io.BytesIO()
    picture(seed).resize(size).save(out, "JPEG", exif=exif, quality=quality)
    return out.getvalue()


def one_draft(site, photos) -> capture_inbox.DraftRow:  # type: ignore[no-untyped-def]  # noqa: F811
    status, body = send(site, pair(site), draft_form(site, uuid.uuid4().hex, photos=photos))
    assert status == 201, body
    with site["db"].read() as s:
        return capture_inbox.get(s, body["id"])


def confirm(site, row, clerk, store):  # type: ignore[no-untyped-def]  # noqa: F811
    form = hazards.HazardForm(project_id=0, description=row.description, level=row.level,
                              location=row.location, measures="立即恢复临边防护栏杆")
    with site["db"].session() as s:
        return capture_inbox.confirm(s, clerk, row.id, expected_version=row.version, form=form,
                                     store_dir=store, drafts_dir=site["tmp"] / "drafts")


def test_the_draft_is_found_when_its_photo_was_taken_not_when_it_arrived(site):  # noqa: F811
    row = one_draft(site, (("x.jpg", exif_bytes(1, "2026:12:07 09:31:05")),
                           ("IMG_20261207_093012.jpg", exif_bytes(2)),
                           ("old.jpg", exif_bytes(3, "2026:11:20 08:00:00"))))  # from the gallery
    times = [(c.taken_at, c.source) for c in row.captures]
    assert times == [(dt.datetime(2026, 12, 7, 9, 31, 5), "exif"),
                     (dt.datetime(2026, 12, 7, 9, 30, 12), "name"),
                     (dt.datetime(2026, 11, 20, 8, 0), "exif")]
    assert row.found_at == dt.datetime(2026, 12, 7, 9, 30, 12)  # the earliest of today's photos
    assert capture_inbox.photo_line(row.photos[0]) == "拍摄于 2026-12-07 09:31（照片信息）"


def test_without_a_photo_time_the_draft_is_found_when_it_arrived(site):  # noqa: F811
    row = one_draft(site, (("photo.jpg", exif_bytes(4)),))
    assert row.captures[0].taken_at is None
    assert row.found_at == dt.datetime(2026, 12, 7, 12, 0)


def test_confirmed_photos_keep_their_capture_time_into_the_register(site, users):  # noqa: F811
    row = one_draft(site, (("x.jpg", exif_bytes(5, "2026:12:07 10:15:00")),))
    store = site["tmp"] / "store"
    hazard = confirm(site, row, users["clerk"], store)
    assert hazard.found_at == dt.datetime(2026, 12, 7, 10, 15)
    with site["db"].read() as s:
        [photo] = attachments.list_for(s, "hazard", hazard.id)
        listed = hazard_photos(s, scope_of(s, "project", site["project"]), parse("2026-12"),
                               store, today=clock.today())
    assert (photo.taken_at, photo.taken_source) == (dt.datetime(2026, 12, 7, 10, 15), "exif")
    assert [caption for _path, caption in listed] == [
        f"{hazard.number} 整改前 1\n拍摄于 2026-12-07 10:15（照片信息）"]


def test_a_photo_like_a_stored_one_on_the_project_is_flagged(site, users):  # noqa: F811
    store = site["tmp"] / "store"
    first = one_draft(site, (("a.jpg", exif_bytes(7, "2026:12:07 09:00:00")),))
    hazard = confirm(site, first, users["clerk"], store)
    # the same view again, smaller and saved again; and a different picture
    again = one_draft(site, (("b.jpg", exif_bytes(7, size=(200, 150), quality=60)),))
    other = one_draft(site, (("c.jpg", exif_bytes(8)),))
    with site["db"].read() as s:
        flags = capture_inbox.near_duplicates(s, [again, other], store_dir=store)
    assert flags == {again.id: (hazard.number,)}
    assert capture_inbox.near_note(flags[again.id]) == f"可能重复：与 {hazard.number} 的照片相似"
