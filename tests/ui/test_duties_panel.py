"""The dashboard's 近期到期 section and the 30-day calendar view: duties by day, each opening
its record, exported to .ics (issue 16 §4)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.services.queries import duties
from desktop.ui import dialogs, file_dialogs
from desktop.ui.duties_panel import DutiesDialog, target_of
from desktop.ui.main_window import MainWindow
from desktop.ui.pages.dashboard_page import DashboardPage
from desktop.ui.pages.hazards_page import HazardsPage

from .test_dashboard_page import ArchiveList, ListPage, ProjectsList


def children(panel):  # type: ignore[no-untyped-def]
    tree = panel.tree
    return [tree.topLevelItem(i).child(j) for i in range(tree.topLevelItemCount())
            for j in range(tree.topLevelItem(i).childCount())]


def test_section_lists_and_opens(qtbot, state, hazard_data):
    ListPage.shown = []
    window = MainWindow(state, pages=(DashboardPage, HazardsPage, ProjectsList, ArchiveList))
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.show()
    window.show_page("dashboard")
    panel = window.page("dashboard").duties
    expected = state.read(duties.upcoming, days=7)
    rows = children(panel)
    assert len(rows) == len(expected) > 0
    assert "到期" in panel.empty.text() and "N-" not in panel.empty.text()
    # the open hazards' reports and deadlines are there, the overdue ones in red
    late = [r for r in rows if r.text(0) == "整改期限" and panel.duty_of(r).overdue]
    assert late and all(r.foreground(0).color().name() == "#c62828" for r in late)
    rect = late[0]
    duty = panel.duty_of(rect)
    panel.tree.itemActivated.emit(rect, 0)
    assert window.current_page().key == "hazards"
    assert target_of(duty)[0] == "hazards"


def test_calendar_dialog_and_export(qtbot, state, hazard_data, tmp_path, monkeypatch):
    dialog = DutiesDialog(state, days=30)
    qtbot.addWidget(dialog)
    days = [dialog.panel.tree.topLevelItem(i).text(0) for i in range(dialog.panel.tree.topLevelItemCount())]
    assert days and all("星期" in d for d in days)
    assert days == sorted(days)
    target = tmp_path / "到期.ics"
    monkeypatch.setattr(file_dialogs, "save_file", lambda *_a: str(target))
    qtbot.mouseClick(dialog.panel.export_button, Qt.MouseButton.LeftButton)
    data = target.read_bytes()
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert data.count(b"BEGIN:VEVENT") == len(dialog.panel.items)


def test_a_calendar_file_that_cannot_be_written_is_said_plainly(qtbot, state, hazard_data, tmp_path,
                                                                monkeypatch):
    dialog = DutiesDialog(state, days=30)
    qtbot.addWidget(dialog)
    blocker = tmp_path / "占用的名称"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    target = blocker / "到期.ics"  # its folder cannot exist
    monkeypatch.setattr(file_dialogs, "save_file", lambda *_a: str(target))
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(dialogs, "warn", lambda _parent, title, text: said.append((title, text)))
    qtbot.mouseClick(dialog.panel.export_button, Qt.MouseButton.LeftButton)
    assert not target.exists()
    assert len(said) == 1 and said[0][0] == "未导出" and str(target) in said[0][1]


def test_a_projects_late_hazards_open_together():
    import datetime as dt

    from desktop.messages import msg

    group = duties.Duty(dt.date(2026, 6, 10), "rectification", 7, "某项目（P-1）",
                        msg("{count} 项隐患已过整改期限仍未闭合（最早 {first} 到期：隐患 {number}）",
                            count=2, first=dt.date(2026, 6, 10), number="YH-1"),
                        "hazards", None, True, ref="late:7", target_ids=(11, 12))
    page, method, (ids, text) = target_of(group)
    assert (page, method, ids) == ("hazards", "show_ids", [11, 12]) and "2 项隐患" in text
