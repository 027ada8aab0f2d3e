"""When and where a photo was taken: EXIF first, else the name a phone or WeChat gave the file,
else the file's own time — each marked with its source (exif / name / file).

Times are the agency's wall-clock (naive), the form business times take in Python (stored as UTC): an EXIF time
with OffsetTimeOriginal is converted; one without — or with an offset no time zone has
(outside −12:00…+14:00, or malformed) — is taken as China wall-clock (phones write local time).
Names with epoch milliseconds (WeChat's mmexport…, wx_camera_…, microMsg.…) are converted.

A name gives a time only in the forms phones, WeChat/QQ and cameras write, the time right after
the maker's prefix (or the whole name being the time, as Samsung writes it):
IMG_20261207_093012, IMG20261207093012, VID_…, PXL_20261207_093012123, MVIMG_…, PANO_…,
Screenshot_2026-12-07-09-30-12…, Screenrecorder-…, WIN_20261207_09_30_12_Pro, DJI_20261207093012_0001,
微信图片_20261207093012, QQ图片20261207093012, 20261207_093012(_1); a run of digits inside other
text (合同编号20261207093012) is no capture time — the file time is used instead.
PXL_ names are read like the others, as local wall-clock.

A damaged or odd EXIF block never raises: its time or place is simply left out.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from desktop import clock

EXIF, NAME, FILE = "exif", "name", "file"
SOURCE_WORDS = {EXIF: "照片信息", NAME: "按文件名", FILE: "按文件时间"}
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DATETIME_ORIGINAL, _OFFSET_ORIGINAL, _DATETIME = 0x9003, 0x9011, 0x0132
# 20261207_093012, 2026-12-07-09-30-12, 20261207093012, 20261207_093012123 (milliseconds after)
_STAMP = r"(20\d\d)[-_.]?(\d\d)[-_.]?(\d\d)[-_ T.]?(\d\d)[-_.:]?(\d\d)[-_.:]?(\d\d)(?:\d{3})?(?!\d)"
_MAKERS = r"IMG|VID|PXL|MVIMG|PANO|Screenshot|Screenrecorder|WIN|DJI|微信图片|QQ图片"
# the maker's prefix, then the time; anything may follow (_1, -123_com.tencent.mm, _HDR …)
_NAMED_STAMP = re.compile(rf"(?:{_MAKERS})[ _-]?{_STAMP}", re.IGNORECASE)
# no prefix: the name is the time itself, perhaps with a burst or copy number (Samsung's camera)
_BARE_STAMP = re.compile(rf"{_STAMP}(?:[ _-]?\(?\d{{1,3}}\)?)?")
# a real time zone's offset: −12:00 … +14:00
_MAX_EAST, _MAX_WEST = dt.timedelta(hours=14), dt.timedelta(hours=12)
_EPOCH_MS = re.compile(r"(?:mmexport|wx_camera_|microMsg\.)(1\d{12})(?!\d)", re.IGNORECASE)


@dataclass(frozen=True)
class Capture:
    taken_at: dt.datetime | None = None  # agency wall-clock, naive
    source: str | None = None  # exif / name / file
    latitude: float | None = None
    longitude: float | None = None

    def line(self) -> str:
        """拍摄于 2026-12-07 09:30（照片信息），北纬 31.23041°，东经 121.47370° — for documents."""
        return capture_line(self.taken_at, self.source, self.latitude, self.longitude)


def capture_line(taken_at: dt.datetime | None, source: str | None, latitude: float | None,
                 longitude: float | None) -> str:
    parts = []
    if taken_at is not None:
        words = SOURCE_WORDS.get(source or "", "")
        parts.append(f"拍摄于 {taken_at:%Y-%m-%d %H:%M}" + (f"（{words}）" if words else ""))
    if latitude is not None and longitude is not None:
        ns = "北纬" if latitude >= 0 else "南纬"
        ew = "东经" if longitude >= 0 else "西经"
        parts.append(f"{ns} {abs(latitude):.5f}°，{ew} {abs(longitude):.5f}°")
    return "，".join(parts)


def _valid(moment: dt.datetime) -> bool:
    return 1990 <= moment.year <= 2100


def time_from_exif(exif: Image.Exif) -> dt.datetime | None:
    """DateTimeOriginal (else DateTime) as agency wall-clock; None when absent or malformed.

    Never raises: a damaged EXIF block (Pillow raises many kinds) gives no time."""
    try:
        ifd = exif.get_ifd(_EXIF_IFD)
        raw = ifd.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
        offset = ifd.get(_OFFSET_ORIGINAL)
    except Exception:  # noqa: BLE001 - any damage to the metadata means "no EXIF time"
        return None
    if not isinstance(raw, str):
        return None
    try:
        moment = dt.datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    if not _valid(moment):
        return None
    zone = _zone_of(offset)
    if zone is None:  # no offset, or none a real time zone has: China wall-clock
        return moment
    return clock.to_wall(moment.replace(tzinfo=zone))


def _zone_of(offset: object) -> dt.timezone | None:
    """OffsetTimeOriginal ('+08:00', '-0500') as a time zone; None when absent, malformed or
    outside the offsets real time zones have (−12:00 … +14:00)."""
    if not isinstance(offset, str):
        return None
    match = re.fullmatch(r"\s*([+-])(\d\d):?(\d\d)\s*\x00*", offset)
    if not match:
        return None
    hours, minutes = int(match.group(2)), int(match.group(3))
    if minutes >= 60:
        return None
    delta = dt.timedelta(hours=hours, minutes=minutes)
    if delta > (_MAX_EAST if match.group(1) == "+" else _MAX_WEST):
        return None
    return dt.timezone(delta if match.group(1) == "+" else -delta)


def _degrees(value: Any, ref: object, negative: str) -> float | None:
    """`value` as EXIF holds it: three rationals, or anything else from a damaged file."""
    try:
        d, m, s = (float(v) for v in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = d + m / 60 + s / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    if isinstance(ref, str) and ref.strip("\x00 ").upper() == negative:
        degrees = -degrees
    return round(degrees, 7)


def place_from_exif(exif: Image.Exif) -> tuple[float | None, float | None]:
    """(latitude, longitude) in decimal degrees from the GPS IFD, or (None, None)."""
    gps = exif.get_ifd(_GPS_IFD)
    if not gps or 2 not in gps or 4 not in gps:
        return None, None
    lat = _degrees(gps[2], gps.get(1), "S")
    lon = _degrees(gps[4], gps.get(3), "W")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    if lat == 0 and lon == 0:  # a phone without a fix writes zeros
        return None, None
    return lat, lon


def time_from_name(name: str) -> dt.datetime | None:
    """The capture time in a phone's, WeChat's or camera's file name, as agency wall-clock;
    None for any other name (see the module's list of forms)."""
    stem = Path(name).stem
    match = _EPOCH_MS.search(stem)
    if match:
        instant = dt.datetime.fromtimestamp(int(match.group(1)) / 1000, dt.UTC)
        return clock.to_wall(instant).replace(microsecond=0)
    match = _NAMED_STAMP.match(stem) or _BARE_STAMP.fullmatch(stem)
    if match is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(g) for g in match.groups())
        moment = dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    return moment if _valid(moment) else None


