"""Atomic file writes: write to a temporary name in the same folder, fsync, rename."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

DISK_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


def is_disk_full(exc: BaseException) -> bool:
    """True for "no space left" and "quota exceeded" (also when wrapped as the cause)."""
    found: BaseException | None = exc
    while found is not None:
        if isinstance(found, OSError) and found.errno in DISK_FULL:
            return True
        found = found.__cause__ or found.__context__
    return False


def human_size(size: float) -> str:
    """A byte count as people read it: 512 B, 1.5 MB."""
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


class DiskFull(OSError):
    """The disk (or the user's quota) is full: said as such, never as a database error."""

    def __init__(self, target: Path | str, cause: OSError) -> None:
        super().__init__(cause.errno, f"磁盘空间不足：无法写入 {target}", str(target))
        self.text = f"磁盘空间不足：无法写入 {target}。未留下不完整的文件。"

    def __str__(self) -> str:
        return self.text


@contextlib.contextmanager
def atomic_writer(path: Path | str, mode: str = "wb", *, durable: bool = True,
                  private: bool = False) -> Iterator[IO[Any]]:
    """Yield a file object; the target appears only if the block finishes without error.

    `durable=False` for scratch files that go into something synced later (a package's
    registers and cover): still all or nothing, without waiting for the disk. `private`:
    readable by the owner only (0600: settings, keys); otherwise 0644 (documents, exports).
    The temporary `.part` file is removed whatever fails, closing it included; a full disk
    is raised as `DiskFull`."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        encoding = None if "b" in mode else "utf-8"
        fh = os.fdopen(fd, mode, encoding=encoding)
        try:
            yield fh
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        finally:
            fh.close()  # may raise too (the buffer written out on a full disk)
        if os.name == "posix":
            os.chmod(tmp, 0o600 if private else 0o644)  # mkstemp makes 0600
        os.replace(tmp, target)
        if durable:
            fsync_dir(target.parent)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, DiskFull) and is_disk_full(exc):
            raise DiskFull(target, exc) from exc
        raise


def atomic_write_bytes(path: Path | str, data: bytes, *, private: bool = False) -> None:
    with atomic_writer(path, "wb", private=private) as fh:
        fh.write(data)


def atomic_write_text(path: Path | str, text: str, *, private: bool = False) -> None:
    with atomic_writer(path, "w", private=private) as fh:
        fh.write(text)


def fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)




def remove_file(path: Path) -> None:
    """Delete a file, also one the store made read-only: on Windows a read-only file cannot be
    deleted until its read-only attribute is cleared (POSIX only asks for the folder's write
    permission). Missing is fine."""
    if os.name != "posix":
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path, 0o644)  # Windows: clears FILE_ATTRIBUTE_READONLY
    path.unlink(missing_ok=True)


def remove_tree(folder: Path) -> None:
    """`shutil.rmtree(folder, ignore_errors=True)` that also removes the store's read-only
    files on Windows (the documented `onerror` retry after clearing the read-only bit)."""
    import shutil
    import stat

    def retry(func: Callable[[str], object], path: str, _exc_info: object) -> None:
        with contextlib.suppress(OSError):
            os.chmod(path, stat.S_IWRITE)
            func(path)

    if os.name == "posix":
        shutil.rmtree(folder, ignore_errors=True)
        return
    with contextlib.suppress(OSError):
        shutil.rmtree(folder, onerror=retry)
