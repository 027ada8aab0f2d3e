"""The project page's 交底会 tab (the kick-off meeting and its record document) and 标准化建设 tab
(安全生产标准化建设 assistance and its follow-up)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.services import meetings, standardisation
from desktop.services.meetings import MeetingRow
from desktop.services.standardisation import AssistRow
from desktop.ui import dialogs
from desktop.ui.app_state import AppState
from desktop.ui.lazy_model import CENTER, ID_ROLE, RIGHT, Column, E
from desktop.ui.meeting_dialogs import (
    DeleteDialog,
    KickoffDialog,
    StandardisationDialog,
    item_text,
    topic_text,
)
from desktop.ui.project_dialog import memory_model, plain_table
from desktop.ui.training_dialogs import draft_document
from desktop.ui.translatable import QT_TRANSLATE_NOOP

EMPTY_STYLE = "color: #78909c; padding: 6px 2px;"


def _tr(text: str) -> str:
    return QCoreApplication.translate("MeetingsPanel", text)


def _confirmation(r: MeetingRow) -> str:
    if r.confirmed:
        assert r.confirmed_on is not None  # confirmed: by someone on a date
        return _tr(QT_TRANSLATE_NOOP("MeetingsPanel", "{name} {date} 确认")).format(
            name=r.confirmed_by, date=r.confirmed_on.isoformat())
    return _tr(QT_TRANSLATE_NOOP("MeetingsPanel", "未确认"))


class MeetingColumn(IntEnum):
    DATE, PLACE, ATTENDEES, TOPICS, CONFIRMED, SHEETS = range(6)


MEETING_COLUMNS: dict[MeetingColumn, Column[MeetingRow]] = {
    MeetingColumn.DATE: Column(QT_TRANSLATE_NOOP("Columns", "会议日期"), lambda r: r.date, CENTER),
    MeetingColumn.PLACE: Column(QT_TRANSLATE_NOOP("Columns", "地点"), lambda r: r.place),
    MeetingColumn.ATTENDEES: Column(QT_TRANSLATE_NOOP("Columns", "参会人数"),
                                    lambda r: len(r.attendees), RIGHT),
    MeetingColumn.TOPICS: Column(QT_TRANSLATE_NOOP("Columns", "交底内容"),
                                 lambda r: "、".join(topic_text(t) for t in r.topics)),
    MeetingColumn.CONFIRMED: Column(QT_TRANSLATE_NOOP("Columns", "投保单位确认"), _confirmation),
    MeetingColumn.SHEETS: Column(QT_TRANSLATE_NOOP("Columns", "签到表"), lambda r: r.sheets, CENTER),
}


def _follow_up(r: AssistRow) -> str:
    if r.follow_up_on is None:
        return _tr(QT_TRANSLATE_NOOP("MeetingsPanel", "待复查"))
    return f"{r.follow_up_on.isoformat()} {r.follow_up_result}"


class AssistColumn(IntEnum):
    DATE, ITEMS, ADVICE, FOLLOW_UP = range(4)


ASSIST_COLUMNS: dict[AssistColumn, Column[AssistRow]] = {
    AssistColumn.DATE: Column(QT_TRANSLATE_NOOP("Columns", "协助日期"), lambda r: r.date, CENTER),
    AssistColumn.ITEMS: Column(QT_TRANSLATE_NOOP("Columns", "检查项目"), lambda r: "、".join(
        [item_text(k) for k in r.items] + ([r.other_items] if r.other_items else []))),
    AssistColumn.ADVICE: Column(QT_TRANSLATE_NOOP("Columns", "提出的建议"), lambda r: r.advice),
    AssistColumn.FOLLOW_UP: Column(QT_TRANSLATE_NOOP("Columns", "跟踪复查"), _follow_up),
}


class _RecordsTab(QWidget):
    """A list of the project's records with buttons above it and a note when there are none."""

    def __init__(self, state: AppState, columns: type[E], specs: Mapping[E, Column[Any]], name: str,
                 loader: Callable[..., list[Any]], empty: str, widths: Mapping[E, int]) -> None:
        """`loader(session, project_id)` reads the project's records (through state.read)."""
        super().__init__()
        self.state = state
        self.project_id: int | None = None
        self.loader = loader
        self._rows: dict[int, Any] = {}
        self.model = memory_model(columns, specs, self._rows)
        self.table = plain_table(self.model, name)
        for column, width in widths.items():
            self.table.setColumnWidth(column, width)
        self.empty = QLabel(empty)
        self.empty.setStyleSheet(EMPTY_STYLE)
        self.bar = QHBoxLayout()
        layout = QVBoxLayout(self)
        layout.addLayout(self.bar)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())

    def button(self, text: str, slot: Callable[[], object], name: str, action: str) -> QPushButton:
        widget = QPushButton(text)
        widget.setObjectName(name)
        widget.setEnabled(self.state.can(action))
        widget.clicked.connect(lambda _c=False: slot())
        self.bar.addWidget(widget)
        return widget

    def load(self, project_id: int) -> None:
        self.project_id = project_id
        rows = self.state.read(self.loader, project_id)
        self._rows.clear()
        self._rows.update({r.id: r for r in rows})
        self.model.set_ids([r.id for r in rows])
        self.empty.setVisible(not rows)
        self._selection_changed()

    def current(self) -> Any:
        index = self.table.currentIndex()
        return self._rows.get(self.model.data(index, ID_ROLE)) if index.isValid() else None

    def _selection_changed(self) -> None:
        """Subclasses enable the buttons that need a selected row."""

    def _run(self, dialog: Any) -> None:
        if dialogs.run(dialog) and self.project_id is not None:
            self.load(self.project_id)


