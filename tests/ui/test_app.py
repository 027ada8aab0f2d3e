"""The composition root: start-up paths of main(), the database failure path, the crash path."""

from __future__ import annotations

import logging
import sys

import pytest
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

from desktop import APP_NAME, ORG_NAME, app
from desktop.ui import i18n
from desktop.ui.crash import CrashHandler
from desktop.ui.first_run import FirstRunWizard
from desktop.ui.login_dialog import LoginDialog
from desktop.ui.main_window import MainWindow


@pytest.fixture
def folder_config(db, config):
    """The config of a data folder whose database is the test's `db`."""
    config.set("database_url", db.url)
    return config


def close_main_window_soon(seen: list) -> None:
    """Once main() reaches its event loop: note the window, close it, make sure exec() returns."""
    qapp = QApplication.instance()

    def close() -> None:
        windows = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen.extend(windows)
        for window in windows:
            window.close()  # the last window closing ends exec() by itself
        if not windows or any(w.isVisible() for w in qapp.topLevelWidgets()):
            # a second quit would leave a Quit event behind that ends every later event loop
            qapp.quit()

    QTimer.singleShot(0, close)


def test_create_application_names_and_decorates(qapp):
    created = app.create_application()
    assert created is qapp
    assert (created.organizationName(), created.applicationName()) == (ORG_NAME, APP_NAME)
    assert not created.windowIcon().isNull()


def test_login_then_main_window(qapp, folder_config, users, agency_profile, dialog_log):
    hooks = []

    def sign_in(dialog):  # type: ignore[no-untyped-def]
        hooks.append(sys.excepthook)
        assert isinstance(dialog, LoginDialog)
        dialog.username.setText("admin")
        dialog.password.setText("Secret-Desk-2026")
        dialog.attempt()
        return dialog.result() == dialog.DialogCode.Accepted

    dialog_log.on_run = sign_in
    seen: list = []
    close_main_window_soon(seen)
    assert app.main(folder_config) == 0
    assert len(seen) == 1 and seen[0].state.actor.username == "admin"
    assert isinstance(hooks[0], CrashHandler)
    assert not isinstance(sys.excepthook, CrashHandler)  # uninstalled on the way out
    # Qt's own strings were Chinese while the window ran
    assert (folder_config.data_dir / "window-state.ini").exists()


def test_the_last_username_is_offered_next_time(qapp, folder_config, users, agency_profile,
                                                 dialog_log):
    offered = []

    def sign_in(dialog):  # type: ignore[no-untyped-def]
        offered.append(dialog.username.text())
        dialog.username.setText("clerk")
        dialog.password.setText("Secret-Desk-2026")
        dialog.attempt()
        return True

    dialog_log.on_run = sign_in
    close_main_window_soon([])
    app.main(folder_config)
    close_main_window_soon([])
    app.main(folder_config)
    assert offered == ["", "clerk"]


def test_first_run_goes_through_the_wizard(qapp, folder_config, dialog_log):
    def finish(wizard):  # type: ignore[no-untyped-def]
        assert isinstance(wizard, FirstRunWizard)
        wizard.name.setText("绍兴市安信建设风控服务有限公司")
        wizard.username.setText("wang")
        wizard.display_name.setText("王主任")
        wizard.password.setText("Anxin-Feng-2024")
        wizard.confirm.setText("Anxin-Feng-2024")
        wizard.accept()
        return wizard.result() == wizard.DialogCode.Accepted

    dialog_log.on_run = finish
    seen: list = []
    close_main_window_soon(seen)
    assert app.main(folder_config) == 0
    assert seen[0].state.actor.username == "wang"


def test_giving_up_at_login_exits_quietly(qapp, folder_config, users, agency_profile, dialog_log):
    dialog_log.on_run = lambda dialog: False
    assert app.main(folder_config) == 0
    assert dialog_log.calls == []


def test_an_unusable_database_is_explained_and_exits_1(qapp, config, tmp_path, dialog_log):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    config.set("database_url", f"sqlite:///{blocker / 'riskdesk.sqlite3'}")
    assert app.main(config) == 1
    [(kind, title, text)] = dialog_log.calls
    assert (kind, title) == ("warn", "无法打开数据库")
    assert text.startswith("无法创建数据目录") and str(blocker) in text


