"""A photo's capture time and place printed under it in documents."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from PIL import Image
from reportlab.platypus import SimpleDocTemplate

from desktop.reports import letters, photos
from desktop.reports.data import RectificationNoticeData
from desktop.services.exchange.photo_capture import capture_line
from tests.reports.conftest import flat, meta, pdftotext


def test_capture_lines_for_each_source():
    taken = dt.datetime(2026, 12, 7, 9, 30, 12)
    assert capture_line(taken, "exif", None, None) == "拍摄于 2026-12-07 09:30（照片信息）"
    assert capture_line(taken, "name", None, None) == "拍摄于 2026-12-07 09:30（按文件名）"
    assert capture_line(taken, "file", 30.1, 120.5) == ("拍摄于 2026-12-07 09:30（按文件时间），"
                                                        "北纬 30.10000°，东经 120.50000°")
    assert capture_line(None, None, None, None) == ""


def test_notice_and_closure_print_the_capture(tmp_path, poppler, agency, project, minor_hazard):
    before, after = tmp_path / "before.jpg", tmp_path / "after.jpg"
    Image.new("RGB", (400, 300), "orange").save(before)
    Image.new("RGB", (400, 300), "teal").save(after)
    h = replace(minor_hazard, photos_before=(before,), photos_after=(after,), photo_notes=(
        (before, capture_line(dt.datetime(2026, 12, 7, 9, 30), "exif", 30.0, 120.58)),
        (after, capture_line(dt.datetime(2026, 12, 9, 15, 2), "name", None, None))))
    assert h.photo_caption(before, "甲") == "甲\n拍摄于 2026-12-07 09:30（照片信息），北纬 30.00000°，东经 120.58000°"
    assert h.photo_caption(tmp_path / "other.jpg", "乙") == "乙"
    data = RectificationNoticeData(meta(agency, "隐患整改通知书", "风控整改〔2026〕0011号"), project,
                                   recipient=project.contractor,
                                   inspection_date=dt.date(2026, 12, 7), hazards=(h,))
    text = flat(pdftotext(letters.build_rectification_notice(data, tmp_path / "n.pdf")))
    assert "拍摄于2026-12-0709:30（照片信息）" in text
    assert "北纬30.00000°，东经120.58000°" in text
    grid = photos.before_after_grid(h.photos_before, h.photos_after, width=400, label="YH",
                                    notes=dict(h.photo_notes))
    pdf = tmp_path / "pairs.pdf"
    SimpleDocTemplate(str(pdf)).build([grid])
    pairs = flat(pdftotext(pdf))
    assert "YH整改后1拍摄于2026-12-0915:02（按文件名）" in pairs
    assert "YH整改前1拍摄于2026-12-0709:30（照片信息）" in pairs
