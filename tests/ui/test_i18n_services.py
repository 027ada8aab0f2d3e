"""English mode reaches what the services say: refusals, field messages, dashboard labels,
the self-check's items and gaps (issue #3)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from PySide6.QtWidgets import QDialog

from desktop.messages import msg
from desktop.models.enums import Role
from desktop.services import compliance, hazards, periods, projects
from desktop.services.checklist_items import BY_ID
from desktop.services.context import NotFound, PermissionDenied, ValidationError, now
from desktop.services.queries.history import HistoryRow
from desktop.ui import dialogs, i18n
from desktop.ui.checklist_models import ChecklistTreeModel, evidence_text
from desktop.ui.history_panel import action_text
from desktop.ui.pages.dashboard_page import DashboardPage
from desktop.ui.project_dialog import ProjectDialog
from tests.factories import make_project

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def qm_cache(tmp_path_factory):
    """One compiled catalogue for the module (lrelease runs once)."""
    return tmp_path_factory.mktemp("qm")


@pytest.fixture
def english(qapp, qm_cache):
    assert i18n.install_translators("en", cache_dir=qm_cache) == "en"
    yield
    i18n.install_translators("zh_CN", cache_dir=qm_cache)


def test_a_refusal_from_a_real_service_call_shows_in_english_with_its_params(
        english, db, users, dialog_log):
    reviewer = users[Role.REVIEWER.value]
    with db.session() as session:
        ids = make_project(session, users[Role.ADMIN.value])
    with pytest.raises(PermissionDenied) as denied, db.session() as session:
        hazards.record(session, reviewer, hazards.HazardForm(
            project_id=ids.project, description="临边防护缺失", level=3, measures="设置防护"))
    assert str(denied.value) == "只读审阅无权登记隐患。"  # the core and the log keep Chinese
    dialogs.show_error(None, denied.value)
    # the role comes through "Labels", the action through "Services"
    assert dialog_log.calls[-1] == ("warn", "Not permitted",
                                    "The role “Read-only reviewer” may not record hazards.")


def test_a_conflict_names_the_record_and_both_versions_in_english(english, db, admin, dialog_log):
    with db.session() as session:
        ids = make_project(session, admin)
        row = hazards.record(session, admin, hazards.HazardForm(
            project_id=ids.project, description="临边防护缺失", level=3, measures="设置防护"))
    with pytest.raises(Exception) as stale, db.session() as session:
        hazards.update(session, admin, row.id, expected_version=row.version + 3, location="3#楼")
    dialogs.show_error(None, stale.value)
    kind, title, text = dialog_log.calls[-1]
    assert (kind, title) == ("warn", "Changed by someone else")
    assert text == (f"This hazard has been changed by someone else (it is now version "
                    f"{row.version}; you edited version {row.version + 3}); reload it before saving.")


def test_an_error_without_a_template_falls_back_to_its_chinese(english):
    assert i18n.error_text(NotFound("没有模板的旧式说明")) == "没有模板的旧式说明"
    assert i18n.service_text(msg("找不到条目 {x}。", x=1)) == "找不到条目 1。"  # not in the .ts


def test_a_field_message_shows_in_english_beside_its_field(qtbot, english, state, db, admin,
                                                            agency_profile):
    with db.session() as session:
        taken = make_project(session, admin)
        code = projects.get_detail(session, taken.project).project.code
    dialog = ProjectDialog(state)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.code.setText(code)
    dialog.name.setText("新项目")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    code_error = dialog.errors.label("code")
    assert code_error.isVisible() and code_error.text() == f"Project no. “{code}” is used by another project"
    dialog.code.setText("")
    dialog.name.setText("")
    dialog.accept()
    assert dialog.errors.label("code").text() == "Please enter the project no."
    assert dialog.errors.label("name").text() == "Please enter the project's name"


def test_nested_messages_translate_each_part(english):
    refusal = ValidationError({"finding.0.description": msg(
        "第 {n} 条隐患：{problem}", n=2, problem=msg("隐患描述不超过 {max_text} 字", max_text=2000))})
    assert i18n.field_texts(refusal) == {
        "finding.0.description": "Hazard 2: The description may have at most 2000 characters"}
    q3 = periods.parse("2026Q3").chinese
    assert i18n.service_text(q3) == "Q3 2026"


def test_dashboard_labels_are_english_periods_included(qtbot, english, state, hazard_data):
    page = DashboardPage(state)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    cards = page.cards_by_key
    today = now().date()
    quarter, half = periods.quarter_of(today), periods.half_of(today)
    q, h = quarter.label.split("Q")[1], half.label.split("H")[1]
    assert cards["unreported_l1"].text().endswith("\nLevel 1 hazards to report (same day)")
    assert cards["overdue"].text().endswith("\nOverdue hazards")
    assert cards["no_full_inspection"].text().endswith(
        f"\nNo full-coverage inspection yet in Q{q} {today.year}")
    assert cards["training_due"].text().endswith(f"\nTraining not yet up to the rule in H{h} {today.year}")
    for card in cards.values():
        assert not CJK.search(card.text()), card.text()


def test_the_self_check_items_and_gaps_are_english(english, db, admin, hazard_data):
    found = now().date() - dt.timedelta(days=20)  # the fixture's level 1 hazard, not reported
    with db.read() as session:
        result = compliance.evaluate(session, period=periods.parse(str(found.year)),
                                     scope_type="agency", scope_id=None)
    model = ChecklistTreeModel()
    model.set_result(result)
    assert model.data(model.index(0, 0)).startswith("Organisation and management")
    item = model.index_of("C-1a")
    assert model.data(item.siblingAtColumn(1)) == (
        "Are work-safety management rules in place, with duties and business processes defined?")
    c6a = result.get("C-6a")
    assert evidence_text(c6a).startswith("Level 1 hazards in the period ")
    missing = [i18n.service_text(g.missing) for g in c6a.gaps]
    assert missing and all(not CJK.search(text) for text in missing), missing
    assert BY_ID["C-1a"].point == "是否制定安全生产管理制度，明确岗位职责和业务流程。"  # documents keep it


def test_the_history_names_each_action_in_english(english):
    row = HistoryRow(1, dt.datetime(2026, 3, 1, 8, 0), "管理员", "update", (), "")
    assert action_text(row) == "Changed"
    assert action_text(HistoryRow(2, row.at, "管理员", "verify_close", (), "")) == "Verify and close"


def test_document_numbers_and_kinds_made_by_the_services_show_in_english(english):
    from desktop.services import documents
    from desktop.services.queries import doc_data

    assert i18n.service_text(documents.NUMBER_PENDING) and not CJK.search(
        i18n.service_text(documents.NUMBER_PENDING))
    revised = documents.printed_number("FK-2026-0007", 2)
    assert str(revised) == "FK-2026-0007（第2版）"  # the PDF keeps the Chinese
    shown = i18n.service_text(revised)
    assert "FK-2026-0007" in shown and "2" in shown and not CJK.search(shown)
    label = doc_data.KINDS["rectification_notice"].label
    assert not CJK.search(i18n.service_text(label))


def test_risk_factors_read_back_from_the_database_show_in_english(english, db, admin):
    from desktop.services import risk

    with db.session() as session:
        ids = make_project(session, admin)
        hazards.record(session, admin, hazards.HazardForm(
            project_id=ids.project, description="基坑临边无防护", level=1, measures="设置防护",
            contingency="设置警戒区", stop_work="partial"))
        risk.assess(session, admin, ids.project)
    with db.read() as session:
        latest = risk.history(session, ids.project)[0]
    assert latest.reason == "按评定规则计算"  # stored and compared in Chinese
    labels = [f.label for f in latest.factors]
    assert "存在未闭合一级隐患" in labels
    factor = latest.factors[labels.index("存在未闭合一级隐患")]
    assert factor.detail == "1 项"
    for text in (factor.label, factor.detail, risk.DEFAULT_REASON):
        shown = i18n.service_text(text)
        assert shown and not CJK.search(shown), shown


def test_a_package_verification_report_shows_in_english(english, tmp_path):
    from desktop.services.exchange import packages
    from desktop.ui.package_dialog import _report

    broken = tmp_path / "package.zip"
    broken.write_bytes(b"not a zip at all")
    check = packages.verify_package(broken)
    assert not check.ok and "无法打开资料包" in check.text  # the command line keeps Chinese
    shown = _report(check).replace(str(broken), "")
    assert shown and not CJK.search(shown), shown
