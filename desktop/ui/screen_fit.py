"""Windows that fit the screen they open on (an office laptop: 1366×768 less the task bar).

`fit_to_screen` resizes a window to the smaller of the size it would like and the screen's
available geometry (less its frame), never below what its layout needs, and keeps it on the
screen. The main window calls it at its first show; every modal dialog through `dialogs.run`.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# the frame a window manager adds (title bar, borders), assumed while a window has none yet
FRAME_ESTIMATE = QSize(16, 40)
LAPTOP = QRect(0, 0, 1366, 728)  # 1366×768 less a 40 px task bar: the smallest screen we fit


def fitted_size(preferred: QSize, minimum: QSize, room: QSize) -> QSize:
    """The size to use: `preferred` shrunk into `room`, but not below `minimum`."""
    width = max(min(preferred.width(), room.width()), minimum.width())
    height = max(min(preferred.height(), room.height()), minimum.height())
    return QSize(width, height)


def fits(outer: QSize, available: QRect) -> bool:
    return outer.width() <= available.width() and outer.height() <= available.height()


def available_rect(widget: QWidget) -> QRect:
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else LAPTOP


def frame_of(widget: QWidget) -> QSize:
    if widget.isVisible():
        frame = widget.frameGeometry().size() - widget.size()
        if frame.width() > 0 or frame.height() > 0:
            return frame
    return FRAME_ESTIMATE


def preferred_size(widget: QWidget) -> QSize:
    """The size set in code (or restored), else what the layout would like."""
    if widget.testAttribute(Qt.WidgetAttribute.WA_Resized):
        return widget.size()
    return widget.sizeHint().expandedTo(widget.minimumSizeHint())


def fit_to_screen(widget: QWidget, available: QRect | None = None) -> QSize:
    """Resize (and if needed move) `widget` so that it and its frame lie in `available`."""
    if widget.isMaximized() or widget.isFullScreen():
        return widget.size()
    room = available if available is not None else available_rect(widget)
    frame = frame_of(widget)
    minimum = widget.minimumSizeHint().expandedTo(widget.minimumSize())
    size = fitted_size(preferred_size(widget), minimum, room.size() - frame)
    if size != widget.size():
        widget.resize(size)
    if widget.isVisible() or widget.testAttribute(Qt.WidgetAttribute.WA_Moved):
        outer = QRect(widget.frameGeometry().topLeft(), size + frame)
        x = min(max(outer.left(), room.left()), max(room.left(), room.right() + 1 - outer.width()))
        y = min(max(outer.top(), room.top()), max(room.top(), room.bottom() + 1 - outer.height()))
        if QPoint(x, y) != outer.topLeft():
            widget.move(x, y)
    return size
