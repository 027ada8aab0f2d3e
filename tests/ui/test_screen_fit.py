"""Fits a laptop: the main window and every main dialog within 1366×768 less the task bar."""

from __future__ import annotations

import importlib.util

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QDialog

from desktop.ui import dialogs, screen_fit
from desktop.ui.catalogue_picker import CataloguePicker
from desktop.ui.document_dialogs import DraftDialog
from desktop.ui.first_run import FirstRunWizard
from desktop.ui.import_wizard import ImportWizard
from desktop.ui.login_dialog import LoginDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.package_dialog import PackageDialog
from desktop.ui.recycle_bin import RecycleBin
from desktop.ui.screen_fit import FRAME_ESTIMATE, LAPTOP, fit_to_screen, fits, fitted_size
from desktop.ui.user_dialogs import NewUserDialog

from .test_date_fields_everywhere import _dialogs


def test_fitted_size_shrinks_into_the_room_but_not_below_the_minimum():
    room = QSize(1350, 688)
    assert fitted_size(QSize(1080, 720), QSize(600, 450), room) == QSize(1080, 688)
    assert fitted_size(QSize(400, 300), QSize(200, 100), room) == QSize(400, 300)
    assert fitted_size(QSize(2000, 900), QSize(1400, 700), room) == QSize(1400, 700)


def test_a_window_is_moved_back_onto_the_screen(qtbot):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.resize(500, 400)
    dialog.move(1200, 600)
    size = fit_to_screen(dialog, LAPTOP)
    assert size == QSize(500, 400)
    assert dialog.x() + 500 + FRAME_ESTIMATE.width() <= LAPTOP.right() + 1
    assert dialog.y() + 400 + FRAME_ESTIMATE.height() <= LAPTOP.bottom() + 1


def outer(widget) -> QSize:  # type: ignore[no-untyped-def]
    return widget.size() + FRAME_ESTIMATE


def test_the_main_window_fits_and_its_status_bar_is_on_screen(qtbot, state, hazard_data):
    window = MainWindow(state)
    qtbot.addWidget(window)
    window.resize(1200, 760)  # the old default: ran below a laptop's screen
    fit_to_screen(window, LAPTOP)
    assert fits(outer(window), LAPTOP)
    assert fits(window.minimumSizeHint() + FRAME_ESTIMATE, LAPTOP)
    bar = window.statusBar()
    assert bar.geometry().bottom() < window.height()


def main_dialogs(state, ids, db, config):  # type: ignore[no-untyped-def]
    made = {name: make for name, (make, _n) in _dialogs(state, ids).items()}
    made.update({
        "login": lambda: LoginDialog(db, agency_name="绍兴市安信建设风控服务有限公司"),
        "first_run": lambda: FirstRunWizard(db, config),
        "catalogue_picker": lambda: CataloguePicker(state),
        "package": lambda: PackageDialog(state),
        "import": lambda: ImportWizard(state),
        "draft": lambda: DraftDialog(state),
        "recycle_bin": lambda: RecycleBin(state),
        "new_user": lambda: NewUserDialog(state),
    })
    return made


NAMES = ["hazard", "inspection", "project", "issue_notice", "verify_close", "report", "session",
         "assist", "drill", "complaint", "incident", "evaluation", "fee", "archive_item", "login",
         "first_run", "catalogue_picker", "package", "import", "draft", "recycle_bin", "new_user"]


@pytest.mark.parametrize("name", NAMES)
def test_each_main_dialog_fits_1366_by_768(qtbot, state, hazard_data, db, config, name):
    dialog = main_dialogs(state, hazard_data, db, config)[name]()
    qtbot.addWidget(dialog)
    assert fits(dialog.minimumSizeHint() + FRAME_ESTIMATE, LAPTOP), name  # it can fit at all
    fit_to_screen(dialog, LAPTOP)  # what dialogs.run does before showing it
    assert fits(outer(dialog), LAPTOP), (name, dialog.size())
    dialog.show()
    assert fits(dialog.size() + FRAME_ESTIMATE, LAPTOP)


def test_the_inspection_dialog_no_longer_runs_off_a_laptop(qtbot, state, hazard_data):
    make, _n = _dialogs(state, hazard_data)["inspection"]
    dialog = make()
    qtbot.addWidget(dialog)
    assert dialog.height() + FRAME_ESTIMATE.height() > LAPTOP.height()  # as it asks to be
    fit_to_screen(dialog, LAPTOP)
    assert dialog.height() + FRAME_ESTIMATE.height() <= LAPTOP.height()
    assert dialog.height() >= dialog.minimumSizeHint().height()


def test_dialogs_run_fits_before_showing(qtbot, monkeypatch):
    seen: list[QRect] = []
    monkeypatch.setattr(QDialog, "exec", lambda self: seen.append(self.geometry()) or 0)
    monkeypatch.setattr(screen_fit, "available_rect", lambda _w: LAPTOP)
    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.resize(1000, 900)
    # the conftest replaced dialogs.run for every GUI test: a separate copy has the real one
    spec = importlib.util.spec_from_file_location("fresh_dialogs", dialogs.__file__)
    real = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(real)
    assert real.run(dialog) is False
    assert seen and seen[0].height() + FRAME_ESTIMATE.height() <= LAPTOP.height()
