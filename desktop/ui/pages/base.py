"""The page contract: what MainWindow needs from every page in the navigation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from PySide6.QtCore import QCoreApplication, QSettings, Signal
from PySide6.QtWidgets import QWidget

from desktop.services.context import Changes
from desktop.ui import dialogs
from desktop.ui.app_state import AppState

if TYPE_CHECKING:
    from desktop.services.queries.register import RegisterFilter


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


# What some pages offer beyond the contract: the main window's menus and the dashboard's cards
# ask a page for these by isinstance (the page classes are imported only when first shown).

@runtime_checkable
class Refreshes(Protocol):
    """A panel that loads what it shows when asked (a settings tab when first shown)."""

    def refresh(self) -> None: ...


@runtime_checkable
class Exports(Protocol):
    def export_view(self) -> object: ...


@runtime_checkable
class Searches(Protocol):
    def focus_search(self) -> None: ...


@runtime_checkable
class RecordsHazards(Protocol):
    def new_hazard(self) -> None: ...


@runtime_checkable
class RecordsProjects(Protocol):
    def new_project(self) -> None: ...


@runtime_checkable
class RecordsInspections(Protocol):
    def new_inspection(self, project_id: int | None = None) -> None: ...


@runtime_checkable
class ShowsIds(Protocol):
    """Lists just these rows under a caption (a count on the dashboard, a duty, a gap)."""

    def show_ids(self, ids: Sequence[int], caption: str = "") -> None: ...


@runtime_checkable
class ShowsFilter(Protocol):
    def show_filter(self, flt: RegisterFilter) -> None: ...


@runtime_checkable
class PageHost(Protocol):
    """The main window as a page sees it: it builds a page on its first use."""

    @property
    def page_classes(self) -> Sequence[object]: ...

    def page(self, key: str) -> Page: ...
