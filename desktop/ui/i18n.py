"""Translators: Qt's own Chinese strings, the app's compiled .qm, built on the fly if missing."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from desktop.messages import ENUMERATION, SEPARATOR, Lines, Message, Series
from desktop.paths import resources_dir
from desktop.vocabulary import HAZARD_LEVEL_LABELS

if TYPE_CHECKING:  # the enums load with the ORM package: not before the window's frame
    from desktop.models.enums import Labelled

log = logging.getLogger("desktop.ui")

SOURCE_LANGUAGE = "zh_CN"  # the strings in the code are Simplified Chinese
LANGUAGES = {"zh_CN": "简体中文", "en": "English"}  # each shown in its own language
_installed: list[QTranslator] = []


def i18n_dir() -> Path:
    return resources_dir() / "i18n"


def lrelease_command() -> list[str] | None:
    """The Linguist compiler shipped with PySide6 (absent in a frozen build)."""
    try:
        import PySide6
    except ImportError:  # pragma: no cover - PySide6 is always there when this runs
        return None
    name = "lrelease.exe" if sys.platform == "win32" else "lrelease"
    binary = Path(PySide6.__file__).parent / name
    if binary.exists():
        return [str(binary)]
    found = shutil.which("pyside6-lrelease") or shutil.which("lrelease")
    return [found] if found else None


def compile_ts(ts: Path, qm: Path) -> bool:
    command = lrelease_command()
    if command is None:
        log.warning("cannot compile %s: lrelease not found", ts.name)
        return False
    qm.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([*command, "-silent", str(ts), "-qm", str(qm)],
                            capture_output=True, text=True)
    if result.returncode != 0 or not qm.exists():
        log.warning("lrelease failed for %s: %s", ts.name, result.stderr.strip())
        return False
    return True


def _fresh(qm: Path, ts: Path) -> bool:
    return qm.exists() and (not ts.exists() or qm.stat().st_mtime >= ts.stat().st_mtime)


def app_qm(language: str, *, cache_dir: Path, source_dir: Path | None = None) -> Path | None:
    """The compiled catalogue: shipped, cached, or compiled now; None when none can be had."""
    folder = source_dir or i18n_dir()
    ts = folder / f"riskdesk_{language}.ts"
    for qm in (folder / f"riskdesk_{language}.qm", cache_dir / f"riskdesk_{language}.qm"):
        if _fresh(qm, ts):
            return qm
    if not ts.exists():
        return None
    target = cache_dir / f"riskdesk_{language}.qm"
    return target if compile_ts(ts, target) else None


def install_translators(language: str, *, cache_dir: Path, source_dir: Path | None = None) -> str:
    """Replace the installed translators; return the language actually in effect."""
    app = QCoreApplication.instance()
    assert app is not None, "create the QApplication first"
    uninstall_translators()
    if language not in LANGUAGES:
        log.warning("unknown language %r in settings; using %s", language, SOURCE_LANGUAGE)
        language = SOURCE_LANGUAGE
    if language != SOURCE_LANGUAGE:
        qm = app_qm(language, cache_dir=cache_dir, source_dir=source_dir)
        translator = QTranslator(app)
        if qm is None or not translator.load(str(qm)):
            log.warning("no translation for %s; the interface stays in Chinese", language)
            language = SOURCE_LANGUAGE
        else:
            _install(app, translator)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if language == "zh_CN":
        # Qt's own buttons and dialogs (确定, 取消, 下一步) come from qtbase_zh_CN.qm
        qt_translator = QTranslator(app)
        if qt_translator.load("qtbase_zh_CN", qt_dir):
            _install(app, qt_translator)
        else:
            log.info("Qt's Chinese translations not found in %s", qt_dir)
        _install(app, QtGaps(app))  # installed last, asked first
    QLocale.setDefault(QLocale(language))
    return language


# Labels of Qt's own file dialog that changed in Qt 6 and are missing from qtbase_zh_CN.qm
QT_GAPS_ZH = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
}


class QtGaps(QTranslator):
    """The few Qt strings the shipped Chinese catalogue lacks (see QT_GAPS_ZH)."""

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str | None:
        return QT_GAPS_ZH.get((context, source))  # None: not ours, the next translator answers

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's name
        return False


def uninstall_translators() -> None:
    app = QCoreApplication.instance()
    for old in _installed:
        if app is not None:
            app.removeTranslator(old)
    _installed.clear()
    QLocale.setDefault(QLocale(SOURCE_LANGUAGE))


def _install(app: QCoreApplication, translator: QTranslator) -> None:
    app.installTranslator(translator)
    _installed.append(translator)


def label(member: Labelled) -> str:
    """An enum's Chinese label in the interface language (tools/i18n.py extracts them all)."""
    return QCoreApplication.translate("Labels", member.label)


def level_label(level: int) -> str:
    return QCoreApplication.translate("Labels", HAZARD_LEVEL_LABELS[level])


def app_title() -> str:
    return QCoreApplication.translate("App", "安责险风控服务管理系统")


@cache
def enum_labels() -> frozenset[str]:
    """Chinese labels a service may put into a message's params."""
    from desktop.models.enums import Labelled

    return frozenset({m.label for enum in Labelled.__subclasses__() for m in enum}
                     | set(HAZARD_LEVEL_LABELS.values()))


def service_text(text: object) -> str:
    """A text the core made (an error, a field message, a label) in the interface language.

    A `Message` is shown as translate("Services", template) formatted with its params, each
    translated in turn: enum members and enum labels through "Labels", nested messages
    through "Services", lists joined; names and numbers as they are. Anything else, or a
    template whose translation does not fit its params, falls back to the Chinese text.
    """
    if not isinstance(text, Message) or text.template is None:
        return "" if text is None else str(text)
    template = QCoreApplication.translate("Services", text.template)
    try:
        return template.format(**{key: _param(value) for key, value in text.params.items()})
    except (KeyError, IndexError, ValueError) as exc:
        log.warning("translation of %r does not fit its params: %s", text.template, exc)
        return str(text)


def _param(value: object) -> object:
    from desktop.models.enums import Labelled

    if isinstance(value, Labelled):
        return label(value)
    if isinstance(value, Message):
        return service_text(value)
    if isinstance(value, str) and value in enum_labels():
        return QCoreApplication.translate("Labels", value)
    if isinstance(value, Lines):
        return "\n".join(str(_param(v)) for v in value)
    if isinstance(value, Series):
        separator = QCoreApplication.translate("Services", ENUMERATION)
        return separator.join(str(_param(v)) for v in value)
    if isinstance(value, (list, tuple)):
        return join_list([str(_param(v)) for v in value])
    return value


def join_list(texts: list[str] | tuple[str, ...]) -> str:
    """Texts in a row joined as a service's list param is: "；" in Chinese, "; " in English."""
    return QCoreApplication.translate("Services", SEPARATOR).join(texts)


def error_text(exc: BaseException) -> str:
    """What a ServiceError, a DataError or a core ValueError(msg(…)) says, in the interface
    language."""
    text = getattr(exc, "message", None)
    if not isinstance(text, str) or not text:
        text = exc.args[0] if exc.args and isinstance(exc.args[0], Message) else str(exc)
    return service_text(text)


def field_texts(exc: BaseException) -> dict[str, str]:
    """A ValidationError's message per form field, in the interface language."""
    fields = getattr(exc, "messages", None) or getattr(exc, "fields", {})
    return {key: service_text(text) for key, text in fields.items()}
