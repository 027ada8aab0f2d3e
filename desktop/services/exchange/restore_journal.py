"""The restore journal: every file move of a restore recorded before it is taken.

A restore swaps the data in by renames (`os.replace`: each one whole or not at all). Before
the first one it writes `restore-journal.json` in the data folder with the whole plan, and
before each move it records which move is next (written atomically, synced). Killed at any
point, the journal tells the next start-up (`recover`) what to do: a restore that had not
finished is undone — each planned move whose destination exists and whose source does not
is reversed, last first — and a finished one is tidied up. Either way the data folder holds
one whole data set, the old one or the new one, and the start-up says which.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.fileutil import atomic_write_text, fsync_dir, remove_tree
from desktop.logsetup import FILE_ONLY

log = logging.getLogger("desktop.restore_journal")

JOURNAL = "restore-journal.json"
ASIDE_PREFIX = "restore-aside-"
STAGING_PREFIX = ".restore-"


@dataclass(frozen=True)
class Move:
    src: Path
    dst: Path


def journal_path(data_dir: Path | str) -> Path:
    return Path(data_dir) / JOURNAL


@dataclass(frozen=True)
class Finished:
    """A restore that had swapped the data in, as its journal told start-up: what the
    restore's own end (its audit entry, the checkpoint) needs to be done in its place."""

    backup: str
    aside: Path
    record: dict[str, Any]  # what the restore gave the journal for its audit entry (`Journal`)


class Journal:
    """One restore's plan and progress, kept in the data folder until the restore is over
    (its audit entry written). `record`: what that audit entry names (who, the backup, its
    manifest's hash), for a start-up that has to write it instead."""

    def __init__(self, data_dir: Path, *, backup: str, moves: list[Move],
                 staging: list[Path], aside: Path, record: dict[str, Any] | None = None) -> None:
        self.path = journal_path(data_dir)
        self.moves, self.staging, self.aside = moves, staging, aside
        self._state: dict[str, Any] = {"backup": backup, "aside": str(aside),
                       "staging": [str(p) for p in staging],
                       "moves": [[str(m.src), str(m.dst)] for m in moves],
                       "next": 0, "complete": False, "record": dict(record or {})}
        self._write()

    def _write(self) -> None:
        atomic_write_text(self.path, json.dumps(self._state, ensure_ascii=False), private=True)

    def advance(self, index: int) -> None:
        """Record that move `index` is about to be taken (before it is)."""
        self._state["next"] = index
        self._write()

    def run(self, take: Callable[[Move], None] = lambda m: _move(m)) -> None:
        """Take the planned moves in order, each recorded first."""
        for index, move in enumerate(self.moves):
            self.advance(index)
            take(move)

    def complete(self) -> None:
        """Every move taken: from here on a start-up finishes rather than undoes."""
        self._state["complete"] = True
        self._write()

    def undo(self) -> None:
        _undo([Move(Path(s), Path(d)) for s, d in self._state["moves"]])

    def close(self) -> None:
        for folder in self.staging:
            remove_tree(folder)  # unpacked blobs are read-only
        remove_empty(self.aside)
        self.path.unlink(missing_ok=True)


def _move(move: Move) -> None:
    move.dst.parent.mkdir(parents=True, exist_ok=True)
    os.replace(move.src, move.dst)
    for folder in {move.src.parent, move.dst.parent}:  # the rename itself survives power loss
        fsync_dir(folder)


def _undo(moves: list[Move]) -> None:
    for move in reversed(moves):
        if move.dst.exists() and not move.src.exists():
            move.src.parent.mkdir(parents=True, exist_ok=True)
            os.replace(move.dst, move.src)


def remove_empty(folder: Path) -> None:
    """Remove a folder tree that holds no files (the aside folder after an undo)."""
    if folder.is_dir() and not any(p.is_file() for p in folder.rglob("*")):
        shutil.rmtree(folder, ignore_errors=True)


def recover(data_dir: Path | str, *,
            finished: Callable[[Finished], Sequence[str] | None] | None = None) -> str | None:
    """At start-up (with the data folder held): finish or undo a restore that was cut off;
    what was done, in words, or None when there was nothing to do. Unpacked copies left by a
    restore killed before its first move are removed too. `finished` runs when a restore that
    had swapped the data in is finished (what `restore` does after its swap: the audit entry,
    the checkpoint — `backup.finish_interrupted`); what it returns (warnings) is added to the
    words. The journal is removed only after it ran: killed meanwhile, the next start-up
    runs it again."""
    data_dir = Path(data_dir)
    path = journal_path(data_dir)
    if not path.exists():
        for stale in data_dir.glob(f"{STAGING_PREFIX}*"):
            if stale.is_dir():
                remove_tree(stale)
        for made in data_dir.glob(f"{ASIDE_PREFIX}*"):  # made by a restore killed before its journal
            remove_empty(made)
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        moves = [Move(Path(s), Path(d)) for s, d in state["moves"]]
        backup, aside = str(state["backup"]), Path(state["aside"])
        staging = [Path(p) for p in state["staging"]]
        complete = bool(state["complete"])
        record = dict(state.get("record") or {})  # journals written before it carried one: none
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise OSError(f"恢复日志无法读取：{path}（{exc}）。请勿删除数据目录中的 restore-aside-… "
                      "文件夹，联系管理员手工处理。") from exc
    if complete:
        said = finished(Finished(backup, aside, record)) if finished is not None else None
        text = "".join([f"上次恢复备份（{backup}）已完成，已清理恢复时的临时文件。原有数据保存在 {aside}。",
                        *(f"\n{line}" for line in said or ())])
    else:
        _undo(moves)
        text = f"上次恢复备份（{backup}）在中途中断，已自动放回原有数据；如仍需恢复，请重新操作。"
    for folder in staging:
        remove_tree(folder)
    remove_empty(aside)
    path.unlink()
    log.warning("%s", text, extra=FILE_ONLY)  # the caller shows it (the command line, the window)
    return text


def leftovers(data_dir: Path | str) -> list[Path]:
    """A journal or restore-aside folders: what `init` must not create a database beside."""
    data_dir = Path(data_dir)
    found = [journal_path(data_dir)] if journal_path(data_dir).exists() else []
    return found + sorted(p for p in data_dir.glob(f"{ASIDE_PREFIX}*") if p.is_dir())
