"""Importing many photos: originals stored by hash, bad files reported with a reason, cancel."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from desktop.services import hazards
from desktop.services.context import Cancelled
from desktop.services.exchange import attachments, photo_import
from desktop.services.exchange.photo_import import PhotoSource
from tests.factories import make_project


def jpeg(colour: str = "orange", size=(90, 60), orientation: int | None = None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, colour)
    if orientation is None:
        image.save(out, "JPEG")
    else:
        exif = Image.Exif()
        exif[0x0112] = orientation
        image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def heic(colour: str = "red") -> bytes:
    import pillow_heif

    out = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (64, 48), colour)).save(out, quality=60)
    return out.getvalue()


@pytest.fixture
def hazard(db, admin):
    with db.session() as session:
        ids = make_project(session, admin)
        return hazards.record(
            session,
            admin,
            hazards.HazardForm(
                project_id=ids.project, description="临边防护缺失", level=3, measures="设置防护栏杆"
            ),
        ).id


@pytest.fixture
def store(tmp_path):
    return tmp_path / "store"


def write(folder, name: str, data: bytes):  # type: ignore[no-untyped-def]
    path = folder / name
    path.write_bytes(data)
    return path


def test_good_files_are_kept_and_bad_ones_reported(db, admin, hazard, store, tmp_path):
    files = tmp_path / "in"
    files.mkdir()
    good = [
        write(files, f"IMG_{n:03d}.jpg", jpeg(colour))
        for n, colour in enumerate(("red", "green", "blue", "white", "black"))
    ]
    corrupt = write(files, "broken.jpg", jpeg()[:200])
    text = write(files, "notes.jpg", "这不是图片".encode())
    empty = write(files, "empty.jpg", b"")
    phone = write(files, "IMG_0001.HEIC", heic())
    sources = photo_import.sources_from(
        [good[0], corrupt, good[1], text, empty, phone, *good[2:], files / "gone.jpg", good[0]]
    )
    result = photo_import.import_photos(
        db.session, admin, owner_id=hazard, sources=sources, store_dir=store, batch=3
    )
    assert sorted(r.original_name for r in result.stored) == sorted(
        [p.name for p in good] + ["IMG_0001.HEIC"]
    )
    reasons = {f.name: f.reason for f in result.failed}
    assert set(reasons) == {"broken.jpg", "notes.jpg", "empty.jpg", "gone.jpg", "IMG_000.jpg"}
    assert "损坏" in reasons["broken.jpg"]
    assert "不是照片" in reasons["notes.jpg"]
    assert "为空" in reasons["empty.jpg"]
    assert "不存在" in reasons["gone.jpg"]
    assert "重复" in reasons["IMG_000.jpg"]
    assert "以下 5 个文件未保存" in result.summary()
    assert result.changes.hazards and result.changes.ids["hazards"] == {hazard}
    with db.read() as session:
        stored = attachments.list_for(session, "hazard", hazard)
    assert len(stored) == 6 and {a.role for a in stored} == {"before"}
    heif_row = next(a for a in stored if a.original_name == "IMG_0001.HEIC")
    assert heif_row.mime == "image/heic"
    for row in stored:  # the original, byte for byte, under its own hash
        blob = attachments.open_path(store, row.sha256).read_bytes()
        assert hashlib.sha256(blob).hexdigest() == row.sha256


def test_a_photo_already_on_the_record_is_not_added_twice(db, admin, hazard, store):
    photo = [PhotoSource("a.jpg", data=jpeg())]
    photo_import.import_photos(db.session, admin, owner_id=hazard, sources=photo, store_dir=store)
    again = photo_import.import_photos(
        db.session, admin, owner_id=hazard, sources=photo, store_dir=store
    )
    assert again.stored == [] and "重复" in again.failed[0].reason
    after = photo_import.import_photos(
        db.session, admin, owner_id=hazard, sources=photo, store_dir=store, role="after"
    )
    assert len(after.stored) == 1  # the same picture may serve as an after-photo


def test_cancel_keeps_the_batches_done(db, admin, hazard, store):
    sources = [PhotoSource(f"{n}.png", data=_png(n)) for n in range(7)]
    seen = []

    def progress(done, total, text):  # type: ignore[no-untyped-def]
        seen.append((done, total))
        return done < 4

    with pytest.raises(Cancelled, match="已保存 4 张"):
        photo_import.import_photos(
            db.session,
            admin,
            owner_id=hazard,
            sources=sources,
            store_dir=store,
            progress=progress,
            batch=3,
        )
    with db.read() as session:
        assert len(attachments.list_for(session, "hazard", hazard)) == 4
    assert seen[-1] == (4, 7)


def test_a_reviewer_may_not_add_photos(db, users, hazard, store):
    from desktop.services.context import PermissionDenied

    with pytest.raises(PermissionDenied):
        photo_import.import_photos(
            db.session,
            users["reviewer"],
            owner_id=hazard,
            sources=[PhotoSource("a.jpg", data=jpeg())],
            store_dir=store,
        )


def test_previews_are_upright(tmp_path):
    sideways = PhotoSource("s.jpg", data=jpeg(size=(90, 60), orientation=6))
    with Image.open(io.BytesIO(photo_import.preview_jpeg(sideways, 64))) as im:
        assert im.size[1] > im.size[0]  # turned upright: taller than wide
    with Image.open(io.BytesIO(photo_import.preview_jpeg(PhotoSource("h", data=heic()), 32))) as im:
        assert max(im.size) == 32


def _png(n: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20 + n, 20), "blue").save(out, "PNG")
    return out.getvalue()
