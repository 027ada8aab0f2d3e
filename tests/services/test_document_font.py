"""The documents' body font as this machine's choice: shown with its family, file and origin,
chosen among files that pass font_files' checks (refused in Chinese otherwise), kept in the
settings file, tried before the system's fonts, and still overridden by the environment."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from desktop import paths
from desktop.config import Config
from desktop.paths import serif_font_path
from desktop.reports import font_files
from desktop.services import document_font
from desktop.services.context import Actor, PermissionDenied, ValidationError

ADMIN = Actor(1, "admin", "admin")
INSPECTOR = Actor(2, "wang", "inspector")


@pytest.fixture(autouse=True)
def automatic(monkeypatch):
    """Each test starts with the automatic choice and leaves it so."""
    monkeypatch.delenv(font_files.ENV_DOCUMENT_FONT, raising=False)
    paths.use_document_font("")
    yield
    paths.use_document_font("")


def test_a_file_that_cannot_draw_the_documents_is_refused_in_chinese(tmp_path):
    with pytest.raises(ValidationError) as exc:
        document_font.check(str(tmp_path / "nowhere.ttf"))
    assert "找不到字体文件" in str(exc.value)
    broken = tmp_path / "simfang.ttf"
    broken.write_bytes(b"not a font at all")
    with pytest.raises(ValidationError) as exc:
        document_font.check(str(broken))
    assert "不能嵌入 PDF" in str(exc.value) and "TrueType" in str(exc.value)
    latin = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
    if latin.is_file():
        with pytest.raises(ValidationError) as exc:
            document_font.check(str(latin))
        assert "缺少文书常用的字符" in str(exc.value) and "仿宋" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        document_font.check("  ")
    assert "请选择字体文件" in str(exc.value)
    assert document_font.check(f"{serif_font_path()}:2").index == 2


def test_the_choice_is_kept_in_the_settings_file_and_tried_first(tmp_path):
    config = Config.load(tmp_path)
    with pytest.raises(PermissionDenied):
        document_font.choose(config, INSPECTOR, str(serif_font_path()))
    with pytest.raises(ValidationError):
        document_font.choose(config, ADMIN, str(tmp_path / "nowhere.ttf"))
    assert Config.load(tmp_path).document_font == ""
    stored = document_font.choose(config, ADMIN, f"{serif_font_path()}:2")
    assert stored == f"{serif_font_path()}:2" and Config.load(tmp_path).document_font == stored
    assert paths.document_font_setting() == stored
    first = font_files.candidates()[0]
    assert first == font_files.FontFile(serif_font_path(), 2, "chosen")
    chosen = font_files.choose("TestMachineChoice")
    assert chosen.file.origin == "chosen" and chosen.face_name == "UMingTW"
    assert font_files.family(chosen.file) == "AR PL UMing TW"
    # back to the automatic choice
    assert document_font.choose(config, ADMIN, "") == ""
    assert Config.load(tmp_path).document_font == ""
    assert all(c.origin != "chosen" for c in font_files.candidates())


def test_the_environment_still_wins(tmp_path, monkeypatch):
    paths.use_document_font(f"{serif_font_path()}:2")
    monkeypatch.setenv(font_files.ENV_DOCUMENT_FONT, f"{serif_font_path()}:1")
    found = font_files.candidates()
    assert found[0] == font_files.FontFile(serif_font_path(), 1, "configured")
    assert all(c.origin != "chosen" for c in found)
    monkeypatch.setenv(font_files.ENV_DOCUMENT_FONT, "bundled")
    assert [c.origin for c in font_files.candidates()] == ["bundled"]


def test_the_face_in_use_is_named_with_its_file_and_origin(tmp_path):
    config = Config.load(tmp_path)
    now = document_font.in_use(config)
    assert now.family and now.path.is_file()
    assert now.origin_label in ("系统字体", "内置字体") and not now.restart_needed
    if now.origin == "bundled":
        assert now.family == "AR PL UMing CN" and now.path == serif_font_path()
    # a choice other than the face drawn now is used from the next start
    document_font.choose(config, ADMIN, f"{serif_font_path()}:3")
    later = document_font.in_use(config)
    assert later.setting == f"{serif_font_path()}:3" and later.restart_needed


def test_installed_song_fangsong_and_kai_faces_are_offered(monkeypatch):
    answer = ("AR PL UMing CN,文鼎ＰＬ細上海宋\t/usr/share/fonts/uming.ttc\t0\n"
              "WenQuanYi Micro Hei,文泉驿微米黑\t/usr/share/fonts/wqy-microhei.ttc\t0\n"
              "FangSong,仿宋\t/home/u/.fonts/simfang.ttf\t0\n"
              "AR PL UKai CN\t/usr/share/fonts/ukai.ttc\t1\n")
    monkeypatch.setattr(font_files.sys, "platform", "linux")
    monkeypatch.setattr(font_files.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(font_files.subprocess, "run",
                        lambda *a, **k: subprocess.CompletedProcess(a, 0, stdout=answer))
    found = {(str(f.path), f.index) for f in font_files.installed()}
    assert found == {("/usr/share/fonts/uming.ttc", 0), ("/home/u/.fonts/simfang.ttf", 0),
                     ("/usr/share/fonts/ukai.ttc", 1)}
