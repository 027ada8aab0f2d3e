"""Checks of an agency's fixed wording (the rule `documents.wording`), shared by the rule store
(rules.py) and the wording use cases (wording.py): every text known, not blank, not too long,
and using only its own placeholders, each written {名称}."""

from __future__ import annotations

from typing import Any

from desktop.messages import Message, Series
from desktop.reports import wording
from desktop.services.context import ValidationError, msg


def problem(slot_id: str, text: Any) -> Message | None:
    """What is wrong with `text` as the wording of `slot_id`, in Chinese; None if it is fine."""
    slot = wording.BY_ID.get(slot_id)
    if slot is None:
        return msg("未知的文书用语：{slot}", slot=slot_id)
    if not isinstance(text, str) or not text.strip():
        return msg("“{label}”不能为空；要用默认用语请点“恢复默认”", label=slot.label)
    if len(text) > wording.MAX_LENGTH:
        return msg("“{label}”不超过 {limit} 字（现为 {count} 字）", label=slot.label,
                   limit=wording.MAX_LENGTH, count=len(text))
    if wording.stray_braces(text):
        return msg("“{label}”中的花括号不成对：占位符须写成 {example} 的形式，正文中不要单独使用花括号",
                   label=slot.label, example="{" + (next(iter(slot.placeholders), "名称")) + "}")
    unknown = [name for name in wording.placeholders_in(text) if name not in slot.placeholders]
    if unknown:
        if not slot.placeholders:
            return msg("“{label}”不能使用占位符（{names}）：此段用语不含记录中的事实",
                       label=slot.label, names=Series("{" + n + "}" for n in unknown))
        return msg("“{label}”中有未知的占位符 {names}；可用的占位符：{allowed}", label=slot.label,
                   names=Series("{" + n + "}" for n in unknown),
                   allowed=Series("{" + n + "}" for n in slot.placeholders))
    return None


def validate(key: str, value: Any) -> None:
    """The stored rule: a mapping of slot id to text (only the changed slots are kept)."""
    if not isinstance(value, dict):
        raise ValidationError({key: msg("文书用语格式有误")})
    errors: dict[str, str] = {str(slot_id): p for slot_id, text in value.items()
              if (p := problem(str(slot_id), text)) is not None}
    if errors:
        raise ValidationError(errors)
