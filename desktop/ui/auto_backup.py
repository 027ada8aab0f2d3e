"""Automatic backups on a schedule: checked every few minutes, run quietly on a worker."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from desktop.ui.app_state import AppState
from desktop.ui.i18n import error_text
from desktop.ui.tasks import Task

log = logging.getLogger("desktop.ui")
CHECK_INTERVAL_MS = 10 * 60 * 1000


class AutoBackup(QObject):
    """Starts `backup.run_scheduled` when the interval has passed; never two at once."""

    message = Signal(str)  # for the status bar

    def __init__(self, state: AppState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.task: Task | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_INTERVAL_MS)
        self.timer.timeout.connect(self.check)

    def start(self, *, first_check_ms: int = 30_000) -> None:
        """Check soon after start-up (not during it), then every ten minutes."""
        self.timer.start()
        QTimer.singleShot(first_check_ms, self, self.check)

    def check(self) -> bool:
        """Start a backup if one is due; True when one was started."""
        if self.task is not None:
            return False
        from desktop.services.exchange import backup  # first checked 30 s after start

        try:
            if not backup.due(self.state.config):
                return False
        except OSError as exc:
            log.warning("cannot look at the backup folder: %s", exc)
            return False
        self.task = Task(backup.run_scheduled, self.state.db, self.state.config)
        self.task.succeeded.connect(self._done)
        self.task.failed.connect(self._failed)
        self.task.finished.connect(self._finished)
        self.task.start()
        return True

    def _done(self, result: object) -> None:
        path = getattr(result, "path", None)
        text = QCoreApplication.translate("AutoBackup", "自动备份完成：{path}")
        self.message.emit(text.format(path=path or ""))
        log.info("automatic backup written: %s", path)

    def _failed(self, exc: BaseException) -> None:
        log.error("automatic backup failed: %s", exc)
        text = QCoreApplication.translate("AutoBackup", "自动备份失败：{reason}（详见日志）")
        self.message.emit(text.format(reason=error_text(exc)))

    def _finished(self) -> None:
        self.task = None
