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
from typing import Any, cast

from reportlab import Version as rl_version
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import paragraph

from desktop.paths import font_path
from desktop.reports import font_files
from desktop.reports.line_breaks import line_breaks

log = logging.getLogger("desktop.reports")

# Measured: plain (not ASCII85) streams make large reports ~30% faster and ~18% smaller.
rl_config.useA85 = 0

BODY = "RiskDeskCJK"
# WenQuanYi Micro Hei has no bold face: headings use the same face drawn fill-and-stroke
# (see styles.BoldText) or a larger size, never a synthetic font name that might not embed.
HEADING = BODY
SERIF = "RiskDeskSerif"
NBSP = "\xa0"

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
            _install_line_breaking()
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


def _install_line_breaking() -> None:
    """Make every CJK Paragraph (wordWrap='CJK', all of styles.Styles) break lines by the
    Chinese rules of line_breaks.line_breaks, once for the process.

    ReportLab 4.x/5.x breaks such a paragraph in `Paragraph.breakLinesCJK`, which calls two
    module-level functions by name: `wordSplit` (textsplit, one run of text) and
    `cjkFragSplit` (several runs: fonts, <br/>). Both fill a line up and push back at most
    one character; they have no rule for an opening bracket at a line's end, two closing
    marks in a row (）：) or a date or number broken inside, and neither ParagraphStyle,
    rl_config nor the kinsoku list ALL_CANNOT_START (which they read) can change that. So the
    two names are pointed at small wrappers that ask line_breaks where the lines end and
    build ReportLab's own line records from that (textsplit's [extraSpace, text] pairs,
    paragraph.makeCJKParaLine). Anything they do not handle goes to ReportLab's original."""
    if getattr(paragraph, "wordSplit", None) is _word_split:
        return
    if not all(hasattr(paragraph, name) for name in _RL_SPLIT_NAMES):
        log.warning("ReportLab %s: CJK line breaking not adjusted", rl_version)
        return
    _rl_split.update((name, getattr(paragraph, name)) for name in ("wordSplit", "cjkFragSplit"))
    paragraph.wordSplit = _word_split  # type: ignore[attr-defined]  # not in the stubs
    paragraph.cjkFragSplit = _cjk_frag_split  # type: ignore[attr-defined]


_RL_SPLIT_NAMES = ("wordSplit", "cjkFragSplit", "cjkU", "makeCJKParaLine")
_rl_split: dict[str, Any] = {}  # ReportLab's own functions, for what the wrappers leave to them


def _word_split(word: str | bytes, maxWidths: Any, fontName: str, fontSize: float,  # noqa: N803
                encoding: str = "utf8") -> list[list[Any]]:
    """textsplit.wordSplit's contract (one run of text in one font) with line_breaks.line_breaks."""
    if not isinstance(word, str):
        return cast(list[list[Any]], _rl_split["wordSplit"](word, maxWidths, fontName, fontSize,
                                                            encoding))
    widths = [char_width(c, fontSize, fontName) for c in word]
    max_widths = maxWidths if isinstance(maxWidths, (list, tuple)) else [maxWidths]
    return [[max_widths[min(j, len(max_widths) - 1)] - sum(widths[a:b]), word[a:b]]
            for j, (a, b) in enumerate(line_breaks(word, widths, max_widths))]


def _cjk_frag_split(frags: list[Any], maxWidths: list[float], calcBounds: bool,  # noqa: N803
                    encoding: str = "utf8") -> Any:
    """paragraph.cjkFragSplit's contract (runs in several fonts, <br/> in between) with
    line_breaks.line_breaks: one unit per character as ReportLab makes them (cjkU), each <br/>'s
    empty unit ends a line."""
    cjk_unit = paragraph.cjkU  # type: ignore[attr-defined]  # not in the stubs
    units = []
    for f in frags:
        text = f.text.decode(encoding) if isinstance(f.text, bytes) else f.text
        units.extend([cjk_unit(t, f, encoding) for t in text] if text else
                     [cjk_unit(text, f, encoding)])
    widths = [u.width for u in units]
    if any(hasattr(w, "normalizedValue") for w in widths):  # an image sized in % of the line
        return _rl_split["cjkFragSplit"](frags, maxWidths, calcBounds, encoding)
    # one character per unit; an image's or a <br/>'s empty unit as U+FFFC (no rule applies)
    chars = "".join(u if len(u) == 1 else "\ufffc" for u in units)
    make_line = paragraph.makeCJKParaLine  # type: ignore[attr-defined]  # not in the stubs
    lines: list[Any] = []
    start = 0
    ends = [i + 1 for i, u in enumerate(units) if hasattr(u.frag, "lineBreak")]
    if not ends or ends[-1] < len(units):
        ends.append(len(units))
    for end in ends:
        forced = hasattr(units[end - 1].frag, "lineBreak")
        if not forced and not sum(widths[start:end]) > 0:
            break  # as ReportLab: nothing drawn after the last <br/>
        pieces = line_breaks(chars[start:end], widths[start:end],
                             maxWidths[len(lines):] or maxWidths[-1:])
        for j, (a, b) in enumerate(pieces):
            width_used = sum(widths[start + a:start + b])
            max_width = maxWidths[min(len(lines), len(maxWidths) - 1)]
            lines.append(make_line(units[start + a:start + b], max_width, width_used,
                                   max_width - width_used, forced and j == len(pieces) - 1,
                                   calcBounds))
        start = end
    return paragraph.ParaLines(kind=1, lines=lines)


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
