"""The status bar: who is signed in and which database the window works on."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from desktop.models.enums import Role
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
        text = QCoreApplication.translate("StatusBar", "数据库：{where}")
        self.database_label = QLabel(text.format(where=shorten(state.database_label)))
        self.database_label.setObjectName("statusDatabase")
        self.database_label.setToolTip(state.database_label)
        for label in (self.user_label, self.database_label):
            label.setContentsMargins(8, 0, 8, 0)
            self.addPermanentWidget(label)
        state.actor_changed.connect(self.show_actor)
        self.show_actor(state.actor)

    def show_actor(self, actor: Actor) -> None:
        role = i18n.label(Role(actor.role)) if actor.role in Role._value2member_map_ else actor.role
        text = QCoreApplication.translate("StatusBar", "当前用户：{name}（{role}）")
        self.user_label.setText(text.format(name=actor.display_name or actor.username, role=role))
