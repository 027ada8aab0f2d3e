"""The 设置 page: account and machine, users, recycle bin, backup and restore, import, export."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

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
from desktop.ui.app_state import AppState, log_file
from desktop.ui.connection_panel import ConnectionPanel
from desktop.ui.lazy_tab import LazyScroll, LazyTab
from desktop.ui.pages.base import Page, Refreshes
from desktop.ui.pages.users_panel import UsersPanel
from desktop.ui.settings_values import int_value
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.user_dialogs import ChangePasswordDialog
from desktop.ui.widgets import Heading, read_only

if TYPE_CHECKING:
    from desktop.ui.agency_rules_panel import AgencyRulesPanel
    from desktop.ui.authorities_panel import AuthoritiesPanel
    from desktop.ui.backup_panel import BackupPanel
    from desktop.ui.catalogue_panel import CataloguePanel
    from desktop.ui.holidays_panel import HolidaysPanel
    from desktop.ui.import_wizard import ImportWizard
    from desktop.ui.letterhead_panel import LetterheadPanel
    from desktop.ui.package_dialog import PackagePanel
    from desktop.ui.recycle_bin import RecycleBin
    from desktop.ui.trust_panel import TrustPanel
    from desktop.ui.wording_panel import WordingPanel


# Each tab's panel, its module imported when the tab is first shown: importing them all made
# the page's first open slow (issue 16).

def _recycle_bin(state: AppState) -> QWidget:
    from desktop.ui.recycle_bin import RecycleBin

    return RecycleBin(state)


def _backup_panel(state: AppState) -> QWidget:
    from desktop.ui.backup_panel import BackupPanel

    return BackupPanel(state)


def _import_wizard(state: AppState) -> QWidget:
    from desktop.ui.import_wizard import ImportWizard

    return ImportWizard(state)


def _package_panel(state: AppState) -> QWidget:
    from desktop.ui.package_dialog import PackagePanel

    return PackagePanel(state)


def _trust_panel(state: AppState) -> QWidget:
    from desktop.ui.trust_panel import TrustPanel

    return TrustPanel(state)


def _holidays_panel(state: AppState) -> QWidget:
    from desktop.ui.holidays_panel import HolidaysPanel

    return HolidaysPanel(state)


def _catalogue_panel(state: AppState) -> QWidget:
    from desktop.ui.catalogue_panel import CataloguePanel

    return CataloguePanel(state)


def _rules_panel(state: AppState) -> QWidget:
    from desktop.ui.agency_rules_panel import AgencyRulesPanel

    return AgencyRulesPanel(state)


def _authorities_panel(state: AppState) -> QWidget:
    from desktop.ui.authorities_panel import AuthoritiesPanel

    return AuthoritiesPanel(state)


def _letterhead_panel(state: AppState) -> QWidget:
    from desktop.ui.letterhead_panel import LetterheadPanel

    return LetterheadPanel(state)


def _wording_panel(state: AppState) -> QWidget:
    from desktop.ui.wording_panel import WordingPanel

    return WordingPanel(state)



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
        # each tab's panel is built when the tab is first shown (or the panel asked for)
        self._holders: dict[str, LazyTab | LazyScroll] = {}
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settingsTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(scroll, QCoreApplication.translate("SettingsPage", "账户与本机"))
        self._lazy("recycle_bin", lambda: _recycle_bin(state), QCoreApplication.translate("SettingsPage", "回收站"))
        self._lazy("backup_panel", lambda: _backup_panel(state),
                   QCoreApplication.translate("SettingsPage", "数据备份与恢复"), scrolled=True)
        if state.can("import"):
            self._lazy("import_wizard", lambda: _import_wizard(state),
                       QCoreApplication.translate("SettingsPage", "导入"))
        if state.can("export"):
            self._lazy("package_panel", lambda: _package_panel(state),
                       QCoreApplication.translate("SettingsPage", "导出评审资料包"))
        self._lazy("trust_panel", lambda: _trust_panel(state),
                   QCoreApplication.translate("SettingsPage", "受信任的签名公钥"))
        self._lazy("holidays_panel", lambda: _holidays_panel(state),
                   QCoreApplication.translate("SettingsPage", "节假日安排"))
        self._lazy("catalogue_panel", lambda: _catalogue_panel(state),
                   QCoreApplication.translate("SettingsPage", "标准目录"))
        if state.can("settings.edit"):
            self._lazy("rules_panel", lambda: _rules_panel(state),
                       QCoreApplication.translate("SettingsPage", "机构规则"), scrolled=True)
        self._lazy("authorities_panel", lambda: _authorities_panel(state),
                   QCoreApplication.translate("SettingsPage", "主管部门"))
        self._lazy("letterhead_panel", lambda: _letterhead_panel(state),
                   QCoreApplication.translate("SettingsPage", "信笺与印章"), scrolled=True)
        if state.can("settings.edit"):
            self._lazy("wording_panel", lambda: _wording_panel(state),
                       QCoreApplication.translate("SettingsPage", "文书用语"), scrolled=True)
        self._stale_tabs: set[QWidget] = set()  # holders whose panel reads anew when shown
        self.tabs.currentChanged.connect(self._tab_shown)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def _lazy(self, name: str, build: Callable[[], QWidget], title: str, scrolled: bool = False) -> None:
        holder = LazyScroll(build) if scrolled else LazyTab(build)
        self._holders[name] = holder
        self.tabs.addTab(holder, title)

    def _panel(self, name: str) -> QWidget | None:
        """The panel of a tab, built (its module imported) on first access; None for a tab
        this user does not have."""
        holder = self._holders.get(name)
        return None if holder is None else holder.panel()

    def _present(self, name: str) -> QWidget:
        panel = self._panel(name)
        assert panel is not None, name  # a tab every user has
        return panel

    @property
    def recycle_bin(self) -> RecycleBin:
        return cast("RecycleBin", self._present("recycle_bin"))

    @property
    def backup_panel(self) -> BackupPanel:
        return cast("BackupPanel", self._present("backup_panel"))

    @property
    def import_wizard(self) -> ImportWizard | None:
        return cast("ImportWizard | None", self._panel("import_wizard"))

    @property
    def package_panel(self) -> PackagePanel | None:
        return cast("PackagePanel | None", self._panel("package_panel"))

    @property
    def trust_panel(self) -> TrustPanel:
        return cast("TrustPanel", self._present("trust_panel"))

    @property
    def holidays_panel(self) -> HolidaysPanel:
        return cast("HolidaysPanel", self._present("holidays_panel"))

    @property
    def catalogue_panel(self) -> CataloguePanel:
        return cast("CataloguePanel", self._present("catalogue_panel"))

    @property
    def rules_panel(self) -> AgencyRulesPanel | None:
        return cast("AgencyRulesPanel | None", self._panel("rules_panel"))

    @property
    def authorities_panel(self) -> AuthoritiesPanel:
        return cast("AuthoritiesPanel", self._present("authorities_panel"))

    @property
    def letterhead_panel(self) -> LetterheadPanel:
        return cast("LetterheadPanel", self._present("letterhead_panel"))

    @property
    def wording_panel(self) -> WordingPanel | None:
        return cast("WordingPanel | None", self._panel("wording_panel"))

    def show_tab(self, widget: QWidget) -> None:
        """Bring a section forward (other pages link to the recycle bin, the import, ...)."""
        for n in range(self.tabs.count()):
            page = self.tabs.widget(n)
            if page is widget or (isinstance(page, LazyTab | LazyScroll) and page.holds(widget)):
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
        role = Role(actor.role) if Role.known(actor.role) else None
        self.role_label.setText(i18n.label(role) if role else actor.role)
        if self.users_panel is not None:
            self.users_panel.refresh()
        # the other tabs are built and load when first shown: the recycle bin looks through
        # every table (the import wizard reads nothing until a file is chosen)
        self._stale_tabs = {holder for name, holder in self._holders.items() if name != "import_wizard"}
        self._tab_shown(self.tabs.currentIndex())

    def _tab_shown(self, index: int) -> None:
        page = self.tabs.widget(index)
        if not isinstance(page, LazyTab | LazyScroll):
            return
        widget = page.panel()  # built the first time its tab is shown
        if page in self._stale_tabs:
            self._stale_tabs.discard(page)
            assert isinstance(widget, Refreshes), widget  # the tabs put in _stale_tabs
            try:
                widget.refresh()
            except dialogs.USER_ERRORS as exc:
                self._stale_tabs.add(page)
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
