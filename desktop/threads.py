"""Threads that share the GIL with busy Python code: quick switches and a write-behind queue."""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

QUICK = 0.0002  # seconds; CPython's default switch interval is 0.005

_lock = threading.Lock()
_depth = 0
_saved = 0.0


@contextmanager
def quick_switches() -> Iterator[None]:
    """Let a thread that waits for the GIL have it within 0.2 ms instead of 5 ms.

    A helper thread that hashes, deflates or writes big buffers runs without the GIL, but takes
    it back between calls; while the main thread is busy formatting, each of those hand-overs
    waits out the interpreter's switch interval. A photo costs a few hand-overs, 200 photos
    spent more time waiting than copying. Nested and concurrent uses are counted: the
    interval comes back when the last one ends.
    """
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = sys.getswitchinterval()
            sys.setswitchinterval(min(_saved, QUICK))
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                sys.setswitchinterval(_saved)


class WriteBehind:
    """A file's writes done on a second thread (zlib, CRC-32 and the write itself run without
    the GIL), so the caller goes on formatting the next batch meanwhile. `close()` waits for
    the queue, closes the file and raises the first error the thread met; `abandon()` drops
    what is queued. At most `depth` batches wait, so memory stays bounded."""

    def __init__(self, fh: IO[bytes], depth: int = 4) -> None:
        self._fh = fh
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._switches = quick_switches()
        self._switches.__enter__()
        self._thread = threading.Thread(target=self._run, name="write-behind", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._fh.write(data)
                except BaseException as exc:  # noqa: BLE001 - raised in the caller by close()
                    self._error = exc

    def write(self, data: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(data)

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
            self._switches.__exit__(None, None, None)

    def close(self) -> None:
        self._stop()
        if self._error is not None:
            raise self._error
        self._fh.close()

    def abandon(self) -> None:
        self._error = self._error or RuntimeError("abandoned")
        self._stop()
        self._fh.close()
