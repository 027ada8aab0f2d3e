"""The one seam for modal questions and messages; tests replace these functions."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from desktop.data_error import DataError
from desktop.services.context import ConflictError, PermissionDenied, ServiceError
from desktop.ui import file_dialogs
from desktop.ui.i18n import error_text
from desktop.ui.screen_fit import fit_to_screen

# failures the user can act on; anything else is our bug and goes to the crash path
USER_ERRORS = (ServiceError, DataError)


def ask(parent: QWidget | None, title: str, text: str) -> bool:
    """A yes/no question; True for yes. The default button is no."""
    answer = QMessageBox.question(
        parent, title, text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def inform(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def warn(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


def error(parent: QWidget | None, title: str, text: str, details: str = "") -> None:
    """A serious failure, with optional details (a traceback) behind a button."""
    box = QMessageBox(QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText(details)
    box.exec()


def about(parent: QWidget | None, title: str, html: str) -> None:
    QMessageBox.about(parent, title, html)


def choose_folder(parent: QWidget | None, title: str, start: str) -> str:
    """A folder picked by the user, or "" when cancelled."""
    return file_dialogs.folder(parent, title, start)


def run(dialog: QDialog) -> bool:
    """Show a dialog modally, sized to fit the screen; True when accepted."""
    fit_to_screen(dialog)
    return dialog.exec() == QDialog.DialogCode.Accepted


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """Tell the user about an expected failure: a broken rule or an environment problem.

    The text is the service's message in the interface language (`error_text`)."""
    if isinstance(exc, DataError):
        title = QCoreApplication.translate("Dialogs", "数据错误")
    elif isinstance(exc, PermissionDenied):
        title = QCoreApplication.translate("Dialogs", "没有权限")
    elif isinstance(exc, ConflictError):
        title = QCoreApplication.translate("Dialogs", "记录已被他人修改")
    elif isinstance(exc, ServiceError):
        title = QCoreApplication.translate("Dialogs", "操作未完成")
    else:
        raise TypeError(f"not a user-facing error: {exc!r}") from exc
    warn(parent, title, error_text(exc))


def cancel_text() -> str:
    return QCoreApplication.translate("Dialogs", "取消")


def cancelling_text() -> str:
    return QCoreApplication.translate("Dialogs", "正在取消，请稍候…")
