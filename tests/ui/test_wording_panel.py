"""文书用语 in the settings: pick a letter's sentence, edit it with a live preview, save, reset;
bad placeholders are refused in words and nothing is stored."""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea

from desktop.reports import wording as catalogue
from desktop.services import wording
from desktop.ui.app_state import AppState
from desktop.ui.pages.settings_page import SettingsPage
from desktop.ui.wording_panel import WordingPanel

SUGGESTION = "stop_work.suggestion"


def _select(panel: WordingPanel, slot_id: str) -> None:
    panel.choice.setCurrentIndex(panel.choice.findData(slot_id))


def test_admin_edits_previews_saves_and_resets_a_sentence(qtbot, state, dialog_log):
    panel = WordingPanel(state)
    qtbot.addWidget(panel)
    panel.refresh()
    assert panel.choice.count() == len(catalogue.SLOTS)
    _select(panel, SUGGESTION)
    assert panel.editor.toPlainText() == catalogue.BY_ID[SUGGESTION].default
    assert "{停工措施}" in panel.placeholders.text() and not panel.reset_button.isEnabled()
    panel.editor.setPlainText("建议你单位{停工措施}，并于当日书面回复。")
    assert panel.preview.text() == "建议你单位立即对3#楼外脚手架作业区实施局部停工，并于当日书面回复。"
    assert panel.save() is True
    assert state.read(wording.stored) == {SUGGESTION: "建议你单位{停工措施}，并于当日书面回复。"}
    assert panel.current is not None and panel.current.customised
    assert panel.state_label.text() == "本机构用语" and panel.reset_button.isEnabled()

    panel.editor.setPlainText("建议你单位{停工范围}停工。")  # unknown placeholder: said at once
    assert panel.preview.text() == "" and "未知的占位符 {停工范围}" in panel.error.text()
    assert panel.save() is False and "可用的占位符：{停工措施}" in panel.error.text()
    assert state.read(wording.stored)[SUGGESTION] == "建议你单位{停工措施}，并于当日书面回复。"

    dialog_log.answer = True
    panel.reset_button.click()
    assert state.read(wording.stored) == {}
    assert panel.editor.toPlainText() == catalogue.BY_ID[SUGGESTION].default
    assert panel.state_label.text() == "默认用语"


def test_only_administrators_see_the_tab(qtbot, db, users, config, state):
    admin_page = SettingsPage(state)
    qtbot.addWidget(admin_page)
    tabs = [admin_page.tabs.tabText(i) for i in range(admin_page.tabs.count())]
    assert "文书用语" in tabs
    page = admin_page.tabs.widget(tabs.index("文书用语"))
    assert isinstance(page, QScrollArea) and page.widget() is admin_page.wording_panel
    lead = SettingsPage(AppState(db=db, config=config, actor=users["tech_lead"]))
    qtbot.addWidget(lead)
    assert lead.wording_panel is None
    assert "文书用语" not in [lead.tabs.tabText(i) for i in range(lead.tabs.count())]
