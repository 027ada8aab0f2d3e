"""The idle lock: no keyboard or mouse input for a while (setting `idle_lock_minutes`) → locked.

An event filter on the QApplication restarts one single-shot QTimer on every input event;
when it runs out, `idle` is emitted and the desk session shows the lock screen.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick,
    QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress,
})


class IdleWatch(QObject):
    """Emits `idle` after `minutes` without input; 0 minutes switches the watch off."""

    idle = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle)
        self.set_minutes(minutes)
        app = QApplication.instance()
        assert app is not None, "create the QApplication first"
        app.installEventFilter(self)

    def set_minutes(self, minutes: float) -> None:
        self.minutes = max(0.0, float(minutes))
        self.timer.setInterval(int(self.minutes * 60_000))
        self.restart()

    @property
    def active(self) -> bool:
        return self.minutes > 0

    def restart(self) -> None:
        if self.active:
            self.timer.start()
        else:
            self.timer.stop()

    def stop(self) -> None:
        """Stop watching for good (the window is closing)."""
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS and self.active:
            self.timer.start()
        return super().eventFilter(watched, event)
