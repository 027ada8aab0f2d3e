"""A shared desk: the window of whoever is signed in, 锁定 and 切换用户 without restarting.

Switching user opens a fresh main window (with a fresh AppState) for the new person and
closes the old one: every page is built again for the new role, so no button keeps the
previous user's permissions. The idle lock and 锁定 (Ctrl+L) use the same lock screen.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from desktop.config import Config
from desktop.db import Database, DataError
from desktop.services import agency
from desktop.services.context import Actor, Changes
from desktop.ui import dialogs
from desktop.ui.app_state import AppState, window_settings
from desktop.ui.auto_backup import AutoBackup
from desktop.ui.day_watch import DayWatch
from desktop.ui.idle_lock import IdleWatch
from desktop.ui.lock_screen import Locker
from desktop.ui.login_dialog import LoginDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.window_start import show_window

log = logging.getLogger("desktop.ui")


class Desk(QObject):
    """Owns the current window and state, the lock and the idle watch."""

    window_opened = Signal(object)  # the new MainWindow

    def __init__(self, db: Database, config: Config, actor: Actor, *,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.config = config
        self.locker = Locker(db, self)
        self.locker.switch_user.connect(self.switch_user)
        minutes = self.config.get("idle_lock_minutes")
        self.idle = IdleWatch(minutes if isinstance(minutes, int | float) else 15, self)
        self.idle.idle.connect(self.lock)
        self.locker.unlocked.connect(self.idle.restart)
        self.locker.unlocked.connect(self._unlocked)
        self.state = AppState(db=None, config=config, actor=actor)
        self.window = self._open(self.state)
        self.auto_backup = AutoBackup(self.state, self)
        self.auto_backup.message.connect(self._status_message)
        self.day_watch = DayWatch(self)
        self.day_watch.new_day.connect(self._new_day)

    def _open(self, state: AppState) -> MainWindow:
        """At start (`state` without its database) the window's frame at once, its first page
        built and filled once a worker has loaded that page's module (the database is open
        already: sign-in used it). Another user's window is built whole: all is loaded."""
        if state.is_open:
            window = MainWindow(state)
            window.show()
        else:
            db = self.db
            window = show_window(state, lambda: db)
        state.changed.connect(self._settings_changed)
        window.lock_requested.connect(self.lock)
        window.switch_user_requested.connect(self.switch_user)
        self.window_opened.emit(window)
        return window

    def _settings_changed(self, changes: Changes) -> None:
        if changes.settings:
            minutes = self.config.get("idle_lock_minutes")
            self.idle.set_minutes(minutes if isinstance(minutes, int | float) else 15)

    def _new_day(self, _day: object) -> None:
        """Midnight at the agency: what the pages showed was read for yesterday (accounts and
        settings do not depend on the day)."""
        self.state.announce(Changes(projects=True, hazards=True, reports=True, inspections=True,
                                    documents=True, training=True, archive=True))

    def _status_message(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 15_000)

    def agency_name(self) -> str:
        try:
            with self.db.read() as session:
                profile = agency.agency_profile(session)
        except DataError:
            return ""
        return profile.name if profile else ""

    # -- the lock ----------------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return self.locker.locked

    def lock(self) -> None:
        if not self.window.isVisible():
            return
        self.locker.lock(self.window, self.state.actor, agency_name=self.agency_name())
        self.window.desk_locked(True)  # the capture service keeps running, shows nothing new

    def _unlocked(self) -> None:
        self.window.desk_locked(False)

    # -- another person at the desk --------------------------------------------------------------

    def switch_user(self) -> bool:
        """Ask who signs in; on success that person's window replaces the current one."""
        dialog = LoginDialog(self.db, agency_name=self.agency_name(), parent=self.window)
        if not dialogs.run(dialog) or dialog.actor is None:
            return False
        actor = dialog.actor
        self.locker.unlock()
        old_window, old_state = self.window, self.state
        old_window.save_window_state()  # the new window opens where the old one was
        self.state = AppState(db=self.db, config=self.config, actor=actor)
        self.auto_backup.state = self.state
        self.window = self._open(self.state)
        old_window.close()
        old_window.deleteLater()
        old_state.deleteLater()
        settings = window_settings(self.config)
        settings.setValue("login/username", actor.username)
        settings.sync()
        self.idle.restart()
        log.info("user switched: %s -> %s", old_state.actor.username, actor.username)
        return True

    def close(self) -> None:
        """The window has closed: stop watching for idleness and for the next day."""
        self.idle.stop()
        self.day_watch.stop()
        self.locker.unlock()
