"""The one crash path: log the unexpected error and show it with the log file's location."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication

from desktop.ui import dialogs

log = logging.getLogger("desktop.ui")


class CrashHandler:
    """A sys.excepthook: our own bugs reach the user as a dialog instead of a silent exit."""

    def __init__(self, log_file: Path) -> None:
        self.log_file = log_file
        self._showing = False
        self._previous = sys.excepthook

    def install(self) -> None:
        self._previous = sys.excepthook
        sys.excepthook = self

    def uninstall(self) -> None:
        if sys.excepthook is self:
            sys.excepthook = self._previous

    def __call__(self, exc_type: type[BaseException], exc: BaseException,
                 tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous(exc_type, exc, tb)
            return
        if isinstance(exc, dialogs.USER_ERRORS):  # a locked database, a broken rule: not a bug
            log.warning("%s: %s", exc_type.__name__, exc)
            dialogs.show_error(None, exc)
            return
        log.error("unexpected error", exc_info=(exc_type, exc, tb))
        if self._showing:  # an error while the dialog is up: logged, not stacked
            return
        self._showing = True
        try:
            dialogs.error(None, QCoreApplication.translate("Crash", "程序错误"),
                          self.message(exc), "".join(traceback.format_exception(exc_type, exc, tb)))
        finally:
            self._showing = False

    def message(self, exc: BaseException) -> str:
        return QCoreApplication.translate(
            "Crash",
            "程序遇到了一个意外错误：{error}\n\n"
            "已保存的数据不受影响，未保存的输入可能需要重新填写。"
            "详细信息已写入日志文件：\n{log}\n\n请将该文件发送给技术支持。",
        ).format(error=f"{type(exc).__name__}: {exc}", log=self.log_file)
