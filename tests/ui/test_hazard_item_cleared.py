"""The hazard dialog after a standard item is picked and then cleared (不是重大隐患): the level 1 and
全部停工 the item proposed go with it — back to no level and no stop-work, so a general hazard is
not saved as level 1 with same-day reports — while what the user chose themselves stays."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from desktop.services import catalogues
from desktop.ui.catalogue_picker import CataloguePicker
from desktop.ui.hazard_dialog import HazardDialog


@pytest.fixture
def dialog(qtbot, state, db, admin, hazard_data):  # type: ignore[no-untyped-def]
    with db.session() as session:
        catalogues.load_all(session)
    dialog = HazardDialog(state, project_id=hazard_data.project)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def pick(qtbot, dialog, dialog_log, search: str, code: str) -> None:  # type: ignore[no-untyped-def]
    def run(picker: CataloguePicker) -> bool:
        picker.show()
        picker.search.setText(search)
        picker.run_search()
        assert picker.select_code(code)
        picker.accept()
        return True

    dialog_log.on_run = run
    qtbot.mouseClick(dialog.pick, Qt.MouseButton.LeftButton)
    assert dialog.item is not None and dialog.item.code == code


def clear(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(dialog.clear_item, Qt.MouseButton.LeftButton)
    assert dialog.item is None and dialog.item_label.text() == "未对照判定条目（一般隐患）"


def test_clearing_the_item_takes_back_its_level_and_stop_work(qtbot, dialog, dialog_log):
    assert dialog.level.currentData() is None and dialog.stop_work.currentData() == "none"
    pick(qtbot, dialog, dialog_log, "连墙件", "07-2")
    assert (dialog.level.currentData(), dialog.stop_work.currentData()) == (1, "full")
    clear(qtbot, dialog)
    assert dialog.level.currentIndex() == -1 and dialog.level.currentData() is None
    assert dialog.stop_work.currentData() == "none"
    assert dialog.level.isEnabled() and dialog.chip.text() == ""
    # saving asks for a level instead of recording a general hazard as level 1
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save),
                     Qt.MouseButton.LeftButton)
    assert dialog.saved is None and dialog.errors["level"].text() == "请选择隐患等级"


def test_a_stop_work_the_user_chose_after_the_proposal_stays(qtbot, dialog, dialog_log):
    pick(qtbot, dialog, dialog_log, "连墙件", "07-2")
    dialog.stop_work.setCurrentIndex(dialog.stop_work.findData("partial"))
    clear(qtbot, dialog)
    assert dialog.level.currentData() is None
    assert dialog.stop_work.currentData() == "partial"


def test_what_the_user_chose_before_picking_comes_back(qtbot, dialog, dialog_log):
    dialog.level.setCurrentIndex(dialog.level.findData(2))
    dialog.stop_work.setCurrentIndex(dialog.stop_work.findData("partial"))
    pick(qtbot, dialog, dialog_log, "连墙件", "07-2")
    assert (dialog.level.currentData(), dialog.stop_work.currentData()) == (1, "partial")
    clear(qtbot, dialog)
    assert (dialog.level.currentData(), dialog.stop_work.currentData()) == (2, "partial")


def test_a_second_item_then_clearing_still_goes_back_to_nothing(qtbot, dialog, dialog_log):
    pick(qtbot, dialog, dialog_log, "连墙件", "07-2")
    pick(qtbot, dialog, dialog_log, "第三方监测", "05-3")
    clear(qtbot, dialog)
    assert dialog.level.currentData() is None and dialog.stop_work.currentData() == "none"
