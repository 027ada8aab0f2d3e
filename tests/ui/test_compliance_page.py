"""The compliance page: the checklist evaluated on a worker from the fixtures' data, grouped by
section in its colours; gaps open their records; manual answers; the checklist exported."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QPushButton

from desktop.services import documents, training
from desktop.services.context import now
from desktop.ui import training_dialogs as forms
from desktop.ui.checklist_models import STATUS_COLOURS
from desktop.ui.lazy_model import ROW_ROLE
from desktop.ui.main_window import MainWindow
from desktop.ui.pages.compliance_page import CompliancePage, ManualAnswerDialog

from .shots import shots_dir

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = now().date()
CLOCK_DAYS = ("TODAY",)  # set again before each test (conftest): a run may cross midnight


@pytest.fixture
def data(db, admin, hazard_data):
    """The fixtures' project and its hazards, a session half its people attended, a drill not
    evaluated."""
    with db.session() as s:
        training.record_session(s, admin, training.SessionForm(
            TODAY - dt.timedelta(days=3), "高处作业安全培训", ("高处坠落",), centralized=True),
            [training.Attendance(hazard_data.project, 6, 90)])
        drill = training.record_drill(s, admin, training.DrillForm(
            hazard_data.project, TODAY - dt.timedelta(days=20), "塔吊倾覆应急救援", participants=40))
    return hazard_data, drill.id


def evaluated(qtbot, page, before=None):  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: page.result is not None and page.result is not before, timeout=20_000)
    return page.result


@pytest.fixture
def page(qtbot, state, data):
    page = CompliancePage(state)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    page.activate()
    evaluated(qtbot, page)
    return page


def select_item(page, item_id: str) -> None:  # type: ignore[no-untyped-def]
    page.tree.setFocus()
    page.tree.setCurrentIndex(page.tree_model.index_of(item_id))


def gap_rows(page):  # type: ignore[no-untyped-def]
    return [page.gaps.data(page.gaps.index(r, 0), ROW_ROLE) for r in range(page.gaps.rowCount())]


def test_the_checklist_by_section_in_its_colours(qtbot, page, data, qtmodeltester):
    result = page.result
    assert result.period.label == f"{TODAY.year}Q{(TODAY.month - 1) // 3 + 1}"
    assert result.scope_type == "agency"
    assert page.tree_model.rowCount() == 5
    assert page.tree_model.data(page.tree_model.index(0, 0)).startswith("组织管理情况")
    items = sum(page.tree_model.rowCount(page.tree_model.index(s, 0)) for s in range(5))
    assert items == len(result.items)
    qtmodeltester.check(page.tree_model)
    qtmodeltester.check(page.gaps)
    expected = {"C-6a": "not_met", "C-1a": "manual", "C-4a": "met", "C-2a": "not_met",
                "C-5b": "not_met", "C-2c": "not_applicable"}
    for item_id, status in expected.items():
        assert result.get(item_id).status == status, item_id
        index = page.tree_model.index_of(item_id).siblingAtColumn(2)
        colour = page.tree_model.data(index, Qt.ItemDataRole.ForegroundRole)
        assert colour.name() == STATUS_COLOURS[status]
    # the half-year is not over: coverage short of the headcount is listed, not yet failed
    assert result.get("C-4b").status == "not_due" and not result.get("C-4b").gaps[0].due
    assert "不符合" in page.summary.text() and "1 个项目" in page.summary.text()
    everything = page.gaps.rowCount()
    select_item(page, "C-6a")
    assert {g.item_id for g in gap_rows(page)} == {"C-6a"} and page.gaps.rowCount() < everything
    assert "一级隐患" in page.detail.text() or "C-6a" in page.detail.text()
    select_item(page, "C-2f")
    page.late_only.setChecked(True)
    assert all(g.gap.due for g in gap_rows(page))
    page.late_only.setChecked(False)
    QApplication.processEvents()
    page.tree.setCurrentIndex(page.tree_model.index_of("C-6a"))
    assert page.grab().save(str(shots_dir() / "compliance-checklist.png"))


def test_a_gap_double_clicked_asks_for_its_record(qtbot, page):
    select_item(page, "C-6a")
    row = next(n for n, g in enumerate(gap_rows(page)) if g.gap.ref_type == "hazards")
    rect = page.gap_table.visualRect(page.gaps.index(row, 2))
    # QTest's double click carries no press of its own; a real one follows the first click
    qtbot.mouseClick(page.gap_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(page.navigate, timeout=2000) as blocker:
        qtbot.mouseDClick(page.gap_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == ["hazards"]


def test_gaps_open_their_records_in_the_window(qtbot, state, data, agency_profile):
    hazard_ids, drill_id = data
    window = MainWindow(state)
    qtbot.addWidget(window)
    window.show()
    window.show_page("compliance")
    page = window.current_page()
    evaluated(qtbot, page)

    def open_first(item_id: str, **match: object) -> None:
        window.show_page("compliance")
        select_item(page, item_id)
        line = next(g for g in gap_rows(page)
                    if all(getattr(g.gap, k) == v for k, v in match.items()))
        page.open_gap(line)

    open_first("C-6a", ref_type="hazards")
    assert window.current_page().key == "hazards"
    hazards = window.page("hazards")
    assert hazards.shown is not None and len(hazards.shown[0]) == 1
    assert hazards.model.rowCount() == 1
    open_first("C-5b", ref_type="drills")
    training_page = window.page("training")
    assert window.current_page() is training_page and training_page.tabs.currentIndex() == 3
    row = training_page.drills.row_of(drill_id)
    assert row >= 0 and training_page.drill_table.currentIndex().row() == row
    open_first("C-4b")
    assert training_page.tabs.currentIndex() == 1 and training_page.project_id == hazard_ids.project
    open_first("C-2a")
    assert window.current_page().key == "projects"
    assert window.page("projects").open_project_id == hazard_ids.project


def test_a_manual_item_answered_with_its_file(qtbot, page, dialog_log, monkeypatch, tmp_path):
    select_item(page, "C-2a")
    assert not page.answer_button.isEnabled()  # computed from the data
    select_item(page, "C-1a")
    assert page.answer_button.isEnabled()
    rules = tmp_path / "安全生产管理制度汇编.pdf"
    rules.write_bytes(PDF)
    monkeypatch.setattr(forms, "choose_open_file", lambda *_a: str(rules))

    def answer(dialog: ManualAnswerDialog) -> bool:
        dialog.show()
        dialog.answer.setCurrentIndex(dialog.answer.findData("met"))
        dialog.accept()  # no reason given
        assert dialog.field_errors["note"].text()
        dialog.note.setPlainText("《安全生产管理制度汇编》2026 版已印发")
        dialog.browse.click()
        QApplication.processEvents()
        assert dialog.grab().save(str(shots_dir() / "compliance-manual-answer.png"))
        dialog.accept()
        return dialog.result() == QDialog.DialogCode.Accepted

    dialog_log.on_run = answer
    before = page.result
    qtbot.keyClick(page.tree, Qt.Key.Key_Return)
    result = evaluated(qtbot, page, before)
    assert result.get("C-1a").status == "met"
    assert "安全生产管理制度汇编.pdf" in result.get("C-1a").note
    assert "系统管理员甲" in page.detail.text()


def test_periods_and_scopes(qtbot, page, data):
    hazard_ids = data[0]
    offered = set()
    for kind in ("quarter", "half", "year", "month"):
        page.kind.setCurrentIndex(page.kind.findData(kind))
        offered |= {page.period.itemData(i) for i in range(page.period.count())}
    assert {"2026Q3", "2026H1", "2026", "2026-03"} <= offered
    for scope_type, scope_id in (("project", hazard_ids.project), ("insurer", hazard_ids.insurer),
                                 ("authority", hazard_ids.authority)):
        before = page.result
        page.choose("2026H1", scope_type, scope_id)
        page.evaluate()
        result = evaluated(qtbot, page, before)
        chosen = (result.period.label, result.scope_type, result.scope_id)
        assert chosen == ("2026H1", scope_type, scope_id)
        assert result.project_ids == (hazard_ids.project,)


def test_exported_as_pdf_and_xlsx_and_drafted(qtbot, page, dialog_log, monkeypatch, tmp_path, db):
    for fmt in ("pdf", "xlsx"):
        target = tmp_path / f"自查.{fmt}"
        monkeypatch.setattr(forms, "choose_save_file", lambda *_a, t=target: str(t.with_suffix("")))
        page.findChild(QPushButton, "exportPdf" if fmt == "pdf" else "exportXlsx").click()
        qtbot.waitUntil(lambda t=target: t.exists() and bool(dialog_log.texts("inform")),
                        timeout=20_000)
        dialog_log.calls.clear()
    assert (tmp_path / "自查.pdf").read_bytes().startswith(b"%PDF")
    assert load_workbook(tmp_path / "自查.xlsx").active.cell(1, 1).value == "序号"
    dialog_log.answer = False
    before = page.result
    with qtbot.waitSignal(page.state.changed, timeout=20_000):
        page.findChild(QPushButton, "draftSelfCheck").click()
    evaluated(qtbot, page, before)  # a new document may change C-7a: the page checks again
    with db.read() as s:
        drafted = [(d.kind, d.period) for d in documents.register(s)]
    assert drafted == [("self_check", page.result.period.label)]


def test_items_are_named_as_the_checklist_numbers_them_never_by_our_ids(qtbot, page):
    """序号6第1点 in the tree, the gap list, its caption, the detail and the manual dialog; C-6a nowhere."""
    import re

    ours = re.compile(r"\bC-\d")
    model = page.tree_model
    shown = [model.data(model.index(i, 0, model.index(s, 0)))
             for s in range(model.rowCount()) for i in range(model.rowCount(model.index(s, 0)))]
    assert "序号6第1点" in shown and "序号2第6点" in shown
    assert not [t for t in shown if ours.search(t)]
    select_item(page, "C-6a")
    assert page.gaps.rowCount() > 0
    assert {page.gaps.data(page.gaps.index(r, 0)) for r in range(page.gaps.rowCount())} == {"序号6第1点"}
    assert "序号6第1点" in page.gap_caption.text() and "序号6第1点" in page.detail.text()
    assert not ours.search(page.gap_caption.text()) and not ours.search(page.detail.text())
    metrics = page.tree.fontMetrics()
    assert page.tree.columnWidth(0) > metrics.horizontalAdvance("序号6第1点") + page.tree.indentation()
    dialog = ManualAnswerDialog(page.state, page.result.get("C-1a"), period=page.result.period.label,
                                scope_type="agency", scope_id=None)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "人工填写：序号1第1点"


def test_the_frame_shows_at_once_and_fills_when_the_self_check_ends(qtbot, state, data):
    """The self-check runs on a worker: the page is shown with its placeholder and can be used
    (its tabs switched) before the checklist comes back, then fills."""
    page = CompliancePage(state)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    page.activate()
    assert page.result is None and page.tree_model.rowCount() == 0
    assert page.summary.text() == "正在逐项自查…" and page.isVisible()
    assert not page.export_buttons[0].isEnabled()  # nothing to export yet
    page.show_complaints()
    assert page.quality_tabs.currentWidget() is page.complaints
    result = evaluated(qtbot, page)
    assert page.tree_model.rowCount() > 0 and "符合" in page.summary.text()
    assert result.counts["met"] + result.counts["not_met"] > 0
def test_the_gap_caption_waits_for_the_result(qtbot, state, data):
    page = CompliancePage(state)
    qtbot.addWidget(page)
    page.show()
    page.activate()  # the checklist is filled in on a worker: its answer comes through the loop
    assert page.result is None
    assert "正在自查" in page.gap_caption.text() and "0 项" not in page.gap_caption.text()
    evaluated(qtbot, page)
    assert "全部条目：" in page.gap_caption.text()
