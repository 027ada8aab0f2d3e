"""Office days in the real main window. `test_an_office_day_on_a_laptop` (issue 16) walks a
clerk's and a technical lead's day at 1366×768 through every item of that issue; its docstring
maps each item to its step. `test_an_office_day` (issue 3): a project made through 新建项目, an inspection
through 新建检查 with a level-1 and a level-3 hazard recorded with photos, both hazards taken from
the register through their whole lifecycle, and the dashboard, project list and register following.

Modal dialogs go through the `dialogs.run` seam (conftest's `dialog_log.on_run`): each handler
shows the dialog, fills it as a person would and presses its button. The file chooser is the
photo strip's `choose_photos` seam. Workers are waited for, never slept on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton

from desktop import clock
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
from desktop.ui.pages.documents_page import DocColumn
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
    today = clock.today()
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


# == issue 16: an office day without friction, on a 1366×768 laptop ===========================

PASSWORD = "Secret-Desk-2026"
DAY_PROJECT = "柯桥区华舍街道安置房二期"
DISTRICTS = ("越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县")
INSURER = "中国人民财产保险股份有限公司绍兴市分公司"
MAJOR = "外脚手架 10 层连墙件整层缺失"
SLOW = 60_000


@pytest.fixture
def seeded(db, users, agency_profile):
    """A new install as the first-run wizard leaves it: the agency, one account per role, the
    districts and their construction authorities preset, the catalogues loaded."""
    from desktop.services import catalogues, presets
    from desktop.services.context import Actor

    with db.session() as session:
        presets.create_authorities(session, Actor.system())
        catalogues.load_all(session)
    return db


def cards(window) -> dict[str, int]:  # type: ignore[no-untyped-def]
    window.show_page("dashboard")
    return {key: int(card.text().split("\n")[0].replace(",", ""))
            for key, card in window.page("dashboard").cards_by_key.items()}


def fits_a_laptop(widget) -> bool:  # type: ignore[no-untyped-def]
    """What the widget's layout needs, with a window frame, fits 1366×768 less the task bar."""
    from desktop.ui.screen_fit import FRAME_ESTIMATE, LAPTOP, fits

    return fits(widget.minimumSizeHint().expandedTo(widget.minimumSize()) + FRAME_ESTIMATE, LAPTOP)