def time_from_file(path: Path) -> dt.datetime | None:
    try:
        stamp = os.stat(path).st_mtime
        return clock.to_wall(dt.datetime.fromtimestamp(int(stamp), dt.UTC))
    except (OSError, OverflowError, ValueError):  # gone, or a time no calendar holds
        return None


def capture_of(path: Path, exif: Image.Exif | None) -> Capture:
    """The capture of a file whose EXIF (if any) was already read from the open image."""
    found = capture_of_upload(path.name, exif)
    if found.taken_at is not None:
        return found
    taken = time_from_file(path)
    return Capture(taken, FILE if taken is not None else None, found.latitude, found.longitude)


def capture_of_upload(name: str, exif: Image.Exif | None) -> Capture:
    """The capture of a photo sent without a file of its own (a phone's upload): EXIF, else the
    name the phone gave it; its arrival time says nothing about when it was taken."""
    lat = lon = None
    taken = None
    if exif is not None:
        taken = time_from_exif(exif)
        try:
            lat, lon = place_from_exif(exif)
        except Exception:  # noqa: BLE001 - a damaged GPS block means "no place"
            lat = lon = None
    if taken is not None:
        return Capture(taken, EXIF, lat, lon)
    taken = time_from_name(name)
    return Capture(taken, NAME if taken is not None else None, lat, lon)
