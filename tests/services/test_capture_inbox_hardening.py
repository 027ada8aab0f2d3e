"""A phone's draft: photos checked and decoded before the write lock is taken, a cap on pixels
read from the header, no photo file left behind by a refused draft, no confirming into an
inspection in the recycle bin, and one draft only when the page resends after a re-pairing."""

from __future__ import annotations

import io
import sqlite3
import uuid
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from desktop import clock, fileutil
from desktop.db import DataError
from desktop.models import CaptureDraft, Hazard, Inspection
from desktop.services import capture_devices, capture_inbox, hazards, inspections, recycle
from desktop.services.context import ValidationError
from tests.capture.test_capture_service import draft_form, jpeg, pair, send, site  # noqa: F401
from tests.factories import make_project


@pytest.fixture
def inbox(db, users, tmp_path):
    inspector = users["inspector"]
    with db.session() as s:
        project = make_project(s, users["admin"])
        inspection = inspections.record(s, users["admin"], inspections.InspectionForm(
            project_id=project.project, kind="routine", date=clock.today(),
            inspector_ids=(inspector.user_id, users["admin"].user_id))).id
    return {"db": db, "users": users, "inspector": inspector, "inspection": inspection,
            "project": project.project, "drafts": tmp_path / "drafts",
            "device": new_device(db, inspector)}


def new_device(db, actor, name: str = "张工的手机"):  # type: ignore[no-untyped-def]
    with db.session() as s:
        return capture_devices.pair(s, capture_devices.start_pairing(s, actor).token, name)[1]


def draft_in(inbox, photos=(), client_id: str | None = None) -> capture_inbox.DraftIn:  # type: ignore[no-untyped-def]
    return capture_inbox.DraftIn(client_id=client_id or uuid.uuid4().hex,
                                 inspection_id=inbox["inspection"], description="二层临边防护栏杆缺失",
                                 level=3, location="2#楼二层",
                                 photos=tuple(capture_inbox.Photo(n, d) for n, d in photos))


def receive_in_session(inbox, draft, actor=None, device=None):  # type: ignore[no-untyped-def]
    with inbox["db"].session() as s:
        return capture_inbox.receive(s, actor or inbox["inspector"], device or inbox["device"], draft,
                                     drafts_dir=inbox["drafts"])


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*")) if folder.is_dir() else []


def drafts_count(db) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return s.execute(select(func.count()).select_from(CaptureDraft)).scalar_one()


def png(size: tuple[int, int], mode: str = "1") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


