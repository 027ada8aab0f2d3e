"""Every file dialog of the window: starts in the folder last used, else the user's 文档 folder.

The folder last used is kept in the data folder's settings (`last_folder`), registered once
by the main window with `remember_in(config)`. Qt's own dialog texts ("查找范围", "文件类型")
come from qtbase_zh_CN, installed by `i18n.install_translators`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from desktop.config import Config

log = logging.getLogger("desktop.ui")
SETTING = "last_folder"
_store: list[Config] = []  # the settings of the data folder the window works on (0 or 1)


def remember_in(config: Config | None) -> None:
    """Keep the last folder in this data folder's settings (None: remember nothing)."""
    _store.clear()
    if config is not None:
        _store.append(config)


def documents_folder() -> Path:
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(found) if found else Path.home()
    return folder if folder.is_dir() else Path.home()


def start_folder() -> Path:
    """The folder last used if it still exists, else the documents folder."""
    if _store:
        last = str(_store[0].get(SETTING) or "")
        if last and Path(last).is_dir():
            return Path(last)
    return documents_folder()


def start_path(suggested: str = "") -> str:
    """Where a dialog opens: a bare file name goes into the start folder; a full path stays."""
    if not suggested:
        return str(start_folder())
    path = Path(suggested)
    return suggested if path.is_absolute() else str(start_folder() / suggested)


def remember(chosen: str, *, is_folder: bool = False) -> None:
    if not chosen or not _store:
        return
    folder = Path(chosen) if is_folder else Path(chosen).parent
    config = _store[0]
    if str(config.get(SETTING) or "") == str(folder):
        return
    config.set(SETTING, str(folder))
    try:
        config.save()
    except OSError as exc:  # only a convenience: never in the way of the file itself
        log.warning("cannot remember the folder %s: %s", folder, exc)


def open_file(parent: QWidget | None, title: str, filters: str, start: str = "") -> str:
    """A file picked to read, or "" when cancelled."""
    path, _ = QFileDialog.getOpenFileName(parent, title, start_path(start), filters)
    remember(path)
    return path


def open_files(parent: QWidget | None, title: str, filters: str, start: str = "") -> list[str]:
    files, _ = QFileDialog.getOpenFileNames(parent, title, start_path(start), filters)
    if files:
        remember(files[0])
    return files


def save_file(parent: QWidget | None, title: str, suggested: str, filters: str) -> str:
    """Where to write a file (the suggested name in the start folder), or "" when cancelled."""
    path, _ = QFileDialog.getSaveFileName(parent, title, start_path(suggested), filters)
    remember(path)
    return path


def folder(parent: QWidget | None, title: str, start: str = "") -> str:
    """A folder picked, or "" when cancelled."""
    chosen = QFileDialog.getExistingDirectory(parent, title, start or str(start_folder()))
    remember(chosen, is_folder=True)
    return chosen
