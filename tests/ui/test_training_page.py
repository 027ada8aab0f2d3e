"""The training page: sessions with attendance by group, the half-year status they change, plans,
emergency-plan help, drills evaluated, records printed as drafts, the layout remembered."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog, QToolButton

from desktop.services import documents, training
from desktop.services.context import now
from desktop.ui.lazy_model import ROW_ROLE
from desktop.ui.pages.training_page import DrillColumn, HalfColumn, TrainingPage
from desktop.ui.training_dialogs import (
    AssistDialog,
    DeleteSessionDialog,
    DrillDialog,
    EvaluateDrillDialog,
    PlanDialog,
    SessionDialog,
)
from tests.factories import make_project

from .keyboard import replace_text
from .shots import shots_dir

TODAY = now().date()
CLOCK_DAYS = ("TODAY",)  # set again before each test (conftest): a run may cross midnight


def shot(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    QApplication.processEvents()  # pending layout requests: the picture shows what the user sees
    assert widget.grab().save(str(shots_dir() / f"{name}.png"))


@pytest.fixture
def page(qtbot, state, hazard_data):
    page = TrainingPage(state)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    page.activate()
    return page


def rows(model):  # type: ignore[no-untyped-def]
    return [model.data(model.index(r, 0), ROW_ROLE) for r in range(model.rowCount())]


def cell(model, row: int, column: int) -> str:  # type: ignore[no-untyped-def]
    return model.data(model.index(row, column))


def accepted(dialog: QDialog) -> bool:
    dialog.accept()
    return dialog.result() == QDialog.DialogCode.Accepted


def test_a_session_with_attendance_changes_the_half_year_status(qtbot, page, hazard_data,
                                                                dialog_log, qtmodeltester):
    page.tabs.setCurrentIndex(1)
    assert page.halves.rowCount() == 1
    flags = (HalfColumn.FREQUENCY, HalfColumn.COVERAGE, HalfColumn.TARGETED)
    assert [cell(page.halves, 0, c) for c in flags[:2]] == ["未达标", "未达标"]
    assert "0 / 12" in cell(page.halves, 0, HalfColumn.MANAGERS)
    seen = []

    def fill(dialog: SessionDialog) -> bool:
        dialog.show()
        assert dialog.attendance.rows[0][0].currentData() == hazard_data.project
        dialog.accept()  # no topic: said beside the field, the form stays open
        seen.append(dialog.field_errors["topic"].text())
        replace_text(dialog.date.edit, (TODAY - dt.timedelta(days=2)).strftime("%Y/%m/%d"))
        dialog.topic.setText("高处作业安全专项培训")
        dialog.categories.setText("高处坠落、临边防护")
        dialog.trainer.setText("王老师")
        _combo, managers, workers, heads, _existing = dialog.attendance.rows[0]
        assert heads.text() == "管理 12 人 / 作业 180 人"
        managers.setValue(12)
        workers.setValue(180)
        shot(dialog, "training-session-dialog")
        return accepted(dialog)

    dialog_log.on_run = fill
    page.new_button.click()
    assert seen == ["请填写培训主题"]
    assert page.sessions.rowCount() == 1
    session = rows(page.sessions)[0]
    assert (session.topic, session.managers, session.workers) == ("高处作业安全专项培训", 12, 180)
    status = rows(page.halves)[0].status
    assert status.frequency_met and status.coverage_met and status.targeted
    assert [cell(page.halves, 0, c) for c in flags] == ["达标"] * 3
    assert "100%" in cell(page.halves, 0, HalfColumn.WORKERS)
    colour = page.halves.data(page.halves.index(0, HalfColumn.COVERAGE),
                              Qt.ItemDataRole.ForegroundRole)
    assert colour.name() == "#2e7d32"
    for model in (page.sessions, page.halves):
        qtmodeltester.check(model)
    with qtbot.assertNotEmitted(page.navigate):
        shot(page, "training-halves")


def test_a_session_edited_through_the_same_dialog_and_deleted(qtbot, page, hazard_data, db, admin,
                                                             dialog_log):
    with db.session() as s:
        other = make_project(s, admin, name="绍兴市柯桥区某学校项目")
        training.record_session(s, admin, training.SessionForm(
            TODAY - dt.timedelta(days=1), "消防培训", trainer="王工", materials="课件"),
            [training.Attendance(hazard_data.project, 2, 20)])
    page.reload()
    assert page.findChild(type(page.new_button), "editSession").text() == "编辑(&E)…"
    seen = []

    def edit(dialog: SessionDialog) -> bool:
        dialog.show()
        # the same form, filled in and open for correction
        assert dialog.windowTitle() == "修改培训记录：消防培训"
        assert (dialog.topic.text(), dialog.trainer.text(), dialog.materials.toPlainText()) == (
            "消防培训", "王工", "课件")
        assert dialog.topic.isEnabled() and dialog.date.date() == TODAY - dt.timedelta(days=1)
        dialog.topic.clear()
        dialog.accept()  # said beside the field; the form stays open
        seen.append(dialog.field_errors["topic"].text())
        dialog.topic.setText("消防安全专项培训")
        dialog.trainer.setText("李工")
        dialog.hours.setValue(3.5)
        replace_text(dialog.date.edit, (TODAY - dt.timedelta(days=3)).isoformat())
        dialog.attendance.rows[0][2].setValue(60)
        combo = dialog.attendance.add_row()
        combo.setCurrentIndex(combo.findData(other.project))
        dialog.attendance.rows[1][1].setValue(4)
        return accepted(dialog)

    dialog_log.on_run = edit
    rect = page.session_table.visualRect(page.sessions.index(0, 1))
    # QTest's double click carries no press of its own; a real one follows the first click
    qtbot.mouseClick(page.session_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.session_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert seen == ["请填写培训主题"]
    row = rows(page.sessions)[0]
    assert (row.topic, row.trainer, f"{row.duration_hours:g}", row.date) == (
        "消防安全专项培训", "李工", "3.5", TODAY - dt.timedelta(days=3))
    assert (row.managers, row.workers) == (6, 60) and "柯桥区某学校项目" in row.projects
    assert cell(page.sessions, 0, 1) == "消防安全专项培训"

    def take_off(dialog: SessionDialog) -> bool:  # the second project is taken off again
        remove = [b for b in dialog.findChildren(QToolButton) if b.text() == "移除"]
        assert len(remove) == 2  # a recorded project's line can be removed when editing
        remove[1].click()
        return accepted(dialog)

    dialog_log.on_run = take_off
    page.session_table.selectRow(0)
    page.findChild(type(page.new_button), "editSession").click()
    assert rows(page.sessions)[0].managers == 2
    with db.read() as s:
        assert [a.project_id for a in training.get_session(s, row.id).attendance] == [hazard_data.project]

    def delete(dialog: DeleteSessionDialog) -> bool:
        dialog.reason.setText("重复登记")
        return accepted(dialog)

    dialog_log.on_run = delete
    page.session_table.setFocus()
    page.session_table.selectRow(0)
    qtbot.keyClick(page.session_table, Qt.Key.Key_Delete)
    assert page.sessions.rowCount() == 0


def test_an_edit_saved_over_someone_elses_is_refused(qtbot, page, hazard_data, db, admin, users,
                                                     dialog_log):
    with db.session() as s:
        row = training.record_session(s, admin, training.SessionForm(TODAY, "班前教育"),
                                      [training.Attendance(hazard_data.project, 1, 30)])
    page.reload()
    page.session_table.setFocus()
    page.session_table.selectRow(0)

    def stale(dialog: SessionDialog) -> bool:
        with db.session() as s:  # another desk saves while the form is open
            training.update_session(s, users["clerk"], row.id, training.SessionForm(TODAY, "班前安全教育"),
                                    [training.Attendance(hazard_data.project, 1, 30)],
                                    expected_version=row.version)
        dialog.trainer.setText("赵工")
        return accepted(dialog)

    dialog_log.on_run = stale
    qtbot.keyClick(page.session_table, Qt.Key.Key_Return)
    assert dialog_log.kinds() == ["warn"] and "已被他人修改" in dialog_log.texts("warn")[0]
    page.reload()
    assert (rows(page.sessions)[0].topic, rows(page.sessions)[0].trainer) == ("班前安全教育", "")


def test_filters_and_plan(qtbot, page, hazard_data, db, admin, dialog_log):
    with db.session() as s:
        training.record_session(s, admin, training.SessionForm(
            dt.date(2026, 3, 1), "上半年集中培训", centralized=True),
            [training.Attendance(hazard_data.project, 12, 180)])
        training.record_session(s, admin, training.SessionForm(TODAY, "班前教育"),
                                [training.Attendance(hazard_data.project, 1, 30)])
    page.reload()
    assert [r.topic for r in rows(page.sessions)] == ["班前教育"]  # the current half-year
    page.half.setCurrentIndex(0)  # every period
    assert [r.topic for r in rows(page.sessions)] == ["班前教育", "上半年集中培训"]
    page.centralized.setChecked(True)
    assert [r.topic for r in rows(page.sessions)] == ["上半年集中培训"]
    page.centralized.setChecked(False)
    page.search.setText("班前")
    qtbot.waitUntil(lambda: page.sessions.rowCount() == 1)
    assert "当前" not in page.half_caption.text() and "2026年下半年" in page.half_caption.text()
    page.tabs.setCurrentIndex(1)
    page.half_table.selectRow(0)

    def plan(dialog: PlanDialog) -> bool:
        assert not dialog.sessions.isEnabled()
        dialog.basis.setCurrentIndex(dialog.basis.findData("contract"))
        assert dialog.sessions.isEnabled()
        dialog.sessions.setValue(3)
        return accepted(dialog)

    dialog_log.on_run = plan
    page.findChild(type(page.new_button), "editPlan").click()
    status = rows(page.halves)[0].status
    assert status.basis == "contract" and status.required_sessions == 3 and not status.frequency_met
    assert cell(page.halves, 0, HalfColumn.SESSIONS) == "1 / 3"


def test_a_drill_recorded_evaluated_and_printed(qtbot, page, hazard_data, dialog_log, monkeypatch,
                                                db, qtmodeltester):
    def assist(dialog: AssistDialog) -> bool:
        dialog.project.setCurrentIndex(dialog.project.findData(hazard_data.project))
        dialog.title_field.setText("生产安全事故综合应急预案")
        return accepted(dialog)

    dialog_log.on_run = assist
    page.findChild(type(page.new_button), "newAssist").click()
    assert [r.title for r in rows(page.assists)] == ["生产安全事故综合应急预案"]
    qtmodeltester.check(page.assists)

    def drill(dialog: DrillDialog) -> bool:
        dialog.scenario.setText("塔吊倾覆应急救援")
        dialog.participants.setValue(45)
        dialog.observations.setPlainText("8:30 发出警报，8:34 完成疏散。")
        return accepted(dialog)

    dialog_log.on_run = drill
    page.findChild(type(page.new_button), "newDrill").click()
    assert cell(page.drills, 0, DrillColumn.EVALUATED) == "待评估"
    page.tabs.setCurrentIndex(3)
    page.drill_table.selectRow(0)

    def evaluate(dialog: EvaluateDrillDialog) -> bool:
        dialog.show()
        dialog.accept()
        refused = {k for k, label in dialog.field_errors.items() if label.text()}
        assert refused == {"evaluation", "rating"}
        dialog.evaluation.setPlainText("响应及时，疏散有序。")
        dialog.findings.setPlainText("警戒区设置偏晚")
        dialog.rating.setCurrentIndex(dialog.rating.findData("良"))
        shot(dialog, "training-drill-evaluation")
        return accepted(dialog)

    dialog_log.on_run = evaluate
    qtbot.keyClick(page.drill_table, Qt.Key.Key_Return)
    shown = [cell(page.drills, 0, c) for c in (DrillColumn.EVALUATED, DrillColumn.RATING)]
    assert shown == ["已评估", "良"]
    qtmodeltester.check(page.drills)
    shot(page, "training-drills")

    page.drill_table.selectRow(0)
    with qtbot.waitSignal(page.state.changed, timeout=10_000):
        page.findChild(type(page.new_button), "printDrill").click()
    qtbot.waitUntil(lambda: bool(dialog_log.viewers), timeout=5000)
    assert dialog_log.kinds()[-1] == "ask" and "应急演练记录及评估报告" in dialog_log.texts("ask")[-1]
    viewer = dialog_log.viewers[0]
    qtbot.addWidget(viewer)
    assert viewer.page_count >= 1 and "应急演练记录及评估报告" in viewer.windowTitle()
    with db.read() as s:
        assert [d.kind for d in documents.register(s)] == ["drill_record"]


def test_a_drill_shown_from_elsewhere_and_layout_remembered(qtbot, page, hazard_data, db, admin,
                                                           tmp_path):
    with db.session() as s:
        drill = training.record_drill(s, admin, training.DrillForm(
            hazard_data.project, TODAY, "火灾"))
    page.show_drill(drill.id)
    assert page.tabs.currentIndex() == 3 and page.project.currentData() == hazard_data.project
    assert page.drill_table.currentIndex().row() == 0
    settings = QSettings(str(tmp_path / "layout.ini"), QSettings.Format.IniFormat)
    page.drill_table.setColumnWidth(DrillColumn.SCENARIO, 333)
    page.save_state(settings)
    again = TrainingPage(page.state)
    qtbot.addWidget(again)
    again.restore_state(settings)
    assert again.tabs.currentIndex() == 3
    assert again.drill_table.columnWidth(DrillColumn.SCENARIO) == 333


def test_a_reviewer_reads_but_records_nothing(qtbot, state, users, hazard_data):
    state.set_actor(users["reviewer"])
    page = TrainingPage(state)
    qtbot.addWidget(page)
    assert not page.new_button.isEnabled()
    assert not page.findChild(type(page.new_button), "evaluateDrill").isEnabled()


def test_a_roster_typed_and_imported_in_the_session_dialog(qtbot, page, hazard_data, db, dialog_log,
                                                         monkeypatch, tmp_path):
    from openpyxl import Workbook

    from desktop.services.training_people import id_check_digit
    from desktop.ui import roster_editor

    first = "33060219850101002"
    full_id = first + id_check_digit(first)
    book = Workbook()
    book.active.append(["姓名", "类别", "电话", "身份证号"])
    book.active.append(["李四", "作业人员", "13800000002", full_id])
    book.active.append(["王五", "管理人员", None, None])
    good = tmp_path / "签到表.xlsx"
    book.save(good)
    bad = Workbook()
    bad.active.append(["姓名", "身份证号"])
    bad.active.append(["赵六", 330602198501010021])
    bad_path = tmp_path / "bad.xlsx"
    bad.save(bad_path)
    picked = [str(bad_path), str(good)]
    monkeypatch.setattr(roster_editor, "choose_sheet", lambda _parent: picked.pop(0))

    def fill(dialog: SessionDialog) -> bool:
        dialog.show()
        dialog.topic.setText("脚手架安全培训")
        dialog.content.setPlainText("连墙件设置与拆除顺序")
        roster = dialog.roster
        assert roster.project.currentData() == hazard_data.project
        row = roster.add_person()
        roster.table.item(row, roster_editor.NAME).setText("张三")
        roster.table.cellWidget(row, roster_editor.GROUP).setCurrentIndex(0)  # 管理人员
        roster.import_button.click()  # the ID typed as a number: refused, nothing added
        assert roster.table.rowCount() == 1
        roster.import_button.click()
        assert roster.table.rowCount() == 3
        masked = roster.table.item(1, roster_editor.ID_NUMBER).text()
        assert masked == full_id[:4] + "*" * 10 + full_id[-4:]
        assert roster.count.text() == "名单：管理人员 2 人，作业人员 1 人"
        _combo, managers, workers, _heads, _existing = dialog.attendance.rows[0]
        assert (managers.value(), workers.value()) == (2, 1) and not managers.isEnabled()
        extra = roster.add_person()
        roster.table.item(extra, roster_editor.NAME).setText("多余")
        roster.table.selectRow(extra)
        roster.remove_button.click()
        assert roster.table.rowCount() == 3
        return accepted(dialog)

    dialog_log.on_run = fill
    page.new_button.click()
    warned = dialog_log.texts("warn")
    assert warned and "请将该列设为文本后重新导出" in warned[0]
    session = rows(page.sessions)[0]
    assert (session.managers, session.workers) == (2, 1)
    with db.read() as s:
        saved = training.get_session(s, session.id)
    assert saved.content == "连墙件设置与拆除顺序"
    assert [(a.name, a.group, a.id_number) for a in saved.attendees] == [
        ("张三", "manager", ""), ("王五", "manager", ""), ("李四", "worker", full_id)]


def test_emergency_plan_help_follows_the_period(qtbot, page, hazard_data, db, admin):
    with db.session() as s:
        training.record_assist(s, admin, hazard_data.project, kind="draft_provided",
                               date=dt.date(2025, 12, 18), title="去年的综合应急预案")
        training.record_assist(s, admin, hazard_data.project, kind="draft_provided",
                               date=TODAY, title="本期的专项应急预案")
    page.reload()
    page.tabs.setCurrentIndex(page.TABS.index("assists"))
    assert [r.title for r in rows(page.assists)] == ["本期的专项应急预案"]  # the current half-year
    assert page.count_label.text() == "共 1 条协助记录"
    page.half.setCurrentIndex(0)  # every period
    assert [r.title for r in rows(page.assists)] == ["本期的专项应急预案", "去年的综合应急预案"]
    assert page.count_label.text() == "共 2 条协助记录"


def test_the_half_year_headers_are_not_cut(page):
    header = page.half_table.horizontalHeader()
    for column in (HalfColumn.MANAGERS, HalfColumn.WORKERS, HalfColumn.SESSIONS):
        title = page.halves.headerData(column, Qt.Orientation.Horizontal)
        assert header.sectionSize(column) > header.fontMetrics().horizontalAdvance(title)
