"""A new day at the agency while the window stays open: every page reads its data again.

The 工作台's counts and greeting, the 近期到期 list's 今天/已逾期, the register's overdue flags
and the self-check's "today" are read for the day they were read on, and an office leaves the
program open overnight. A single-shot timer runs to the agency's next midnight (China time, or
the agency's zone — never the computer's), at most an hour at a time so that a computer that
slept or had its clock changed is noticed within the hour; when the date has changed,
`new_day` is emitted and the desk announces every kind of change, as a change made at another
desk does (the page on screen reads again, the others when next shown).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QObject, QTimer, Signal

from desktop import clock

CHECK_AT_LEAST_MS = 3_600_000  # an hour
AFTER_MIDNIGHT_MS = 1_000  # wake a second after midnight, not a moment before it


class DayWatch(QObject):
    """Emits `new_day(date)` when the agency's calendar date changes."""

    new_day = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.day = clock.today()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.check)
        self.arm()

    def arm(self) -> None:
        """Wait until just after the next midnight, or an hour, whichever comes first."""
        now = clock.now()
        midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), now.tzinfo)
        wait = int((midnight - now).total_seconds() * 1000) + AFTER_MIDNIGHT_MS
        self.timer.start(max(AFTER_MIDNIGHT_MS, min(wait, CHECK_AT_LEAST_MS)))

    def check(self) -> None:
        today = clock.today()
        if today != self.day:
            self.day = today
            self.new_day.emit(today)
        self.arm()

    def stop(self) -> None:
        self.timer.stop()
