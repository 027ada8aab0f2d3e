"""The page contract: what MainWindow needs from every page in the navigation."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import QCoreApplication, QSettings, Signal
from PySide6.QtWidgets import QWidget

from desktop.services.context import Changes
from desktop.ui import dialogs
from desktop.ui.app_state import AppState


class Page(QWidget):
    """One screen of the main window.

    Subclasses set `key` (also the icon name and the settings group) and `title_source`
    (Simplified Chinese, translated in the "Pages" context), build their widgets in
    `__init__`, load data in `refresh()`, and say in `wants()` which changes concern them.
    A page loads on first show; a change while hidden only marks it stale.
    """

    key: ClassVar[str] = ""
    title_source: ClassVar[str] = ""
    navigate = Signal(str)  # ask the main window to show the page with this key

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName(f"page_{self.key}")
        self._stale = True
        self._active = False
        state.changed.connect(self.on_changed)

    @classmethod
    def title(cls) -> str:
        return QCoreApplication.translate("Pages", cls.title_source)

    def refresh(self) -> None:
        """Reload what the page shows from the services."""

    def wants(self, changes: Changes) -> bool:
        """Whether a change elsewhere makes this page out of date."""
        return False

    def activate(self) -> None:
        self._active = True
        if self._stale:
            self._stale = False
            self.reload()

    def reload(self) -> None:
        """refresh(), with a locked or unreachable database told to the user, not crashed on."""
        try:
            self.refresh()
        except dialogs.USER_ERRORS as exc:
            self._stale = True
            dialogs.show_error(self, exc)

    def reload_when_shown(self) -> None:
        """Reload now if the page is on screen, else on its next show."""
        if self._active:
            self.reload()
        else:
            self._stale = True

    def deactivate(self) -> None:
        self._active = False

    def on_changed(self, changes: Changes) -> None:
        if self.wants(changes):
            self.reload_when_shown()

    def save_state(self, settings: QSettings) -> None:
        """Store column widths and the like under the group `key`."""

    def restore_state(self, settings: QSettings) -> None:
        """Restore what `save_state` stored."""
