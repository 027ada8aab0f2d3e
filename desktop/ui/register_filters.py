"""The register's filter bar: search, level, status, overdue, major; more behind a toggle."""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import cache
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import HazardStatus
from desktop.services import organisations
from desktop.services.queries import hazard_view, register
from desktop.services.queries.register import RegisterFilter
from desktop.ui import date_field, i18n
from desktop.ui.app_state import AppState
from desktop.ui.date_field import DateField
from desktop.ui.tasks import Task
from desktop.vocabulary import HAZARD_LEVEL_COLOURS, HAZARD_LEVEL_LABELS

SEARCH_DELAY_MS = 400  # typing pauses this long before the register is queried
OPEN = "open"  # the status combo's "every open state" entry


@cache
def level_icon(level: int) -> QIcon:
    """A square in the national colour of the level (1 red, 2 orange, 3 yellow, 4 blue)."""
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(HAZARD_LEVEL_COLOURS[level]))
    return QIcon(pixmap)


def level_combo(*, everything: str | None = None) -> QComboBox:
    combo = QComboBox()
    if everything is not None:
        combo.addItem(everything, 0)
    for level in HAZARD_LEVEL_LABELS:
        combo.addItem(level_icon(level), i18n.level_label(level), level)
    return combo


def shrinkable(combo: QComboBox, chars: int = 6) -> QComboBox:
    """A combo that may narrow to a few characters in a small window and widens with it."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return combo


def searchable(combo: QComboBox) -> None:
    """Typing in the combo finds entries containing the words (thousands of projects)."""
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer, line = combo.completer(), combo.lineEdit()
    assert completer is not None and line is not None  # an editable combo box has both
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    # a long name shows its beginning, not its end, once chosen
    combo.currentIndexChanged.connect(lambda _i: line.setCursorPosition(0))


def fill(combo: QComboBox, everything: str, entries: list[tuple[str, Any]]) -> None:
    """Replace the entries, keeping the current choice when it is still there."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(everything, None)
    for text, data in entries:
        combo.addItem(text, data)
    combo.setCurrentIndex(max(combo.findData(current), 0) if current is not None else 0)
    combo.blockSignals(False)


def qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


