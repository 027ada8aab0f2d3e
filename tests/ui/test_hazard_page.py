"""The hazard page: a level-3 and a level-1 hazard, recorded through the dialog with photos,
taken through their whole lifecycle by the page's step dialogs; reports, timeline, letters."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from desktop.services import catalogues, documents, hazards
from desktop.ui import hazard_page as page_module
from desktop.ui.hazard_dialog import HazardDialog
from desktop.ui.hazard_page import HazardPage, show_hazard
from desktop.ui.lazy_model import ROW_ROLE

from .test_hazard_dialog import type_text
from .test_photo_strip import drop, file_urls, jpeg
from .test_screenshots import save


@pytest.fixture(autouse=True)
def _as_the_app_runs(tmp_path):
    from desktop.ui import i18n

    i18n.install_translators("zh_CN", cache_dir=tmp_path)


@pytest.fixture
def project(db, admin, hazard_data):
    with db.session() as session:
        catalogues.load_all(session)
    return hazard_data.project


def record(qtbot, state, project: int, tmp_path, dialog_log, *, level: int, item: str = "",  # type: ignore[no-untyped-def]
           letter: bool = False) -> int:
    """Record a hazard through the dialog, with two site photos dropped on it; a level 1's
    stop-work letter offered on saving is drafted when `letter`."""
    dialog = HazardDialog(state, project_id=project)
    qtbot.addWidget(dialog)
    dialog.show()
    if item:

        def pick(picker):  # type: ignore[no-untyped-def]
            picker.search.setText(item)
            picker.run_search()
            picker.accept()
            return True

        dialog_log.on_run = pick
        dialog.pick.click()
        dialog_log.on_run = None
    else:
        dialog.level.setCurrentIndex(dialog.level.findData(level))
    type_text(dialog.location, f"{level}号测试部位")
    type_text(dialog.description, f"第{level}级测试隐患：防护设施缺失")
    type_text(dialog.measures, "按规范补设防护设施")
    if level <= 2:
        type_text(dialog.contingency, "设警戒区")
    photos = [
        jpeg(tmp_path / f"L{level}-前{n}.jpg", colour) for n, colour in enumerate(("red", "gray"))
    ]
    drop(dialog.photos.list, file_urls(*photos))
    dialog_log.answer = letter
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=30_000)
    dialog_log.answer = True
    assert [c[1] for c in dialog_log.calls].count("停工建议书") == (1 if level == 1 else 0)
    return dialog.saved.id


def open_page(qtbot, state, hazard_id: int) -> HazardPage:  # type: ignore[no-untyped-def]
    page = HazardPage(state, hazard_id)
    qtbot.addWidget(page)
    page.resize(1180, 900)
    page.show()
    return page


def shot(qtbot, page, name: str) -> None:  # type: ignore[no-untyped-def]
    for strip in (page.before, page.after):  # thumbnails are drawn on a worker
        qtbot.waitUntil(
            lambda s=strip: all(not s.list.item(r).icon().isNull() for r in range(s.count())),
            timeout=5000,
        )
    save(qtbot, page, name)


def step(qtbot, page, dialog_log, name: str, fill=None) -> QDialog:  # type: ignore[no-untyped-def]
    """Click the step's button; `fill(dialog)` fills the dialog before OK. Returns the dialog."""
    seen = []

    def run(dialog):  # type: ignore[no-untyped-def]
        dialog.show()
        seen.append(dialog)
        if fill is not None:
            fill(dialog)
        dialog.accept()
        return dialog.result() == QDialog.DialogCode.Accepted

    dialog_log.on_run = run
    qtbot.mouseClick(page.step_buttons[name], Qt.MouseButton.LeftButton)
    dialog_log.on_run = None
    return seen[0]


