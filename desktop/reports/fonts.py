"""The documents' fonts, registered once and subset-embedded in every PDF.

BODY is the bundled sans face (WenQuanYi Micro Hei): headings and titles (drawn
fill-and-stroke, like 黑体), the letterhead, table labels, charts. SERIF is the Song/FangSong
face of the body text (paragraph styles, see styles.Styles): the system's FangSong or SimSun
when present, else the bundled AR PL UMing (font_files.py). ReportLab has no per-glyph
fallback, so a paragraph in SERIF draws any character SERIF lacks in BODY (`serif_markup`);
a character is missing only when BODY lacks it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import cast

from reportlab import rl_config
from reportlab.lib import textsplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import paragraph

from desktop.paths import font_path
from desktop.reports import font_files

log = logging.getLogger("desktop.reports")

# Measured: plain (not ASCII85) streams make large reports ~30% faster and ~18% smaller.
rl_config.useA85 = 0

BODY = "RiskDeskCJK"
# WenQuanYi Micro Hei has no bold face: headings use the same face drawn fill-and-stroke
# (see styles.BoldText) or a larger size, never a synthetic font name that might not embed.
HEADING = BODY
SERIF = "RiskDeskSerif"
NBSP = "\xa0"

# Closing punctuation that must not start a line. ReportLab's kinsoku list (Japanese-first)
# lacks the full-width ，；：！？ ” ’ 》 used in Chinese, so a comma could open a line.
CHINESE_NO_LINE_START = "，；：！？”’》」』〕】〗…％"

_lock = threading.Lock()
_registered = False
_widths: dict[tuple[str, float, str], float] = {}
_serif: font_files.ChosenFont | None = None


def ensure_fonts() -> str:
    """Register both fonts with ReportLab on first use; return the sans font's name."""
    global _registered, _serif
    if _registered:
        return BODY
    with _lock:
        if not _registered:
            path = font_path()
            if not path.is_file():
                raise FileNotFoundError(f"找不到内置字体文件：{path}")
            sans = TTFont(BODY, str(path), subfontIndex=0)
            pdfmetrics.registerFont(sans)
            chosen = font_files.choose(SERIF)
            # Lay the Song face out on the sans face's ascent and descent: a label (sans) and
            # its value (Song) in one table row then share a baseline, and text extraction
            # reads them as one line. Only placement changes; the glyphs are the face's own.
            chosen.font.face.ascent = sans.face.ascent
            chosen.font.face.descent = sans.face.descent
            pdfmetrics.registerFont(chosen.font)
            log.info("document body font: %s (%s, %s)", chosen.face_name, chosen.file.path,
                     chosen.file.origin)
            _serif = chosen
            _extend_kinsoku()
            log.debug("registered %s from %s", BODY, path)
            _registered = True
    return BODY


def warm_up() -> threading.Thread | None:
    """Read both font files on a worker thread while the caller does something else (a
    command signing in: the password check runs in C without Python's lock, so the fonts'
    reading fills that wait). The first `ensure_fonts` of the caller waits for the worker
    and, if the worker failed, tries again itself, so its error reaches the caller."""
    if _registered:
        return None

    def work() -> None:
        try:
            ensure_fonts()
        except Exception as exc:  # the caller's own ensure_fonts raises it again
            log.debug("fonts not registered on the worker: %s", exc)

    worker = threading.Thread(target=work, name="riskdesk-fonts", daemon=True)
    worker.start()
    return worker


def _extend_kinsoku() -> None:
    """Add CHINESE_NO_LINE_START to ReportLab's list, once for the process: its CJK wrap
    (`paragraph.cjkFragSplit`, ReportLab 5.1) reads the module constant ALL_CANNOT_START
    itself, and neither ParagraphStyle, wordWrap='CJK' nor rl_config offers a per-document
    or per-style list. The change only adds closing punctuation, which no document wants at
    a line's start."""
    extra = "".join(c for c in CHINESE_NO_LINE_START if c not in textsplit.ALL_CANNOT_START)
    textsplit.ALL_CANNOT_START += extra  # type: ignore[misc]  # Final in the stubs, extended on purpose
    paragraph.ALL_CANNOT_START = textsplit.ALL_CANNOT_START  # type: ignore[attr-defined]  # not in the stubs


def char_width(char: str, size: float, font: str = BODY) -> float:
    """Width of one character in points, cached: wrapping thousands of cells stays cheap."""
    key = (char, size, font)
    width = _widths.get(key)
    if width is None:
        ensure_fonts()
        width = pdfmetrics.stringWidth(char, font, size)
        _widths[key] = width
    return width


def missing_glyphs(chars: Iterable[str]) -> list[str]:
    """The characters the bundled font has no glyph for (they would print as blanks), in
    code-point order; white space and line breaks are not drawn and never missing."""
    font = pdfmetrics.getFont(ensure_fonts())
    cmap = font.face.charToGlyph if isinstance(font, TTFont) else {}  # BODY is a TrueType font
    return sorted({c for c in chars if ord(c) not in cmap and not c.isspace()
                   and c.isprintable()})


def text_width(text: str, size: float, font: str = BODY) -> float:
    return sum(char_width(c, size, font) for c in text)


def serif_font() -> font_files.ChosenFont:
    """The face registered as SERIF: its file, where it came from and its PostScript name."""
    ensure_fonts()
    assert _serif is not None
    return _serif


def serif_markup(markup: str) -> str:
    """Paragraph markup for the SERIF face with each run of characters it lacks (but BODY
    has) wrapped in <font name=BODY>; tags and entities are left as they are. No-break
    spaces (the deliberate gaps of blank dates and check-box lists) go to BODY too: a Song
    face's half-em space would double them, and text extraction would read the gaps as
    column breaks."""
    ensure_fonts()
    serif = serif_font().font.face.charToGlyph
    sans = cast(TTFont, pdfmetrics.getFont(BODY)).face.charToGlyph
    if NBSP not in markup and all(ord(c) in serif or c.isspace() for c in markup):
        return markup
    out: list[str] = []
    run: list[str] = []
    depth = ""  # inside a tag ("<") or an entity ("&")

    def flush() -> None:
        if run:
            out.append(f'<font name="{BODY}">{"".join(run)}</font>')
            run.clear()

    for c in markup:
        if depth:
            out.append(c)
            if (depth == "<" and c == ">") or (depth == "&" and c in "; "):
                depth = ""
            continue
        if c in "<&":
            flush()
            depth = c
            out.append(c)
        elif ord(c) in sans and (c == NBSP or (ord(c) not in serif and not c.isspace())):
            run.append(c)
        else:
            flush()
            out.append(c)
    flush()
    return "".join(out)
