"""Run long work off the GUI thread with a progress dialog that can cancel."""

from __future__ import annotations

import inspect
import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from desktop.services.context import (
    Cancelled,  # noqa: F401 - re-exported for pages
    Changes,
)
from desktop.ui import dialogs
from desktop.ui.app_state import AppState, changes_of
from desktop.ui.i18n import service_text

log = logging.getLogger("desktop.ui")
Progress = Callable[[int, int, str], bool]
_PROGRESS_INTERVAL = 0.05  # seconds between progress signals: a tight loop must not flood the GUI
_running: set[Task] = set()  # keeps each Task alive until its worker is done


class Task(QObject):
    """One call on a worker thread. The callable receives `progress(done, total, text) -> bool`,
    which returns False once the user has cancelled; the work should then raise `Cancelled`.
    Results and errors come back to the GUI thread by signal."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    cancelled = Signal()
    finished = Signal()  # always, after one of the three above

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self._call = (fn, args, kwargs)
        self._cancel = threading.Event()
        self._last_report = 0.0
        self.dialog: QProgressDialog | None = None  # set by run_task

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def progress(self, done: int, total: int, text: str = "") -> bool:
        """Called from the worker thread."""
        moment = time.monotonic()
        if done >= total or moment - self._last_report >= _PROGRESS_INTERVAL:
            self._last_report = moment
            # a service's msg(...) loses its template crossing the signal: translate it here
            self.progressed.emit(done, total, service_text(text))
        return not self._cancel.is_set()

    def start(self, pool: QThreadPool | None = None) -> Task:
        """Queue the work; it begins once control is back in the event loop, so that signals
        connected right after this call cannot be missed by a very quick task."""
        _running.add(self)
        self.finished.connect(lambda: _running.discard(self))
        target = pool or QThreadPool.globalInstance()
        QTimer.singleShot(0, self, lambda: target.start(_Runner(self)))
        return self

    def execute(self) -> None:
        """The worker's body: run the call and report how it ended."""
        fn, args, kwargs = self._call
        try:
            try:
                result = fn(*args, progress=self.progress, **kwargs)
            except Cancelled:
                self.cancelled.emit()
            except BaseException as exc:  # noqa: BLE001 - delivered to the GUI thread, not lost
                if _deleted(exc):
                    raise
                self.failed.emit(exc)
            else:
                self.succeeded.emit(result)
            self.finished.emit()
        except RuntimeError as exc:
            if not _deleted(exc):
                raise
            # the application is quitting and took the Task's Qt side with it: nobody is left
            # to tell, and the work has nothing more to do
            log.info("a worker outlived its task: %s", exc)


def _deleted(exc: BaseException) -> bool:
    """The error a signal raises once its QObject is gone (PySide6 words it this way)."""
    return isinstance(exc, RuntimeError) and "deleted" in str(exc)


class _Runner(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task

    def run(self) -> None:
        self._task.execute()


def handle_failure(parent: QWidget | None, exc: BaseException) -> None:
    """Rule and environment failures as messages; anything else through the crash path."""
    if isinstance(exc, dialogs.USER_ERRORS):
        dialogs.show_error(parent, exc)
    else:
        sys.excepthook(type(exc), exc, exc.__traceback__)


def run_task(parent: QWidget | None, fn: Callable[..., Any], *args: Any, label: str,
             on_result: Callable[[Any], None] | None = None,
             on_error: Callable[[BaseException], None] | None = None,
             pool: QThreadPool | None = None, **kwargs: Any) -> Task:
    """Start `fn(*args, progress=..., **kwargs)` on a worker with a cancellable progress dialog."""
    task = Task(fn, *args, **kwargs)
    dialog = QProgressDialog(label, dialogs.cancel_text(), 0, 0, parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(400)  # quick work finishes before any dialog flashes
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setValue(0)
    task.dialog = dialog

    def show_progress(done: int, total: int, text: str) -> None:
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total > 0 else 0)
        if text:
            dialog.setLabelText(text)

    def cancel() -> None:
        task.cancel()
        dialog.setLabelText(dialogs.cancelling_text())

    task.progressed.connect(show_progress)
    dialog.canceled.connect(cancel)
    task.succeeded.connect(on_result or (lambda _r: None))
    task.failed.connect(on_error or (lambda exc: handle_failure(parent, exc)))
    task.finished.connect(dialog.close)
    task.finished.connect(dialog.deleteLater)
    return task.start(pool)


def run_service(parent: QWidget | None, state: AppState, fn: Callable[..., Any], *args: Any,
                label: str, write: bool = True, changes: Changes | None = None,
                on_result: Callable[[Any], None] | None = None,
                on_error: Callable[[BaseException], None] | None = None,
                pool: QThreadPool | None = None, **kwargs: Any) -> Task:
    """Run a service off the GUI thread in its own session.

    A write call gets `(session, actor, *args)` and its Changes are announced on success;
    a read call gets `(session, *args)`. `progress` is passed when the service accepts it.
    """
    wants_progress = "progress" in inspect.signature(fn).parameters

    def work(*, progress: Progress) -> Any:
        extra = {"progress": progress} if wants_progress else {}
        if write:
            with state.db.session() as session:
                return fn(session, state.actor, *args, **extra, **kwargs)
        with state.db.read() as session:
            return fn(session, *args, **extra, **kwargs)

    def done(result: Any) -> None:
        if write:
            state.announce(changes_of(result), changes)
        if on_result is not None:
            on_result(result)

    return run_task(parent, work, label=label, on_result=done, on_error=on_error, pool=pool)
