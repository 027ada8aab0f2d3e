"""The body text is set in a Song/FangSong face, embedded as a subset; what it lacks falls back."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics

from desktop.paths import font_path, serif_font_path
from desktop.reports import font_files, fonts, letters
from desktop.reports.data import RectificationNoticeData
from tests.reports.conftest import flat, meta, pdffonts, pdftotext

pytestmark = pytest.mark.usefixtures("poppler")


def _serif_lacks_sans_has(count: int) -> str:
    serif = fonts.serif_font().font.face.charToGlyph
    sans = pdfmetrics.getFont(fonts.BODY).face.charToGlyph
    found = [chr(c) for c in range(0x4E00, 0xA000) if c in sans and c not in serif]
    return "".join(found[:count])


def test_bundled_serif_is_ar_pl_uming_with_its_licence():
    folder = serif_font_path().parent
    assert serif_font_path().is_file() and font_path().is_file()
    licence = (folder / "ARPHICPL.TXT").read_text(encoding="utf-8")
    assert "ARPHIC PUBLIC LICENSE" in licence and "verbatim copies" in licence
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "uming.ttc" in readme and "ARPHICPL.TXT" in readme
    font = font_files.load("TestUMing", font_files.FontFile(serif_font_path(), 0, "bundled"))
    assert font is not None and font.face.name in (b"UMingCN", "UMingCN")


def test_candidates_honour_the_setting_and_end_with_the_bundled_face(monkeypatch, tmp_path):
    monkeypatch.setenv(font_files.ENV_DOCUMENT_FONT, "bundled")
    assert font_files.candidates() == [font_files.FontFile(serif_font_path(), 0, "bundled")]
    monkeypatch.setenv(font_files.ENV_DOCUMENT_FONT, f"{serif_font_path()}:2")
    found = font_files.candidates()
    assert found[0] == font_files.FontFile(serif_font_path(), 2, "configured")
    assert found[-1].origin == "bundled"
    chosen = font_files.choose("TestConfigured")
    assert chosen.file.origin == "configured" and chosen.face_name == "UMingTW"


def test_unusable_files_are_skipped(monkeypatch, tmp_path):
    not_a_font = tmp_path / "simfang.ttf"
    not_a_font.write_bytes(b"not a font at all")
    monkeypatch.setenv(font_files.ENV_DOCUMENT_FONT, str(not_a_font))
    assert font_files.load("TestBroken", font_files.FontFile(not_a_font, 0, "configured")) is None
    # a TrueType face without Chinese (DejaVu) does not pass the probe either
    dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
    if dejavu.is_file():
        assert font_files.load("TestLatin", font_files.FontFile(dejavu, 0, "system")) is None
    chosen = font_files.choose("TestFallback")
    assert chosen.file.origin in ("system", "bundled")


def test_fc_match_answers_count_only_for_the_family_asked():
    ok = font_files.accepts_fc_answer("FangSong", "FangSong,仿宋\t/fonts/simfang.ttf\t0")
    assert ok == font_files.FontFile(Path("/fonts/simfang.ttf"), 0, "system")
    assert font_files.accepts_fc_answer("SimSun", "DejaVu Sans\t/dejavu/DejaVuSans.ttf\t0") is None
    ttc = font_files.accepts_fc_answer("AR PL UMing CN", "AR PL UMing CN\t/a/uming.ttc\t0")
    assert ttc is not None and ttc.index == 0
    assert font_files.accepts_fc_answer("SimSun", "") is None


def test_serif_markup_wraps_only_what_the_serif_face_lacks():
    rare = _serif_lacks_sans_has(2)
    if not rare:
        pytest.skip("the chosen Song face covers every character of the sans face")
    markup = f"张{rare}同志&amp;<br/>整改"
    out = fonts.serif_markup(markup)
    assert out == f'张<font name="{fonts.BODY}">{rare}</font>同志&amp;<br/>整改'
    assert fonts.serif_markup("整改通知<br/>") == "整改通知<br/>"


def test_no_break_spaces_keep_the_sans_width():
    gap = "\xa0" * 4
    out = fonts.serif_markup(f"日期：{gap}年{gap}月")
    assert out == f'日期：<font name="{fonts.BODY}">{gap}</font>年<font name="{fonts.BODY}">{gap}</font>月'
    assert fonts.serif_markup("整改 通知") == "整改 通知"  # ordinary spaces stay in the Song face


def test_letter_embeds_the_song_face_and_gives_the_chinese_back(
        tmp_path, agency, project, hazard, minor_hazard):
    rare = _serif_lacks_sans_has(1)
    data = RectificationNoticeData(
        meta(agency, "隐患整改通知书", "风控整改〔2026〕1号"), project,
        recipient=f"浙江某某建设集团有限公司（联系人：张{rare}）",
        inspection_date=dt.date(2026, 3, 5), hazards=(hazard, minor_hazard), issuer="李四",
        copy_to=("承保机构",), reply_by=None)
    out = tmp_path / "notice.pdf"
    letters.build_rectification_notice(data, out)
    rows = pdffonts(out)
    serif = fonts.serif_font().face_name
    names = [r[0] for r in rows]
    assert any(n.split("+")[-1].startswith(serif) for n in names), names
    assert all(r[-5:-2] == ["yes", "yes", "yes"] for r in rows), rows  # emb, sub, uni
    text = flat(pdftotext(out))
    assert "浙江某某建设集团有限公司" in text and "脚手架连墙件设置不符合专项施工方案要求" in text
    if rare:
        assert f"张{rare}" in text  # drawn in the sans face, not a blank


def test_document_font_env_is_read_in_a_fresh_process(tmp_path):
    """The setting takes effect when the fonts are first registered (once per process)."""
    code = ("from desktop.reports import fonts; c = fonts.serif_font(); "
            "print(c.file.origin, c.face_name)")
    env = dict(os.environ, **{font_files.ENV_DOCUMENT_FONT: "bundled"})
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env, cwd=Path(__file__).resolve().parents[2]).stdout
    assert out.split() == ["bundled", "UMingCN"]


def test_fonts_read_on_a_worker_are_registered_and_a_worker_failure_reaches_the_caller(
        monkeypatch, tmp_path):
    """`warm_up` (a command reads the fonts while the password is checked): the worker's
    registration is the one the document uses; when the worker cannot read a font, the
    caller's own first use raises the usual message instead of a silent thread error."""
    monkeypatch.setattr(fonts, "_registered", False)
    monkeypatch.setattr(fonts, "font_path", lambda: tmp_path / "missing.ttc")
    worker = fonts.warm_up()
    assert worker is not None
    worker.join(timeout=60)
    assert not fonts._registered
    with pytest.raises(FileNotFoundError, match="找不到内置字体文件"):
        fonts.ensure_fonts()
    monkeypatch.setattr(fonts, "font_path", font_path)
    worker = fonts.warm_up()
    assert worker is not None
    worker.join(timeout=60)
    assert fonts._registered and fonts.warm_up() is None
    assert fonts.serif_font().face_name and fonts.ensure_fonts() == fonts.BODY
