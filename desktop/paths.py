"""Where bundled resources live, in a source checkout and in a frozen build."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def migrations_dir() -> Path:
    return Path(__file__).resolve().parent / "migrations"


def font_path() -> Path:
    return resources_dir() / "fonts" / "wqy-microhei.ttc"


def serif_font_path() -> Path:
    """The bundled Song-style (明体) face, used for documents' body text when the system has
    no Song or FangSong TrueType font (AR PL UMing, Arphic Public License)."""
    return resources_dir() / "fonts" / "uming.ttc"


_document_font = ""


def use_document_font(setting: str) -> None:
    """This machine's choice of the documents' body font file (the setting `document_font`,
    ``PATH`` or ``PATH:INDEX``; empty for the automatic choice), set at start-up from the
    settings file like the time zone; reports/font_files.py reads it."""
    global _document_font
    _document_font = (setting or "").strip()


def document_font_setting() -> str:
    return _document_font


def catalogues_dir() -> Path:
    return resources_dir() / "catalogues"


def presets_dir() -> Path:
    """Data the first run writes into a new data folder (districts and their authorities)."""
    return resources_dir() / "presets"
