"""导出评审资料包, 核验评审资料包 and 从 Excel 导入 from wherever people look for them — the 文件 menu, the
projects and documents pages — in a window of their own over the same panels 设置 shows."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from desktop.ui import dialogs
from desktop.ui.app_state import AppState
from desktop.ui.import_wizard import ImportWizard
from desktop.ui.package_dialog import PackagePanel


class PanelDialog(QDialog):
    """One panel with a 关闭 button; a task still running keeps the window open."""

    def __init__(self, panel: QWidget, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panel = panel
        self.setWindowTitle(title)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(panel, 1)
        layout.addWidget(buttons)
        self.resize(760, 560)

    def reject(self) -> None:
        if getattr(self.panel, "task", None) is not None:
            dialogs.warn(self, self.windowTitle(), QCoreApplication.translate(
                "ExchangeDialogs", "正在处理，请等待完成后再关闭。"))
            return
        super().reject()


def package_dialog(state: AppState, parent: QWidget | None = None) -> PanelDialog:
    panel = PackagePanel(state)
    panel.refresh()
    title = QCoreApplication.translate("ExchangeDialogs", "导出评审资料包")
    return PanelDialog(panel, title, parent)


def import_dialog(state: AppState, kind: str = "projects",
                  parent: QWidget | None = None) -> PanelDialog:
    wizard = ImportWizard(state)
    wizard.set_kind(kind)
    title = QCoreApplication.translate("ExchangeDialogs", "从 Excel 导入")
    return PanelDialog(wizard, title, parent)


def _refused(parent: QWidget | None, state: AppState, action: str) -> bool:
    if state.can(action):
        return False
    dialogs.warn(parent, QCoreApplication.translate("ExchangeDialogs", "无权操作"),
                 QCoreApplication.translate("ExchangeDialogs", "您的角色无权进行此操作。"))
    return True


def export_package(parent: QWidget | None, state: AppState) -> PanelDialog | None:
    """The review-package export in its own window."""
    if _refused(parent, state, "export"):
        return None
    dialog = package_dialog(state, parent)
    dialogs.run(dialog)
    return dialog


def verify_package(parent: QWidget | None, state: AppState) -> PanelDialog:
    """A package received or sent, checked: the file is asked for as the window opens."""
    title = QCoreApplication.translate("ExchangeDialogs", "核验评审资料包")
    panel = PackagePanel(state)
    dialog = PanelDialog(panel, title, parent)
    panel.refresh()
    QTimer.singleShot(0, panel.verify_other)
    dialogs.run(dialog)
    return dialog


def import_excel(parent: QWidget | None, state: AppState,
                 kind: str = "projects") -> PanelDialog | None:
    """The Excel import (projects and policies, or hazards) in its own window."""
    if _refused(parent, state, "import"):
        return None
    dialog = import_dialog(state, kind, parent)
    dialogs.run(dialog)
    return dialog
