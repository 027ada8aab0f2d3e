"""Which TrueType file draws the documents' body text (宋体 / 仿宋).

Official documents set their body in FangSong or Song. The first usable face of:

1. the file named by the environment variable ``RISKDESK_DOCUMENT_FONT`` (``PATH`` or
   ``PATH:INDEX`` for a collection; ``bundled`` forces the bundled face);
2. the system's FangSong / SimSun (Windows ``%WINDIR%\\Fonts\\simfang.ttf``, ``simsun.ttc``;
   elsewhere the same files in the user's font folders, or what fontconfig's ``fc-match``
   finds for those families or for AR PL UMing / SungtiL);
3. the bundled AR PL UMing CN (``resources/fonts/uming.ttc``).

A face is usable when ReportLab can subset-embed it (TrueType outlines, embedding allowed)
and it has every character of a probe line (Chinese, full-width punctuation, digits, Latin).
fc-match always answers with *some* font; its answer counts only when the family it names is
the one asked for.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase.ttfonts import TTFError, TTFont

from desktop.paths import serif_font_path

log = logging.getLogger("desktop.reports")

ENV_DOCUMENT_FONT = "RISKDESK_DOCUMENT_FONT"
BUNDLED = "bundled"
# what a body font must draw: Chinese, the official punctuation, digits and Latin
PROBE = "仿宋体隐患整改通知书编号〔〕，。；：（）“”、0123456789ABCXYZabcxyz-/"
# families asked of fontconfig, in order of preference (FangSong first: GB/T 9704 body text)
FC_FAMILIES = ("FangSong", "SimSun", "AR PL UMing CN", "AR PL SungtiL GB")
_FILE_NAMES = ("simfang.ttf", "simsun.ttc", "simsun.ttf")


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int
    origin: str  # "configured", "system" or "bundled"


@dataclass(frozen=True)
class ChosenFont:
    font: TTFont
    file: FontFile

    @property
    def face_name(self) -> str:
        """The PostScript name the PDF's font dictionary carries (e.g. UMingCN, FangSong)."""
        name = self.font.face.name
        return name.decode("latin-1") if isinstance(name, bytes) else str(name)


def candidates() -> list[FontFile]:
    """The font files to try, best first; the bundled face is always last."""
    bundled = FontFile(serif_font_path(), 0, "bundled")
    setting = os.environ.get(ENV_DOCUMENT_FONT, "").strip()
    if setting.lower() == BUNDLED:
        return [bundled]
    found: list[FontFile] = []
    if setting:
        found.append(_parse_setting(setting))
    for folder in _font_folders():
        found += [FontFile(folder / name, 0, "system") for name in _FILE_NAMES
                  if (folder / name).is_file()]
    found += _fc_match()
    found.append(bundled)
    unique: list[FontFile] = []
    for item in found:
        if all((item.path, item.index) != (u.path, u.index) for u in unique):
            unique.append(item)
    return unique


def choose(name: str) -> ChosenFont:
    """Load the first usable candidate as the ReportLab font `name`."""
    for item in candidates():
        font = load(name, item)
        if font is not None:
            return ChosenFont(font, item)
    raise FileNotFoundError(f"找不到可用的宋体/仿宋字体，内置字体文件也缺失：{serif_font_path()}")


def load(name: str, item: FontFile) -> TTFont | None:
    """The face as a ReportLab font, or None (with the reason logged) when it cannot serve."""
    if not item.path.is_file():
        if item.origin != "system":
            log.warning("document font %s not found", item.path)
        return None
    try:
        font = TTFont(name, str(item.path), subfontIndex=item.index)
    except (TTFError, OSError, ValueError, IndexError) as exc:
        log.warning("document font %s:%d not usable: %s", item.path, item.index, exc)
        return None
    cmap = font.face.charToGlyph
    lacking = [c for c in PROBE if ord(c) not in cmap]
    if lacking:
        log.warning("document font %s:%d lacks %s", item.path, item.index, "".join(lacking))
        return None
    return font


def accepts_fc_answer(family: str, answer: str) -> FontFile | None:
    """fc-match's `%{family}\\t%{file}\\t%{index}` line, kept only when it names `family`."""
    parts = answer.strip().split("\t")
    if len(parts) != 3 or not parts[1]:
        return None
    families = {f.strip().casefold() for f in parts[0].split(",")}
    if family.casefold() not in families:
        return None
    try:
        index = int(parts[2] or 0)
    except ValueError:
        return None
    return FontFile(Path(parts[1]), index, "system")


def _parse_setting(setting: str) -> FontFile:
    path, sep, index = setting.rpartition(":")
    if sep and index.isdigit() and path and not (len(path) == 1 and path.isalpha()):
        return FontFile(Path(path).expanduser(), int(index), "configured")
    return FontFile(Path(setting).expanduser(), 0, "configured")


def _font_folders() -> list[Path]:
    if sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = os.environ.get("LOCALAPPDATA")
        folders = [windir / "Fonts"]
        if local:
            folders.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
        return folders
    home = Path.home()
    return [home / ".local" / "share" / "fonts", home / ".fonts", Path("/usr/share/fonts/truetype/msttcorefonts")]


def _fc_match() -> list[FontFile]:
    if sys.platform == "win32" or not shutil.which("fc-match"):
        return []
    found: list[FontFile] = []
    for family in FC_FAMILIES:
        try:
            out = subprocess.run(
                ["fc-match", "-f", "%{family}\t%{file}\t%{index}", f"{family}:fontformat=TrueType"],
                capture_output=True, text=True, timeout=10, check=False).stdout
        except (OSError, subprocess.SubprocessError) as exc:
            log.debug("fc-match failed: %s", exc)
            return found
        item = accepts_fc_answer(family, out)
        if item is not None:
            found.append(item)
    return found
