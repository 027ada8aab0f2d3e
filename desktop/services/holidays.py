"""The holiday arrangement an admin types in for a year (the newest State Council notice, before
the maintained calendar package has it): stored as the agency rule `calendar.overrides`, and
every recorded complaint's reply deadline recounted under it.

Above rules, workdays and complaints (rules reads no service that reads it back)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from desktop.services import complaints, rules
from desktop.services.context import Actor, ValidationError, msg
from desktop.services.holiday_overrides import OVERRIDES_KEY


def set_overrides(session: Session, actor: Actor, value: Any) -> None:
    """Store the whole arrangement (checked by the rule) and recount the complaints' deadlines."""
    rules.set_value(session, actor, OVERRIDES_KEY, value)
    complaints.refresh_due(session)


def save_year(session: Session, actor: Actor, year: int, *, holidays: list[str],
              workdays: list[str]) -> None:
    """Type in (or correct) one year's notice; checked, stored and audited as an agency rule."""
    value = dict(rules.get(session, OVERRIDES_KEY))
    value[str(year)] = {"holidays": [h.strip() for h in holidays if h.strip()],
                        "workdays": [w.strip() for w in workdays if w.strip()]}
    set_overrides(session, actor, value)


def remove_year(session: Session, actor: Actor, year: int) -> None:
    """Drop an admin's year: the package's data (or none) counts again."""
    value = dict(rules.get(session, OVERRIDES_KEY))
    if value.pop(str(year), None) is None:
        raise ValidationError({OVERRIDES_KEY: msg("{year}年没有手工录入的节假日安排", year=year)})
    set_overrides(session, actor, value)
