"""The documents page: the register, a periodic draft generated, 签发 by the technical lead only,
the PDF previewed with QtPdf, submissions logged, corrections, the file opened, layout remembered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication, QDialog

from desktop.services import documents
from desktop.ui import document_preview
from desktop.ui.lazy_model import ROW_ROLE
from desktop.ui.pages.documents_page import DocColumn, DocumentsPage, SubmissionColumn

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
NUMBER = re.compile(r"〔\d{4}〕\d{4}号$")
SLOW = 30_000


def shot(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    QApplication.processEvents()
    SHOTS.mkdir(exist_ok=True)
    assert widget.grab().save(str(SHOTS / f"{name}.png"))


@pytest.fixture
def page(qtbot, state, hazard_data):
    page = DocumentsPage(state)
    qtbot.addWidget(page)
    page.resize(1400, 800)
    page.show()
    page.activate()
    return page


def cell(page, row: int, column: int) -> str:  # type: ignore[no-untyped-def]
    return page.model.data(page.model.index(row, column))


def accepted(dialog: QDialog) -> bool:
    dialog.accept()
    return dialog.result() == QDialog.DialogCode.Accepted


def draft(qtbot, page, dialog_log, kind: str = "safety_analysis") -> None:  # type: ignore[no-untyped-def]
    def choose(dialog):  # type: ignore[no-untyped-def]
        dialog.kind.setCurrentIndex(dialog.kind.findData(kind))
        return accepted(dialog)

    dialog_log.on_run = choose
    with qtbot.waitSignal(page.state.changed, timeout=SLOW):
        assert page.generate_draft() is not None
    qtbot.waitUntil(lambda: page.selected() is not None and page.selected().kind == kind,
                    timeout=SLOW)


def sign(qtbot, page, dialog_log) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(page.state.changed, timeout=SLOW):
        assert page.sign_document() is not None
    qtbot.waitUntil(lambda: "inform" in dialog_log.kinds(), timeout=SLOW)


def test_a_draft_generated_from_the_page_appears_and_is_previewed(qtbot, page, dialog_log,
                                                                   qtmodeltester):
    assert page.model.rowCount() == 0 and page.preview.path is None
    assert page.draft_button.isEnabled() and not page.sign_button.isEnabled()
    draft(qtbot, page, dialog_log)
    assert page.model.rowCount() == 1
    qtmodeltester.check(page.model)
    row = page.selected()
    assert row.status == "draft" and row.scope_type == "agency" and row.period
    assert cell(page, 0, DocColumn.NUMBER) == "（签发时编号）"
    assert cell(page, 0, DocColumn.STATUS) == "草稿"
    assert cell(page, 0, DocColumn.SCOPE) == "本机构"
    assert cell(page, 0, DocColumn.KIND) == "安全生产分析报告"
    assert page.preview.document.status() == QPdfDocument.Status.Ready
    assert page.preview.document.pageCount() >= 1
    assert page.preview.stack.currentWidget() is page.preview.view
    assert not page.sign_button.isEnabled() and page.discard_button.isEnabled()  # admin: no 签发
    assert not page.submit_button.isEnabled() and not page.correct_button.isEnabled()


def test_a_bad_period_is_refused_in_the_draft_dialog(qtbot, page, dialog_log):
    def bad(dialog):  # type: ignore[no-untyped-def]
        dialog.period.setText("2026Q9")
        dialog.accept()
        assert dialog.error.isVisibleTo(dialog) and "期间格式无效" in dialog.error.text()
        return False

    dialog_log.on_run = bad
    assert page.generate_draft() is None


def test_signing_is_refused_to_a_clerk_and_done_by_the_technical_lead(qtbot, page, state, users,
                                                                     dialog_log):
    draft(qtbot, page, dialog_log)
    state.set_actor(users["clerk"])
    assert not page.sign_button.isEnabled() and page.draft_button.isEnabled()
    page.sign_document()  # the button is off; the service is the judge all the same
    qtbot.waitUntil(lambda: "warn" in dialog_log.kinds(), timeout=SLOW)
    assert "无权签发文书" in dialog_log.texts("warn")[-1]
    assert page.selected().status == "draft"

    state.set_actor(users["tech_lead"])
    assert page.sign_button.isEnabled()
    sign(qtbot, page, dialog_log)
    assert dialog_log.kinds()[-2:] == ["ask", "inform"]
    row = page.selected()
    assert row.status == "signed" and NUMBER.search(row.display_number)
    assert cell(page, 0, DocColumn.STATUS) == "已签发"
    assert cell(page, 0, DocColumn.NUMBER) == row.display_number
    assert cell(page, 0, DocColumn.SIGNER) == users["tech_lead"].display_name
    assert row.display_number in dialog_log.texts("inform")[-1]
    assert page.preview.document.status() == QPdfDocument.Status.Ready
    assert not page.sign_button.isEnabled() and page.correct_button.isEnabled()
    assert page.submit_button.isEnabled() and not page.discard_button.isEnabled()


def test_a_submission_recorded_appears_in_the_log(qtbot, page, state, users, dialog_log,
                                                  qtmodeltester):
    state.set_actor(users["tech_lead"])
    draft(qtbot, page, dialog_log)
    sign(qtbot, page, dialog_log)

    def fill(dialog):  # type: ignore[no-untyped-def]
        dialog.recipient.setCurrentIndex(dialog.recipient.findData("insurer"))
        assert dialog.org.count() >= 2  # automatic, then the insurers on file
        dialog.org.setCurrentIndex(1)
        dialog.channel.setCurrentText("电子邮件")
        dialog.note.setText("季度报告")
        return accepted(dialog)

    dialog_log.on_run = fill
    with qtbot.waitSignal(state.changed):
        assert page.record_submission()
    assert page.submissions.rowCount() == 1
    qtmodeltester.check(page.submissions)
    log = page.submissions.row_at(0)
    assert log.recipient == "insurer" and log.channel == "电子邮件" and log.recipient_org
    assert page.submissions.data(page.submissions.index(0, SubmissionColumn.RECIPIENT)) == "承保机构"
    assert cell(page, 0, DocColumn.SUBMISSIONS) == "1"
    qtbot.wait(800)  # QPdfView renders its pages on a worker
    shot(page, "documents")


def test_a_correction_is_a_new_revision_and_filters_narrow_the_register(qtbot, page, state, users,
                                                                       dialog_log):
    state.set_actor(users["tech_lead"])
    draft(qtbot, page, dialog_log)
    sign(qtbot, page, dialog_log)
    signed = page.selected()

    def reason(dialog):  # type: ignore[no-untyped-def]
        dialog.accept()
        assert "请填写更正原因" in dialog.error.text()  # empty: the dialog stays open
        dialog.reason.setPlainText("第三节数据有误")
        return accepted(dialog)

    dialog_log.on_run = reason
    with qtbot.waitSignal(state.changed, timeout=SLOW):
        assert page.correct_document() is not None
    qtbot.waitUntil(lambda: page.selected() is not None and page.selected().revision == 2,
                    timeout=SLOW)
    assert page.model.rowCount() == 2
    assert page.selected().status == "draft" and "第三节数据有误" in page.detail.text()

    page.status.setCurrentIndex(page.status.findData("signed"))
    assert [r.id for r in page.model.rows()] == [signed.id]
    page.status.setCurrentIndex(0)
    page.period.setText("1999")
    page.period.editingFinished.emit()
    assert page.model.rowCount() == 0
    page.period.setText("2026Q9")
    page.period.editingFinished.emit()
    assert "期间格式无效" in page.error.text()


def test_opening_the_file_and_a_missing_file_said_in_the_preview(qtbot, page, state, dialog_log,
                                                                monkeypatch):
    opened: list[Path] = []
    monkeypatch.setattr(document_preview, "open_file", lambda path: opened.append(path) or True)
    draft(qtbot, page, dialog_log)
    assert page.open_document()
    assert opened[0].suffix == ".pdf" and opened[0].read_bytes().startswith(b"%PDF")
    assert "安全生产分析报告" in opened[0].name

    row = page.selected()
    stored = documents.file_path(state.config.attachments_dir, row)
    stored.chmod(0o600)
    stored.unlink()
    page.table.clearSelection()
    page.table.setCurrentIndex(page.model.index(-1, -1))
    page.select(row.id)
    assert page.preview.stack.currentWidget() is page.preview.message
    assert "无法预览该文书" in page.preview.message.text()
    assert "文件缺失" in page.preview.message.text()
    assert not page.open_document() and "文件缺失" in dialog_log.texts("warn")[-1]
    assert len(opened) == 1


def test_the_column_layout_is_remembered(qtbot, state, hazard_data, tmp_path):
    first = DocumentsPage(state)
    qtbot.addWidget(first)
    first.table.setColumnWidth(DocColumn.TITLE, 333)
    first.table.horizontalHeader().moveSection(DocColumn.STATUS, 0)
    settings = QSettings(str(tmp_path / "layout.ini"), QSettings.Format.IniFormat)
    first.save_state(settings)
    settings.sync()

    second = DocumentsPage(state)
    qtbot.addWidget(second)
    second.restore_state(QSettings(str(tmp_path / "layout.ini"), QSettings.Format.IniFormat))
    assert second.table.columnWidth(DocColumn.TITLE) == 333
    assert second.table.horizontalHeader().visualIndex(DocColumn.STATUS) == 0
    assert second.model.data(second.model.index(0, 0), ROW_ROLE) is None
