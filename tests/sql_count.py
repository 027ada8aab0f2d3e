"""Count the SQL statements a block runs: tests that a read stays a fixed number of statements
however many rows it covers (no statement per project, per policy, per period)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def statements(db) -> Iterator[list[str]]:
    """The SQL statements run on the database's engine inside the block."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
