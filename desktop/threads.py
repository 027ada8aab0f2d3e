"""A write-behind queue: a file's writes done on a second thread."""

from __future__ import annotations

import queue
import threading
from typing import IO


class WriteBehind:
    """A file's writes done on a second thread (zlib, CRC-32 and the write itself run without
    the GIL), so the caller goes on formatting the next batch meanwhile. `close()` waits for
    the queue, closes the file and raises the first error the thread met; `abandon()` drops
    what is queued. At most `depth` batches wait, so memory stays bounded."""

    def __init__(self, fh: IO[bytes], depth: int = 4) -> None:
        self._fh = fh
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
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

    def close(self) -> None:
        self._stop()
        if self._error is not None:
            raise self._error
        self._fh.close()

    def abandon(self) -> None:
        self._error = self._error or RuntimeError("abandoned")
        self._stop()
        self._fh.close()
