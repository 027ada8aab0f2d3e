"""Which TrueType file draws the documents' body text (宋体 / 仿宋).

Official documents set their body in FangSong or Song. The first usable face of:

1. the file named by the environment variable ``RISKDESK_DOCUMENT_FONT`` (``PATH`` or
   ``PATH:INDEX`` for a collection; ``bundled`` forces the bundled face); when it is set, the
   machine's setting below is not consulted;
2. the file chosen in Settings › 文书用语 (the machine setting ``document_font``, same form,
   given to `paths.use_document_font` at start-up);
3. the system's FangSong / SimSun (Windows ``%WINDIR%\\Fonts\\simfang.ttf``, ``simsun.ttc``;
   elsewhere the same files in the user's font folders, or what fontconfig's ``fc-match``
   finds for those families or for AR PL UMing / SungtiL);
4. the bundled AR PL UMing CN (``resources/fonts/uming.ttc``).

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

from desktop.messages import Message, msg
from desktop.paths import document_font_setting, serif_font_path

log = logging.getLogger("desktop.reports")

ENV_DOCUMENT_FONT = "RISKDESK_DOCUMENT_FONT"
BUNDLED = "bundled"
# what a body font must draw: Chinese, the official punctuation, digits and Latin
PROBE = "仿宋体隐患整改通知书编号〔〕，。；：（）“”、0123456789ABCXYZabcxyz-/"
# families asked of fontconfig, in order of preference (FangSong first: GB/T 9704 body text)
FC_FAMILIES = ("FangSong", "SimSun", "AR PL UMing CN", "AR PL SungtiL GB")
_FILE_NAMES = ("simfang.ttf", "simsun.ttc", "simsun.ttf")
# what the settings offer: Song, FangSong and Kai faces (their family names, any language)
_BODY_FAMILY_WORDS = ("song", "sung", "ming", "kai", "宋", "仿宋", "楷", "明")
_WINDOWS_BODY_FILES = ("simsun.ttc", "simsun.ttf", "simfang.ttf", "simkai.ttf", "stsong.ttf",
                       "stfangso.ttf", "stkaiti.ttf")
ORIGIN_LABELS = {"configured": "环境变量指定", "chosen": "本机设置", "system": "系统字体",
                 "bundled": "内置字体"}


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int
    origin: str  # "configured" (environment), "chosen" (machine setting), "system" or "bundled"

    @property
    def setting(self) -> str:
        """The file as the setting writes it: PATH, or PATH:INDEX for a face of a collection."""
        return f"{self.path}:{self.index}" if self.index else str(self.path)


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
        found.append(parse_setting(setting, "configured"))
    elif document_font_setting():
        found.append(parse_setting(document_font_setting(), "chosen"))
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
    font, problem = _open(name, item)
    if problem is not None and (item.origin != "system" or item.path.is_file()):
        log.warning("document font %s:%d not usable: %s", item.path, item.index, problem)
    return font


def problem(item: FontFile) -> Message | None:
    """Why the file cannot draw the documents' body text, in Chinese; None when it can."""
    return _open("RiskDeskProbe", item)[1]


def family(item: FontFile) -> str:
    """The face's family name (仿宋, SimSun, AR PL UMing CN…), or the file's name."""
    font, _problem = _open("RiskDeskProbe", item)
    if font is None:
        return item.path.name
    name = font.face.familyName
    return name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)


def installed() -> list[FontFile]:
    """The Song, FangSong and Kai TrueType faces installed on this machine, for the settings
    to offer (each still checked with `problem` when chosen)."""
    found: list[FontFile] = []
    if sys.platform == "win32":
        for folder in _font_folders():
            found += [FontFile(folder / n, 0, "system") for n in _WINDOWS_BODY_FILES
                      if (folder / n).is_file()]
    elif shutil.which("fc-list"):
        try:
            out = subprocess.run(["fc-list", ":lang=zh:fontformat=TrueType", "-f",
                                  "%{family}\t%{file}\t%{index}\n"],
                                 capture_output=True, text=True, timeout=20, check=False).stdout
        except (OSError, subprocess.SubprocessError) as exc:
            log.debug("fc-list failed: %s", exc)
            out = ""
        for line in sorted(out.splitlines()):
            parts = line.split("\t")
            if len(parts) == 3 and any(w in parts[0].casefold() for w in _BODY_FAMILY_WORDS):
                found.append(FontFile(Path(parts[1]), int(parts[2] or 0)
                                      if parts[2].isdigit() else 0, "system"))
    return found


def _open(name: str, item: FontFile) -> tuple[TTFont | None, Message | None]:
    if not item.path.is_file():
        return None, msg("找不到字体文件：{path}", path=str(item.path))
    try:
        font = TTFont(name, str(item.path), subfontIndex=item.index)
    except (TTFError, OSError, ValueError, IndexError) as exc:
        return None, msg("字体文件 {name} 不能嵌入 PDF：须为允许嵌入的 TrueType 字体（OpenType/CFF 字体"
                         "如思源宋体不能使用）。原因：{error}", name=item.path.name, error=str(exc))
    cmap = font.face.charToGlyph
    lacking = "".join(c for c in PROBE if ord(c) not in cmap)
    if lacking:
        return None, msg("字体 {name} 缺少文书常用的字符：{chars}", name=item.path.name, chars=lacking)
    return font, None


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


def parse_setting(setting: str, origin: str = "configured") -> FontFile:
    """PATH or PATH:INDEX (a drive letter's colon is not an index)."""
    path, sep, index = setting.rpartition(":")
    if sep and index.isdigit() and path and not (len(path) == 1 and path.isalpha()):
        return FontFile(Path(path).expanduser(), int(index), origin)
    return FontFile(Path(setting).expanduser(), 0, origin)


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
