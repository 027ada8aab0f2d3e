"""Gap-free numbers per kind and year, taken inside the transaction that uses them."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.models import Sequence
from desktop.services import rules


def next_value(session: Session, name: str) -> int:
    """Increment and return the counter `name`; a rollback of the caller gives the value back."""
    updated = session.execute(
        update(Sequence).where(Sequence.name == name).values(value=Sequence.value + 1)
        .returning(Sequence.value)
    ).scalar_one_or_none()
    if updated is not None:
        return int(updated)
    try:
        with session.begin_nested():
            session.add(Sequence(name=name, value=1))
    except IntegrityError:
        # another desk created the counter between our UPDATE and INSERT: take the next one
        return next_value(session, name)
    return 1


def hazard_number(session: Session, year: int) -> str:
    pattern = rules.get(session, "numbering.hazard")
    seq = next_value(session, f"hazard:{year}")
    return pattern.format(year=year, seq=seq)


def document_number(session: Session, kind: str, year: int) -> str:
    pattern = rules.get(session, "numbering.document")
    prefixes = rules.get(session, "numbering.prefixes")
    prefix = prefixes.get(kind, "风控")
    # one sequence per prefix and year: documents sharing a prefix share a series
    seq = next_value(session, f"doc:{prefix}:{year}")
    return pattern.format(prefix=prefix, year=year, seq=seq)
