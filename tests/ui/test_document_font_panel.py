"""设置 › 文书用语 shows the documents' body font in use and lets an administrator choose another
face of this machine (refused in words when it cannot serve) or go back to the automatic choice."""

from __future__ import annotations

import pytest

from desktop import paths
from desktop.config import Config
from desktop.paths import serif_font_path
from desktop.reports import font_files
from desktop.services.context import Actor
from desktop.ui import file_dialogs
from desktop.ui.app_state import AppState
from desktop.ui.document_font_panel import DocumentFontPanel
from desktop.ui.wording_panel import WordingPanel


@pytest.fixture(autouse=True)
def automatic(monkeypatch):
    monkeypatch.delenv(font_files.ENV_DOCUMENT_FONT, raising=False)
    paths.use_document_font("")
    yield
    paths.use_document_font("")


def test_the_font_in_use_is_shown_and_another_file_chosen_or_refused(
        qtbot, state, monkeypatch, tmp_path):
    panel = WordingPanel(state)
    qtbot.addWidget(panel)
    panel.refresh()
    fonts = panel.font_panel
    shown = fonts.in_use.text()
    assert ("系统字体" in shown or "内置字体" in shown) and "\n" in shown  # family (origin), file
    assert fonts.choice.currentData() == "" and "自动选择" in fonts.choice.currentText()
    # a file that is not a font: refused in words, nothing stored
    broken = tmp_path / "simfang.ttf"
    broken.write_bytes(b"not a font")
    monkeypatch.setattr(file_dialogs, "open_file", lambda *a, **k: str(broken))
    assert fonts.pick_file() == str(broken)
    assert fonts.apply() is False and "不能嵌入 PDF" in fonts.error.text()
    assert Config.load(state.config.data_dir).document_font == ""
    # one of the bundled collection's faces: kept, used from the next start
    chosen = f"{serif_font_path()}:2"
    monkeypatch.setattr(file_dialogs, "open_file", lambda *a, **k: chosen)
    fonts.pick_file()
    assert fonts.apply() is True
    assert Config.load(state.config.data_dir).document_font == chosen
    assert fonts.choice.currentData() == chosen and "重新启动程序后" in fonts.note.text()
    # back to the automatic choice
    fonts.choice.setCurrentIndex(fonts.choice.findData(""))
    assert fonts.apply() is True and Config.load(state.config.data_dir).document_font == ""
    assert "重新启动程序后" not in fonts.note.text()


def test_the_environment_is_said_to_win_and_only_an_administrator_chooses(
        qtbot, qapp, db, config, monkeypatch):
    monkeypatch.setenv(font_files.ENV_DOCUMENT_FONT, str(serif_font_path()))
    panel = DocumentFontPanel(AppState(db=db, config=config, actor=Actor(9, "wang", "inspector")))
    qtbot.addWidget(panel)
    panel.refresh()
    assert "RISKDESK_DOCUMENT_FONT" in panel.note.text()
    assert not panel.apply_button.isEnabled() and not panel.choice.isEnabled()
