"""The register's filters kept between runs: a RegisterFilter as JSON text in QSettings, read
back leniently (a value of the wrong kind is dropped, not trusted)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from desktop.services.queries.register import RegisterFilter


def dump(flt: RegisterFilter) -> str:
    """The filter as JSON; `today` (a test's pin) is not kept."""
    return json.dumps({
        "levels": sorted(flt.levels), "statuses": sorted(flt.statuses),
        "open_only": flt.open_only, "overdue": flt.overdue, "major": flt.major,
        "escalated": flt.escalated, "project_id": flt.project_id,
        "insurer_id": flt.insurer_id, "authority_id": flt.authority_id,
        "date_from": flt.date_from.isoformat() if flt.date_from else None,
        "date_to": flt.date_to.isoformat() if flt.date_to else None,
        "category": flt.category, "text": flt.text,
    }, ensure_ascii=False)


def _typed(raw: dict[str, Any], key: str, kind: type | tuple[type, ...], default: Any) -> Any:
    value = raw.get(key, default)
    if value is None or (isinstance(value, kind) and not (kind is int and isinstance(value, bool))):
        return value
    return default


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def load(text: object) -> RegisterFilter | None:
    """The filter stored by `dump`; None for nothing stored or text that is not one."""
    if not isinstance(text, str) or not text:
        return None
    try:
        raw = json.loads(text)
    except ValueError:
        return None
    if not isinstance(raw, dict):
        return None
    levels, statuses = raw.get("levels"), raw.get("statuses")
    levels = levels if isinstance(levels, list) else []
    statuses = statuses if isinstance(statuses, list) else []
    return RegisterFilter(
        levels=frozenset(v for v in levels if isinstance(v, int) and 1 <= v <= 4),
        statuses=frozenset(v for v in statuses if isinstance(v, str)),
        open_only=bool(_typed(raw, "open_only", bool, False)),
        overdue=bool(_typed(raw, "overdue", bool, False)),
        major=_typed(raw, "major", bool, None), escalated=_typed(raw, "escalated", bool, None),
        project_id=_typed(raw, "project_id", int, None),
        insurer_id=_typed(raw, "insurer_id", int, None),
        authority_id=_typed(raw, "authority_id", int, None),
        date_from=_date(raw.get("date_from")), date_to=_date(raw.get("date_to")),
        category=_typed(raw, "category", str, "") or "", text=_typed(raw, "text", str, "") or "")
