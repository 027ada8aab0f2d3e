"""A new install explains itself: empty pages say what to do, with the buttons; 评审资料包 and 导入
are in the 文件 menu and on the pages; the register's filters come back after a restart."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from desktop.services.queries.register import RegisterFilter
from desktop.ui import exchange_dialogs, filter_memory
from desktop.ui.import_wizard import ImportWizard
from desktop.ui.main_window import MainWindow
from desktop.ui.package_dialog import PackagePanel
from desktop.ui.project_dialog import ProjectDialog


def make_window(qtbot, state):  # type: ignore[no-untyped-def]
    window = MainWindow(state)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_an_empty_desk_says_what_to_do_first(qtbot, state, agency_profile, dialog_log):
    window = make_window(qtbot, state)
    dashboard = window.page("dashboard")
    assert dashboard.welcome.isVisible() and "新建项目" in dashboard.welcome.label.text()

    window.show_page("projects")
    projects = window.page("projects")
    assert projects.empty_hint.isVisible()
    assert "还没有项目" in projects.empty_hint.label.text()
    assert [b.text() for b in projects.empty_hint.buttons] == ["新建项目…", "从 Excel 导入…"]
    projects.search.setText("不存在的项目")
    projects.reload()
    assert "没有符合搜索或筛选条件的项目" in projects.empty_hint.label.text()
    assert not any(b.isVisible() for b in projects.empty_hint.buttons)

    for key, words in (("hazards", "还没有登记隐患"), ("inspections", "还没有检查记录"),
                       ("documents", "还没有文书")):
        window.show_page(key)
        hint = window.page(key).empty_hint
        assert hint.isVisible() and words in hint.label.text(), key

    opened: list[QDialog] = []
    dialog_log.on_run = lambda d: opened.append(d) or False
    window.show_page("dashboard")
    dashboard.welcome.buttons[0].click()  # 新建项目 → the projects page and its dialog
    assert window.current_page().key == "projects" and isinstance(opened[-1], ProjectDialog)
    dashboard.welcome.buttons[1].click()  # 从 Excel 导入
    assert isinstance(opened[-1].panel, ImportWizard)
    assert opened[-1].panel.selected_kind() == "projects"


def test_a_desk_with_a_project_shows_its_list(qtbot, state, hazard_data):
    window = make_window(qtbot, state)
    assert not window.page("dashboard").welcome.isVisible()
    window.show_page("projects")
    assert not window.page("projects").empty_hint.isVisible()
    window.show_page("hazards")
    page = window.page("hazards")  # rows come from a worker
    qtbot.waitUntil(lambda: page.model.rowCount() == 8 and not page.empty_hint.isVisible())


def test_packages_and_import_in_the_file_menu_and_on_the_pages(qtbot, state, agency_profile,
                                                             dialog_log, monkeypatch):
    window = make_window(qtbot, state)
    menu = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in menu.actions()]
    assert {"导出评审资料包(&B)…", "核验评审资料包(&V)…", "从 Excel 导入(&M)…"} <= set(texts)
    opened: list[QDialog] = []
    dialog_log.on_run = lambda d: opened.append(d) or False
    window.export_package_action.trigger()
    assert isinstance(opened[-1].panel, PackagePanel) and opened[-1].windowTitle() == "导出评审资料包"
    window.import_action.trigger()
    assert isinstance(opened[-1].panel, ImportWizard)

    window.show_page("documents")
    window.page("documents").package_button.click()
    assert isinstance(opened[-1].panel, PackagePanel)
    window.show_page("projects")
    window.page("projects").import_button.click()
    assert opened[-1].panel.selected_kind() == "projects"
    window.page("hazards").import_hazards()
    assert opened[-1].panel.selected_kind() == "hazards"

    asked: list[str] = []
    monkeypatch.setattr("desktop.ui.package_dialog.choose_package",
                        lambda _p, title: asked.append(title) or "")
    dialog_log.on_run = lambda d: qtbot.waitUntil(lambda: bool(asked)) or False
    window.verify_package_action.trigger()
    assert asked == ["选择要核验的资料包"]


def test_a_role_without_the_right_is_told_not_shown_a_panel(qtbot, qapp, db, users, config,
                                                           agency_profile, dialog_log):
    from desktop.ui.app_state import AppState

    inspector = AppState(db=db, config=config, actor=users["inspector"])
    assert exchange_dialogs.import_excel(None, inspector) is None
    assert dialog_log.calls[-1][:2] == ("warn", "无权操作")


def test_the_register_filters_come_back_after_a_restart(qtbot, state, hazard_data):
    window = make_window(qtbot, state)
    window.show_page("hazards")
    page = window.page("hazards")
    page.filters.set_filter(RegisterFilter(levels=frozenset({3}), text="临边",
                                           project_id=hazard_data.project))
    window.save_window_state()
    window.close()

    again = make_window(qtbot, AppState_for(state))
    again.show_page("hazards")
    flt = again.page("hazards").filters.current()
    assert flt.levels == frozenset({3}) and flt.text == "临边"
    assert flt.project_id == hazard_data.project
    qtbot.waitUntil(lambda: again.page("hazards").model.rowCount() == 1)


def AppState_for(state):  # type: ignore[no-untyped-def]
    from desktop.ui.app_state import AppState

    return AppState(db=state.db, config=state.config, actor=state.actor)


def test_stored_filters_are_read_leniently():
    flt = RegisterFilter(levels=frozenset({1, 2}), statuses=frozenset({"notified"}), overdue=True,
                         major=True, insurer_id=4, category="高处坠落", text="塔吊")
    assert filter_memory.load(filter_memory.dump(flt)) == flt
    assert filter_memory.load("") is None and filter_memory.load("not json") is None
    odd = filter_memory.load('{"levels": [9, "1", 2], "project_id": "7", "overdue": "yes"}')
    assert odd == RegisterFilter(levels=frozenset({2}))
