"""Small shared widgets: page heading, empty state, inline error text, read-only fields."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QVBoxLayout, QWidget

ERROR_STYLE = "color: #c62828;"
W = TypeVar("W", bound=QWidget)


def require_hooks(obj: object, *names: str) -> None:
    """Refuse to build an instance of a base class whose hooks a concrete subclass must define.

    Qt's metaclass rules out `abc.ABC`; this gives the same guarantee at construction.
    """
    missing = [n for n in names if not callable(getattr(type(obj), n, None))]
    if missing:
        raise TypeError(f"{type(obj).__name__} is abstract: define {', '.join(missing)}()")


def widget_as(widget: QWidget | None, kind: type[W]) -> W:
    """A widget the caller put there itself (a form row's field, a table's cell widget) as its
    own class: another class or none at all is a bug, raised here rather than later."""
    if not isinstance(widget, kind):
        raise TypeError(f"expected a {kind.__name__}, found {type(widget).__name__}")
    return widget


class Heading(QLabel):
    """The title at the top of a page."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.setFont(font)
        self.setObjectName("pageHeading")


class EmptyState(QFrame):
    """A centred explanation where data will be: used until a page has its service."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title_label = QLabel(title)
        font = QFont(self.title_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title_label.setFont(font)
        self.text_label = QLabel(text)
        self.text_label.setWordWrap(True)
        self.text_label.setStyleSheet("color: #607d8b;")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for label in (self.title_label, self.text_label):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        layout.addStretch(2)


class ErrorLabel(QLabel):
    """Red inline text beside a form; hidden while empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_message(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))

    def show_fields(self, fields: dict[str, str]) -> None:
        self.show_message("\n".join(fields.values()))


def read_only(text: str) -> QLineEdit:
    """A selectable, copyable value (paths, addresses) that looks like a field."""
    field = QLineEdit(text)
    field.setReadOnly(True)
    field.setFrame(False)
    palette = field.palette()  # the window's colour says "not for typing in"
    palette.setColor(QPalette.ColorRole.Base, palette.color(QPalette.ColorRole.Window))
    field.setPalette(palette)
    field.setCursorPosition(0)
    return field
