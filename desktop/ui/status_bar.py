"""The status bar: who is signed in and which database the window works on."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from desktop.services.context import Actor
from desktop.ui import i18n
from desktop.ui.app_state import AppState


def shorten(text: str, limit: int = 60) -> str:
    """Middle-elided, so a long path cannot force the window wider than a small screen."""
    if len(text) <= limit:
        return text
    keep = limit - 1
    return text[: keep // 3] + "…" + text[-(keep - keep // 3):]


class StatusBar(QStatusBar):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.user_label = QLabel()
        self.user_label.setObjectName("statusUser")
        self.database_label = QLabel()
        self.database_label.setObjectName("statusDatabase")
        for label in (self.user_label, self.database_label):
            label.setContentsMargins(8, 0, 8, 0)
            self.addPermanentWidget(label)
        self.state = state
        state.actor_changed.connect(self.show_actor)
        if state.is_open:
            self._fill()
        else:  # the window's frame: who and where once the database is open
            state.opened.connect(self._fill)

    def _fill(self) -> None:
        text = QCoreApplication.translate("StatusBar", "数据库：{where}")
        self.database_label.setText(text.format(where=shorten(self.state.database_label)))
        self.database_label.setToolTip(self.state.database_label)
        self.show_actor(self.state.actor)

    def show_actor(self, actor: Actor) -> None:
        from desktop.models.enums import Role  # with the ORM package, loaded by now

        role = i18n.label(Role(actor.role)) if Role.known(actor.role) else actor.role
        text = QCoreApplication.translate("StatusBar", "当前用户：{name}（{role}）")
        self.user_label.setText(text.format(name=actor.display_name or actor.username, role=role))
