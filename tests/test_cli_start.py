"""`riskdesk --version` and `--help` answer from argparse alone: declaring the commands imports
no database, document or window library; a command imports what it needs when it runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sqlalchemy", "reportlab", "openpyxl", "PySide6", "PIL", "alembic", "docx")


def loaded_after(code: str) -> tuple[list[str], str]:
    """The heavy libraries imported by `code` in a fresh interpreter, and what it printed."""
    probe = (
        "import contextlib, io, sys\n"
        "out = io.StringIO()\n"
        f"with contextlib.redirect_stdout(out):\n    {code}\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
        "print(','.join(heavy)); print(out.getvalue())"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    first, _, rest = result.stdout.partition("\n")
    return [m for m in first.split(",") if m], rest


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["backup", "--help"],
                                  ["report", "--help"], ["init", "--help"]])
def test_version_and_help_import_no_heavy_library(argv):
    heavy, out = loaded_after(f"from desktop.cli import main; main({argv!r})")
    assert heavy == []
    assert "riskdesk" in out


def test_declaring_every_command_imports_no_heavy_library():
    heavy, out = loaded_after(
        "from desktop.cli import build_parser; print(build_parser().format_help())")
    assert heavy == []
    for command in ("init", "check", "export-package", "import", "backup", "restore", "report"):
        assert command in out


def test_the_import_help_still_lists_the_field_names():
    # the names come from the importer: loaded for this help only
    heavy, out = loaded_after("from desktop.cli import main; main(['import', '--help'])")
    assert "--map 可用的字段名" in out and "found_date" in out and "policy_no" in out
    assert "sqlalchemy" in heavy
