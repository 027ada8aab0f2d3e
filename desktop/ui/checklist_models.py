"""The compliance page's item models: the checklist as a tree of sections and items in their
status colours, and the gaps found, those already late in red."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from desktop.services.checklist_items import BY_ID, ChecklistResult, Gap, ItemResult
from desktop.ui.catalogue_picker import MemoryTableModel
from desktop.ui.i18n import join_list, service_text
from desktop.ui.lazy_model import CENTER, ROW_ROLE, Column, Index, tint
from desktop.ui.translatable import QT_TRANSLATE_NOOP

STATUS_TEXT = {"met": QT_TRANSLATE_NOOP("CompliancePage", "符合"),
               "not_met": QT_TRANSLATE_NOOP("CompliancePage", "不符合"),
               "not_due": QT_TRANSLATE_NOOP("CompliancePage", "尚未到期"),
               "not_applicable": QT_TRANSLATE_NOOP("CompliancePage", "不适用"),
               "manual": QT_TRANSLATE_NOOP("CompliancePage", "待人工填写")}
STATUS_COLOURS = {"met": "#2e7d32", "not_met": "#c62828", "not_due": "#1565c0", "manual": "#e08a00",
                  "not_applicable": "#78909c"}
TREE_HEADERS = (QT_TRANSLATE_NOOP("Columns", "条目"), QT_TRANSLATE_NOOP("Columns", "检查要点"),
                QT_TRANSLATE_NOOP("Columns", "检查情况"), QT_TRANSLATE_NOOP("Columns", "问题"),
                QT_TRANSLATE_NOOP("Columns", "依据"))
SECTION_ID = 0  # internal id of a section row; an item row holds its section's row + 1


def _tr(text: str) -> str:
    return QCoreApplication.translate("CompliancePage", text)


def status_text(status: str) -> str:
    return _tr(STATUS_TEXT[status])


def evidence_text(r: ItemResult) -> str:
    """The counts behind an item's status: 有交底会记录的项目 3；… in the interface language."""
    labels = [service_text(e.label) for e in r.evidence]
    return join_list([f"{label[:1].upper()}{label[1:]} {e.count}"
                      for label, e in zip(labels, r.evidence, strict=True)])


def gaps_text(r: ItemResult) -> str:
    if not r.gaps:
        return ""
    waiting = len(r.gaps) - len(r.due_gaps)
    if not waiting:
        return _tr(QT_TRANSLATE_NOOP("CompliancePage", "{n} 项")).format(n=len(r.gaps))
    return _tr(QT_TRANSLATE_NOOP("CompliancePage", "{n} 项（{k} 项未到期）")).format(
        n=len(r.gaps), k=waiting)


class ChecklistTreeModel(QAbstractItemModel):
    """The annex's sections, each with its items: number, point, status in its colour, gaps,
    evidence."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._sections: list[tuple[str, list[ItemResult]]] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_result(self, result: ChecklistResult | None) -> None:
        self.beginResetModel()
        self._sections = []
        for item in result.items if result is not None else ():
            if not self._sections or self._sections[-1][0] != item.item.section:
                self._sections.append((item.item.section, []))
            self._sections[-1][1].append(item)
        self.endResetModel()

    def index_of(self, item_id: str) -> QModelIndex:
        for s, (_name, items) in enumerate(self._sections):
            for r, item in enumerate(items):
                if item.item.id == item_id:
                    return self.createIndex(r, 0, s + 1)
        return QModelIndex()

    def index(self, row: int, column: int,
              parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self.createIndex(row, column, parent.row() + 1 if parent.isValid() else SECTION_ID)

    def parent(self, index: Any = None) -> Any:  # without an index: QObject.parent()
        if index is None:
            return super().parent()
        if not index.isValid() or index.internalId() == SECTION_ID:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, SECTION_ID)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._sections)
        if parent.internalId() == SECTION_ID and parent.column() == 0:
            return len(self._sections[parent.row()][1])
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(TREE_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(TREE_HEADERS):
            return QCoreApplication.translate("Columns", TREE_HEADERS[section])
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() != SECTION_ID:
            result = self._sections[index.internalId() - 1][1][index.row()]
            return self._item_data(result, index.column(), role)
        name, items = self._sections[index.row()]
        if role == Qt.ItemDataRole.FontRole:
            return self._bold
        if role != Qt.ItemDataRole.DisplayRole or index.column() != 0:
            return None
        failed = sum(1 for r in items if r.status == "not_met")
        if not failed:
            return service_text(name)  # the annex's own heading, as printed on the form
        return _tr(QT_TRANSLATE_NOOP("CompliancePage", "{section}（{n} 项不符合）")).format(
            section=service_text(name), n=failed)

    def _item_data(self, r: ItemResult, column: int, role: int) -> Any:
        if role == ROW_ROLE:
            return r
        if column == 2 and role == Qt.ItemDataRole.ForegroundRole:
            return QColor(STATUS_COLOURS[r.status])
        if column == 2 and role == Qt.ItemDataRole.BackgroundRole:
            return tint(STATUS_COLOURS[r.status], 0.14)
        if column == 2 and role == Qt.ItemDataRole.FontRole:
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 2, 3):
            return int(CENTER)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        values = (r.item.ref, service_text(r.item.text), status_text(r.status), gaps_text(r),
                  evidence_text(r))
        return values[column]


@dataclass(frozen=True)
class GapLine:
    id: int  # its place in the list: gaps carry no id of their own
    item_id: str
    gap: Gap


class GapColumn(IntEnum):
    ITEM, PROJECT, MISSING, SINCE, DUE = range(5)


def due_text(line: GapLine) -> str:
    if line.gap.due:
        return _tr(QT_TRANSLATE_NOOP("CompliancePage", "已逾期"))
    if line.gap.waived:  # the service in the period was too short to owe it
        return _tr(QT_TRANSLATE_NOOP("CompliancePage", "本期不计"))
    return _tr(QT_TRANSLATE_NOOP("CompliancePage", "未到期"))


GAP_COLUMNS: dict[GapColumn, Column[GapLine]] = {
    GapColumn.ITEM: Column(QT_TRANSLATE_NOOP("Columns", "条目"), lambda r: BY_ID[r.item_id].ref,
                           CENTER),
    GapColumn.PROJECT: Column(QT_TRANSLATE_NOOP("Columns", "项目"), lambda r: r.gap.project_name),
    GapColumn.MISSING: Column(QT_TRANSLATE_NOOP("Columns", "问题"),
                              lambda r: service_text(r.gap.missing)),
    GapColumn.SINCE: Column(QT_TRANSLATE_NOOP("Columns", "起始日期"), lambda r: r.gap.since, CENTER),
    GapColumn.DUE: Column(QT_TRANSLATE_NOOP("Columns", "期限"), due_text, CENTER),
}


class GapTableModel(MemoryTableModel[GapLine]):
    """The gaps: those already late in red."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.ForegroundRole or not index.isValid():
            return super().data(index, role)
        row = self.row_at(index.row())
        return QColor(STATUS_COLOURS["not_met"]) if row is not None and row.gap.due else None
