"""The dashboard: counts from dashboard.summary that follow changes, each opening its list."""

from __future__ import annotations

from typing import ClassVar

import pytest
from PySide6.QtCore import QT_TRANSLATE_NOOP, QPoint, Qt

from desktop.services import hazards
from desktop.services.context import Changes
from desktop.ui.main_window import MainWindow
from desktop.ui.pages.base import Page
from desktop.ui.pages.dashboard_page import DashboardPage
from desktop.ui.pages.hazards_page import HazardsPage

from .conftest import HAZARDS
from .test_screenshots import save

OVERDUE = 4  # of the eight hazards of the fixture, these are past their level's deadline


class ListPage(Page):
    """Stands for a page that can show a given set of records."""

    title_source = QT_TRANSLATE_NOOP("Pages", "项目")
    shown: ClassVar[list] = []

    def show_ids(self, ids, caption=""):  # type: ignore[no-untyped-def]
        self.shown.append((self.key, tuple(ids), caption))


class ProjectsList(ListPage):
    key = "projects"


class ArchiveList(ListPage):
    key = "archive"


@pytest.fixture
def window(qtbot, state, hazard_data):
    ListPage.shown = []
    window = MainWindow(state, pages=(DashboardPage, HazardsPage, ProjectsList, ArchiveList))
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.show()
    window.show_page("dashboard")
    return window


def count(window, key: str) -> int:  # type: ignore[no-untyped-def]
    return int(window.page("dashboard").cards_by_key[key].text().split("\n")[0].replace(",", ""))


def test_the_counts(window):
    assert count(window, "unreported_l1") == 1
    assert count(window, "overdue") == OVERDUE
    card = window.page("dashboard").cards_by_key["unreported_l1"]
    assert "立即提出停工或局部停工意见" in card.toolTip() and card.text().endswith("一级隐患待报告（当日）")
    assert all("N-" not in c.toolTip() for c in window.page("dashboard").cards_by_key.values())
    # the same level 1 has no signed stop-work letter yet: its own card, in red
    letters = window.page("dashboard").cards_by_key["stop_work_unsigned"]
    assert count(window, "stop_work_unsigned") == 1 and letters.text().endswith("停工建议书待签发")
    assert "#d32f2f" in letters.styleSheet()


def test_counts_follow_changes(qtbot, window, state, db, admin, hazard_data):
    with db.session() as session:
        row = hazards.record(
            session,
            admin,
            hazards.HazardForm(
                project_id=hazard_data.project,
                description="新发现的一级隐患",
                level=1,
                measures="立即停工整改",
                contingency="警戒",
                stop_work="full",
            ),
        )
    state.announce(Changes(hazards=True, reports=True))
    assert count(window, "unreported_l1") == 2
    with db.session() as session:
        for report in hazards.pending_reports(session, row.id):
            hazards.record_report(session, admin, report.id, channel="电话")
    state.announce(Changes(reports=True))
    assert count(window, "unreported_l1") == 1
    save(qtbot, window, "dashboard-counts")


def test_unreported_level_1_opens_exactly_those_hazards(qtbot, window):
    card = window.page("dashboard").cards_by_key["unreported_l1"]
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    page = window.current_page()
    assert page.key == "hazards" and page.banner.isVisible()
    assert page.model.rowCount() == 1
    level_1 = next(h for h in HAZARDS if h[1] == 1)
    assert page.model.data(page.model.index(0, 7)) == level_1[3]
    assert page.count_label.text() == "共 1 条"


def test_overdue_opens_the_register_filtered_to_overdue(qtbot, window):
    qtbot.mouseClick(window.page("dashboard").cards_by_key["overdue"], Qt.MouseButton.LeftButton)
    page = window.current_page()
    qtbot.waitUntil(lambda: not page.table.is_loading, timeout=5000)
    assert page.key == "hazards" and page.filters.overdue.isChecked()
    assert page.count_label.text() == f"共 {OVERDUE} 条" and not page.banner.isVisible()
    save(qtbot, window, "register-overdue-from-dashboard")


