"""An office day in the real main window (issue 3): a project made through 新建项目, an inspection
through 新建检查 with a level-1 and a level-3 hazard recorded with photos, both hazards taken from
the register through their whole lifecycle, and the dashboard, project list and register following.

Modal dialogs go through the `dialogs.run` seam (conftest's `dialog_log.on_run`): each handler
shows the dialog, fills it as a person would and presses its button. The file chooser is the
photo strip's `choose_photos` seam. Workers are waited for, never slept on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel

from desktop.services import documents, hazards
from desktop.services.context import Changes
from desktop.services.queries import hazard_view, register
from desktop.services.queries.register import RegisterFilter
from desktop.ui import hazard_page, photo_strip, tasks
from desktop.ui.app_state import AppState
from desktop.ui.hazard_actions import ReportDialog, VerifyCloseDialog
from desktop.ui.hazard_dialog import HazardDialog
from desktop.ui.inspection_dialog import FindingColumn, InspectionDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.pages.hazards_page import HazardColumn
from desktop.ui.pages.projects_page import ProjectColumn
from desktop.ui.project_dialog import ProjectDialog

from .keyboard import replace_text
from .test_hazard_dialog import type_text
from .test_photo_strip import jpeg

CODE = "SX-2026-0888"
NAME = "越城区镜湖安置房三期"
CONTRACTOR = "浙江镜湖建设集团有限公司"
SUPERVISOR = "绍兴市镜湖工程监理有限公司"
L1 = "塔吊起重力矩限制器失效"
L3 = "3#楼 5 层临边防护栏杆缺失"
SAVE = QDialogButtonBox.StandardButton.Save
OK = QDialogButtonBox.StandardButton.Ok
Handler = Callable[[Any], bool]


class Desk:
    """What answers `dialogs.run`: the handler queued for the dialog's class, used once."""

    def __init__(self) -> None:
        self.queue: list[tuple[type, Handler]] = []
        self.seen: list[str] = []

    def expect(self, kind: type, handler: Handler) -> None:
        self.queue.append((kind, handler))

    def __call__(self, dialog: Any) -> bool:
        self.seen.append(type(dialog).__name__)
        for n, (kind, handler) in enumerate(self.queue):
            if isinstance(dialog, kind):
                del self.queue[n]
                return handler(dialog)
        raise AssertionError(f"unexpected modal dialog: {type(dialog).__name__}")


@pytest.fixture
def desk(dialog_log):
    desk = Desk()
    dialog_log.on_run = desk
    yield desk
    assert desk.queue == [], f"dialogs expected but never opened: {desk.queue}"


@pytest.fixture
def window(qtbot, db, config, users, agency_profile):
    # a technical lead opens the day: an inspector may not create projects (project.edit)
    state = AppState(db=db, config=config, actor=users["tech_lead"])
    window = MainWindow(state)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    for page in list(hazard_page._windows.values()):
        page.close()
    qtbot.waitUntil(lambda: not tasks._running, timeout=10_000)  # thumbnails, imports, lists


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    # a button just added to a shown layout appears once the event loop has run
    qtbot.waitUntil(button.isVisible, timeout=2000)
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def card(window, key: str) -> int:  # type: ignore[no-untyped-def]
    window.show_page("dashboard")
    return int(window.page("dashboard").cards_by_key[key].text().split("\n")[0].replace(",", ""))


def register_rows(qtbot, window) -> dict[str, dict[HazardColumn, str]]:  # type: ignore[no-untyped-def]
    """The register as shown: description -> the texts of its row."""
    window.show_page("hazards")
    page = window.page("hazards")
    qtbot.waitUntil(lambda: not page.table.is_loading, timeout=5000)
    model = page.model
    rows = {}
    for r in range(model.rowCount()):
        texts = {c: model.data(model.index(r, c)) for c in HazardColumn}
        rows[texts[HazardColumn.DESCRIPTION]] = texts
    return rows


def open_from_register(qtbot, window, description: str):  # type: ignore[no-untyped-def]
    """Double-click the hazard's row in the register; its window opens."""
    register_rows(qtbot, window)
    page = window.page("hazards")
    model = page.model
    row = next(r for r in range(model.rowCount())
               if model.data(model.index(r, HazardColumn.DESCRIPTION)) == description)
    index = model.index(row, HazardColumn.DESCRIPTION)
    page.table.scrollTo(index)
    rect = page.table.visualRect(index)
    # QTest's double click carries no press of its own; a real one follows a first click
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    opened = [p for p in hazard_page._windows.values() if p.data.detail.row.description == description]
    assert len(opened) == 1
    opened[0].show()
    qtbot.waitExposed(opened[0])
    return opened[0]


