"""One project's file in tabs (概况, 风险源, 服务方案, 检查记录, 隐患, 培训与演练, 文书, 档案)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping, Sequence
from enum import IntEnum
from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import QCoreApplication, QSettings, Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import ArchiveStatus, DocStatus, ProjectStatus, ProjectType, RiskLevel
from desktop.services import archive, documents, projects, risk, risk_watch, training
from desktop.services.context import Changes, now
from desktop.services.periods import half_of
from desktop.services.queries import inspection_list, project_list
from desktop.services.queries.inspection_list import InspectionFilter
from desktop.services.queries.register import RegisterFilter
from desktop.ui import dialogs, i18n, tasks
from desktop.ui.app_state import AppState
from desktop.ui.fee_ledger import FeeLedger
from desktop.ui.hazard_dialog import HazardDialog
from desktop.ui.inspection_dialog import InspectionDialog
from desktop.ui.lazy_model import CENTER, ID_ROLE, RIGHT, Column, E, LazyTableModel, R, display
from desktop.ui.meetings_panel import KickoffTab, StandardisationTab
from desktop.ui.pages.hazards_page import HazardColumn, HazardTable
from desktop.ui.pages.inspections_page import (
    INSPECTION_COLUMNS,
    INSPECTION_WIDTHS,
    InspectionColumn,
)
from desktop.ui.project_dialog import (
    FieldDialog,
    ProjectDialog,
    danger_status_label,
    memory_model,
    plain_table,
)
from desktop.ui.project_fact_dialogs import (
    ContactDialog,
    DangerItemDialog,
    PolicyDialog,
    StageDialog,
)
from desktop.ui.risk_sources_panel import RiskSourcesPanel
from desktop.ui.translatable import QT_TRANSLATE_NOOP

EMPTY_STYLE = "color: #78909c; padding: 6px 2px;"


def _plan_kind(r: project_list.ServicePlanRow) -> str:
    if r.kind == "special":
        return QCoreApplication.translate("ProjectPage", "专项服务方案")
    return QCoreApplication.translate("ProjectPage", "服务工作方案")


def _doc_status(status: str) -> str:
    return i18n.label(DocStatus(status)) if DocStatus.known(status) else status


class PlanColumn(IntEnum):
    KIND, REVISION, TITLE, STATUS, INTERVAL, CREATED = range(6)


PLAN_COLUMNS: dict[PlanColumn, Column[project_list.ServicePlanRow]] = {
    PlanColumn.KIND: Column(QT_TRANSLATE_NOOP("Columns", "类别"), _plan_kind),
    PlanColumn.REVISION: Column(QT_TRANSLATE_NOOP("Columns", "版本"), lambda r: r.revision, CENTER),
    PlanColumn.TITLE: Column(QT_TRANSLATE_NOOP("Columns", "标题"), lambda r: r.title),
    PlanColumn.STATUS: Column(QT_TRANSLATE_NOOP("Columns", "状态"), lambda r: _doc_status(r.status), CENTER),
    PlanColumn.INTERVAL: Column(QT_TRANSLATE_NOOP("Columns", "走访间隔（天）"),
                                lambda r: r.visit_interval_days, CENTER),
    PlanColumn.CREATED: Column(QT_TRANSLATE_NOOP("Columns", "编制时间"), lambda r: r.created_at, CENTER),
}


class DocColumn(IntEnum):
    NUMBER, KIND, TITLE, STATUS, CREATED, SIGNED = range(6)


DOC_COLUMNS: dict[DocColumn, Column[documents.DocumentRow]] = {
    DocColumn.NUMBER: Column(QT_TRANSLATE_NOOP("Columns", "文号"), lambda r: i18n.service_text(r.display_number)),
    DocColumn.KIND: Column(QT_TRANSLATE_NOOP("Columns", "类别"), lambda r: i18n.service_text(r.kind_label)),
    DocColumn.TITLE: Column(QT_TRANSLATE_NOOP("Columns", "标题"), lambda r: r.title),
    DocColumn.STATUS: Column(QT_TRANSLATE_NOOP("Columns", "状态"), lambda r: _doc_status(r.status), CENTER),
    DocColumn.CREATED: Column(QT_TRANSLATE_NOOP("Columns", "生成时间"), lambda r: r.created_at, CENTER),
    DocColumn.SIGNED: Column(QT_TRANSLATE_NOOP("Columns", "签发"),
                             lambda r: f"{r.signed_by} {r.signed_at:%Y-%m-%d}" if r.signed_at else ""),
}


class ArchiveColumn(IntEnum):
    TITLE, TYPE, MEDIUM, PAGES, PLACE, FILED, UNTIL, STATUS = range(8)


ARCHIVE_COLUMNS: dict[ArchiveColumn, Column[archive.ArchiveRow]] = {
    ArchiveColumn.TITLE: Column(QT_TRANSLATE_NOOP("Columns", "题名"), lambda r: r.title),
    ArchiveColumn.TYPE: Column(QT_TRANSLATE_NOOP("Columns", "类别"), lambda r: r.doc_type),
    ArchiveColumn.MEDIUM: Column(QT_TRANSLATE_NOOP("Columns", "载体"), lambda r: r.medium_label, CENTER),
    ArchiveColumn.PAGES: Column(QT_TRANSLATE_NOOP("Columns", "页数"), lambda r: r.pages, RIGHT),
    ArchiveColumn.PLACE: Column(QT_TRANSLATE_NOOP("Columns", "存放位置"),
                                lambda r: " ".join(p for p in (r.shelf, r.box) if p)),
    ArchiveColumn.FILED: Column(QT_TRANSLATE_NOOP("Columns", "归档日期"), lambda r: r.filed_at, CENTER),
    ArchiveColumn.UNTIL: Column(QT_TRANSLATE_NOOP("Columns", "保管期限至"), lambda r: r.retention_until, CENTER),
    ArchiveColumn.STATUS: Column(QT_TRANSLATE_NOOP("Columns", "状态"),
                                 lambda r: i18n.label(ArchiveStatus(r.status)), CENTER),
}


class SessionColumn(IntEnum):
    DATE, TOPIC, CENTRAL, HOURS, MANAGERS, WORKERS, TRAINER = range(7)


def _mine(r: training.SessionRow, project_id: int) -> training.Attendance | None:
    return next((a for a in r.attendance if a.project_id == project_id), None)


class DrillColumn(IntEnum):
    DATE, SCENARIO, PARTICIPANTS, RATING, EVALUATED = range(5)


DRILL_COLUMNS: dict[DrillColumn, Column[training.DrillRow]] = {
    DrillColumn.DATE: Column(QT_TRANSLATE_NOOP("Columns", "演练日期"), lambda r: r.date, CENTER),
    DrillColumn.SCENARIO: Column(QT_TRANSLATE_NOOP("Columns", "演练科目"), lambda r: r.scenario),
    DrillColumn.PARTICIPANTS: Column(QT_TRANSLATE_NOOP("Columns", "参演人数"), lambda r: r.participants, RIGHT),
    DrillColumn.RATING: Column(QT_TRANSLATE_NOOP("Columns", "评价"), lambda r: r.rating, CENTER),
    DrillColumn.EVALUATED: Column(QT_TRANSLATE_NOOP("Columns", "成效评估"), lambda r: r.evaluated, CENTER),
}


@runtime_checkable
class ProjectTab(Protocol):
    """A tab that shows one project's rows (all but the overview, risk sources and hazards)."""

    def load(self, project_id: int) -> None: ...


