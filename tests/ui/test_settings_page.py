"""The settings page: who I am, where the data is, my password, language, and user management."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit

from desktop.services import users
from desktop.ui.app_state import AppState
from desktop.ui.pages.settings_page import SettingsPage
from desktop.ui.pages.users_panel import UserColumn
from desktop.ui.user_dialogs import (
    ChangePasswordDialog,
    NewUserDialog,
    ResetPasswordDialog,
    RoleDialog,
)


@pytest.fixture
def page(qtbot, state):
    page = SettingsPage(state)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    return page


def fields(page):  # type: ignore[no-untyped-def]
    return [f.text() for f in page.findChildren(QLineEdit) if f.isReadOnly()]


def test_shows_user_folders_and_version(page, state, config):
    assert page.name_label.text() == "系统管理员甲"
    assert page.username_label.text() == "admin"
    assert page.role_label.text() == "系统管理员"
    shown = fields(page)
    assert str(config.data_dir) in shown
    if state.db.is_sqlite:
        assert str(state.db.sqlite_path) in shown
    else:
        assert any(f.startswith("postgresql") and "***@" in f for f in shown)
    assert str(config.logs_dir / "riskdesk.log") in shown


def test_only_admins_manage_users(qtbot, db, users, config):
    clerk_page = SettingsPage(AppState(db=db, config=config, actor=users["clerk"]))
    qtbot.addWidget(clerk_page)
    clerk_page.activate()
    assert clerk_page.users_panel is None
    assert clerk_page.role_label.text() == "内勤文员"


def test_users_table_lists_every_account(page, qtmodeltester):
    model = page.users_panel.model
    assert model.rowCount() == 5
    assert model.data(model.index(0, UserColumn.ROLE)) == "系统管理员"
    assert model.data(model.index(0, UserColumn.ACTIVE)) == "是"
    qtmodeltester.check(model)


def test_change_password_checks_and_saves(qtbot, page, state, dialog_log, db):
    def fill(dialog):  # type: ignore[no-untyped-def]
        assert isinstance(dialog, ChangePasswordDialog)
        dialog.old_password.setText("wrong-old1")
        dialog.new_password.setText("Newpass-Desk-99")
        dialog.confirm.setText("newpass98")
        dialog.accept()
        assert "不一致" in dialog.error.text()
        dialog.confirm.setText("Newpass-Desk-99")
        dialog.accept()
        assert dialog.error.text() == "原密码不正确"
        dialog.old_password.setText("Secret-Desk-2026")
        dialog.accept()
        return dialog.result() == dialog.DialogCode.Accepted

    dialog_log.on_run = fill
    page.password_button.click()
    assert dialog_log.calls[-1][0] == "inform"
    assert users.login(db, "admin", "Newpass-Desk-99").username == "admin"


def test_new_user_appears_in_the_table(page, dialog_log):
    def fill(dialog):  # type: ignore[no-untyped-def]
        assert isinstance(dialog, NewUserDialog)
        dialog.username.setText("li")
        dialog.display_name.setText("李工")
        dialog.role.setCurrentIndex(dialog.role.findData("inspector"))
        assert "至少 10 位" in dialog.findChild(QLabel, "passwordHint").text()  # said before typing
        dialog.password.setText("weak")
        dialog.confirm.setText("weak")
        dialog.accept()
        assert "至少 10 位" in dialog.error.text()
        dialog.password.setText("admin1234567")  # long enough, but a common password
        dialog.confirm.setText("admin1234567")
        dialog.accept()
        assert "过于常见" in dialog.error.text() and dialog.created is None
        dialog.password.setText("Inspect-Site-01")
        dialog.confirm.setText("Inspect-Site-01")
        dialog.accept()
        return dialog.created is not None

    dialog_log.on_run = fill
    page.users_panel.new_button.click()
    model = page.users_panel.model
    names = [model.data(model.index(r, UserColumn.USERNAME)) for r in range(model.rowCount())]
    assert "li" in names


def select(page, username):  # type: ignore[no-untyped-def]
    panel = page.users_panel
    model = panel.model
    row = next(r for r in range(model.rowCount())
               if model.data(model.index(r, UserColumn.USERNAME)) == username)
    panel.table.selectRow(row)
    return row


def test_role_and_reset_need_a_selection(page, dialog_log, db):
    panel = page.users_panel
    assert not panel.role_button.isEnabled() and not panel.reset_button.isEnabled()
    row = select(page, "inspector")
    assert panel.role_button.isEnabled()

    def change_role(dialog):  # type: ignore[no-untyped-def]
        assert isinstance(dialog, RoleDialog)
        dialog.role.setCurrentIndex(dialog.role.findData("tech_lead"))
        dialog.active.setChecked(False)
        dialog.accept()
        return True

    dialog_log.on_run = change_role
    panel.role_button.click()
    model = panel.model
    assert model.data(model.index(row, UserColumn.ROLE)) == "技术负责人"
    assert model.data(model.index(row, UserColumn.ACTIVE)) == "否"
    assert panel.selected().username == "inspector"  # the selection survives the refresh

    def reset(dialog):  # type: ignore[no-untyped-def]
        assert isinstance(dialog, ResetPasswordDialog)
        dialog.password.setText("Fresh-Start-1234")
        dialog.confirm.setText("Fresh-Start-1234")
        dialog.accept()
        return True

    select(page, "clerk")
    dialog_log.on_run = reset
    panel.reset_button.click()
    assert users.login(db, "clerk", "Fresh-Start-1234").username == "clerk"


def test_an_admin_cannot_demote_themself(page, dialog_log):
    select(page, "admin")
    messages = []

    def demote(dialog):  # type: ignore[no-untyped-def]
        dialog.role.setCurrentIndex(dialog.role.findData("clerk"))
        dialog.accept()
        messages.append(dialog.error.text())
        return False

    dialog_log.on_run = demote
    page.users_panel.role_button.click()
    assert "不能取消自己的管理员权限" in messages[0]


def test_language_choice_is_saved_for_the_next_start(page, config, dialog_log):
    index = page.language.findData("en")
    page.language.setCurrentIndex(index)
    page.language.activated.emit(index)
    assert type(config).load(config.data_dir).get("language") == "en"
    assert dialog_log.calls[-1][2] == "界面语言将在重新启动程序后生效。"


def tab_titles(page):  # type: ignore[no-untyped-def]
    return [page.tabs.tabText(n) for n in range(page.tabs.count())]


def test_sections_are_tabs_and_load_when_first_shown(qtbot, page, db, admin, hazard_data):
    from sqlalchemy import select

    from desktop.models import Hazard
    from desktop.services import recycle

    assert tab_titles(page) == ["账户与本机", "回收站", "数据备份与恢复", "导入", "导出评审资料包",
                                "受信任的签名公钥", "节假日安排", "标准目录", "机构规则", "主管部门",
                                "信笺与印章", "文书用语"]
    with db.session() as session:
        hazard = session.execute(select(Hazard).order_by(Hazard.id)).scalars().first()
        recycle.soft_delete(session, admin, "hazards", hazard.id, expected_version=hazard.version)
    page.reload()
    assert page.recycle_bin.model.rowCount() == 0  # not shown yet, so not loaded
    page.show_tab(page.recycle_bin)
    assert page.recycle_bin.model.rowCount() == 1
    page.show_tab(page.package_panel)
    assert page.package_panel.insurer.count() == 1


def test_clerk_sees_import_but_not_restore(qtbot, db, users, config):
    clerk_page = SettingsPage(AppState(db=db, config=config, actor=users["clerk"]))
    qtbot.addWidget(clerk_page)
    clerk_page.activate()
    assert "导入" in tab_titles(clerk_page)
    assert not clerk_page.backup_panel.restore_button.isEnabled()
    assert not clerk_page.recycle_bin.purge_button.isEnabled()


def test_tab_is_remembered(qtbot, page, state):
    page.show_tab(page.backup_panel)
    state.settings.beginGroup("pages/settings")
    page.save_state(state.settings)
    state.settings.endGroup()
    again = SettingsPage(state)
    qtbot.addWidget(again)
    state.settings.beginGroup("pages/settings")
    again.restore_state(state.settings)
    state.settings.endGroup()
    assert again.tabs.currentIndex() == 2


def test_screenshots_of_the_sections(qtbot, state, db, admin, hazard_data):
    from sqlalchemy import select

    from desktop.models import Hazard
    from desktop.services import recycle

    from .test_screenshots import save

    with db.session() as session:
        for hazard in session.execute(select(Hazard).order_by(Hazard.id).limit(2)).scalars():
            recycle.soft_delete(session, admin, "hazards", hazard.id,
                                expected_version=hazard.version, reason="重复登记")
    page = SettingsPage(state)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    page.activate()
    for widget, name in ((page.recycle_bin, "settings-recycle-bin"),
                         (page.backup_panel, "settings-backup"),
                         (page.import_wizard, "settings-import"),
                         (page.package_panel, "settings-package")):
        page.show_tab(widget)
        save(qtbot, page, name)


def test_each_tab_is_built_when_first_shown(page):
    from desktop.ui.backup_panel import BackupPanel
    from desktop.ui.catalogue_panel import CataloguePanel
    from desktop.ui.recycle_bin import RecycleBin

    # the page opened on its first tab: none of the other panels is built yet
    assert page.findChildren(RecycleBin) == [] and page.findChildren(BackupPanel) == []
    page.tabs.setCurrentIndex(tab_titles(page).index("回收站"))  # what a click on the tab does
    bins = page.findChildren(RecycleBin)
    assert len(bins) == 1 and bins[0].isVisible()
    assert page.findChildren(CataloguePanel) == []  # the tabs not shown stay unbuilt
    assert page.recycle_bin is bins[0]  # reached directly: the same panel, not a second one
    catalogue = page.catalogue_panel  # reached directly before its tab is shown: built
    assert page.findChildren(CataloguePanel) == [catalogue]
    page.show_tab(catalogue)
    assert page.tabs.tabText(page.tabs.currentIndex()) == "标准目录" and catalogue.isVisible()
    page.show_tab(page.backup_panel)  # a panel in a scroll area of its own
    assert page.backup_panel.isVisible()
