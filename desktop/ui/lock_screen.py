"""The lock screen: covers a window while the desk is away; the user's password opens it again.

One `LockScreen` holds the form (whose desk it is, the password, 解锁, 切换用户); every other
window of the application gets a plain `Cover` so nothing stays readable. While a lock is on,
the covered windows' own widgets are disabled (Tab cannot reach them) and `Locker` swallows
keyboard shortcuts (Ctrl+1…9, Ctrl+N) so nothing happens behind the cover.
"""

from __future__ import annotations

import logging

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.db import Database, DataError
from desktop.models.enums import Role
from desktop.services import users
from desktop.services.context import Actor
from desktop.ui import i18n
from desktop.ui.widgets import ErrorLabel, Heading

log = logging.getLogger("desktop.ui")



class Cover(QFrame):
    """An opaque panel over all of `host` (menus included) that follows its size."""

    def __init__(self, host: QWidget) -> None:
        super().__init__(host)
        self.setObjectName("lockCover")
        self.setAutoFillBackground(True)
        palette = self.palette()
        shade = palette.color(QPalette.ColorRole.Window).darker(115)
        palette.setColor(QPalette.ColorRole.Window, shade)
        self.setPalette(palette)
        self.host = host
        self._disabled: list[QWidget] = []
        host.installEventFilter(self)

    def cover(self) -> None:
        direct = self.host.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
        self._disabled = [w for w in direct  # a cover on its way out is not the window's own
                          if not isinstance(w, Cover) and w.isEnabled() and not w.isWindow()]
        for widget in self._disabled:
            widget.setEnabled(False)
        self.setGeometry(self.host.rect())
        self.show()
        self.raise_()

    def uncover(self) -> None:
        for widget in self._disabled:
            if shiboken6.isValid(widget):  # a widget of the window may have gone meanwhile
                widget.setEnabled(True)
        self._disabled = []
        self.host.removeEventFilter(self)
        self.hide()
        self.deleteLater()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.host and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.host.rect())
        return super().eventFilter(watched, event)


