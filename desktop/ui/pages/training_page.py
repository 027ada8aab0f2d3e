"""The 培训与演练 page: training sessions (filtered in SQL), each project's half-year status
the half-year rules on training, emergency-plan help and drills with their evaluation, and the
training and drill records printed as document drafts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services import training
from desktop.services.context import Changes, now
from desktop.services.queries import training_view
from desktop.services.queries.training_view import (
    AssistListRow,
    DrillListRow,
    HalfYearRow,
    ProjectChoice,
    SessionFilter,
    SessionListRow,
)
from desktop.ui import dialogs
from desktop.ui.app_state import AppState
from desktop.ui.catalogue_picker import MemoryTableModel
from desktop.ui.i18n import service_text
from desktop.ui.lazy_model import CENTER, ID_ROLE, RIGHT, ROW_ROLE, Column, E, LazyTableModel
from desktop.ui.pages.base import Page
from desktop.ui.project_dialog import plain_table
from desktop.ui.settings_values import int_value
from desktop.ui.training_dialogs import (
    ASSIST_TEXT,
    BASIS_TEXT,
    RATING_TEXT,
    AssistDialog,
    DeleteSessionDialog,
    DrillDialog,
    EvaluateDrillDialog,
    PlanDialog,
    SessionDialog,
    button,
    choice_texts,
    compact,
    draft_document,
    project_combo,
)
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.widgets import ErrorLabel, Heading, widget_as

SEARCH_DELAY_MS = 400
GOOD, BAD = QColor("#2e7d32"), QColor("#c62828")


def met_text(ok: bool) -> str:
    if ok:
        return QCoreApplication.translate("TrainingPage", "达标")
    return QCoreApplication.translate("TrainingPage", "未达标")


def share_text(done: int, head: int, percent: float | None) -> str:
    return f"{done} / {head}" + ("" if percent is None else f"（{percent:g}%）")


def dialog_text(text: str) -> str:
    return QCoreApplication.translate("TrainingDialogs", text)


class SessionColumn(IntEnum):
    DATE, TOPIC, PROJECTS, MANAGERS, WORKERS, CATEGORIES, TRAINER, HOURS, CENTRALIZED = range(9)


SESSION_COLUMNS: dict[SessionColumn, Column[SessionListRow]] = {
    SessionColumn.DATE: Column(QT_TRANSLATE_NOOP("Columns", "培训日期"), lambda r: r.date, CENTER,
                               "date"),
    SessionColumn.TOPIC: Column(QT_TRANSLATE_NOOP("Columns", "培训主题"), lambda r: r.topic,
                                sort_key="topic"),
    SessionColumn.PROJECTS: Column(QT_TRANSLATE_NOOP("Columns", "参训项目"), lambda r: r.projects),
    SessionColumn.MANAGERS: Column(QT_TRANSLATE_NOOP("Columns", "管理人员"), lambda r: r.managers,
                                   RIGHT),
    SessionColumn.WORKERS: Column(QT_TRANSLATE_NOOP("Columns", "作业人员"), lambda r: r.workers,
                                  RIGHT),
    SessionColumn.CATEGORIES: Column(QT_TRANSLATE_NOOP("Columns", "针对类别"),
                                     lambda r: "、".join(r.categories)),
    SessionColumn.TRAINER: Column(QT_TRANSLATE_NOOP("Columns", "授课人"), lambda r: r.trainer,
                                  sort_key="trainer"),
    SessionColumn.HOURS: Column(QT_TRANSLATE_NOOP("Columns", "学时"),
                                lambda r: f"{r.duration_hours:g}", RIGHT),
    SessionColumn.CENTRALIZED: Column(QT_TRANSLATE_NOOP("Columns", "集中培训"),
                                      lambda r: r.centralized, CENTER),
}


class HalfColumn(IntEnum):
    CODE, NAME, BASIS, SESSIONS, MANAGERS, WORKERS = range(6)
    FREQUENCY, COVERAGE, TARGETED, CATEGORIES = range(6, 10)


HALF_COLUMNS: dict[HalfColumn, Column[HalfYearRow]] = {
    HalfColumn.CODE: Column(QT_TRANSLATE_NOOP("Columns", "项目编号"), lambda r: r.code),
    HalfColumn.NAME: Column(QT_TRANSLATE_NOOP("Columns", "项目名称"), lambda r: r.name),
    HalfColumn.BASIS: Column(QT_TRANSLATE_NOOP("Columns", "培训依据"), lambda r: dialog_text(
        BASIS_TEXT.get(r.status.basis, r.status.basis))),
    HalfColumn.SESSIONS: Column(QT_TRANSLATE_NOOP("Columns", "已培训/应培训"), lambda r: (
        f"{len(r.status.session_ids)} / {r.status.required_sessions}"), CENTER),
    HalfColumn.MANAGERS: Column(QT_TRANSLATE_NOOP("Columns", "管理人员覆盖（按人）"), lambda r: share_text(
        r.status.managers_trained, r.status.headcount_managers, r.status.percent("managers")),
        RIGHT),
    HalfColumn.WORKERS: Column(QT_TRANSLATE_NOOP("Columns", "作业人员覆盖（按人）"), lambda r: share_text(
        r.status.workers_trained, r.status.headcount_workers, r.status.percent("workers")), RIGHT),
    HalfColumn.FREQUENCY: Column(QT_TRANSLATE_NOOP("Columns", "频次"),
                                 lambda r: met_text(r.status.frequency_met), CENTER),
    HalfColumn.COVERAGE: Column(QT_TRANSLATE_NOOP("Columns", "全覆盖"),
                                lambda r: met_text(r.status.coverage_met), CENTER),
    HalfColumn.TARGETED: Column(QT_TRANSLATE_NOOP("Columns", "针对性"),
                                lambda r: met_text(r.status.targeted), CENTER),
    HalfColumn.CATEGORIES: Column(QT_TRANSLATE_NOOP("Columns", "近期隐患类别"),
                                  lambda r: "、".join(r.status.hazard_categories)),
}
HALF_FLAGS = {HalfColumn.FREQUENCY: lambda s: s.frequency_met,
              HalfColumn.COVERAGE: lambda s: s.coverage_met,
              HalfColumn.TARGETED: lambda s: s.targeted}


class AssistColumn(IntEnum):
    DATE, PROJECT, KIND, TITLE, SUMMARY = range(5)


ASSIST_COLUMNS: dict[AssistColumn, Column[AssistListRow]] = {
    AssistColumn.DATE: Column(QT_TRANSLATE_NOOP("Columns", "日期"), lambda r: r.date, CENTER),
    AssistColumn.PROJECT: Column(QT_TRANSLATE_NOOP("Columns", "项目"), lambda r: r.project_name),
    AssistColumn.KIND: Column(QT_TRANSLATE_NOOP("Columns", "协助方式"), lambda r: dialog_text(
        ASSIST_TEXT.get(r.kind, r.kind_label))),
    AssistColumn.TITLE: Column(QT_TRANSLATE_NOOP("Columns", "应急预案名称"), lambda r: r.title),
    AssistColumn.SUMMARY: Column(QT_TRANSLATE_NOOP("Columns", "主要建议"),
                                 lambda r: r.summary.replace("\n", " ")),
}


class DrillColumn(IntEnum):
    DATE, PROJECT, SCENARIO, PARTICIPANTS, ORGANISER, EVALUATED, RATING = range(7)


def evaluated_text(row: DrillListRow) -> str:
    if row.evaluated:
        return QCoreApplication.translate("TrainingPage", "已评估")
    return QCoreApplication.translate("TrainingPage", "待评估")


DRILL_COLUMNS: dict[DrillColumn, Column[DrillListRow]] = {
    DrillColumn.DATE: Column(QT_TRANSLATE_NOOP("Columns", "演练日期"), lambda r: r.date, CENTER),
    DrillColumn.PROJECT: Column(QT_TRANSLATE_NOOP("Columns", "项目"), lambda r: r.project_name),
    DrillColumn.SCENARIO: Column(QT_TRANSLATE_NOOP("Columns", "演练科目"), lambda r: r.scenario),
    DrillColumn.PARTICIPANTS: Column(QT_TRANSLATE_NOOP("Columns", "参演人数"),
                                     lambda r: r.participants, RIGHT),
    DrillColumn.ORGANISER: Column(QT_TRANSLATE_NOOP("Columns", "组织单位/负责人"),
                                  lambda r: r.organiser),
    DrillColumn.EVALUATED: Column(QT_TRANSLATE_NOOP("Columns", "成效评估"), evaluated_text, CENTER),
    DrillColumn.RATING: Column(QT_TRANSLATE_NOOP("Columns", "评价等级"), lambda r: dialog_text(
        RATING_TEXT[r.rating]) if r.rating in RATING_TEXT else "", CENTER),
}


class ColouredTableModel(MemoryTableModel[Any]):
    """Rows in memory; `colour(row, column)` gives a cell's text colour (met green, not met red)."""

    def __init__(self, columns: type[E], specs: Mapping[E, Column[Any]],
                 colour: Callable[[Any, int], QColor | None], **kwargs: Any) -> None:
        super().__init__(columns, specs, **kwargs)
        self._colour = colour

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.ForegroundRole or not index.isValid():
            return super().data(index, role)
        row = self.row_at(index.row())
        return None if row is None else self._colour(row, index.column())


