"""The application object: database, settings, acting user, and the one `changed` signal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, QSettings, Signal

from desktop.config import Config
from desktop.logsetup import LOG_FILE
from desktop.services.context import Actor, Changes

if TYPE_CHECKING:  # the database layer (SQLAlchemy) loads on a worker after the frame is shown
    from desktop.db import Database

T = TypeVar("T")
WINDOW_STATE_FILE = "window-state.ini"


def log_file(config: Config) -> Path:
    """Where desktop.logsetup writes the log; shown in the crash dialog and on the settings page."""
    return config.logs_dir / LOG_FILE


def window_settings(config: Config) -> QSettings:
    """Window geometry and column layouts: an INI file in the data folder, not the preferences."""
    path = config.data_dir / WINDOW_STATE_FILE
    return QSettings(str(path), QSettings.Format.IniFormat)


def database_label(db: Database) -> str:
    """The database address as people may see it: a file path, or a URL without the password."""
    from desktop.db import mask_url

    return str(db.sqlite_path) if db.sqlite_path is not None else mask_url(db.url)


def changes_of(result: Any) -> Changes | None:
    """The Changes a service returned, alone or as an attribute of its result."""
    if isinstance(result, Changes):
        return result
    found = getattr(result, "changes", None)
    return found if isinstance(found, Changes) else None


class AppState(QObject):
    """What every page needs, passed in (never reached through a global).

    The only place in the GUI that opens sessions: widgets call services through `read()`
    and `write()` and never see a session, a query or a commit.
    """

    changed = Signal(object)  # a services.context.Changes
    actor_changed = Signal(object)  # the new Actor
    opened = Signal()  # the database has been attached (open_database): pages may read

    def __init__(self, *, db: Database | None, config: Config, actor: Actor,
                 parent: QObject | None = None) -> None:
        """`db` None: the window's frame is shown first, the database attached by
        `open_database` once a worker has opened it (desktop/ui/window_start.py)."""
        super().__init__(parent)
        self._db = db
        self.config = config
        self._actor = actor
        self.settings = window_settings(config)

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("the database is not open yet")
        return self._db

    @property
    def is_open(self) -> bool:
        return self._db is not None

    def open_database(self, db: Database) -> None:
        """Attach the database the worker opened; the window then builds its page."""
        self._db = db
        self.opened.emit()

    @property
    def actor(self) -> Actor:
        return self._actor

    def set_actor(self, actor: Actor) -> None:
        self._actor = actor
        self.actor_changed.emit(actor)

    def can(self, action: str) -> bool:
        from desktop.services import permissions  # its roles load with the ORM package

        return permissions.allowed(self._actor.role, action)

    def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call `fn(session, *args, **kwargs)` in a read-only session."""
        with self.db.read() as session:
            return fn(session, *args, **kwargs)

    def write(self, fn: Callable[..., T], *args: Any, changes: Changes | None = None,
              **kwargs: Any) -> T:
        """Call `fn(session, actor, *args, **kwargs)` in one unit of work, then announce it.

        The announcement is what the service returned as Changes, merged with `changes`.
        """
        with self.db.session() as session:
            result = fn(session, self._actor, *args, **kwargs)
        self.announce(changes_of(result), changes)
        return result

    def announce(self, *parts: Changes | None) -> None:
        merged = Changes()
        for part in parts:
            if part is not None:
                merged.merge(part)
        if merged != Changes():
            self.changed.emit(merged)

    @property
    def database_label(self) -> str:
        return database_label(self.db)
