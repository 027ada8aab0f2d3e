"""POSIX modes of the data folder: the folder 0700; the database, settings and key files 0600.

The agency's records, its settings (a database password may be among them) and its private
signing key are for the desk's own account only. Called after `init`, whenever a window or a
command opens the data folder, and after a restore; a no-op off POSIX (Windows keeps the
folder under the user's profile, whose ACL already excludes other users).
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from desktop.config import SETTINGS_FILE, Config

log = logging.getLogger("desktop.datamodes")

FOLDER_MODE, FILE_MODE = 0o700, 0o600
KEY_FILE = "agency-signing-key.pem"  # the name services.signing gives it


def private_files(config: Config) -> list[Path]:
    """The files that must be readable by their owner only (those that exist)."""
    names = [SETTINGS_FILE, KEY_FILE]
    found = [config.data_dir / n for n in names]
    if config.database_url.startswith("sqlite"):
        found += [Path(f"{config.sqlite_path}{s}") for s in ("", "-wal", "-shm", "-journal")]
    return [p for p in found if p.is_file()]


def protect(config: Config) -> list[Path]:
    """Set the modes; the paths changed. A file owned by someone else (cannot chmod) is
    logged and left as it is: the folder's own mode still keeps others out."""
    if os.name != "posix" or not config.data_dir.is_dir():
        return []
    changed = []
    for path, mode in [(config.data_dir, FOLDER_MODE)] + [(p, FILE_MODE) for p in private_files(config)]:
        try:
            if stat.S_IMODE(path.stat().st_mode) != mode:
                os.chmod(path, mode)
                changed.append(path)
        except OSError as exc:
            log.warning("cannot set mode %o on %s: %s", mode, path, exc)
    return changed
