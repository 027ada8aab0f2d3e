"""The project dialog: field errors beside the fields, a whole project saved at once, stale edits."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog, QLabel

from desktop.services import organisations, projects
from desktop.ui.project_dialog import OptionalDateEdit, ProjectDialog
from tests.factories import make_project

from .keyboard import replace_text


@pytest.fixture
def dialog(qtbot, state, agency_profile):
    dialog = ProjectDialog(state)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def error_text(dialog, key):  # type: ignore[no-untyped-def]
    label = dialog.errors.label(key)
    return label.text() if label.isVisible() else ""


def test_empty_name_and_code_are_refused_beside_their_fields(dialog, db):
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert error_text(dialog, "code") == "请填写项目编号"
    assert error_text(dialog, "name") == "请填写项目名称"
    assert error_text(dialog, "address") == ""
    assert dialog.tabs.currentIndex() == 0
    with db.read() as session:
        assert projects.count(session) == 0


def test_a_duplicate_code_is_named(dialog, db, admin):
    with db.session() as session:
        taken = make_project(session, admin)
        code = projects.get_detail(session, taken.project).project.code
    dialog.code.setText(code)
    dialog.name.setText("新项目")
    dialog.accept()
    assert error_text(dialog, "code") == f"项目编号“{code}”已被其他项目使用"
    assert error_text(dialog, "name") == ""


def test_completion_before_start_is_refused(dialog):
    dialog.code.setText("SX-2026-0100")
    dialog.name.setText("镜湖新区安置房")
    dialog.start_date.set_value(dt.date(2026, 3, 1))
    dialog.status.setCurrentIndex(dialog.status.findData("completed"))
    dialog.completion_date.set_value(dt.date(2026, 2, 1))
    dialog.accept()
    assert error_text(dialog, "completion_date") == "竣工日期早于开工日期"


def test_errors_on_another_tab_bring_it_forward(dialog):
    dialog.code.setText("SX-2026-0101")
    dialog.name.setText("镜湖新区安置房")
    dialog.policy_no.setText("PICC-1")  # no insurer
    dialog.policy_start.set_value(dt.date(2026, 5, 1))
    dialog.policy_end.set_value(dt.date(2026, 4, 1))
    dialog.accept()
    assert dialog.tabs.currentIndex() == 1
    assert error_text(dialog, "policy.insurer_id") == "请填写承保机构"
    assert error_text(dialog, "policy.end_date") == "保险期间结束日期早于开始日期"


def test_a_whole_project_is_created_in_one_go(dialog, db):
    dialog.code.setText("SX-2026-0200")
    dialog.name.setText("柯桥区华舍街道安置房二期")
    dialog.address.setText("柯桥区华舍街道蜀阜路")
    dialog.district.setCurrentText("柯桥区")
    dialog.excavation_depth.setText("6.5")
    dialog.contract_value.setText("128,000,000")
    dialog.start_date.set_value(dt.date(2026, 1, 10))
    dialog.managers.setValue(15)
    dialog.workers.setValue(320)
    dialog.policy_no.setText("PICC-AZX-2026-0200")
    dialog.insurer.setText("中国人民财产保险股份有限公司绍兴市分公司")
    dialog.policy_start.set_value(dt.date(2026, 1, 1))
    dialog.policy_end.set_value(dt.date(2027, 12, 31))
    dialog.fee.setText("30000")
    dialog.parties["authority_id"].setText("柯桥区住房和城乡建设局")
    dialog.parties["contractor_id"].setText("浙江某建设集团有限公司")
    first = dialog.stages.rows[0][0]
    first[1].set_value(dt.date(2026, 1, 10))
    first[2].set_value(dt.date(2026, 5, 31))
    danger = dialog.dangers.new_row()
    danger[0].setText("深基坑工程")
    danger[1].setChecked(True)
    danger[2].setCurrentIndex(danger[2].findData("in_progress"))
    danger[5].setText("开挖深度 6.5m")
    dialog.dangers.new_row()  # left empty: ignored
    contact = dialog.contacts.new_row()
    contact[0].setCurrentIndex(0)
    contact[1].setText("王建国")
    contact[2].setText("13800000000")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.errors.general.text()
    with db.read() as session:
        detail = projects.get_detail(session, dialog.saved.id)
        authority = organisations.get(session, detail.form.authority_id)
    assert detail.form.district == "柯桥区" and str(detail.form.excavation_depth_m) == "6.50"
    assert authority.name == "柯桥区住房和城乡建设局" and authority.district == "柯桥区"
    assert detail.form.headcount_workers == 320
    assert [p.policy_no for p in detail.policies] == ["PICC-AZX-2026-0200"]
    assert [s.name for s in detail.stages] == list(projects.DEFAULT_STAGES)
    assert detail.stages[0].planned_end == dt.date(2026, 5, 31)
    assert [(d.name, d.is_super, d.status) for d in detail.danger_items] == [
        ("深基坑工程", True, "in_progress")]
    assert [(c.role, c.name) for c in detail.contacts] == [("项目经理", "王建国")]


def test_a_bad_danger_row_rolls_everything_back(dialog, db):
    dialog.code.setText("SX-2026-0300")
    dialog.name.setText("越城区某学校")
    row = dialog.dangers.new_row()
    row[5].setText("高度 9m")  # parameters without a name
    dialog.accept()
    assert dialog.tabs.currentIndex() == 3
    assert error_text(dialog, "danger.0") == "第 1 项危大工程：请填写危大工程名称"
    with db.read() as session:
        assert projects.count(session) == 0


def test_editing_saves_and_a_stale_version_is_a_conflict(qtbot, state, db, admin, dialog_log):
    with db.session() as session:
        ids = make_project(session, admin)
    dialog = ProjectDialog(state, ids.project)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "修改项目"
    assert dialog.parties["contractor_id"].text() == "浙江某建设集团有限公司"
    assert dialog.stages.rows[0][0][0].text() == "地基与基础"
    dialog.name.setText("改名后的项目")
    dialog.stages.rows[1][0][3].set_value(dt.date(2026, 6, 1))
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    with db.read() as session:
        detail = projects.get_detail(session, ids.project)
    assert detail.form.name == "改名后的项目" and detail.stages[1].actual_start == dt.date(2026, 6, 1)

    stale = ProjectDialog(state, ids.project)
    qtbot.addWidget(stale)
    with db.session() as session:  # another desk saves first
        form = projects.get_detail(session, ids.project).form
        projects.update_project(session, admin, ids.project,
                                projects.ProjectForm(**{**form.__dict__, "notes": "他人修改"}),
                                expected_version=detail.project.version)
    stale.workers.setValue(999)
    stale.accept()
    assert stale.result() != QDialog.DialogCode.Accepted
    assert dialog_log.calls[-1][:2] == ("warn", "记录已被他人修改")
    with db.read() as session:
        assert projects.get_detail(session, ids.project).form.headcount_workers == 180


def test_an_optional_date_stays_empty_until_typed_and_can_be_cleared(qtbot):
    edit = OptionalDateEdit(dt.date(2026, 3, 1))
    qtbot.addWidget(edit)
    assert edit.value() == dt.date(2026, 3, 1)
    replace_text(edit.edit, "")
    qtbot.keyClick(edit.edit, Qt.Key.Key_Delete)
    assert edit.value() is None and edit.text() == ""
    edit.show()
    qtbot.mouseClick(edit.edit, Qt.MouseButton.LeftButton)  # a click does not fill in today
    assert edit.value() is None
    replace_text(edit.edit, "2028年6月30日")
    assert edit.value() == dt.date(2028, 6, 30)


def test_tab_goes_down_the_left_column_then_the_right(qtbot, dialog):
    from PySide6.QtWidgets import QApplication

    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=3000)
    dialog.lead.setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.notes
    qtbot.keyClick(dialog.notes, Qt.Key.Key_Tab)  # the notes pass Tab on (setTabChangesFocus)
    assert QApplication.focusWidget() is dialog.contract_value


def test_tab_through_the_empty_dates_leaves_them_empty_and_typed_years_stick(qtbot, dialog):
    from PySide6.QtWidgets import QApplication

    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=3000)
    dialog.area.setFocus()  # the floor area sits between the depth and the dates
    dates = (dialog.contract_date, dialog.start_date, dialog.planned_completion,
             dialog.completion_date)
    for date in dates:  # one Tab per date field, none of them filled in by passing
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is date.edit
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.managers.lineEdit() or dialog.managers.hasFocus()
    assert all(d.value() is None and d.text() == "" for d in dates)
    replace_text(dialog.start_date.edit, "2025/5/5")
    replace_text(dialog.planned_completion.edit, "2028-06-30")
    qtbot.keyClick(dialog.planned_completion.edit, Qt.Key.Key_Tab)
    assert dialog.start_date.value() == dt.date(2025, 5, 5)
    assert dialog.planned_completion.value() == dt.date(2028, 6, 30)
    assert dialog.completion_date.value() is None


def test_labels_keep_their_distance_from_their_fields(dialog):
    labels = {label.text(): label for label in dialog.findChildren(QLabel)}
    for text, field in (("项目负责人", dialog.lead), ("建筑面积（平方米）", dialog.area)):
        label = labels[text]
        end = label.mapTo(dialog, QPoint(label.width(), 0)).x()
        gap = field.mapTo(dialog, QPoint(0, 0)).x() - end
        assert gap >= dialog.fontMetrics().height() // 2, (text, gap)
