"""The 设置 page: account and machine, users, recycle bin, backup and restore, import, export."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop import __version__, clock
from desktop.models.enums import Role
from desktop.services.context import Changes
from desktop.ui import dialogs, i18n
from desktop.ui.agency_rules_panel import AgencyRulesPanel
from desktop.ui.app_state import AppState, log_file
from desktop.ui.authorities_panel import AuthoritiesPanel
from desktop.ui.backup_panel import BackupPanel
from desktop.ui.catalogue_panel import CataloguePanel
from desktop.ui.connection_panel import ConnectionPanel
from desktop.ui.holidays_panel import HolidaysPanel
from desktop.ui.import_wizard import ImportWizard
from desktop.ui.letterhead_panel import LetterheadPanel
from desktop.ui.package_dialog import PackagePanel
from desktop.ui.pages.base import Page, Refreshes
from desktop.ui.pages.users_panel import UsersPanel
from desktop.ui.recycle_bin import RecycleBin
from desktop.ui.settings_values import int_value
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.trust_panel import TrustPanel
from desktop.ui.user_dialogs import ChangePasswordDialog
from desktop.ui.widgets import Heading, read_only
from desktop.ui.wording_panel import WordingPanel


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
        self.connection = ConnectionPanel(state)
        column.addWidget(self.connection)
        self.users_panel: UsersPanel | None = None
        if state.can("user.manage"):
            self.users_panel = UsersPanel(state)
            column.addWidget(self.users_panel, 1)
        else:
            column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.recycle_bin = RecycleBin(state)
        self.backup_panel = BackupPanel(state)
        self.import_wizard: ImportWizard | None = ImportWizard(state) if state.can("import") else None
        self.package_panel: PackagePanel | None = PackagePanel(state) if state.can("export") else None
        self.trust_panel = TrustPanel(state)
        self.letterhead_panel = LetterheadPanel(state)
        self.holidays_panel = HolidaysPanel(state)
        self.catalogue_panel = CataloguePanel(state)
        self.rules_panel: AgencyRulesPanel | None = (
            AgencyRulesPanel(state) if state.can("settings.edit") else None)
        self.wording_panel: WordingPanel | None = (
            WordingPanel(state) if state.can("settings.edit") else None)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settingsTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(scroll, QCoreApplication.translate("SettingsPage", "账户与本机"))
        self.tabs.addTab(self.recycle_bin, QCoreApplication.translate("SettingsPage", "回收站"))
        self.tabs.addTab(self._scrolled(self.backup_panel),
                         QCoreApplication.translate("SettingsPage", "数据备份与恢复"))
        if self.import_wizard is not None:
            self.tabs.addTab(self.import_wizard, QCoreApplication.translate("SettingsPage", "导入"))
        if self.package_panel is not None:
            self.tabs.addTab(self.package_panel, QCoreApplication.translate("SettingsPage", "导出审阅包"))
        self.tabs.addTab(self.trust_panel, QCoreApplication.translate("SettingsPage", "受信任的签名公钥"))
        self.tabs.addTab(self.holidays_panel, QCoreApplication.translate("SettingsPage", "节假日安排"))
        self.tabs.addTab(self.catalogue_panel, QCoreApplication.translate("SettingsPage", "标准目录"))
        if self.rules_panel is not None:
            self.tabs.addTab(self._scrolled(self.rules_panel),
                             QCoreApplication.translate("SettingsPage", "机构规则"))
        self.authorities_panel = AuthoritiesPanel(state)
        self.tabs.addTab(self.authorities_panel, QCoreApplication.translate("SettingsPage", "主管部门"))
        self.tabs.addTab(self._scrolled(self.letterhead_panel),
                         QCoreApplication.translate("SettingsPage", "信笺与印章"))
        if self.wording_panel is not None:
            self.tabs.addTab(self._scrolled(self.wording_panel),
                             QCoreApplication.translate("SettingsPage", "文书用语"))
        self._stale_tabs: set[QWidget] = set()
        self.tabs.currentChanged.connect(self._tab_shown)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    @staticmethod
    def _scrolled(widget: QWidget) -> QScrollArea:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(widget)
        return scroll

    def show_tab(self, widget: QWidget) -> None:
        """Bring a section forward (other pages link to the recycle bin, the import, ...)."""
        for n in range(self.tabs.count()):
            page = self.tabs.widget(n)
            if page is widget or (isinstance(page, QScrollArea) and page.widget() is widget):
                self.tabs.setCurrentIndex(n)
                return

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
        self.time_zone = QComboBox()
        self.time_zone.addItems(clock.zone_names())
        self.time_zone.setCurrentText(config.time_zone)
        self.time_zone.setEnabled(self.state.can("settings.edit"))
        self.time_zone.setToolTip(QCoreApplication.translate(
            "SettingsPage", "“今天”“当日”和季度、半年的起止按此时区计算；中国大陆为 Asia/Shanghai。"))
        self.time_zone.activated.connect(self._zone_chosen)
        form.addRow(QCoreApplication.translate("SettingsPage", "机构时区"), self.time_zone)
        self.idle_lock = QSpinBox()
        self.idle_lock.setObjectName("idleLockMinutes")
        self.idle_lock.setRange(0, 240)
        self.idle_lock.setSuffix(QCoreApplication.translate("SettingsPage", " 分钟"))
        self.idle_lock.setSpecialValueText(QCoreApplication.translate("SettingsPage", "不自动锁定"))
        minutes = config.get("idle_lock_minutes")
        self.idle_lock.setValue(int(minutes) if isinstance(minutes, int | float) else 15)
        self.idle_lock.setToolTip(QCoreApplication.translate(
            "SettingsPage", "无键盘鼠标操作达到该时间后锁定窗口，须输入密码继续"))
        self.idle_lock.editingFinished.connect(self._idle_lock_set)
        form.addRow(QCoreApplication.translate("SettingsPage", "无操作自动锁定"), self.idle_lock)
        return box

    def wants(self, changes: Changes) -> bool:
        # anything deleted or restored elsewhere changes what the recycle bin lists
        return any((changes.users, changes.settings, changes.projects, changes.hazards,
                    changes.inspections, changes.documents, changes.training, changes.archive))

    def refresh(self) -> None:
        actor = self.state.actor
        self.name_label.setText(actor.display_name)
        self.username_label.setText(actor.username)
        role = Role(actor.role) if actor.role in Role._value2member_map_ else None
        self.role_label.setText(i18n.label(role) if role else actor.role)
        if self.users_panel is not None:
            self.users_panel.refresh()
        # the other tabs load when first shown: the recycle bin looks through every table
        self._stale_tabs = {w for w in (self.recycle_bin, self.backup_panel, self.package_panel,
                                        self.trust_panel, self.holidays_panel,
                                        self.catalogue_panel, self.rules_panel,
                                        self.authorities_panel, self.letterhead_panel,
                                        self.wording_panel)
                             if w is not None}
        self._tab_shown(self.tabs.currentIndex())

    def _tab_shown(self, index: int) -> None:
        page = self.tabs.widget(index)
        widget = page.widget() if isinstance(page, QScrollArea) else page
        if widget in self._stale_tabs:
            self._stale_tabs.discard(widget)
            assert isinstance(widget, Refreshes), widget  # the tabs put in _stale_tabs
            try:
                widget.refresh()
            except dialogs.USER_ERRORS as exc:
                self._stale_tabs.add(widget)
                dialogs.show_error(self, exc)

    def change_password(self) -> None:
        if dialogs.run(ChangePasswordDialog(self.state, self)):
            dialogs.inform(self, QCoreApplication.translate("SettingsPage", "修改密码"),
                           QCoreApplication.translate("SettingsPage", "密码已修改，下次登录请使用新密码。"))

    def _idle_lock_set(self) -> None:
        config = self.state.config
        if self.idle_lock.value() == config.get("idle_lock_minutes"):
            return
        config.set("idle_lock_minutes", self.idle_lock.value())
        try:
            config.save()
        except OSError as exc:
            text = QCoreApplication.translate("SettingsPage", "无法写入设置文件：{error}")
            title = QCoreApplication.translate("SettingsPage", "设置未保存")
            dialogs.warn(self, title, text.format(error=exc))
            return
        self.state.announce(Changes(settings=True))  # the desk's idle watch takes it at once

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

    def _zone_chosen(self, _index: int) -> None:
        name, config = self.time_zone.currentText(), self.state.config
        old = config.time_zone
        if name == old:
            return
        try:
            config.set("time_zone", name)
            config.save()
        except (OSError, ValueError) as exc:
            config.set("time_zone", old)
            text = QCoreApplication.translate("SettingsPage", "无法写入设置文件：{error}")
            dialogs.warn(self, QCoreApplication.translate("SettingsPage", "设置未保存"), text.format(error=exc))
            self.time_zone.setCurrentText(old)
            return
        clock.use_zone(name)
        self.state.announce(Changes(settings=True))

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("tab", self.tabs.currentIndex())
        if self.users_panel is not None:
            self.users_panel.save_state(settings)

    def restore_state(self, settings: QSettings) -> None:
        tab = int_value(settings, "tab", 0)
        if 0 <= tab < self.tabs.count():
            self.tabs.setCurrentIndex(tab)
        if self.users_panel is not None:
            self.users_panel.restore_state(settings)