def laptop(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.resize(1366, 768)
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    assert window.size().width() == 1366 and window.size().height() == 768


def type_date(qtbot, field, text: str):  # type: ignore[no-untyped-def]
    """Type a date into a DateField as a person does and Tab out; the widget focused next."""
    field.setFocus()
    replace_text(field.edit, text)
    qtbot.keyClick(field.edit, Qt.Key.Key_Tab)
    from PySide6.QtWidgets import QApplication

    return QApplication.focusWidget()


def sign_in(name: str) -> Handler:
    def run(dialog) -> bool:  # type: ignore[no-untyped-def]
        dialog.username.setText(name)
        dialog.password.setText(PASSWORD)
        dialog.attempt()
        return dialog.actor is not None

    return run


@pytest.mark.slow
def test_an_office_day_on_a_laptop(qtbot, seeded, config, users, desk, dialog_log, tmp_path, monkeypatch):
    """A clerk's day and the technical lead's signing through the real main window at 1366×768,
    each item of issue 16 at the step where an office worker meets it:

    1 dates you can trust — 09:00 新建项目: dates typed 2026年…日, 2026/…/…, 20280630 and
      2028-06-30 stick, year included; Tab leaves each field; an empty 竣工日期 tabbed through
      stays empty on a project 在建.
    2 level-1 guidance — 10:00 登记隐患: no level preselected; choosing the standard's item
      proposes level 1 with its reason (no rule id); the stop-work letter offered at once; the
      dashboard's 停工建议书待签发 and 一级隐患待报告 cards; 11:30 the lead signs it, the card drops.
    3 a shared desk — 11:00 锁定 (Ctrl+L) covers the window until the password; 切换用户 to the
      technical lead opens his window without a restart.
    4 upcoming duties — 10:00 the dashboard's 近期到期 lists the same-day reports; 15:00 the
      30-day calendar, a duty opened to its record, the .ics export.
    5 month-end batch — 10:30 the clerk drafts last month's outputs in one run; 14:00 the lead
      signs every reviewed draft and logs their submissions in batch; 待报送 drops by them.
    6 first run and empty states — 08:30 the welcome line, every empty page says what to do with
      its buttons, the six districts preset, no rule id in any card's words.
    7 fits a laptop — the window at 1366×768 throughout; each dialog met fits it.
    8 Chinese everywhere — Qt's own buttons in Chinese; the .ics save dialog starts in the
      documents folder, the next one in the folder last used.
    9 one in-app viewer — 11:30 the letter opens in the app's PDF viewer, with 打印 and 打印预览.
    10 where people look — 文件 has 导出评审资料包 / 核验评审资料包 / 从 Excel 导入 / 锁定 / 切换用户 /
      月末批量; Ctrl+C copies register rows for Excel; a column sorts; the register's filter
      comes back in the lead's window.
    """
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication, QFileDialog

    from desktop.ui import i18n
    from desktop.ui.catalogue_picker import CataloguePicker
    from desktop.ui.desk import Desk as SharedDesk
    from desktop.ui.duties_panel import DutiesDialog
    from desktop.ui.login_dialog import LoginDialog
    from desktop.ui.month_end_dialog import BatchScopeDialog, MonthEndDialog
    from desktop.ui.pdf_viewer import PdfViewer

    i18n.install_translators("zh_CN", cache_dir=tmp_path / "i18n")  # as app.main() does
    today = clock.today()
    contract = today - dt.timedelta(days=120)
    policy_start = contract + dt.timedelta(days=1)
    far = dt.date(today.year + 2, 6, 30)

    # -- 08:30 the clerk signs in on a new install ------------------------------------------
    shared = SharedDesk(seeded, config, users["clerk"])
    window = shared.window
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: not window.is_filling, timeout=5000)  # the frame first, then the page
    laptop(qtbot, window)
    assert window.statusBar().findChild(QLabel, "statusUser").text() == "当前用户：内勤文员甲（内勤文员）"
    dashboard = window.page("dashboard")
    assert dashboard.welcome.isVisible()
    assert "新建项目" in dashboard.welcome.label.text() and "从 Excel 导入" in dashboard.welcome.label.text()
    counted = cards(window)
    assert set(counted.values()) == {0} and "unsubmitted" in counted
    assert all("N-" not in c.toolTip() and "N-" not in c.text() for c in dashboard.cards_by_key.values())
    assert dashboard.duties.empty.text() == "未来 7 天内没有到期事项。"
    for key, words in (("projects", "还没有项目"), ("hazards", "还没有登记隐患"),
                       ("inspections", "还没有检查记录"), ("documents", "还没有文书")):
        window.show_page(key)
        hint = window.page(key).empty_hint
        assert hint.isVisible() and words in hint.label.text(), key
    assert [b.text() for b in window.page("projects").empty_hint.buttons] == ["新建项目…", "从 Excel 导入…"]
    file_menu = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert {"导出评审资料包(&B)…", "核验评审资料包(&V)…", "从 Excel 导入(&M)…", "月末批量(&N)…",
            "锁定(&L)", "登记隐患(&H)…", "新建项目(&P)…"} <= set(file_menu)
    assert any(t.startswith("切换用户") for t in file_menu)

    # -- 09:00 新建项目 from the welcome line: typed dates stick, Tab leaves, empty stays empty --
    def new_project(dialog: ProjectDialog) -> bool:
        dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
        assert fits_a_laptop(dialog)
        box = dialog.findChild(QDialogButtonBox)
        assert {box.button(SAVE).text(), box.button(QDialogButtonBox.StandardButton.Cancel).text()} == {
            "保存", "取消"}  # Qt's own words in Chinese
        offered = [dialog.district.itemText(i) for i in range(dialog.district.count())]
        assert set(DISTRICTS) <= set(offered)
        qtbot.keyClicks(dialog.code, "KQ-2026-0016")
        type_text(dialog.name, DAY_PROJECT)
        dialog.district.setCurrentText("柯桥区")
        assert dialog.status.currentData() == "active"  # 在建
        after = type_date(qtbot, dialog.contract_date, f"{contract.year}年{contract.month}月{contract.day}日")
        assert after is dialog.start_date.edit  # one Tab: on to the next field
        type_date(qtbot, dialog.start_date, f"{contract.year}/{contract.month}/{contract.day}")
        type_date(qtbot, dialog.planned_completion, far.isoformat())
        dialog.completion_date.setFocus()
        qtbot.keyClick(dialog.completion_date.edit, Qt.Key.Key_Tab)  # tabbed through, left empty
        assert dialog.completion_date.text() == ""
        assert (dialog.contract_date.value(), dialog.planned_completion.value()) == (contract, far)
        dialog.tabs.setCurrentIndex(1)  # 保单与参建单位
        type_text(dialog.policy_no, "PICC-AZX-2026-01616")
        type_text(dialog.insurer, INSURER)
        type_date(qtbot, dialog.policy_start, policy_start.strftime("%Y%m%d"))
        type_date(qtbot, dialog.policy_end, f"{far.year}{far.month:02d}{far.day:02d}")
        # the preset authority, as its completer offers it (typing would pop the list up, which
        # the offscreen platform cannot show)
        completer = dialog.parties["authority_id"].completer()
        names = [completer.model().index(r, 0).data() for r in range(completer.model().rowCount())]
        assert "柯桥区住房和城乡建设局" in names
        dialog.parties["authority_id"].setText("柯桥区住房和城乡建设局")
        type_text(dialog.parties["contractor_id"], CONTRACTOR)
        click(qtbot, box.button(SAVE))
        assert dialog.result() == QDialog.DialogCode.Accepted, dialog.errors.general.text()
        return True

    desk.expect(ProjectDialog, new_project)
    dashboard.welcome.buttons[0].click()
    projects = window.page("projects")
    assert window.current_page().key == "projects" and projects.count_label.text() == "共 1 个项目"
    project_id = projects.open_project_id
    with seeded.read() as session:
        from desktop.models import Policy, Project

        stored = session.get(Project, project_id)
        assert (stored.service_contract_date, stored.start_date, stored.planned_completion,
                stored.completion_date, stored.district) == (contract, contract, far, None, "柯桥区")
        policy = session.query(Policy).filter_by(project_id=project_id).one()
        assert (policy.start_date, policy.end_date) == (policy_start, far)  # 20280630: the year kept
    cards(window)
    assert not dashboard.welcome.isVisible()
    # served since the contract: every month's outputs ended since then are owed to the
    # insurer and the authority; the dashboard says so, with the notice's words
    before = cards(window)["unsubmitted"]
    assert before > 0
    assert dashboard.cards_by_key["unsubmitted"].toolTip() == "依据：及时将服务成果上报承保机构和属地建设主管部门"

    # -- 10:00 a level-1 hazard judged against the major-hazard standard ---------------------
    def pick(picker: CataloguePicker) -> bool:
        picker.show()
        assert fits_a_laptop(picker)
        type_text(picker.search, "连墙件")
        picker.run_search()
        assert picker.select_code("07-2")
        picker.accept()
        return True

    def major(dialog: HazardDialog) -> bool:
        dialog.show()
        assert fits_a_laptop(dialog)
        dialog.project.setCurrentIndex(dialog.project.findData(project_id))
        assert dialog.level.currentData() is None and dialog.level.currentText() == ""  # no default
        desk.expect(CataloguePicker, pick)
        click(qtbot, dialog.pick)
        assert dialog.level.currentData() == 1 and not dialog.level.isEnabled()
        reason = dialog.level_reason.text()
        assert dialog.level_reason.isVisible() and "定为一级隐患" in reason and "N-" not in reason
        assert dialog.stop_work.currentData() == "full"
        type_text(dialog.location, "外脚手架东立面 8-12 层")
        type_text(dialog.description, MAJOR)
        type_text(dialog.measures, "立即停止架上作业，补设连墙件并验收")
        type_text(dialog.contingency, "设警戒区，专人监护")
        click(qtbot, dialog.buttons.button(SAVE))
        qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=SLOW)
        assert dialog.letter is not None  # drafted at once, for the lead to sign
        return True

    desk.expect(HazardDialog, major)
    window.new_hazard_action.trigger()
    offers = [c for c in dialog_log.calls if c[:2] == ("ask", "停工建议书")]
    assert len(offers) == 1 and "是否现在起草停工建议书" in offers[0][2]
    counted = cards(window)
    assert counted["unreported_l1"] == 1 and counted["stop_work_unsigned"] == 1
    duties_shown = [d for d in dashboard.duties.items if d.kind == "report"]
    assert len(duties_shown) == 2 and all(d.date == today for d in duties_shown)
    assert "一级隐患当日报告" in str(duties_shown[0].text)

    # the register: the row, sorted by any column, copied for Excel; a filter set by the clerk
    rows = register_rows(qtbot, window)
    hazards_page = window.page("hazards")
    assert set(rows) == {MAJOR} and rows[MAJOR][HazardColumn.LEVEL].startswith("一级")
    hazards_page.table.sortByColumn(HazardColumn.LOCATION, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: not hazards_page.table.is_loading, timeout=5000)
    hazards_page.table.selectRow(0)
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(hazards_page.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    copied = QGuiApplication.clipboard().text()
    assert MAJOR in copied and "\t" in copied and DAY_PROJECT in copied
    hazards_page.filters.set_filter(RegisterFilter(levels=frozenset({1}), project_id=project_id))

    # -- 10:30 month-end: last month's outputs drafted in one run ----------------------------
    def scope(dialog: BatchScopeDialog) -> bool:
        dialog.show()
        assert fits_a_laptop(dialog) and dialog.chosen().scope_type == "agency"
        dialog.accept()
        return True

    desk.expect(BatchScopeDialog, scope)
    window.month_end_action.trigger()
    batch = window.findChild(MonthEndDialog)
    assert batch is not None and batch.isVisible() and fits_a_laptop(batch)
    drafted = batch.table.rowCount()
    assert drafted >= 3 and {batch.table.item(r, 3).text() for r in range(drafted)} == {"未生成"}
    click(qtbot, batch.draft_button)
    qtbot.waitUntil(lambda: {batch.table.item(r, 3).text() for r in range(drafted)} == {"草稿"}, timeout=SLOW)
    assert not batch.sign_button.isEnabled()  # a clerk drafts; the technical lead signs
    batch.close()

    # -- 11:00 Ctrl+L at lunch; then the technical lead takes the desk -----------------------
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert shared.locked and shared.locker.screen is not None and shared.locker.screen.isVisible()
    assert not window.menuBar().isEnabled()
    qtbot.keyClicks(shared.locker.screen.password, PASSWORD)
    qtbot.keyClick(shared.locker.screen.password, Qt.Key.Key_Return)
    assert not shared.locked and window.menuBar().isEnabled()
    desk.expect(LoginDialog, sign_in("tech_lead"))
    window.switch_user_action.trigger()
    assert shared.window is not window and not window.isVisible()
    window = shared.window
    qtbot.addWidget(window)
    laptop(qtbot, window)
    assert window.state.actor.username == "tech_lead"
    assert window.statusBar().findChild(QLabel, "statusUser").text() == "当前用户：技术负责人甲（技术负责人）"
    window.show_page("hazards")  # the clerk's filter, remembered
    assert window.page("hazards").filters.current().levels == frozenset({1})
    assert window.page("hazards").filters.current().project_id == project_id

    # -- 11:30 the lead reads the stop-work letter in the app's viewer, prints it, signs it ---
    window.show_page("documents")
    documents_page = window.page("documents")
    kinds = [documents_page.model.data(documents_page.model.index(r, DocColumn.KIND))
             for r in range(documents_page.model.rowCount())]
    assert kinds.count("停工（局部停工）建议书") == 1  # beside the month-end drafts
    documents_page.table.selectRow(kinds.index("停工（局部停工）建议书"))
    click(qtbot, documents_page.open_button)
    viewer = dialog_log.viewers[-1]
    assert isinstance(viewer, PdfViewer) and viewer.page_count >= 1
    viewer.show()  # as pdf_viewer.present does, fitted to the screen
    assert fits_a_laptop(viewer) and viewer.windowTitle().startswith("草稿")
    assert (viewer.print_button.text(), viewer.preview_button.text()) == ("打印…", "打印预览…")
    assert viewer.print_button.isEnabled() and viewer.preview_button.isEnabled()
    previews = []
    desk.expect(QDialog, lambda d: previews.append(d.windowTitle()) or False)
    click(qtbot, viewer.preview_button)
    assert previews and previews[0].startswith("打印预览")
    viewer.close()
    with qtbot.waitSignal(window.state.changed, timeout=SLOW):
        click(qtbot, documents_page.sign_button)
    assert cards(window)["stop_work_unsigned"] == 0

    # -- 14:00 the month-end review: sign every reviewed draft, log the submissions -----------
    desk.expect(BatchScopeDialog, scope)
    window.month_end_action.trigger()
    batch = next(d for d in window.findChildren(MonthEndDialog) if d.isVisible())
    assert batch.table.rowCount() == drafted
    for r in range(drafted):
        batch.table.selectRow(r)  # previewed, then ticked as reviewed
        batch.table.item(r, 0).setCheckState(Qt.CheckState.Checked)
    click(qtbot, batch.sign_button)
    qtbot.waitUntil(lambda: {batch.table.item(r, 3).text() for r in range(drafted)} == {"已签发"}, timeout=SLOW)
    batch.channel.setCurrentText("电子邮件")
    with qtbot.waitSignal(window.state.changed, timeout=SLOW):
        click(qtbot, batch.submit_button)
    batch.close()
    # each signed output went to the insurer and the authority: 待报送 drops by the documents sent
    assert cards(window)["unsubmitted"] == before - drafted

    # -- 15:00 the 30-day calendar: a duty opened, the .ics for Outlook -----------------------
    window.show_page("dashboard")
    calendar = dashboard_page_calendar(window)
    assert isinstance(calendar, DutiesDialog) and fits_a_laptop(calendar)
    starts: list[str] = []
    target = tmp_path / "exports" / "到期事项.ics"
    target.parent.mkdir()

    def save_dialog(_parent, _title, start, _filters):  # type: ignore[no-untyped-def]
        starts.append(start)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    from desktop.ui import file_dialogs

    assert file_dialogs.start_folder() == file_dialogs.documents_folder()
    click(qtbot, calendar.panel.export_button)
    assert Path(starts[0]).parent == file_dialogs.documents_folder()
    assert target.read_bytes().count(b"BEGIN:VEVENT") == len(calendar.panel.items) > 0
    assert file_dialogs.start_folder() == target.parent  # the next one starts here
    click(qtbot, calendar.panel.export_button)
    assert Path(starts[1]).parent == target.parent
    assert [c for c in dialog_log.calls if c[0] == "inform" and c[1] == "已导出"]
    tree = calendar.panel.tree
    report = next(tree.topLevelItem(i).child(j) for i in range(tree.topLevelItemCount())
                  for j in range(tree.topLevelItem(i).childCount())
                  if tree.topLevelItem(i).child(j).text(0) == "报告到期")
    tree.itemActivated.emit(report, 0)
    assert window.current_page().key == "hazards" and not calendar.isVisible()
    qtbot.waitUntil(lambda: window.page("hazards").model.rowCount() == 1, timeout=5000)
    assert window.page("hazards").model.data(window.page("hazards").model.index(0, HazardColumn.DESCRIPTION)) == MAJOR
    assert QApplication.activeModalWidget() is None
    shared.close()
    window.close()


def dashboard_page_calendar(window):  # type: ignore[no-untyped-def]
    """到期日历（30 天）… on the dashboard: the calendar it opens."""
    from desktop.ui.duties_panel import DutiesDialog

    button = window.page("dashboard").findChild(QPushButton, "dutiesCalendar")
    button.click()
    found = window.page("dashboard").findChildren(DutiesDialog)
    return found[-1]