@pytest.mark.parametrize(
    ("key", "target"), [("no_first_inspection", "projects"), ("archive_due", "archive")]
)
def test_other_counts_open_their_page_with_the_ids(qtbot, window, key, target):
    item = window.page("dashboard").summary.get(key)
    window.page("dashboard").cards_by_key[key].click()
    assert window.current_page().key == target
    assert ListPage.shown == [
        (target, item.ids, window.page("dashboard").cards_by_key[key].text().split("\n")[1])
    ]


def test_unsubmitted_opens_the_duties_it_counts(qtbot, window, state):
    """待报送: periodic outputs not logged as sent; the card opens exactly the duties list's
    成果报送 rows of the same days, and opening one goes to the documents."""
    from desktop import clock
    from desktop.services.queries import dashboard as dashboard_query
    from desktop.ui.duties_panel import DutiesDialog

    page = window.page("dashboard")
    card = page.cards_by_key["unsubmitted"]
    n = count(window, "unsubmitted")
    assert card.text().split("\n")[1] == "待报送" and card.isEnabled()
    assert card.toolTip() == "依据：及时将服务成果上报承保机构和属地建设主管部门"
    # the project (served since January) owes each month's and quarter's outputs to its insurer
    # and its authority: at least January's three
    assert n >= 3 and n == len(state.read(dashboard_query.unsubmitted, clock.today()))
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    dialog = page.findChild(DutiesDialog)
    assert dialog is not None and dialog.isVisible() and dialog.windowTitle() == "待报送"
    tree = dialog.panel.tree
    rows = [tree.topLevelItem(i).child(j) for i in range(tree.topLevelItemCount())
            for j in range(tree.topLevelItem(i).childCount())]
    assert len(rows) == n and {r.text(0) for r in rows} == {"成果报送"}
    assert all("未报送" in r.text(2) and "N-" not in r.text(2) for r in rows)
    assert dialog.panel.empty.text().startswith(f"未来 7 天内到期 {n} 项")
    assert len({r.text(2) for r in rows}) == n  # one row per output, naming whom it is owed to
    # double-clicking a row opens the documents (not a page of this test window) and closes the list
    tree.itemActivated.emit(rows[0], 0)
    assert not dialog.isVisible()


def test_the_due_list_has_the_height_on_a_laptop(qtbot, window):
    # 1366×768 less the task bar and the window's frame: the list that changes daily shows
    # at least six rows; the agency box beside it takes none of its height
    window.resize(1350, 688)
    page = window.page("dashboard")
    tree = page.duties.tree
    qtbot.waitUntil(lambda: tree.topLevelItemCount() > 0)
    qtbot.waitUntil(lambda: tree.viewport().height() >= 6 * tree.sizeHintForRow(0))
    agency = page.agency_box.mapTo(page, QPoint(0, 0))
    assert agency.y() < tree.mapTo(page, QPoint(0, tree.height())).y()  # beside, not below
    assert agency.x() > tree.mapTo(page, QPoint(0, 0)).x()


def test_one_refresh_reads_the_owed_outputs_once(window, state):
    """The counts and the 近期到期 list come from one read (dashboard.desk): the submissions log
    is read once per refresh, and the list's 成果报送 rows are what the 待报送 card counts."""
    from sqlalchemy import event

    page = window.page("dashboard")
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        seen.append(statement.lstrip())

    event.listen(state.db.engine, "before_cursor_execute", record)
    try:
        page.refresh()
    finally:
        event.remove(state.db.engine, "before_cursor_execute", record)
    assert sum(1 for q in seen if q.startswith("SELECT submissions.")) == 1
    assert len(seen) < 80  # 47; was 147 with the summary and the duties each gathering the outputs
    outputs = [d for d in page.duties.items if d.kind == "output"]
    assert len(outputs) == count(window, "unsubmitted") > 0
