"""The major-hazard picker: search by words, the edition shown, unverified items marked."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from desktop.services import catalogues
from desktop.ui.catalogue_picker import CataloguePicker, ItemColumn
from desktop.ui.lazy_model import ROW_ROLE


@pytest.fixture
def picker(qtbot, db, state):
    with db.session() as session:
        catalogues.load_all(session)
    picker = CataloguePicker(state)
    qtbot.addWidget(picker)
    picker.show()
    return picker


def codes(picker) -> list[str]:  # type: ignore[no-untyped-def]
    model = picker.model
    return [model.data(model.index(r, ItemColumn.CODE)) for r in range(model.rowCount())]


def test_every_item_of_the_standard_is_listed(picker, qtmodeltester):
    assert len(codes(picker)) == 34 and picker.count.text() == "找到 34 条"
    model = picker.model
    assert model.data(model.index(0, ItemColumn.EDITION)) == "建质规〔2022〕2号"
    qtmodeltester.check(model)


def test_words_narrow_the_list(qtbot, picker):
    picker.search.setText("塔式起重机 附着")
    qtbot.waitUntil(lambda: codes(picker) == ["08-2"], timeout=3000)
    assert "第八条" in picker.detail.text() or "08-2" in picker.detail.text()
    assert not picker.note.isVisible()


def test_unverified_items_are_marked(qtbot, picker):
    picker.search.setText("超挖")
    picker.run_search()
    assert codes(picker) == ["05-2"]
    model = picker.model
    assert model.data(model.index(0, ItemColumn.CHECKED)) == "未经核对原文"
    assert picker.note.isVisible() and "未经核对原文" in picker.note.text()


def test_nothing_found_means_nothing_to_choose(picker):
    picker.search.setText("不存在的情形")
    picker.run_search()
    assert codes(picker) == [] and picker.detail.text() == ""
    assert not picker.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    picker.accept()
    assert picker.result() != QDialog.DialogCode.Accepted and picker.chosen is None


def test_double_click_chooses(qtbot, picker):
    picker.search.setText("有限空间")
    picker.run_search()
    index = picker.model.index(1, ItemColumn.TEXT)
    rect = picker.table.visualRect(index)
    qtbot.mouseClick(picker.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(picker.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert picker.result() == QDialog.DialogCode.Accepted
    assert picker.chosen == picker.model.data(index, ROW_ROLE) and picker.chosen.code == "11-2"
    assert picker.chosen.kind == "major_hazard" and picker.chosen.edition == "2022"
