"""Translations: extract the GUI's strings into resources/i18n/*.ts and compile them to .qm."""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop.messages import ENUMERATION, SEPARATOR  # noqa: E402
from desktop.models.enums import Labelled  # noqa: E402
from desktop.ui.i18n import compile_ts  # noqa: E402
from desktop.vocabulary import HAZARD_LEVEL_LABELS  # noqa: E402

USAGE = """\
  update   pyside6-lupdate: new strings in, vanished strings out (translations kept)
  compile  pyside6-lrelease: each .ts to a .qm beside it (build output, not committed)
  check    exit 1 when any string lacks a translation (for CI)

Source strings are Simplified Chinese; riskdesk_en.ts holds the English. The labels of the
core's enums (desktop.models.enums) are extracted too, into the "Labels" context, and every
msg("…") template of the core (error messages, dashboard labels: desktop.messages) into the
"Services" context."""
I18N = ROOT / "resources" / "i18n"
TARGETS = ("en",)
UNDONE = ("unfinished", "vanished", "obsolete")
SOURCES = [ROOT / "desktop" / "app.py", ROOT / "desktop" / "ui"]
MESSAGE_CALL = "msg"  # desktop.messages.msg: its first argument is a template to translate


def venv_tool(name: str) -> str:
    """pyside6-lupdate/-lrelease next to this interpreter (the venv's), else from PATH."""
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else name


def python_sources() -> list[Path]:
    files: list[Path] = []
    for source in SOURCES:
        files.extend(sorted(source.rglob("*.py")) if source.is_dir() else [source])
    return files


def label_source(folder: Path) -> Path:
    """A throw-away module of QT_TRANSLATE_NOOP calls, so lupdate sees the enums' labels."""
    texts = sorted({m.label for enum in Labelled.__subclasses__() for m in enum}
                   | set(HAZARD_LEVEL_LABELS.values()))
    path = folder / "enum_labels.py"
    calls = "".join(f'QT_TRANSLATE_NOOP("Labels", "{t}")\n' for t in texts)
    path.write_text(calls, encoding="utf-8")
    return path


def message_templates(files: list[Path] | None = None) -> list[str]:
    """Every literal template passed to msg() in the Python files under desktop/ (the core's
    errors and labels; a GUI module may use msg too), plus the list separators.

    A msg() whose first argument is not a literal string cannot be translated: SystemExit."""
    found = {SEPARATOR, ENUMERATION}
    bad = []
    for path in files if files is not None else sorted((ROOT / "desktop").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == MESSAGE_CALL and node.args):
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
            else:
                where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                bad.append(f"{where}:{node.lineno}")
    if bad:
        raise SystemExit("msg() needs a literal template (extractable) at: " + ", ".join(bad))
    return sorted(found)


def message_source(folder: Path) -> Path:
    """A throw-away module of QT_TRANSLATE_NOOP calls for the core's msg() templates."""
    path = folder / "service_messages.py"
    calls = "".join(f'QT_TRANSLATE_NOOP("Services", {json.dumps(t, ensure_ascii=False)})\n'
                    for t in message_templates())
    path.write_text(calls, encoding="utf-8")
    return path


def update() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        inputs = [*python_sources(), label_source(Path(tmp)), message_source(Path(tmp))]
        for lang in TARGETS:
            ts = I18N / f"riskdesk_{lang}.ts"
            command = [venv_tool("pyside6-lupdate"), *map(str, inputs), "-ts", str(ts),
                       "-source-language", "zh_CN", "-target-language", lang,
                       "-no-obsolete", "-locations", "none"]
            result = subprocess.run(command, text=True)
            if result.returncode != 0:
                return result.returncode
    check(quiet=True)  # lists what still needs a translator; not an error while editing
    return 0


def compile_all() -> int:
    failed = 0
    for lang in TARGETS:
        ts = I18N / f"riskdesk_{lang}.ts"
        if compile_ts(ts, ts.with_suffix(".qm")):
            print(f"compiled {ts.with_suffix('.qm').relative_to(ROOT)}")
        else:
            print(f"failed to compile {ts.relative_to(ROOT)}", file=sys.stderr)
            failed = 1
    return failed


def unfinished(ts: Path) -> list[tuple[str, str]]:
    """(context, source) of every message without a finished translation."""
    missing = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            done = translation is not None and translation.get("type") not in UNDONE
            if not done or not (translation.text or "").strip():
                missing.append((name, message.findtext("source", "")))
    return missing


def check(*, quiet: bool = False) -> int:
    status = 0
    for lang in TARGETS:
        ts = I18N / f"riskdesk_{lang}.ts"
        missing = unfinished(ts)
        for context, source in missing:
            print(f"{ts.name}: [{context}] {source}")
        if missing:
            print(f"{ts.name}: {len(missing)} string(s) without a translation", file=sys.stderr)
            status = 1
        elif not quiet:
            print(f"{ts.name}: complete")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, epilog=USAGE,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("update", "compile", "check"))
    args = parser.parse_args(argv)
    return {"update": update, "compile": compile_all, "check": check}[args.command]()


if __name__ == "__main__":
    sys.exit(main())
