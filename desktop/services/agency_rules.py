"""The agency rules an administrator sets in Settings (机构规则): read together, checked together,
each changed rule stored and audited by `rules.set_value` in one transaction.

A change applies to what is recorded after it: a hazard keeps the deadline and report times it
was given, a signed document its number, an assessment its level. The first-identification
allowance and the visit frequencies are the yardstick of the reminders and the self-check from
then on. The retention period may only be lengthened beyond the legal five years; lengthened,
it extends the kept items' dates too (services/retention.py).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy.orm import Session

from desktop.services import permissions, rules
from desktop.services.context import Actor, ValidationError

# field of AgencyRules -> rule key
KEYS = {
    "deadline_days": "hazard.deadline_days",
    "first_inspection_days": "first_inspection_days",
    "serious_l2_report_days": "hazard.serious_l2_report_days",
    "visit_interval_days": "risk.visit_interval_days",
    "grading": "risk.grading",
    "retention_years": "archive.retention_years",
    "agency_code": "numbering.agency_code",
}


@dataclass(frozen=True)
class AgencyRules:
    deadline_days: dict[str, int]  # "1".."4" -> days
    first_inspection_days: int
    serious_l2_report_days: int
    visit_interval_days: dict[str, int]  # high / medium / low -> days
    grading: rules.Grading
    retention_years: int
    agency_code: str


def read(session: Session) -> AgencyRules:
    values = {name: rules.get(session, key) for name, key in KEYS.items()}
    default = next(r.default for r in rules.RULES if r.key == "risk.grading")
    values["grading"] = {**default, **values["grading"]}
    values["agency_code"] = str(values["agency_code"] or "")
    return AgencyRules(**values)


def save(session: Session, actor: Actor, new: AgencyRules) -> list[str]:
    """Store the rules that changed; every value is checked first and all problems are reported
    at once, keyed by the rule. Returns the keys stored."""
    permissions.require(actor, "settings.edit")
    old = read(session)
    changed = [(KEYS[f.name], getattr(new, f.name)) for f in fields(AgencyRules)
               if getattr(new, f.name) != getattr(old, f.name)]
    errors: dict[str, str] = {}
    for key, value in changed:
        if key == "numbering.agency_code":
            value = value.strip()
        try:
            rules.validate(key, value)
        except ValidationError as exc:
            errors.update(exc.messages)
    if errors:
        raise ValidationError(errors)
    for key, value in changed:
        rules.set_value(session, actor, key, value.strip() if isinstance(value, str) else value)
    return [key for key, _ in changed]


__all__ = ["KEYS", "AgencyRules", "read", "save"]
