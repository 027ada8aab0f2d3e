"""Crash drill: SIGKILL the writer at random moments, many times; nothing reported is lost.

After every kill: SQLite's integrity check passes, every transaction the writer reported as
committed is present with its edit, no attachment row lacks its file, and after the start-up
sweep no file lacks its row. RISKDESK_DRILL_KILLS sets how many kills (default 200).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.db import Database
from desktop.models import Attachment, Hazard
from desktop.services import users as users_service
from desktop.services.context import Actor
from desktop.services.exchange import attachments, store_gc
from tests import drill_writer
from tests.factories import make_project

KILLS = int(os.environ.get("RISKDESK_DRILL_KILLS", "200"))


@pytest.mark.slow
def test_sigkill_drill(sqlite_db, tmp_path):
    """SQLite only: a desk's own file is what a killed process can damage."""
    data_dir = Path(sqlite_db.sqlite_path).parent
    with sqlite_db.session() as s:
        admin = users_service.create_user(s, Actor.system(), username="admin", display_name="管理员",
                                          role="admin", password="Secret-Desk-2026")
        users_service.create_user(s, Actor.system(), username="inspector", display_name="检查员",
                                  role="inspector", password="Secret-Desk-2026")
        project = make_project(s, Actor(admin.id, admin.username, admin.role)).project
    sqlite_db.dispose()
    rng = random.Random(2026)
    committed: set[int] = set()
    edits: dict[int, int] = {}
    # a fork server with the writer's modules imported: each run starts in milliseconds
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.drill_writer"])
    for kill in range(KILLS):
        receiver, sender = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=drill_writer.child,
                           args=(str(data_dir), project, "inspector", kill, sender), daemon=True)
        proc.start()
        sender.close()
        assert receiver.poll(60) and receiver.recv_bytes() == b"READY", f"kill {kill}: writer did not start"
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(30)
        while True:
            try:
                entry = receiver.recv_bytes().decode()
            except (EOFError, OSError):
                break
            parts = entry.split()
            if parts and parts[0] == "C":
                committed.update(int(p) for p in parts[1:])
            elif parts and parts[0] == "E" and len(parts) == 3:
                edits[int(parts[1])] = int(parts[2])
        receiver.close()

        db = Database(sqlite_db.url)
        try:
            assert db.integrity_check() == [], f"kill {kill}: integrity"
            with db.session() as s:
                present = set(s.execute(select(Hazard.id)).scalars())
                missing = committed - present
                assert not missing, f"kill {kill}: committed hazards lost: {sorted(missing)[:5]}"
                for hid, version in edits.items():
                    assert s.get(Hazard, hid).version >= version, f"kill {kill}: edit of {hid} lost"
                rows = s.execute(select(Attachment.sha256)).scalars().all()
                assert all(attachments.blob_path(data_dir / "attachments", sha).is_file() for sha in rows)
                store_gc.sweep_orphans(s, data_dir / "attachments", grace_seconds=0)
                report = attachments.verify_store(s, data_dir / "attachments", hash_files=False)
                assert report.ok, f"kill {kill}: store {report}"
        finally:
            db.dispose()
    assert len(committed) > KILLS // 4, "the writer should have committed work in most runs"
