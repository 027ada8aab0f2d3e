"""In the window: a project's facts edited after entry, its visit schedule and the reassessment
prompt on the project page; the agency rules tab in Settings for an administrator."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QDialog, QGroupBox, QLabel, QWidget

from desktop.models import ProjectContact
from desktop.services import agency_rules, inspections, projects, risk
from desktop.services.context import now
from desktop.ui.agency_rules_panel import AgencyRulesPanel
from desktop.ui.pages.projects_page import ProjectsPage
from desktop.ui.pages.settings_page import SettingsPage
from desktop.ui.project_fact_dialogs import ContactDialog, DangerItemDialog
from tests.factories import make_project


@pytest.fixture
def site(db, admin):
    today = now().date()
    with db.session() as s:
        p = make_project(s, admin)
        item = projects.add_danger_item(s, admin, p.project, name="高大模板工程", is_super=True)
        projects.add_contact(s, admin, p.project, role="安全员", name="李安全", phone="139")
        inspections.record(s, admin, inspections.InspectionForm(
            p.project, "routine", today - dt.timedelta(days=40), inspector_ids=(admin.user_id,)))
        risk.override(s, admin, p.project, "high", reason="高大模板")
    return p, item


@pytest.fixture
def overview(qtbot, state, site):
    page = ProjectsPage(state)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    page.activate()
    page.open_project(site[0].project)
    return page.detail.overview


def test_visit_schedule_and_reassessment_after_a_super_item_starts(overview, site, dialog_log):
    assert "检查频次：高风险项目每 30 天一次" in overview.visit.text()
    assert "已逾期 10 天" in overview.visit.text()
    assert overview.reassess.isHidden()
    titles = [box.title() for box in overview.findChildren(QGroupBox)]
    assert "项目风险等级" in titles and not [t for t in titles if "N-" in t]
    seen = []

    def start(dialog: DangerItemDialog) -> bool:
        dialog.status.setCurrentIndex(dialog.status.findData("in_progress"))
        dialog.accept()  # no actual start date: refused beside the field, the dialog stays
        seen.append(dialog.errors.label("actual_start").text())
        dialog.actual_start.set_value(now().date() - dt.timedelta(days=1))
        dialog.accept()
        return dialog.result() == QDialog.DialogCode.Accepted

    dialog_log.on_run = start
    overview.danger_table.selectRow(0)
    overview.edit_danger.click()
    assert seen == ["施工中或已完成的危大工程须填写实际开始日期"]
    assert overview.danger_model.data(overview.danger_model.index(0, 2)) == "施工中"
    assert not overview.reassess.isHidden()
    assert "待重新评估" in overview.reassess.text() and "高大模板工程" in overview.reassess.text()
    overview.assess_button.click()
    assert overview.reassess.isHidden()


def test_a_contact_is_corrected_and_a_stale_edit_is_refused(overview, site, dialog_log, db, admin):
    def fix(dialog: ContactDialog) -> bool:
        dialog.role.setText("专职安全员")
        dialog.phone.setText("13900001111")
        dialog.accept()
        return dialog.result() == QDialog.DialogCode.Accepted

    dialog_log.on_run = fix
    overview.edit_contacts.click()
    with db.read() as s:
        contact = s.query(ProjectContact).filter_by(project_id=site[0].project).one()
        assert (contact.role, contact.phone, contact.version) == ("专职安全员", "13900001111", 2)
        contact_id = contact.id
    stale = []

    def late(dialog: ContactDialog) -> bool:
        with db.session() as s:  # someone else saves first
            s.get(ProjectContact, contact_id).name = "李安全（调岗）"
        dialog.name.setText("李平安")
        dialog.accept()
        stale.append(dialog.result())
        return False

    dialog_log.on_run = late
    overview.edit_contacts.click()
    assert stale == [0] and "已被他人修改" in dialog_log.texts("warn")[0]


def test_agency_rules_panel_checks_saves_and_states_new_records_only(qtbot, state, db, dialog_log):
    panel = AgencyRulesPanel(state)
    qtbot.addWidget(panel)
    panel.refresh()
    assert "此后新登记的记录" in panel.findChild(QLabel, "rulesNote").text()
    assert panel.visits["high"].value() == 30 and panel.retention.value() == 5
    assert "频次" in panel.visits["high"].parentWidget().toolTip()
    panel.visits["high"].setValue(120)  # longer than medium: refused beside the field
    panel.save()
    assert "高 ≤ 中 ≤ 低" in panel.errors.label("risk.visit_interval_days").text()
    assert dialog_log.texts("inform") == []
    panel.visits["high"].setValue(14)
    panel.code.setText("绍安衡风控")
    panel.first_days.setValue(10)
    panel.save()
    assert dialog_log.texts("inform") == ["已保存 3 项规则，用于此后新登记的记录。"]
    with db.read() as s:
        stored = agency_rules.read(s)
    assert (stored.visit_interval_days["high"], stored.agency_code, stored.first_inspection_days) == (
        14, "绍安衡风控", 10)
    texts = [w.text() for w in panel.findChildren(QLabel)] + [
        w.toolTip() for w in panel.findChildren(QWidget)] + [b.title() for b in panel.findChildren(QGroupBox)]
    assert not [t for t in texts if "N-" in t or "C-" in t]


def test_the_rules_tab_is_for_administrators(qtbot, state, users):
    page = SettingsPage(state)
    qtbot.addWidget(page)
    titles = [page.tabs.tabText(n) for n in range(page.tabs.count())]
    assert "机构规则" in titles
    state.set_actor(users["tech_lead"])
    other = SettingsPage(state)
    qtbot.addWidget(other)
    assert "机构规则" not in [other.tabs.tabText(n) for n in range(other.tabs.count())]


def test_dashboard_cards_for_late_visits_and_reassessment(qtbot, state, site):
    from desktop.ui.pages.dashboard_page import DashboardPage

    page = DashboardPage(state)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    cards = page.cards_by_key
    assert cards["visit_overdue"].text() == "1\n未按风险等级频次到访的项目"
    assert cards["visit_overdue"].toolTip() == "依据：根据风险等级制定服务形式和频次等内容"
    assert cards["reassessment_due"].text().startswith("0\n")
    assert not [c.toolTip() for c in cards.values() if "N-" in c.toolTip()]
