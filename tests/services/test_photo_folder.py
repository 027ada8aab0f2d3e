"""Photo-folder import: capture time and place (EXIF, phone and WeChat names, file time),
grouping by time gaps, exact and near duplicates, HEIC, cancel, storing with capture data."""

from __future__ import annotations

import datetime as dt
import io
import os
from fractions import Fraction

import pytest
from PIL import Image, ImageDraw

from desktop.models import Hazard
from desktop.services import hazards, inspections
from desktop.services.context import Cancelled
from desktop.services.exchange import attachments, photo_capture, photo_folder
from desktop.services.exchange.photo_capture import Capture
from desktop.services.queries import doc_data
from tests.factories import make_project


def picture(seed: int, size=(320, 240)) -> Image.Image:
    """A picture unlike the others: bars whose widths and shades depend on `seed`."""
    image = Image.new("RGB", size, (seed * 37 % 256, seed * 91 % 256, seed * 53 % 256))
    draw = ImageDraw.Draw(image)
    x = 0
    for k in range(12):
        w = 8 + (seed * 7 + k * 13) % 40
        shade = (seed * 29 + k * 71) % 256
        draw.rectangle((x, 0, x + w, size[1]), fill=(shade, 255 - shade, (shade * 3) % 256))
        x += w + 6
    draw.ellipse((seed * 11 % 200, seed * 17 % 150, seed * 11 % 200 + 80, seed * 17 % 150 + 60),
                 fill=(255, 255, 255))
    return image


def rational(value: float) -> tuple[Fraction, ...]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = Fraction(round(((value - degrees) * 60 - minutes) * 60 * 1000), 1000)
    return (Fraction(degrees), Fraction(minutes), seconds)


def exif_jpeg(path, seed: int, taken: str | None = None, *, offset: str | None = None,
              gps: tuple[float, float] | None = None):  # type: ignore[no-untyped-def]
    exif = Image.Exif()
    if taken is not None:
        ifd = exif.get_ifd(0x8769)
        ifd[0x9003] = taken
        if offset is not None:
            ifd[0x9011] = offset
    if gps is not None:
        g = exif.get_ifd(0x8825)
        g[1], g[2] = ("N" if gps[0] >= 0 else "S"), rational(abs(gps[0]))
        g[3], g[4] = ("E" if gps[1] >= 0 else "W"), rational(abs(gps[1]))
    picture(seed).save(path, "JPEG", exif=exif, quality=90)
    return path


def plain_jpeg(path, seed: int, *, quality: int = 90, size=(320, 240)):  # type: ignore[no-untyped-def]
    picture(seed, size).save(path, "JPEG", quality=quality)
    return path


