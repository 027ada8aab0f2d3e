"""QSettings values read as the type asked for: `QSettings.value` is typed `object`, though with
`type=int` or `type=bool` Qt converts what it stored (or gives the default) to that type."""

from __future__ import annotations

from PySide6.QtCore import QSettings


def int_value(settings: QSettings, key: str, default: int) -> int:
    value = settings.value(key, default, type=int)
    return value if isinstance(value, int) else default


def bool_value(settings: QSettings, key: str, default: bool) -> bool:
    value = settings.value(key, default, type=bool)
    return value if isinstance(value, bool) else default
