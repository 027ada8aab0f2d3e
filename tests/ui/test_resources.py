"""Bundled look: icons for every page, and Chinese that renders on a machine with no CJK font."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.paths import font_path
from desktop.ui.pages import PAGES
from desktop.ui.resources import icon

from .shots import shots_dir

LATIN_ONLY_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]
PROBE = """
import sys
from PySide6.QtGui import QFontDatabase, QFontMetrics
from PySide6.QtWidgets import QApplication
from desktop.ui.login_dialog import LoginDialog
from desktop.ui.resources import ensure_chinese_font
from desktop.db import Database
app = QApplication([])
assert not QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese), "CJK font visible"
before = QFontMetrics(app.font()).inFontUcs4(ord("隐"))
print(ensure_chinese_font(app))
after = QFontMetrics(app.font()).inFontUcs4(ord("隐"))
print(before, after)
dialog = LoginDialog(Database("sqlite://"), agency_name="绍兴市安信建设风控服务有限公司")
dialog.show()
dialog.grab().save(sys.argv[1])
"""


def test_every_page_has_an_icon(qapp):
    assert not icon("app").isNull()
    for page in PAGES:
        assert not icon(page.key).isNull(), page.key


def test_a_missing_icon_is_empty_not_fatal(qapp, caplog):
    assert icon("no-such-icon").isNull()
    assert "no-such-icon" in caplog.text


def test_bundled_font_makes_chinese_render_without_system_cjk_fonts(tmp_path):
    latin = next((d for d in LATIN_ONLY_DIRS if d.is_dir()), None)
    if latin is None or not font_path().exists():
        pytest.skip("needs the DejaVu fonts and the bundled font")
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
                    f"<fontconfig><dir>{latin}</dir><cachedir>{tmp_path / 'cache'}</cachedir>"
                    f"</fontconfig>", encoding="utf-8")
    shot = shots_dir() / "login-without-system-cjk-font.png"
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", PROBE, str(shot)], capture_output=True,
                            text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    families, glyphs = result.stdout.strip().splitlines()[-2:]
    assert families.startswith("WenQuanYi Micro Hei")
    assert glyphs == "False True"  # tofu before, Chinese after
    assert shot.exists()