def set_mtime(path, wall: dt.datetime) -> None:
    stamp = wall.replace(tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp()
    os.utime(path, (stamp, stamp))


# -- capture ------------------------------------------------------------------------------------


def test_exif_time_and_gps_are_read(tmp_path):
    path = exif_jpeg(tmp_path / "a.jpg", 1, "2026:12:07 09:30:12", gps=(30.0, 120.58))
    photo = photo_folder.read_photo(path)
    assert photo.capture.source == "exif"
    assert photo.capture.taken_at == dt.datetime(2026, 12, 7, 9, 30, 12)
    assert photo.capture.latitude == pytest.approx(30.0, abs=1e-5)
    assert photo.capture.longitude == pytest.approx(120.58, abs=1e-5)
    assert photo.capture.line() == "拍摄于 2026-12-07 09:30（照片信息），北纬 30.00000°，东经 120.58000°"


def test_exif_offset_is_turned_into_china_time(tmp_path):
    path = exif_jpeg(tmp_path / "b.jpg", 2, "2026:12:07 02:30:00", offset="+01:00",
                     gps=(-33.5, -70.25))
    capture = photo_folder.read_photo(path).capture
    assert capture.taken_at == dt.datetime(2026, 12, 7, 9, 30)
    assert (capture.latitude, capture.longitude) == (pytest.approx(-33.5), pytest.approx(-70.25))
    assert "南纬 33.50000°，西经 70.25000°" in capture.line()


@pytest.mark.parametrize(("name", "expected"), [
    ("IMG_20261207_093012.jpg", dt.datetime(2026, 12, 7, 9, 30, 12)),
    ("PXL_20261207_093012123.jpg", dt.datetime(2026, 12, 7, 9, 30, 12)),
    ("Screenshot_2026-12-07-09-30-12.png", dt.datetime(2026, 12, 7, 9, 30, 12)),
    ("IMG20261207093012.jpg", dt.datetime(2026, 12, 7, 9, 30, 12)),
    # 1701234567890 ms = 2023-11-29 05:09:27.890 UTC = 13:09:27 China time
    ("mmexport1701234567890.jpg", dt.datetime(2023, 11, 29, 13, 9, 27)),
    ("wx_camera_1701234567890.jpg", dt.datetime(2023, 11, 29, 13, 9, 27)),
    ("IMG_20261399_093012.jpg", None),  # no such day
    ("现场照片.jpg", None),
])
def test_times_in_file_names(name, expected):
    assert photo_capture.time_from_name(name) == expected


def test_name_then_file_time_when_no_exif(tmp_path):
    named = plain_jpeg(tmp_path / "mmexport1701234567890.jpg", 3)
    bare = plain_jpeg(tmp_path / "现场.jpg", 4)
    set_mtime(bare, dt.datetime(2026, 12, 7, 14, 5, 9))
    by_name = photo_folder.read_photo(named).capture
    by_file = photo_folder.read_photo(bare).capture
    assert (by_name.source, by_name.taken_at) == ("name", dt.datetime(2023, 11, 29, 13, 9, 27))
    assert (by_file.source, by_file.taken_at) == ("file", dt.datetime(2026, 12, 7, 14, 5, 9))
    assert by_file.latitude is None
    assert by_name.line() == "拍摄于 2023-11-29 13:09（按文件名）"
    assert by_file.line() == "拍摄于 2026-12-07 14:05（按文件时间）"


def test_heic_is_read_with_its_exif(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("this libheif build cannot encode HEIC")
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2026:12:07 10:00:00"
    out = io.BytesIO()
    heif = pillow_heif.from_pillow(picture(5))
    heif.save(out, quality=70, exif=exif.tobytes())
    path = tmp_path / "IMG_0001.HEIC"
    path.write_bytes(out.getvalue())
    photo = photo_folder.read_photo(path)
    assert photo.capture == Capture(dt.datetime(2026, 12, 7, 10, 0), "exif")
    assert (photo.width, photo.height) == (320, 240)


# -- reading and grouping -----------------------------------------------------------------------


def make_folder(tmp_path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "phone"
    folder.mkdir()
    exif_jpeg(folder / "a1.jpg", 10, "2026:12:07 09:00:00")
    exif_jpeg(folder / "a2.jpg", 11, "2026:12:07 09:02:30")
    plain_jpeg(folder / "IMG_20261207_090400.jpg", 12)  # 1.5 min later: same group
    plain_jpeg(folder / "IMG_20261207_093000.jpg", 13)  # 26 min later: a new group
    (folder / "IMG_20261207_093100.jpg").write_bytes((folder / "IMG_20261207_093000.jpg").read_bytes())
    # the first picture again, smaller and re-compressed: a near-duplicate
    picture(10).resize((160, 120)).save(folder / "IMG_20261207_100000.jpg", "JPEG", quality=60)
    (folder / "notes.txt").write_text("现场记录", encoding="utf-8")
    (folder / "broken.jpg").write_bytes((folder / "a1.jpg").read_bytes()[:300])
    return folder


def test_folder_grouped_by_gaps_with_duplicates_flagged(tmp_path):
    folder = make_folder(tmp_path)
    read = photo_folder.read_folder(photo_folder.folder_files(folder))
    assert sorted(f.name for f in read.unreadable) == ["broken.jpg", "notes.txt"]
    proposal = photo_folder.propose(read, gap_minutes=3)
    names = [[p.photo.name for p in g.photos] for g in proposal.groups]
    assert names == [["a1.jpg", "a2.jpg", "IMG_20261207_090400.jpg"],
                     ["IMG_20261207_093000.jpg", "IMG_20261207_093100.jpg"],
                     ["IMG_20261207_100000.jpg"]]
    second, third = proposal.groups[1].photos, proposal.groups[2].photos
    assert second[1].duplicate_of == "IMG_20261207_093000.jpg" and second[1].is_duplicate
    assert not second[0].is_duplicate and not second[0].near_of
    assert third[0].near_of == "a1.jpg" and not third[0].is_duplicate
    assert third[0].note() == "近似：与 a1.jpg 几乎相同"
    assert [p.name for p in proposal.groups[1].to_import()] == ["IMG_20261207_093000.jpg"]
    # a wider gap joins the first two groups; distinct pictures are never called near
    wide = photo_folder.propose(read, gap_minutes=27)
    assert [len(g.photos) for g in wide.groups] == [5, 1]
    assert sum(bool(p.near_of) for g in wide.groups for p in g.photos) == 1
    assert proposal.groups[0].start == dt.datetime(2026, 12, 7, 9, 0)
    assert proposal.groups[0].end == dt.datetime(2026, 12, 7, 9, 4)


def test_photos_already_stored_for_the_project_are_flagged(tmp_path):
    folder = make_folder(tmp_path)
    read = photo_folder.read_folder(photo_folder.folder_files(folder))
    a2 = next(p for p in read.photos if p.name == "a2.jpg")
    proposal = photo_folder.propose(read, stored_hashes={a2.sha256})
    flagged = [p for g in proposal.groups for p in g.photos if p.stored]
    assert [p.photo.name for p in flagged] == ["a2.jpg"]
    assert flagged[0].note() == "重复：本项目已存有这张照片"


def test_cancel_stops_reading(tmp_path):
    folder = make_folder(tmp_path)
    calls = []

    def progress(done, total, text):  # type: ignore[no-untyped-def]
        calls.append(done)
        return done < 2

    with pytest.raises(Cancelled):
        photo_folder.read_folder(photo_folder.folder_files(folder), progress=progress)
    assert calls[-1] == 2 and len(calls) == 2


def test_missing_folder_is_refused(tmp_path):
    with pytest.raises(photo_folder.ValidationError) as info:
        photo_folder.folder_files(tmp_path / "没有")
    assert "文件夹不存在" in info.value.messages["folder"]


# -- storing ------------------------------------------------------------------------------------


@pytest.fixture
def visit(db, admin):  # type: ignore[no-untyped-def]
    with db.session() as s:
        ids = make_project(s, admin)
        inspection = inspections.record(s, admin, inspections.InspectionForm(
            project_id=ids.project, kind="full_coverage", date=dt.date(2026, 12, 7),
            inspector_ids=(admin.user_id,)))
        hazard = hazards.record(s, admin, hazards.HazardForm(
            project_id=ids.project, inspection_id=inspection.id, description="临边防护缺失",
            level=3, measures="设置防护栏杆"))
        return inspection.id, hazard.id


def test_groups_are_stored_with_their_capture_data(db, admin, visit, tmp_path):
    inspection_id, hazard_id = visit
    folder = tmp_path / "phone"
    folder.mkdir()
    exif_jpeg(folder / "a.jpg", 20, "2026:12:07 09:30:12", gps=(30.0, 120.58))
    plain_jpeg(folder / "wx_camera_1701234567890.jpg", 21)
    proposal = photo_folder.propose(photo_folder.read_folder(photo_folder.folder_files(folder)))
    photos = tuple(p.photo for g in proposal.groups for p in g.photos)
    store = tmp_path / "store"
    result = photo_folder.import_groups(
        db.session, admin, inspection_id=inspection_id, store_dir=store,
        assignments=[photo_folder.Assignment(hazard_id, "before", photos)])
    assert len(result.stored) == 2 and not result.failed
    with db.session() as s:
        rows = {r.original_name: r for r in attachments.list_for(s, "hazard", hazard_id)}
        stored = photo_folder.stored_hashes(s, inspection_id)
        info = doc_data.hazard_info(s, s.get(Hazard, hazard_id), store)
    assert rows["a.jpg"].taken_at == dt.datetime(2026, 12, 7, 9, 30, 12)
    assert rows["a.jpg"].taken_source == "exif"
    assert rows["a.jpg"].latitude == pytest.approx(30.0, abs=1e-5)
    assert rows["wx_camera_1701234567890.jpg"].taken_source == "name"
    assert rows["wx_camera_1701234567890.jpg"].latitude is None
    assert stored == {p.sha256 for p in photos}
    # documents print the capture under each photo
    notes = dict(info.photo_notes)
    assert sorted(notes.values()) == ["拍摄于 2023-11-29 13:09（按文件名）",
                                      "拍摄于 2026-12-07 09:30（照片信息），北纬 30.00000°，东经 120.58000°"]
    assert set(notes) == set(info.photos_before)


def test_a_hazard_of_another_project_is_refused(db, admin, visit, tmp_path):
    inspection_id, _ = visit
    with db.session() as s:
        other = make_project(s, admin, name="另一个项目")
        stranger = hazards.record(s, admin, hazards.HazardForm(
            project_id=other.project, description="脚手架未验收", level=3, measures="组织验收")).id
    path = plain_jpeg(tmp_path / "IMG_20261207_093012.jpg", 30)
    photo = photo_folder.read_photo(path)
    with pytest.raises(photo_folder.ValidationError) as info:
        photo_folder.import_groups(db.session, admin, inspection_id=inspection_id,
                                   store_dir=tmp_path / "store",
                                   assignments=[photo_folder.Assignment(stranger, "after", (photo,))])
    assert "不属于本次检查的项目" in info.value.messages["hazard"]
    with db.session() as s:
        assert attachments.list_for(s, "hazard", stranger) == []
