"""Interrupter: a read session's statement stopped from another thread (a view the user left)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from desktop.db import DataError, Interrupter, ReadStopped

ENDLESS = {
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
    "postgresql": "SELECT pg_sleep(60)",
}


def test_stop_interrupts_the_statement_under_way_and_every_later_read(db):
    stopper = Interrupter()
    outcome: list[BaseException | str] = []
    started = threading.Event()

    def endless_read() -> None:
        try:
            with stopper.reading(db.read) as session:
                started.set()
                session.execute(text(ENDLESS[db.engine.dialect.name])).all()
            outcome.append("finished")
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            outcome.append(exc)

    worker = threading.Thread(target=endless_read)
    worker.start()
    assert started.wait(10)
    time.sleep(0.3)  # the statement is running
    began = time.monotonic()
    stopper.stop()
    worker.join(20)
    assert not worker.is_alive(), "the statement was not interrupted"
    assert time.monotonic() - began < 10
    assert len(outcome) == 1 and isinstance(outcome[0], (DataError, Exception)) and outcome[0] != "finished"
    with pytest.raises(ReadStopped), stopper.reading(db.read):
        pass
    with db.read() as session:  # the pooled connection is fine for everyone else
        assert session.execute(text("SELECT 1")).scalar_one() == 1