def test_a_password_in_the_database_url_is_not_shown(qapp, config, dialog_log):
    config.set("database_url", "postgresql://riskdesk:s3cret@127.0.0.1:1/riskdesk")
    assert app.main(config) == 1
    assert "s3cret" not in dialog_log.calls[0][2] and "***" in dialog_log.calls[0][2]


def test_translators_follow_the_language_setting(qapp, folder_config, users, agency_profile,
                                                 dialog_log):
    folder_config.set("language", "en")
    titles = []

    def sign_in(dialog):  # type: ignore[no-untyped-def]
        titles.append(dialog.windowTitle())
        dialog.username.setText("admin")
        dialog.password.setText("Secret-Desk-2026")
        dialog.attempt()
        return True

    dialog_log.on_run = sign_in
    close_main_window_soon([])
    app.main(folder_config)
    assert titles == [f"Sign in - {i18n.app_title()}"]
    assert i18n.app_title() == QCoreApplication.translate("App", "安责险风控服务管理系统") != "安责险风控服务管理系统"


def test_crash_handler_logs_and_points_to_the_log(tmp_path, caplog, dialog_log):
    handler = CrashHandler(tmp_path / "logs" / "riskdesk.log")
    try:
        raise RuntimeError("意外")
    except RuntimeError as exc:
        info = (type(exc), exc, exc.__traceback__)
    with caplog.at_level(logging.ERROR, logger="desktop.ui"):
        handler(*info)
    [record] = [r for r in caplog.records if r.name == "desktop.ui"]
    assert record.exc_info[1] is info[1]
    [(kind, title, text)] = dialog_log.calls
    assert (kind, title) == ("error", "程序错误")
    assert "RuntimeError: 意外" in text and str(tmp_path / "logs" / "riskdesk.log") in text


def test_crash_handler_install_and_uninstall(tmp_path):
    before = sys.excepthook
    handler = CrashHandler(tmp_path / "riskdesk.log")
    handler.install()
    assert sys.excepthook is handler
    handler.uninstall()
    assert sys.excepthook is before


def test_an_error_inside_the_crash_dialog_does_not_loop(tmp_path, monkeypatch):
    from desktop.ui import dialogs

    handler = CrashHandler(tmp_path / "riskdesk.log")
    shown = []

    def failing_dialog(*args, **kwargs):  # type: ignore[no-untyped-def]
        shown.append(args)
        handler(ValueError, ValueError("second"), None)  # logged only
        raise OSError("display gone")

    monkeypatch.setattr(dialogs, "error", failing_dialog)
    with pytest.raises(OSError):
        handler(ValueError, ValueError("first"), None)
    assert len(shown) == 1
    assert handler._showing is False


def test_an_environment_failure_reaching_the_hook_is_a_message_not_a_crash(tmp_path, dialog_log):
    from desktop.db import DataError

    handler = CrashHandler(tmp_path / "riskdesk.log")
    exc = DataError("数据库正被其他程序占用（已锁定），请稍后重试。")
    handler(DataError, exc, None)
    assert dialog_log.calls == [("warn", "数据错误", exc.message)]


def test_the_end_of_a_window_session_writes_a_signed_audit_checkpoint(
        qapp, db, folder_config, users, agency_profile, dialog_log):
    from desktop.services import checkpoints, signing

    with db.session() as s:
        signing.setup_key(s, data_dir=folder_config.data_dir)

    def sign_in(dialog):  # type: ignore[no-untyped-def]
        dialog.username.setText("admin")
        dialog.password.setText("Secret-Desk-2026")
        dialog.attempt()
        return dialog.result() == dialog.DialogCode.Accepted

    dialog_log.on_run = sign_in
    close_main_window_soon([])
    assert app.main(folder_config) == 0
    lines = checkpoints.read(folder_config.data_dir)
    assert [line["reason"] for line in lines] == ["window"]
    with db.read() as s:
        assert checkpoints.head(s).last_id == lines[0]["last_id"]  # the login is covered
