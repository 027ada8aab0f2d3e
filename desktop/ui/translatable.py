"""The marker for texts shown later in the interface language; no Qt and no imports, so any
module (Qt-free logic included) can mark its texts without loading anything."""

from __future__ import annotations


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate looks for
    """Marks `text` for extraction into the .ts under `context` (tools/i18n.py runs lupdate,
    which finds the call by this name) and returns it unchanged, typed `str` where PySide6's
    own marker is typed `object`; the caller translates it when it is shown."""
    return text
