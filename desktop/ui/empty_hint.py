"""What an empty list says: what to do first, with the buttons that do it (新建项目 / 从 Excel
导入 ...), laid over the table's blank area while the table has no rows. A list emptied by the
user's own search or filters says that instead, without the buttons."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

Action = tuple[str, str, Callable[[], object]]  # text, object name, slot


def hint_button(text: str, name: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.clicked.connect(lambda _checked=False: slot())
    return button


class HintBox(QFrame):
    """A sentence and a row of buttons, centred."""

    def __init__(self, text: str, actions: Sequence[Action] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyHint")
        self.label = QLabel(text)
        self.label.setObjectName("emptyHintText")
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setStyleSheet("color: #455a64; font-size: 11pt;")
        self.buttons = [hint_button(*a) for a in actions]
        row = QHBoxLayout()
        row.addStretch(1)
        for button in self.buttons:
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addLayout(row)
        layout.addStretch(2)


class EmptyHint(HintBox):
    """Over `view`'s blank area while its model has no rows. `filtered()` tells whether the
    user's search or filters are what emptied it (then `filtered_text` shows, no buttons)."""

    def __init__(self, view: QAbstractItemView, text: str, actions: Sequence[Action] = (), *,
                 filtered: Callable[[], bool] | None = None, filtered_text: str = "") -> None:
        super().__init__(text, actions, view.viewport())
        self.view = view
        self.text = text
        self.filtered = filtered
        self.filtered_text = filtered_text
        self.setAutoFillBackground(False)
        model = view.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved,
                       model.layoutChanged):
            signal.connect(self.update_shown)
        view.viewport().installEventFilter(self)
        self.update_shown()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.setGeometry(self.view.viewport().rect())
        return False

    @property
    def shown(self) -> bool:
        return not self.isHidden()

    def update_shown(self, *_args: object) -> None:
        empty = self.view.model().rowCount() == 0
        by_filter = empty and self.filtered is not None and self.filtered()
        self.label.setText(self.filtered_text if by_filter else self.text)
        for button in self.buttons:
            button.setVisible(not by_filter)
        self.setGeometry(self.view.viewport().rect())
        self.setVisible(empty)
