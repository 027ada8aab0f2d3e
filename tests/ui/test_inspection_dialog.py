"""The inspection dialog: a full-coverage visit ticking L1/L2 sources (N-04) with its findings."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop.services import documents, hazards, inspections, projects, risk_sources
from desktop.services.context import now
from desktop.services.periods import quarter_of
from desktop.services.queries import inspection_list
from desktop.ui.inspection_dialog import FindingColumn, InspectionDialog, current_stage

from .test_projects_page import project_data  # noqa: F401 - the shared data fixture


@pytest.fixture
def dialog(qtbot, state, project_data):  # noqa: F811
    dialog = InspectionDialog(state, project_id=project_data.first.project)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def ticks(dialog):  # type: ignore[no-untyped-def]
    return {dialog.sources.item(i).text(): dialog.sources.item(i).checkState() == Qt.CheckState.Checked
            for i in range(dialog.sources.count())}


def add_finding(dialog, level, description, measures="立即整改", contingency=""):  # type: ignore[no-untyped-def]
    dialog.level.setCurrentIndex(dialog.level.findData(level))
    dialog.location.setText("2#楼")
    dialog.description.setText(description)
    dialog.measures.setText(measures)
    dialog.contingency.setText(contingency)
    dialog.add_button.click()


def test_a_full_coverage_inspection_lists_the_l1_l2_sources(dialog):
    assert dialog.windowTitle() == "新建检查"
    assert dialog.kind.currentData() == "full_coverage"
    assert not dialog.project.isEnabled()
    assert dialog.sources_box.isVisible()
    assert list(ticks(dialog).values()) == [False, False, False]  # the level-3 source is not listed
    assert dialog.tick_count.text() == "已核查 0 / 3 项"
    dialog.kind.setCurrentIndex(dialog.kind.findData("routine"))
    assert not dialog.sources_box.isVisible()
    dialog.kind.setCurrentIndex(dialog.kind.findData("danda_targeted"))
    assert dialog.form.isRowVisible(dialog.danger.parentWidget())


def test_recording_ticks_and_a_finding_in_one_go(qtbot, dialog, state, db, project_data,  # noqa: F811
                                                 qtmodeltester):
    dialog.sources.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.sources.item(1).setCheckState(Qt.CheckState.Checked)
    assert dialog.tick_count.text() == "已核查 2 / 3 项"
    dialog.summary.setPlainText("对塔吊、基坑和模板支撑进行全覆盖检查")
    add_finding(dialog, 2, "基坑北侧临边防护缺失", contingency="设置警戒区，专人看护")
    assert dialog.finding_model.rowCount() == 1
    assert dialog.finding_model.data(dialog.finding_model.index(0, FindingColumn.NUMBER)) == "待登记"
    assert dialog.description.text() == ""  # ready for the next one
    qtmodeltester.check(dialog.finding_model)
    with qtbot.waitSignal(state.changed) as changed:
        dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert changed.args[0].inspections and changed.args[0].hazards
    saved = dialog.saved
    assert saved.inspection.kind == "full_coverage" and len(saved.hazards) == 1
    with db.read() as s:
        found = inspection_list.findings(s, saved.inspection.id)
        cover = risk_sources.coverage(s, project_data.first.project, quarter_of(now().date()))
    assert [h.description for h in found] == ["基坑北侧临边防护缺失"]
    assert cover.verified == 2 and cover.total == 3


def test_refusals_appear_beside_the_fields_and_nothing_is_written(dialog, db, project_data):  # noqa: F811
    for i in range(dialog.inspectors.count()):
        dialog.inspectors.item(i).setCheckState(Qt.CheckState.Unchecked)
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.errors.label("inspector_ids").text() == "请至少选择一名检查人员"
    dialog.inspectors.item(0).setCheckState(Qt.CheckState.Checked)
    add_finding(dialog, 3, "灭火器过期", measures="")
    add_finding(dialog, 1, "塔吊力矩限制器失效", contingency="")
    dialog.accept()
    message = dialog.errors.label("finding").text()
    assert "第 1 条隐患：请填写整改措施" in message and "第 2 条隐患：一、二级隐患须填写" in message
    assert dialog.findings.currentIndex().row() == 0
    with db.read() as s:  # the two of the fixture only: the refused visit rolled back whole
        assert len(inspections.list_for_project(s, project_data.first.project)) == 2


def test_enter_in_the_finding_fields_adds_the_finding_not_the_inspection(qtbot, dialog, db):
    dialog.description.setText("安全帽佩戴不规范")
    dialog.measures.setText("教育并整改")
    dialog.measures.setFocus()
    qtbot.keyClick(dialog.measures, Qt.Key.Key_Return)
    assert dialog.finding_model.rowCount() == 1 and dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted


def test_a_level_1_finding_proposes_partial_stop_work(dialog):
    dialog.level.setCurrentIndex(dialog.level.findData(1))
    assert dialog.stop_work.currentData() == "partial"
    dialog.level.setCurrentIndex(dialog.level.findData(3))
    assert dialog.stop_work.currentData() == "none"


def test_pending_findings_come_back_or_go_with_delete(qtbot, dialog, dialog_log):
    add_finding(dialog, 3, "脚手板未满铺")
    add_finding(dialog, 4, "材料堆放杂乱")
    dialog.findings.setFocus()
    dialog.findings.selectRow(1)
    qtbot.keyClick(dialog.findings, Qt.Key.Key_Delete)
    assert dialog_log.calls[-1][:2] == ("ask", "移除隐患")
    assert dialog.finding_model.rowCount() == 1
    dialog.findings.selectRow(0)
    qtbot.keyClick(dialog.findings, Qt.Key.Key_Return)  # taken back into the editor
    assert dialog.finding_model.rowCount() == 0
    assert dialog.description.text() == "脚手板未满铺"
    assert dialog.row is None and dialog.isVisible()  # Enter on the table did not save the dialog


def test_an_existing_inspection_shows_its_ticks_and_is_confirmed(qtbot, state, db, project_data,  # noqa: F811
                                                                 dialog_log):
    dialog = InspectionDialog(state, inspection_id=project_data.full_inspection)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "检查记录"
    assert list(ticks(dialog).values()) == [True, False, False]
    dialog.confirm()
    assert dialog.errors.label("site_person").text() == "请填写项目方确认人"
    dialog.site_person.setText("张监理")
    dialog.confirm()
    assert not dialog.confirm_button.isEnabled()
    dialog.sources.item(2).setCheckState(Qt.CheckState.Checked)
    add_finding(dialog, 3, "模板支撑扫地杆缺失")
    dialog.accept()
    with db.read() as s:
        row = inspections.get(s, project_data.full_inspection)
        checks = {c.name: c.verified for c in inspections.sources_to_verify(s, row.id)}
        assert len(inspection_list.findings(s, row.id)) == 1
    assert row.site_confirmed_by == "张监理"
    assert checks["高大模板支撑体系"] is True


def test_the_detailed_hazard_dialog_saves_a_new_inspection_first(qtbot, dialog, db, admin, dialog_log):
    opened = []

    def record(hazard_dialog) -> bool:  # type: ignore[no-untyped-def]
        opened.append(type(hazard_dialog).__name__)
        with db.session() as s:  # what the hazard dialog stores
            hazards.record(s, admin, hazards.HazardForm(
                project_id=dialog.row.project_id, inspection_id=dialog.row.id, description="安全网破损",
                level=3, measures="更换"))
        return True

    dialog_log.on_run = record
    add_finding(dialog, 4, "围挡破损")
    dialog.detail_button.click()
    assert opened == ["HazardDialog"]
    assert dialog.row is not None and not dialog._header_box.isEnabled()
    numbers = [dialog.finding_model.data(dialog.finding_model.index(r, FindingColumn.NUMBER))
               for r in range(dialog.finding_model.rowCount())]
    assert len(numbers) == 2 and all(n.startswith("YH-") for n in numbers)


def test_a_completed_project_given_by_the_caller_stays_chosen(qtbot, state, project_data):  # noqa: F811
    dialog = InspectionDialog(state, project_id=project_data.second.project)  # completed
    qtbot.addWidget(dialog)
    assert dialog.project_id == project_data.second.project
    assert dialog.project.currentData() == project_data.second.project


def test_the_stage_under_way_is_proposed():
    today = dt.date(2026, 5, 1)
    stages = [projects.StageLine(1, 1, "基础", None, None, dt.date(2026, 1, 1), dt.date(2026, 3, 1), 1),
              projects.StageLine(2, 2, "主体", dt.date(2026, 3, 1), dt.date(2026, 8, 1), None, None, 1)]
    assert current_stage(stages, today) == 2
    stages[1] = dataclasses.replace(stages[1], actual_start=dt.date(2026, 3, 2))
    assert current_stage(stages, today) == 2
    assert current_stage(stages[:1], today) is None


def test_screenshots(qtbot, state, project_data, tmp_path):  # noqa: F811
    from desktop.ui import i18n

    from .test_screenshots import save

    i18n.install_translators("zh_CN", cache_dir=tmp_path)
    dialog = InspectionDialog(state, project_id=project_data.first.project)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.sources.item(0).setCheckState(Qt.CheckState.Checked)
    add_finding(dialog, 1, "塔吊起重力矩限制器失效", contingency="停止吊装作业，设置警戒区")
    add_finding(dialog, 3, "灭火器压力不足", measures="")
    dialog.accept()
    save(qtbot, dialog, "inspection-dialog-new")
    existing = InspectionDialog(state, inspection_id=project_data.full_inspection)
    qtbot.addWidget(existing)
    existing.show()
    save(qtbot, existing, "inspection-dialog-existing")


@pytest.mark.parametrize("draft", [True, False])
def test_level_1_findings_offer_their_stop_work_letters(qtbot, dialog, db, dialog_log, draft):
    add_finding(dialog, 1, "塔吊力矩限制器失效", contingency="停止吊装作业")
    add_finding(dialog, 3, "配电箱无门")
    dialog_log.answer = draft
    dialog.accept()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=30_000)
    offers = [c for c in dialog_log.calls if c[:2] == ("ask", "停工建议书")]
    assert len(offers) == 1 and "1 项一级隐患" in offers[0][2] and "N-" not in offers[0][2]
    level1 = next(h for h in dialog.saved.hazards if h.level == 1)
    with db.read() as s:
        letters = documents.register(s, kind="stop_work")
    assert [(d.scope_id, d.status) for d in letters] == ([(level1.id, "draft")] if draft else [])
