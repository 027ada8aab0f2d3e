"""The project page's 交底会 and 标准化建设 tabs: records made, refused beside their fields, edited,
printed as a draft and deleted through the dialogs; a reviewer only reads."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtWidgets import QDialog

from desktop.services import documents, meetings, standardisation
from desktop.services.context import now
from desktop.ui import meeting_dialogs
from desktop.ui.app_state import AppState
from desktop.ui.meeting_dialogs import DeleteDialog, KickoffDialog, StandardisationDialog
from desktop.ui.meetings_panel import AssistColumn, KickoffTab, MeetingColumn, StandardisationTab
from desktop.ui.pages.projects_page import ProjectPage
from tests.factories import make_project

YESTERDAY = now().date() - dt.timedelta(days=1)
CLOCK_DAYS = ("YESTERDAY",)  # set again before each test (conftest): a run may cross midnight


def accepted(dialog: QDialog) -> bool:
    dialog.accept()
    return dialog.result() == QDialog.DialogCode.Accepted


def refused_fields(dialog) -> set[str]:  # type: ignore[no-untyped-def]
    return {k for k, label in dialog.field_errors.items() if label.text()}


def cell(tab, row: int, column: int) -> str:  # type: ignore[no-untyped-def]
    return tab.model.data(tab.model.index(row, column))


@pytest.fixture
def project(db, admin, agency_profile):
    with db.session() as s:
        return make_project(s, admin).project


@pytest.fixture
def scan(tmp_path) -> Path:
    path = tmp_path / "sign-in.png"
    buf = io.BytesIO()
    Image.new("RGB", (600, 800), (255, 255, 250)).save(buf, "PNG")
    path.write_bytes(buf.getvalue())
    return path


def test_a_kick_off_recorded_confirmed_printed_and_deleted(qtbot, state, project, db, dialog_log,
                                                          monkeypatch, scan):
    tab = KickoffTab(state)
    qtbot.addWidget(tab)
    tab.resize(1000, 500)
    tab.show()
    tab.load(project)
    assert tab.empty.isVisible() and not tab.edit_button.isEnabled()
    monkeypatch.setattr(meeting_dialogs, "choose_open_file", lambda *_a: str(scan))

    def fill(dialog: KickoffDialog) -> bool:
        dialog.show()
        dialog.accept()  # nothing typed: the problems show beside their fields, the form stays
        assert refused_fields(dialog) == {"place", "attendees"} and dialog.result() != QDialog.DialogCode.Accepted
        dialog.date.set_date(YESTERDAY)
        dialog.place.setText("项目部会议室")
        (_, agency_name, agency_pos, _), (_, site_name, site_pos, _) = dialog.attendees.lines
        agency_name.setText("王工")
        agency_pos.setText("项目负责人")
        site_name.setText("李明")
        site_pos.setText("项目经理")
        party, name, _ = dialog.attendees.add_line()
        party.setCurrentIndex(party.findData("supervisor"))
        name.setText("赵敏")
        dialog.topic_boxes["contacts"].setChecked(False)
        dialog.findChild(type(dialog.attendees.add_button), "addAttendee")  # the button is reachable
        dialog.choose_sheet()
        assert dialog.sheet.text() == str(scan)
        return accepted(dialog)

    dialog_log.on_run = fill
    tab.new_button.click()
    assert not tab.empty.isVisible()
    assert [cell(tab, 0, c) for c in (MeetingColumn.PLACE, MeetingColumn.ATTENDEES, MeetingColumn.TOPICS,
                                      MeetingColumn.CONFIRMED, MeetingColumn.SHEETS)] == \
        ["项目部会议室", "3", "服务范围、服务方案、报告途径", "未确认", "1"]

    def confirm(dialog: KickoffDialog) -> bool:
        assert dialog.place.text() == "项目部会议室" and not dialog.confirmed_by.isEnabled()
        dialog.confirmed.setChecked(True)
        dialog.confirmed_on.set_date(YESTERDAY - dt.timedelta(days=3))
        dialog.accept()  # no name, a day before the meeting
        assert refused_fields(dialog) == {"confirmed_by", "confirmed_on"}
        dialog.confirmed_by.setText("李明")
        dialog.accept()
        assert refused_fields(dialog) == {"confirmed_on"}
        dialog.confirmed_on.set_date(YESTERDAY)
        return accepted(dialog)

    dialog_log.on_run = confirm
    tab.table.selectRow(0)
    tab.edit_button.click()
    assert cell(tab, 0, MeetingColumn.CONFIRMED) == f"李明 {YESTERDAY.isoformat()} 确认"
    with db.read() as s:
        [row] = meetings.for_project(s, project)
    assert row.confirmed and [a.name for a in row.attendees] == ["王工", "李明", "赵敏"]

    tab.table.selectRow(0)
    with qtbot.waitSignal(state.changed, timeout=10_000):
        tab.print_button.click()
    qtbot.waitUntil(lambda: bool(dialog_log.viewers), timeout=10_000)  # the in-app PDF viewer
    viewer = dialog_log.viewers[0]
    qtbot.addWidget(viewer)
    assert viewer.page_count >= 1
    assert "服务交底会记录" in dialog_log.texts("ask")[-1]
    with db.read() as s:
        assert [d.kind for d in documents.register(s, project_id=project)] == ["kickoff_record"]

    def delete(dialog: DeleteDialog) -> bool:
        dialog.accept()
        assert refused_fields(dialog) == {"reason"}
        dialog.reason.setText("重复登记")
        return accepted(dialog)

    dialog_log.on_run = delete
    tab.table.selectRow(0)
    tab.delete_button.click()
    assert tab.empty.isVisible() and tab.model.rowCount() == 0


def test_standardisation_assistance_and_its_follow_up(qtbot, state, project, db, dialog_log):
    tab = StandardisationTab(state)
    qtbot.addWidget(tab)
    tab.show()
    tab.load(project)

    def fill(dialog: StandardisationDialog) -> bool:
        dialog.accept()
        assert refused_fields(dialog) == {"items", "advice"}
        dialog.date.set_date(YESTERDAY)
        dialog.item_boxes["electricity"].setChecked(True)
        dialog.other.setText("班前教育记录")
        dialog.advice.setPlainText("完善三级配电两级保护。")
        assert not dialog.result_box.isEnabled()
        return accepted(dialog)

    dialog_log.on_run = fill
    tab.new_button.click()
    assert [cell(tab, 0, c) for c in (AssistColumn.ITEMS, AssistColumn.FOLLOW_UP)] == \
        ["施工用电、班前教育记录", "待复查"]

    def follow(dialog: StandardisationDialog) -> bool:
        dialog.followed.setChecked(True)
        dialog.follow_up_on.set_date(YESTERDAY)
        dialog.accept()
        assert refused_fields(dialog) == {"follow_up_result"}
        dialog.result_box.setPlainText("已整改到位")
        return accepted(dialog)

    dialog_log.on_run = follow
    tab.table.selectRow(0)
    tab.edit_button.click()
    assert cell(tab, 0, AssistColumn.FOLLOW_UP) == f"{YESTERDAY.isoformat()} 已整改到位"
    with db.read() as s:
        [row] = standardisation.for_project(s, project)
    assert row.followed_up and row.items == ("electricity",)


def test_the_project_page_has_both_tabs_and_a_reviewer_only_reads(qtbot, db, config, users, project):
    reviewer = AppState(db=db, config=config, actor=users["reviewer"])
    page = ProjectPage(reviewer)
    qtbot.addWidget(page)
    page.load(project)
    names = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert "交底会" in names and "标准化建设" in names
    page.tabs.setCurrentWidget(page.kickoff)
    assert page.kickoff.project_id == project
    assert not page.kickoff.new_button.isEnabled() and not page.standardisation.new_button.isEnabled()
