"""Offscreen pictures of every page and dialog, saved for review into $RISKDESK_SCREENSHOTS or
the run's temporary folder (tests/ui/shots.py)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QTableView, QWidget

from desktop.ui import i18n
from desktop.ui.first_run import FirstRunWizard
from desktop.ui.login_dialog import LoginDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.user_dialogs import ChangePasswordDialog, NewUserDialog

from .shots import shots_dir
from .test_lazy_model import make_model


def save(qtbot, widget: QWidget, name: str) -> QImage:  # type: ignore[no-untyped-def]
    qtbot.wait(1)
    image = widget.grab().toImage()
    assert image.save(str(shots_dir() / f"{name}.png"))
    assert not image.isNull() and image.width() > 100
    # not blank: a painted window has many distinct colours
    colours = {image.pixel(x, y)
               for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 5, name
    return image


@pytest.fixture(autouse=True)
def _as_the_app_runs(tmp_path):
    """Qt's own buttons in Chinese, as app.main() sets them up."""
    i18n.install_translators("zh_CN", cache_dir=tmp_path)


@pytest.fixture
def window(qtbot, state, hazard_data):
    window = MainWindow(state)
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.show()
    return window


def test_every_page(qtbot, window):
    for index, page in enumerate(window.pages):
        window.show_page(index)
        save(qtbot, window, f"main-{index + 1}-{page.key}")


def test_dialogs(qtbot, db, config, state, users):
    login = LoginDialog(db, agency_name="绍兴市安信建设风控服务有限公司")
    qtbot.addWidget(login)
    login.show()
    login.username.setText("inspector")
    login.password.setText("wrong-pass1")
    login.attempt()
    save(qtbot, login, "login-refused")
    for name, dialog in (("change-password", ChangePasswordDialog(state)),
                         ("new-user", NewUserDialog(state))):
        qtbot.addWidget(dialog)
        dialog.show()
        save(qtbot, dialog, name)


def test_wizard_pages(qtbot, tmp_path, config):
    from desktop.db import Database

    db = Database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    db.migrate(backup=False)
    wizard = FirstRunWizard(db, config)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()  # refused: shows the inline message
    save(qtbot, wizard, "wizard-1-agency-refused")
    wizard.name.setText("绍兴市安信建设风控服务有限公司")
    wizard.next()
    wizard.username.setText("wang")
    save(qtbot, wizard, "wizard-2-admin")
    wizard.display_name.setText("王主任")
    wizard.password.setText("Anxin-Feng-2024")
    wizard.confirm.setText("Anxin-Feng-2024")
    wizard.next()
    save(qtbot, wizard, "wizard-3-folders")
    db.dispose()


def test_english(qtbot, state, hazard_data, tmp_path):
    i18n.install_translators("en", cache_dir=tmp_path)
    window = MainWindow(state)
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.show()
    save(qtbot, window, "en-1-dashboard")
    window.show_page("settings")
    save(qtbot, window, "en-8-settings")


def test_level_tints_in_a_table(qtbot):
    model, _ = make_model(500)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(520, 300)
    view.show()
    save(qtbot, view, "lazy-table-levels")