class LockScreen(Cover):
    """The cover with the form: `unlocked` when the password is right, or `switch_user`."""

    unlocked = Signal()
    switch_user = Signal()

    def __init__(self, host: QWidget, db: Database, actor: Actor, *, agency_name: str = "",
                 can_switch: bool = True) -> None:
        super().__init__(host)
        self.setObjectName("lockScreen")
        self.db = db
        self.actor = actor
        role = i18n.label(Role(actor.role)) if Role.known(actor.role) else actor.role
        who = QCoreApplication.translate("LockScreen", "已锁定。当前用户：{name}（{role}）")
        self.who = QLabel(who.format(name=actor.display_name or actor.username, role=role))
        self.who.setObjectName("lockUser")
        self.who.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setObjectName("lockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        ask = QCoreApplication.translate("LockScreen", "请输入 {username} 的密码")
        self.password.setPlaceholderText(ask.format(username=actor.username))
        self.password.returnPressed.connect(self.attempt)
        self.error = ErrorLabel()
        self.error.setObjectName("lockError")
        self.unlock_button = QPushButton(QCoreApplication.translate("LockScreen", "解锁"))
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.attempt)
        self.switch_button = QPushButton(QCoreApplication.translate("LockScreen", "切换用户…"))
        self.switch_button.setObjectName("lockSwitchUser")
        self.switch_button.clicked.connect(self.switch_user)
        self.switch_button.setVisible(can_switch)
        panel = QFrame()
        panel.setObjectName("lockPanel")
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        panel.setAutoFillBackground(True)
        panel.setPalette(QApplication.palette())
        panel.setMaximumWidth(420)
        column = QVBoxLayout(panel)
        column.addWidget(Heading(i18n.app_title()))
        if agency_name:
            column.addWidget(QLabel(agency_name))
        column.addWidget(self.who)
        column.addWidget(self.password)
        column.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addWidget(self.switch_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        column.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(panel, 2)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def cover(self) -> None:
        needed = self.minimumSizeHint()
        if self.host.width() < needed.width() or self.host.height() < needed.height():
            self.host.resize(self.host.size().expandedTo(needed))  # a small dialog holds the form
        super().cover()
        self.password.setFocus()

    def attempt(self) -> None:
        password = self.password.text()
        if not password:
            self.error.show_message(QCoreApplication.translate("LockScreen", "请输入密码。"))
            return
        try:
            users.login(self.db, self.actor.username, password)
        except (users.LoginFailed, DataError) as exc:
            self.error.show_message(i18n.error_text(exc))  # wrong, or locked for how long
            self.password.clear()
            self.password.setFocus()
            return
        log.info("unlocked by %s", self.actor.username)
        self.unlocked.emit()


class Locker(QObject):
    """Puts the lock on every visible window of the application and takes it off again.

    The form goes on the window in front; when that window goes while the desk is locked (a
    progress dialog whose task ends, closing and deleting it with the form), the form moves to
    the next window in front, so a locked desk always shows a way to unlock it."""

    unlocked = Signal()
    switch_user = Signal()

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.screen: LockScreen | None = None
        self.covers: list[Cover] = []
        self._main: QWidget | None = None
        self._actor: Actor | None = None
        self._agency = ""
        self._moving = False

    @property
    def locked(self) -> bool:
        return self.screen is not None

    def lock(self, main: QWidget, actor: Actor, *, agency_name: str = "") -> LockScreen:
        """The form goes on the window in front (an open modal dialog, else `main`)."""
        if self.screen is not None:
            return self.screen
        self._main, self._actor, self._agency = main, actor, agency_name
        front = self._front()
        popup = QApplication.activePopupWidget()  # an open menu or calendar closes
        while popup is not None:
            popup.close()
            after = QApplication.activePopupWidget()
            popup = after if after is not popup else None
        passing = (Qt.WindowType.Popup, Qt.WindowType.ToolTip, Qt.WindowType.SplashScreen)
        others = [w for w in QApplication.topLevelWidgets()
                  if w.isVisible() and w is not front and w.windowType() not in passing]
        self.covers = [Cover(w) for w in others]
        for cover in self.covers:
            cover.cover()
        screen = self._put_form(front)
        app = QApplication.instance()
        assert app is not None  # the desk runs inside the application
        app.installEventFilter(self)
        log.info("desk locked for %s", actor.username)
        return screen

    def _front(self, leaving: QWidget | None = None) -> QWidget:
        assert self._main is not None
        modal = QApplication.activeModalWidget()
        if modal is not None and modal is not leaving and modal.isVisible():
            return modal
        return self._main

    def _put_form(self, front: QWidget) -> LockScreen:
        assert self._actor is not None
        self.screen = LockScreen(front, self.db, self._actor, agency_name=self._agency,
                                 can_switch=front is self._main)
        self.screen.unlocked.connect(self.unlock)
        self.screen.switch_user.connect(self.switch_user)
        self.screen.cover()
        return self.screen

    def _host_leaving(self, host: QWidget) -> None:
        """The window holding the form is hidden or deleted while locked: the form moves to
        the window in front after it (its plain cover taken off first)."""
        if self.screen is None or self._moving:
            return
        self._moving = True
        try:
            old, self.screen = self.screen, None
            if shiboken6.isValid(old):
                old.unlocked.disconnect(self.unlock)
                old.switch_user.disconnect(self.switch_user)
                old.uncover()
            front = self._front(leaving=host)
            for cover in [c for c in self.covers if not shiboken6.isValid(c) or c.host is front]:
                if shiboken6.isValid(cover):
                    cover.uncover()
                self.covers.remove(cover)
            self._put_form(front)
            log.info("lock form moved to %s", type(front).__name__)
        finally:
            self._moving = False

    def unlock(self) -> None:
        if self.screen is None:
            return
        app = QApplication.instance()
        assert app is not None
        app.removeEventFilter(self)
        for cover in [*self.covers, self.screen]:
            if shiboken6.isValid(cover):  # a covered window may have been closed meanwhile
                cover.uncover()
        self.covers, self.screen = [], None
        self.unlocked.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # behind the cover nothing may be triggered from the keyboard
        if event.type() == QEvent.Type.Shortcut:
            return True
        screen = self.screen
        if screen is not None and event.type() in (QEvent.Type.Hide, QEvent.Type.DeferredDelete) \
                and shiboken6.isValid(screen) and watched is screen.host:
            host = screen.host
            QTimer.singleShot(0, lambda: self._host_leaving(host) if self.screen is screen else None)
        return super().eventFilter(watched, event)
