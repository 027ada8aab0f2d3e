"""Capture times that must never stop a photo-folder import, and file names that must not be read
as a capture time: an EXIF offset no time zone has (+24:00, +99:99, +15:00) is ignored (the EXIF
time is China wall-clock, as without an offset); a damaged EXIF block or an impossible file time
gives no time instead of an exception; a run of digits inside other text is no capture time."""

from __future__ import annotations

import datetime as dt
import os
import struct
from types import SimpleNamespace

import pytest
from PIL import Image

from desktop.services.exchange import photo_capture, photo_folder
from tests.services.test_photo_folder import exif_jpeg, plain_jpeg, set_mtime

WALL = dt.datetime(2026, 12, 7, 9, 30, 12)
FILE_TIME = dt.datetime(2025, 12, 7, 9, 30, 12)


@pytest.mark.parametrize("offset", ["+24:00", "-24:00", "+99:99", "+15:00", "-13:00", "+08:60",
                                    "+0860", "++8:00", "Z"])
def test_an_offset_no_time_zone_has_is_ignored(tmp_path, offset):
    path = exif_jpeg(tmp_path / "DSC_0001.jpg", 1, "2026:12:07 09:30:12", offset=offset)
    capture = photo_folder.read_photo(path).capture
    assert (capture.taken_at, capture.source) == (WALL, "exif")


@pytest.mark.parametrize(("offset", "expected"), [
    ("+08:00", WALL),
    ("+14:00", dt.datetime(2026, 12, 7, 3, 30, 12)),  # Kiribati, the farthest east
    ("-12:00", dt.datetime(2026, 12, 8, 5, 30, 12)),  # the farthest west
    ("+05:45", dt.datetime(2026, 12, 7, 11, 45, 12)),  # Nepal
    ("-0500", dt.datetime(2026, 12, 7, 22, 30, 12)),
])
def test_real_offsets_are_still_converted(tmp_path, offset, expected):
    path = exif_jpeg(tmp_path / "DSC_0001.jpg", 2, "2026:12:07 09:30:12", offset=offset)
    assert photo_folder.read_photo(path).capture.taken_at == expected


def test_one_photo_with_a_bad_offset_does_not_stop_the_folder(tmp_path):
    for i in range(3):
        plain_jpeg(tmp_path / f"IMG_20261207_09301{i}.jpg", 10 + i)
    exif_jpeg(tmp_path / "IMG_odd.jpg", 13, "2026:12:07 09:35:00", offset="+24:00")
    read = photo_folder.read_folder(photo_folder.folder_files(tmp_path))
    assert read.unreadable == ()
    taken = {p.name: (p.capture.taken_at, p.capture.source) for p in read.photos}
    assert taken["IMG_odd.jpg"] == (dt.datetime(2026, 12, 7, 9, 35), "exif")
    assert taken["IMG_20261207_093010.jpg"] == (dt.datetime(2026, 12, 7, 9, 30, 10), "name")


class DamagedExif(Image.Exif):
    """An EXIF block whose sub-directories cannot be read (Pillow raises many kinds)."""

    def get_ifd(self, tag):  # type: ignore[no-untyped-def]
        raise struct.error("unpack requires a buffer of 12 bytes")


def test_a_damaged_exif_block_gives_no_time_and_no_place_instead_of_an_exception():
    exif = DamagedExif()
    assert photo_capture.time_from_exif(exif) is None
    capture = photo_capture.capture_of_upload("IMG_20261207_093012.jpg", exif)
    assert (capture.taken_at, capture.source) == (WALL, "name")
    assert (capture.latitude, capture.longitude) == (None, None)


def test_an_impossible_file_time_gives_no_time(tmp_path, monkeypatch):
    path = plain_jpeg(tmp_path / "现场.jpg", 20)
    far = SimpleNamespace(st_mtime=1e14)  # year 3 170 000: no datetime holds it
    monkeypatch.setattr(photo_capture, "os", SimpleNamespace(stat=lambda _p: far))
    assert photo_capture.time_from_file(path) is None
    capture = photo_folder.read_photo(path).capture
    assert (capture.taken_at, capture.source) == (None, None)


def test_the_folder_survives_whatever_the_capture_reading_raises(tmp_path, monkeypatch):
    """Belt and braces in read_photo: the photo is kept, with its name or file time."""
    real = photo_folder.capture_of

    def broken(path, exif):  # type: ignore[no-untyped-def]
        if exif is not None:
            raise RuntimeError("some new way for metadata to be damaged")
        return real(path, exif)

    monkeypatch.setattr(photo_folder, "capture_of", broken)
    plain_jpeg(tmp_path / "IMG_20261207_093012.jpg", 30)
    set_mtime(plain_jpeg(tmp_path / "现场.jpg", 31), FILE_TIME)
    read = photo_folder.read_folder(photo_folder.folder_files(tmp_path))
    taken = {p.name: (p.capture.taken_at, p.capture.source) for p in read.photos}
    assert taken == {"IMG_20261207_093012.jpg": (WALL, "name"), "现场.jpg": (FILE_TIME, "file")}


# -- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "IMG_20261207_093012.jpg", "IMG_20261207_093012_1.jpg", "IMG20261207093012.jpg",
    "img_20261207_093012.jpg", "VID_20261207_093012.mp4", "VID_20261207093012.jpg",
    "PXL_20261207_093012123.jpg", "PXL_20261207_093012123.MP.jpg", "MVIMG_20261207_093012.jpg",
    "PANO_20261207_093012.jpg", "Screenshot_2026-12-07-09-30-12.png",
    "Screenshot_2026-12-07-09-30-12-123_com.tencent.mm.jpg", "Screenshot_20261207-093012.png",
    "Screenshot_20261207_093012_com.tencent.mm.jpg", "WIN_20261207_09_30_12_Pro.jpg",
    "DJI_20261207093012_0001_D.JPG", "微信图片_20261207093012.jpg", "微信图片_2026-12-07_093012_123.jpg",
    "QQ图片20261207093012.jpg", "20261207_093012.jpg", "20261207_093012_001.jpg",
    "20261207_093012(1).jpg", "IMG_20261207_093012.jpg.exe",
])
def test_the_names_phones_wechat_and_cameras_give(name):
    assert photo_capture.time_from_name(name) == WALL


@pytest.mark.parametrize("name", [
    "合同编号20261207093012.jpg", "photo_20261207_093012.jpg", "scan20261207093012.jpg",
    "现场照片20261207_093012.jpg", "20261207093012合同.jpg", "Copy of IMG_20261207_093012.jpg",
    "IMG_2026120709301.jpg", "IMG_20261207_0930123.jpg", "IMG_20261307_093012.jpg",
    "IMG_19891231_235959.jpg", "1701234567890.jpg",
])
def test_a_digit_run_inside_other_text_is_no_capture_time(name):
    assert photo_capture.time_from_name(name) is None


def test_such_a_name_falls_back_to_the_file_time(tmp_path):
    path = set_mtime_of(plain_jpeg(tmp_path / "合同编号20261207093012.jpg", 40), FILE_TIME)
    capture = photo_folder.read_photo(path).capture
    assert (capture.taken_at, capture.source) == (FILE_TIME, "file")
    assert capture.line() == "拍摄于 2025-12-07 09:30（按文件时间）"


def set_mtime_of(path, wall: dt.datetime):  # type: ignore[no-untyped-def]
    set_mtime(path, wall)
    assert os.path.exists(path)
    return path
