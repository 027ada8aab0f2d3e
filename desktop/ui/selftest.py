"""The window half of the self-test: build the real main window on a scratch database."""

from __future__ import annotations

import tempfile
from pathlib import Path

from desktop.config import Config
from desktop.db import Database
from desktop.services.context import Actor


def open_and_close_main_window(*, db_url: str) -> tuple[str, int]:
    """Create the application, the state and the main window with every page; close it.

    Returns the window title and the number of pages."""
    from desktop.app import create_application
    from desktop.ui import i18n
    from desktop.ui.app_state import AppState
    from desktop.ui.main_window import MainWindow

    app = create_application()
    with tempfile.TemporaryDirectory(prefix="riskdesk-selftest-ui-") as tmp:
        config = Config(data_dir=Path(tmp))
        i18n.install_translators("zh_CN", cache_dir=Path(tmp) / "cache")
        db = Database(db_url)
        try:
            state = AppState(db=db, config=config, actor=Actor(None, "selftest", "reviewer", "selftest"))
            window = MainWindow(state)
            window.show()
            app.processEvents()
            title = window.windowTitle()
            pages = len(window.pages)
            window.close()
            window.deleteLater()
            app.processEvents()
        finally:
            db.dispose()
    return title, pages
