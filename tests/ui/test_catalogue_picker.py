"""The major-hazard picker: search by words, the edition shown, unverified items marked."""

from __future__ import annotations

import datetime as dt

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
    # a hazard found before 2024-12-13: the 2022 standard is offered first
    picker = CataloguePicker(state, found=dt.date(2024, 6, 1))
    qtbot.addWidget(picker)
    picker.show()
    return picker


def codes(picker) -> list[str]:  # type: ignore[no-untyped-def]
    model = picker.model
    return [model.data(model.index(r, 0), ROW_ROLE).code for r in range(model.rowCount())]


def test_every_item_of_the_standard_is_listed(picker, qtmodeltester):
    assert len(codes(picker)) == 34 and picker.count.text() == "找到 34 条"
    model = picker.model
    assert model.data(model.index(0, ItemColumn.EDITION)) == "2022版（建质规〔2022〕2号）"
    assert model.data(model.index(0, ItemColumn.CODE)) == "第四条（一）"
    qtmodeltester.check(model)


def test_a_hazard_found_from_2024_12_13_gets_the_2024_standard_and_every_edition_is_there(
        qtbot, db, state, picker):
    later = CataloguePicker(state, found=dt.date(2024, 12, 13))
    qtbot.addWidget(later)
    assert later.edition.currentData() == "major_hazard@2024" and len(codes(later)) == 53
    assert "2024-12-13 起施行" in later.edition.currentText()
    later.search.setText("连墙件")
    later.run_search()
    assert codes(later) == ["07-2"]
    assert "第七条（二）" in later.detail.text() and "沿用自：2022版（建质规〔2022〕2号） 第七条（二）" in later.detail.text()
    later.edition.setCurrentIndex(later.edition.findData(None))  # 全部版本
    assert [(r.edition, r.code) for r in (later.model.data(later.model.index(n, 0), ROW_ROLE)
                                         for n in range(later.model.rowCount()))] == [("2024", "07-2"), ("2022", "07-2")]
    assert "N-" not in later.detail.text()


def test_words_narrow_the_list(qtbot, picker):
    picker.search.setText("塔式起重机 附着")
    qtbot.waitUntil(lambda: codes(picker) == ["08-2"], timeout=3000)
    # the same words in 2024 stand as 第八条（七）
    assert "新版对应：2024版（建质规〔2024〕5号） 第八条（七）" in picker.detail.text()
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


def test_without_a_day_found_the_agency_today_chooses_the_edition(qtbot, db, state, picker, monkeypatch):
    from desktop import clock

    # 01:00 on 13 December 2024 in China is still the 12th in UTC: the 2024 standard is in force
    monkeypatch.setattr(clock, "system_time", lambda: dt.datetime(2024, 12, 12, 17, 0, tzinfo=dt.UTC))
    today = CataloguePicker(state)
    qtbot.addWidget(today)
    assert today.edition.currentData() == "major_hazard@2024"
    monkeypatch.setattr(clock, "system_time", lambda: dt.datetime(2024, 12, 12, 15, 59, tzinfo=dt.UTC))
    day_before = CataloguePicker(state)
    qtbot.addWidget(day_before)
    assert day_before.edition.currentData() == "major_hazard@2022"


def test_every_column_is_in_view_without_sideways_scrolling(qtbot, picker):
    table = picker.table
    qtbot.waitUntil(lambda: table.horizontalHeader().length() <= table.viewport().width())
    assert table.horizontalScrollBar().maximum() == 0
    for column in (ItemColumn.EDITION, ItemColumn.CHECKED):  # their text whole
        assert table.columnWidth(column) >= table.sizeHintForColumn(column)
