"""The Qt runtime we depend on: the PySide6 void-call refcount bug, and our warning guard."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtCore import qWarning

CALLS = 20_000
PROBE = f"""
import sys
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
before = sys.getrefcount(None)
for i in range({CALLS}):
    label.setText("第 %d 次" % i)  # a method returning void
after = sys.getrefcount(None)
print(before, after)
"""


def test_void_qt_calls_do_not_drain_none_refcount():
    """PySide6 6.12.0 on Python 3.11 drops a reference to None per void call and aborts
    (exit 134, 'none_dealloc'); 6.11.3 is fine. Run where a crash cannot take pytest down."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    before, after = map(int, result.stdout.split()[-2:])
    assert after >= before - 100, f"None lost {before - after} references over {CALLS} calls"


def test_a_qt_warning_is_caught_by_the_guard(qt_warnings):
    qWarning("测试警告")
    assert qt_warnings.take() == ["QtWarningMsg: 测试警告"]


def test_platform_noise_is_not_a_failure(qt_warnings):
    qWarning("This plugin does not support propagateSizeHints()")
    assert qt_warnings.take() == []
