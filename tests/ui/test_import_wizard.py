"""The import tab: a preview lists each problem by sheet/row/column; the import is all or none."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from desktop.models import Hazard
from desktop.services import projects
from desktop.ui import import_wizard
from desktop.ui.app_state import AppState
from desktop.ui.import_wizard import ImportWizard, ProblemColumn
from tests.factories import make_project
from tests.services.test_importer import hazard_book, hazard_rows


@pytest.fixture
def code(db, admin):
    with db.session() as session:
        ids = make_project(session, admin)
        return projects.load(session, ids.project).code


@pytest.fixture
def wizard(qtbot, state):
    widget = ImportWizard(state)
    qtbot.addWidget(widget)
    widget.set_kind("hazards")
    return widget


def hazard_count(db) -> int:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.execute(select(func.count()).select_from(Hazard)).scalar_one()


def preview(qtbot, wizard):  # type: ignore[no-untyped-def]
    wizard.preview_button.click()
    qtbot.waitUntil(lambda: wizard.report is not None and wizard.task is None, timeout=20_000)
    return wizard.report


def test_bad_row_is_shown_and_the_import_refused(qtbot, wizard, db, code, dialog_log, monkeypatch,
                                                 tmp_path, qtmodeltester):
    rows = hazard_rows(code)
    rows[3][6] = "五级"  # G7: no such level
    path = hazard_book(tmp_path / "bad.xlsx", code, rows)
    monkeypatch.setattr(import_wizard, "choose_open_file", lambda *_a: str(path))
    wizard.file_button.click()
    assert wizard.file_field.text() == str(path)
    report = preview(qtbot, wizard)
    qtmodeltester.check(wizard.problems)
    model = wizard.problems
    assert model.rowCount() == 1
    assert [model.data(model.index(0, c)) for c in
            (ProblemColumn.SHEET, ProblemColumn.ROW, ProblemColumn.COLUMN)] == ["隐患清单", "7", "G"]
    assert "问题 1 个" in wizard.summary.text()
    assert not wizard.commit_button.isEnabled() and not report.ok
    wizard.commit()  # forced anyway: the service refuses and nothing is written
    qtbot.waitUntil(lambda: dialog_log.calls != [], timeout=20_000)
    assert dialog_log.kinds() == ["warn"] and "未写入任何数据" in dialog_log.texts("warn")[0]
    assert hazard_count(db) == 0
    assert model.rowCount() == 1


def test_good_workbook_is_imported(qtbot, wizard, state, db, code, dialog_log, tmp_path):
    wizard.set_file(hazard_book(tmp_path / "good.xlsx", code))
    report = preview(qtbot, wizard)
    assert report.ok and report.new == 4 and hazard_count(db) == 0  # a preview writes nothing
    assert wizard.problems.rowCount() == 0
    assert wizard.commit_button.isEnabled()
    with qtbot.waitSignal(wizard.imported, timeout=20_000), qtbot.waitSignal(state.changed) as seen:
        wizard.commit_button.click()
    assert seen.args[0].hazards
    assert hazard_count(db) == 4
    assert dialog_log.kinds() == ["inform"] and "已导入 4 条" in dialog_log.texts("inform")[0]
    qtbot.waitUntil(lambda: wizard.task is None)
    assert not wizard.commit_button.isEnabled()  # the same preview cannot be imported twice


def test_a_file_that_is_not_a_workbook_is_told(qtbot, wizard, dialog_log, tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    wizard.set_file(path)
    wizard.preview_button.click()
    qtbot.waitUntil(lambda: dialog_log.calls != [], timeout=20_000)
    assert dialog_log.kinds() == ["warn"] and wizard.report is None


def test_roles_without_import_cannot_start(qtbot, db, users, config):
    widget = ImportWizard(AppState(db=db, config=config, actor=users["inspector"]))
    qtbot.addWidget(widget)
    assert not widget.file_button.isEnabled() and not widget.preview_button.isEnabled()


def test_hidden_sheets_are_offered_and_read_only_when_chosen(qtbot, wizard, db, code, tmp_path):
    from openpyxl import load_workbook

    path = hazard_book(tmp_path / "hidden.xlsx", code)
    wb = load_workbook(path)
    wb["隐患清单"].sheet_state = "hidden"
    extra = wb.create_sheet("本周")
    extra.append(["隐患编号", "项目编号", "发现日期", "隐患描述", "隐患等级", "整改措施"])
    extra.append(["W-1", code, "2026-08-06", "消防通道堵塞", 3, "清理通道"])
    wb.save(path)
    wizard.set_file(path)
    labels = [wizard.sheet.itemText(i) for i in range(wizard.sheet.count())]
    assert labels == ["自动选择（不读取隐藏的工作表）", "填表说明", "隐患清单（隐藏）", "本周"]
    assert "隐患清单" in wizard.sheet.toolTip()
    report = preview(qtbot, wizard)
    assert report.sheet == "本周" and report.new == 1
    assert "未读取隐藏的工作表：隐患清单" in wizard.summary.text()
    wizard.sheet.setCurrentIndex(2)
    assert wizard.report is None  # another sheet: the last preview no longer applies
    report = preview(qtbot, wizard)
    assert report.sheet == "隐患清单" and report.new == 4 and hazard_count(db) == 0


def test_hidden_rows_are_named_in_the_preview_and_after_the_import(qtbot, wizard, db, code, dialog_log,
                                                                   tmp_path):
    """Rows hidden in Excel (a filter, a group) are read like the others, and the wizard says
    which, as the command line's report does (review of #17)."""
    from openpyxl import load_workbook

    path = hazard_book(tmp_path / "rows.xlsx", code)
    wb = load_workbook(path)
    sheet = wb["隐患清单"]
    sheet.row_dimensions[5].hidden = True  # the second hazard (rows 1–3 are the title and header)
    wb.save(path)
    wizard.set_file(path)
    report = preview(qtbot, wizard)
    assert report.hidden_rows == (5,)
    assert "第 5 行在 Excel 中被隐藏，导入时会与其他行一并导入" in wizard.summary.text()
    with qtbot.waitSignal(wizard.imported, timeout=20_000):
        wizard.commit_button.click()
    qtbot.waitUntil(lambda: wizard.task is None)
    assert hazard_count(db) == 4 and "第 5 行在 Excel 中被隐藏，已一并导入" in wizard.summary.text()
