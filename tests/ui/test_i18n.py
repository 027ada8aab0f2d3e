"""Translations: the .ts is complete and consistent, compiled on the fly, English selectable."""

from __future__ import annotations

import ast
import importlib.util
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from desktop import APP_TITLE
from desktop.models.enums import Role
from desktop.ui import i18n

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "i18n" / "riskdesk_en.ts"
CJK = re.compile(r"[\u4e00-\u9fff]")
TRANSLATING = {"translate", "QT_TRANSLATE_NOOP", "msg"}  # msg: desktop.messages, "Services"


def load_tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "tools" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def messages():  # type: ignore[no-untyped-def]
    for context in ET.parse(TS).getroot().iter("context"):
        for message in context.iter("message"):
            yield (context.findtext("name"), message.findtext("source"),
                   message.findtext("translation"))


def test_every_string_has_an_english_translation():
    assert load_tool().unfinished(TS) == []


def test_every_service_message_template_is_in_the_catalogue():
    """tools/i18n.py extracts every msg("…") of the core into "Services": none may be missing
    (someone added a message and did not run `tools/i18n.py update`)."""
    translated = {source for context, source, text in messages() if context == "Services" and text}
    assert sorted(set(load_tool().message_templates()) - translated) == []


def test_translations_keep_the_placeholders_and_accelerators():
    for context, source, translation in messages():
        placeholders = re.compile(r"\{\w+\}")
        assert sorted(placeholders.findall(source)) == sorted(placeholders.findall(translation)), (
            context, source)
        assert ("&" in source) == ("&" in translation), (context, source)
        assert not CJK.search(translation), (context, source)


def chinese_literals_outside_translate(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in TRANSLATING:
                inside.update(id(n) for arg in node.args for n in ast.walk(arg))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef)) and n.body
                  and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [f"{path.name}:{n.lineno}: {n.value}" for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and CJK.search(n.value)
            and id(n) not in inside and id(n) not in docstrings]


# Strings that are deliberately not translated, each with the reason.
UNTRANSLATED = {
    "i18n.py": {"简体中文",  # the language menu names each language in itself
                "查找范围(&L)：", "文件类型(&T)："},  # Chinese for Qt's own labels (QtGaps)
    "date_field.py": {"2028年12月30日", "00时00分"},  # widest text, to size the fields
    "documents_page.py": {"安途风控方案〔2026〕1234号"},  # a long 文号, to size its column
    "date_text.py": {"年", "时"},  # what people type: the patterns that read it
}


def test_every_visible_chinese_string_goes_through_translate():
    found = []
    for path in [ROOT / "desktop" / "app.py", *sorted((ROOT / "desktop" / "ui").rglob("*.py"))]:
        allowed = UNTRANSLATED.get(path.name, set())
        found += [f for f in chinese_literals_outside_translate(path)
                  if not any(a in f for a in allowed)]
    assert found == []


def test_english_is_selectable_and_chinese_is_the_source(qapp, tmp_path):
    assert i18n.install_translators("en", cache_dir=tmp_path) == "en"
    assert QCoreApplication.translate("Pages", "隐患台账") == "Hazard register"
    assert i18n.label(Role.TECH_LEAD) == "Technical lead"
    assert i18n.level_label(1) == "Level 1 (major)"
    assert i18n.install_translators("zh_CN", cache_dir=tmp_path) == "zh_CN"
    assert QCoreApplication.translate("Pages", "隐患台账") == "隐患台账"
    assert i18n.app_title() == APP_TITLE
    # Qt's own buttons come from qtbase_zh_CN.qm
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"


def test_a_missing_qm_is_compiled_into_the_cache(qapp, tmp_path):
    source = tmp_path / "i18n"
    source.mkdir()
    shutil.copy(TS, source)
    cache = tmp_path / "cache"
    qm = i18n.app_qm("en", cache_dir=cache, source_dir=source)
    assert qm == cache / "riskdesk_en.qm" and qm.exists()
    assert i18n.app_qm("en", cache_dir=cache, source_dir=source) == qm  # fresh: reused
    assert i18n.install_translators("en", cache_dir=cache, source_dir=source) == "en"
    assert QCoreApplication.translate("Pages", "设置") == "Settings"


def test_without_ts_or_compiler_the_interface_stays_chinese(qapp, tmp_path, monkeypatch, caplog):
    empty = tmp_path / "nothing"
    empty.mkdir()
    assert i18n.install_translators("en", cache_dir=tmp_path, source_dir=empty) == "zh_CN"
    source = tmp_path / "i18n"
    source.mkdir()
    shutil.copy(TS, source)
    monkeypatch.setattr(i18n, "lrelease_command", lambda: None)  # a frozen build has no lrelease
    assert i18n.install_translators("en", cache_dir=tmp_path / "c", source_dir=source) == "zh_CN"
    assert QCoreApplication.translate("Pages", "设置") == "设置"


def test_an_unknown_language_falls_back_to_chinese(qapp, tmp_path):
    assert i18n.install_translators("fr", cache_dir=tmp_path) == "zh_CN"


@pytest.mark.parametrize("stale", [False, True])
def test_a_qm_older_than_its_ts_is_rebuilt(qapp, tmp_path, stale):
    source = tmp_path / "i18n"
    source.mkdir()
    ts = Path(shutil.copy(TS, source))
    cache = tmp_path / "cache"
    qm = i18n.app_qm("en", cache_dir=cache, source_dir=source)
    before = qm.stat().st_mtime_ns
    if stale:
        import os

        os.utime(ts, ns=(before + 10**9, before + 10**9))
    again = i18n.app_qm("en", cache_dir=cache, source_dir=source)
    assert (again.stat().st_mtime_ns != before) is stale


def test_no_rule_id_in_what_the_major_hazard_work_shows():
    """The hazard, catalogue and dashboard texts speak the notice's words, never N-xx / C-xx."""
    rule_id = re.compile(r"\b[NC]-\d")
    files = [ROOT / "desktop" / "services" / name for name in (
        "hazards.py", "major_hazards.py", "catalogues.py", "queries/dashboard.py")]
    templates = load_tool().message_templates(files)
    assert templates and [t for t in templates if rule_id.search(t)] == []
    contexts = {"HazardDialog", "HazardPage", "HazardActions", "CataloguePicker", "CataloguePanel",
                "DashboardPage"}
    shown = [source for context, source, _text in messages() if context in contexts]
    assert shown and [s for s in shown if rule_id.search(s)] == []
