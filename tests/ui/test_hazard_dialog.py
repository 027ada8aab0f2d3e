"""The hazard dialog: record level 1 and level 3 hazards with photos, the major-hazard item,
deadlines that follow the level, messages beside fields, repeats, and edits with conflicts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox

from desktop import clock
from desktop.services import catalogues, hazards
from desktop.services.exchange import attachments
from desktop.services.queries import hazard_view
from desktop.ui import photo_strip
from desktop.ui.catalogue_picker import CataloguePicker
from desktop.ui.hazard_dialog import HazardDialog

from .keyboard import replace_text
from .test_screenshots import save


def type_text(widget, text: str) -> None:  # type: ignore[no-untyped-def]
    """Key presses that carry Chinese text (QTest.keyClicks only types Latin-1)."""
    widget.setFocus()
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def jpeg_file(folder, name: str, colour: str, *, orientation: int | None = None):  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    image = Image.new("RGB", (160, 100), colour)
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    image.save(out, "JPEG", exif=exif)
    path = folder / name
    path.write_bytes(out.getvalue())
    return path


@pytest.fixture(autouse=True)
def _as_the_app_runs(tmp_path):
    """Qt's own buttons in Chinese, as app.main() sets them up (for the screenshots)."""
    from desktop.ui import i18n

    i18n.install_translators("zh_CN", cache_dir=tmp_path)


@pytest.fixture
def loaded(db, admin, hazard_data):
    with db.session() as session:
        catalogues.load_all(session)
    return hazard_data


@pytest.fixture
def dialog(qtbot, state, loaded):
    dialog = HazardDialog(state, project_id=loaded.project)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def click_save(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
    )


def saved_hazard(state, hazard_id):  # type: ignore[no-untyped-def]
    return state.read(hazard_view.page_data, hazard_id)


def choose(combo, data) -> None:  # type: ignore[no-untyped-def]
    combo.setFocus()
    combo.setCurrentIndex(combo.findData(data))


def test_record_a_level_3_hazard_with_photos(qtbot, state, dialog, loaded, tmp_path, monkeypatch):
    photos = [
        jpeg_file(tmp_path, "现场1.jpg", "red"),
        jpeg_file(tmp_path, "现场2.jpg", "blue", orientation=6),
    ]
    monkeypatch.setattr(photo_strip, "choose_photos", lambda _p: [str(p) for p in photos])
    type_text(dialog.location, "6#楼 3 层")
    type_text(dialog.description, "楼梯临边未设防护栏杆")
    type_text(dialog.measures, "立即设置 1.2m 防护栏杆")
    type_text(dialog.person, "张工")
    choose(dialog.level, 3)
    assert dialog.deadline.date() == clock.today() + dt.timedelta(days=15)
    assert not dialog.serious.isEnabled() and dialog.chip.text() == "黄色"
    qtbot.mouseClick(dialog.photos.add_button, Qt.MouseButton.LeftButton)
    assert dialog.photos.count() == 2 and len(dialog.photos.pending()) == 2
    with qtbot.waitSignal(dialog.photos.thumbnails_done, timeout=5000):
        pass
    assert not dialog.photos.list.item(1).icon().isNull()
    save(qtbot, dialog, "hazard-dialog-level3")
    click_save(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10_000)
    data = saved_hazard(state, dialog.saved.id)
    row = data.detail.row
    assert (row.level, row.location, row.description) == (3, "6#楼 3 层", "楼梯临边未设防护栏杆")
    assert row.deadline == clock.today() + dt.timedelta(days=15)
    assert data.detail.responsible_unit_id is not None  # the project's contractor by default
    assert data.detail.responsible_person == "张工" and data.reports == ()
    stored = sorted(data.photos, key=lambda a: a.original_name)
    assert [a.original_name for a in stored] == ["现场1.jpg", "现场2.jpg"]
    assert {a.role for a in stored} == {"before"}
    assert (
        attachments.open_path(state.config.attachments_dir, stored[1].sha256).read_bytes()
        == photos[1].read_bytes()
    )
    assert (stored[1].width, stored[1].height) == (100, 160)  # EXIF-rotated: seen upright


