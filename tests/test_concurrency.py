"""Several desks editing the same hazards at once: no update is ever lost."""

from __future__ import annotations

import multiprocessing as mp

import pytest

from desktop.db import Database
from desktop.models import Hazard
from desktop.services import hazards
from desktop.services.context import Actor, ConflictError
from tests.factories import make_project

WORKERS = 4
EDITS = 15


def _desk(url: str, hazard_ids: list[int], token: str, actor: Actor, out) -> None:  # type: ignore[no-untyped-def]
    db = Database(url)
    conflicts = 0
    for n in range(EDITS):
        hazard_id = hazard_ids[n % len(hazard_ids)]
        while True:
            try:
                with db.session() as s:
                    h = hazards.load(s, hazard_id)
                    hazards.update(s, actor, hazard_id, expected_version=h.version,
                                   measures=f"{h.measures}|{token}{n}")
                break
            except ConflictError:
                conflicts += 1
    db.dispose()
    out.put(conflicts)


@pytest.mark.slow
def test_no_lost_updates_across_processes(db, admin):
    with db.session() as s:
        proj = make_project(s, admin)
        ids = [hazards.record(s, admin, hazards.HazardForm(
            project_id=proj.project, description=f"隐患{i}", level=3, measures="起始")).id for i in range(3)]
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    url = db.engine.url.render_as_string(hide_password=False)
    procs = [ctx.Process(target=_desk, args=(url, ids, f"d{w}-", admin, out)) for w in range(WORKERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    conflicts = sum(out.get(timeout=5) for _ in procs)
    with db.read() as s:
        tokens = [t for i in ids for t in s.get(Hazard, i).measures.split("|")[1:]]
    assert len(tokens) == WORKERS * EDITS, f"{WORKERS * EDITS - len(tokens)} updates lost"
    assert len(set(tokens)) == WORKERS * EDITS
    # versions advanced once per successful edit
    with db.read() as s:
        assert sum(hazards.get(s, i).version for i in ids) == 3 + WORKERS * EDITS
    if not db.is_sqlite:
        # READ COMMITTED lets desks read the same version; the version check must have bitten
        assert conflicts > 0


def test_second_save_with_stale_version_is_refused_with_message(db, admin):
    with db.session() as s:
        proj = make_project(s, admin)
        h = hazards.record(s, admin, hazards.HazardForm(
            project_id=proj.project, description="脚手架连墙件不足", level=3, measures="补设连墙件"))
    with db.session() as s:
        hazards.update(s, admin, h.id, expected_version=h.version, measures="第一人修改")
    with pytest.raises(ConflictError) as info:
        with db.session() as s:
            hazards.update(s, admin, h.id, expected_version=h.version, measures="第二人修改")
    assert "他人修改" in info.value.message
    with db.read() as s:
        assert s.get(Hazard, h.id).measures == "第一人修改"
