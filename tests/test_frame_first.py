"""The main window's frame is shown before the data layer is imported (issue 17 §8): a worker
opens the database — SQLAlchemy and the ORM load there — and the first page fills after."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from desktop.db import Database

ROOT = Path(__file__).resolve().parents[1]

FRAME = r"""
import sys
from pathlib import Path
from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QLabel
from desktop.config import Config
from desktop.services.context import Actor
from desktop.ui.app_state import AppState
from desktop.ui.application import create_application
from desktop.ui.window_start import show_window
app = create_application()
def open_db():
    from desktop.db import Database
    db = Database(sys.argv[1]); db.migrate()
    return db
state = AppState(db=None, config=Config(data_dir=Path(sys.argv[2])),
                 actor=Actor(1, "probe", "admin", "探针"))
w = show_window(state, open_db)
print("shown", w.isVisible(), w.is_filling)
print("before", sorted(m for m in sys.modules if m.split(".")[0] == "sqlalchemy" or
                      m.startswith("desktop.models") or m == "desktop.db"))
print("loading", w.stack.currentWidget().objectName(), w.findChild(QLabel, "loading").text())
print("actions", w.refresh_action.isEnabled(), w.quit_action.isEnabled())
w.nav.setCurrentRow(2)  # a click while it reads: that page is the one built
while w.is_filling:
    app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
app.processEvents()
print("filled", [p.key for p in w.built_pages()], w.current_page().key, "sqlalchemy" in sys.modules)
print("after", w.refresh_action.isEnabled(), w.findChild(QLabel, "loading") is None,
      w.statusBar().user_label.text())
"""


def run(code: str, *args: str) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=180, env=env, check=False)
    assert result.returncode == 0, result.stderr
    lines = [line.split(" ", 1) for line in result.stdout.splitlines() if " " in line]
    return {key: rest for key, rest in lines}


def test_the_frame_is_shown_before_sqlalchemy_is_imported_then_the_page_fills(tmp_path):
    url = f"sqlite:///{tmp_path / 'riskdesk.sqlite3'}"
    Database(url).migrate()
    out = run(FRAME, url, str(tmp_path))
    assert out["shown"] == "True True"  # visible, waiting for its data
    assert out["before"] == "[]"  # no SQLAlchemy, no ORM, no database layer yet
    assert out["loading"] == "loading 正在读取…"
    assert out["actions"] == "False True"  # 刷新 waits for the page; 退出 does not
    assert out["filled"] == "['hazards'] hazards True"  # the page clicked meanwhile, only it
    assert out["after"].startswith("True True 当前用户：探针（")
