"""Edit a service plan's wording before it is signed: its sections, the measures printed for each
risk source and, in a special plan, the measures added per risk factor. The facts (stages,
sources, 危大 items, factors, visit interval) are shown read-only: they come from the records."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QWidget,
)

from desktop.services import plans
from desktop.services.context import Changes
from desktop.ui.app_state import AppState
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.user_dialogs import ServiceDialog

SECTION_TEXT = {
    "items": QT_TRANSLATE_NOOP("PlanDialog", "服务内容"),
    "measures": QT_TRANSLATE_NOOP("PlanDialog", "服务措施"),
    "frequency": QT_TRANSLATE_NOOP("PlanDialog", "服务频次（补充说明）"),
    "staffing": QT_TRANSLATE_NOOP("PlanDialog", "人员安排（职责）"),
    "goals": QT_TRANSLATE_NOOP("PlanDialog", "服务目标"),
    "guarantees": QT_TRANSLATE_NOOP("PlanDialog", "保障措施"),
}
LEVEL_TEXT = {1: QT_TRANSLATE_NOOP("PlanDialog", "一级"), 2: QT_TRANSLATE_NOOP("PlanDialog", "二级"),
              3: QT_TRANSLATE_NOOP("PlanDialog", "三级"), 4: QT_TRANSLATE_NOOP("PlanDialog", "四级")}


def _cell(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    item = table.item(row, column)
    assert item is not None, (row, column)  # every cell is filled when the table is built
    return item


def _tr(text: str) -> str:
    return QCoreApplication.translate("PlanDialog", text)


def _fixed(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


class PlanDialog(ServiceDialog):
    """One plan (general or special) of a project; OK keeps the wording on the plan's draft."""

    def __init__(self, state: AppState, project_id: int, kind: str = "general",
                 parent: QWidget | None = None) -> None:
        title = QT_TRANSLATE_NOOP("PlanDialog", "编辑专项服务方案") if kind == "special" else \
            QT_TRANSLATE_NOOP("PlanDialog", "编辑服务工作方案")
        super().__init__(state, _tr(title), parent)
        self.project_id, self.kind = project_id, kind
        self.saved: plans.PlanDraft | None = None
        self.plan = state.read(plans.draft, project_id, kind)
        p = self.plan
        key = sum(1 for s in p.sources if s.key)
        facts = _tr(QT_TRANSLATE_NOOP(
            "PlanDialog", "风险等级：{level}；常规检查每 {days} 天不少于 1 次；风险源 {n} 项（一、二级 {key} 项）；"
            "危大工程 {d} 项。以上取自项目记录，不能在此修改。")).format(
            level=p.level_label, days=p.interval_days, n=len(p.sources), key=key, d=len(p.dangers))
        self.facts = QLabel(facts)
        self.facts.setWordWrap(True)
        self.missing = QLabel()
        self.missing.setObjectName("missingMeasures")
        self.missing.setWordWrap(True)
        self.missing.setStyleSheet("color: #c62828;")
        self.tabs = QTabWidget()
        sections = QWidget()
        form = QFormLayout(sections)
        self.boxes: dict[str, QPlainTextEdit] = {}
        for name, label in SECTION_TEXT.items():
            box = QPlainTextEdit("\n".join(p.sections[name]))
            box.setTabChangesFocus(True)
            box.setFixedHeight(72)
            box.setToolTip(_tr(QT_TRANSLATE_NOOP("PlanDialog", "每行一条")))
            self.boxes[name] = box
            form.addRow(_tr(label), box)
        self.tabs.addTab(sections, _tr(QT_TRANSLATE_NOOP("PlanDialog", "方案章节")))
        self.sources = self._table(
            [QT_TRANSLATE_NOOP("PlanDialog", "施工阶段"), QT_TRANSLATE_NOOP("PlanDialog", "风险源"),
             QT_TRANSLATE_NOOP("PlanDialog", "等级"), QT_TRANSLATE_NOOP("PlanDialog", "管控措施（可编辑）")],
            [(s.id, [s.stage, s.name, _tr(LEVEL_TEXT.get(s.level, str(s.level)))], s.measures)
             for s in p.sources], "planSources")
        self.sources.itemChanged.connect(lambda _item: self._show_missing())
        self.tabs.addTab(self.sources, _tr(QT_TRANSLATE_NOOP("PlanDialog", "风险源管控措施")))
        self.factors: QTableWidget | None = None
        if kind == "special":
            self.factors = self._table(
                [QT_TRANSLATE_NOOP("PlanDialog", "判定因素"), QT_TRANSLATE_NOOP("PlanDialog", "情况"),
                 QT_TRANSLATE_NOOP("PlanDialog", "针对性措施（可编辑）")],
                [(f.code, [f.label, f.detail], f.measure) for f in p.factors], "planFactors")
            self.tabs.addTab(self.factors, _tr(QT_TRANSLATE_NOOP("PlanDialog", "针对性措施")))
        self.form.addRow(self.facts)
        self.form.addRow(self.missing)
        self.form.addRow(self.tabs)
        self._show_missing()
        self.setMinimumWidth(760)

    def _table(self, headers: list[str], rows: list[tuple[object, list[str], str]],
               name: str) -> QTableWidget:
        table = QTableWidget(len(rows), len(headers))
        table.setObjectName(name)
        table.setHorizontalHeaderLabels([_tr(h) for h in headers])
        table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        table.setWordWrap(True)
        for r, (ident, fixed, editable) in enumerate(rows):
            for c, text in enumerate(fixed):
                item = _fixed(text)
                if c == 0:
                    item.setData(Qt.ItemDataRole.UserRole, ident)
                table.setItem(r, c, item)
            table.setItem(r, len(fixed), QTableWidgetItem(editable))
        header = table.horizontalHeader()
        header.setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
        table.setMinimumHeight(200)
        return table

    def _column(self, table: QTableWidget) -> dict[Any, str]:
        """Row key (a source id, a factor key: the first cell's UserRole) to the last cell's text."""
        last = table.columnCount() - 1
        return {_cell(table, r, 0).data(Qt.ItemDataRole.UserRole): _cell(table, r, last).text()
                for r in range(table.rowCount())}

    def _show_missing(self) -> None:
        key = {s.id: s.name for s in self.plan.sources if s.key}
        empty = [key[i] for i, text in self._column(self.sources).items() if i in key and not text.strip()]
        self.missing.setText(_tr(QT_TRANSLATE_NOOP(
            "PlanDialog", "一、二级风险源未填写管控措施（签发前须补充）：{names}")).format(names="、".join(empty))
            if empty else "")
        self.missing.setVisible(bool(empty))

    def edits(self) -> plans.PlanEdits:
        return plans.PlanEdits(
            sections={k: box.toPlainText().splitlines() for k, box in self.boxes.items()},
            source_measures=self._column(self.sources),
            factor_measures=self._column(self.factors) if self.factors is not None else {})

    def submit(self) -> None:
        self.saved = self.state.write(plans.save, self.project_id, self.kind, self.edits(),
                                      expected_version=self.plan.version,
                                      changes=Changes(projects=True))
