"""The 工作台 page: who is working, for which agency, and what needs doing today.

Each count opens its list: hazards in the register with the matching filter (or exactly the
hazards counted), projects, risk sources and archive items on their pages, filtered by the
counted ids when the page offers `show_ids(ids, caption)`.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QStylePainter,
    QVBoxLayout,
    QWidget,
)

from desktop import clock
from desktop.models.enums import Role
from desktop.services import agency
from desktop.services.context import Changes
from desktop.services.queries import dashboard, project_list
from desktop.services.queries.register import RegisterFilter
from desktop.ui import i18n
from desktop.ui.app_state import AppState
from desktop.ui.duties_panel import DutiesDialog, DutiesPanel
from desktop.ui.empty_hint import HintBox
from desktop.ui.pages.base import Page, PageHost, ShowsFilter, ShowsIds
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.widgets import Heading

COLUMNS = 3  # cards per row: the longest label still fits at 1200 px
# where a dashboard item's list lives in this window (risk sources sit with their projects)
TARGET_PAGES = {"hazards": "hazards", "projects": "projects", "risk_sources": "projects",
                "archive": "archive", "reports": "documents"}
OWN_LISTS = {"duties": "dashboard"}  # a card whose list opens over the dashboard itself
URGENT = {"unreported_l1", "stop_work_unsigned", "overdue"}  # shown in red when not zero
# the register filter a hazard card opens; the others open exactly the hazards counted
HAZARD_FILTERS = {"overdue": RegisterFilter(overdue=True)}


class CountCard(QPushButton):
    """A dashboard button: the count large above its label. `text()` stays "count\nlabel"."""

    def paintEvent(self, _event: object) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionButton()
        self.initStyleOption(option)
        count, _, label = option.text.partition("\n")
        option.text = ""
        painter.drawControl(QStyle.ControlElement.CE_PushButton, option)
        area = self.rect().adjusted(18, 6, -10, -6)
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 1.7)
        big.setBold(True)
        painter.setFont(big)
        top = area.adjusted(0, 0, 0, -area.height() // 2 + 4)
        painter.drawText(top, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom), count)
        painter.setFont(self.font())
        rest = area.adjusted(0, area.height() // 2 + 4, 0, 0)
        elided = painter.fontMetrics().elidedText(label, Qt.TextElideMode.ElideRight, rest.width())
        painter.drawText(rest, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), elided)


def label_of(item: dashboard.Item) -> str:
    """The item's label in the interface language (the service's template, its period too)."""
    return i18n.service_text(item.label)


CARD_STYLE = ("QPushButton {{ text-align: left; padding: 10px 14px; border: 1px solid #cfd8dc;"
              " border-left: 5px solid {accent}; border-radius: 4px; background: #ffffff; }}"
              " QPushButton:hover {{ background: #f5f9ff; }}")


class DashboardPage(Page):
    key = "dashboard"
    title_source = QT_TRANSLATE_NOOP("Pages", "工作台")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.greeting = QLabel()
        self.agency_box = QGroupBox(QCoreApplication.translate("DashboardPage", "本机构"))
        self.agency_form = QFormLayout(self.agency_box)
        self.todo_box = QGroupBox(QCoreApplication.translate("DashboardPage", "待办事项"))
        self.cards = QGridLayout(self.todo_box)
        self.cards_by_key: dict[str, QPushButton] = {}
        self.summary: dashboard.Summary | None = None
        self.welcome = HintBox(QCoreApplication.translate(
            "DashboardPage", "还没有在保项目，所以下面的待办都是 0。第一步：新建项目，或从 Excel 导入项目及保单清单；"
            "然后按项目安排检查、登记隐患，待办事项会在这里提醒。"),
            [(QCoreApplication.translate("DashboardPage", "新建项目…"), "welcomeNewProject",
              self.new_project),
             (QCoreApplication.translate("DashboardPage", "从 Excel 导入…"), "welcomeImport",
              self.import_projects)])
        self.welcome.setStyleSheet("QFrame#emptyHint { background: #e3f2fd; border-radius: 6px; }")
        self.welcome.hide()
        # the page scrolls on a small screen rather than making the window taller than it
        content = QWidget()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        layout = QVBoxLayout(content)
        layout.addWidget(Heading(self.title()))
        layout.addWidget(self.greeting)
        layout.addWidget(self.welcome)
        layout.addWidget(self.todo_box)
        # the list that changes daily takes the height; the static agency box sits beside it
        below = QHBoxLayout()
        below.addWidget(self._duties_box(), 1)
        below.addWidget(self.agency_box, 0, Qt.AlignmentFlag.AlignTop)
        self.agency_box.setMaximumWidth(self.fontMetrics().height() * 22)  # about 22 characters
        layout.addLayout(below, 1)
        state.actor_changed.connect(lambda _a: self.reload())

    def _duties_box(self) -> QGroupBox:
        """近期到期: what falls due in the next 7 days, and the 30-day calendar view."""
        box = QGroupBox(QCoreApplication.translate("DashboardPage", "近期到期（7 天）"))
        box.setObjectName("dutiesBox")
        self.duties = DutiesPanel(self.state, dashboard.DUTY_DAYS)
        self.duties.navigate.connect(self.navigate.emit)
        calendar = QPushButton(QCoreApplication.translate("DashboardPage", "到期日历（30 天）…"))
        calendar.setObjectName("dutiesCalendar")
        calendar.clicked.connect(lambda _c=False: self.open_calendar())
        self.duties.bar.addWidget(calendar)
        QVBoxLayout(box).addWidget(self.duties)
        return box

    def open_unsubmitted(self, item: dashboard.Item) -> DutiesDialog:
        """待报送: the duties list's 成果报送 rows of the same 7 days — what the card counted."""
        dialog = DutiesDialog(self.state, self, days=dashboard.DUTY_DAYS, kinds=("output",),
                              title=label_of(item))
        dialog.panel.navigate.connect(self.navigate.emit)
        dialog.open()
        return dialog

    def open_calendar(self) -> DutiesDialog:
        dialog = DutiesDialog(self.state, self)
        dialog.panel.navigate.connect(self.navigate.emit)
        dialog.open()
        return dialog

    def wants(self, changes: Changes) -> bool:
        return any((changes.settings, changes.users, changes.hazards, changes.projects,
                    changes.inspections, changes.training, changes.archive, changes.reports,
                    changes.documents))

    def refresh(self) -> None:
        actor = self.state.actor
        role = i18n.label(Role(actor.role)) if Role.known(actor.role) else actor.role
        text = QCoreApplication.translate("DashboardPage", "{name}（{role}），您好。今天是 {date}。")
        self.greeting.setText(text.format(name=actor.display_name or actor.username, role=role,
                                          date=clock.today().isoformat()))
        desk = self.state.read(dashboard.desk)  # the counts and the duties share their reads
        self._show_summary(desk.summary)
        self.duties.show_duties(desk.duties)
        self._show_agency(self.state.read(agency.agency_profile))
        self.welcome.setVisible(self.state.read(project_list.project_count) == 0)
        for button, action in zip(self.welcome.buttons, ("project.edit", "import"), strict=True):
            button.setEnabled(self.state.can(action))

    def new_project(self) -> None:
        """新建项目 on the projects page."""
        page = self.sibling("projects")
        self.navigate.emit("projects")
        if page is not None and hasattr(page, "new_project"):
            page.new_project()

    def import_projects(self) -> None:
        from desktop.ui import exchange_dialogs  # the import stack loads on first use

        exchange_dialogs.import_excel(self, self.state, "projects")

    def _show_summary(self, summary: dashboard.Summary) -> None:
        self.summary = summary
        for card in self.cards_by_key.values():
            self.cards.removeWidget(card)
            card.hide()
            card.deleteLater()
        self.cards_by_key.clear()
        for index, item in enumerate(summary.items):
            card = CountCard(f"{item.count:,}\n{label_of(item)}")
            card.setObjectName(f"card_{item.key}")
            if item.basis:  # the notice's own words; the rule's id is for code and tests only
                card.setToolTip(QCoreApplication.translate("DashboardPage", "依据：{rule}").format(
                    rule=i18n.service_text(item.basis)))
            # the labels are long: let a narrow window clip them rather than grow past the screen
            card.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            card.setMinimumSize(150, 72)
            accent = "#d32f2f" if item.count and item.key in URGENT else (
                "#f57c00" if item.count else "#66bb6a")
            card.setStyleSheet(CARD_STYLE.format(accent=accent))
            target = TARGET_PAGES.get(item.target) or OWN_LISTS.get(item.target)
            card.setEnabled(target is not None)
            if target is not None:
                card.clicked.connect(lambda _c=False, i=item: self.open_item(i))
            self.cards.addWidget(card, index // COLUMNS, index % COLUMNS)
            self.cards_by_key[item.key] = card

    def open_item(self, item: dashboard.Item) -> None:
        """Show the list behind a count: the target page, filtered to what was counted."""
        if item.target in OWN_LISTS:
            self.open_unsubmitted(item)
            return
        target = TARGET_PAGES.get(item.target)
        if target is None:
            return
        page = self.sibling(target)
        if item.target == "hazards" and page is not None:
            if item.key in HAZARD_FILTERS:
                assert isinstance(page, ShowsFilter), page
                page.show_filter(HAZARD_FILTERS[item.key])
            else:
                assert isinstance(page, ShowsIds), page
                page.show_ids(item.ids, label_of(item))
        elif isinstance(page, ShowsIds):
            page.show_ids(item.ids, label_of(item))
        self.navigate.emit(target)

    def sibling(self, key: str) -> Page | None:
        """Another page of the same window (the pages share the main window's stack)."""
        window = self.window()
        if isinstance(window, PageHost):  # the main window builds a page on its first use
            try:
                return window.page(key)
            except KeyError:
                return None
        parent = self.parentWidget()
        if parent is None:
            return None
        for page in parent.findChildren(Page, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if page.key == key:
                return page
        return None

    def _show_agency(self, profile: agency.AgencyRow | None) -> None:
        while self.agency_form.rowCount():
            self.agency_form.removeRow(0)
        if profile is None:
            missing = QCoreApplication.translate("DashboardPage", "尚未登记机构信息。")
            self.agency_form.addRow(QLabel(missing))
            return
        for caption, value in (
            (QCoreApplication.translate("DashboardPage", "机构名称"), profile.name),
            (QCoreApplication.translate("DashboardPage", "简称"), profile.short_name),
            (QCoreApplication.translate("DashboardPage", "统一社会信用代码"), profile.credit_code),
            (QCoreApplication.translate("DashboardPage", "地址"), profile.address),
            (QCoreApplication.translate("DashboardPage", "电话"), profile.phone),
        ):
            if value:
                shown = QLabel(value)
                shown.setWordWrap(True)  # a long name or address wraps in the narrow box
                self.agency_form.addRow(caption, shown)