def test_record_a_level_1_major_hazard_from_the_catalogue(qtbot, state, dialog, dialog_log):
    def pick(picker: CataloguePicker) -> bool:
        picker.show()
        type_text(picker.search, "连墙件")
        picker.run_search()
        assert picker.select_code("07-2")
        assert picker.note.isVisible()  # the 2024 text is a transcription, to compare with the original
        save(qtbot, picker, "catalogue-picker")
        picker.accept()
        return True

    dialog_log.on_run = pick
    assert dialog.level.currentData() is None  # no level until one is chosen
    qtbot.mouseClick(dialog.pick, Qt.MouseButton.LeftButton)
    assert dialog.item is not None and dialog.item.code == "07-2"
    assert dialog.level.currentData() == 1 and dialog.stop_work.currentData() == "full"
    assert not dialog.level.isEnabled()  # a major hazard is level 1; only a review lowers it
    assert dialog.level_reason.isVisible() and "第七条（二）" in dialog.level_reason.text()
    assert "定为一级隐患" in dialog.level_reason.text() and "N-" not in dialog.level_reason.text()
    # found today: judged against the 2024 standard (in force since 2024-12-13)
    assert "建质规〔2024〕5号" in dialog.item_label.text() and "第七条（二）" in dialog.item_label.text()
    assert dialog.item_text.text().startswith("未设置连墙件")
    assert dialog.deadline.date() == clock.today() + dt.timedelta(days=3)
    type_text(dialog.location, "外脚手架东立面 8-12 层")
    type_text(dialog.description, "外脚手架 10 层连墙件整层缺失")
    type_text(dialog.measures, "立即停止架上作业，补设连墙件并验收")
    type_text(dialog.contingency, "设警戒区，专人监护")
    save(qtbot, dialog, "hazard-dialog-level1")
    click_save(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.saved is not None, timeout=10_000)
    data = saved_hazard(state, dialog.saved.id)
    row = data.detail.row
    assert (row.level, row.is_major, row.stop_work) == (1, True, "full")
    assert data.detail.catalogue_item.code == "07-2"
    assert data.detail.catalogue_item.edition == "2024"  # the edition stays with the hazard
    assert sorted(r.recipient for r in data.pending_reports) == ["authority", "insurer"]
    # registering a level 1 offers the stop-work letter at once; answered yes, its draft exists
    offer = [c for c in dialog_log.calls if c[1] == "停工建议书"]
    assert len(offer) == 1 and "是否现在起草停工建议书" in offer[0][2]
    qtbot.waitUntil(lambda: dialog.letter is not None or "error" in dialog_log.kinds(), timeout=20_000)
    assert dialog.letter is not None and dialog.letter.kind == "stop_work" and dialog.letter.status == "draft"
    assert dialog.letter.scope_id == dialog.saved.id


def test_an_unverified_item_says_so(qtbot, state, dialog, dialog_log):
    def pick(picker: CataloguePicker) -> bool:
        picker.show()
        picker.search.setText("第三方监测")
        picker.run_search()
        assert picker.select_code("05-3")
        assert picker.note.isVisible() and "未经核对原文" in picker.note.text()
        save(qtbot, picker, "catalogue-picker-unverified")
        picker.accept()
        return True

    dialog_log.on_run = pick
    dialog.found_at.set_value(dt.datetime(2024, 12, 1, 9, 0))  # before 2024-12-13
    dialog.choose_item()
    assert dialog.item.edition == "2022"
    assert dialog.item_note.isVisible() and "未经核对原文" in dialog.item_note.text()
    save(qtbot, dialog, "hazard-dialog-unverified-item")
    dialog.clear_item.click()
    assert dialog.item is None and not dialog.item_note.isVisible()
    assert dialog.level.isEnabled() and not dialog.level_reason.isVisible()


