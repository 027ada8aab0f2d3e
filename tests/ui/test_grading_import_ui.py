"""设置 › 机构规则: the grading thresholds imported from a file — shown at once when good, every
problem listed under the form and nothing changed when not."""

from __future__ import annotations

from openpyxl import Workbook

from desktop.services import risk
from desktop.ui import agency_rules_panel
from desktop.ui.agency_rules_panel import AgencyRulesPanel


def _book(path, rows):
    wb = Workbook()
    wb.active.title = "评定规则"
    wb.active.append(["项目", "取值"])
    for row in rows:
        wb.active.append(list(row))
    wb.save(path)
    return str(path)


def test_an_admin_imports_the_grading_from_excel(qtbot, state, db, dialog_log, tmp_path, monkeypatch):
    panel = AgencyRulesPanel(state)
    qtbot.addWidget(panel)
    panel.refresh()
    assert panel.import_button.isVisibleTo(panel)
    bad = _book(tmp_path / "bad.xlsx", [("深基坑开挖深度", "很深")])
    monkeypatch.setattr(agency_rules_panel, "choose_grading_file", lambda *_a: bad)
    panel.import_button.click()
    assert "第 2 行 B 列" in panel.error.text() and dialog_log.texts("inform") == []
    good = _book(tmp_path / "good.xlsx", [("深基坑开挖深度", 8), ("未闭合隐患数高风险阈值", 25)])
    monkeypatch.setattr(agency_rules_panel, "choose_grading_file", lambda *_a: good)
    panel.import_button.click()
    assert panel.deep.value() == 8 and panel.density["high"].value() == 25  # shown at once
    assert dialog_log.texts("inform") == ["已从 good.xlsx 读取 2 项评定规则取值，已保存，用于此后的风险评估。"]
    with db.read() as s:
        assert risk.grading(s)["deep_excavation_m"] == 8


def test_the_import_is_for_administrators(qtbot, state, users):
    state.set_actor(users["tech_lead"])
    panel = AgencyRulesPanel(state)
    qtbot.addWidget(panel)
    assert not panel.import_button.isVisibleTo(panel)


def test_the_template_button_writes_the_current_values(qtbot, state, db, dialog_log, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    panel = AgencyRulesPanel(state)
    qtbot.addWidget(panel)
    panel.refresh()
    assert panel.template_button.isVisibleTo(panel) and panel.template_button.text() == "下载模板…"
    target = tmp_path / "评定规则模板"  # no suffix typed: .xlsx is added
    monkeypatch.setattr(agency_rules_panel, "choose_template_target", lambda *_a: str(target))
    panel.template_button.click()
    written = tmp_path / "评定规则模板.xlsx"
    assert written.is_file() and "已写出评定规则模板" in dialog_log.texts("inform")[0]
    rows = {r[0]: r[1] for r in load_workbook(written).active.iter_rows(min_row=3, values_only=True)}
    with db.read() as s:
        assert rows["深基坑开挖深度（米，不小于为高风险）"] == risk.grading(s)["deep_excavation_m"]
    monkeypatch.setattr(agency_rules_panel, "choose_grading_file", lambda *_a: str(written))
    panel.import_button.click()
    assert "与现行规则相同，未作修改" in dialog_log.texts("inform")[-1]
