"""The 项目 page: the agency's projects, filtered in SQL; Enter opens a project's file in place."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import ProjectStatus, RiskLevel
from desktop.services.context import Changes
from desktop.services.queries import project_list
from desktop.services.queries.project_list import UNASSESSED, ProjectFilter, ProjectListRow
from desktop.ui import dialogs, i18n
from desktop.ui.app_state import AppState
from desktop.ui.empty_hint import EmptyHint
from desktop.ui.lazy_model import CENTER, ID_ROLE, RIGHT, Column, LazyTableModel
from desktop.ui.pages.base import Page
from desktop.ui.project_dialog import ProjectDialog, plain_table, shrinkable
from desktop.ui.project_page import ProjectPage
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.widgets import ErrorLabel, Heading

SEARCH_DELAY_MS = 400


def risk_text(row: ProjectListRow) -> str:
    if row.risk_level is None:
        return QCoreApplication.translate("ProjectsPage", "未评定")
    return i18n.label(RiskLevel(row.risk_level))


def hazards_text(row: ProjectListRow) -> str:
    if row.overdue_hazards:
        return QCoreApplication.translate("ProjectsPage", "{n}（逾期 {late}）").format(
            n=row.open_hazards, late=row.overdue_hazards)
    return str(row.open_hazards)


class ProjectColumn(IntEnum):
    CODE = 0
    NAME = 1
    STATUS = 2
    RISK = 3
    DISTRICT = 4
    HAZARDS = 5
    LAST_INSPECTION = 6
    INSURER = 7
    AUTHORITY = 8
    CONTRACTOR = 9


PROJECT_COLUMNS: dict[ProjectColumn, Column[ProjectListRow]] = {
    ProjectColumn.CODE: Column(QT_TRANSLATE_NOOP("Columns", "项目编号"), lambda r: r.code, sort_key="code"),
    ProjectColumn.NAME: Column(QT_TRANSLATE_NOOP("Columns", "项目名称"), lambda r: r.name, sort_key="name"),
    ProjectColumn.STATUS: Column(QT_TRANSLATE_NOOP("Columns", "状态"),
                                 lambda r: i18n.label(ProjectStatus(r.status)), CENTER, sort_key="status"),
    ProjectColumn.RISK: Column(QT_TRANSLATE_NOOP("Columns", "风险等级"), risk_text, CENTER,
                               sort_key="risk_level"),
    ProjectColumn.DISTRICT: Column(QT_TRANSLATE_NOOP("Columns", "区县"), lambda r: r.district, CENTER,
                                   sort_key="district"),
    ProjectColumn.INSURER: Column(QT_TRANSLATE_NOOP("Columns", "承保机构"), lambda r: r.insurer),
    ProjectColumn.AUTHORITY: Column(QT_TRANSLATE_NOOP("Columns", "属地主管部门"), lambda r: r.authority),
    ProjectColumn.HAZARDS: Column(QT_TRANSLATE_NOOP("Columns", "未销项隐患"), hazards_text, RIGHT),
    ProjectColumn.LAST_INSPECTION: Column(QT_TRANSLATE_NOOP("Columns", "最近检查"),
                                          lambda r: r.last_inspection, CENTER),
    ProjectColumn.CONTRACTOR: Column(QT_TRANSLATE_NOOP("Columns", "施工单位"), lambda r: r.contractor),
}


RISK_COLOURS = {"high": QColor("#c62828"), "medium": QColor("#e65100"), "low": QColor("#1565c0"),
                "": QColor("#90a4ae")}  # not yet assessed
OVERDUE_COLOUR = QColor("#c62828")


class ProjectTableModel(LazyTableModel[ProjectListRow]):
    """The project list: the risk level in its colour, overdue hazards in red."""

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.ForegroundRole or not index.isValid():
            return super().data(index, role)
        row = self.row_at(index.row())
        if row is None:
            return None
        if index.column() == ProjectColumn.RISK:
            return RISK_COLOURS.get(row.risk_level or "")
        if index.column() == ProjectColumn.HAZARDS and row.overdue_hazards:
            return OVERDUE_COLOUR
        return None


class ProjectsPage(Page):
    key = "projects"
    title_source = QT_TRANSLATE_NOOP("Pages", "项目")

    error: ErrorLabel  # made below the table, whose fetch failures it shows

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.sort_key, self.descending = "code", False
        self.model = ProjectTableModel(
            ProjectColumn, PROJECT_COLUMNS, on_sort=self._sort, page_size=100,
            fetch_rows=lambda ids: self.state.read(project_list.rows_by_ids, ids))
        self.table = plain_table(self.model, "projectTable")
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(ProjectColumn.CODE, Qt.SortOrder.AscendingOrder)
        for column, width in ((ProjectColumn.CODE, 115), (ProjectColumn.NAME, 250), (ProjectColumn.STATUS, 50),
                              (ProjectColumn.RISK, 75), (ProjectColumn.DISTRICT, 70),
                              (ProjectColumn.HAZARDS, 95), (ProjectColumn.LAST_INSPECTION, 90),
                              (ProjectColumn.INSURER, 190), (ProjectColumn.AUTHORITY, 160)):
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(lambda _i: self.open_current())
        self.model.fetch_failed.connect(lambda message: self.error.show_message(message))
        self.search = QLineEdit()
        self.search.setObjectName("projectSearch")
        self.search.setPlaceholderText(QCoreApplication.translate("ProjectsPage", "搜索项目编号、名称或地址"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(120)
        self.insurer, self.district, self.authority = QComboBox(), QComboBox(), QComboBox()
        self.status, self.risk = QComboBox(), QComboBox()
        self.status.addItem(QCoreApplication.translate("ProjectsPage", "全部状态"), "")
        for status in ProjectStatus:
            self.status.addItem(i18n.label(status), status.value)
        self.risk.addItem(QCoreApplication.translate("ProjectsPage", "全部风险等级"), "")
        for level in RiskLevel:
            self.risk.addItem(i18n.label(level), level.value)
        self.risk.addItem(QCoreApplication.translate("ProjectsPage", "未评定"), UNASSESSED)
        for combo in (self.insurer, self.district, self.authority, self.status, self.risk):
            shrinkable(combo)
        self.count_label = QLabel()
        self.count_label.setObjectName("projectCount")
        self.error = ErrorLabel()
        self.new_button = QPushButton(QCoreApplication.translate("ProjectsPage", "新建项目(&N)…"))
        self.new_button.setEnabled(state.can("project.edit"))
        state.actor_changed.connect(self._actor_changed)
        self.new_button.clicked.connect(self.new_project)
        self._typing = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._typing.timeout.connect(self.reload)
        self.search.textChanged.connect(self._typing.start)
        self.search.returnPressed.connect(self.reload)
        for combo in (self.insurer, self.district, self.authority, self.status, self.risk):
            combo.currentIndexChanged.connect(self.reload)
        self.import_button = QPushButton(QCoreApplication.translate("ProjectsPage", "从 Excel 导入…"))
        self.import_button.setObjectName("importProjects")
        self.import_button.clicked.connect(self.import_projects)
        self.package_button = QPushButton(QCoreApplication.translate("ProjectsPage", "导出评审资料包…"))
        self.package_button.setObjectName("exportPackage")
        self.package_button.clicked.connect(self.export_package)
        self.empty_hint = EmptyHint(
            self.table, QCoreApplication.translate(
                "ProjectsPage", "还没有项目。新建第一个在保项目，或从 Excel 导入项目及保单清单；"
                "之后即可安排检查、登记隐患。"),
            [(QCoreApplication.translate("ProjectsPage", "新建项目…"), "hintNewProject",
              self.new_project),
             (QCoreApplication.translate("ProjectsPage", "从 Excel 导入…"), "hintImportProjects",
              self.import_projects)],
            filtered=self.is_filtered,
            filtered_text=QCoreApplication.translate(
                "ProjectsPage", "没有符合搜索或筛选条件的项目。清除搜索词或把筛选改回“全部”再看。"))
        self._actor_changed(None)
        self.detail = ProjectPage(state)
        self.detail.back.connect(self.show_list)
        self.stack = QStackedWidget()
        self.stack.addWidget(self._list_view())
        self.stack.addWidget(self.detail)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)


    def _actor_changed(self, _actor: object) -> None:
        self.new_button.setEnabled(self.state.can("project.edit"))
        self.import_button.setVisible(self.state.can("import"))
        self.package_button.setVisible(self.state.can("export"))
        for button, action in zip(self.empty_hint.buttons, ("project.edit", "import"), strict=True):
            button.setEnabled(self.state.can(action))

    def is_filtered(self) -> bool:
        """Whether a search or a filter (not the data) leaves the list empty."""
        return bool(self.search.text().strip()) or any(
            combo.currentIndex() > 0
            for combo in (self.insurer, self.district, self.authority, self.status, self.risk))

    def import_projects(self) -> None:
        from desktop.ui import exchange_dialogs  # the import stack loads on first use

        exchange_dialogs.import_excel(self, self.state, "projects")

    def export_package(self) -> None:
        from desktop.ui import exchange_dialogs  # the packaging stack loads on first use

        exchange_dialogs.export_package(self, self.state)
    def _list_view(self) -> QWidget:
        view = QWidget()
        head = QHBoxLayout()
        head.addWidget(Heading(self.title()))
        head.addStretch(1)
        head.addWidget(self.package_button)
        head.addWidget(self.import_button)
        head.addWidget(self.new_button)
        bar = QHBoxLayout()
        bar.addWidget(self.search, 2)
        for widget in (self.insurer, self.district, self.authority, self.status, self.risk):
            bar.addWidget(widget, 1)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        layout = QVBoxLayout(view)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addLayout(bar)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        return view

    # -- the list -----------------------------------------------------------------------------

    def current_filter(self) -> ProjectFilter:
        status, risk = self.status.currentData(), self.risk.currentData()
        return ProjectFilter(text=self.search.text().strip(), insurer_id=self.insurer.currentData(),
                             authority_id=self.authority.currentData(),
                             district=self.district.currentData() or "",
                             statuses=frozenset({status}) if status else frozenset(),
                             risk_levels=frozenset({risk}) if risk else frozenset())

    def wants(self, changes: Changes) -> bool:
        return any((changes.projects, changes.hazards, changes.inspections, changes.training,
                    changes.documents, changes.archive))

    def refresh(self) -> None:
        self._typing.stop()
        self.error.show_message("")
        self._fill_options()
        ids = self.state.read(project_list.project_ids, self.current_filter(), sort=self.sort_key,
                              descending=self.descending)
        self.model.set_ids(ids)
        self.count_label.setText(QCoreApplication.translate("ProjectsPage", "共 {n} 个项目").format(
            n=f"{len(ids):,}"))
        if self.stack.currentWidget() is self.detail:
            self.detail.refresh()

    def _fill_options(self) -> None:
        options = self.state.read(project_list.filter_options)
        for combo, everything, items in (
                (self.insurer, QCoreApplication.translate("ProjectsPage", "全部承保机构"), options.insurers),
                (self.district, QCoreApplication.translate("ProjectsPage", "全部区县"),
                 tuple((d, d) for d in options.districts)),
                (self.authority, QCoreApplication.translate("ProjectsPage", "全部主管部门"), options.authorities)):
            chosen = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, None)
            for value, text in items:
                combo.addItem(text, value)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.blockSignals(False)

    def _sort(self, column: IntEnum, order: Qt.SortOrder) -> None:
        key = self.model.sort_key(column) or self.sort_key
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self.sort_key, self.descending):
            self.sort_key, self.descending = key, descending
            self.reload_when_shown()

    # -- the detail ---------------------------------------------------------------------------

    @property
    def open_project_id(self) -> int | None:
        """The project whose file is on screen (None while the list shows)."""
        return self.detail.project_id if self.stack.currentWidget() is self.detail else None

    def open_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.open_project(self.model.data(index, ID_ROLE))

    def open_project(self, project_id: int) -> None:
        try:
            self.detail.load(project_id)
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
            return
        self.stack.setCurrentWidget(self.detail)
        self.detail.tabs.setFocus()

    def show_list(self) -> None:
        self.stack.setCurrentIndex(0)
        row = self.model.row_of(self.detail.project_id or 0)
        if row >= 0:
            self.table.selectRow(row)
        self.table.setFocus()

    def new_project(self) -> None:
        dialog = ProjectDialog(self.state, parent=self)
        if dialogs.run(dialog) and dialog.saved is not None:
            self.reload()
            self.open_project(dialog.saved.id)

    # -- layout memory ----------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("header", self.table.horizontalHeader().saveState())
        self.detail.save_state(settings)

    def restore_state(self, settings: QSettings) -> None:
        self.detail.restore_state(settings)
        state = settings.value("header")
        header = self.table.horizontalHeader()
        if state is None or not header.restoreState(state):
            return
        section = header.sortIndicatorSection()
        if section in list(ProjectColumn):
            self.sort_key = self.model.sort_key(ProjectColumn(section)) or self.sort_key
            self.descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
