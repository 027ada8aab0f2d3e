"""On a 1366×768 screen (the offscreen platform told so, window frames included): all on screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREEN = {"windowFrameMargins": True,
          "screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768,
                       "logicalDpiX": 96, "logicalDpiY": 96, "dpr": 1}]}


def test_main_window_and_long_dialogs_on_a_1366_by_768_screen(tmp_path):
    screens = tmp_path / "screens.json"
    screens.write_text(json.dumps(SCREEN), encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={screens}",
           "PYTHONPATH": str(ROOT), "RISKDESK_DATA_DIR": str(data)}
    env.pop("RISKDESK_DATABASE_URL", None)
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("laptop_probe.py")),
                           str(data)], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["screen"] == [1366, 768]
    assert found["main_on_screen"] and found["status_bar_on_screen"], found
    assert found["inspection_on_screen"] and found["project_on_screen"], found
    assert found["inspection"][1] <= 768 and found["main"][1] <= 768
