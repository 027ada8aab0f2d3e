"""The document engine runs in a plain process: no Qt, no database layer."""

from __future__ import annotations

import subprocess
import sys


def test_reports_import_neither_qt_nor_sqlalchemy():
    code = (
        "import sys, pkgutil, importlib, desktop.reports\n"
        "for m in pkgutil.iter_modules(desktop.reports.__path__):\n"
        "    importlib.import_module('desktop.reports.' + m.name)\n"
        "banned = ('PySide6', 'shiboken6', 'sqlalchemy')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in banned]\n"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
