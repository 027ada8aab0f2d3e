"""从文件夹导入照片: a folder read, grouped by time, one group given to a new hazard whose form
opens with the group's time; the photos land on it with their capture data."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from desktop.services import inspections
from desktop.services.context import now
from desktop.services.queries import hazard_view
from desktop.ui.hazard_dialog import HazardDialog
from desktop.ui.photo_folder_dialog import NEW, SKIP, PhotoFolderDialog
from tests.services.test_photo_folder import exif_jpeg, plain_jpeg
from tests.ui.test_hazard_dialog import choose, click_save, type_text


def test_a_group_goes_to_a_new_hazard(qtbot, state, db, admin, hazard_data, dialog_log, tmp_path):
    day = (now() - dt.timedelta(days=1)).date()
    with db.session() as s:
        visit = inspections.record(s, admin, inspections.InspectionForm(
            project_id=hazard_data.project, kind="full_coverage", date=day,
            inspector_ids=(admin.user_id,)))
    folder = tmp_path / "phone"
    folder.mkdir()
    exif_jpeg(folder / "a.jpg", 1, f"{day:%Y:%m:%d} 09:30:00", gps=(30.0, 120.58))
    exif_jpeg(folder / "b.jpg", 2, f"{day:%Y:%m:%d} 09:31:30")
    plain_jpeg(folder / f"IMG_{day:%Y%m%d}_103000.jpg", 3)  # an hour later: its own group

    dialog = PhotoFolderDialog(state, inspection_id=visit.id, project_id=hazard_data.project)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.load(folder)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=10_000)
    assert dialog.table.item(0, 2).text() == "2"
    assert dialog.table.item(0, 1).text() == f"{day:%Y-%m-%d} 09:30–09:31"
    assert "拍摄于" in dialog.photos.item(0).text() and "照片信息" in dialog.photos.item(0).text()
    assert not dialog.import_button.isEnabled()  # nothing assigned yet
    dialog.choose_target(0, NEW)
    dialog.choose_target(1, SKIP)
    assert "将导入 2 张" in dialog.summary.text()

    seen = {}

    def fill_hazard(form: HazardDialog) -> bool:
        seen["found_at"] = form.found_at.value()
        type_text(form.location, "5#楼北侧")
        type_text(form.description, "外架剪刀撑缺失")
        type_text(form.measures, "按方案补设剪刀撑")
        choose(form.level, 3)
        click_save(qtbot, form)
        qtbot.waitUntil(lambda: form.result() == QDialog.DialogCode.Accepted, timeout=10_000)
        return True

    dialog_log.on_run = fill_hazard
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=20_000)
    assert seen["found_at"] == dt.datetime.combine(day, dt.time(9, 30))
    hazard_id = dialog.imported.stored[0].owner_id
    page = state.read(hazard_view.page_data, hazard_id)
    assert page.detail.row.description == "外架剪刀撑缺失"
    assert page.detail.row.found_at == dt.datetime.combine(day, dt.time(9, 30))
    stored = sorted(page.photos, key=lambda a: a.original_name)
    assert [(a.original_name, a.role, a.taken_source) for a in stored] == [
        ("a.jpg", "before", "exif"), ("b.jpg", "before", "exif")]
    assert stored[0].latitude is not None and stored[1].latitude is None
    assert stored[1].taken_at == dt.datetime.combine(day, dt.time(9, 31, 30))
