"""The main window's frame first, its data after.

`show_window` shows the frame (navigation, menus, status bar, 正在读取… where the page will
be) at once, from modules that import Qt only, while a worker opens the database — importing
SQLAlchemy and the ORM with it — and imports the first page's module. Back on the GUI thread
the database is attached to the state and the window builds its page, which reads and fills.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from desktop.ui.app_state import AppState
from desktop.ui.main_window import MainWindow
from desktop.ui.pages import PAGES, Page, PageRef
from desktop.ui.tasks import Task

if TYPE_CHECKING:
    from desktop.db import Database

log = logging.getLogger("desktop.ui")


def _open(open_db: Callable[[], Database], first: PageRef | None, *, progress: Any) -> Database:
    """On the worker: the database (and with it the data layer's modules), then the first
    page's module, so that the GUI thread only builds the page and reads."""
    db = open_db()
    if first is not None:
        first.load()
    return db


def show_window(state: AppState, open_db: Callable[[], Database], *,
                pages: Sequence[type[Page] | PageRef] = PAGES,
                on_failure: Callable[[BaseException], None] | None = None) -> MainWindow:
    """The window of `state` (made with db=None) shown now; `open_db()` runs on a worker and
    its database is attached when it returns. `on_failure` (default: the error shown) when
    it raises; the frame then stays without pages."""
    window = MainWindow(state, pages=pages)
    window.show()
    first = window.page_classes[window.pending_row] if window.page_classes else None
    task = Task(_open, open_db, first if isinstance(first, PageRef) else None)
    task.succeeded.connect(state.open_database)
    # a bound method, not a closure: the finished Task must not keep the window alive
    task.failed.connect(on_failure or window.database_failed)
    task.start()  # kept alive by tasks until it has finished
    return window
