"""The sign-in dialog: username and password checked by users.login, refusals shown inline."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.db import Database, DataError
from desktop.services import users
from desktop.services.context import Actor
from desktop.ui import i18n
from desktop.ui.resources import icon
from desktop.ui.widgets import ErrorLabel, Heading

log = logging.getLogger("desktop.ui")


class LoginDialog(QDialog):
    """Accepted only with a signed-in Actor in `self.actor`."""

    def __init__(self, db: Database, *, agency_name: str = "", username: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        title = QCoreApplication.translate("LoginDialog", "登录 - {title}")
        self.setWindowTitle(title.format(title=i18n.app_title()))
        self.setWindowIcon(icon("app"))
        self.username = QLineEdit(username)
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = ErrorLabel()
        self.error.setObjectName("loginError")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(QCoreApplication.translate("LoginDialog", "登录"))
        self.buttons.accepted.connect(self.attempt)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(QCoreApplication.translate("LoginDialog", "用户名"), self.username)
        form.addRow(QCoreApplication.translate("LoginDialog", "密码"), self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(Heading(i18n.app_title()))
        if agency_name:
            layout.addWidget(QLabel(agency_name))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(400)
        (self.password if username else self.username).setFocus()

    def attempt(self) -> None:
        name, password = self.username.text().strip(), self.password.text()
        if not name or not password:
            self.error.show_message(QCoreApplication.translate("LoginDialog", "请输入用户名和密码。"))
            return
        try:
            self.actor = users.login(self.db, name, password)
        except users.LoginFailed as exc:
            self._refused(i18n.error_text(exc))
            return
        except DataError as exc:
            log.warning("login failed on the database: %s", exc.detail or exc.message)
            self._refused(i18n.error_text(exc))
            return
        log.info("signed in: %s", self.actor.username)
        self.accept()

    def _refused(self, message: str) -> None:
        # the service's message says which: wrong name or password, or locked and for how long
        self.error.show_message(message)
        self.password.clear()
        self.password.setFocus()
