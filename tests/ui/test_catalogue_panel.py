"""Settings › 标准目录: the editions side by side; an admin imports one (未核对原文) and marks it checked."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QItemSelectionModel

from desktop.paths import catalogues_dir
from desktop.services import catalogues
from desktop.ui import catalogue_panel
from desktop.ui.app_state import AppState
from desktop.ui.catalogue_panel import CataloguePanel, EditionColumn
from desktop.ui.pages.settings_page import SettingsPage


@pytest.fixture
def loaded(db):
    with db.session() as session:
        catalogues.load_all(session)


def cells(panel, column) -> list[str]:  # type: ignore[no-untyped-def]
    return [panel.model.data(panel.model.index(r, column)) for r in range(panel.model.rowCount())]


def test_an_admin_imports_an_edition_and_marks_it_checked(qtbot, state, loaded, tmp_path, dialog_log,
                                                          monkeypatch):
    page = SettingsPage(state)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    panel = page.catalogue_panel
    page.show_tab(panel)
    assert "房屋市政工程生产安全重大事故隐患判定标准（2024版）" in cells(panel, EditionColumn.TITLE)
    assert "2024-12-13" in cells(panel, EditionColumn.IN_FORCE)
    data = json.loads((catalogues_dir() / "major_hazard_2024.json").read_text(encoding="utf-8"))
    data.update(code="major_hazard@2030", edition="2030", title="判定标准（2030版，测试）", in_force="2030-01-01")
    path = tmp_path / "2030.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(catalogue_panel, "choose_catalogue_file", lambda _p, _t: str(path))
    panel.import_button.click()
    assert dialog_log.calls[-1][:2] == ("inform", "已导入")
    row = cells(panel, EditionColumn.TITLE).index("判定标准（2030版，测试）")
    assert cells(panel, EditionColumn.CHECKED)[row] == "未核对原文"
    panel.import_button.click()  # the same code again: refused beside the buttons
    assert "已载入" in panel.error.text()
    panel.table.selectionModel().select(panel.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                                        | QItemSelectionModel.SelectionFlag.Rows)
    assert panel.check_button.isEnabled()
    panel.check_button.click()
    assert dialog_log.calls[-1][:2] == ("ask", "核对原文")
    assert cells(panel, EditionColumn.CHECKED)[row].startswith("已核对原文（系统管理员甲")


def test_others_see_the_editions_but_cannot_change_them(qtbot, db, config, users, loaded):
    state = AppState(db=db, config=config, actor=users["tech_lead"])
    panel = CataloguePanel(state)
    qtbot.addWidget(panel)
    assert len(cells(panel, EditionColumn.TITLE)) == 5
    assert not panel.import_button.isEnabled() and not panel.check_button.isEnabled()


def test_an_admin_imports_an_edition_from_excel(qtbot, state, loaded, tmp_path, dialog_log, monkeypatch):
    from tests.services.test_catalogue_sheet import workbook

    panel = CataloguePanel(state)
    qtbot.addWidget(panel)
    good = workbook(tmp_path / "2030.xlsx")
    bad = workbook(tmp_path / "bad.xlsx", [("第四条", "04-1", "基坑工程", "基坑超挖", None, "五级", None)])
    monkeypatch.setattr(catalogue_panel, "choose_catalogue_file", lambda _p, _t: str(bad))
    panel.import_button.click()
    assert "第 3 行 F 列（默认等级）" in panel.error.text() and "未导入任何内容" in panel.error.text()
    assert len(cells(panel, EditionColumn.TITLE)) == 5
    monkeypatch.setattr(catalogue_panel, "choose_catalogue_file", lambda _p, _t: str(good))
    panel.import_button.click()
    assert dialog_log.calls[-1][:2] == ("inform", "已导入")
    row = cells(panel, EditionColumn.TITLE).index("房屋市政工程生产安全重大事故隐患判定标准（2030版）")
    assert cells(panel, EditionColumn.CHECKED)[row] == "未核对原文"
    assert cells(panel, EditionColumn.IN_FORCE)[row] == "2030-03-01"
