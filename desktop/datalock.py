"""The data-folder lock: every running window and command holds one; a restore needs them all.

Each process that opens a data folder holds an exclusive `filelock` on its own file
`locks/<host>-<pid>.lock`, with a side file (`….json`) saying who (user, host, process) and
since when. A restore takes the gate (`locks/restore.lock`), then tries every other
process's lock: one it cannot take belongs to a running window or command, and the restore
is refused naming its holder; one it can take was left by a process that has ended and is
removed. Opening a data folder passes through the same gate, so no window starts while a
restore runs. Locks are the operating system's (`fcntl.flock` / `msvcrt.locking` through
filelock): a killed process lets go of its lock at once.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from filelock import FileLock, Timeout

from desktop import clock
from desktop.fileutil import atomic_write_text

log = logging.getLogger("desktop.datalock")
T = TypeVar("T")

LOCKS = "locks"
GATE = "restore.lock"
GATE_WAIT = 5.0  # seconds a starting window waits for a gate held by another opening desk


class FolderBusy(Exception):
    """The data folder is in use (restore refused) or being restored (opening refused)."""

    def __init__(self, text: str, holders: tuple[str, ...] = ()) -> None:
        super().__init__(text)
        self.text, self.holders = text, holders


@dataclass(frozen=True)
class Holder:
    user: str
    host: str
    pid: int
    since: str  # ISO time, local
    what: str  # the command, or "窗口"

    def describe(self) -> str:
        when = self.since.replace("T", " ")[:19]
        return f"{self.user}@{self.host}（进程 {self.pid}，{self.what}，自 {when} 起）"


def _me(what: str) -> Holder:
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment or the password database
        user = "?"
    return Holder(user, socket.gethostname(), os.getpid(),
                  clock.now().isoformat(timespec="seconds"), what)


def _folder(data_dir: Path) -> Path:
    folder = Path(data_dir) / LOCKS
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _name(holder: Holder) -> str:
    return f"{holder.host}-{holder.pid}".replace(os.sep, "_")


class FolderLock:
    """This process's hold on a data folder; `release()` (or the process ending) lets go."""

    def __init__(self, data_dir: Path, what: str) -> None:
        self.data_dir = Path(data_dir)
        self.holder = _me(what)
        folder = _folder(self.data_dir)
        self.path = folder / f"{_name(self.holder)}.lock"
        self.info = folder / f"{_name(self.holder)}.json"
        self._lock = FileLock(self.path, timeout=0, thread_local=False)

    def acquire(self, on_open: Callable[[], T] | None = None) -> T | None:
        """Take the hold; `on_open` (start-up recovery) runs while no restore can start."""
        with _gate(self.data_dir, wait=GATE_WAIT,
                   busy="数据目录正在恢复备份，请等恢复完成后再打开。"):
            self._lock.acquire()
            try:
                atomic_write_text(self.info, json.dumps(self.holder.__dict__, ensure_ascii=False),
                                  private=True)
                return on_open() if on_open is not None else None
            except BaseException:
                self.release()
                raise

    def release(self) -> None:
        if self._lock.is_locked:
            self.info.unlink(missing_ok=True)
            self._lock.release()
            self.path.unlink(missing_ok=True)


@contextmanager
def _gate(data_dir: Path, *, wait: float, busy: str) -> Iterator[None]:
    gate = FileLock(_folder(data_dir) / GATE, timeout=wait, thread_local=False)
    try:
        gate.acquire()
    except Timeout:
        raise FolderBusy(busy) from None
    try:
        yield
    finally:
        gate.release()


@contextmanager
def hold(data_dir: Path | str, what: str,
         on_open: Callable[[], object] | None = None) -> Iterator[object]:
    """Hold the data folder for a window or command (see the module's docs); gives what
    `on_open` returned."""
    lock = FolderLock(Path(data_dir), what)
    opened = lock.acquire(on_open)
    try:
        yield opened
    finally:
        lock.release()


def _read_holder(info: Path) -> Holder | None:
    try:
        return Holder(**json.loads(info.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


@contextmanager
def exclusive(data_dir: Path | str) -> Iterator[None]:
    """For a restore: the gate, and no other process holding the folder; FolderBusy naming
    each holder otherwise. This process's own hold (the window that restores) is allowed."""
    data_dir = Path(data_dir)
    with _gate(data_dir, wait=0, busy="另一个恢复正在进行，未做任何改动。"):
        busy = []
        own = f"{_name(_me(''))}.lock"
        for path in sorted(_folder(data_dir).glob("*.lock")):
            if path.name in (GATE, own):
                continue
            other = FileLock(path, timeout=0, thread_local=False)
            try:
                other.acquire()
            except Timeout:
                holder = _read_holder(path.with_suffix(".json"))
                busy.append(holder.describe() if holder else path.stem)
                continue
            other.release()  # left by a process that has ended
            path.with_suffix(".json").unlink(missing_ok=True)
            path.unlink(missing_ok=True)
        if busy:
            raise FolderBusy("数据目录正被使用，不能恢复：" + "；".join(busy)
                             + "。请先关闭这些 RiskDesk 窗口和命令，未做任何改动。", tuple(busy))
        yield