class ListTab(QWidget):
    """A tab listing rows of the project, with a note when there are none."""

    def __init__(self, columns: type[E], specs: Mapping[E, Column[Any]], name: str,
                 loader: Callable[[int], list[Any]], empty: str, *, widths: Mapping[E, int] | None = None,
                 nested: bool = False, **model_args: Any) -> None:
        super().__init__()
        self._rows: dict[int, Any] = {}
        self.loader = loader
        self.model = memory_model(columns, specs, self._rows, **model_args)
        self.table = plain_table(self.model, name)
        for column, width in (widths or {}).items():
            self.table.setColumnWidth(column, width)
        self.empty = QLabel(empty)
        self.empty.setStyleSheet(EMPTY_STYLE)
        self.bar = QHBoxLayout()
        layout = QVBoxLayout(self)
        if nested:
            layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.bar)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)

    def load(self, project_id: int) -> None:
        rows = self.loader(project_id)
        self._rows.clear()
        self._rows.update({r.id: r for r in rows})
        self.model.set_ids([r.id for r in rows])
        self.empty.setVisible(not rows)


class TrainingTab(QWidget):
    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.project_id = 0
        self.status = QLabel()
        self.status.setObjectName("trainingStatus")
        self.status.setWordWrap(True)
        specs: dict[SessionColumn, Column[training.SessionRow]] = {
            SessionColumn.DATE: Column(QT_TRANSLATE_NOOP("Columns", "培训日期"), lambda r: r.date, CENTER),
            SessionColumn.TOPIC: Column(QT_TRANSLATE_NOOP("Columns", "培训主题"), lambda r: r.topic),
            SessionColumn.CENTRAL: Column(QT_TRANSLATE_NOOP("Columns", "集中培训"), lambda r: r.centralized, CENTER),
            SessionColumn.HOURS: Column(QT_TRANSLATE_NOOP("Columns", "学时"), lambda r: r.duration_hours, RIGHT),
            SessionColumn.MANAGERS: Column(QT_TRANSLATE_NOOP("Columns", "管理人员"),
                                           lambda r: getattr(_mine(r, self.project_id), "managers", 0), RIGHT),
            SessionColumn.WORKERS: Column(QT_TRANSLATE_NOOP("Columns", "作业人员"),
                                          lambda r: getattr(_mine(r, self.project_id), "workers", 0), RIGHT),
            SessionColumn.TRAINER: Column(QT_TRANSLATE_NOOP("Columns", "授课人"), lambda r: r.trainer),
        }
        self.sessions = ListTab(SessionColumn, specs, "trainingTable",
                                lambda pid: state.read(training.sessions_for_project, pid),
                                QCoreApplication.translate("ProjectPage", "尚无培训记录。"), nested=True,
                                widths={SessionColumn.DATE: 100, SessionColumn.TOPIC: 300,
                                        SessionColumn.CENTRAL: 80, SessionColumn.HOURS: 60})
        self.drills = ListTab(DrillColumn, DRILL_COLUMNS, "drillTable",
                              lambda pid: state.read(training.drills_for_project, pid),
                              QCoreApplication.translate("ProjectPage", "尚无应急演练记录。"), nested=True,
                              widths={DrillColumn.DATE: 100, DrillColumn.SCENARIO: 300})
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        for caption, tab in ((QCoreApplication.translate("ProjectPage", "培训"), self.sessions),
                             (QCoreApplication.translate("ProjectPage", "应急演练"), self.drills)):
            title = QLabel(caption)
            title.setStyleSheet("font-weight: bold;")
            layout.addWidget(title)
            layout.addWidget(tab, 1)

    def load(self, project_id: int) -> None:
        self.project_id = project_id
        half = half_of(now().date())
        s = self.state.read(training.half_year_status, project_id, half)
        yes, no = (QCoreApplication.translate("ProjectPage", "达标"),
                   QCoreApplication.translate("ProjectPage", "未达标"))
        text = QCoreApplication.translate(
            "ProjectPage", "{half}：培训 {n} 次，其中集中培训 {c} 次，频次{freq}；"
            "参训管理人员 {m}/{hm} 人，作业人员 {w}/{hw} 人（按人计），覆盖{cover}。")
        self.status.setText(text.format(
            half=i18n.service_text(half.chinese), n=len(s.session_ids), c=s.centralized_sessions,
            freq=yes if s.frequency_met else no, m=s.managers_trained, hm=s.headcount_managers,
            w=s.workers_trained, hw=s.headcount_workers, cover=yes if s.coverage_met else no))
        ok = s.frequency_met and s.coverage_met
        self.status.setStyleSheet(f"color: {'#2e7d32' if ok else '#c62828'};")
        self.sessions.load(project_id)
        self.drills.load(project_id)


