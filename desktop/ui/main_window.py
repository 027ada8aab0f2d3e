"""The main window: assembles the pages behind a navigation list, menus and a status bar."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import PySide6
from PySide6.QtCore import QCoreApplication, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDesktopServices,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from desktop import __version__
from desktop.ui import dialogs, file_dialogs, i18n
from desktop.ui.app_state import AppState, log_file
from desktop.ui.pages import PAGES, Page, PageRef
from desktop.ui.pages.base import (
    Exports,
    RecordsHazards,
    RecordsInspections,
    RecordsProjects,
    Searches,
)
from desktop.ui.resources import icon
from desktop.ui.screen_fit import FRAME_ESTIMATE, available_rect, fit_to_screen
from desktop.ui.settings_values import bool_value, int_value
from desktop.ui.status_bar import StatusBar
from desktop.ui.tasks import handle_failure

if TYPE_CHECKING:
    from desktop.ui.capture_panel import CapturePanel


class MainWindow(QMainWindow):
    """Only assembly and wiring: every page is its own module and loads its own data."""

    lock_requested = Signal()  # 锁定 (Ctrl+L): the desk puts the lock screen on
    switch_user_requested = Signal()  # 切换用户: the desk signs someone else in

    def __init__(self, state: AppState, *, pages: Sequence[type[Page] | PageRef] = PAGES,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        file_dialogs.remember_in(state.config)  # file dialogs start in the folder last used
        self.setObjectName("mainWindow")
        self.setWindowTitle(i18n.app_title())
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QSize(22, 22))
        self.nav.setMinimumWidth(120)
        self.nav.setStyleSheet("QListWidget#navigation::item { padding: 7px 6px; }")
        self.stack = QStackedWidget()
        # A page is built when first shown (page(), current_page() and show_page() build it):
        # until then an empty placeholder holds its place in the stack. A page built later
        # reads its data then, so it needs none of the changes announced before it existed.
        self.page_classes: list[type[Page] | PageRef] = list(pages)
        self._built: dict[int, Page] = {}
        for cls in self.page_classes:
            self.stack.addWidget(QWidget())
            self.nav.addItem(QListWidgetItem(icon(cls.key), cls.title()))
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        # wide enough for the longest page name in the interface language (English runs longer)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.splitter.setSizes([max(170, self.nav.sizeHintForColumn(0) + 16), 1000])
        self.splitter.setCollapsible(1, False)
        self.setCentralWidget(self.splitter)
        self.setStatusBar(StatusBar(state))
        self.page_actions: list[QAction] = []
        self._fitted = False
        self._build_menus()
        self.nav.currentRowChanged.connect(self._row_changed)
        self._pending_row = 0
        self._waiting: list[QAction] = []
        if not state.is_open:
            self._show_frame()
        self.restore_window_state()

    # -- the frame, before the database is open --------------------------------------------

    def _show_frame(self) -> None:
        """Navigation, menus and status bar shown while a worker opens the database: the
        page area says 正在读取… and the actions wait (their page or its data is not there)."""
        self.loading = QLabel(QCoreApplication.translate("MainWindow", "正在读取…"))
        self.loading.setObjectName("loading")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.loading)
        self.stack.setCurrentWidget(self.loading)
        self._waiting = [a for a in self.findChildren(QAction)
                         if a.isEnabled() and a is not self.quit_action]
        for action in self._waiting:
            action.setEnabled(False)
        self.state.opened.connect(self._database_opened)

    def _database_opened(self) -> None:
        for action in self._waiting:
            action.setEnabled(True)
        self._waiting = []
        self.stack.removeWidget(self.loading)
        self.loading.deleteLater()
        self.show_page(self._pending_row)

    def database_failed(self, exc: BaseException) -> None:
        """The worker could not open the database: said as any failure is; the frame stays."""
        handle_failure(self, exc)

    @property
    def pending_row(self) -> int:
        """The page the frame will show once the database is open."""
        return self._pending_row

    @property
    def is_filling(self) -> bool:
        """True while the frame waits for the database (no page built yet)."""
        return not self.state.is_open

    # -- pages --------------------------------------------------------------------------

    @property
    def pages(self) -> list[Page]:
        """Every page, in navigation order (building those not yet shown)."""
        return [self._page_at(i) for i in range(len(self.page_classes))]

    def built_pages(self) -> list[Page]:
        return [self._built[i] for i in sorted(self._built)]

    def _index_of(self, key: str) -> int:
        for index, cls in enumerate(self.page_classes):
            if cls.key == key:
                return index
        raise KeyError(key)

    def _has(self, key: str) -> bool:
        return any(cls.key == key for cls in self.page_classes)

    def _page_at(self, index: int) -> Page:
        page = self._built.get(index)
        if page is None:
            page = self.page_classes[index](self.state)
            settings = self.state.settings
            settings.beginGroup(f"pages/{page.key}")
            page.restore_state(settings)
            settings.endGroup()
            page.navigate.connect(self._navigate)
            placeholder = self.stack.widget(index)
            current = self.stack.currentIndex()
            self.stack.insertWidget(index, page)
            if placeholder is not None:
                self.stack.removeWidget(placeholder)
                placeholder.deleteLater()
            self.stack.setCurrentIndex(current)
            self._built[index] = page
        return page

    def page(self, key: str) -> Page:
        return self._page_at(self._index_of(key))

    def current_page(self) -> Page:
        return self._page_at(self.stack.currentIndex())

    def show_page(self, which: int | str) -> None:
        index = which if isinstance(which, int) else self._index_of(which)
        if self.nav.currentRow() == index:
            self._row_changed(index)  # no signal for the row already current: still activate
        else:
            self.nav.setCurrentRow(index)

    def _navigate(self, key: str) -> None:
        if self._has(key):
            self.show_page(key)

    def _row_changed(self, row: int) -> None:
        if not 0 <= row < len(self.page_classes):
            return
        if not self.state.is_open:  # the frame: that page is built once the database is open
            self._pending_row = row
            return
        previous = self.stack.currentIndex()
        if previous != row and previous in self._built:
            self._built[previous].deactivate()
        page = self._page_at(row)
        self.stack.setCurrentIndex(row)
        self.page_actions[row].setChecked(True)
        page.activate()

    # -- menus --------------------------------------------------------------------------

    def _action(self, text: str, slot: Callable[..., object],
                shortcut: str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(QCoreApplication.translate("MainWindow", "文件(&F)"))
        file_menu.addAction(self._action(QCoreApplication.translate("MainWindow", "打开数据文件夹"),
                                         self.open_data_folder))
        file_menu.addSeparator()
        self.lock_action = self._action(QCoreApplication.translate("MainWindow", "锁定(&L)"),
                                        self.lock_requested.emit, "Ctrl+L")
        self.switch_user_action = self._action(
            QCoreApplication.translate("MainWindow", "切换用户(&U)…"), self.switch_user_requested.emit)
        file_menu.addAction(self.lock_action)
        file_menu.addAction(self.switch_user_action)
        file_menu.addSeparator()
        self.quit_action = self._action(QCoreApplication.translate("MainWindow", "退出(&Q)"),
                                        self.close, "Ctrl+Q")
        file_menu.addAction(self.quit_action)

        edit_menu = bar.addMenu(QCoreApplication.translate("MainWindow", "编辑(&E)"))
        self.refresh_action = self._action(QCoreApplication.translate("MainWindow", "刷新当前页(&R)"),
                                           self.refresh_current, "F5")
        edit_menu.addAction(self.refresh_action)
        edit_menu.addAction(self._action(QCoreApplication.translate("MainWindow", "设置(&S)…"),
                                         lambda: self.show_page("settings"), "Ctrl+,"))

        view_menu = bar.addMenu(QCoreApplication.translate("MainWindow", "视图(&V)"))
        group = QActionGroup(self)
        for index, cls in enumerate(self.page_classes):
            shortcut = f"Ctrl+{index + 1}" if index < 9 else None
            action = self._action(cls.title(), lambda _c=False, i=index: self.show_page(i),
                                  shortcut)
            action.setIcon(icon(cls.key))
            action.setCheckable(True)
            group.addAction(action)
            view_menu.addAction(action)
            self.page_actions.append(action)
        view_menu.addSeparator()
        self.nav_action = QAction(QCoreApplication.translate("MainWindow", "显示导航栏"), self)
        self.nav_action.setCheckable(True)
        self.nav_action.setChecked(True)
        self.nav_action.toggled.connect(self.nav.setVisible)
        view_menu.addAction(self.nav_action)

        help_menu = bar.addMenu(QCoreApplication.translate("MainWindow", "帮助(&H)"))
        self.about_action = self._action(QCoreApplication.translate("MainWindow", "关于(&A)…"),
                                         self.show_about, "F1")
        help_menu.addAction(self.about_action)
        help_menu.addAction(self._action(QCoreApplication.translate("MainWindow", "打开日志文件夹"),
                                         self.open_log_folder))
        help_menu.addAction(self._action(QCoreApplication.translate("MainWindow", "关于 Qt"),
                                         QApplication.aboutQt))
        self._add_hazard_actions(file_menu, edit_menu)
        self._add_project_actions(file_menu)
        self._add_exchange_actions(file_menu)
        self._add_month_end_action(file_menu)
        self._add_capture_action(file_menu)

    # -- 现场采集 (the phone capture page; its service runs only while the panel says so) -------

    def _add_capture_action(self, file_menu: QMenu) -> None:
        self.capture_panel: CapturePanel | None = None
        self.capture_action = self._action(
            QCoreApplication.translate("MainWindow", "现场采集(&C)…"), self.show_capture)
        file_menu.insertAction(self.lock_action, self.capture_action)
        file_menu.insertSeparator(self.lock_action)

    def show_capture(self) -> None:
        if not self._may("hazard.record"):
            return
        if self.capture_panel is None:
            from desktop.ui.capture_panel import CapturePanel  # the web stack loads on first use

            self.capture_panel = CapturePanel(self.state, self)
        self.capture_panel.show()
        self.capture_panel.raise_()

    def show_capture_for(self, inspection_id: int) -> None:
        """现场采集 opened on the drafts of one inspection (the 检查记录 page's link)."""
        self.show_capture()
        if self.capture_panel is not None:
            self.capture_panel.show_inspection(inspection_id)

    def desk_locked(self, locked: bool) -> None:
        """The desk's lock came on or went off: the capture service keeps running, its panel
        shows nothing new until unlocked."""
        if self.capture_panel is not None:
            self.capture_panel.set_locked(locked)

    # -- 导出评审资料包, 核验评审资料包, 从 Excel 导入 (also under 设置) ----------------------------------

    def _add_exchange_actions(self, file_menu: QMenu) -> None:
        self.export_package_action = self._action(
            QCoreApplication.translate("MainWindow", "导出评审资料包(&B)…"), self.export_package)
        self.verify_package_action = self._action(
            QCoreApplication.translate("MainWindow", "核验评审资料包(&V)…"), self.verify_package)
        self.import_action = self._action(
            QCoreApplication.translate("MainWindow", "从 Excel 导入(&M)…"), self.import_excel)
        before = self.lock_action  # after 打开数据文件夹, before 锁定
        for action in (self.import_action, self.export_package_action, self.verify_package_action):
            file_menu.insertAction(before, action)
        file_menu.insertSeparator(before)

    def export_package(self) -> None:
        from desktop.ui import exchange_dialogs  # the packaging stack loads on first use

        exchange_dialogs.export_package(self, self.state)

    def verify_package(self) -> None:
        from desktop.ui import exchange_dialogs

        exchange_dialogs.verify_package(self, self.state)

    def import_excel(self) -> None:
        from desktop.ui import exchange_dialogs

        exchange_dialogs.import_excel(self, self.state)

    # -- the hazard register's actions (登记隐患, 导出当前视图, 查找) ---------------------------

    def _add_hazard_actions(self, file_menu: QMenu, edit_menu: QMenu) -> None:
        self.new_hazard_action = self._action(
            QCoreApplication.translate("MainWindow", "登记隐患(&H)…"), self.new_hazard, "Ctrl+N")
        self.export_action = self._action(
            QCoreApplication.translate("MainWindow", "导出当前视图(&X)…"), self.export_view, "Ctrl+E")
        self.find_action = self._action(
            QCoreApplication.translate("MainWindow", "查找(&F)"), self.find_in_page, "Ctrl+F")
        first = file_menu.actions()[0]
        file_menu.insertActions(first, [self.new_hazard_action, self.export_action])
        file_menu.insertSeparator(first)
        edit_menu.insertAction(edit_menu.actions()[0], self.find_action)

    def _page_with(self, kind: type[object]) -> Page | None:
        """The current page when it offers `kind` (a Protocol of pages.base), else the hazard
        register (shown)."""
        page = self.current_page()
        if isinstance(page, kind):
            return page
        if not self._has("hazards"):
            return None
        self.show_page("hazards")
        return self.page("hazards")

    def new_hazard(self) -> None:
        if not self._may("hazard.record"):
            return
        if self._has("hazards"):
            page = self.page("hazards")
            assert isinstance(page, RecordsHazards), page
            page.new_hazard()

    def export_view(self) -> None:
        page = self._page_with(Exports)
        if page is not None:
            assert isinstance(page, Exports), page
            page.export_view()

    def find_in_page(self) -> None:  # not find(): QWidget.find(id) is Qt's
        page = self._page_with(Searches)
        if page is not None:
            assert isinstance(page, Searches), page
            page.focus_search()

    # -- 新建项目, 新建检查 ------------------------------------------------------------------

    def _add_project_actions(self, file_menu: QMenu) -> None:
        self.new_project_action = self._action(
            QCoreApplication.translate("MainWindow", "新建项目(&P)…"), self.new_project, "Ctrl+Shift+P")
        self.new_inspection_action = self._action(
            QCoreApplication.translate("MainWindow", "新建检查(&I)…"), self.new_inspection, "Ctrl+Shift+I")
        file_menu.insertActions(file_menu.actions()[0], [self.new_project_action, self.new_inspection_action])

    def _add_month_end_action(self, file_menu: QMenu) -> None:
        """月末批量 (on the documents page too): drafting, signing and logging a period's outputs."""
        self.month_end_action = self._action(
            QCoreApplication.translate("MainWindow", "月末批量(&N)…"), self.month_end)
        file_menu.insertAction(file_menu.actions()[0], self.month_end_action)

    def month_end(self) -> None:
        if not self._may("document.draft"):
            return
        from desktop.ui.month_end_dialog import open_month_end  # the documents stack on first use

        open_month_end(self.state, self)

    def _may(self, action: str) -> bool:
        """Say so at once when the user's role cannot do this (the service would refuse on save)."""
        if self.state.can(action):
            return True
        dialogs.warn(self, QCoreApplication.translate("MainWindow", "无权操作"),
                     QCoreApplication.translate("MainWindow", "您的角色无权进行此操作。"))
        return False

    def new_project(self) -> None:
        if not self._may("project.edit"):
            return
        if self._has("projects"):
            self.show_page("projects")
            page = self.page("projects")
            assert isinstance(page, RecordsProjects), page
            page.new_project()

    def new_inspection(self) -> None:
        """For the project on screen, if any; else the dialog asks which project."""
        if not self._may("inspection.edit"):
            return
        if self._has("inspections"):
            project_id = getattr(self.current_page(), "open_project_id", None)
            page = self.page("inspections")
            assert isinstance(page, RecordsInspections), page
            page.new_inspection(project_id)

    def refresh_current(self) -> None:
        self.current_page().reload()

    def show_about(self) -> None:
        html = QCoreApplication.translate("MainWindow", 
            "<h3>{title}</h3><p>版本 {version}</p>"
            "<p>为安责险事故预防服务风控机构设计：项目、隐患闭环、检查、培训演练、档案与文书。</p>"
            "<p>数据库：{database}</p>"
            "<p>界面基于 Qt {qt}（PySide6 {pyside}）；内置字体文泉驿微米黑（Apache-2.0）。</p>"
        ).format(title=i18n.app_title(), version=__version__, database=self.state.database_label,
                 qt=PySide6.QtCore.qVersion(), pyside=PySide6.__version__)
        dialogs.about(self, QCoreApplication.translate("MainWindow", "关于"), html)

    def open_data_folder(self) -> None:
        self._open_folder(self.state.config.data_dir)

    def open_log_folder(self) -> None:
        self._open_folder(log_file(self.state.config).parent)

    def _open_folder(self, folder: Path) -> None:
        if not folder.is_dir() or not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            dialogs.warn(self, QCoreApplication.translate("MainWindow", "无法打开文件夹"), str(folder))

    # -- window state -------------------------------------------------------------------

    def restore_window_state(self) -> None:
        settings = self.state.settings
        geometry = settings.value("main/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            # a first start fills the screen's free area (1366×768 and 1920×1080 alike)
            room = available_rect(self)
            self.resize(room.size() - FRAME_ESTIMATE)
            self.move(room.topLeft())
        window_state = settings.value("main/state")
        if window_state is not None:
            self.restoreState(window_state)
        splitter = settings.value("main/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        self.nav_action.setChecked(bool_value(settings, "main/navigation", True))
        self.nav.setVisible(self.nav_action.isChecked())
        for page in self.built_pages():  # a page built later restores its own state then
            settings.beginGroup(f"pages/{page.key}")
            page.restore_state(settings)
            settings.endGroup()
        index = int_value(settings, "main/page", 0)
        index = index if 0 <= index < len(self.page_classes) else 0
        if self.state.is_open:
            self.show_page(index)
        else:
            self._pending_row = index
            self.nav.setCurrentRow(index)  # _row_changed remembers it

    def save_window_state(self) -> None:
        settings = self.state.settings
        settings.setValue("main/geometry", self.saveGeometry())
        settings.setValue("main/state", self.saveState())
        if self.nav_action.isChecked():  # a hidden list saves width 0 and would come back as 0
            settings.setValue("main/splitter", self.splitter.saveState())
        settings.setValue("main/navigation", self.nav_action.isChecked())
        settings.setValue("main/page", self.stack.currentIndex() if self.state.is_open
                          else self._pending_row)
        for page in self.built_pages():  # pages never shown keep what they had
            settings.beginGroup(f"pages/{page.key}")
            page.save_state(settings)
            settings.endGroup()
        settings.sync()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._fitted:  # the first show: never larger than the screen (1366×768 too)
            self._fitted = True
            fit_to_screen(self)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_window_state()
        if self.capture_panel is not None:
            self.capture_panel.stop_server()
        super().closeEvent(event)
