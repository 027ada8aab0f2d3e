"""The documents' body font on this machine (Settings › 文书用语): which face is in use, the Song,
FangSong and Kai faces installed, and the machine's choice of one of them or of the automatic
choice (reports/font_files.py).

The font file is the machine's own, so the choice is a machine setting (`document_font` in
settings.json, desktop/config.py), not an agency rule. A file is accepted only if it passes
font_files' checks (a TrueType face ReportLab can subset-embed, with every character of the
probe line); the environment variable RISKDESK_DOCUMENT_FONT, when set, still wins. The face
is registered once per process, so a new choice is used from the program's next start.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from desktop import paths
from desktop.config import Config
from desktop.reports import font_files, fonts
from desktop.services import permissions
from desktop.services.context import Actor, ValidationError, msg

log = logging.getLogger("desktop.services")

SETTING = "document_font"


@dataclass(frozen=True)
class FontInUse:
    family: str  # 仿宋, SimSun, AR PL UMing CN…
    path: Path
    origin: str  # font_files' origin: configured, chosen, system, bundled
    origin_label: str  # 环境变量指定 / 本机设置 / 系统字体 / 内置字体
    setting: str  # the machine's choice ("" automatic)
    environment: str  # RISKDESK_DOCUMENT_FONT when set: it wins over the machine's choice
    restart_needed: bool  # the machine's choice is not what this process draws with


@dataclass(frozen=True)
class FontOption:
    family: str
    setting: str  # PATH or PATH:INDEX, what `choose` takes


def in_use(config: Config) -> FontInUse:
    """The face the documents of this process are drawn with, and the machine's choice."""
    chosen = fonts.serif_font()
    item = chosen.file
    setting = config.document_font
    environment = os.environ.get(font_files.ENV_DOCUMENT_FONT, "").strip()
    wanted = font_files.parse_setting(setting, "chosen") if setting else None
    if environment:
        restart = False
    elif wanted is not None:
        restart = (wanted.path, wanted.index) != (item.path, item.index)
    else:
        restart = item.origin == "chosen"
    return FontInUse(font_files.family(item), item.path, item.origin,
                     font_files.ORIGIN_LABELS.get(item.origin, item.origin), setting,
                     environment, restart)


def options() -> list[FontOption]:
    """The Song, FangSong and Kai faces installed on this machine, by family name."""
    out = []
    for item in font_files.installed():
        out.append(FontOption(font_files.family(item), item.setting))
    return out


def check(setting: str) -> font_files.FontFile:
    """The file the setting names, if it can draw the documents' body text; else a Chinese refusal."""
    text = (setting or "").strip()
    if not text:
        raise ValidationError({SETTING: msg("请选择字体文件")})
    item = font_files.parse_setting(text, "chosen")
    problem = font_files.problem(item)
    if problem is not None:
        raise ValidationError({SETTING: problem})
    return item


def choose(config: Config, actor: Actor, setting: str) -> str:
    """Keep the machine's choice of body font ("" goes back to the automatic choice) and
    return it as stored; used by documents from the next start."""
    permissions.require(actor, "settings.edit")
    value = check(setting).setting if (setting or "").strip() else ""
    old = config.document_font
    if value == old:
        return value
    config.set(SETTING, value)
    try:
        config.save()
    except OSError as exc:
        config.set(SETTING, old)
        raise ValidationError({SETTING: msg("无法写入设置文件：{error}", error=str(exc))}) from exc
    paths.use_document_font(value)
    log.info("document body font of this machine set by %s: %s", actor.username, value or "automatic")
    return value


__all__ = ["FontInUse", "FontOption", "check", "choose", "in_use", "options"]
