"""The main window: pages by click and shortcut, menus, status bar, remembered window state."""

from __future__ import annotations

import configparser

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QLabel

from desktop.services.context import Changes
from desktop.ui.app_state import WINDOW_STATE_FILE, AppState
from desktop.ui.main_window import MainWindow
from desktop.ui.pages import PAGES
from desktop.ui.screen_fit import FRAME_ESTIMATE

TITLES = ["工作台", "项目", "隐患台账", "检查记录", "培训与演练", "档案", "文书", "合规自查", "设置"]


@pytest.fixture
def window(qtbot, state, agency_profile):
    window = MainWindow(state)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_pages_in_navigation_order(window):
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == TITLES
    assert [p.title() for p in window.pages] == TITLES
    assert len({p.key for p in PAGES}) == len(PAGES)
    # the references the navigation reads before a page is built name the page classes' own
    assert [(p.key, p.title_source) for p in PAGES] == [
        (p.load().key, p.load().title_source) for p in PAGES]
    assert all(not window.nav.item(i).icon().isNull() for i in range(window.nav.count()))
    assert window.current_page().key == "dashboard"


def test_clicking_the_navigation_switches_pages(qtbot, window):
    for index in (2, 7, 0):
        rect = window.nav.visualItemRect(window.nav.item(index))
        qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert window.stack.currentIndex() == index
        assert window.page_actions[index].isChecked()


def test_ctrl_number_switches_pages(qtbot, window):
    window.activateWindow()
    for number in range(9, 0, -1):
        key = getattr(Qt.Key, f"Key_{number}")
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        assert window.stack.currentIndex() == number - 1, number
    assert window.current_page().key == "dashboard"


def test_f1_shows_about_with_the_version(qtbot, window, dialog_log):
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    kind, title, text = dialog_log.calls[-1]
    assert (kind, title) == ("about", "关于") and "0.1.0" in text
    db = window.state.db
    if db.is_sqlite:
        assert str(db.sqlite_path) in text
    else:  # a server URL is shown with its password masked
        assert "***@" in text and "riskdesk:riskdesk@" not in text


def test_ctrl_q_closes_and_menus_exist(qtbot, window):
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["文件(&F)", "编辑(&E)", "视图(&V)", "帮助(&H)"]
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()


def test_status_bar_shows_user_and_database(window, state):
    bar = window.statusBar()
    user = bar.findChild(QLabel, "statusUser").text()
    database = bar.findChild(QLabel, "statusDatabase").text()
    assert user == "当前用户：系统管理员甲（系统管理员）"
    if not state.db.is_sqlite:
        assert database.startswith("数据库：postgresql") and ":riskdesk@" not in database
        return
    path = str(state.db.sqlite_path)
    assert bar.findChild(QLabel, "statusDatabase").toolTip() == path
    assert database.startswith("数据库：/") and database.endswith("riskdesk.sqlite3")
    if len(path) > 60:
        assert "…" in database
    else:
        assert database == f"数据库：{path}"


def test_dashboard_shows_the_agency_and_the_user(window):
    page = window.page("dashboard")
    texts = [w.text() for w in page.findChildren(QLabel)]
    assert "绍兴市安信建设风控服务有限公司" in texts
    assert any(t.startswith("系统管理员甲（系统管理员），您好") for t in texts)


def test_dashboard_cards_count_and_open_their_list(qtbot, state, hazard_data):
    window = MainWindow(state)
    qtbot.addWidget(window)
    window.show()
    cards = window.page("dashboard").cards_by_key
    assert set(cards) >= {"unreported_l1", "overdue", "archive_due"}
    assert cards["unreported_l1"].text().startswith("1\n")  # the level-1 hazard, not yet reported
    assert cards["overdue"].text().split("\n")[0] != "0"
    assert "当天上报" in cards["unreported_l1"].toolTip() and "N-" not in cards["unreported_l1"].toolTip()
    cards["overdue"].click()
    assert window.current_page().key == "hazards"
    page = window.page("hazards")
    qtbot.waitUntil(lambda: not page.table.is_loading)
    assert page.count_label.text() == "共 4 条"  # the register opens filtered to overdue


