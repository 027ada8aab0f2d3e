"""A shared desk: 锁定 (Ctrl+L), the idle lock, 切换用户 — without restarting the program."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog

from desktop.services import users as user_service
from desktop.ui.desk import Desk
from desktop.ui.idle_lock import IdleWatch
from desktop.ui.lock_screen import LockScreen
from desktop.ui.login_dialog import LoginDialog
from desktop.ui.main_window import MainWindow

PASSWORD = "Secret-Desk-2026"  # the `users` fixture's


@pytest.fixture
def desk(qtbot, db, config, users, agency_profile):
    config.set("idle_lock_minutes", 15)
    made = Desk(db, config, users["admin"])
    qtbot.addWidget(made.window)
    qtbot.waitUntil(lambda: not made.window.is_filling, timeout=5000)  # the frame came first
    made.window.activateWindow()
    yield made
    made.close()
    made.window.close()


def screen_of(desk: Desk) -> LockScreen:
    assert desk.locker.screen is not None
    return desk.locker.screen


def test_ctrl_l_locks_the_window_and_only_the_password_opens_it(qtbot, desk, db):
    window = desk.window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    window.show_page("dashboard")
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert desk.locked
    screen = screen_of(desk)
    assert screen.isVisible() and screen.geometry() == window.rect()  # all of it, menus too
    assert "当前用户" in screen.who.text() and "admin" in screen.password.placeholderText()
    assert not window.centralWidget().isEnabled() and not window.menuBar().isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page().key == "dashboard"  # shortcuts do nothing behind the lock
    qtbot.keyClicks(screen.password, "wrong-password-1")
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    assert desk.locked and "不正确" in screen.error.text() and screen.password.text() == ""
    qtbot.keyClicks(screen.password, PASSWORD)
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    assert not desk.locked
    assert window.centralWidget().isEnabled() and window.menuBar().isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page().key != "dashboard"


def test_switch_user_rebuilds_the_window_for_the_new_role(qtbot, desk, dialog_log, users):
    first = desk.window
    assert first.page("hazards").new_button.isEnabled()  # the administrator may record

    def sign_in(dialog):  # type: ignore[no-untyped-def]
        assert isinstance(dialog, LoginDialog)
        dialog.username.setText("reviewer")
        dialog.password.setText(PASSWORD)
        dialog.attempt()
        return dialog.result() == QDialog.DialogCode.Accepted

    dialog_log.on_run = sign_in
    first.switch_user_action.trigger()
    second = desk.window
    qtbot.addWidget(second)
    assert second is not first and isinstance(second, MainWindow)
    assert second.state.actor.username == "reviewer" and desk.state is second.state
    assert not first.isVisible() and second.isVisible()
    assert not second.page("hazards").new_button.isEnabled()  # read-only: no recording
    assert "只读审阅" in second.statusBar().user_label.text()


def test_switch_user_from_the_lock_screen_and_cancel_keeps_it_locked(qtbot, desk, dialog_log):
    desk.lock()
    dialog_log.on_run = lambda dialog: False  # the login dialog cancelled
    screen_of(desk).switch_button.click()
    assert desk.locked and desk.state.actor.username == "admin"

    def clerk(dialog):  # type: ignore[no-untyped-def]
        dialog.username.setText("clerk")
        dialog.password.setText(PASSWORD)
        dialog.attempt()
        return dialog.actor is not None

    dialog_log.on_run = clerk
    screen_of(desk).switch_button.click()
    qtbot.addWidget(desk.window)
    assert not desk.locked and desk.state.actor.username == "clerk"
    assert desk.window.centralWidget().isEnabled()


def test_the_idle_lock_uses_the_same_screen(qtbot, desk):
    assert desk.idle.timer.isActive() and desk.idle.timer.interval() == 15 * 60_000
    desk.idle.timer.timeout.emit()  # fifteen minutes without input
    assert desk.locked and isinstance(desk.locker.screen, LockScreen)
    qtbot.keyClicks(screen_of(desk).password, PASSWORD)
    screen_of(desk).unlock_button.click()
    assert not desk.locked and desk.idle.timer.isActive()


def test_input_restarts_the_idle_timer_and_zero_switches_it_off(qtbot, desk):
    watch = desk.idle
    watch.timer.stop()
    QApplication.sendEvent(desk.window, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Shift,
                                                  Qt.KeyboardModifier.NoModifier))
    assert watch.timer.isActive()
    watch.set_minutes(0)
    QApplication.sendEvent(desk.window, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Shift,
                                                  Qt.KeyboardModifier.NoModifier))
    assert not watch.timer.isActive() and not watch.active


def test_idle_watch_reads_minutes(qapp):
    watch = IdleWatch(0.5)
    try:
        assert watch.timer.interval() == 30_000 and watch.timer.isSingleShot()
    finally:
        watch.stop()


def test_a_dialog_open_when_the_lock_comes_is_covered_and_holds_the_form(qtbot, desk, db):
    dialog = QDialog(desk.window)
    dialog.setModal(True)
    qtbot.addWidget(dialog)
    dialog.resize(300, 120)  # smaller than the form: it grows to hold it
    dialog.show()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is dialog, timeout=3000)
    desk.lock()
    screen = screen_of(desk)
    assert screen.host is dialog and not screen.switch_button.isVisible()
    assert [c.host for c in desk.locker.covers] == [desk.window]
    assert dialog.width() >= screen.minimumSizeHint().width()
    assert dialog.height() >= screen.minimumSizeHint().height()
    qtbot.keyClicks(screen.password, PASSWORD)
    screen.unlock_button.click()
    assert not desk.locked and desk.window.centralWidget().isEnabled()
    assert user_service.login(db, "admin", PASSWORD).username == "admin"  # no lockout counted


def test_the_settings_page_sets_the_idle_minutes_at_once(qtbot, desk):
    window = desk.window
    window.show_page("settings")
    spin = window.page("settings").idle_lock
    assert spin.value() == 15
    spin.setValue(5)
    spin.editingFinished.emit()
    assert desk.config.get("idle_lock_minutes") == 5
    assert desk.idle.timer.interval() == 5 * 60_000
    assert '"idle_lock_minutes": 5' in (desk.config.data_dir / "settings.json").read_text("utf-8")
    spin.setValue(0)
    spin.editingFinished.emit()
    assert not desk.idle.active and not desk.idle.timer.isActive()


def test_a_progress_dialog_ending_under_the_lock_hands_the_form_to_the_window(qtbot, desk):
    """Locked (Ctrl+L or idle) while a long task's progress dialog is up; the task ends and
    the dialog is closed and deleted with the form it held: the form moves to the window, and
    the password still opens the desk (review of issue 16: the desk stayed locked, no form)."""
    import threading

    import shiboken6

    from desktop.ui.tasks import run_task

    release = threading.Event()

    def slow(*, progress):
        progress(0, 10, "正在生成…")
        release.wait(20)
        return 1

    task = run_task(desk.window, slow, label="正在生成草稿…")
    qtbot.waitUntil(lambda: task.dialog is not None and task.dialog.isVisible(), timeout=5000)
    desk.lock()
    first = screen_of(desk)
    assert first.host is task.dialog
    release.set()
    qtbot.waitUntil(lambda: desk.locker.screen is not first and desk.locker.screen is not None,
                    timeout=10_000)
    screen = screen_of(desk)
    assert shiboken6.isValid(screen) and screen.isVisible()
    assert screen.host is desk.window and screen.switch_button.isVisible()
    assert desk.locked and not desk.window.centralWidget().isEnabled()
    assert desk.locker.covers == []  # the window's plain cover gave way to the form
    qtbot.keyClicks(screen.password, PASSWORD)
    screen.unlock_button.click()
    assert not desk.locked and desk.window.centralWidget().isEnabled()
