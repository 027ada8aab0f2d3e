"""Working days and the agency zone in the window: the 节假日安排 tab where an administrator types
in the newest notice, the complaint dialog's flag, the time-zone choice on the settings page."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QLabel

from desktop import clock
from desktop.services import workdays
from desktop.ui.app_state import AppState
from desktop.ui.holidays_panel import HolidaysPanel, YearColumn, YearDialog
from desktop.ui.pages.settings_page import SettingsPage
from desktop.ui.quality_panels import ComplaintDialog, ComplaintsPanel


@pytest.fixture(autouse=True)
def _mid_december(monkeypatch):
    """China time 2026-12-20 10:00: the 2027 notice is due but the built-in data stops at 2026."""
    monkeypatch.setattr(clock, "system_time", lambda: dt.datetime(2026, 12, 20, 2, 0, tzinfo=dt.UTC))
    yield
    clock.use_zone(clock.DEFAULT_ZONE)


def panel_of(qtbot, state):  # type: ignore[no-untyped-def]
    panel = HolidaysPanel(state)
    qtbot.addWidget(panel)
    panel.refresh()
    return panel


def row_texts(panel, year):  # type: ignore[no-untyped-def]
    for n, row in enumerate(panel.model.rows()):
        if row.year == year:
            return [panel.model.data(panel.model.index(n, c)) for c in YearColumn]
    raise AssertionError(f"{year} not listed")


def select(panel, year):  # type: ignore[no-untyped-def]
    panel.table.selectRow(next(n for n, r in enumerate(panel.model.rows()) if r.year == year))


def test_years_show_where_their_holidays_come_from(qtbot, state):
    panel = panel_of(qtbot, state)
    assert [r.year for r in panel.model.rows()] == [2025, 2026, 2027, 2028]
    assert row_texts(panel, 2026)[1] == "内置（国务院办公厅通知）"
    assert row_texts(panel, 2027)[1] == "该年度节假日安排未载入"
    panel.show()
    assert panel.add_button.isVisible() and not panel.remove_button.isEnabled()


def test_an_admin_types_in_the_2027_notice_and_a_bad_date_stays_in_the_form(qtbot, state, dialog_log):
    panel = panel_of(qtbot, state)
    seen = []

    def fill(dialog: YearDialog) -> bool:
        assert dialog.year.value() == 2027
        dialog.holidays.setPlainText("2027-01-01\n2027-02-30")
        dialog.accept()
        seen.append(dialog.field_errors[workdays.OVERRIDES_KEY].text())
        assert dialog.result() != dialog.DialogCode.Accepted  # refused: the form stays open
        dialog.holidays.setPlainText("2027-01-01\n2027-02-06/2027-02-13\n2027-10-01/2027-10-07")
        dialog.workdays.setPlainText("2027-02-20")
        dialog.accept()
        return dialog.result() == dialog.DialogCode.Accepted

    dialog_log.on_run = fill
    panel.add()
    assert "2027-02-30" in seen[0] and "日期无效" in seen[0]
    assert row_texts(panel, 2027)[1:] == ["管理员录入", "2027-01-01，2027-02-06/2027-02-13，2027-10-01/2027-10-07",
                                          "2027-02-20"]
    select(panel, 2027)
    assert panel.remove_button.isEnabled()
    panel.remove()
    assert row_texts(panel, 2027)[1] == "该年度节假日安排未载入"
    assert dialog_log.kinds() == ["ask"]


def test_a_clerk_sees_the_years_but_cannot_change_them(qtbot, db, users, config):
    panel = panel_of(qtbot, AppState(db=db, config=config, actor=users["clerk"]))
    panel.show()
    assert panel.model.rowCount() == 4
    assert not panel.add_button.isVisible() and not panel.edit_button.isVisible()


def test_the_complaint_dialog_flags_a_deadline_into_an_unloaded_year(qtbot, state, dialog_log):
    panel = ComplaintsPanel(state)
    qtbot.addWidget(panel)
    texts = []

    def fill(dialog: ComplaintDialog) -> bool:
        dialog.received.set_date(dt.date(2026, 12, 7))
        dialog.checking.setChecked(True)
        texts.append(dialog.due.text())
        return False

    dialog_log.on_run = fill
    panel.record_button.click()
    assert texts == ["2027-01-18（2027年：该年度节假日安排未载入）"]


def test_the_agency_zone_is_chosen_on_the_settings_page(qtbot, state, config):
    page = SettingsPage(state)
    qtbot.addWidget(page)
    assert page.time_zone.currentText() == "Asia/Shanghai"
    page.time_zone.setCurrentText("Europe/London")
    page.time_zone.activated.emit(page.time_zone.currentIndex())
    assert type(config).load(config.data_dir).time_zone == "Europe/London"
    assert clock.agency_zone().key == "Europe/London" and clock.now().utcoffset() == dt.timedelta(0)


def test_a_reply_late_only_against_a_guessed_deadline_is_not_called_late(qtbot):
    import dataclasses

    from desktop.services.complaints import ComplaintRow
    from desktop.ui.quality_panels import complaint_colour, complaint_state

    guessed = ComplaintRow(1, None, dt.date(2026, 12, 7), "", "", "夜间施工噪声", True,
                           dt.date(2027, 1, 18), dt.date(2027, 1, 19), "已答复", 1, (2027,))
    day = dt.date(2027, 1, 25)
    assert complaint_state(guessed, day) == "已答复（期限待核实）"
    assert complaint_colour(guessed, day) is None
    known = dataclasses.replace(guessed, unloaded=())
    assert complaint_state(known, day) == "逾期答复"
    assert complaint_colour(known, day) is not None


def test_correcting_a_built_in_year_starts_from_its_days(qtbot, state, dialog_log):
    panel = panel_of(qtbot, state)
    assert "2026-02-15/2026-02-23" in row_texts(panel, 2026)[2]
    seen = []

    def look(dialog: YearDialog) -> bool:
        seen.append((dialog.holidays.toPlainText(), dialog.workdays.toPlainText(),
                     any("不再使用内置数据" in label.text() for label in dialog.findChildren(QLabel))))
        return False

    dialog_log.on_run = look
    select(panel, 2026)
    panel.edit()
    [(typed, worked, warned)] = seen
    assert "2026-01-01/2026-01-03" in typed.splitlines() and "2026-10-01/2026-10-07" in typed.splitlines()
    assert "2026-01-04" in worked.splitlines() and warned