RISK_COLOURS = {"high": "#d32f2f", "medium": "#f57c00", "low": "#1976d2"}


def _level(level: str | None) -> str:
    return i18n.label(RiskLevel(level)) if level else ""


class StageColumn(IntEnum):
    NAME, PLANNED_START, PLANNED_END, ACTUAL_START, ACTUAL_END = range(5)


STAGE_COLUMNS: dict[StageColumn, Column[projects.StageLine]] = {
    StageColumn.NAME: Column(QT_TRANSLATE_NOOP("Columns", "施工阶段"), lambda r: r.name),
    StageColumn.PLANNED_START: Column(QT_TRANSLATE_NOOP("Columns", "计划开始"), lambda r: r.planned_start, CENTER),
    StageColumn.PLANNED_END: Column(QT_TRANSLATE_NOOP("Columns", "计划结束"), lambda r: r.planned_end, CENTER),
    StageColumn.ACTUAL_START: Column(QT_TRANSLATE_NOOP("Columns", "实际开始"), lambda r: r.actual_start, CENTER),
    StageColumn.ACTUAL_END: Column(QT_TRANSLATE_NOOP("Columns", "实际结束"), lambda r: r.actual_end, CENTER),
}


class DangerColumn(IntEnum):
    NAME, KIND, STATUS, START, END, PARAMETERS, ACTUAL_START, ACTUAL_END = range(8)


DANGER_COLUMNS: dict[DangerColumn, Column[projects.DangerLine]] = {
    DangerColumn.NAME: Column(QT_TRANSLATE_NOOP("Columns", "危大工程"), lambda r: r.name),
    DangerColumn.KIND: Column(QT_TRANSLATE_NOOP("Columns", "规模"), lambda r: QCoreApplication.translate(
        "ProjectPage", "超危大") if r.is_super else QCoreApplication.translate("ProjectPage", "危大"), CENTER),
    DangerColumn.STATUS: Column(QT_TRANSLATE_NOOP("Columns", "状态"), lambda r: danger_status_label(r.status),
                                CENTER),
    DangerColumn.START: Column(QT_TRANSLATE_NOOP("Columns", "计划开始"), lambda r: r.planned_start, CENTER),
    DangerColumn.END: Column(QT_TRANSLATE_NOOP("Columns", "计划结束"), lambda r: r.planned_end, CENTER),
    DangerColumn.PARAMETERS: Column(QT_TRANSLATE_NOOP("Columns", "规模参数"), lambda r: r.parameters),
    DangerColumn.ACTUAL_START: Column(QT_TRANSLATE_NOOP("Columns", "实际开始"), lambda r: r.actual_start,
                                      CENTER),
    DangerColumn.ACTUAL_END: Column(QT_TRANSLATE_NOOP("Columns", "实际完成"), lambda r: r.actual_end,
                                    CENTER),
}


class HistoryColumn(IntEnum):
    AT, LEVEL, COMPUTED, MODE, BY, REASON = range(6)


HISTORY_COLUMNS: dict[HistoryColumn, Column[risk.AssessmentRow]] = {
    HistoryColumn.AT: Column(QT_TRANSLATE_NOOP("Columns", "评定时间"), lambda r: r.assessed_at, CENTER),
    HistoryColumn.LEVEL: Column(QT_TRANSLATE_NOOP("Columns", "等级"), lambda r: _level(r.level), CENTER),
    HistoryColumn.COMPUTED: Column(QT_TRANSLATE_NOOP("Columns", "规则计算"), lambda r: _level(r.computed_level),
                                   CENTER),
    HistoryColumn.MODE: Column(QT_TRANSLATE_NOOP("Columns", "方式"), lambda r: QCoreApplication.translate(
        "ProjectPage", "人工调整") if r.is_override else QCoreApplication.translate("ProjectPage", "规则评定"),
        CENTER),
    HistoryColumn.BY: Column(QT_TRANSLATE_NOOP("Columns", "评定人"), lambda r: r.assessed_by),
    HistoryColumn.REASON: Column(QT_TRANSLATE_NOOP("Columns", "理由"), lambda r: r.reason),
}


