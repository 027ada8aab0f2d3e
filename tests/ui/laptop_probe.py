"""Run by test_laptop_screen in a process whose offscreen screen is 1366×768: what lies on it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv[:1])

from desktop.config import Config  # noqa: E402
from desktop.db import Database  # noqa: E402
from desktop.services import agency  # noqa: E402
from desktop.services.context import Actor  # noqa: E402
from desktop.ui.app_state import AppState  # noqa: E402
from desktop.ui.inspection_dialog import InspectionDialog  # noqa: E402
from desktop.ui.main_window import MainWindow  # noqa: E402
from desktop.ui.project_dialog import ProjectDialog  # noqa: E402
from desktop.ui.resources import ensure_chinese_font  # noqa: E402
from desktop.ui.screen_fit import fit_to_screen  # noqa: E402

ensure_chinese_font(app)
config = Config.load(Path(sys.argv[1]))
db = Database(config.database_url)
db.migrate()
with db.session() as session:
    agency.setup_agency(session, name="绍兴市安信建设风控服务有限公司")
    row = agency.create_first_admin(session, username="admin", display_name="管理员",
                                    password="Secret-Desk-2026")
actor = Actor(row.id, row.username, row.role, row.display_name)
state = AppState(db=db, config=config, actor=actor)
available = app.primaryScreen().availableGeometry()
window = MainWindow(state)
window.show()
app.processEvents()
found = {"screen": [available.width(), available.height()],
         "main": [window.frameGeometry().width(), window.frameGeometry().height()],
         "main_on_screen": available.contains(window.frameGeometry()),
         "status_bar_on_screen": available.contains(
             window.statusBar().mapToGlobal(window.statusBar().rect().bottomRight()))}
for name, make in (("inspection", lambda: InspectionDialog(state)),
                   ("project", lambda: ProjectDialog(state))):
    dialog = make()
    fit_to_screen(dialog)  # as dialogs.run does
    dialog.show()
    app.processEvents()
    found[name] = [dialog.frameGeometry().width(), dialog.frameGeometry().height()]
    found[f"{name}_on_screen"] = available.contains(dialog.frameGeometry())
    dialog.close()
window.close()
db.dispose()
print(json.dumps(found))
