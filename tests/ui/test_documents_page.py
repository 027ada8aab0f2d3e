"""The documents page: the register, a periodic draft generated, 签发 by the technical lead only,
the PDF previewed with QtPdf, submissions logged, corrections, the file opened, layout remembered."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QDialog

from desktop.models import Project
from desktop.services import documents, hazards, organisations, projects
from desktop.services.context import now
from desktop.ui.lazy_model import ROW_ROLE
from desktop.ui.pages.documents_page import DocColumn, DocumentsPage, SubmissionColumn

from .keyboard import replace_text
from .shots import shots_dir

NUMBER = re.compile(r"〔\d{4}〕[1-9]\d*号$")  # no zero padding
SLOW = 30_000
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


def shot(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    QApplication.processEvents()
    assert widget.grab().save(str(shots_dir() / f"{name}.png"))


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
    draft(qtbot, page, dialog_log)  # compiled by one person, reviewed and signed by another
    state.set_actor(users["tech_lead"])
    sign(qtbot, page, dialog_log)

    def fill(dialog):  # type: ignore[no-untyped-def]
        dialog.recipient.setCurrentIndex(dialog.recipient.findData("insurer"))
        assert dialog.org.count() >= 2  # automatic, then the insurers on file
        dialog.org.setCurrentIndex(1)
        dialog.channel.setCurrentText("电子邮件")
        dialog.note.setText("季度报告")
        replace_text(dialog.moment.date_field.edit, "2026-02-30")  # no such day: refused beside
        assert not accepted(dialog) and "无法识别" in dialog.error.text()
        today = now().date()
        replace_text(dialog.moment.date_field.edit, f"{today.year}年{today.month}月{today.day}日")
        return accepted(dialog)

    dialog_log.on_run = fill
    with qtbot.waitSignal(state.changed):
        assert page.record_submission()
    assert page.submissions.rowCount() == 1
    qtmodeltester.check(page.submissions)
    log = page.submissions.row_at(0)
    assert log.recipient == "insurer" and log.channel == "电子邮件" and log.recipient_org
    assert log.submitted_at.date() == now().date()
    assert page.submissions.data(page.submissions.index(0, SubmissionColumn.RECIPIENT)) == "承保机构"
    assert cell(page, 0, DocColumn.SUBMISSIONS) == "1"
    qtbot.wait(800)  # QPdfView renders its pages on a worker
    shot(page, "documents")


def test_a_correction_is_a_new_revision_and_filters_narrow_the_register(qtbot, page, state, users,
                                                                       dialog_log):
    draft(qtbot, page, dialog_log)  # compiled by one person, reviewed and signed by another
    state.set_actor(users["tech_lead"])
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
                                                                tmp_path):
    draft(qtbot, page, dialog_log)
    assert page.open_document()  # in the app's own viewer, not the system's
    viewer = dialog_log.viewers[-1]
    qtbot.addWidget(viewer)
    assert viewer.page_count >= 1 and "安全生产分析报告" in viewer.windowTitle()
    assert viewer.windowTitle().startswith("草稿")

    printed = tmp_path / "printed.pdf"

    def print_to_file(dialog):
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(printed))
        return True

    dialog_log.on_run = print_to_file
    assert page.print_button.isEnabled()
    assert page.print_document() == viewer.page_count
    assert printed.read_bytes().startswith(b"%PDF")
    dialog_log.on_run = None

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
    assert not page.print_document()
    assert len(dialog_log.viewers) == 1


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


# -- periodic documents for one project, one insurer, one authority -------------------------------

OTHER_INSURER = "中国太平洋财产保险股份有限公司绍兴中心支公司"


@pytest.fixture
def second_project(db, admin, hazard_data):
    """Another project, also insured by a second insurer, with one hazard of its own."""
    from tests.factories import make_project

    with db.session() as session:
        ids = make_project(session, admin, name="诸暨市某商业综合体项目", district="诸暨市")
        insurer = organisations.ensure(session, admin, kind="insurer", name=OTHER_INSURER)
        projects.add_policy(session, admin, ids.project, projects.PolicyForm(
            policy_no="CPIC-AZX-2026-00077", insurer_id=insurer.id,
            start_date=dt.date(2026, 1, 1), end_date=dt.date(2027, 12, 31), premium="80000",
            prevention_fee="16000"))
        hazard = hazards.record(session, admin, hazards.HazardForm(
            project_id=ids.project, description="地下室顶板堆放钢筋超载", level=3,
            location="地下室顶板", measures="立即清运并复查", stop_work="none",
            found_at=now() - dt.timedelta(days=2)))
    return ids, insurer.id, hazard.number


def project_name(db, project_id: int) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    with db.read() as session:
        project = session.get(Project, project_id)
        return project.code, project.name


def pdf_text(state, row) -> str:  # type: ignore[no-untyped-def]
    path = documents.file_path(state.config.attachments_dir, row)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-raw", str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    return "".join(out.split())


def type_into(qtbot, edit, text: str) -> None:  # type: ignore[no-untyped-def]
    """Typing: real key events for ASCII; QTest has no key for a Chinese character (it
    asserts), so those arrive as an input method would deliver them: text plus textEdited."""
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insert(text)
        edit.textEdited.emit(edit.text())


def draft_for(qtbot, page, dialog_log, *,  # type: ignore[no-untyped-def]
              scope_type: str, typed: str, scope_id: int, kind: str = "hazard_list",
              screenshot: str = "") -> None:
    """Draft through the dialog: a scope needing a record is refused until one is chosen."""
    def choose(dialog):  # type: ignore[no-untyped-def]
        dialog.kind.setCurrentIndex(dialog.kind.findData(kind))
        dialog.scope.setCurrentIndex(dialog.scope.findData(scope_type))
        assert dialog.target_box.isVisibleTo(dialog)
        assert dialog.matches.count() >= 1  # listed before anything is typed
        dialog.accept()
        missing = {"project": "请选择项目", "insurer": "请选择承保机构",
                   "authority": "请选择建设主管部门"}[scope_type]
        assert dialog.error.isVisibleTo(dialog) and dialog.error.text() == missing
        assert dialog.result() != QDialog.DialogCode.Accepted
        type_into(qtbot, dialog.search, typed)  # typing narrows the list after a short pause
        qtbot.waitUntil(lambda: dialog.matches.count() == 1, timeout=SLOW)
        assert dialog.chosen().scope_id is None  # listed is not chosen
        dialog.search.returnPressed.emit()  # Enter: the single match is the one meant
        assert dialog.chosen().scope_id == scope_id
        dialog.matches.clearSelection()
        assert dialog.chosen().scope_id is None and dialog.choose(scope_id)
        assert dialog.chosen().scope_id == scope_id
        if screenshot:
            dialog.show()
            shot(dialog, screenshot)
        return accepted(dialog)

    dialog_log.on_run = choose
    with qtbot.waitSignal(page.state.changed, timeout=SLOW):
        assert page.generate_draft() is not None
    qtbot.waitUntil(lambda: page.selected() is not None and page.selected().kind == kind
                    and page.selected().scope_type == scope_type, timeout=SLOW)


@needs_poppler
def test_a_hazard_list_drafted_for_one_project_names_it_and_lists_only_its_hazards(
        qtbot, page, state, db, dialog_log, hazard_data, second_project):
    other, _insurer, other_hazard = second_project
    code, name = project_name(db, hazard_data.project)
    draft_for(qtbot, page, dialog_log, scope_type="project", typed=code,
              scope_id=hazard_data.project, screenshot="document-draft-scope")
    row = page.selected()
    assert (row.scope_type, row.scope_id, row.status) == ("project", hazard_data.project, "draft")
    assert cell(page, page.model.row_of(row.id), DocColumn.SCOPE) == "项目"
    assert name in row.title
    text = pdf_text(state, row)
    assert name in text and f"统计范围：{name}（{code}）" in text
    assert "隐患共8项" in text and other_hazard not in text


@needs_poppler
def test_a_hazard_list_drafted_for_an_insurer_names_it_and_lists_only_its_projects(
        qtbot, page, state, db, dialog_log, hazard_data, second_project):
    other, insurer_id, other_hazard = second_project
    _code, other_name = project_name(db, other.project)
    draft_for(qtbot, page, dialog_log, scope_type="insurer", typed="太平洋", scope_id=insurer_id)
    row = page.selected()
    assert (row.scope_type, row.scope_id) == ("insurer", insurer_id)
    assert cell(page, page.model.row_of(row.id), DocColumn.SCOPE) == "承保机构"
    assert OTHER_INSURER in row.title
    text = pdf_text(state, row)
    assert f"{OTHER_INSURER}承保项目" in text
    assert "隐患共1项" in text and other_hazard in text and other_name in text


def test_an_authority_scope_report_is_drafted_for_the_chosen_authority(
        qtbot, page, dialog_log, hazard_data, second_project):
    draft_for(qtbot, page, dialog_log, scope_type="authority", typed="越城",
              scope_id=hazard_data.authority, kind="safety_analysis")
    row = page.selected()
    assert (row.scope_type, row.scope_id) == ("authority", hazard_data.authority)
    assert "越城区住房和城乡建设局" in row.title
    assert cell(page, page.model.row_of(row.id), DocColumn.SCOPE) == "建设主管部门"


def test_the_scope_list_is_limited_and_says_when_there_are_more(qtbot, page, state, db, admin,
                                                                dialog_log, monkeypatch):
    from desktop.services.queries import scope_choices
    from tests.factories import make_project

    monkeypatch.setattr(scope_choices, "LIMIT", 3)
    with db.session() as session:
        for _ in range(4):
            make_project(session, admin, name="柯桥区某厂房项目")
    seen: list[tuple[int, str]] = []

    def look(dialog):  # type: ignore[no-untyped-def]
        dialog.scope.setCurrentIndex(dialog.scope.findData("project"))
        seen.append((dialog.matches.count(), dialog.more.text()))
        type_into(qtbot, dialog.search, "没有这个项目")
        qtbot.waitUntil(lambda: dialog.matches.count() == 0, timeout=SLOW)
        seen.append((dialog.matches.count(), dialog.more.text()))
        dialog.scope.setCurrentIndex(dialog.scope.findData("agency"))
        assert not dialog.target_box.isVisibleTo(dialog) and dialog.chosen().scope_id is None
        return False

    dialog_log.on_run = look
    assert page.generate_draft() is None
    assert seen[0][0] == 3 and "仅列出前 3 项" in seen[0][1]
    assert seen[1] == (0, "没有符合的记录")


def test_the_key_letter_is_drafted_from_the_page_and_saved_with_its_key_file(
        qtbot, page, state, db, users, config, dialog_log, monkeypatch, tmp_path):
    from desktop.services import signing
    from desktop.ui import dialogs

    with db.session() as s:
        key = signing.setup_key(s, data_dir=config.data_dir, actor=users["admin"])
    assert page.key_letter_button.isEnabled() and not page.save_key_button.isEnabled()
    with qtbot.waitSignal(page.state.changed, timeout=SLOW):
        assert page.draft_key_letter() is not None
    qtbot.waitUntil(lambda: page.selected() is not None and page.selected().kind == "key_letter",
                    timeout=SLOW)
    state.set_actor(users["tech_lead"])
    sign(qtbot, page, dialog_log)
    assert page.selected().status == "signed" and page.save_key_button.isEnabled()
    assert cell(page, page.model.row_of(page.selected().id), DocColumn.KIND) == "公钥登记函"
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(dialogs, "choose_folder", lambda *_a: str(out))
    pdf, pem = page.save_key_letter()
    assert pdf.parent == out and pem.parent == out and pdf.read_bytes().startswith(b"%PDF-")
    assert pem.read_bytes() == signing.public_pem(key.public_key)
    assert "公钥文件" in dialog_log.texts("inform")[-1]
    if shutil.which("pdfsig"):  # signed with the data folder's key, as every signed document
        out = subprocess.run(["pdfsig", "-nocert", str(pdf)], capture_output=True, text=True).stdout
        assert "Signature is Valid." in out


def test_a_word_copy_exported_from_the_page(qtbot, page, dialog_log, tmp_path, monkeypatch):
    from desktop.ui.pages import documents_page
    from tests.docx_text import docx_lines

    assert not page.docx_button.isEnabled()  # nothing selected
    draft(qtbot, page, dialog_log)
    assert page.docx_button.isEnabled()
    asked: list[str] = []

    def choose(_parent, _title, suggested, _filters):  # type: ignore[no-untyped-def]
        asked.append(suggested)
        return str(tmp_path / "分析")  # the suffix is added
    monkeypatch.setattr(documents_page.file_dialogs, "save_file", choose)
    assert page.export_docx() is not None
    qtbot.waitUntil(lambda: "inform" in dialog_log.kinds(), timeout=SLOW)
    assert asked and asked[0].startswith("工作稿 ") and asked[0].endswith(".docx")
    lines = docx_lines(tmp_path / "分析.docx")
    assert "工作稿" in lines[0] and any("安全生产分析报告" in line for line in lines)


def test_a_whole_number_and_kind_fit_their_columns(page):
    """Every number of a series starts alike: cut to 安途风控方案〔2026〕… they could not be told apart."""
    metrics = page.table.fontMetrics()
    assert page.table.columnWidth(DocColumn.NUMBER) > metrics.horizontalAdvance("安途风控方案〔2026〕123号")
    assert page.table.columnWidth(DocColumn.KIND) > metrics.horizontalAdvance("停工（局部停工）建议书")
