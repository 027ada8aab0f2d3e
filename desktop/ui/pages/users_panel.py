"""User management for administrators: the account list and the actions on it."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import Role
from desktop.services import users
from desktop.services.users import UserRow
from desktop.ui import dialogs, i18n, table_copy
from desktop.ui.app_state import AppState
from desktop.ui.lazy_model import CENTER, Column, LazyTableModel
from desktop.ui.letterhead_panel import set_signature_from_file
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.user_dialogs import NewUserDialog, ResetPasswordDialog, RoleDialog


class UserColumn(IntEnum):
    USERNAME = 0
    NAME = 1
    ROLE = 2
    TITLE = 3
    ACTIVE = 4
    LOCKED = 5


USER_COLUMNS: dict[UserColumn, Column[UserRow]] = {
    UserColumn.USERNAME: Column(QT_TRANSLATE_NOOP("Columns", "用户名"), lambda u: u.username),
    UserColumn.NAME: Column(QT_TRANSLATE_NOOP("Columns", "姓名"), lambda u: u.display_name),
    UserColumn.ROLE: Column(QT_TRANSLATE_NOOP("Columns", "角色"), lambda u: i18n.label(Role(u.role))),
    UserColumn.TITLE: Column(QT_TRANSLATE_NOOP("Columns", "职务/职称"), lambda u: u.title),
    UserColumn.ACTIVE: Column(QT_TRANSLATE_NOOP("Columns", "可用"), lambda u: u.active, CENTER),
    UserColumn.LOCKED: Column(QT_TRANSLATE_NOOP("Columns", "已锁定"), lambda u: u.locked, CENTER),
}


class UsersTableModel(LazyTableModel[UserRow]):
    """Accounts are few: the list comes whole from users.list_users and is served from memory."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(UserColumn, USER_COLUMNS, fetch_rows=self._lookup, parent=parent)
        self._by_id: dict[int, UserRow] = {}

    def _lookup(self, ids: Sequence[int]) -> list[UserRow]:
        return [self._by_id[i] for i in ids if i in self._by_id]

    def set_rows(self, rows: Sequence[UserRow]) -> None:
        self._by_id = {r.id: r for r in rows}
        self.set_ids(r.id for r in rows)


class UsersPanel(QGroupBox):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(QCoreApplication.translate("UsersPanel", "用户管理"), parent)
        self.state = state
        self.table = table_copy.install(QTableView())
        self.model = UsersTableModel(self.table)  # outlives the view while the panel is torn down
        self.table.setObjectName("usersTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(UserColumn.TITLE, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(220)
        self._fit_columns = True  # until the user's own column widths are restored
        self.new_button = QPushButton(QCoreApplication.translate("UsersPanel", "新建用户…"))
        self.role_button = QPushButton(QCoreApplication.translate("UsersPanel", "修改角色/停用…"))
        self.reset_button = QPushButton(QCoreApplication.translate("UsersPanel", "重置密码…"))
        self.new_button.clicked.connect(self.new_user)
        self.role_button.clicked.connect(self.change_role)
        self.reset_button.clicked.connect(self.reset_password)
        self.signature_button = QPushButton(QCoreApplication.translate("UsersPanel", "设置签名图片…"))
        self.signature_button.clicked.connect(self.set_signature)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.role_button, self.reset_button,
                       self.signature_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def refresh(self) -> None:
        selected = self.selected()
        self.model.set_rows(self.state.read(users.list_users, self.state.actor))
        if self._fit_columns:
            self._fit_columns = False
            self.table.resizeColumnsToContents()
            for column in UserColumn:  # breathing room: contents-width columns look cramped
                self.table.setColumnWidth(column, self.table.columnWidth(column) + 16)
        if selected is not None:
            row = self.model.row_of(selected.id)
            if row >= 0:
                self.table.selectRow(row)
        self._update_buttons()

    def selected(self) -> UserRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.role_button.setEnabled(chosen)
        self.reset_button.setEnabled(chosen)
        self.signature_button.setEnabled(chosen)

    def new_user(self) -> None:
        dialogs.run(NewUserDialog(self.state, self))

    def change_role(self) -> None:
        user = self.selected()
        if user is not None:
            dialogs.run(RoleDialog(self.state, user, self))

    def reset_password(self) -> None:
        user = self.selected()
        if user is not None:
            dialogs.run(ResetPasswordDialog(self.state, user, self))

    def set_signature(self) -> bool:
        """The selected user's signature image (an administrator sets anyone's)."""
        user = self.selected()
        if user is None:
            return False
        return set_signature_from_file(self, self.state, user.id, QCoreApplication.translate(
            "UsersPanel", "选择“{name}”的签名图片").format(name=user.display_name))

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("users/header", self.table.horizontalHeader().saveState())

    def restore_state(self, settings: QSettings) -> None:
        state = settings.value("users/header")
        if state is not None and self.table.horizontalHeader().restoreState(state):
            self._fit_columns = False