class OverrideDialog(FieldDialog):
    """Set the project's risk level by hand (N-12): the reason is required and kept."""

    def __init__(self, state: AppState, project_id: int, current: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(state, QCoreApplication.translate("ProjectPage", "人工调整风险等级"), parent)
        self.project_id = project_id
        self.level = QComboBox()
        for level in RiskLevel:
            self.level.addItem(i18n.label(level), level.value)
        self.level.setCurrentIndex(max(0, self.level.findData(current)))
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(80)
        self.field("level", QCoreApplication.translate("ProjectPage", "风险等级"), self.level)
        self.field("reason", QCoreApplication.translate("ProjectPage", "调整理由"), self.reason)
        self.setMinimumWidth(440)

    def submit(self) -> None:
        self.state.write(risk.override, self.project_id, self.level.currentData(),
                         reason=self.reason.toPlainText(), changes=Changes().touch("projects", self.project_id))


def _fill_form(form: QFormLayout, pairs: Sequence[tuple[str, object]], *, translate: bool = True) -> None:
    """Rows of caption and selectable value; captions are source texts of the ProjectPage context."""
    while form.rowCount():
        form.removeRow(0)
    for caption, value in pairs:
        label = QLabel(display(value))
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(QCoreApplication.translate("ProjectPage", caption) if translate else caption, label)


def _button_row(button: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(button)
    return row


class OverviewTab(QScrollArea):
    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.project_id = 0
        self.setWidgetResizable(True)
        self._stages: dict[int, projects.StageLine] = {}
        self._dangers: dict[int, projects.DangerLine] = {}
        self._history: dict[int, risk.AssessmentRow] = {}
        self.stage_model = memory_model(StageColumn, STAGE_COLUMNS, self._stages, row_id=lambda r: r.id)
        self.danger_model = memory_model(DangerColumn, DANGER_COLUMNS, self._dangers, row_id=lambda r: r.id)
        self.history_model = memory_model(HistoryColumn, HISTORY_COLUMNS, self._history)
        self.stage_table = plain_table(self.stage_model, "stageTable")
        self.danger_table = plain_table(self.danger_model, "dangerTable")
        self.history_table = plain_table(self.history_model, "riskHistoryTable")
        column: int  # each table's columns by number: HistoryColumn, DangerColumn, StageColumn
        for column, width in ((HistoryColumn.AT, 125), (HistoryColumn.LEVEL, 62), (HistoryColumn.COMPUTED, 62),
                              (HistoryColumn.MODE, 66), (HistoryColumn.BY, 90)):
            self.history_table.setColumnWidth(column, width)
        for column, width in ((DangerColumn.NAME, 120), (DangerColumn.KIND, 50), (DangerColumn.STATUS, 55),
                              (DangerColumn.START, 85), (DangerColumn.END, 85)):
            self.danger_table.setColumnWidth(column, width)
        for column in StageColumn:
            self.stage_table.setColumnWidth(column, 110 if column == StageColumn.NAME else 88)
        boxes: dict[str, QGroupBox] = {}
        for key, text in (("basic", QT_TRANSLATE_NOOP("ProjectPage", "工程概况")),
                          ("parties", QT_TRANSLATE_NOOP("ProjectPage", "参建单位与联系人")),
                          ("policy", QT_TRANSLATE_NOOP("ProjectPage", "安责险保单")),
                          ("risk", QT_TRANSLATE_NOOP("ProjectPage", "项目风险等级")),
                          ("stages", QT_TRANSLATE_NOOP("ProjectPage", "施工阶段")),
                          ("dangers", QT_TRANSLATE_NOOP("ProjectPage", "危大工程与超危大工程"))):
            boxes[key] = QGroupBox(QCoreApplication.translate("ProjectPage", text))
        self.basic = QFormLayout(boxes["basic"])
        self.parties, self.policy = QFormLayout(), QFormLayout()
        self.edit_contacts = QPushButton(QCoreApplication.translate("ProjectPage", "修改联系人…"))
        self.edit_policy = QPushButton(QCoreApplication.translate("ProjectPage", "修改保单…"))
        self.edit_stage = QPushButton(QCoreApplication.translate("ProjectPage", "修改施工阶段…"))
        self.edit_danger = QPushButton(QCoreApplication.translate("ProjectPage", "修改危大工程…"))
        for key, form, button in (("parties", self.parties, self.edit_contacts),
                                  ("policy", self.policy, self.edit_policy)):
            box_layout = QVBoxLayout(boxes[key])
            box_layout.addLayout(form)
            box_layout.addLayout(_button_row(button))
        self.edit_contacts.clicked.connect(self.edit_contact)
        self.edit_policy.clicked.connect(self.edit_policies)
        self.edit_stage.clicked.connect(self.edit_stage_row)
        self.edit_danger.clicked.connect(self.edit_danger_row)
        self.visit = QLabel()
        self.visit.setObjectName("visitSchedule")
        self.visit.setWordWrap(True)
        self.visit.setToolTip(QCoreApplication.translate(
            "ProjectPage", "依据：根据风险等级制定服务形式和频次等内容"))
        self.reassess = QLabel()
        self.reassess.setObjectName("reassessmentFlag")
        self.reassess.setWordWrap(True)
        self.reassess.setStyleSheet("color: #d32f2f;")
        self.level = QLabel()
        self.level.setObjectName("riskLevel")
        font = QFont(self.level.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.level.setFont(font)
        self.level_detail = QLabel()
        self.level_detail.setWordWrap(True)
        self.assess_button = QPushButton(QCoreApplication.translate("ProjectPage", "按规则重新评定"))
        self.override_button = QPushButton(QCoreApplication.translate("ProjectPage", "人工调整…"))
        self.assess_button.clicked.connect(self.assess)
        self.override_button.clicked.connect(self.override)
        for button in (self.assess_button, self.override_button):
            button.setEnabled(state.can("risk.assess"))
        risk_layout = QVBoxLayout(boxes["risk"])
        top = QHBoxLayout()
        top.addWidget(self.level)
        top.addStretch(1)
        top.addWidget(self.assess_button)
        top.addWidget(self.override_button)
        risk_layout.addLayout(top)
        risk_layout.addWidget(self.level_detail)
        risk_layout.addWidget(self.visit)
        risk_layout.addWidget(self.reassess)
        risk_layout.addWidget(self.history_table)
        risk_layout.addStretch(1)
        for key, table, button in (("stages", self.stage_table, self.edit_stage),
                                   ("dangers", self.danger_table, self.edit_danger)):
            box_layout = QVBoxLayout(boxes[key])
            box_layout.addWidget(table)
            box_layout.addLayout(_button_row(button))
        self.stage_table.doubleClicked.connect(lambda _i: self.edit_stage_row())
        self.danger_table.doubleClicked.connect(lambda _i: self.edit_danger_row())
        for table in self.tables():  # a handful of rows each: the page scrolls, not the tables
            table.setFixedHeight(table.verticalHeader().defaultSectionSize() * 6 + 4)
        body = QWidget()
        grid = QGridLayout(body)
        for key, row, column in (("basic", 0, 0), ("risk", 0, 1), ("parties", 1, 0), ("policy", 1, 1),
                                 ("stages", 2, 0), ("dangers", 2, 1)):
            grid.addWidget(boxes[key], row, column)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(3, 1)
        self.setWidget(body)

    def tables(self) -> list[QTableView]:
        return [self.stage_table, self.danger_table, self.history_table]

    def stage_names(self, project_id: int) -> list[str]:
        return [s.name for s in self.state.read(projects.get_detail, project_id).stages]

    def load(self, project_id: int) -> None:
        self.project_id = project_id
        ov = self.state.read(project_list.overview, project_id)
        f, names = ov.detail.form, ov.org_names
        people = QCoreApplication.translate("ProjectPage", "管理人员 {m} 人，作业人员 {w} 人")
        _fill_form(self.basic, [
            (QT_TRANSLATE_NOOP("ProjectPage", "项目编号"), f.code),
            (QT_TRANSLATE_NOOP("ProjectPage", "项目名称"), f.name),
            (QT_TRANSLATE_NOOP("ProjectPage", "工程类型"), i18n.label(ProjectType(f.project_type))),
            (QT_TRANSLATE_NOOP("ProjectPage", "工程地址"), f.address),
            (QT_TRANSLATE_NOOP("ProjectPage", "所在区县"), f.district),
            (QT_TRANSLATE_NOOP("ProjectPage", "工程合同价（元）"), f.contract_value),
            (QT_TRANSLATE_NOOP("ProjectPage", "基坑开挖深度（米）"), f.excavation_depth_m),
            (QT_TRANSLATE_NOOP("ProjectPage", "建筑面积（平方米）"), f.floor_area_m2),
            (QT_TRANSLATE_NOOP("ProjectPage", "项目状态"), i18n.label(ProjectStatus(f.status))),
            (QT_TRANSLATE_NOOP("ProjectPage", "风控服务合同签订"), f.service_contract_date),
            (QT_TRANSLATE_NOOP("ProjectPage", "开工日期"), f.start_date),
            (QT_TRANSLATE_NOOP("ProjectPage", "计划竣工日期"), f.planned_completion),
            (QT_TRANSLATE_NOOP("ProjectPage", "竣工日期"), f.completion_date),
            (QT_TRANSLATE_NOOP("ProjectPage", "项目负责人"), ov.lead_name),
            (QT_TRANSLATE_NOOP("ProjectPage", "人员规模"),
             people.format(m=f.headcount_managers, w=f.headcount_workers))])
        contacts = "\n".join(f"{c.role}　{c.name}　{c.phone}" for c in ov.detail.contacts)
        _fill_form(self.parties, [
            (QT_TRANSLATE_NOOP("ProjectPage", "属地建设主管部门"), names.get(f.authority_id or 0, "")),
            (QT_TRANSLATE_NOOP("ProjectPage", "建设单位"), names.get(f.owner_id or 0, "")),
            (QT_TRANSLATE_NOOP("ProjectPage", "施工单位"), names.get(f.contractor_id or 0, "")),
            (QT_TRANSLATE_NOOP("ProjectPage", "监理单位"), names.get(f.supervisor_id or 0, "")),
            (QT_TRANSLATE_NOOP("ProjectPage", "项目联系人"), contacts)])
        period = QCoreApplication.translate("ProjectPage", "{start} 至 {end}")
        money = QCoreApplication.translate("ProjectPage", "保费 {premium} 元，事故预防费用 {fee} 元")
        policies = [(p.policy_no, "\n".join((
            names.get(p.insurer_id, ""),
            period.format(start=display(p.start_date), end=display(p.end_date)),
            money.format(premium=display(p.premium), fee=display(p.prevention_fee)))))
            for p in ov.detail.policies]
        if policies:
            _fill_form(self.policy, policies, translate=False)
        else:
            _fill_form(self.policy, [(QT_TRANSLATE_NOOP("ProjectPage", "保单"),
                                      QCoreApplication.translate("ProjectPage", "尚未登记保单"))])
        self._set(self._stages, self.stage_model, ov.detail.stages, lambda r: r.id)
        self._set(self._dangers, self.danger_model, ov.detail.danger_items, lambda r: r.id)
        self._show_risk(self.state.read(risk.history, project_id))
        self._policies, self._contacts = ov.detail.policies, ov.detail.contacts
        self._show_watch(self.state.read(risk_watch.watch, project_id))
        editable = self.state.can("project.edit")
        self.edit_policy.setEnabled(editable and bool(self._policies))
        self.edit_contacts.setEnabled(editable and bool(self._contacts))
        self.edit_stage.setEnabled(editable and bool(self._stages))
        self.edit_danger.setEnabled(editable and bool(self._dangers))

    def _show_watch(self, watch: risk_watch.Watch) -> None:
        """The next visit its level calls for, and the prompt to reassess after a change."""
        v = watch.visit
        if v is None:
            self.visit.setText(QCoreApplication.translate("ProjectPage", "项目不在施工中，暂不安排检查。"))
        else:
            level = _level(v.level) or QCoreApplication.translate("ProjectPage", "未评定")
            last = display(v.last_visit) if v.last_visit else QCoreApplication.translate(
                "ProjectPage", "尚无检查")
            text = QCoreApplication.translate(
                "ProjectPage", "检查频次：{level}项目每 {days} 天一次；最近一次检查 {last}；下次应于 {due} 前。")
            text = text.format(level=level, days=v.interval_days, last=last, due=display(v.next_due))
            if v.overdue:
                text += QCoreApplication.translate("ProjectPage", "已逾期 {n} 天。").format(n=v.days_overdue)
            self.visit.setText(text)
            self.visit.setStyleSheet("color: #d32f2f;" if v.overdue else "")
        if watch.triggers:
            what = i18n.join_list([i18n.service_text(t.text) for t in watch.triggers])
            self.reassess.setText(QCoreApplication.translate(
                "ProjectPage", "待重新评估：上次评定后{what}。请重新评定风险等级。").format(what=what))
            self.reassess.show()
        else:
            self.reassess.clear()
            self.reassess.hide()

    def _selected(self, table: QTableView, store: dict[int, R]) -> R | None:
        rows = table.selectionModel().selectedRows()
        index = rows[0] if rows else table.currentIndex()
        if not index.isValid():
            return next(iter(store.values()), None) if len(store) == 1 else None
        return store.get(index.data(ID_ROLE))

    def _edit(self, dialog: QDialog) -> None:
        if dialogs.run(dialog):
            self.load(self.project_id)

    def edit_stage_row(self) -> None:
        stage = self._selected(self.stage_table, self._stages)
        if stage is None:
            dialogs.inform(self, QCoreApplication.translate("ProjectPage", "修改施工阶段"),
                           QCoreApplication.translate("ProjectPage", "请先在表中选择一个施工阶段。"))
            return
        if self.state.can("project.edit"):
            self._edit(StageDialog(self.state, self.project_id, stage, self))

    def edit_danger_row(self) -> None:
        item = self._selected(self.danger_table, self._dangers)
        if item is None:
            dialogs.inform(self, QCoreApplication.translate("ProjectPage", "修改危大工程"),
                           QCoreApplication.translate("ProjectPage", "请先在表中选择一项危大工程。"))
            return
        if self.state.can("project.edit"):
            self._edit(DangerItemDialog(self.state, self.project_id, item, self))

    def edit_policies(self) -> None:
        if self._policies and self.state.can("project.edit"):
            self._edit(PolicyDialog(self.state, self.project_id, self._policies, self))

    def edit_contact(self) -> None:
        if self._contacts and self.state.can("project.edit"):
            self._edit(ContactDialog(self.state, self.project_id, self._contacts, self))

    @staticmethod
    def _set(store: dict[int, Any], model: LazyTableModel[Any], rows: Sequence[Any],
             key: Callable[[Any], int]) -> None:
        store.clear()
        store.update({key(r): r for r in rows})
        model.set_ids([key(r) for r in rows])

    def _show_risk(self, history: list[risk.AssessmentRow]) -> None:
        self._set(self._history, self.history_model, history, lambda r: r.id)
        if not history:
            self.level.setText(QCoreApplication.translate("ProjectPage", "未评定"))
            self.level.setStyleSheet("color: #78909c;")
            self.level_detail.setText(QCoreApplication.translate("ProjectPage", "该项目尚未进行风险评定。"))
            return
        latest = history[0]
        self.level.setText(_level(latest.level))
        self.level.setStyleSheet(f"color: {RISK_COLOURS.get(latest.level, '#37474f')};")
        with_detail = QCoreApplication.translate("ProjectPage", "{label}（{detail}）")
        factors = i18n.join_list([
            with_detail.format(label=i18n.service_text(x.label), detail=i18n.service_text(x.detail))
            if x.detail else i18n.service_text(x.label) for x in latest.factors])
        reason = i18n.service_text(risk.DEFAULT_REASON) if latest.reason == risk.DEFAULT_REASON \
            else latest.reason
        if latest.is_override:
            how = QCoreApplication.translate("ProjectPage", "人工调整（规则计算为{level}）")
            how = how.format(level=_level(latest.computed_level))
        else:
            how = QCoreApplication.translate("ProjectPage", "按规则评定")
        text = QCoreApplication.translate("ProjectPage", "{when} 由 {who} {how}。理由：{reason}\n依据：{factors}")
        text = text.format(when=display(latest.assessed_at), who=latest.assessed_by, how=how,
                           reason=reason, factors=factors)
        self.level_detail.setText(text)

    def assess(self) -> None:
        try:
            self.state.write(risk.assess, self.project_id,
                             changes=Changes().touch("projects", self.project_id))
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)

    def override(self) -> None:
        current = next(iter(self._history.values())).level if self._history else None
        dialogs.run(OverrideDialog(self.state, self.project_id, current, self))


class ProjectPage(QWidget):
    """The detail of one project, shown by the 项目 page in place of the list."""

    back = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.project_id: int | None = None
        self.title = QLabel()
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setObjectName("projectTitle")
        self.subtitle = QLabel()
        self.subtitle.setStyleSheet("color: #546e7a;")
        for label in (self.title, self.subtitle):  # a long name is cut, it does not widen the window
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.back_button = QPushButton(QCoreApplication.translate("ProjectPage", "← 返回项目列表"))
        self.edit_button = QPushButton(QCoreApplication.translate("ProjectPage", "修改项目(&E)…"))
        self.inspect_button = QPushButton(QCoreApplication.translate("ProjectPage", "新建检查(&N)…"))
        self.history_button = QPushButton(QCoreApplication.translate("ProjectPage", "修改记录…"))
        self.history_button.clicked.connect(self.show_history)
        self.back_button.clicked.connect(self.back.emit)
        self.edit_button.clicked.connect(self.edit)
        self.inspect_button.clicked.connect(self.new_inspection)
        self.edit_button.setEnabled(state.can("project.edit"))
        self.inspect_button.setEnabled(state.can("inspection.edit"))
        for key in ("Alt+Left", "Esc"):  # like a browser's back; the list keeps its place
            QShortcut(QKeySequence(key), self, self.back.emit,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.back_button.setToolTip(QCoreApplication.translate("ProjectPage", "Alt+← 或 Esc"))
        self.overview = OverviewTab(state)
        self.sources = RiskSourcesPanel(state)
        self.plans = ListTab(PlanColumn, PLAN_COLUMNS, "planTable",
                             lambda pid: state.read(project_list.service_plans, pid),
                             QCoreApplication.translate("ProjectPage", "尚无服务方案（一项目一方案）。"),
                             widths={PlanColumn.KIND: 120, PlanColumn.REVISION: 50, PlanColumn.TITLE: 360,
                                     PlanColumn.STATUS: 80, PlanColumn.INTERVAL: 110})
        self.plan_button = QPushButton(QCoreApplication.translate("ProjectPage", "生成服务方案草稿(&G)"))
        self.plan_button.clicked.connect(self.draft_plan)
        self.plan_button.setEnabled(state.can("document.draft"))
        self.plans.bar.addWidget(self.plan_button)
        self._plan_buttons(state)
        self.plans.bar.addStretch(1)
        self.inspections = ListTab(InspectionColumn, INSPECTION_COLUMNS, "projectInspectionTable",
                                   self._inspections, QCoreApplication.translate("ProjectPage", "尚无检查记录。"),
                                   widths=INSPECTION_WIDTHS)
        self.inspections.table.setColumnHidden(InspectionColumn.PROJECT, True)
        self.inspections.table.activated.connect(self.open_inspection)
        self.hazards = self._hazards_tab()
        self.training = TrainingTab(state)
        self.kickoff = KickoffTab(state)
        self.standardisation = StandardisationTab(state)
        self.documents = ListTab(DocColumn, DOC_COLUMNS, "projectDocumentTable",
                                 lambda pid: state.read(documents.register, project_id=pid),
                                 QCoreApplication.translate("ProjectPage", "尚无与本项目有关的文书。"),
                                 widths={DocColumn.NUMBER: 150, DocColumn.KIND: 170, DocColumn.TITLE: 330,
                                         DocColumn.STATUS: 70, DocColumn.CREATED: 130})
        self.archive = ListTab(ArchiveColumn, ARCHIVE_COLUMNS, "projectArchiveTable",
                               lambda pid: state.read(archive.list_items, project_id=pid),
                               QCoreApplication.translate("ProjectPage", "尚未登记档案。"),
                               widths={ArchiveColumn.TITLE: 300, ArchiveColumn.TYPE: 110,
                                       ArchiveColumn.MEDIUM: 60, ArchiveColumn.PAGES: 60,
                                       ArchiveColumn.PLACE: 130, ArchiveColumn.FILED: 100,
                                       ArchiveColumn.UNTIL: 100})
        self.fees = FeeLedger(state)  # N-17: the prevention-fee ledger of the project's policy
        self.tabs = QTabWidget()
        self.tabs.setObjectName("projectTabs")
        for widget, text in (
                (self.overview, QT_TRANSLATE_NOOP("ProjectPage", "概况")),
                (self.sources, QT_TRANSLATE_NOOP("ProjectPage", "风险源")),
                (self.plans, QT_TRANSLATE_NOOP("ProjectPage", "服务方案")),
                (self.kickoff, QT_TRANSLATE_NOOP("ProjectPage", "交底会")),
                (self.inspections, QT_TRANSLATE_NOOP("ProjectPage", "检查记录")),
                (self.hazards, QT_TRANSLATE_NOOP("ProjectPage", "隐患")),
                (self.training, QT_TRANSLATE_NOOP("ProjectPage", "培训与演练")),
                (self.standardisation, QT_TRANSLATE_NOOP("ProjectPage", "标准化建设")),
                (self.documents, QT_TRANSLATE_NOOP("ProjectPage", "文书")),
                (self.archive, QT_TRANSLATE_NOOP("ProjectPage", "档案")),
                (self.fees, QT_TRANSLATE_NOOP("ProjectPage", "预防费用"))):
            self.tabs.addTab(widget, QCoreApplication.translate("ProjectPage", text))
        self._stale: set[int] = set()
        self.tabs.currentChanged.connect(self._load_tab)
        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        head.addLayout(titles, 1)
        for button in (self.inspect_button, self.edit_button, self.history_button, self.back_button):
            head.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.tabs, 1)

    def _inspections(self, project_id: int) -> list[inspection_list.InspectionListRow]:
        ids = self.state.read(inspection_list.inspection_ids, InspectionFilter(project_id=project_id))
        return self.state.read(inspection_list.rows_by_ids, ids)

    def _hazards_tab(self) -> QWidget:
        tab = QWidget()
        self.hazard_table = HazardTable(self.state, RegisterFilter(project_id=-1))
        self.hazard_table.setObjectName("projectHazardTable")
        self.hazard_table.setColumnHidden(HazardColumn.PROJECT, True)
        self.hazard_count = QLabel()
        self.hazard_count.setObjectName("projectHazardCount")
        self.hazard_table.loaded.connect(
            lambda: self.hazard_count.setText(self.hazard_table.count_text()))
        self.hazard_button = QPushButton(QCoreApplication.translate("ProjectPage", "登记隐患(&H)…"))
        self.hazard_button.setEnabled(self.state.can("hazard.record"))
        self.hazard_button.clicked.connect(self.new_hazard)
        bar = QHBoxLayout()
        bar.addWidget(self.hazard_count, 1)
        bar.addWidget(self.hazard_button)
        layout = QVBoxLayout(tab)
        layout.addLayout(bar)
        layout.addWidget(self.hazard_table, 1)
        return tab

    # -- loading --------------------------------------------------------------------------

    def load(self, project_id: int) -> None:
        if project_id != self.project_id:
            self.project_id = project_id
            self.tabs.setCurrentIndex(0)
        self.refresh()

    def refresh(self) -> None:
        """Reload the header and the tab in view; the other tabs load when next shown."""
        if self.project_id is None:
            return
        row = self.state.read(project_list.rows_by_ids, [self.project_id])
        if not row:
            self.project_id = None
            self.back.emit()
            return
        p = row[0]
        self.title.setText(f"{p.name}")
        level = i18n.label(RiskLevel(p.risk_level)) if p.risk_level else \
            QCoreApplication.translate("ProjectPage", "未评定风险等级")
        parts = [p.code, i18n.label(ProjectStatus(p.status)), level, p.district, p.insurer]
        self.subtitle.setText("　·　".join(x for x in parts if x))
        self._stale = set(range(self.tabs.count()))
        self._load_tab(self.tabs.currentIndex())

    def _load_tab(self, index: int) -> None:
        if self.project_id is None or index not in self._stale:
            return
        self._stale.discard(index)
        pid = self.project_id
        widget = self.tabs.widget(index)
        try:
            if widget is self.overview:
                self.overview.load(pid)
            elif widget is self.sources:
                self.sources.load(pid, self.overview.stage_names(pid))
            elif widget is self.hazards:
                self.hazard_table.base = RegisterFilter(project_id=pid)
                self.hazard_table.set_filter(RegisterFilter())
            else:
                assert isinstance(widget, ProjectTab), widget
                widget.load(pid)
        except dialogs.USER_ERRORS as exc:
            self._stale.add(index)
            dialogs.show_error(self, exc)

    # -- actions --------------------------------------------------------------------------

    def edit(self) -> None:
        if self.project_id is not None and dialogs.run(ProjectDialog(self.state, self.project_id, self)):
            self.refresh()

    def show_history(self) -> None:
        """Who changed this project file, when, from what to what (the audit trail)."""
        if self.project_id is not None:
            from desktop.ui.history_panel import show_history

            show_history(self, self.state, "projects", self.project_id)

    def new_inspection(self) -> None:
        if self.project_id is not None:
            dialogs.run(InspectionDialog(self.state, project_id=self.project_id, parent=self))

    def new_hazard(self) -> None:
        if self.project_id is not None and dialogs.run(HazardDialog(self.state, project_id=self.project_id,
                                                                    parent=self)):
            self.refresh()

    def open_inspection(self) -> None:
        index = self.inspections.table.currentIndex()
        if index.isValid():
            dialogs.run(InspectionDialog(self.state, inspection_id=self.inspections.model.data(index, ID_ROLE),
                                         parent=self))

    def draft_plan(self) -> None:
        self._draft_plan_document("service_plan",
                                  QCoreApplication.translate("ProjectPage", "正在生成服务方案草稿…"),
                                  QCoreApplication.translate("ProjectPage", "服务方案草稿"))

    def _draft_plan_document(self, kind: str, working: str, title: str) -> None:
        """Draft the project's general or special plan on a worker, then say where to check it."""
        if self.project_id is None:
            return
        tasks.run_service(
            self, self.state, documents.generate_draft, kind=kind, scope_type="project",
            scope_id=self.project_id, store_dir=self.state.config.attachments_dir,
            work_dir=tempfile.gettempdir(), changes=Changes(documents=True), label=working,
            on_result=lambda doc: dialogs.inform(
                self, title,
                QCoreApplication.translate("ProjectPage", "已生成“{title}”，请在“文书”页核对后交技术负责人签发。")
                .format(title=doc.title)))

    def _plan_buttons(self, state: AppState) -> None:
        """Edit the general or the special plan's wording; draft the special plan."""
        self.edit_plan_button = QPushButton(QCoreApplication.translate("ProjectPage", "编辑服务方案…"))
        self.edit_special_button = QPushButton(QCoreApplication.translate("ProjectPage", "编辑专项服务方案…"))
        self.special_button = QPushButton(QCoreApplication.translate("ProjectPage", "生成专项服务方案草稿"))
        self.edit_plan_button.clicked.connect(lambda: self.edit_plan("general"))
        self.edit_special_button.clicked.connect(lambda: self.edit_plan("special"))
        self.special_button.clicked.connect(self.draft_special_plan)
        for button, action in ((self.edit_plan_button, "plan.edit"), (self.edit_special_button, "plan.edit"),
                               (self.special_button, "document.draft")):
            button.setEnabled(state.can(action))
            self.plans.bar.addWidget(button)

    def edit_plan(self, kind: str) -> None:
        if self.project_id is None:
            return
        from desktop.ui.plan_dialog import PlanDialog

        try:
            dialog = PlanDialog(self.state, self.project_id, kind, self)
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
            return
        if dialogs.run(dialog):
            self.refresh()

    def draft_special_plan(self) -> None:
        self._draft_plan_document("special_plan",
                                  QCoreApplication.translate("ProjectPage", "正在生成专项服务方案草稿…"),
                                  QCoreApplication.translate("ProjectPage", "专项服务方案草稿"))

    # -- layout memory ----------------------------------------------------------------------

    def tables(self) -> list[QTableView]:
        return [self.inspections.table, self.plans.table, self.documents.table,
                self.archive.table, self.training.sessions.table, self.training.drills.table,
                self.kickoff.table, self.standardisation.table,
                *self.overview.tables()]

    def save_state(self, settings: QSettings) -> None:
        for table in self.tables():
            settings.setValue(f"detail/{table.objectName()}", table.horizontalHeader().saveState())
        self.sources.save_state(settings)
        settings.beginGroup("detail/hazards")
        self.hazard_table.save_layout(settings)
        settings.endGroup()

    def restore_state(self, settings: QSettings) -> None:
        for table in self.tables():
            state = settings.value(f"detail/{table.objectName()}")
            if state is not None:
                table.horizontalHeader().restoreState(state)
        self.sources.restore_state(settings)
        settings.beginGroup("detail/hazards")
        self.hazard_table.restore_layout(settings)
        settings.endGroup()
        self.hazard_table.setColumnHidden(HazardColumn.PROJECT, True)
