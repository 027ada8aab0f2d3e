"""The bundled CJK TrueType font, registered once and subset-embedded in every PDF."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from reportlab import rl_config
from reportlab.lib import textsplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import paragraph

from desktop.paths import font_path

log = logging.getLogger("desktop.reports")

# Measured: plain (not ASCII85) streams make large reports ~30% faster and ~18% smaller.
rl_config.useA85 = 0

BODY = "RiskDeskCJK"
# WenQuanYi Micro Hei has no bold face: headings use the same face drawn fill-and-stroke
# (see styles.BoldText) or a larger size, never a synthetic font name that might not embed.
HEADING = BODY

# Closing punctuation that must not start a line. ReportLab's kinsoku list (Japanese-first)
# lacks the full-width ，；：！？ ” ’ 》 used in Chinese, so a comma could open a line.
CHINESE_NO_LINE_START = "，；：！？”’》」』〕】〗…％"

_lock = threading.Lock()
_registered = False
_widths: dict[tuple[str, float], float] = {}


def ensure_fonts() -> str:
    """Register the CJK font with ReportLab on first use; return the body font name."""
    global _registered
    if _registered:
        return BODY
    with _lock:
        if not _registered:
            path = font_path()
            if not path.is_file():
                raise FileNotFoundError(f"找不到内置字体文件：{path}")
            pdfmetrics.registerFont(TTFont(BODY, str(path), subfontIndex=0))
            _extend_kinsoku()
            log.debug("registered %s from %s", BODY, path)
            _registered = True
    return BODY


def _extend_kinsoku() -> None:
    extra = "".join(c for c in CHINESE_NO_LINE_START if c not in textsplit.ALL_CANNOT_START)
    # ReportLab reads its line-start rule from these module constants: no setting holds it
    textsplit.ALL_CANNOT_START += extra  # type: ignore[misc]  # Final in the stubs, extended on purpose
    paragraph.ALL_CANNOT_START = textsplit.ALL_CANNOT_START  # type: ignore[attr-defined]  # not in the stubs


def char_width(char: str, size: float) -> float:
    """Width of one character in points, cached: wrapping thousands of cells stays cheap."""
    key = (char, size)
    width = _widths.get(key)
    if width is None:
        width = pdfmetrics.stringWidth(char, ensure_fonts(), size)
        _widths[key] = width
    return width


def missing_glyphs(chars: Iterable[str]) -> list[str]:
    """The characters the bundled font has no glyph for (they would print as blanks), in
    code-point order; white space and line breaks are not drawn and never missing."""
    font = pdfmetrics.getFont(ensure_fonts())
    cmap = font.face.charToGlyph if isinstance(font, TTFont) else {}  # BODY is a TrueType font
    return sorted({c for c in chars if ord(c) not in cmap and not c.isspace()
                   and c.isprintable()})


def text_width(text: str, size: float) -> float:
    return sum(char_width(c, size) for c in text)