def facts(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    form = page.facts
    out = {}
    for r in range(form.rowCount()):
        caption = form.itemAt(r, form.ItemRole.LabelRole)
        value = form.itemAt(r, form.ItemRole.FieldRole)
        if caption is not None and value is not None:
            out[caption.widget().text()] = value.widget().text()
    return out


def timeline(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [page.events.data(page.events.index(r, 1)) for r in range(page.events.rowCount())]


def step(qtbot, desk, page, name: str, fill: Callable[[Any], None] | None = None) -> Any:  # type: ignore[no-untyped-def]
    """Click the step's button on the hazard page, fill its dialog and press OK."""
    seen = []

    def run(dialog):  # type: ignore[no-untyped-def]
        dialog.show()
        seen.append(dialog)
        if fill is not None:
            fill(dialog)
        click(qtbot, dialog.buttons.button(OK))
        return dialog.result() == QDialog.DialogCode.Accepted

    desk.expect(QDialog, run)
    click(qtbot, page.step_buttons[name])
    assert seen and seen[0].result() == QDialog.DialogCode.Accepted, (
        name, {k: v.text() for k, v in seen[0].errors.items() if v.text()}, seen[0].error.text())
    return seen[0]


@pytest.mark.slow
def test_an_office_day(qtbot, window, desk, users, dialog_log, tmp_path, monkeypatch):
    state = window.state
    assert card(window, "unreported_l1") == 0

    # -- 09:00 the technical lead creates the project through 文件 → 新建项目 ---------------------
    def new_project(dialog: ProjectDialog) -> bool:
        dialog.show()
        qtbot.keyClicks(dialog.code, CODE)
        type_text(dialog.name, NAME)
        type_text(dialog.address, "越城区镜湖新区洋江西路")
        dialog.tabs.setCurrentIndex(1)  # 保单与参建单位
        type_text(dialog.parties["contractor_id"], CONTRACTOR)
        type_text(dialog.parties["supervisor_id"], SUPERVISOR)
        click(qtbot, dialog.findChild(QDialogButtonBox).button(SAVE))
        assert dialog.result() == QDialog.DialogCode.Accepted, dialog.errors.general.text()
        return True

    desk.expect(ProjectDialog, new_project)
    window.new_project_action.trigger()
    assert window.current_page().key == "projects"
    projects = window.page("projects")
    assert projects.count_label.text() == "共 1 个项目"
    model = projects.model
    assert [(model.data(model.index(r, ProjectColumn.CODE)), model.data(model.index(r, ProjectColumn.NAME)),
             model.data(model.index(r, ProjectColumn.CONTRACTOR))) for r in range(model.rowCount())] == [
        (CODE, NAME, CONTRACTOR)]
    project_id = projects.open_project_id  # the new project's file is open on the page
    assert project_id is not None

    # -- 10:00 an inspector records the site visit through 新建检查, with two hazards -----------
    state.set_actor(users["inspector"])
    assert window.statusBar().findChild(QLabel, "statusUser").text() == "当前用户：检查人员甲（检查人员）"
    photos = {
        1: [jpeg(tmp_path / "塔吊1.jpg", "red"), jpeg(tmp_path / "塔吊2.jpg", "gray")],
        3: [jpeg(tmp_path / "临边1.jpg", "yellow", orientation=6)],
    }

    def hazard(level: int, location: str, description: str, measures: str) -> Handler:
        def record(dialog: HazardDialog) -> bool:
            dialog.show()
            assert dialog.project.currentData() == project_id
            assert dialog.inspection.currentData() is not None  # linked to the visit just saved
            assert dialog.responsible.currentText() == CONTRACTOR  # the project's contractor
            dialog.level.setFocus()
            dialog.level.setCurrentIndex(dialog.level.findData(level))
            if level == 1:
                dialog.stop_work.setCurrentIndex(dialog.stop_work.findData("partial"))
                type_text(dialog.contingency, "停止吊装作业，设警戒区")
            type_text(dialog.location, location)
            type_text(dialog.description, description)
            type_text(dialog.measures, measures)
            monkeypatch.setattr(photo_strip, "choose_photos", lambda _p: [str(p) for p in photos[level]])
            with qtbot.waitSignal(dialog.photos.thumbnails_done, timeout=5000):
                click(qtbot, dialog.photos.add_button)
            assert dialog.photos.caption.text() == f"现场照片（整改前）（{len(photos[level])} 张）"
            click(qtbot, dialog.buttons.button(SAVE))
            qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10_000)
            return True

        return record

    def inspection(dialog: InspectionDialog) -> bool:
        dialog.show()
        assert dialog.windowTitle() == "新建检查"
        assert dialog.project.currentData() == project_id and not dialog.project.isEnabled()
        checked = [dialog.inspectors.item(i).text() for i in range(dialog.inspectors.count())
                   if dialog.inspectors.item(i).checkState() == Qt.CheckState.Checked]
        assert checked == ["检查人员甲（检查人员）"]
        dialog.kind.setCurrentIndex(dialog.kind.findData("routine"))
        type_text(dialog.weather, "晴 28℃")
        type_text(dialog.summary, "对塔吊和主体结构临边进行日常巡查")
        desk.expect(HazardDialog, hazard(1, "塔吊 1#", L1, "立即更换力矩限制器并检测"))
        click(qtbot, dialog.detail_button)  # saves the new visit first, then the hazard dialog
        desk.expect(HazardDialog, hazard(3, "3#楼 5 层", L3, "补设 1.2m 防护栏杆"))
        click(qtbot, dialog.detail_button)
        model = dialog.finding_model
        shown = [(model.data(model.index(r, FindingColumn.NUMBER)),
                  model.data(model.index(r, FindingColumn.DESCRIPTION))) for r in range(model.rowCount())]
        assert sorted(d for _n, d in shown) == sorted([L1, L3])
        assert all(n.startswith("YH-") for n, _d in shown)
        click(qtbot, dialog.buttons.button(SAVE))
        return dialog.result() == QDialog.DialogCode.Accepted

    desk.expect(InspectionDialog, inspection)
    window.new_inspection_action.trigger()
    assert desk.seen == ["ProjectDialog", "InspectionDialog", "HazardDialog", "HazardDialog"]
    # the level 1 offered its stop-work letter at once (drafted); neither was taken for a repeat
    assert [c[1] for c in dialog_log.calls if c[0] == "ask"] == ["停工建议书"]
    assert card(window, "unreported_l1") == 1
    assert card(window, "stop_work_unsigned") == 1
    tip = window.page("dashboard").cards_by_key["unreported_l1"].toolTip()
    assert tip.startswith("依据：") and "停工" in tip and "N-" not in tip
    rows = register_rows(qtbot, window)
    assert window.page("hazards").count_label.text() == "共 2 条"
    assert set(rows) == {L1, L3}
    assert rows[L1][HazardColumn.STATUS] == rows[L3][HazardColumn.STATUS] == "已登记"
    assert rows[L1][HazardColumn.LEVEL].startswith("一级")
    assert rows[L3][HazardColumn.LEVEL].startswith("三级")
    assert rows[L1][HazardColumn.PROJECT] == NAME and rows[L1][HazardColumn.UNIT] == CONTRACTOR

    # -- 11:00 the level-1 hazard: notice, delivery, both same-day reports, closure ------------
    first = open_from_register(qtbot, window, L1)
    assert first.status.text() == "已登记" and first.before.caption.text() == "整改前照片（2 张）"
    assert facts(first)["停工建议"] == "局部停工"
    assert first.reports.rowCount() == 2 and first.report_button.isEnabled()
    step(qtbot, desk, first, "issue_notice")
    assert first.status.text() == "已下发通知"
    step(qtbot, desk, first, "record_delivery", lambda d: type_text(d.received_by, "赵项目经理"))
    assert first.status.text() == "整改中"
    for channel in ("电话", "邮件"):

        def report(dialog: ReportDialog, channel: str = channel) -> bool:
            dialog.show()
            dialog.channel.setFocus()
            dialog.channel.setCurrentText(channel)
            click(qtbot, dialog.buttons.button(OK))
            return dialog.result() == QDialog.DialogCode.Accepted

        desk.expect(ReportDialog, report)
        click(qtbot, first.report_button)
    states = [first.reports.data(first.reports.index(r, 3)) for r in range(first.reports.rowCount())]
    assert states == ["已报告", "已报告"] and not first.report_button.isEnabled()
    assert card(window, "unreported_l1") == 0

    def after_photo(dialog) -> None:  # type: ignore[no-untyped-def]
        after = [jpeg(tmp_path / "塔吊-整改后.jpg", "green")]
        monkeypatch.setattr(photo_strip, "choose_photos", lambda _p: [str(p) for p in after])
        with qtbot.waitSignal(dialog.photos.imported, timeout=10_000):
            click(qtbot, dialog.photos.add_button)  # stored at once: the hazard exists
        assert dialog.photos.count() == 1

    step(qtbot, desk, first, "submit_closure", after_photo)
    assert first.status.text() == "待复查" and first.after.caption.text() == "整改后照片（1 张）"

    # -- 14:00 the level-3 hazard: the closure comes through the supervisor (N-09) -------------
    second = open_from_register(qtbot, window, L3)
    assert second.before.caption.text() == "整改前照片（1 张）" and not second.reports_box.isVisible()
    step(qtbot, desk, second, "issue_notice")
    step(qtbot, desk, second, "record_delivery", lambda d: type_text(d.received_by, "钱施工员"))

    def supervised(dialog) -> None:  # type: ignore[no-untyped-def]
        click(qtbot, dialog.buttons.button(OK))  # refused without the supervisor
        assert "监理" in dialog.errors["supervisor_name"].text() and dialog.isVisible()
        after = [jpeg(tmp_path / "临边-整改后.jpg", "olive")]
        monkeypatch.setattr(photo_strip, "choose_photos", lambda _p: [str(p) for p in after])
        with qtbot.waitSignal(dialog.photos.imported, timeout=10_000):
            click(qtbot, dialog.photos.add_button)
        type_text(dialog.supervisor, "王监理")

    step(qtbot, desk, second, "submit_closure", supervised)
    assert second.status.text() == "待复查"
    assert "verify_close" in second.step_buttons  # an inspector may verify too; the lead does

    # -- 16:00 the technical lead verifies both on site and closes them -----------------------
    for page in (first, second):
        page.close()
    qtbot.waitUntil(lambda: not hazard_page._windows)
    state.set_actor(users["tech_lead"])
    with state.db.session() as session:  # the lead signs the stop-work letter drafted at 10:00
        (letter,) = documents.register(session, kind="stop_work")
        documents.sign(session, state.actor, letter.id, expected_version=letter.version,
                       store_dir=state.config.attachments_dir, work_dir=tmp_path)
    state.announce(Changes(documents=True, hazards=True))
    assert card(window, "stop_work_unsigned") == 0
    today = dt.date.today()
    for description in (L1, L3):
        page = open_from_register(qtbot, window, description)
        assert page.status.text() == "待复查"

        def reinspected(dialog: VerifyCloseDialog) -> None:
            if not dialog.reinspected.isChecked():  # level 3: optional, ticked by hand
                click(qtbot, dialog.reinspected)
            replace_text(dialog.reinspection.edit, f"{today.year}年{today.month}月{today.day}日")
            type_text(dialog.note, "复查合格")

        closing = step(qtbot, desk, page, "verify_close", reinspected)
        assert closing.must_reinspect == (description == L1)
        assert page.status.text() == "已销项" and page.step_buttons == {}
        assert not page.after.add_button.isVisible()  # a closed hazard's evidence is final
        events = timeline(page)
        assert events[0] == "登记隐患" and events[-1] == "复查销项"
        assert events.count("登记对外报告") == (2 if description == L1 else 0)
        details = page.events.data(page.events.index(len(events) - 1, 4))
        assert f"复查日期：{today.isoformat()}" in details

    # -- the end of the day: the register, the dashboard and the database agree ---------------
    rows = register_rows(qtbot, window)
    assert {d: r[HazardColumn.STATUS] for d, r in rows.items()} == {L1: "已销项", L3: "已销项"}
    assert card(window, "unreported_l1") == 0
    window.show_page("projects")
    projects.show_list()
    assert projects.count_label.text() == "共 1 个项目"
    assert projects.model.data(projects.model.index(0, ProjectColumn.HAZARDS)) == "0"
    with state.db.read() as session:
        ids = register.hazard_ids(session, RegisterFilter(project_id=project_id))
        stored = {h.description: h for h in (hazards.get(session, i) for i in ids)}
        events = {d: hazards.events(session, h.id) for d, h in stored.items()}
        photos_of = {d: hazard_view.page_data(session, h.id).photos for d, h in stored.items()}
        reports = {d: hazards.pending_reports(session, h.id) for d, h in stored.items()}
    assert set(stored) == {L1, L3}
    assert {d: (h.level, h.status) for d, h in stored.items()} == {L1: (1, "closed"), L3: (3, "closed")}
    assert stored[L1].stop_work == "partial" and stored[L1].closed_at is not None
    assert reports == {L1: [], L3: []}
    assert events[L1][-1].data["reinspection_date"] and events[L3][-1].data["reinspection_date"]
    closure = next(e for e in events[L3] if e.kind == "submit_closure")
    assert closure.data["supervisor_name"] == "王监理"
    assert sorted((a.role, a.original_name) for a in photos_of[L1]) == [
        ("after", "塔吊-整改后.jpg"), ("before", "塔吊1.jpg"), ("before", "塔吊2.jpg")]
    assert sorted((a.role, a.original_name) for a in photos_of[L3]) == [
        ("after", "临边-整改后.jpg"), ("before", "临边1.jpg")]
    closer = next(e for e in events[L1] if e.kind == "verify_close")
    notice = next(e for e in events[L1] if e.kind == "issue_notice")
    assert (closer.user_id, notice.user_id) == (users["tech_lead"].user_id, users["inspector"].user_id)
