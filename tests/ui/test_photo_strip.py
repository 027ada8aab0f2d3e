"""The photo strip: drop, paste and choose files; upright thumbnails off the GUI thread; stored
originals unchanged under their hash; bad files reported with their reason."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication

from desktop.services import hazards
from desktop.services.exchange import attachments
from desktop.ui import photo_strip
from desktop.ui.photo_strip import PhotoStrip

from .test_screenshots import save


def jpeg(path, colour: str = "orange", size=(160, 100), orientation: int | None = None):  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    Image.new("RGB", size, colour).save(out, "JPEG", exif=exif)
    path.write_bytes(out.getvalue())
    return path


def heic(path, colour: str = "purple"):  # type: ignore[no-untyped-def]
    import pillow_heif

    pillow_heif.from_pillow(Image.new("RGB", (120, 90), colour)).save(str(path), quality=60)
    return path


def drop(view, mime: QMimeData) -> tuple[bool, bool]:  # type: ignore[no-untyped-def]
    """Drag onto the view and drop, as the window system delivers it."""
    target = view.viewport()
    pos = QPointF(target.rect().center())
    enter = QDragEnterEvent(
        pos.toPoint(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, enter)
    event = QDropEvent(
        pos,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, event)
    return enter.isAccepted(), event.isAccepted()


def file_urls(*paths) -> QMimeData:  # type: ignore[no-untyped-def]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def icon_size(strip: PhotoStrip, row: int):  # type: ignore[no-untyped-def]
    return strip.list.item(row).data(photo_strip.SIZE_ROLE)


@pytest.fixture
def hazard(db, admin, hazard_data):
    with db.session() as session:
        return hazards.record(
            session,
            admin,
            hazards.HazardForm(
                project_id=hazard_data.project,
                description="临边防护缺失",
                level=3,
                measures="设置防护栏杆",
            ),
        ).id


@pytest.fixture
def pending(qtbot, state):
    strip = PhotoStrip(state, title="现场照片")
    qtbot.addWidget(strip)
    strip.resize(700, 200)
    strip.show()
    return strip


def test_dropped_files_wait_for_their_record_with_upright_thumbnails(qtbot, pending, tmp_path):
    files = [
        jpeg(tmp_path / "a.jpg", "red"),
        jpeg(tmp_path / "b.jpg", "blue", orientation=6),
        heic(tmp_path / "c.heic"),
    ]
    with qtbot.waitSignal(pending.thumbnails_done, timeout=5000):
        assert drop(pending.list, file_urls(*files)) == (True, True)
    assert [s.name for s in pending.pending()] == ["a.jpg", "b.jpg", "c.heic"]
    assert pending.caption.text() == "现场照片（3 张）"
    wide, tall = icon_size(pending, 0), icon_size(pending, 1)
    assert wide[0] > wide[1] and tall[1] > tall[0]  # EXIF orientation applied in the thumbnail
    assert not pending.list.item(2).icon().isNull()  # HEIC drawn too
    save(qtbot, pending, "photo-strip-pending")


def test_text_is_not_accepted_as_a_drop(pending):
    mime = QMimeData()
    mime.setText("不是文件")
    assert drop(pending.list, mime) == (False, False)
    assert pending.count() == 0


def test_paste_files_or_a_picture(qtbot, pending, tmp_path):
    QApplication.clipboard().setMimeData(file_urls(jpeg(tmp_path / "copied.jpg")))
    pending.list.setFocus()
    qtbot.keyClick(pending.list, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.green)
    QApplication.clipboard().setImage(image)
    qtbot.keyClick(pending.list, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    names = [s.name for s in pending.pending()]
    assert names == ["copied.jpg", "粘贴的图片 2.png"]
    with Image.open(io.BytesIO(pending.pending()[1].data)) as im:
        assert im.size == (40, 30)


def test_the_file_dialog_and_removing_a_pending_file(qtbot, pending, tmp_path, monkeypatch):
    files = [jpeg(tmp_path / "x.jpg"), jpeg(tmp_path / "y.jpg", "black")]
    monkeypatch.setattr(photo_strip, "choose_photos", lambda _p: [str(f) for f in files])
    qtbot.mouseClick(pending.add_button, Qt.MouseButton.LeftButton)
    pending.list.setCurrentRow(0)
    qtbot.keyClick(pending.list, Qt.Key.Key_Delete)
    assert [s.name for s in pending.pending()] == ["y.jpg"]


def test_an_owned_strip_stores_originals_and_reports_bad_files(
    qtbot, state, hazard, tmp_path, dialog_log
):
    strip = PhotoStrip(state, role="after", owner_id=hazard, title="整改后照片")
    qtbot.addWidget(strip)
    strip.show()
    good = jpeg(tmp_path / "整改后.jpg", "green", orientation=8)
    broken = tmp_path / "坏照片.jpg"
    broken.write_bytes(good.read_bytes()[:300])
    with qtbot.waitSignal(strip.imported, timeout=10_000):
        drop(strip.list, file_urls(good, broken))
    assert [a.original_name for a in strip.stored()] == ["整改后.jpg"]
    (kind, title, text) = dialog_log.calls[-1]
    assert (kind, title) == ("warn", "部分照片未保存") and "坏照片.jpg：图片已损坏" in text
    row = strip.stored()[0]
    assert (
        row.role == "after"
        and row.sha256 == __import__("hashlib").sha256(good.read_bytes()).hexdigest()
    )
    assert (
        attachments.open_path(state.config.attachments_dir, row.sha256).read_bytes()
        == good.read_bytes()
    )
    qtbot.waitUntil(lambda: not strip.list.item(0).icon().isNull(), timeout=5000)
    width, height = icon_size(strip, 0)
    assert height > width  # stored sideways, shown upright


def test_double_click_opens_the_original(qtbot, state, hazard, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(photo_strip, "open_file", opened.append)
    strip = PhotoStrip(state, owner_id=hazard)
    qtbot.addWidget(strip)
    strip.show()
    with qtbot.waitSignal(strip.imported, timeout=10_000):
        strip.add_sources(photo_strip.photo_import.sources_from([jpeg(tmp_path / "o.jpg")]))
    rect = strip.list.visualItemRect(strip.list.item(0))
    qtbot.mouseClick(strip.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(strip.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened[0].name == "o.jpg" and opened[0].read_bytes() == (tmp_path / "o.jpg").read_bytes()


def test_a_read_only_strip_takes_no_drops(qtbot, state, hazard, tmp_path):
    strip = PhotoStrip(state, owner_id=hazard, editable=False)
    qtbot.addWidget(strip)
    assert drop(strip.list, file_urls(jpeg(tmp_path / "n.jpg"))) == (False, False)
    assert not strip.add_button.isVisible()


def test_a_photo_with_a_capture_time_shows_it_under_the_thumbnail(qtbot, state, db, admin, hazard,
                                                                   tmp_path):
    import datetime as dt

    from desktop.services.exchange.photo_capture import Capture

    with db.session() as s:
        for name, capture in (("现场.jpg", Capture(dt.datetime(2026, 12, 7, 9, 30), "exif", 30.0, 120.5)),
                              ("旧图.jpg", None)):
            attachments.store_file(s, admin, store_dir=state.config.attachments_dir,
                                   path=jpeg(tmp_path / name), owner_type="hazard", owner_id=hazard,
                                   role="before", capture=capture)
    strip = PhotoStrip(state, owner_id=hazard)
    qtbot.addWidget(strip)
    strip.reload()
    assert [strip.list.item(i).text() for i in range(2)] == ["12-07 09:30", "旧图.jpg"]
    tip = strip.list.item(0).toolTip()
    assert tip.startswith("拍摄于 2026-12-07 09:30（照片信息），北纬 30.00000°，东经 120.50000°")
    assert "现场.jpg" in tip and "拍摄于" not in strip.list.item(1).toolTip()
