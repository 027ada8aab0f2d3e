"""Repeat hazards: find open hazards on the same project that look like the one being recorded."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import Hazard
from desktop.services.context import msg
from desktop.services.hazards import OPEN_STATES

TEXT_THRESHOLD = 0.8
LOCATION_THRESHOLD = 0.6


@dataclass(frozen=True)
class Similar:
    hazard_id: int
    number: str
    description: str
    location: str
    reason: str  # same catalogue item / near-identical text and location
    score: float


def _ratio(a: str, b: str) -> float:
    a, b = "".join(a.split()), "".join(b.split())
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def similar_open(session: Session, *, project_id: int, description: str, location: str = "",
                 catalogue_item_id: int | None = None, exclude_id: int | None = None,
                 limit: int = 5) -> list[Similar]:
    """Open hazards of the project with the same catalogue item, or near-identical text and
    location; best match first. A project has at most a few hundred open hazards."""
    rows = session.execute(
        select(Hazard.id, Hazard.number, Hazard.description, Hazard.location, Hazard.catalogue_item_id)
        .where(Hazard.project_id == project_id, Hazard.deleted_at.is_(None),
               Hazard.status.in_([s.value for s in OPEN_STATES]))
    ).all()
    found: list[Similar] = []
    for hid, number, desc, loc, item in rows:
        if hid == exclude_id:
            continue
        if catalogue_item_id is not None and item == catalogue_item_id:
            found.append(Similar(hid, number, desc, loc, msg("同一重大隐患判定条目"), 1.0))
            continue
        text = _ratio(description, desc)
        place = _ratio(location, loc) if location and loc else 1.0
        if text >= TEXT_THRESHOLD and place >= LOCATION_THRESHOLD:
            found.append(Similar(hid, number, desc, loc, msg("描述和部位几乎相同"),
                                 round(min(text, place), 2)))
    found.sort(key=lambda s: -s.score)
    return found[:limit]
