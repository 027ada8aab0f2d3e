"""The QApplication, named and decorated: Qt only, so the window's frame can come first."""

from __future__ import annotations

import logging
import sys

from PySide6.QtWidgets import QApplication

from desktop import APP_NAME, ORG_NAME, __version__
from desktop.ui.resources import ensure_chinese_font, icon

log = logging.getLogger("desktop.ui")


def create_application() -> QApplication:
    """The QApplication (the existing one under tests), named, with icon and a Chinese font."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(icon("app"))
    fonts = ensure_chinese_font(app)
    log.info("Qt font: %s", fonts)
    return app