class KickoffTab(_RecordsTab):
    def __init__(self, state: AppState) -> None:
        super().__init__(state, MeetingColumn, MEETING_COLUMNS, "kickoffTable", meetings.for_project,
                         _tr(QT_TRANSLATE_NOOP("MeetingsPanel", "尚未登记服务交底会。")),
                         {MeetingColumn.DATE: 100, MeetingColumn.PLACE: 180, MeetingColumn.ATTENDEES: 70,
                          MeetingColumn.TOPICS: 240, MeetingColumn.CONFIRMED: 170})
        note = QLabel(_tr(QT_TRANSLATE_NOOP(
            "MeetingsPanel", "服务开始时与投保单位召开服务交底会。记录登记了投保单位确认人和确认日期（经双方确认）后，"
            "计入合规自查。")))
        note.setWordWrap(True)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout), layout  # _RecordsTab's column
        layout.insertWidget(0, note)
        self.new_button = self.button(_tr(QT_TRANSLATE_NOOP("MeetingsPanel", "登记交底会(&K)…")),
                                      self.new, "newKickoff", "meeting.edit")
        self.edit_button = self.button(_tr(QT_TRANSLATE_NOOP("MeetingsPanel", "修改…")), self.edit,
                                       "editKickoff", "meeting.edit")
        self.delete_button = self.button(_tr(QT_TRANSLATE_NOOP("MeetingsPanel", "删除…")), self.delete,
                                         "deleteKickoff", "meeting.edit")
        self.print_button = self.button(_tr(QT_TRANSLATE_NOOP("MeetingsPanel", "生成交底会记录草稿")),
                                        self.print, "printKickoff", "document.draft")
        self.bar.addStretch(1)
        self.table.activated.connect(lambda _i: self.edit())

    def _selection_changed(self) -> None:
        chosen = self.current() is not None
        self.edit_button.setEnabled(chosen and self.state.can("meeting.edit"))
        self.delete_button.setEnabled(chosen and self.state.can("meeting.edit"))
        self.print_button.setEnabled(chosen and self.state.can("document.draft"))

    def new(self) -> None:
        if self.project_id is not None:
            self._run(KickoffDialog(self.state, self.project_id, parent=self))

    def edit(self) -> None:
        row = self.current()
        if row is not None and self.project_id is not None and self.edit_button.isEnabled():
            self._run(KickoffDialog(self.state, self.project_id, row, parent=self))

    def delete(self) -> None:
        row = self.current()
        if row is not None:
            self._run(DeleteDialog(self.state, _tr(QT_TRANSLATE_NOOP(
                "MeetingsPanel", "删除服务交底会记录（{date}）")).format(date=row.date.isoformat()),
                meetings.delete, row.id, row.version, parent=self))

    def print(self) -> None:
        row = self.current()
        if row is not None:
            draft_document(self, self.state, kind="kickoff_record", scope_type="meeting", scope_id=row.id)


class StandardisationTab(_RecordsTab):
    def __init__(self, state: AppState) -> None:
        super().__init__(state, AssistColumn, ASSIST_COLUMNS, "standardisationTable",
                         standardisation.for_project,
                         _tr(QT_TRANSLATE_NOOP("MeetingsPanel", "尚无安全生产标准化建设协助记录。")),
                         {AssistColumn.DATE: 100, AssistColumn.ITEMS: 260, AssistColumn.ADVICE: 320})
        self.new_button = self.button(_tr(QT_TRANSLATE_NOOP("MeetingsPanel", "登记协助(&S)…")),
                                      self.new, "newAssist", "inspection.edit")
        self.edit_button = self.button(_tr(QT_TRANSLATE_NOOP("MeetingsPanel", "修改或登记复查…")),
                                       self.edit, "editAssist", "inspection.edit")
        self.delete_button = self.button(_tr(QT_TRANSLATE_NOOP("MeetingsPanel", "删除…")), self.delete,
                                         "deleteAssist", "inspection.edit")
        self.bar.addStretch(1)
        self.table.activated.connect(lambda _i: self.edit())

    def _selection_changed(self) -> None:
        chosen = self.current() is not None
        self.edit_button.setEnabled(chosen and self.state.can("inspection.edit"))
        self.delete_button.setEnabled(chosen and self.state.can("inspection.edit"))

    def new(self) -> None:
        if self.project_id is not None:
            self._run(StandardisationDialog(self.state, self.project_id, parent=self))

    def edit(self) -> None:
        row = self.current()
        if row is not None and self.project_id is not None and self.edit_button.isEnabled():
            self._run(StandardisationDialog(self.state, self.project_id, row, parent=self))

    def delete(self) -> None:
        row = self.current()
        if row is not None:
            self._run(DeleteDialog(self.state, _tr(QT_TRANSLATE_NOOP(
                "MeetingsPanel", "删除安全生产标准化建设协助记录（{date}）")).format(date=row.date.isoformat()),
                standardisation.delete, row.id, row.version, parent=self))
