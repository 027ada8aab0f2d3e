"""The 设置 page: who I am, where the data is, language, my password, and (admins) the users."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSettings
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QScrollArea,
    QVBoxLayout, QWidget,
)

from desktop import __version__
from desktop.models.enums import Role
from desktop.services.context import Changes
from desktop.ui import dialogs, i18n
from desktop.ui.app_state import AppState, log_file
from desktop.ui.pages.base import Page
from desktop.ui.pages.users_panel import UsersPanel
from desktop.ui.user_dialogs import ChangePasswordDialog
from desktop.ui.widgets import Heading, read_only


class SettingsPage(Page):
    key = "settings"
    title_source = QT_TRANSLATE_NOOP("Pages", "设置")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(Heading(self.title()))
        column.addWidget(self._account_box())
        column.addWidget(self._machine_box())
        self.users_panel: UsersPanel | None = None
        if state.can("user.manage"):
            self.users_panel = UsersPanel(state)
            column.addWidget(self.users_panel, 1)
        else:
            column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def _account_box(self) -> QGroupBox:
        box = QGroupBox(QCoreApplication.translate("SettingsPage", "当前用户"))
        form = QFormLayout(box)
        self.name_label, self.username_label, self.role_label = QLabel(), QLabel(), QLabel()
        self.password_button = QPushButton(QCoreApplication.translate("SettingsPage", "修改密码…"))
        self.password_button.clicked.connect(self.change_password)
        form.addRow(QCoreApplication.translate("SettingsPage", "姓名"), self.name_label)
        form.addRow(QCoreApplication.translate("SettingsPage", "用户名"), self.username_label)
        form.addRow(QCoreApplication.translate("SettingsPage", "角色"), self.role_label)
        row = QHBoxLayout()
        row.addWidget(self.password_button)
        row.addStretch(1)
        form.addRow("", row)
        return box

    def _machine_box(self) -> QGroupBox:
        config = self.state.config
        box = QGroupBox(QCoreApplication.translate("SettingsPage", "本机"))
        form = QFormLayout(box)
        self.language = QComboBox()
        for code, name in i18n.LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(self.language.findData(config.get("language")), 0))
        self.language.activated.connect(self._language_chosen)
        form.addRow(QCoreApplication.translate("SettingsPage", "版本"), QLabel(__version__))
        for caption, value in (
            (QCoreApplication.translate("SettingsPage", "数据目录"), config.data_dir),
            (QCoreApplication.translate("SettingsPage", "数据库"), self.state.database_label),
            (QCoreApplication.translate("SettingsPage", "附件库"), config.attachments_dir),
            (QCoreApplication.translate("SettingsPage", "备份目录"), config.backup_dir),
            (QCoreApplication.translate("SettingsPage", "日志文件"), log_file(config)),
        ):
            form.addRow(caption, read_only(str(value)))
        form.addRow(QCoreApplication.translate("SettingsPage", "界面语言"), self.language)
        return box

    def wants(self, changes: Changes) -> bool:
        return changes.users

    def refresh(self) -> None:
        actor = self.state.actor
        self.name_label.setText(actor.display_name)
        self.username_label.setText(actor.username)
        role = Role(actor.role) if actor.role in Role._value2member_map_ else None
        self.role_label.setText(i18n.label(role) if role else actor.role)
        if self.users_panel is not None:
            self.users_panel.refresh()

    def change_password(self) -> None:
        if dialogs.run(ChangePasswordDialog(self.state, self)):
            dialogs.inform(self, QCoreApplication.translate("SettingsPage", "修改密码"),
                           QCoreApplication.translate("SettingsPage", "密码已修改，下次登录请使用新密码。"))

    def _language_chosen(self, index: int) -> None:
        code = self.language.itemData(index)
        config = self.state.config
        if code == config.get("language"):
            return
        config.set("language", code)
        try:
            config.save()
        except OSError as exc:
            text = QCoreApplication.translate("SettingsPage", "无法写入设置文件：{error}")
            title = QCoreApplication.translate("SettingsPage", "设置未保存")
            dialogs.warn(self, title, text.format(error=exc))
            return
        dialogs.inform(self, QCoreApplication.translate("SettingsPage", "界面语言"),
                       QCoreApplication.translate("SettingsPage", "界面语言将在重新启动程序后生效。"))

    def save_state(self, settings: QSettings) -> None:
        if self.users_panel is not None:
            self.users_panel.save_state(settings)

    def restore_state(self, settings: QSettings) -> None:
        if self.users_panel is not None:
            self.users_panel.restore_state(settings)
