"""Gap-free numbers per kind and year, taken inside the transaction that uses them."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.models import Sequence
from desktop.services import rules


def next_value(session: Session, name: str, count: int = 1) -> int:
    """Increment the counter `name` by `count` and return the first value taken (the last is
    first + count - 1); a rollback of the caller gives the values back."""
    updated = session.execute(
        update(Sequence).where(Sequence.name == name).values(value=Sequence.value + count)
        .returning(Sequence.value)
    ).scalar_one_or_none()
    if updated is not None:
        return int(updated) - count + 1
    try:
        with session.begin_nested():
            session.add(Sequence(name=name, value=count))
    except IntegrityError:
        # another desk created the counter between our UPDATE and INSERT: take the next ones
        return next_value(session, name, count)
    return 1


def hazard_number(session: Session, year: int) -> str:
    return hazard_numbers(session, year, 1)[0]


def hazard_numbers(session: Session, year: int, count: int) -> list[str]:
    """`count` consecutive hazard numbers of `year`, taken with one counter update."""
    pattern = rules.get(session, "numbering.hazard")
    first = next_value(session, f"hazard:{year}", count)
    return [pattern.format(year=year, seq=seq) for seq in range(first, first + count)]


def document_number(session: Session, kind: str, year: int) -> str:
    pattern = rules.get(session, "numbering.document")
    prefixes = rules.get(session, "numbering.prefixes")
    prefix = prefixes.get(kind, "风控")
    # one sequence per prefix and year: documents sharing a prefix share a series
    seq = next_value(session, f"doc:{prefix}:{year}")
    return pattern.format(prefix=prefix, year=year, seq=seq)
