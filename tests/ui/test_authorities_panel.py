"""The 主管部门 tab: the preset districts' authorities listed, corrected and added to."""

from __future__ import annotations

from desktop.services import organisations, presets
from desktop.services.context import Actor
from desktop.services.queries import project_list
from desktop.ui.authorities_panel import AuthoritiesPanel, AuthorityColumn
from desktop.ui.pages.settings_page import SettingsPage

from .keyboard import replace_text


def test_preset_authorities_are_listed_corrected_and_added(qtbot, state, db, dialog_log):
    with db.session() as s:
        presets.create_authorities(s, Actor.system())
    panel = AuthoritiesPanel(state)
    qtbot.addWidget(panel)
    panel.refresh()
    districts = {panel.model.index(r, AuthorityColumn.DISTRICT).data()
                 for r in range(panel.model.rowCount())}
    assert {"越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县"} <= districts
    assert not panel.edit_button.isEnabled()

    row = next(r for r in range(panel.model.rowCount())
               if panel.model.index(r, AuthorityColumn.DISTRICT).data() == "柯桥区")
    panel.table.selectRow(row)
    assert panel.edit_button.isEnabled()

    def rename(dialog):  # type: ignore[no-untyped-def]
        replace_text(dialog.name, "绍兴市柯桥区住房和城乡建设局")
        dialog.accept()
        return dialog.result() == dialog.DialogCode.Accepted

    dialog_log.on_run = rename
    assert panel.edit()
    with db.read() as s:
        names = {o.name for o in organisations.list_orgs(s, "authority")}
    assert "绍兴市柯桥区住房和城乡建设局" in names and "柯桥区住房和城乡建设局" not in names

    def add(dialog):  # type: ignore[no-untyped-def]
        replace_text(dialog.district, "滨海新区")
        replace_text(dialog.name, "滨海新区建设管理局")
        dialog.accept()
        return dialog.result() == dialog.DialogCode.Accepted

    dialog_log.on_run = add
    assert panel.add()
    with db.read() as s:
        assert "滨海新区" in project_list.filter_options(s).districts  # offered to projects

    def empty_name(dialog):  # type: ignore[no-untyped-def]
        replace_text(dialog.name, "   ")  # spaces only
        dialog.accept()
        assert "请填写单位名称" in dialog.field_errors["name"].text()
        return False

    dialog_log.on_run = empty_name
    panel.table.selectRow(0)
    assert not panel.edit()


def test_the_settings_page_has_the_tab(qtbot, state, agency_profile):
    page = SettingsPage(state)
    qtbot.addWidget(page)
    titles = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert "主管部门" in titles
