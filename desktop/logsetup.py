"""Logging: named `desktop.*` loggers to a rotating riskdesk.log in the data folder, warnings to stderr."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

LOG_FILE = "riskdesk.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 5
ROOT = "desktop"
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(process)d] %(message)s"
_MARK = "_riskdesk_handler"
_LEVELS = {"DEBUG": "调试", "INFO": "信息", "WARNING": "警告", "ERROR": "错误", "CRITICAL": "严重错误"}


FILE_ONLY = {"console": False}  # pass as `extra=` for records that already have their own message


class _StderrHandler(logging.Handler):
    """Writes to whatever sys.stderr is at the time (absent in a windowed frozen build).

    Only the message is shown; tracebacks go to the log file.
    """

    def emit(self, record: logging.LogRecord) -> None:
        stream = sys.stderr
        if stream is None or getattr(record, "console", True) is False:
            return
        label = _LEVELS.get(record.levelname, record.levelname)
        try:
            stream.write(f"riskdesk {label}：{record.getMessage()}\n")
            stream.flush()
        except (OSError, ValueError):
            self.handleError(record)


def setup_logging(logs_dir: Path | None, *, level: int = logging.INFO,
                  stderr_level: int | None = logging.WARNING) -> Path | None:
    """Install the handlers (replacing earlier ones from this module); returns the log file path.

    When the folder cannot be written, logging goes to stderr only and None is returned.
    """
    teardown_logging()
    logger = logging.getLogger(ROOT)
    logger.setLevel(level)
    logger.propagate = False
    log_path: Path | None = None
    if logs_dir is not None:
        try:
            logs_dir.mkdir(parents=True, exist_ok=True)
            handler: logging.Handler = logging.handlers.RotatingFileHandler(
                logs_dir / LOG_FILE, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8",
            )
        except OSError as exc:
            if sys.stderr is not None:
                sys.stderr.write(f"日志文件无法写入（{logs_dir}）：{exc.strerror or exc}\n")
        else:
            handler.setFormatter(logging.Formatter(_FORMAT))
            handler.setLevel(level)
            setattr(handler, _MARK, True)
            logger.addHandler(handler)
            log_path = logs_dir / LOG_FILE
    if stderr_level is not None:
        console = _StderrHandler(stderr_level)
        setattr(console, _MARK, True)
        logger.addHandler(console)
    return log_path


def teardown_logging() -> None:
    """Remove and close the handlers this module installed (files are released)."""
    logger = logging.getLogger(ROOT)
    ours = [h for h in logger.handlers if getattr(h, _MARK, False)]
    for handler in ours:
        logger.removeHandler(handler)
        handler.close()
    if ours:
        logger.propagate = True
        logger.setLevel(logging.NOTSET)