def half_colour(row: HalfYearRow, column: int) -> QColor | None:
    flag = HALF_FLAGS.get(HalfColumn(column))
    return None if flag is None else (GOOD if flag(row.status) else BAD)


def drill_colour(row: DrillListRow, column: int) -> QColor | None:
    return (GOOD if row.evaluated else BAD) if column == DrillColumn.EVALUATED else None


def set_widths(table: QTableView, widths: tuple[int, ...]) -> None:
    """The widths given, each widened to its header's text in the font on screen (never cut)."""
    header = table.horizontalHeader()
    for column, width in enumerate(widths):
        table.setColumnWidth(column, max(width, header.sectionSizeHint(column)))


class TrainingPage(Page):
    key = "training"
    title_source = QT_TRANSLATE_NOOP("Pages", "培训与演练")
    TABS = ("sessions", "halves", "assists", "drills")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.choices: list[ProjectChoice] = []
        self._pending_drill: int | None = None  # selected once the drills are loaded
        self.sort_key, self.descending = "date", True
        self.half_periods = training_view.halves(now().date())
        self._filters()
        self.count_label = QLabel()
        self.error = ErrorLabel()
        self.new_button = button(QCoreApplication.translate("TrainingPage", "登记培训(&N)…"),
                                 self.new_session, "newSession")
        self.sessions = LazyTableModel(
            SessionColumn, SESSION_COLUMNS, on_sort=self._sort,
            fetch_rows=lambda ids: self.state.read(training_view.session_rows, ids))
        self.sessions.fetch_failed.connect(self.error.show_message)
        self.halves = ColouredTableModel(HalfColumn, HALF_COLUMNS, half_colour)
        self.assists = MemoryTableModel(AssistColumn, ASSIST_COLUMNS)
        self.drills = ColouredTableModel(DrillColumn, DRILL_COLUMNS, drill_colour)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("trainingTabs")
        self.half_caption = QLabel()
        self.half_caption.setWordWrap(True)
        self._tables()
        self._layout()
        self.tabs.currentChanged.connect(lambda _i: self._show_count())
        state.actor_changed.connect(lambda _a: self._enable())
        self._enable()

    def _filters(self) -> None:
        self.project = project_combo(
            [], everything=QCoreApplication.translate("TrainingPage", "全部项目"))
        self.project.setObjectName("trainingProject")
        compact(self.project, 10).setMinimumWidth(0)
        self.half = QComboBox()
        self.half.setObjectName("trainingHalf")
        self.half.addItem(QCoreApplication.translate("TrainingPage", "全部期间"), "")
        for half in self.half_periods:
            self.half.addItem(service_text(half.chinese), half.label)
        self.half.setCurrentIndex(1)
        compact(self.half, 7)
        self.search = QLineEdit()
        self.search.setPlaceholderText(
            QCoreApplication.translate("TrainingPage", "搜索培训主题、授课人、地点或类别"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(120)
        self.centralized = QCheckBox(QCoreApplication.translate("TrainingPage", "仅集中培训"))
        self._typing = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._typing.timeout.connect(self.reload)
        self.search.textChanged.connect(self._typing.start)
        self.search.returnPressed.connect(self.reload)
        for combo in (self.project, self.half):
            combo.currentIndexChanged.connect(self.reload_when_shown)
        self.centralized.toggled.connect(self.reload_when_shown)

    def _tables(self) -> None:
        def tr(text: str) -> str:
            return QCoreApplication.translate("TrainingPage", text)

        self.session_table = self._tab(self.sessions, "sessionTable", tr(QT_TRANSLATE_NOOP(
            "TrainingPage", "培训记录")), [
            button(tr(QT_TRANSLATE_NOOP("TrainingPage", "编辑(&E)…")), self.edit_session,
                   "editSession"),
            button(tr(QT_TRANSLATE_NOOP("TrainingPage", "删除(&D)…")), self.delete_session,
                   "deleteSession"),
            button(tr(QT_TRANSLATE_NOOP("TrainingPage", "打印培训记录(&P)")), self.print_session,
                   "printSession")])
        self.half_table = self._tab(self.halves, "halfTable", tr(QT_TRANSLATE_NOOP(
            "TrainingPage", "半年度培训情况")), [
            button(tr(QT_TRANSLATE_NOOP("TrainingPage", "培训计划(&L)…")), self.edit_plan,
                   "editPlan")], self.half_caption)
        self.assist_table = self._tab(self.assists, "assistTable", tr(QT_TRANSLATE_NOOP(
            "TrainingPage", "应急预案协助")), [
            button(tr(QT_TRANSLATE_NOOP("TrainingPage", "登记协助(&H)…")), self.new_assist,
                   "newAssist"),
            button(tr(QT_TRANSLATE_NOOP("TrainingPage", "打印编制建议书(&G)")), self.print_assist,
                   "printAssist")])
        self.drill_table = self._tab(self.drills, "drillTable", tr(QT_TRANSLATE_NOOP(
            "TrainingPage", "应急演练")), [
            button(tr(QT_TRANSLATE_NOOP("TrainingPage", "登记演练(&R)…")), self.new_drill,
                   "newDrill"),
            button(tr(QT_TRANSLATE_NOOP("TrainingPage", "演练评估(&V)…")), self.evaluate_drill,
                   "evaluateDrill"),
            button(tr(QT_TRANSLATE_NOOP("TrainingPage", "打印演练记录(&T)")), self.print_drill,
                   "printDrill")])
        self.session_table.setSortingEnabled(True)
        self.session_table.horizontalHeader().setSortIndicator(SessionColumn.DATE,
                                                               Qt.SortOrder.DescendingOrder)
        self.session_table.activated.connect(lambda _i: self.edit_session())
        self.drill_table.activated.connect(lambda _i: self.evaluate_drill())
        self.half_table.activated.connect(lambda _i: self.edit_plan())
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.session_table,
                  self.delete_session, context=Qt.ShortcutContext.WidgetShortcut)
        set_widths(self.session_table, (90, 200, 200, 64, 64, 130, 70, 44))
        set_widths(self.half_table, (100, 200, 110, 95, 120, 130, 72, 72, 72))
        set_widths(self.assist_table, (90, 220, 120, 220))
        set_widths(self.drill_table, (90, 220, 140, 70, 140, 80))

    def _tab(self, model: LazyTableModel[Any], name: str, title: str, buttons: list[QPushButton],
             caption: QLabel | None = None) -> QTableView:
        table = plain_table(model, name)
        page = QWidget()
        bar = QHBoxLayout()
        if caption is not None:
            bar.addWidget(caption, 1)
        else:
            bar.addStretch(1)
        for widget in buttons:
            bar.addWidget(widget)
        layout = QVBoxLayout(page)
        layout.addLayout(bar)
        layout.addWidget(table, 1)
        self.tabs.addTab(page, title)
        return table

    def _layout(self) -> None:
        head = QHBoxLayout()
        head.addWidget(Heading(self.title()))
        head.addStretch(1)
        head.addWidget(self.count_label)
        head.addWidget(self.new_button)
        bar = QHBoxLayout()
        for label, widget in ((QT_TRANSLATE_NOOP("TrainingPage", "项目(&J)"), self.project),
                              (QT_TRANSLATE_NOOP("TrainingPage", "期间(&Q)"), self.half)):
            caption = QLabel(QCoreApplication.translate("TrainingPage", label))
            caption.setBuddy(widget)
            bar.addWidget(caption)
            bar.addWidget(widget)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.centralized)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(bar)
        layout.addWidget(self.error)
        layout.addWidget(self.tabs, 1)

    def _enable(self) -> None:
        train, drill = self.state.can("training.edit"), self.state.can("drill.edit")
        draft = self.state.can("document.draft")
        for name, allowed in (("newSession", train), ("editSession", train),
                              ("deleteSession", train), ("editPlan", train), ("newAssist", drill),
                              ("newDrill", drill), ("evaluateDrill", drill),
                              ("printSession", draft), ("printDrill", draft)):
            widget_as(self.findChild(QPushButton, name), QPushButton).setEnabled(allowed)

    # -- loading ----------------------------------------------------------------------------

    def wants(self, changes: Changes) -> bool:
        return changes.training or changes.projects or changes.hazards

    @property
    def project_id(self) -> int | None:
        chosen: int | None = self.project.currentData()
        return chosen

    def current_filter(self) -> SessionFilter:
        label = self.half.currentData()
        half = next((p for p in self.half_periods if p.label == label), None)
        return SessionFilter(self.project_id, half.start if half else None,
                             half.end if half else None, self.search.text().strip(),
                             self.centralized.isChecked())

    def shown_half(self) -> str:
        """The half-year the status tab shows: the one chosen, else the current one."""
        return self.half.currentData() or self.half_periods[0].label

    def refresh(self) -> None:
        self._typing.stop()
        self.error.show_message("")
        self._fill_projects()
        self.sessions.set_ids(self.state.read(
            training_view.session_ids, self.current_filter(), sort=self.sort_key,
            descending=self.descending))
        half = next(p for p in self.half_periods if p.label == self.shown_half())
        rows = self.state.read(training_view.half_year_rows, half, project_id=self.project_id)
        self.halves.set_rows(rows)
        period = self.current_filter()  # the help given in the period chosen, as the sessions
        self.assists.set_rows(self.state.read(training_view.assist_rows,
                                              project_id=self.project_id, start=period.start,
                                              end=period.end))
        self.drills.set_rows(self.state.read(training_view.drill_rows, project_id=self.project_id))
        short = sum(1 for r in rows if not (
            r.status.frequency_met and r.status.coverage_met and r.status.targeted))
        self.half_caption.setText(QCoreApplication.translate(
            "TrainingPage",
            "{half}：{n} 个在服务项目，{short} 个未全部达标（频次、全覆盖、针对性）。覆盖按人计，"
            "同一人只计一次：有身份证号按身份证号，否则按姓名加电话，再否则按姓名。").format(
            half=service_text(half.chinese), n=len(rows), short=short))
        self._show_count()
        if self._pending_drill is not None:
            self._select(self.drill_table, self.drills, self._pending_drill)
            self._pending_drill = None

    def _show_count(self) -> None:
        """What the tab on screen lists, counted."""
        tab = self.TABS[max(0, self.tabs.currentIndex())]
        if tab == "sessions":
            text = QCoreApplication.translate("TrainingPage", "共 {n} 次培训").format(
                n=self.sessions.rowCount())
        elif tab == "halves":
            text = QCoreApplication.translate("TrainingPage", "共 {n} 个项目").format(
                n=self.halves.rowCount())
        elif tab == "assists":
            text = QCoreApplication.translate("TrainingPage", "共 {n} 条协助记录").format(
                n=self.assists.rowCount())
        else:
            waiting = sum(1 for r in self.drills.rows() if not r.evaluated)
            text = QCoreApplication.translate("TrainingPage", "共 {n} 次演练，{k} 次待评估").format(
                n=self.drills.rowCount(), k=waiting)
        self.count_label.setText(text)

    def _fill_projects(self) -> None:
        self.choices = self.state.read(training_view.project_choices)
        chosen = self.project.currentData()
        self.project.blockSignals(True)
        while self.project.count() > 1:
            self.project.removeItem(1)
        for value, text in choice_texts(self.choices):
            self.project.addItem(text, value)
        self.project.setCurrentIndex(max(0, self.project.findData(chosen)))
        self.project.blockSignals(False)

    def _sort(self, column: IntEnum, order: Qt.SortOrder) -> None:
        key = self.sessions.sort_key(column) or self.sort_key
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self.sort_key, self.descending):
            self.sort_key, self.descending = key, descending
            self.reload_when_shown()

    # -- reached from elsewhere (the compliance page's gaps) ----------------------------------

    def show_project(self, project_id: int | None, tab: str = "halves") -> None:
        """Filter every tab to the project; show one tab (sessions, halves, assists, drills)."""
        if not self.choices:
            self._fill_projects()
        self.project.blockSignals(True)  # one reload below, not one per change
        self.project.setCurrentIndex(max(0, self.project.findData(project_id)))
        self.project.blockSignals(False)
        self.tabs.setCurrentIndex(self.TABS.index(tab))
        self.reload_when_shown()

    def show_drill(self, drill_id: int) -> None:
        """The drills tab, filtered to the drill's project, with the drill selected."""
        rows = self.state.read(training_view.drill_rows, ids=[drill_id])
        self._pending_drill = drill_id
        self.show_project(rows[0].project_id if rows else None, "drills")

    @staticmethod
    def _select(table: QTableView, model: LazyTableModel[Any], row_id: int) -> None:
        row = model.row_of(row_id)
        if row >= 0:
            table.selectRow(row)
            table.setFocus()

    # -- acting -----------------------------------------------------------------------------

    @staticmethod
    def _current(table: QTableView) -> Any:
        index = table.currentIndex()
        return table.model().data(index, ROW_ROLE) if index.isValid() else None

    def _session(self) -> training.SessionRow | None:
        index = self.session_table.currentIndex()
        if not index.isValid():
            return None
        return self.state.read(training.get_session, self.sessions.data(index, ID_ROLE))

    def new_session(self) -> None:
        dialogs.run(SessionDialog(self.state, self.choices, project_id=self.project_id,
                                  parent=self))

    def edit_session(self) -> None:
        row = self._session()
        if row is not None:
            dialogs.run(SessionDialog(self.state, self.choices, row=row, parent=self))

    def delete_session(self) -> None:
        row = self._session()
        if row is not None:
            dialogs.run(DeleteSessionDialog(self.state, row, parent=self))

    def print_session(self) -> None:
        index = self.session_table.currentIndex()
        if index.isValid():
            draft_document(self, self.state, kind="training_record", scope_type="training",
                           scope_id=self.sessions.data(index, ID_ROLE))

    def edit_plan(self) -> None:
        row: HalfYearRow | None = self._current(self.half_table)
        if row is not None:
            plan = self.state.read(training_view.plan_of, row.id)
            dialogs.run(PlanDialog(self.state, row, plan, parent=self))

    def new_assist(self) -> None:
        dialogs.run(AssistDialog(self.state, self.choices, self.project_id, parent=self))

    def print_assist(self) -> None:
        """应急预案编制建议书 of the chosen assistance record, drafted for signing."""
        row = self._current(self.assist_table)
        if row is not None:
            draft_document(self, self.state, kind="emergency_plan_advice",
                           scope_type="plan_assist", scope_id=row.id)

    def new_drill(self) -> None:
        dialogs.run(DrillDialog(self.state, self.choices, self.project_id, parent=self))

    def evaluate_drill(self) -> None:
        row: DrillListRow | None = self._current(self.drill_table)
        if row is not None:
            dialogs.run(EvaluateDrillDialog(self.state, row, parent=self))

    def print_drill(self) -> None:
        row: DrillListRow | None = self._current(self.drill_table)
        if row is not None:
            draft_document(self, self.state, kind="drill_record", scope_type="drill",
                           scope_id=row.id)

    # -- layout memory ----------------------------------------------------------------------

    def _named_tables(self) -> dict[str, QTableView]:
        return {"sessions": self.session_table, "halves": self.half_table,
                "assists": self.assist_table, "drills": self.drill_table}

    def save_state(self, settings: QSettings) -> None:
        for name, table in self._named_tables().items():
            settings.setValue(f"{name}/header", table.horizontalHeader().saveState())
        settings.setValue("tab", self.tabs.currentIndex())

    def restore_state(self, settings: QSettings) -> None:
        for name, table in self._named_tables().items():
            saved = settings.value(f"{name}/header")
            if saved is not None:
                table.horizontalHeader().restoreState(saved)
        self.tabs.setCurrentIndex(int_value(settings, "tab", 0))
        header = self.session_table.horizontalHeader()
        section = header.sortIndicatorSection()
        if section in list(SessionColumn):
            self.sort_key = self.sessions.sort_key(SessionColumn(section)) or self.sort_key
            self.descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
