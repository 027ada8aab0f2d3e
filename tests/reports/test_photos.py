"""Photos: shrunk to print size, upright by EXIF, cached, and never embedded at full size."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image

from desktop.reports import letters, photos
from desktop.reports.data import RectificationNoticeData
from tests.reports.conftest import meta


def _exif_rotated(path, orientation: int) -> None:
    """A landscape 400×300 picture whose EXIF says: rotate to display (6 = 90° clockwise)."""
    img = Image.new("RGB", (400, 300), "white")
    img.paste((200, 0, 0), (0, 0, 400, 30))  # red band along the stored top edge
    exif = Image.Exif()
    exif[0x0112] = orientation
    img.save(path, exif=exif.tobytes())


def test_shrink_fits_the_box_and_is_small(big_jpeg):
    shrunk = photos.shrink_photo(big_jpeg, max_px=600)
    assert shrunk is not None
    assert max(shrunk.width, shrunk.height) == 600
    assert (shrunk.width, shrunk.height) == (600, 450)
    assert len(shrunk.data) < big_jpeg.stat().st_size / 10
    assert Image.open(io.BytesIO(shrunk.data)).format == "JPEG"


def test_exif_rotation_is_applied(tmp_path):
    path = tmp_path / "rotated.jpg"
    _exif_rotated(path, 6)
    shrunk = photos.shrink_photo(path, max_px=200)
    assert (shrunk.width, shrunk.height) == (150, 200)  # portrait now, as the camera was held
    upright = Image.open(io.BytesIO(shrunk.data)).convert("RGB")
    # orientation 6 turns the stored top edge to the right-hand side
    assert upright.getpixel((shrunk.width - 3, shrunk.height // 2))[0] > 150
    assert upright.getpixel((3, shrunk.height // 2)) > (200, 200, 200)


def test_shrunk_photo_is_cached_until_the_file_changes(tmp_path):
    path = tmp_path / "p.jpg"
    Image.new("RGB", (800, 600), "blue").save(path)
    first = photos.shrink_photo(path, max_px=100)
    assert photos.shrink_photo(path, max_px=100) is first
    Image.new("RGB", (600, 800), "green").save(path)
    second = photos.shrink_photo(path, max_px=100)
    assert second is not first and (second.width, second.height) == (75, 100)


def test_transparent_png_and_missing_or_broken_files(tmp_path):
    png = tmp_path / "logo.png"
    Image.new("RGBA", (300, 100), (0, 0, 0, 0)).save(png)
    shrunk = photos.shrink_photo(png, max_px=150)
    assert Image.open(io.BytesIO(shrunk.data)).getpixel((5, 5)) == (255, 255, 255)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a picture")
    assert photos.shrink_photo(broken, max_px=100) is None
    assert photos.shrink_photo(tmp_path / "missing.jpg", max_px=100) is None


def test_pdf_with_a_camera_photo_is_far_smaller_than_the_photo(tmp_path, agency, project, hazard):
    data = RectificationNoticeData(meta(agency, "隐患整改通知书", "风控整改〔2026〕0009号"), project,
                                   recipient=project.contractor,
                                   inspection_date=dt.date(2026, 3, 5),
                                   hazards=(hazard,))
    pdf = letters.build_rectification_notice(data, tmp_path / "n.pdf")
    jpeg_size = hazard.photos_before[0].stat().st_size
    assert jpeg_size > 2_000_000
    assert pdf.stat().st_size < jpeg_size / 10


def test_missing_photo_gives_a_placeholder_not_a_failure(tmp_path, agency, project, hazard):
    from dataclasses import replace

    gone = replace(hazard, photos_before=(tmp_path / "gone.jpg",))
    data = RectificationNoticeData(meta(agency, "隐患整改通知书", "风控整改〔2026〕0010号"), project,
                                   recipient=project.contractor,
                                   inspection_date=dt.date(2026, 3, 5),
                                   hazards=(gone,))
    assert letters.build_rectification_notice(data, tmp_path / "n.pdf").exists()


def test_logo_in_header(tmp_path, agency, project, minor_hazard):
    from dataclasses import replace

    logo = tmp_path / "logo.png"
    Image.new("RGB", (2000, 2000), "navy").save(logo)
    with_logo = replace(agency, logo_path=logo)
    data = RectificationNoticeData(meta(with_logo, "隐患整改通知书", "风控整改〔2026〕0011号"), project,
                                   recipient=project.contractor,
                                   inspection_date=dt.date(2026, 3, 5),
                                   hazards=(minor_hazard,))
    pdf = letters.build_rectification_notice(data, tmp_path / "n.pdf")
    assert pdf.stat().st_size < 200_000
