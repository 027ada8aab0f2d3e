"""The agency's fixed wording of the documents (Settings › 文书用语): read, preview, change, reset.

The sentences each document of a kind carries — the rectification notice's request, the
stop-work suggestion's paragraph and resume conditions, the refusal report's opening,
suggestion and closing, the plans' opening, the records' and periodic reports' fixed
statements, the key letter's request — are declared with their defaults and placeholders in reports/wording.py. An
administrator words them the agency's way; the text is stored as the agency rule
`documents.wording` (only the changed slots) by `rules.set_value`, which checks it and writes
the audit entry in the same transaction. The documents then print the agency's wording, with
each placeholder filled from the records when the document is built: the facts never come
from the wording. A change applies to documents built after it; a signed document keeps the
text it was signed with.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from desktop.reports import wording
from desktop.services import permissions, rules, wording_check
from desktop.services.context import Actor, ValidationError

RULE = "documents.wording"


@dataclass(frozen=True)
class SlotText:
    """One slot as the settings tab shows it."""

    id: str
    kind: str
    kind_label: str
    label: str
    text: str  # what documents print now: the agency's wording, else the default
    default: str
    customised: bool
    placeholders: tuple[tuple[str, str], ...]  # (name, what it becomes)


def stored(session: Session) -> dict[str, str]:
    """The agency's changed slots (slot id -> text); unknown ids of an older program dropped."""
    value = rules.get(session, RULE) or {}
    return {k: v for k, v in value.items() if k in wording.BY_ID and isinstance(v, str)}


def for_kind(session: Session, kind: str) -> tuple[tuple[str, str], ...]:
    """What a document of `kind` carries in its DocMeta.wording."""
    return tuple(sorted(wording.for_kind(stored(session), kind).items()))


def read(session: Session) -> list[SlotText]:
    own = stored(session)
    return [SlotText(s.id, s.kind, wording.KIND_LABELS.get(s.kind, s.kind), s.label,
                     own.get(s.id, s.default), s.default, s.id in own,
                     tuple(s.placeholders.items()))
            for s in wording.SLOTS]


def preview(slot_id: str, text: str) -> str:
    """The sentence as a document would print it, with sample facts; refuses what `save` would."""
    problem = wording_check.problem(slot_id, text)
    if problem is not None:
        raise ValidationError({slot_id: problem})
    slot = wording.BY_ID[slot_id]
    return wording.fill(text.strip(), slot.sample)


def save(session: Session, actor: Actor, slot_id: str, text: str) -> bool:
    """Store the agency's wording of one slot (the default text resets it); returns whether
    anything changed. Checked and audited by rules.set_value."""
    permissions.require(actor, "settings.edit")
    problem = wording_check.problem(slot_id, text)
    if problem is not None:
        raise ValidationError({slot_id: problem})
    own = stored(session)
    text = text.strip()
    new = {k: v for k, v in own.items() if k != slot_id}
    if text != wording.BY_ID[slot_id].default:
        new[slot_id] = text
    if new == own:
        return False
    rules.set_value(session, actor, RULE, new)
    return True


def reset(session: Session, actor: Actor, slot_id: str) -> bool:
    """Back to the default wording; returns whether the slot had the agency's own."""
    permissions.require(actor, "settings.edit")
    if slot_id not in wording.BY_ID:
        raise ValidationError({slot_id: wording_check.problem(slot_id, "") or slot_id})
    own = stored(session)
    if slot_id not in own:
        return False
    rules.set_value(session, actor, RULE, {k: v for k, v in own.items() if k != slot_id})
    return True


__all__ = ["RULE", "SlotText", "for_kind", "preview", "read", "reset", "save", "stored"]
