"""Housekeeping when the application opens a database: new catalogue editions, orphaned files."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from desktop.config import Config
from desktop.db import Database, DataError
from desktop.services import catalogues
from desktop.services.exchange import store_gc

log = logging.getLogger("desktop.services.startup")


@dataclass(frozen=True)
class Housekeeping:
    catalogues_loaded: tuple[str, ...]
    orphans_removed: int


def housekeeping(db: Database, config: Config) -> Housekeeping:
    """Load any catalogue edition shipped since the last start and sweep files that a
    crashed transaction left behind. Failures here are logged, never fatal to start-up."""
    loaded: tuple[str, ...] = ()
    removed = 0
    try:
        with db.session() as session:
            results = catalogues.load_all(session)
            loaded = tuple(r.code for r in results if r.status == "loaded")
    except (DataError, OSError, ValueError) as exc:
        log.warning("catalogues not loaded at start-up: %s", exc)
    try:
        with db.read() as session:
            removed = len(store_gc.sweep_orphans(session, config.attachments_dir).removed)
    except (DataError, OSError) as exc:
        log.warning("attachment sweep skipped: %s", exc)
    return Housekeeping(loaded, removed)