def test_messages_appear_beside_their_fields(qtbot, state, loaded, dialog_log):
    dialog = HazardDialog(state)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.level.currentIndex() == -1 and dialog.level.currentData() is None  # nothing preselected
    click_save(qtbot, dialog)
    assert dialog.errors["project_id"].text() == "请选择项目"
    assert dialog.errors["level"].text() == "请选择隐患等级"
    choose(dialog.project, loaded.project)
    choose(dialog.level, 1)
    dialog.stop_work.setCurrentIndex(dialog.stop_work.findData("none"))
    click_save(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.errors["description"].isVisible(), timeout=5000)
    assert dialog.errors["description"].text() == "请填写隐患描述"
    assert "整改措施" in dialog.errors["measures"].text()
    assert "停工或局部停工建议" in dialog.errors["stop_work"].text()
    assert "N-" not in "".join(label.text() for label in dialog.errors.values())
    assert "应急预案" in dialog.errors["contingency"].text()
    assert not dialog.errors["location"].isVisible()
    save(qtbot, dialog, "hazard-dialog-errors")
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.saved is None


def test_the_deadline_follows_the_level_until_edited(dialog):
    today = clock.today()
    for level, days in ((1, 3), (2, 7), (4, 30)):
        choose(dialog.level, level)
        assert dialog.deadline.date() == today + dt.timedelta(days=days)
    choose(dialog.level, 2)
    assert dialog.serious.isEnabled()
    replace_text(dialog.deadline.edit, (today + dt.timedelta(days=9)).strftime("%Y/%m/%d"))  # typed
    choose(dialog.level, 3)
    assert dialog.deadline.date() == today + dt.timedelta(days=9)
    assert not dialog.serious.isEnabled()


def test_categories_are_offered_from_the_register(qtbot, dialog):
    qtbot.waitUntil(lambda: dialog._categories.stringList() == ["高处坠落"], timeout=5000)


@pytest.mark.parametrize("link", [True, False])
def test_a_very_similar_open_hazard_is_offered_as_the_repeated_one(
    qtbot, state, dialog, dialog_log, link
):
    dialog_log.answer = link
    type_text(dialog.location, "塔吊 2#")
    type_text(dialog.description, "塔吊起重力矩限制器失效")
    type_text(dialog.measures, "更换限制器")
    choose(dialog.level, 3)
    click_save(qtbot, dialog)
    (kind, title, text) = dialog_log.calls[0]
    assert (kind, title) == ("ask", "可能是重复隐患") and "塔吊起重力矩限制器失效" in text
    if not link:
        assert dialog.saved is None and dialog.isVisible()
        return
    qtbot.waitUntil(lambda: dialog.saved is not None, timeout=10_000)
    detail = state.read(hazard_view.detail, dialog.saved.id)
    assert detail.repeat_of_number.startswith("YH-")


def test_editing_an_open_hazard(qtbot, state, db, admin, loaded):
    from desktop.services.queries.register import RegisterFilter, hazard_ids

    with db.read() as session:
        hazard_id = hazard_ids(session, RegisterFilter(levels=frozenset({4})))[0]
    dialog = HazardDialog(state, hazard_id=hazard_id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.project.isEnabled() and not dialog.pick.isEnabled()
    assert dialog.level.isEnabled()  # still only recorded: the level may change
    dialog.location.clear()
    type_text(dialog.location, "新部位")
    assert dialog.edits() == {"location": "新部位"}
    click_save(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10_000)
    assert state.read(hazards.get, hazard_id).location == "新部位"


def test_an_edit_that_lost_the_race_is_reported_and_reloaded(
    qtbot, state, db, admin, loaded, dialog_log
):
    from desktop.services.queries.register import RegisterFilter, hazard_ids

    with db.read() as session:
        hazard_id = hazard_ids(session, RegisterFilter(levels=frozenset({4})))[0]
    dialog = HazardDialog(state, hazard_id=hazard_id)
    qtbot.addWidget(dialog)
    with db.session() as session:  # another desk saves first
        version = hazards.get(session, hazard_id).version
        hazards.update(session, admin, hazard_id, expected_version=version, measures="别人改的措施")
    dialog.location.setText("我的修改")
    click_save(qtbot, dialog)
    qtbot.waitUntil(lambda: "warn" in dialog_log.kinds(), timeout=10_000)
    assert dialog_log.calls[-1][1] == "记录已被他人修改"
    assert dialog.measures.toPlainText() == "别人改的措施"  # reloaded
    assert dialog.result() != QDialog.DialogCode.Accepted