def facts(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The page's fact rows, caption -> text."""
    from PySide6.QtWidgets import QFormLayout

    form = page.facts
    out = {}
    for row in range(form.rowCount()):
        caption = form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget().text()
        out[caption] = form.itemAt(row, QFormLayout.ItemRole.FieldRole).widget().text()
    return out


def status(page) -> str:  # type: ignore[no-untyped-def]
    return page.data.detail.row.status


def timeline(page) -> list[str]:  # type: ignore[no-untyped-def]
    model = page.events
    return [model.data(model.index(r, 1)) for r in range(model.rowCount())]


def test_a_level_3_hazard_from_record_to_closed(
    qtbot, state, project, tmp_path, dialog_log, qtmodeltester
):
    hazard_id = record(qtbot, state, project, tmp_path, dialog_log, level=3)
    page = open_page(qtbot, state, hazard_id)
    assert status(page) == "recorded" and set(page.step_buttons) == {"issue_notice", "cancel"}
    assert page.before.caption.text() == "整改前照片（2 张）" and page.after.count() == 0
    assert "draft_stop_work" not in {b.objectName() for b in page.draft_buttons.values()}
    step(qtbot, page, dialog_log, "issue_notice")
    assert status(page) == "notified"
    step(qtbot, page, dialog_log, "record_delivery", lambda d: type_text(d.received_by, "李四"))
    assert status(page) == "rectifying"

    def without_evidence(dialog):  # type: ignore[no-untyped-def]
        dialog.accept()  # refused: the messages stay beside the fields
        assert "监理" in dialog.errors["supervisor_name"].text()
        assert "整改后照片" in dialog.errors["after_photos"].text()
        save(qtbot, dialog, "hazard-closure-refused")
        after = [
            jpeg(tmp_path / "后1.jpg", "green"),
            jpeg(tmp_path / "后2.jpg", "olive", orientation=6),
        ]
        with qtbot.waitSignal(dialog.photos.imported, timeout=10_000):
            drop(dialog.photos.list, file_urls(*after))
        type_text(dialog.supervisor, "王监理")

    closure = step(qtbot, page, dialog_log, "submit_closure", without_evidence)
    assert closure.result() == QDialog.DialogCode.Accepted
    assert status(page) == "closure_submitted" and page.after.count() == 2
    step(qtbot, page, dialog_log, "reject", lambda d: type_text(d.reason, "栏杆高度不足"))
    assert status(page) == "rectifying"
    step(qtbot, page, dialog_log, "submit_closure", lambda d: type_text(d.supervisor, "王监理"))
    step(qtbot, page, dialog_log, "verify_close", lambda d: type_text(d.note, "复查合格"))
    assert status(page) == "closed" and page.step_buttons == {}
    assert timeline(page) == [
        "登记隐患",
        "下发整改通知",
        "登记通知送达",
        "登记销项申请",
        "复查退回",
        "登记销项申请",
        "复查销项",
    ]
    details = [page.events.data(page.events.index(r, 4)) for r in range(page.events.rowCount())]
    assert "签收人：李四" in details[2] and "监理确认人：王监理" in details[3]
    assert "栏杆高度不足" in details[4]
    assert not page.before.add_button.isVisible()  # a closed hazard's evidence is final
    qtmodeltester.check(page.events)
    shot(qtbot, page, "hazard-page-level3-closed")


def test_a_level_1_hazard_reports_and_reinspection(
    qtbot, state, project, tmp_path, dialog_log, monkeypatch, qtmodeltester, users
):
    hazard_id = record(qtbot, state, project, tmp_path, dialog_log, level=1, item="连墙件", letter=True)
    page = open_page(qtbot, state, hazard_id)
    assert page.docs.rowCount() == 1  # the stop-work letter drafted when the hazard was saved
    assert "草稿待技术负责人签发" in facts(page)["停工建议书"]
    detail = page.data.detail
    assert detail.row.is_major and detail.catalogue_item.code == "07-2"
    assert page.reports.rowCount() == 2 and page.report_button.isEnabled()
    assert {"draft_rectification_notice", "draft_stop_work", "draft_hazard_report"} <= {
        b.objectName() for b in page.draft_buttons.values()
    }
    qtmodeltester.check(page.reports)
    shot(qtbot, page, "hazard-page-level1-reports-due")
    step(qtbot, page, dialog_log, "issue_notice")
    step(qtbot, page, dialog_log, "record_delivery", lambda d: type_text(d.received_by, "赵经理"))
    after = [jpeg(tmp_path / "L1后.jpg", "green")]

    def with_photo(dialog):  # type: ignore[no-untyped-def]
        with qtbot.waitSignal(dialog.photos.imported, timeout=10_000):
            drop(dialog.photos.list, file_urls(*after))

    step(qtbot, page, dialog_log, "submit_closure", with_photo)
    assert status(page) == "closure_submitted"

    def refused_while_reports_pending(dialog):  # type: ignore[no-untyped-def]
        assert dialog.reinspected.isChecked() and not dialog.reinspected.isEnabled()
        dialog.accept()
        assert "未登记当日向承保机构的报告" in dialog.error.text()  # and the unsigned letter
        dialog.reject()

    dialog_log.on_run = lambda d: refused_while_reports_pending(d) or False
    page.step_buttons["verify_close"].click()
    assert status(page) == "closure_submitted"
    for channel in ("电话", "邮件"):

        def report(dialog, channel=channel):  # type: ignore[no-untyped-def]
            dialog.show()
            dialog.channel.setCurrentText(channel)
            dialog.accept()
            return dialog.result() == QDialog.DialogCode.Accepted

        dialog_log.on_run = report
        qtbot.mouseClick(page.report_button, Qt.MouseButton.LeftButton)
    assert not page.data.pending_reports and not page.report_button.isEnabled()

    def refused_without_the_signed_letter(dialog):  # type: ignore[no-untyped-def]
        dialog.reinspection.set_date(dialog.reinspection.date())
        dialog.accept()
        assert "停工建议书未签发" in dialog.error.text() and "N-" not in dialog.error.text()
        dialog.reject()

    dialog_log.on_run = lambda d: refused_without_the_signed_letter(d) or False
    page.step_buttons["verify_close"].click()
    assert status(page) == "closure_submitted"
    letter = page.docs.data(page.docs.index(0, 0), ROW_ROLE)
    with state.db.session() as session:  # the technical lead signs it (the documents page's work)
        documents.sign(session, users["tech_lead"], letter.id, expected_version=letter.version,
                       store_dir=state.config.attachments_dir, work_dir=tmp_path)
    page.reload()
    assert facts(page)["停工建议书"].startswith("已签发（")
    step(qtbot, page, dialog_log, "verify_close")
    assert status(page) == "closed"
    assert timeline(page).count("登记对外报告") == 2
    assert state.read(hazards.events, hazard_id)[-1].data["reinspection_date"]


def test_letters_are_drafted_from_the_page(
    qtbot, state, project, tmp_path, dialog_log, monkeypatch, qtmodeltester
):
    hazard_id = record(qtbot, state, project, tmp_path, dialog_log, level=1, item="连墙件")
    page = open_page(qtbot, state, hazard_id)
    qtbot.mouseClick(page.draft_buttons["stop_work"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.docs.rowCount() == 1, timeout=30_000)
    assert dialog_log.calls[-1][:2] == ("ask", "文书草稿")
    viewer = dialog_log.viewers[-1]  # the app's own viewer
    qtbot.addWidget(viewer)
    assert viewer.page_count >= 1 and viewer.path.read_bytes().startswith(b"%PDF")
    doc = page.docs.data(page.docs.index(0, 0), ROW_ROLE)
    assert doc.kind == "stop_work" and doc.status == "draft"
    qtmodeltester.check(page.docs)


def test_escalation_and_cancel(qtbot, state, project, tmp_path, dialog_log):
    hazard_id = record(qtbot, state, project, tmp_path, dialog_log, level=3)
    page = open_page(qtbot, state, hazard_id)
    step(qtbot, page, dialog_log, "issue_notice")
    step(qtbot, page, dialog_log, "escalate", lambda d: type_text(d.note, "施工单位拒绝整改"))
    assert page.data.detail.row.escalated and "已登记拒改/拖延" in page.badges.text()
    assert sorted(r.recipient for r in page.data.pending_reports) == [
        "authority",
        "insurer",
        "owner",
    ]
    step(qtbot, page, dialog_log, "cancel", lambda d: type_text(d.reason, "重复登记"))
    assert status(page) == "cancelled" and page.data.pending_reports == ()
    assert page.draft_buttons == {}


def test_a_step_after_someone_else_saved_is_refused_and_reloads(
    qtbot, state, db, admin, project, tmp_path, dialog_log
):
    hazard_id = record(qtbot, state, project, tmp_path, dialog_log, level=4)
    page = open_page(qtbot, state, hazard_id)
    with db.session() as session:  # another desk issues the notice first
        version = hazards.get(session, hazard_id).version
        hazards.issue_notice(session, admin, hazard_id, expected_version=version)
    dialog = step(qtbot, page, dialog_log, "issue_notice")
    assert dialog.conflicted and ("warn", "记录已被他人修改") == dialog_log.calls[-1][:2]
    assert status(page) == "notified" and "record_delivery" in page.step_buttons


def test_a_reviewer_sees_no_steps(qtbot, state, users, project, tmp_path, dialog_log):
    hazard_id = record(qtbot, state, project, tmp_path, dialog_log, level=3)
    state.set_actor(users["reviewer"])
    page = open_page(qtbot, state, hazard_id)
    assert page.step_buttons == {} and not page.edit_button.isVisible()
    assert not page.before.add_button.isVisible()


def test_one_window_per_hazard(qtbot, state, project, tmp_path, dialog_log, monkeypatch):
    hazard_id = record(qtbot, state, project, tmp_path, dialog_log, level=4)
    raised = []
    monkeypatch.setattr(HazardPage, "raise_", lambda self: raised.append(self))  # offscreen cannot
    first = show_hazard(state, hazard_id)  # deletes itself on close (no qtbot.addWidget)
    assert show_hazard(state, hazard_id) is first and raised == [first]
    assert first.windowTitle().startswith("隐患 YH-")
    first.close()
    qtbot.waitUntil(lambda: hazard_id not in page_module._windows)


def test_history_button_shows_the_audit_trail(qtbot, state, project, dialog_log):
    from desktop.ui.history_panel import HistoryDialog

    page = open_page(qtbot, state, 1)
    qtbot.waitUntil(lambda: page.history_button.isVisible())
    shown = []
    dialog_log.on_run = lambda dialog: shown.append(dialog) or False
    page.history_button.click()
    assert isinstance(shown[0], HistoryDialog)
    qtbot.addWidget(shown[0])
    assert shown[0].panel.lines()[0].action == "新建"


def test_only_a_reasoned_review_lowers_a_major_hazard(qtbot, state, project, tmp_path, dialog_log):
    hazard_id = record(qtbot, state, project, tmp_path, dialog_log, level=1, item="连墙件")
    page = open_page(qtbot, state, hazard_id)
    assert "尚未起草（销项前须签发）" == facts(page)["停工建议书"]
    assert "major_review" in page.step_buttons and "N-" not in page.step_buttons["major_review"].toolTip()

    def without_reason(dialog):  # type: ignore[no-untyped-def]
        dialog.show()
        assert dialog.level.currentData() is None  # the new level is chosen, not preset
        dialog.level.setCurrentIndex(dialog.level.findData(3))
        dialog.accept()
        assert "复核理由" in dialog.errors["reason"].text()
        dialog.reject()
        return False

    dialog_log.on_run = without_reason
    page.step_buttons["major_review"].click()
    assert page.data.detail.row.is_major

    def reviewed(dialog):  # type: ignore[no-untyped-def]
        dialog.level.setCurrentIndex(dialog.level.findData(3))
        type_text(dialog.reason, "连墙件仅缺两处，未整层缺失")

    step(qtbot, page, dialog_log, "major_review", reviewed)
    row = page.data.detail.row
    assert (row.level, row.is_major, page.data.detail.catalogue_item) == (3, False, None)
    assert timeline(page)[-1] == "经复核不属于重大事故隐患" and "major_review" not in page.step_buttons
    assert "停工建议书" not in facts(page)
