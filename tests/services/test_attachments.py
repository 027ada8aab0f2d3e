"""The attachment store: content-addressed, checked by content, thumbnails upright, verified against rows."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile

import pytest
from PIL import Image
from sqlalchemy import select

from desktop.models import AuditEntry
from desktop.services.context import NotFound, PermissionDenied, ValidationError
from desktop.services.exchange import attachments
from tests.factories import make_project


def jpeg(size=(120, 80), colour="orange", *, orientation: int | None = None) -> bytes:
    im = Image.new("RGB", size, colour)
    out = io.BytesIO()
    if orientation is None:
        im.save(out, "JPEG", quality=90)
    else:
        exif = Image.Exif()
        exif[0x0112] = orientation
        im.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (30, 20), (0, 128, 0, 128)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def store(tmp_path):
    return tmp_path / "attachments"


@pytest.fixture
def project(db, admin):
    with db.session() as session:
        return make_project(session, admin).project


def put(db, actor, store, *, owner_id, owner_type="project", **kwargs):
    with db.session() as session:
        return attachments.store_file(session, actor, store_dir=store, owner_type=owner_type,
                                      owner_id=owner_id, **kwargs)


def test_store_keeps_file_once_by_hash(db, users, store, project):
    data = jpeg()
    row = put(db, users["clerk"], store, owner_id=project, data=data, original_name="现场.jpg",
              role="before", caption="东侧临边")
    sha = hashlib.sha256(data).hexdigest()
    path = store / sha[:2] / sha[2:4] / sha
    assert row.sha256 == sha and row.size == len(data) and path.read_bytes() == data
    assert (row.mime, row.width, row.height, row.is_image) == ("image/jpeg", 120, 80, True)
    assert (row.original_name, row.role, row.caption) == ("现场.jpg", "before", "东侧临边")
    assert not os.access(path, os.W_OK) or os.geteuid() == 0  # originals are read-only
    assert oct(path.stat().st_mode & 0o777) == oct(0o444)
    with db.read() as session:
        entry = session.execute(select(AuditEntry).order_by(AuditEntry.id.desc())).scalars().first()
        assert (entry.entity, entry.entity_id, entry.after["sha256"]) == ("attachments", row.id, sha)
        assert attachments.list_for(session, "project", project) == [row]
        assert attachments.get(session, row.id) == row
    assert attachments.open_path(store, sha) == path


def test_identical_content_for_two_owners_is_stored_once(db, admin, store, project):
    with db.session() as session:
        other = make_project(session, admin).project
    data = jpeg(colour="navy")
    first = put(db, admin, store, owner_id=project, data=data, original_name="a.jpg")
    second = put(db, admin, store, owner_id=other, data=data, original_name="b.jpg")
    assert first.id != second.id and first.sha256 == second.sha256
    blobs = [p for p in store.rglob("*") if p.is_file()]
    assert blobs == [attachments.blob_path(store, first.sha256)]


def test_store_from_path_with_hostile_name(db, admin, project, tmp_path):
    outer = tmp_path / "outer"
    store = outer / "deep" / "store"
    source = tmp_path / "upload.pdf"
    source.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    row = put(db, admin, store, owner_id=project, path=source,
              original_name="../../../etc/passwd\x00.pdf", role="document")
    assert row.mime == "application/pdf" and row.width is None
    assert row.original_name == "passwd.pdf"
    written = {p.relative_to(outer).as_posix() for p in outer.rglob("*") if p.is_file()}
    assert written == {f"deep/store/{row.sha256[:2]}/{row.sha256[2:4]}/{row.sha256}"}
    assert not any("passwd" in p.name for p in tmp_path.rglob("*"))
    unnamed = put(db, admin, store, owner_id=project, data=png(), original_name="..\\..\\")
    assert unnamed.original_name == f"{unnamed.sha256[:12]}.png"


def test_types_are_detected_by_content(db, admin, store, project):
    import pillow_heif

    heif = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (64, 48), "red")).save(heif, quality=60)
    xlsx, docx = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(xlsx, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("word/document.xml", "<document/>")
    found = {
        name: put(db, admin, store, owner_id=project, data=data, original_name=name)
        for name, data in (("a.heic.jpg", heif.getvalue()), ("b.png", png()),
                           ("c.xlsx", xlsx.getvalue()), ("d.docx", docx.getvalue()))
    }
    assert (found["a.heic.jpg"].mime, found["a.heic.jpg"].width, found["a.heic.jpg"].height) == (
        "image/heic", 64, 48)
    assert (found["b.png"].mime, found["b.png"].width) == ("image/png", 30)
    assert found["c.xlsx"].mime.endswith("spreadsheetml.sheet")
    assert found["d.docx"].mime.endswith("wordprocessingml.document")
    assert len(attachments.thumbnail(store, found["a.heic.jpg"].sha256, 32)) > 0


@pytest.mark.parametrize(("data", "words"), [
    (b"", "为空"),
    (jpeg()[:300], "损坏"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "损坏"),
    (b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "损坏"),
    (b"MZ\x90\x00 this is a program", "不支持的文件类型"),
    (b"PK\x03\x04 not really a zip", "损坏"),
    (b"%PDF-1.7\n truncated", "PDF"),
])
def test_bad_files_are_refused(db, admin, store, project, data, words):
    with pytest.raises(ValidationError) as info:
        put(db, admin, store, owner_id=project, data=data, original_name="x.jpg")
    assert words in info.value.message
    assert not any(p.is_file() for p in store.rglob("*")) if store.exists() else True


def test_size_limit_and_permissions(db, users, store, project, tmp_path):
    with pytest.raises(ValidationError, match="过大"):
        put(db, users["admin"], store, owner_id=project, data=jpeg(), max_size=100)
    with pytest.raises(PermissionDenied):
        put(db, users["reviewer"], store, owner_id=project, data=jpeg())
    with pytest.raises(PermissionDenied):  # inspectors attach to hazards, not to project files
        put(db, users["inspector"], store, owner_id=project, data=jpeg())
    with pytest.raises(ValidationError, match="归属类型"):
        put(db, users["admin"], store, owner_id=project, owner_type="../../x", data=jpeg())
    with pytest.raises(NotFound):
        put(db, users["admin"], store, owner_id=999_999, data=jpeg())
    with pytest.raises(ValidationError, match="无法读取"):
        put(db, users["admin"], store, owner_id=project, path=tmp_path / "nope.jpg")


def test_thumbnail_is_upright_and_cached(db, admin, store, project):
    im = Image.new("RGB", (200, 100), "blue")
    im.paste(Image.new("RGB", (100, 100), "red"), (0, 0))  # left half red as stored
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: show rotated 90° clockwise
    im.save(out, "JPEG", quality=95, exif=exif)
    row = put(db, admin, store, owner_id=project, data=out.getvalue())
    assert (row.width, row.height) == (100, 200)  # as the picture is seen
    thumb = Image.open(io.BytesIO(attachments.thumbnail(store, row.sha256, 64)))
    assert thumb.size == (32, 64)
    top, bottom = thumb.getpixel((16, 4)), thumb.getpixel((16, 60))
    assert top[0] > 200 and top[2] < 60  # red on top
    assert bottom[2] > 200 and bottom[0] < 60  # blue below
    cached = store / "thumbs" / "64" / row.sha256[:2] / f"{row.sha256}.jpg"
    assert cached.is_file()
    cached.write_bytes(b"cached")
    assert attachments.thumbnail(store, row.sha256, 64) == b"cached"


def test_thumbnail_of_non_image_and_bad_hashes(db, admin, store, project):
    pdf = put(db, admin, store, owner_id=project, data=b"%PDF-1.4\n%%EOF\n")
    with pytest.raises(ValidationError, match="不是图片"):
        attachments.thumbnail(store, pdf.sha256)
    for bad in ("../../etc/passwd", "A" * 64, pdf.sha256[:-1]):
        with pytest.raises(NotFound):
            attachments.open_path(store, bad)
    with pytest.raises(NotFound, match="缺失"):
        attachments.open_path(store, "0" * 64)


def test_verify_store_finds_missing_changed_and_orphan_files(db, admin, store, project):
    kept = put(db, admin, store, owner_id=project, data=jpeg(colour="green"))
    lost = put(db, admin, store, owner_id=project, data=jpeg(colour="white"))
    edited = put(db, admin, store, owner_id=project, data=jpeg(colour="black"))
    attachments.thumbnail(store, kept.sha256)  # thumbnails are not orphans
    with db.read() as session:
        assert attachments.verify_store(session, store).ok
    attachments.blob_path(store, lost.sha256).unlink()
    changed = attachments.blob_path(store, edited.sha256)
    changed.chmod(0o644)
    changed.write_bytes(b"edited by someone")
    stray_sha = hashlib.sha256(b"nobody").hexdigest()
    stray = attachments.blob_path(store, stray_sha)
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"nobody")
    (store / kept.sha256[:2] / "notes.txt").write_bytes(b"?")
    with db.read() as session:
        report = attachments.verify_store(session, store)
        quick = attachments.verify_store(session, store, hash_files=False)
    assert report.missing == (lost.sha256,)
    assert report.changed == (edited.sha256,)
    assert report.orphans == (stray_sha, f"{kept.sha256[:2]}/notes.txt")
    assert report.checked == 2 and not report.ok
    assert quick.changed == () and quick.missing == (lost.sha256,)


def test_storing_again_repairs_a_truncated_copy(db, admin, store, project):
    data = jpeg(colour="purple")
    row = put(db, admin, store, owner_id=project, data=data)
    path = attachments.blob_path(store, row.sha256)
    path.chmod(0o644)
    path.write_bytes(data[:10])
    put(db, admin, store, owner_id=project, data=data)
    assert path.read_bytes() == data
    with db.read() as session:
        assert attachments.verify_store(session, store).ok


def test_a_hazard_photo_gets_its_print_copy_when_recorded(db, admin, store, project):
    big = jpeg(size=(2000, 1500), orientation=6)  # lying on its side in the file
    row = put(db, admin, store, owner_id=project, data=big, role="before")
    copy = attachments.print_copy(store, row.sha256)
    assert copy != attachments.blob_path(store, row.sha256) and copy.is_file()
    with Image.open(copy) as im:
        assert max(im.size) == attachments.PRINT_SIZE and im.height > im.width  # shrunk, upright
    evidence = put(db, admin, store, owner_id=project, data=b"%PDF-1.4\n%%EOF\n", role="evidence",
                   original_name="a.pdf")
    # not a photo: documents get the original
    assert attachments.print_copy(store, evidence.sha256) == attachments.blob_path(store, evidence.sha256)
