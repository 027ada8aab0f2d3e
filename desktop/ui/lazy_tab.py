"""A tab whose panel is built the first time the tab is shown or the panel is asked for.

The settings page has a dozen panels; building them all made its first open slow (issue 16).
Each tab holds a `LazyTab` (or a `LazyScroll` for panels that scroll as a whole); the page
builds the panel when its tab becomes current, and code that reaches a panel directly
(`page.backup_panel`) gets it built on access.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget


class _Built:
    """What both holders answer about their panel (built yet? this one?)."""

    _panel: QWidget | None = None

    def is_built(self) -> bool:
        return self._panel is not None

    def holds(self, widget: QWidget) -> bool:
        return self._panel is not None and self._panel is widget


class LazyTab(_Built, QWidget):
    """A holder that puts its panel in place on the first call of `panel()`."""

    def __init__(self, build: Callable[[], QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build = build
        self._panel = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def panel(self) -> QWidget:
        if self._panel is None:
            self._panel = self._build()
            self._layout.addWidget(self._panel)
            self._panel.show()  # at once, not when the layout's queued show comes round
        return self._panel


class LazyScroll(_Built, QScrollArea):
    """A scroll area whose content is built on the first call of `panel()` or `widget()`."""

    def __init__(self, build: Callable[[], QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self._build = build
        self._panel = None

    def panel(self) -> QWidget:
        if self._panel is None:
            self._panel = self._build()
            self.setWidget(self._panel)
        return self._panel

    def widget(self) -> QWidget:  # the content, built when first asked for
        return self.panel()
