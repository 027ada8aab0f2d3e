"""The date widget: typed in every common form, Tab leaves, an empty optional date stays empty."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from desktop.services.context import ValidationError
from desktop.ui.date_field import DateField, DateTimeField
from desktop.ui.date_text import format_date, parse_date, parse_time

from .keyboard import replace_text

TYPED = ["2028-06-30", "2028/6/30", "2028.6.30", "20280630", "2028年6月30日", "2028 6 30",
         "２０２８－０６－３０", " 2028-6-30 ", "2028年06月30号"]


@pytest.mark.parametrize("text", TYPED)
def test_parse_date_accepts_common_forms(text):
    assert parse_date(text) == dt.date(2028, 6, 30)


@pytest.mark.parametrize("text", ["", "6/30", "06-30", "2028-02-30", "2028-13-01", "0202-06-30",
                                  "2028-06", "20286300", "明天", "2028-06-30x", "28-06-30"])
def test_parse_date_refuses_what_is_not_a_whole_date(text):
    assert parse_date(text) is None


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2199, 12, 31)))
def test_parse_date_reads_every_form_it_writes(day):
    assert parse_date(format_date(day)) == day
    assert parse_date(day.strftime("%Y%m%d")) == day
    assert parse_date(f"{day.year}/{day.month}/{day.day}") == day
    assert parse_date(f"{day.year}年{day.month}月{day.day}日") == day


@given(st.text(max_size=20))
def test_parse_date_never_raises(text):
    result = parse_date(text)
    assert result is None or isinstance(result, dt.date)


@pytest.mark.parametrize(("text", "expected"), [
    ("14:30", dt.time(14, 30)), ("14：30", dt.time(14, 30)), ("1430", dt.time(14, 30)),
    ("9:5", dt.time(9, 5)), ("14时30分", dt.time(14, 30)), ("8点", dt.time(8, 0)),
    ("24:00", None), ("12:60", None), ("noon", None)])
def test_parse_time(text, expected):
    assert parse_time(text) == expected


def form(qtbot, *fields: QWidget) -> tuple[QWidget, QLineEdit]:
    host = QWidget()
    layout = QVBoxLayout(host)
    for field in fields:
        layout.addWidget(field)
    after = QLineEdit()
    layout.addWidget(after)
    qtbot.addWidget(host)
    host.show()
    host.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is host, timeout=3000)
    return host, after


@pytest.mark.parametrize("text", TYPED[:5])
def test_typed_year_sticks_and_tab_leaves_the_field(qtbot, text):
    field = DateField(dt.date(2026, 3, 1))
    _host, after = form(qtbot, field)
    field.setFocus()
    replace_text(field.edit, text)
    QTest.keyClick(field.edit, Qt.Key.Key_Tab)
    assert after.hasFocus()  # one Tab leaves the field
    assert field.date() == dt.date(2028, 6, 30)
    assert field.text() == "2028-06-30"
    assert field.error() == ""


def test_optional_date_stays_empty_when_tabbed_through(qtbot):
    field = DateField(optional=True)
    _host, after = form(qtbot, field)
    field.setFocus()
    QTest.keyClick(field.edit, Qt.Key.Key_Tab)
    assert after.hasFocus()
    assert field.date() is None and field.text() == ""
    assert field.checked_date() is None


def test_unreadable_text_is_red_with_a_chinese_reason(qtbot):
    field = DateField(dt.date(2026, 3, 1))
    _host, _after = form(qtbot, field)
    seen: list[object] = []
    field.dateChanged.connect(seen.append)
    field.setFocus()
    replace_text(field.edit, "2028-02-30")
    QTest.keyClick(field.edit, Qt.Key.Key_Tab)
    assert field.date() is None
    assert "无法识别" in field.error() and "2028-02-30" in field.edit.toolTip()
    assert field.edit.property("invalid") is True
    with pytest.raises(ValidationError) as caught:
        field.checked_date("deadline")
    assert "无法识别" in caught.value.fields["deadline"]
    replace_text(field.edit, "2028-03-01")
    assert field.edit.property("invalid") is False
    assert seen[-1] == dt.date(2028, 3, 1)


def test_required_date_left_empty_is_refused(qtbot):
    field = DateField(dt.date(2026, 3, 1))
    _host, _after = form(qtbot, field)
    field.edit.clear()
    with pytest.raises(ValidationError) as caught:
        field.checked_date()
    assert "请填写日期" in caught.value.fields["date"]


def test_bounds(qtbot):
    field = DateField(dt.date(2026, 3, 1), maximum=dt.date(2026, 3, 31))
    _host, _after = form(qtbot, field)
    field.set_date(dt.date(2026, 4, 1))
    assert field.date() is None and "不能晚于 2026-03-31" in field.error()


def test_calendar_pick_and_arrow_keys(qtbot, qt_warnings):
    field = DateField(optional=True)
    _host, _after = form(qtbot, field)
    field.show_calendar()
    assert field.menu.isVisible()
    # a popup menu on the offscreen platform: it says it cannot raise or grab, nothing else
    assert all("This plugin does not support" in w for w in qt_warnings.take())
    field.calendar.setSelectedDate(field.calendar.selectedDate().addDays(3))
    field._picked(field.calendar.selectedDate())
    picked = field.date()
    assert picked is not None and not field.menu.isVisible()
    field.setFocus()
    QTest.keyClick(field.edit, Qt.Key.Key_Up)
    assert field.date() == picked + dt.timedelta(days=1)


def test_date_time_field_typed_through_the_keyboard(qtbot):
    field = DateTimeField(dt.datetime(2026, 3, 1, 9, 0))
    _host, after = form(qtbot, field)
    field.setFocus()
    replace_text(field.date_field.edit, "2028年6月30日")
    QTest.keyClick(field.date_field.edit, Qt.Key.Key_Tab)
    assert field.time_field.hasFocus()
    replace_text(field.time_field, "14时30分")
    QTest.keyClick(field.time_field, Qt.Key.Key_Tab)
    assert after.hasFocus()
    assert field.value() == dt.datetime(2028, 6, 30, 14, 30)
    assert field.time_field.text() == "14:30"
    field.time_field.setText("25:00")
    with pytest.raises(ValidationError) as caught:
        field.checked_value("found_at")
    assert "无法识别的时间" in caught.value.fields["found_at"]
