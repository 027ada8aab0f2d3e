"""The one date widget: typed dates stick, Tab leaves the field, a calendar on the button.

`DateField` is a line edit read by `date_text.parse_date` (2028-06-30, 2028/6/30, 20280630,
2028年6月30日 …) with a calendar button beside it. Text it cannot read turns red with the reason
in the tooltip; an optional date stays empty until someone sets it. `DateTimeField` puts a
time field (14:30) beside it for moments.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, QDate, QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from desktop.services.context import ValidationError, now
from desktop.ui.date_text import EXAMPLE_DATE, format_date, format_time, parse_date, parse_time

INVALID_STYLE = "QLineEdit { border: 1px solid #c62828; color: #c62828; }"



def today() -> dt.date:
    return now().date()


class DateField(QWidget):
    """A date typed or picked; `date()` is a `datetime.date`, or None while empty or unreadable."""

    dateChanged = Signal(object)  # the new date, or None

    def __init__(self, value: dt.date | None = None, *, optional: bool = False,
                 minimum: dt.date | None = None, maximum: dt.date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.optional = optional
        self.minimum, self.maximum = minimum, maximum
        self.edit = QLineEdit(self)
        self.edit.setObjectName("dateText")
        empty = QCoreApplication.translate("DateField", "年-月-日")
        self.edit.setPlaceholderText(empty if optional else EXAMPLE_DATE)
        self.edit.setMaxLength(20)
        width = self.edit.fontMetrics().horizontalAdvance("2028年12月30日") + 16
        self.edit.setMinimumWidth(width)
        self.hint = QCoreApplication.translate(
            "DateField", "可输入 2028-06-30、2028/6/30、20280630 或 2028年6月30日；Alt+↓ 打开日历")
        self.edit.setToolTip(self.hint)
        self.button = QToolButton(self)
        self.button.setObjectName("dateCalendarButton")
        self.button.setText("▾")
        self.button.setToolTip(QCoreApplication.translate("DateField", "从日历中选择"))
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes on to the next field
        self.button.clicked.connect(self.show_calendar)
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        self.calendar.clicked.connect(self._picked)
        self.calendar.activated.connect(self._picked)
        self.menu = QMenu(self)
        holder = QWidgetAction(self.menu)
        holder.setDefaultWidget(self.calendar)
        self.menu.addAction(holder)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.button)
        self.setFocusProxy(self.edit)
        # as wide as a date needs: a form does not stretch it across the dialog
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._value: dt.date | None = None
        self._error = ""
        self.edit.textChanged.connect(self._typed)
        self.edit.editingFinished.connect(self._finished)
        self.edit.installEventFilter(self)
        self.set_date(value)

    # -- value -----------------------------------------------------------------------------

    def date(self) -> dt.date | None:
        return self._value

    def set_date(self, value: dt.date | None) -> None:
        self.edit.setText(format_date(value))
        self._finished()

    def clear(self) -> None:
        self.set_date(None)

    def text(self) -> str:
        return self.edit.text()

    def error(self) -> str:
        """Why the text is not a usable date ("" when it is, or when an optional one is empty)."""
        return self._error

    def checked_date(self, key: str = "date") -> dt.date | None:
        """The date, or ValidationError({key: reason}) when the text cannot be used."""
        if self._check(self.edit.text()):
            self._show_error()
            raise ValidationError({key: self._error})
        return self._value

    def required_date(self, key: str = "date") -> dt.date:
        """checked_date() of a field that may not be left empty (not `optional`): a date."""
        day = self.checked_date(key)
        if day is None:  # only an optional field passes the check empty: a caller's mistake
            raise ValueError(f"the date field {key!r} is optional: read it with checked_date()")
        return day

    def _check(self, text: str) -> str:
        if not text.strip():
            if self.optional:
                return ""
            return QCoreApplication.translate("DateField", "请填写日期（如 {example}）").format(
                example=EXAMPLE_DATE)
        day = parse_date(text)
        if day is None:
            return QCoreApplication.translate(
                "DateField", "无法识别的日期“{text}”，请按 {example} 的格式填写").format(
                text=text.strip(), example=EXAMPLE_DATE)
        if self.minimum is not None and day < self.minimum:
            return QCoreApplication.translate("DateField", "日期不能早于 {day}").format(
                day=format_date(self.minimum))
        if self.maximum is not None and day > self.maximum:
            return QCoreApplication.translate("DateField", "日期不能晚于 {day}").format(
                day=format_date(self.maximum))
        return ""

    def _typed(self, text: str) -> None:
        self._error = self._check(text)
        value = parse_date(text) if not self._error else None
        if not self._error or not text.strip():
            self._show_error()  # becomes valid while typing: the red goes at once
        self._store(value)

    def _finished(self) -> None:
        text = self.edit.text()
        self._error = self._check(text)
        value = parse_date(text) if not self._error else None
        if value is not None and text != format_date(value):
            self.edit.blockSignals(True)
            self.edit.setText(format_date(value))  # 2028/6/30 is shown as 2028-06-30
            self.edit.blockSignals(False)
        self._show_error()
        self._store(value)

    def _store(self, value: dt.date | None) -> None:
        if value != self._value:
            self._value = value
            self.dateChanged.emit(value)

    def _show_error(self) -> None:
        invalid = bool(self._error) and bool(self.edit.text().strip())
        self.edit.setStyleSheet(INVALID_STYLE if invalid else "")
        self.edit.setToolTip(self._error if invalid else self.hint)
        self.edit.setProperty("invalid", invalid)

    # -- calendar --------------------------------------------------------------------------

    def show_calendar(self) -> None:
        start = self._value or parse_date(self.edit.text()) or today()
        self.calendar.setSelectedDate(QDate(start.year, start.month, start.day))
        self.menu.popup(self.mapToGlobal(QPoint(0, self.height())))
        self.calendar.setFocus()

    def _picked(self, day: QDate) -> None:
        self.menu.hide()
        self.set_date(dt.date(day.year(), day.month(), day.day()))
        self.edit.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            alt = event.modifiers() & Qt.KeyboardModifier.AltModifier
            if event.key() == Qt.Key.Key_F4 or (alt and event.key() == Qt.Key.Key_Down):
                self.show_calendar()
                return True
            if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self._value is not None:
                step = 1 if event.key() == Qt.Key.Key_Up else -1
                self.set_date(self._value + dt.timedelta(days=step))
                return True
        return super().eventFilter(watched, event)


class TimeField(QLineEdit):
    """Hours and minutes typed as 14:30, 1430 or 14时30分; `time()` is None while unreadable."""

    def __init__(self, value: dt.time | None = None, parent: QWidget | None = None) -> None:
        super().__init__(format_time(value), parent)
        self.setObjectName("timeText")
        self.setPlaceholderText("14:30")
        self.setMaxLength(10)
        self.setFixedWidth(self.fontMetrics().horizontalAdvance("00时00分") + 16)
        self.hint = QCoreApplication.translate("DateField", "时:分，如 14:30")
        self.setToolTip(self.hint)
        self.editingFinished.connect(self._finished)
        self.textChanged.connect(lambda _t: self.show_invalid(False))

    def time(self) -> dt.time | None:
        return parse_time(self.text())

    def error(self) -> str:
        if self.time() is not None:
            return ""
        return QCoreApplication.translate("DateField", "无法识别的时间“{text}”，请按 14:30 的格式填写").format(
            text=self.text().strip())

    def _finished(self) -> None:
        value = self.time()
        if value is not None and self.text() != format_time(value):
            self.setText(format_time(value))
        self.show_invalid(value is None)

    def show_invalid(self, invalid: bool) -> None:
        if not invalid and self.text().strip() and self.time() is None:
            return  # keep the red until the text is readable again
        self.setStyleSheet(INVALID_STYLE if invalid else "")
        self.setToolTip(self.error() if invalid else self.hint)


class DateTimeField(QWidget):
    """A moment to the minute: a DateField and a TimeField side by side."""

    valueChanged = Signal(object)  # datetime or None

    def __init__(self, value: dt.datetime | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        moment = value if value is not None else now()
        self._exact = moment  # shown to the minute, kept to the second while left alone
        self.date_field = DateField(moment.date())
        self.time_field = TimeField(moment.time())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.date_field)
        layout.addWidget(self.time_field)
        self.setFocusProxy(self.date_field)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.date_field.dateChanged.connect(lambda _d: self.valueChanged.emit(self.value()))
        self.time_field.editingFinished.connect(lambda: self.valueChanged.emit(self.value()))

    def value(self) -> dt.datetime | None:
        day, time = self.date_field.date(), self.time_field.time()
        if day is None or time is None:
            return None
        typed = dt.datetime.combine(day, time)
        return self._exact if typed == self._exact.replace(second=0, microsecond=0) else typed

    def set_value(self, moment: dt.datetime) -> None:
        self._exact = moment
        self.time_field.setText(format_time(moment.time()))
        self.date_field.set_date(moment.date())

    def checked_value(self, key: str = "at") -> dt.datetime:
        day = self.date_field.checked_date(key)
        time = self.time_field.time()
        if time is None:
            self.time_field.show_invalid(True)
            raise ValidationError({key: self.time_field.error()})
        assert day is not None  # a DateTimeField's date is never optional
        value = self.value()
        assert value is not None
        return value
