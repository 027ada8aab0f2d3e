"""`python -m desktop.cli` is the command line too: a script checking `verify`'s exit code must
not get 0 from a module that ran nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_python_m_desktop_cli_runs_the_command_line(tmp_path):
    version = subprocess.run([sys.executable, "-m", "desktop.cli", "--version"], cwd=ROOT,
                             capture_output=True, text=True, check=True)
    assert version.stdout.startswith("riskdesk ")
    refused = subprocess.run([sys.executable, "-m", "desktop.cli", "verify", str(tmp_path / "none.zip")],
                             cwd=ROOT, capture_output=True, text=True)
    assert refused.returncode == 1 and "无法打开资料包" in refused.stdout + refused.stderr