class FilterBar(QWidget):
    """Emits `changed` when the user alters any filter; `current()` is the RegisterFilter."""

    changed = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._choices_loaded = False
        self._categories: Task | None = None
        self.search = QLineEdit()
        self.search.setObjectName("hazardSearch")
        self.search.setPlaceholderText(
            QCoreApplication.translate("RegisterFilters", "搜索部位或描述（Ctrl+F）"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(120)
        self.search.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.level = level_combo(everything=QCoreApplication.translate("RegisterFilters", "全部等级"))
        self.status = QComboBox()
        self.status.addItem(QCoreApplication.translate("RegisterFilters", "全部状态"), None)
        self.status.addItem(QCoreApplication.translate("RegisterFilters", "未销项"), OPEN)
        for status in HazardStatus:
            self.status.addItem(i18n.label(status), status.value)
        self.overdue = QCheckBox(QCoreApplication.translate("RegisterFilters", "只看逾期"))
        self.major = QComboBox()
        self.major.addItem(QCoreApplication.translate("RegisterFilters", "重大与一般"), None)
        self.major.addItem(QCoreApplication.translate("RegisterFilters", "仅重大事故隐患"), True)
        self.major.addItem(QCoreApplication.translate("RegisterFilters", "非重大隐患"), False)
        self.more = QPushButton()
        self.more.setCheckable(True)
        self.project, self.insurer, self.authority = QComboBox(), QComboBox(), QComboBox()
        self.category = QComboBox()
        for combo in (self.project, self.insurer, self.authority, self.category):
            searchable(combo)
            shrinkable(combo, 8)
        for combo in (self.level, self.status, self.major):
            shrinkable(combo, 5)
        self.use_dates = QCheckBox(QCoreApplication.translate("RegisterFilters", "发现日期"))
        today = date_field.today()
        self.date_from = DateField(today - dt.timedelta(days=30), optional=True)
        self.date_to = DateField(today, optional=True)
        self.clear_button = QPushButton(QCoreApplication.translate("RegisterFilters", "清除筛选"))
        self.first_row = QHBoxLayout()
        widget: QWidget
        for widget, stretch in ((self.search, 3), (self.level, 1), (self.status, 1),
                                (self.overdue, 0), (self.major, 1), (self.more, 0)):
            self.first_row.addWidget(widget, stretch)
        self.more_row = QWidget()
        second = QHBoxLayout(self.more_row)
        second.setContentsMargins(0, 0, 0, 0)
        for widget, stretch in ((self.project, 3), (self.insurer, 2), (self.authority, 2),
                                (self.category, 1), (self.use_dates, 0), (self.date_from, 0),
                                (QLabel("–"), 0), (self.date_to, 0), (self.clear_button, 0)):
            second.addWidget(widget, stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.first_row)
        layout.addWidget(self.more_row)
        self._fill_empty_choices()
        self.more.toggled.connect(self._toggle_more)
        self._toggle_more(False)
        self._typing = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._typing.timeout.connect(self.changed)
        self.search.textChanged.connect(self._typing.start)
        self.search.returnPressed.connect(self._search_now)
        for combo in (self.level, self.status, self.major, self.project, self.insurer,
                      self.authority, self.category):
            combo.currentIndexChanged.connect(self._changed)
        for box in (self.overdue, self.use_dates):
            box.toggled.connect(self._changed)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self._date_changed)
        self.clear_button.clicked.connect(self.clear)

    def _fill_empty_choices(self) -> None:
        fill(self.project, QCoreApplication.translate("RegisterFilters", "全部项目"), [])
        fill(self.insurer, QCoreApplication.translate("RegisterFilters", "全部承保机构"), [])
        fill(self.authority, QCoreApplication.translate("RegisterFilters", "全部主管部门"), [])
        fill(self.category, QCoreApplication.translate("RegisterFilters", "全部类别"), [])

    def load_choices(self, *, force: bool = False) -> None:
        """Projects and organisations now; categories (a scan of the register) on a worker."""
        if self._choices_loaded and not force:
            return
        self._choices_loaded = True
        projects = self.state.read(hazard_view.project_choices)
        fill(self.project, QCoreApplication.translate("RegisterFilters", "全部项目"),
             [(f"{p.name}（{p.code}）", p.id) for p in projects])
        for combo, kind, everything in ((self.insurer, "insurer",
            QCoreApplication.translate("RegisterFilters", "全部承保机构")),
                                        (self.authority, "authority",
                                            QCoreApplication.translate("RegisterFilters", "全部主管部门"))):
            fill(combo, everything, [(o.name, o.id) for o in self.state.read(organisations.list_orgs, kind)])
        read = self.state.db.read

        def categories(*, progress: Any) -> list[str]:
            with read() as session:
                return register.categories(session)

        self._categories = Task(categories).start()
        self._categories.succeeded.connect(self._show_categories)

    def _show_categories(self, names: list[str]) -> None:
        fill(self.category, QCoreApplication.translate("RegisterFilters", "全部类别"),
             [(n, n) for n in names])

    def _toggle_more(self, shown: bool) -> None:
        self.more_row.setVisible(shown)
        self._label_more()

    def _label_more(self) -> None:
        hidden = sum(1 for active in (self.project.currentData() is not None,
                                      self.insurer.currentData() is not None,
                                      self.authority.currentData() is not None,
                                      self.category.currentData() is not None,
                                      self.use_dates.isChecked()) if active)
        text = QCoreApplication.translate("RegisterFilters", "更多筛选")
        self.more.setText(f"{text} ({hidden})" if hidden else text)

    def _changed(self, *_args: object) -> None:
        self._label_more()
        self.changed.emit()

    def _date_changed(self, *_args: object) -> None:
        if self.use_dates.isChecked():
            self.changed.emit()

    def _search_now(self) -> None:
        self._typing.stop()
        self.changed.emit()

    def current(self) -> RegisterFilter:
        status = self.status.currentData()
        level = int(self.level.currentData() or 0)
        dates = self.use_dates.isChecked()
        return RegisterFilter(
            levels=frozenset({level}) if level else frozenset(),
            statuses=frozenset({status}) if status not in (None, OPEN) else frozenset(),
            open_only=status == OPEN, overdue=self.overdue.isChecked(),
            major=self.major.currentData(), project_id=self.project.currentData(),
            insurer_id=self.insurer.currentData(), authority_id=self.authority.currentData(),
            date_from=self.date_from.date() if dates else None,
            date_to=self.date_to.date() if dates else None,
            category=self.category.currentData() or "", text=self.search.text().strip())

    def set_filter(self, flt: RegisterFilter) -> None:
        """Show this filter (from the dashboard): one `changed` at the end."""
        widgets = (self.search, self.level, self.status, self.overdue, self.major, self.project,
                   self.insurer, self.authority, self.category, self.use_dates, self.date_from,
                   self.date_to)
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.search.setText(flt.text)
            self.level.setCurrentIndex(max(self.level.findData(min(flt.levels) if flt.levels else 0), 0))
            status = next(iter(flt.statuses)) if flt.statuses else (OPEN if flt.open_only else None)
            self.status.setCurrentIndex(max(self.status.findData(status), 0))
            self.overdue.setChecked(flt.overdue)
            self.major.setCurrentIndex(max(self.major.findData(flt.major), 0))
            for combo, value in ((self.project, flt.project_id), (self.insurer, flt.insurer_id),
                                 (self.authority, flt.authority_id),
                                 (self.category, flt.category or None)):
                found = combo.findData(value) if value is not None else 0
                if found < 0 and combo is self.category:  # categories may still be loading
                    combo.addItem(str(value), value)
                    found = combo.count() - 1
                combo.setCurrentIndex(max(found, 0))
            self.use_dates.setChecked(flt.date_from is not None or flt.date_to is not None)
            if flt.date_from is not None:
                self.date_from.set_date(flt.date_from)
            if flt.date_to is not None:
                self.date_to.set_date(flt.date_to)
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self._typing.stop()
        self._label_more()
        self.changed.emit()

    def clear(self) -> None:
        self.set_filter(RegisterFilter())

    def is_default(self) -> bool:
        return dataclasses.replace(self.current(), today=None) == RegisterFilter()
