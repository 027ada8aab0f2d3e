"""Start-up housekeeping: catalogues loaded, orphans swept after their grace period."""

from __future__ import annotations

import os
import time

from sqlalchemy import func, select

from desktop.config import Config
from desktop.models import Catalogue
from desktop.services import startup
from desktop.services.exchange import attachments, store_gc
from tests.factories import make_project


def test_housekeeping_loads_catalogues_and_sweeps_old_orphans(db, admin, tmp_path):
    config = Config(data_dir=tmp_path)
    store = config.attachments_dir
    done = startup.housekeeping(db, config)
    assert done.catalogues_loaded
    with db.read() as s:
        assert s.execute(select(func.count(Catalogue.id))).scalar() >= 3
    again = startup.housekeeping(db, config)
    assert again.catalogues_loaded == ()

    with db.session() as s:
        p = make_project(s, admin)
        kept = attachments.store_file(s, admin, store_dir=store, data=b"%PDF-1.4\n%%EOF\n",
                                      original_name="a.pdf", owner_type="project", owner_id=p.project)
    orphan = attachments.blob_path(store, "ab" * 32)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left by a crash")
    young = attachments.blob_path(store, "cd" * 32)
    young.parent.mkdir(parents=True, exist_ok=True)
    young.write_bytes(b"being committed right now by another desk")
    old = time.time() - 2 * store_gc.GRACE_SECONDS
    os.utime(orphan, (old, old))
    os.utime(attachments.blob_path(store, kept.sha256), (old, old))

    done = startup.housekeeping(db, config)
    assert done.orphans_removed == 1
    assert not orphan.exists()
    assert young.exists()  # inside the grace period
    assert attachments.blob_path(store, kept.sha256).exists()
