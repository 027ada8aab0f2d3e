"""The first run's 从备份恢复: the administrator account of the backup, asked before the restore.

A new data folder has no accounts to sign in against, so the person restoring proves they are a
system administrator of the data they bring; the restore checks the name and password against
the backup's own users table before anything is moved (services/exchange/backup_accounts.py)."""

from __future__ import annotations

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

from desktop.ui.widgets import ErrorLabel


class BackupAdminDialog(QDialog):
    """Accepted only with a name and a password in `self.credentials`."""

    def __init__(self, backup_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.credentials: tuple[str, str] | None = None
        self.setWindowTitle(QCoreApplication.translate("BackupAdminDialog", "从备份恢复"))
        text = QLabel(QCoreApplication.translate(
            "BackupAdminDialog", "备份文件：{name}\n\n这个数据目录中还没有用户账户。请输入备份中的系统管理员"
            "用户名和密码：校验备份后先核对身份，核对通过才会恢复，审计记录中记为此人。").format(name=backup_name))
        text.setWordWrap(True)
        self.username = QLineEdit()
        self.username.setObjectName("backupAdminName")
        self.password = QLineEdit()
        self.password.setObjectName("backupAdminPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = ErrorLabel()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(QCoreApplication.translate("BackupAdminDialog", "核对并恢复"))
        buttons.accepted.connect(self.attempt)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(QCoreApplication.translate("BackupAdminDialog", "用户名"), self.username)
        form.addRow(QCoreApplication.translate("BackupAdminDialog", "密码"), self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)
        self.username.setFocus()

    def attempt(self) -> None:
        name, password = self.username.text().strip(), self.password.text()
        if not name or not password:
            self.error.show_message(QCoreApplication.translate(
                "BackupAdminDialog", "请输入备份中系统管理员的用户名和密码。"))
            return
        self.credentials = (name, password)
        self.accept()
