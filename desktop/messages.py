"""Texts for people that the core makes (errors, labels) and the GUI may translate.

`msg("找不到项目 {id}。", id=7)` is a `Message`: a `str` whose value is the formatted Chinese
(so the command line, the logs and every existing comparison see exactly the old text) that
also remembers its `template` and `params`. The GUI translates the template in the "Services"
context and formats it with translated params (desktop/ui/i18n.py `service_text`);
tools/i18n.py extracts every `msg("…")` literal from the core, so templates must be literal
strings.

A param may be a number, a date, a plain string (a name the user typed), an enum member or
its Chinese label (translated through "Labels" by the GUI), another `Message` (translated in
its turn), a list/tuple of those (joined with SEPARATOR), a `Series` of them (joined with
ENUMERATION: 承保机构、建设主管部门) or `Lines` of them (one a line).
No Qt here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SEPARATOR = "；"  # joins a list param; itself a template, so the GUI translates it too
ENUMERATION = "、"  # joins a Series param (names in a row); translated likewise


class Lines(tuple[Any, ...]):
    """A param shown one item a line (a list param is joined with SEPARATOR instead)."""


class Series(tuple[Any, ...]):
    """A param shown as a run of names: 承保机构、建设主管部门 (English: comma-separated)."""


class Message(str):
    """The formatted Chinese text, carrying the template and params it was made from."""

    template: str | None
    params: Mapping[str, Any]

    def __new__(cls, template: str | None, params: Mapping[str, Any] | None = None,
                text: str | None = None) -> Message:
        params = dict(params or {})
        if text is None:
            text = format_chinese(template or "", params)
        self = super().__new__(cls, text)
        self.template = template
        self.params = params
        return self

    @classmethod
    def plain(cls, text: str) -> Message:
        """A text with no template (someone else's words, e.g. a driver's error): shown as is."""
        return text if isinstance(text, Message) else cls(None, {}, str(text))

    def __reduce__(self) -> tuple[Any, ...]:
        return (Message, (self.template, self.params, str(self)))


def msg(template: str, /, **params: Any) -> Message:
    """A translatable text: `template` is a literal str.format pattern in Chinese."""
    return Message(template, params)


def chinese_param(value: Any) -> Any:
    """A param as the Chinese text shows it (numbers and dates stay as they are for format specs)."""
    label = getattr(value, "label", None)
    if isinstance(value, str) and isinstance(label, str):  # a Labelled enum member
        return label
    if isinstance(value, Lines):
        return "\n".join(str(chinese_param(v)) for v in value)
    if isinstance(value, Series):
        return ENUMERATION.join(str(chinese_param(v)) for v in value)
    if isinstance(value, (list, tuple)):
        return SEPARATOR.join(str(chinese_param(v)) for v in value)
    return value


def format_chinese(template: str, params: Mapping[str, Any]) -> str:
    return template.format(**{key: chinese_param(value) for key, value in params.items()})
