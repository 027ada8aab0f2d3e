"""Account dialogs: change my password; for admins new user, role and status, password reset."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import Role
from desktop.services import users
from desktop.services.context import Changes, ValidationError
from desktop.services.users import UserRow
from desktop.ui import dialogs, i18n
from desktop.ui.app_state import AppState
from desktop.ui.widgets import ErrorLabel, require_hooks


def password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def password_hint() -> QLabel:
    """The rule users.check_password_strength applies, said before anyone types."""
    hint = QLabel(QCoreApplication.translate(
        "UserDialogs", "密码至少 10 位，须同时包含字母和数字（或符号），不能是常用密码，"
        "也不能是姓名、用户名加数字这类容易猜到的组合。"))
    hint.setObjectName("passwordHint")
    hint.setWordWrap(True)
    hint.setStyleSheet("color: #607d8b;")
    return hint


def role_combo(current: str = Role.INSPECTOR) -> QComboBox:
    combo = QComboBox()
    for role in Role:
        combo.addItem(i18n.label(role), role.value)
    combo.setCurrentIndex(max(combo.findData(current), 0))
    return combo


class ServiceDialog(QDialog):
    """A form that calls one service on OK and stays open, with the reason, when refused.

    Each concrete dialog defines `submit()`: call the service; raise ValidationError or
    ServiceError to refuse (the dialog then shows why and stays open).
    """

    submit: Callable[[], None]

    def __init__(self, state: AppState, title: str, parent: QWidget | None = None) -> None:
        require_hooks(self, "submit")
        super().__init__(parent)
        self.state = state
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.error = ErrorLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(380)

    def accept(self) -> None:
        try:
            self.submit()
        except ValidationError as exc:
            self.error.show_fields(i18n.field_texts(exc))
            return
        except dialogs.USER_ERRORS as exc:
            self.error.show_message(i18n.error_text(exc))
            return
        super().accept()


def _confirmed(password: str, confirm: str, key: str) -> None:
    if password != confirm:
        raise ValidationError({key: QCoreApplication.translate("UserDialogs", "两次输入的密码不一致")})


class ChangePasswordDialog(ServiceDialog):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, QCoreApplication.translate("UserDialogs", "修改密码"), parent)
        self.old_password, self.new_password, self.confirm = (password_field() for _ in range(3))
        self.form.addRow(QCoreApplication.translate("UserDialogs", "原密码"), self.old_password)
        self.form.addRow(QCoreApplication.translate("UserDialogs", "新密码"), self.new_password)
        self.form.addRow(QCoreApplication.translate("UserDialogs", "确认新密码"), self.confirm)
        self.form.addRow("", password_hint())

    def submit(self) -> None:
        _confirmed(self.new_password.text(), self.confirm.text(), "confirm")
        self.state.write(users.change_password, old_password=self.old_password.text(),
                         new_password=self.new_password.text(), changes=Changes(users=True))


class NewUserDialog(ServiceDialog):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, QCoreApplication.translate("UserDialogs", "新建用户"), parent)
        self.username = QLineEdit()
        self.display_name = QLineEdit()
        self.role = role_combo()
        self.title_field = QLineEdit()
        self.fulltime = QCheckBox(QCoreApplication.translate("UserDialogs", "专职人员"))
        self.fulltime.setChecked(True)
        self.password, self.confirm = password_field(), password_field()
        self.form.addRow(QCoreApplication.translate("UserDialogs", "用户名"), self.username)
        self.form.addRow(QCoreApplication.translate("UserDialogs", "姓名"), self.display_name)
        self.form.addRow(QCoreApplication.translate("UserDialogs", "角色"), self.role)
        self.form.addRow(QCoreApplication.translate("UserDialogs", "职务/职称"), self.title_field)
        self.form.addRow("", self.fulltime)
        self.form.addRow(QCoreApplication.translate("UserDialogs", "初始密码"), self.password)
        self.form.addRow(QCoreApplication.translate("UserDialogs", "确认密码"), self.confirm)
        self.form.addRow("", password_hint())
        self.created: UserRow | None = None

    def submit(self) -> None:
        _confirmed(self.password.text(), self.confirm.text(), "confirm")
        self.created = self.state.write(
            users.create_user, username=self.username.text(), display_name=self.display_name.text(),
            role=self.role.currentData(), password=self.password.text(),
            title=self.title_field.text().strip(), is_fulltime=self.fulltime.isChecked(),
            changes=Changes(users=True))


class RoleDialog(ServiceDialog):
    def __init__(self, state: AppState, user: UserRow, parent: QWidget | None = None) -> None:
        title = QCoreApplication.translate("UserDialogs", "修改角色和状态：{name}")
        super().__init__(state, title.format(name=user.display_name), parent)
        self.user = user
        self.role = role_combo(user.role)
        self.active = QCheckBox(QCoreApplication.translate("UserDialogs", "账户可用（取消勾选即停用，不能登录）"))
        self.active.setChecked(user.active)
        self.form.addRow(QCoreApplication.translate("UserDialogs", "角色"), self.role)
        self.form.addRow("", self.active)

    def submit(self) -> None:
        self.state.write(users.set_role, self.user.id, self.role.currentData(),
                         active=self.active.isChecked(), changes=Changes(users=True))


class ResetPasswordDialog(ServiceDialog):
    def __init__(self, state: AppState, user: UserRow, parent: QWidget | None = None) -> None:
        title = QCoreApplication.translate("UserDialogs", "重置密码：{name}")
        super().__init__(state, title.format(name=user.display_name), parent)
        self.user = user
        self.password, self.confirm = password_field(), password_field()
        self.form.addRow(QCoreApplication.translate("UserDialogs", "新密码"), self.password)
        self.form.addRow(QCoreApplication.translate("UserDialogs", "确认新密码"), self.confirm)
        self.form.addRow("", password_hint())
        note = QLabel(QCoreApplication.translate("UserDialogs", "该用户下次登录后应立即修改密码；账户锁定同时解除。"))
        note.setWordWrap(True)
        self.form.addRow(note)

    def submit(self) -> None:
        _confirmed(self.password.text(), self.confirm.text(), "confirm")
        self.state.write(users.reset_password, self.user.id, self.password.text(),
                         changes=Changes(users=True))
