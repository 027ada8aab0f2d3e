"""Settings: which database and attachment store this desk uses (shared PostgreSQL for several desks)."""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLineEdit, QPushButton, QWidget

from desktop import pgpass
from desktop.config import ENV_DATABASE_URL
from desktop.services import connection
from desktop.services.context import ValidationError
from desktop.ui import dialogs
from desktop.ui.app_state import AppState
from desktop.ui.i18n import error_text, service_text
from desktop.ui.widgets import ErrorLabel


class ConnectionPanel(QGroupBox):
    """Edits `database_url`, `migration_database_url` and `attachments_dir` in this desk's
    settings; effective after restart. Passwords go to the PostgreSQL password file."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(QCoreApplication.translate("ConnectionPanel", "数据库与附件库（多台电脑共用）"), parent)
        self.state = state
        config = state.config
        self.url = QLineEdit(str(config.get("database_url") or ""))
        self.url.setPlaceholderText(QCoreApplication.translate(
            "ConnectionPanel", "留空：本机 SQLite；共用：postgresql://用户@服务器:5432/数据库名"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(QCoreApplication.translate(
            "ConnectionPanel", "留空：使用 PostgreSQL 密码文件中已保存的密码"))
        self.password.setToolTip(QCoreApplication.translate(
            "ConnectionPanel", "密码保存在本机的 PostgreSQL 密码文件（{path}，仅本人可读），不写入设置文件。")
            .format(path=pgpass.pgpass_path()))
        self.owner_url = QLineEdit(str(config.get("migration_database_url") or ""))
        self.owner_url.setPlaceholderText(QCoreApplication.translate(
            "ConnectionPanel", "留空：与数据库地址相同；分设角色时填写所有者角色的地址（仅用于升级数据库结构和恢复备份）"))
        self.store = QLineEdit(str(config.get("attachments_dir") or ""))
        self.store.setPlaceholderText(QCoreApplication.translate(
            "ConnectionPanel", "留空：数据目录下的 attachments；共用时填写各台电脑都能访问的共享文件夹"))
        self.error = ErrorLabel()
        self.test_button = QPushButton(QCoreApplication.translate("ConnectionPanel", "测试连接"))
        self.save_button = QPushButton(QCoreApplication.translate("ConnectionPanel", "保存（重新启动后生效）"))
        self.test_button.clicked.connect(self.test)
        self.save_button.clicked.connect(self.save)
        allowed = state.can("settings.edit")
        for widget in (self.url, self.password, self.owner_url, self.store, self.save_button):
            widget.setEnabled(allowed)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        form = QFormLayout(self)
        form.addRow(QCoreApplication.translate("ConnectionPanel", "数据库地址"), self.url)
        form.addRow(QCoreApplication.translate("ConnectionPanel", "数据库密码"), self.password)
        form.addRow(QCoreApplication.translate("ConnectionPanel", "升级用地址"), self.owner_url)
        form.addRow(QCoreApplication.translate("ConnectionPanel", "附件库目录"), self.store)
        form.addRow("", self.error)
        form.addRow("", buttons)
        if os.environ.get(ENV_DATABASE_URL):
            self.error.setText(QCoreApplication.translate(
                "ConnectionPanel", "注意：环境变量 RISKDESK_DATABASE_URL 已设置，它优先于此处的地址。"))

    def test(self) -> bool:
        self.error.clear()
        try:
            result = connection.check(self._address())
        except ValidationError as exc:
            self.error.setText(error_text(exc))
            return False
        title = QCoreApplication.translate("ConnectionPanel", "测试连接")
        (dialogs.inform if result.ok else dialogs.warn)(self, title, service_text(result.message))
        return result.ok

    def _address(self) -> str:
        """The address typed, with the password of the password field put in when one is typed."""
        url = self.url.text().strip()
        return pgpass.with_password(url, self.password.text()) if self.password.text() else url

    def save(self) -> bool:
        """Save the address without its password (`Config.save` moves a password into the
        PostgreSQL password file) and the attachment folder."""
        self.error.clear()
        try:
            url = connection.validate_url(self._address())
            owner_url = connection.validate_url(self.owner_url.text())
        except ValidationError as exc:
            self.error.setText(error_text(exc))
            return False
        has_password = any(pgpass.entry_for(u) is not None for u in (url, owner_url))
        config = self.state.config
        config.set("database_url", url)
        config.set("migration_database_url", owner_url)
        config.set("attachments_dir", self.store.text().strip())
        try:
            config.save()
        except OSError as exc:
            self.error.setText(QCoreApplication.translate("ConnectionPanel", "设置文件无法保存：{reason}")
                               .format(reason=exc.strerror or exc))
            return False
        self.url.setText(str(config.get("database_url") or ""))
        self.owner_url.setText(str(config.get("migration_database_url") or ""))
        self.password.clear()
        text = QCoreApplication.translate("ConnectionPanel", "新的数据库与附件库设置将在重新启动本软件后生效。")
        if has_password:
            text += "\n" + QCoreApplication.translate(
                "ConnectionPanel", "数据库密码已保存到本机的 PostgreSQL 密码文件：{path}").format(
                path=pgpass.pgpass_path())
        dialogs.inform(self, QCoreApplication.translate("ConnectionPanel", "已保存"), text)
        return True
