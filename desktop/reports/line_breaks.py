"""Where Chinese text breaks into lines (避头尾, dates and numbers kept whole): plain data and
arithmetic on character widths, no fonts — used by text.wrap_cjk for register cells and by
fonts for every Paragraph (fonts._install_line_breaking)."""

from __future__ import annotations

import re
from collections.abc import Sequence

NBSP = "\xa0"  # a no-break space: no line breaks next to it
# 避头 characters: never start a line with closing punctuation (GB/T 15834 practice).
NO_LINE_START = frozenset("，。、；：！？）》」』”’〕】〗〙］｝〉…—%‰％℃,.;:!?)]}")
# 避尾 characters: never end a line with opening punctuation.
NO_LINE_END = frozenset("（《「『“‘〔【〖〘［｛〈([{")
# Runs a line must not break inside:
#   2026年7月24日, 7月24日, 09时30分 — a date or time reads as one word;
#   FK2026-010, 8.20, YH-2026-00001 — a Latin word, code or number (_WORD), and a number with
#   its unit after it: 8.20 m, 5%, 13项, 2026年 (Latin letters, a sign or one Chinese character).
# Where a narrow cell cannot hold a whole unit, it breaks between a word and what is glued to
# it (2026年 / 12月 / 17日) before it breaks inside the word.
_WORD = r"[0-9A-Za-z](?:[0-9A-Za-z_#]|[-./:+](?=[0-9A-Za-z]))*"
_UNBREAKABLE = re.compile(
    r"\d+年\d+月(?:\d+日)?|\d+月\d+日|\d+时\d+分"
    rf"|{_WORD}(?:(?<=\d)(?:[ \xa0]?[A-Za-z]+[²³]?|[%‰％℃°²³\u3400-\u9fff]))?")
_WORD_RE = re.compile(_WORD)
_FUZZ = 1e-8  # as ReportLab's rl_config._FUZZ: rounding, not a real overflow


def line_breaks(text: str, widths: Sequence[float],
                max_widths: Sequence[float]) -> list[tuple[int, int]]:
    """Where `text` (one width per character) breaks into lines: (start, end) of each line,
    line i at most max_widths[i] wide (the last width repeats). Filled greedily, each line
    then ends at the last place Chinese typesetting allows:

    - a line never starts with closing punctuation (NO_LINE_START) and never ends with an
      opening bracket or quote (NO_LINE_END); one closing mark may hang past the width, as
      ReportLab's own kinsoku does, two (）：) go to the next line with the word before;
    - a date, a Latin word or number and a number with its unit (_UNBREAKABLE) stay whole,
      and no break falls next to a no-break space;
    - a space where a line breaks is dropped;
    - a last line of one character takes the one before along (no 孤字).

    Where a line has no such place (a narrow cell, a long code) the unit is broken after
    all, then the punctuation rule too, so that text never runs over the width.
    """
    n = len(text)
    lines: list[tuple[int, int]] = []
    glued: bytearray | None = None  # see _glued: worked out at the first break only
    start = 0
    while start < n:
        avail = max_widths[min(len(lines), len(max_widths) - 1)]
        x = 0.0
        i = start  # the first character that does not fit
        while i < n:
            x += widths[i]
            if x > avail + _FUZZ:
                break
            i += 1
        if i >= n:
            lines.append((start, n))
            break
        if glued is None:
            glued = _glued(text)
        end = _break_at(text, widths, glued, start, i,
                        max_widths[min(len(lines) + 1, len(max_widths) - 1)])
        stop = end
        while stop > start + 1 and text[stop - 1] == " ":
            stop -= 1
        lines.append((start, stop))
        start = end
        while start < n and text[start] == " ":
            start += 1
    if len(lines) > 1 and glued is not None:
        _no_lone_last_character(text, widths, max_widths, glued, lines)
    return lines


def _no_lone_last_character(text: str, widths: Sequence[float], max_widths: Sequence[float],
                            glued: bytearray, lines: list[tuple[int, int]]) -> None:
    """A last line of one character, closing marks aside (临时用 / 电 in a narrow cell, a
    paragraph's 孤字 such as 期］), takes the character before it along where the line
    before keeps two or more and both fit."""
    (a, b), (c, d) = lines[-2], lines[-1]
    avail = max_widths[min(len(lines) - 1, len(max_widths) - 1)]
    if b == c and b - a >= 3 and text[c] not in NO_LINE_START and \
            all(ch in NO_LINE_START for ch in text[c + 1:d]) and _allowed(text, glued, b - 1) and \
            sum(widths[b - 1:d]) <= avail + _FUZZ:
        lines[-2:] = [(a, b - 1), (b - 1, d)]


def _break_at(text: str, widths: Sequence[float], glued: bytearray, start: int, i: int,
              next_width: float) -> int:
    """The end of a line from `start` whose character i does not fit (see line_breaks): a
    break before i, else one closing mark hung in the margin, else the nearest place back.
    A unit wider than the next line cannot stay whole anyway: then the unit rules are eased
    step by step (between a unit's parts, a number and its unit, inside a word) rather than
    leave a short line, and the punctuation rule goes last."""
    hang = (i + 1,) if text[i] in NO_LINE_START else ()
    candidates: tuple[int, ...] = (i, *hang, *range(i - 1, start, -1))
    for slack in (0, 1, 2, 3):
        for k in candidates:
            if k > start and _allowed(text, glued, k, slack):
                if k < i and slack < 3:
                    end = i + 1  # the end of the unit that character i belongs to
                    while end < len(text) and glued[end] > slack:
                        end += 1
                    if sum(widths[k:end]) > next_width + _FUZZ:
                        break
                return k
    return max(i, start + 1)  # a knife cut: nothing fits, or no place is allowed


def _allowed(text: str, glued: bytearray, k: int, slack: int = 0) -> bool:
    """Whether a line may break between text[k - 1] and text[k], easing the unit rules by
    `slack` (see _glued)."""
    return (k >= len(text) or text[k] not in NO_LINE_START) and \
        text[k - 1] not in NO_LINE_END and glued[k] <= slack


def _glued(text: str) -> bytearray:
    """How strongly text[k - 1] and text[k] hold together, 0 (a line may break there) to 3:
    1 between the parts of a date (2026年 | 12月) and next to a no-break space, 2 between a
    number and its unit (17 | 日, 8.20 | m) and after a code's - or /, 3 inside a Latin word
    or number."""
    glued = bytearray(len(text) + 1)
    for m in _UNBREAKABLE.finditer(text):
        for k in range(m.start() + 1, m.end()):
            glued[k] = 2 if text[k - 1].isdigit() or text[k - 1] == " " else 1
    for m in _WORD_RE.finditer(text):
        for k in range(m.start() + 1, m.end()):
            glued[k] = 2 if text[k - 1] in "-/" else 3  # a code breaks after - or / first
    k = text.find(NBSP)
    while k >= 0:
        glued[k] = max(glued[k], 1)
        glued[k + 1] = max(glued[k + 1], 1)
        k = text.find(NBSP, k + 1)
    return glued
