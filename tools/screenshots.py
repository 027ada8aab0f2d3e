"""Screenshots of the window at an office laptop's size, for docs/screenshots/.

Run under a 1366×768 X server so the window sees that screen:

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tools/screenshots.py

A demo data folder is made in a temporary directory (`riskdesk demo`), the demo administrator
signs in, and every page of the main window, the main dialogs, the lock screen and the login
dialog are drawn at the screen's available size and saved as PNG files. Each is checked to lie
within the screen; the script exits 1 naming any that does not.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def make_demo(folder: Path, projects: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "desktop", "--data-dir", str(folder), "demo",
                    "--projects", str(projects)], check=True, env=env, stdout=subprocess.DEVNULL)


def settle(app: QApplication, rounds: int = 20) -> None:
    for _ in range(rounds):
        app.processEvents()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where the PNG files go")
    parser.add_argument("--projects", type=int, default=8, help="demo projects (default 8)")
    args = parser.parse_args(argv)

    from desktop.config import Config
    from desktop.db import Database
    from desktop.demo.generator import DEMO_PASSWORD
    from desktop.services import hazards, users
    from desktop.services.queries import compliance_view, training_view
    from desktop.ui import i18n
    from desktop.ui.catalogue_picker import CataloguePicker
    from desktop.ui.desk import Desk
    from desktop.ui.first_run import FirstRunWizard
    from desktop.ui.hazard_actions import VerifyCloseDialog
    from desktop.ui.hazard_dialog import HazardDialog
    from desktop.ui.inspection_dialog import InspectionDialog
    from desktop.ui.login_dialog import LoginDialog
    from desktop.ui.package_dialog import PackageDialog
    from desktop.ui.project_dialog import ProjectDialog
    from desktop.ui.quality_panels import ComplaintDialog
    from desktop.ui.resources import ensure_chinese_font
    from desktop.ui.screen_fit import fit_to_screen, fits
    from desktop.ui.training_dialogs import SessionDialog
    from desktop.ui.user_dialogs import ChangePasswordDialog

    app = QApplication.instance() or QApplication(sys.argv)
    ensure_chinese_font(app)
    args.out.mkdir(parents=True, exist_ok=True)
    screen = app.primaryScreen().availableGeometry()
    print(f"screen available: {screen.width()}×{screen.height()}")
    problems: list[str] = []

    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "data"
        make_demo(folder, args.projects)
        config = Config.load(folder)
        i18n.install_translators("zh_CN", cache_dir=folder / "cache")
        db = Database(config.database_url)
        actor = users.login(db, "admin", DEMO_PASSWORD)
        desk = Desk(db, config, actor)
        window = desk.window
        settle(app)
        waited = 0  # the frame comes first; its database and first page on a worker
        while window.is_filling and waited < 600:
            time.sleep(0.05)
            settle(app, 2)
            waited += 1

        def shoot(widget: QWidget, name: str) -> None:
            settle(app)
            outer = widget.frameGeometry()
            if not fits(outer.size(), screen):
                problems.append(f"{name}: {outer.width()}×{outer.height()}")
            path = args.out / f"{name}.png"
            if not widget.grab().save(str(path)):
                problems.append(f"{name}: cannot write {path}")
            print(f"{path.name}: {widget.width()}×{widget.height()}")

        for page in window.pages:
            window.show_page(page.key)
            settle(app, 60)
            built = window.page(page.key)
            waited = 0  # a page that reads on a worker (合规自查) is shot with its answer
            while getattr(built, "result", ...) is None and waited < 600:
                time.sleep(0.05)
                settle(app, 2)
                waited += 1
            shoot(window, f"page-{page.key}")

        state = desk.state
        hazard = state.read(hazards.get, 1)
        project_id = hazard.project_id
        dialogs_to_shoot: list[tuple[str, Callable[[], QWidget]]] = [
            ("dialog-new-inspection", lambda: InspectionDialog(state, project_id=project_id)),
            ("dialog-new-hazard", lambda: HazardDialog(state, project_id=project_id)),
            ("dialog-project", lambda: ProjectDialog(state, project_id)),
            ("dialog-verify-close", lambda: VerifyCloseDialog(state, hazard)),
            ("dialog-training-session", lambda: SessionDialog(
                state, state.read(training_view.project_choices), project_id=project_id)),
            ("dialog-complaint", lambda: ComplaintDialog(
                state, state.read(compliance_view.scope_choices))),
            ("dialog-catalogue-picker", lambda: CataloguePicker(state)),
            ("dialog-review-package", lambda: PackageDialog(state)),
            ("dialog-change-password", lambda: ChangePasswordDialog(state)),
            ("dialog-login", lambda: LoginDialog(db, agency_name=desk.agency_name(),
                                                 username="admin")),
            ("dialog-first-run", lambda: FirstRunWizard(db, config)),
        ]
        for name, make in dialogs_to_shoot:
            dialog = make()
            fit_to_screen(dialog)  # as dialogs.run does
            dialog.show()
            shoot(dialog, name)
            dialog.close()
            dialog.deleteLater()

        window.show_page("dashboard")
        desk.lock()
        shoot(window, "lock-screen")
        desk.close()
        window.close()
        settle(app)
        db.dispose()
    QCoreApplication.processEvents()
    if problems:
        print("larger than the screen:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