def cut_jpeg() -> bytes:
    """A JPEG whose upload broke off: header and first blocks intact, no end (verify() passes)."""
    out = io.BytesIO()
    Image.effect_noise((400, 300), 60).convert("RGB").save(out, "JPEG", quality=95)
    data = out.getvalue()
    return data[: len(data) * 2 // 3]


# -- 1. pixels capped from the header; photos decoded before the write lock ---------------------


def test_the_pixel_cap_admits_a_50_megapixel_phone_photo_and_refuses_more():
    assert 8192 * 6144 <= capture_inbox.MAX_PHOTO_PIXELS < 9248 * 6936  # 50 MP in, 64 MP out
    assert capture_inbox.MAX_PHOTO_PIXELS * 3 < Image.MAX_IMAGE_PIXELS * 2  # well below Pillow's


def test_a_photo_over_the_pixel_cap_is_refused_from_its_header_without_decoding(monkeypatch):
    def decoded(*_a, **_k):  # type: ignore[no-untyped-def]
        raise AssertionError("the picture was decoded")
    monkeypatch.setattr(capture_inbox, "_photo_facts", decoded)
    data = png((8000, 8000))  # 64 MP in a few kilobytes, under Pillow's own limits
    assert len(data) < 100_000
    problem = capture_inbox.photo_problem(data)
    assert problem == "图片像素过多（8000×8000）：单张不超过 52 百万像素"


def test_a_draft_with_too_many_pixels_is_refused_and_writes_nothing(inbox):
    draft = draft_in(inbox, [("a.jpg", jpeg()), ("bomb.png", png((8000, 8000)))])
    with pytest.raises(ValidationError) as err:
        capture_inbox.receive(inbox["db"], inbox["inspector"], inbox["device"], draft,
                              drafts_dir=inbox["drafts"])
    assert err.value.fields["photos"].startswith("bomb.png：图片像素过多（8000×8000）")
    assert drafts_count(inbox["db"]) == 0 and files(inbox["drafts"]) == []


def _write_lock_free(db) -> bool:  # type: ignore[no-untyped-def]
    """Whether another connection could begin writing right now (without waiting)."""
    connection = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()


@pytest.fixture
def lock_watch(db, monkeypatch):  # type: ignore[no-untyped-def]
    """Whether the write lock was free each time a photo was decoded and each time one was written."""
    if db.dialect != "sqlite":
        pytest.skip("SQLite's write lock")
    seen: dict[str, list[bool]] = {"decoded": [], "written": []}
    decode, write = capture_inbox.dhash_of, fileutil.atomic_write_bytes

    def watched_decode(im):  # type: ignore[no-untyped-def]
        seen["decoded"].append(_write_lock_free(db))
        return decode(im)

    def watched_write(path, data, **kw):  # type: ignore[no-untyped-def]
        seen["written"].append(_write_lock_free(db))
        return write(path, data, **kw)
    monkeypatch.setattr(capture_inbox, "dhash_of", watched_decode)
    monkeypatch.setattr(fileutil, "atomic_write_bytes", watched_write)
    return seen


def test_photos_are_decoded_and_written_before_the_write_lock_is_taken(inbox, lock_watch):
    draft = draft_in(inbox, [("a.jpg", jpeg("red")), ("b.jpg", jpeg("blue"))])
    row, created = capture_inbox.receive(inbox["db"], inbox["inspector"], inbox["device"], draft,
                                         drafts_dir=inbox["drafts"])
    assert created and len(row.photos) == 2 and all(p["dhash"] for p in row.photos)
    assert lock_watch == {"decoded": [True, True], "written": [True, True]}
    assert files(inbox["drafts"]) == sorted(p["sha256"] for p in row.photos)


def test_the_capture_page_decodes_photos_without_holding_the_write_lock(site, lock_watch):  # noqa: F811
    status, body = send(site, pair(site), draft_form(site, uuid.uuid4().hex,
                                                     photos=(("a.jpg", jpeg("green")),)))
    assert status == 201, body
    assert lock_watch == {"decoded": [True], "written": [True]}


# -- 2. a refused draft leaves no photo behind ------------------------------------------------


def test_a_cut_off_jpeg_is_refused_before_anything_is_written(inbox):
    data = cut_jpeg()
    assert capture_inbox.photo_problem(data) == "图片已损坏或无法识别"
    with pytest.raises(ValidationError) as err:
        receive_in_session(inbox, draft_in(inbox, [("a.jpg", jpeg()), ("IMG_1.jpg", data)]))
    assert err.value.fields["photos"] == "IMG_1.jpg：图片已损坏或无法识别"
    assert files(inbox["drafts"]) == []


def test_the_capture_page_leaves_no_file_for_a_cut_off_jpeg(site):  # noqa: F811
    status, body = send(site, pair(site), draft_form(site, uuid.uuid4().hex, photos=(
        ("a.jpg", jpeg("navy")), ("IMG_2.jpg", cut_jpeg()))))
    assert status == 400 and "损坏" in body["error"]
    assert files(site["tmp"] / "drafts") == []


def test_files_of_a_draft_that_fails_to_be_stored_are_removed_but_shared_ones_stay(inbox, monkeypatch):
    shared, own = jpeg("orange"), jpeg("purple")
    first, _ = receive_in_session(inbox, draft_in(inbox, [("a.jpg", shared)]))
    kept = files(inbox["drafts"])

    def busy(*_a, **_k):  # type: ignore[no-untyped-def]
        raise DataError("数据库正忙")
    monkeypatch.setattr(capture_inbox.audit, "record", busy)
    with pytest.raises(DataError):
        receive_in_session(inbox, draft_in(inbox, [("a.jpg", shared), ("b.jpg", own)]))
    assert files(inbox["drafts"]) == kept
    with pytest.raises(DataError):
        capture_inbox.receive(inbox["db"], inbox["inspector"], inbox["device"],
                              draft_in(inbox, [("b.jpg", own), ("a.jpg", shared)]),
                              drafts_dir=inbox["drafts"])
    assert files(inbox["drafts"]) == kept == [first.photos[0]["sha256"]]
    assert drafts_count(inbox["db"]) == 1
    assert capture_inbox._held_files == {}


# -- 3. no confirming into an inspection in the recycle bin ------------------------------------


def test_a_draft_cannot_be_confirmed_into_an_inspection_in_the_recycle_bin(inbox, tmp_path):
    row, _ = receive_in_session(inbox, draft_in(inbox, [("a.jpg", jpeg())]))
    admin = inbox["users"]["admin"]
    with inbox["db"].session() as s:
        version = s.get(Inspection, inbox["inspection"]).version
        recycle.soft_delete(s, admin, "inspections", inbox["inspection"], expected_version=version,
                            reason="录错")
    form = hazards.HazardForm(project_id=0, description=row.description, level=3, measures="立即整改")
    with pytest.raises(ValidationError) as err, inbox["db"].session() as s:
        capture_inbox.confirm(s, admin, row.id, expected_version=row.version, form=form,
                              store_dir=tmp_path / "store", drafts_dir=inbox["drafts"])
    assert err.value.fields["inspection_id"] == "所选检查记录已删除（在回收站中），请先从回收站恢复"
    with inbox["db"].read() as s:
        assert capture_inbox.get(s, row.id).status == capture_inbox.PENDING
        assert s.execute(select(func.count()).select_from(Hazard)).scalar_one() == 0


# -- 4. a resend after re-pairing is the same draft ---------------------------------------------


def test_a_resend_from_a_new_pairing_of_the_same_user_returns_the_first_draft(inbox):
    draft = draft_in(inbox, [("a.jpg", jpeg())])
    first, created = receive_in_session(inbox, draft)
    assert created
    with inbox["db"].session() as s:  # the answer was lost; the phone is revoked, then paired again
        capture_devices.revoke(s, inbox["inspector"], inbox["device"].id)
    again = new_device(inbox["db"], inbox["inspector"], "张工的手机（重新配对）")
    row, created = receive_in_session(inbox, draft, device=again)
    assert not created and row.id == first.id and row.device_id == inbox["device"].id
    row, created = capture_inbox.receive(inbox["db"], inbox["inspector"], again, draft,
                                         drafts_dir=inbox["drafts"])
    assert not created and row.id == first.id
    assert drafts_count(inbox["db"]) == 1


def test_the_same_client_id_from_another_users_phone_is_another_draft(inbox):
    draft = draft_in(inbox, [("a.jpg", jpeg())])
    first, _ = receive_in_session(inbox, draft)
    admin = inbox["users"]["admin"]
    row, created = receive_in_session(inbox, draft, actor=admin, device=new_device(inbox["db"], admin))
    assert created and row.id != first.id and row.user_id == admin.user_id
    assert drafts_count(inbox["db"]) == 2
