"""Bundled look: icons by name and the Chinese font registered for machines without one."""

from __future__ import annotations

import logging
from functools import cache

from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

from desktop.paths import font_path, resources_dir

log = logging.getLogger("desktop.ui")


@cache
def icon(name: str) -> QIcon:
    """The icon resources/icons/<name>.svg; an empty icon (logged) when it is missing."""
    path = resources_dir() / "icons" / f"{name}.svg"
    if not path.exists():
        log.warning("icon %s not found at %s", name, path)
        return QIcon()
    return QIcon(str(path))


@cache
def register_bundled_font() -> str | None:
    """Add WenQuanYi Micro Hei to the application's fonts; return its family name."""
    path = font_path()
    if not path.exists():
        log.warning("bundled font missing: %s", path)
        return None
    font_id = QFontDatabase.addApplicationFont(str(path))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.warning("bundled font could not be loaded: %s", path)
        return None
    return families[0]


@cache
def system_chinese_families() -> tuple[str, ...]:
    """The machine's own Chinese font families; asked before the bundled font is added."""
    return tuple(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))


def ensure_chinese_font(app: QApplication) -> str:
    """Make Chinese render everywhere; return the family list now used by the application.

    The system's own CJK font (e.g. Microsoft YaHei) looks native, so the bundled one is put
    in front only when the machine has no Chinese font at all.
    """
    system = system_chinese_families()
    bundled = register_bundled_font()
    if bundled and not system:
        font = QFont(app.font())
        font.setFamilies([bundled, *font.families()])
        app.setFont(font)
        log.info("no Chinese system font; using bundled %s", bundled)
    return ", ".join(app.font().families())
