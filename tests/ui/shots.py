"""Where the GUI tests save their screenshots: the folder named by $RISKDESK_SCREENSHOTS when
set (to look at them after a run), else the run's pytest temporary folder — never the checkout."""

from __future__ import annotations

from pathlib import Path

_folder: list[Path] = []  # set once a session by tests/ui/conftest.py


def use(folder: Path) -> None:
    _folder[:] = [folder]


def shots_dir() -> Path:
    if not _folder:
        raise RuntimeError("no screenshot folder: tests/ui/conftest.py sets it for the session")
    _folder[0].mkdir(parents=True, exist_ok=True)
    return _folder[0]