def test_a_change_refreshes_the_visible_page_and_marks_hidden_ones(qtbot, window, state):
    settings = window.page("settings")
    calls = []
    settings.refresh = lambda: calls.append("refresh")  # type: ignore[method-assign]
    state.changed.emit(Changes(users=True))
    assert calls == []  # hidden: only marked stale
    window.show_page("settings")
    assert calls == ["refresh"]
    state.changed.emit(Changes(reports=True))
    assert calls == ["refresh"]  # not its business
    state.changed.emit(Changes(users=True))
    assert calls == ["refresh", "refresh"]


def test_f5_refreshes_the_current_page(qtbot, window):
    calls = []
    window.current_page().refresh = lambda: calls.append(1)  # type: ignore[method-assign]
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert calls == [1]


def reopen(qtbot, state, config):  # type: ignore[no-untyped-def]
    window = MainWindow(AppState(db=state.db, config=config, actor=state.actor))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_window_state_is_remembered_in_the_data_folder(qtbot, state, agency_profile, config):
    first = reopen(qtbot, state, config)
    first.resize(790, 560)  # the offscreen screen is 800×800: restoreGeometry keeps windows on it
    first.splitter.setSizes([180, 600])
    first.show_page("hazards")
    size = first.size()
    first.close()
    ini = config.data_dir / WINDOW_STATE_FILE
    parsed = configparser.ConfigParser()
    parsed.read(ini, encoding="utf-8")
    assert parsed.get("main", "page") == "2"
    assert not (config.data_dir / "settings.json").exists()  # preferences untouched

    second = reopen(qtbot, state, config)
    assert second.current_page().key == "hazards"
    assert second.size() == size
    assert second.splitter.sizes()[0] == 180
    second.nav_action.trigger()  # hide the navigation
    second.close()

    third = reopen(qtbot, state, config)
    assert third.nav.isHidden() and not third.nav_action.isChecked()
    third.nav_action.trigger()
    qtbot.waitUntil(lambda: third.splitter.sizes()[0] > 0)
    assert third.splitter.sizes()[0] == 180  # comes back at its width, not squeezed to 0


def test_navigation_item_under_the_mouse_is_a_page(window):
    item = window.nav.itemAt(QPoint(10, 10))
    assert item is not None and item.text() == "工作台"


def test_folders_open_in_the_file_manager(window, monkeypatch, dialog_log, config):
    from desktop.ui import main_window

    opened = []
    monkeypatch.setattr(main_window.QDesktopServices, "openUrl",
                        lambda url: opened.append(url.toLocalFile()) or True)
    window.open_data_folder()
    assert opened == [str(config.data_dir)]
    window.open_log_folder()  # no log written yet in a test folder: said, not crashed
    assert dialog_log.calls[-1][:2] == ("warn", "无法打开文件夹")


def test_long_database_paths_are_shortened_in_the_middle():
    from desktop.ui.status_bar import shorten

    assert shorten("/short/path.sqlite3") == "/short/path.sqlite3"
    long = "/home/" + "很长的目录名/" * 20 + "riskdesk.sqlite3"
    short = shorten(long)
    assert len(short) == 60 and short.startswith("/home/") and short.endswith("riskdesk.sqlite3")


def test_new_actions_refuse_a_reviewer_at_once(qtbot, window, state, users, dialog_log):
    state.set_actor(users["reviewer"])
    for action in (window.new_project_action, window.new_inspection_action):
        action.trigger()
    window.new_hazard()
    assert dialog_log.texts("warn") == ["您的角色无权进行此操作。"] * 3
    assert not window.page("projects").new_button.isEnabled()
    assert not window.page("inspections").new_button.isEnabled()
    state.set_actor(users["clerk"])
    assert window.page("projects").new_button.isEnabled()


@pytest.mark.parametrize("room", [QRect(0, 0, 1920, 1040), QRect(0, 0, 1366, 728)])
def test_first_start_fills_the_screen(qtbot, state, config, monkeypatch, room):
    # no saved geometry in the fresh data folder: the window takes the screen's free area
    monkeypatch.setattr("desktop.ui.main_window.available_rect", lambda widget: room)
    window = MainWindow(AppState(db=state.db, config=config, actor=state.actor))
    qtbot.addWidget(window)
    assert window.size() == room.size() - FRAME_ESTIMATE
    assert window.pos() == room.topLeft()
