"""The self-test that the frozen build runs: database, migrations, Chinese PDF, main window."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_selftest_passes_in_a_fresh_process(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", RISKDESK_DATA_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "desktop", "selftest"], capture_output=True,
                            text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "中文字体已嵌入" in result.stdout and "Word：" in result.stdout
    assert "主窗口" not in result.stderr
    assert "自检通过" in result.stdout
