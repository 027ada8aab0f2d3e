"""Gap-free numbers per kind and year, taken inside the transaction that uses them."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.models import AgencyProfile, Sequence
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


def agency_code(session: Session) -> str:
    """机构代字: the agency setting, else the agency's short name, else 风控."""
    code = str(rules.get(session, "numbering.agency_code") or "").strip()
    if code:
        return code
    short = session.execute(select(AgencyProfile.short_name).order_by(AgencyProfile.id)
                            .limit(1)).scalar_one_or_none()
    return (short or "").strip() or "风控"


def document_number(session: Session, kind: str, year: int) -> str:
    """机构代字 + the kind's word 〔year〕 sequence 号, e.g. 绍安衡风控整改〔2026〕7号."""
    pattern: str = rules.get(session, "numbering.document")
    prefixes = rules.get(session, "numbering.prefixes")
    code = agency_code(session) if "{code" in pattern else ""
    prefix = prefixes.get(kind, "")
    # one sequence per printed prefix and year: documents sharing a prefix share a series
    seq = next_value(session, f"doc:{code}{prefix}:{year}")
    return pattern.format(code=code, prefix=prefix, year=year, seq=seq)
