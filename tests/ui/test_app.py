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


# -- a folder whose database is gone: no empty database beside its data ---------------------


def _files(folder):  # type: ignore[no-untyped-def]
    """Every file under `folder` with its size and modification time: what "untouched" means."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def lost_folder(config, tmp_path, monkeypatch):
    """The agency's data folder, used, backed up (outside it), then its database file deleted:
    the signed audit checkpoints, an attachment file and the signing key are still there.
    Returns the backup."""
    from desktop.db import Database
    from desktop.services import checkpoints
    from desktop.services.exchange import backup
    from desktop.ui import first_run_logic as logic

    monkeypatch.delenv("RISKDESK_DATABASE_URL", raising=False)
    db = Database(config.database_url)
    try:
        db.migrate(backup=False)
        logic.apply(db, config, logic.AgencyForm(name="绍兴市安信建设风控服务有限公司"),
                    logic.AdminForm("wang", "王主任", "Anxin-Feng-2024", "Anxin-Feng-2024"),
                    logic.FoldersForm())
        checkpoints.write(db, config.data_dir, reason="test")
        saved = backup.backup(db, config, tmp_path / "agency.zip").path
    finally:
        db.dispose()
    blob = config.attachments_dir / "ab" / "cd" / ("abcd" + "0" * 60)
    blob.parent.mkdir(parents=True)
    blob.write_bytes(b"photo")
    for leftover in config.data_dir.glob("riskdesk.sqlite3*"):
        leftover.unlink()
    assert not config.sqlite_path.exists() and checkpoints.read(config.data_dir)
    return saved


def test_a_lost_database_is_not_replaced_by_an_empty_one(qapp, config, lost_folder, dialog_log):
    from PySide6.QtWidgets import QWizard

    from desktop.services import check

    before = _files(config.data_dir)
    expected = check.database_lost(config, check.held_data(config), refusing_init=True)
    shown = []

    def look(wizard):  # type: ignore[no-untyped-def]
        assert isinstance(wizard, FirstRunWizard)  # only 从备份恢复 is offered, no new agency
        shown.append(wizard.windowTitle())
        wizard.show()
        assert wizard.lost_text.text() == expected
        assert "附件库中有 1 个文件" in expected and "审计检查点文件记有 1 个签名检查点" in expected
        assert wizard.pageIds() == [0] and not hasattr(wizard, "agency_page")
        assert wizard.restore_button.isVisible() and wizard.restore_button.isEnabled()
        for button in (QWizard.WizardButton.NextButton, QWizard.WizardButton.FinishButton,
                       QWizard.WizardButton.CommitButton):
            assert not wizard.button(button).isVisible()
        wizard.accept()  # not even a stray 完成 sets up an agency here
        assert wizard.isVisible() and wizard.actor is None
        wizard.reject()
        return False

    dialog_log.on_run = look
    assert app.main(config) == 1
    assert shown == [f"数据库丢失 - {i18n.app_title()}"]
    assert not config.sqlite_path.exists()
    assert _files(config.data_dir) == before  # nothing created, moved or changed


def test_a_lost_database_is_restored_from_a_backup_in_the_window(qtbot, config, lost_folder, dialog_log,
                                                                 monkeypatch):
    import sqlite3

    from desktop.ui import first_run
    from desktop.ui.backup_admin_dialog import BackupAdminDialog

    monkeypatch.setattr(first_run, "choose_backup_file", lambda *_a: str(lost_folder))

    def restore(dialog):  # type: ignore[no-untyped-def]
        if isinstance(dialog, BackupAdminDialog):
            dialog.username.setText("wang")
            dialog.password.setText("Anxin-Feng-2024")
            dialog.attempt()
            return dialog.credentials is not None
        assert isinstance(dialog, FirstRunWizard) and dialog.lost is not None
        with qtbot.waitSignal(dialog.restored, timeout=30_000):
            dialog.restore_button.click()
        return dialog.result() == dialog.DialogCode.Accepted

    dialog_log.on_run = restore
    assert app.main(config) == 0  # restored: the program is opened again
    assert "恢复人：王主任" in dialog_log.calls[-1][2]
    con = sqlite3.connect(config.sqlite_path)
    try:
        assert con.execute("SELECT username FROM users").fetchall() == [("wang",)]
    finally:
        con.close()
    opened: list = []
    dialog_log.on_run = lambda dialog: opened.append(type(dialog)) and False  # opened again
    assert app.main(config) == 0
    assert opened == [LoginDialog]  # the restored agency signs in


def test_a_new_folder_still_starts_with_the_wizard(qapp, config, dialog_log, monkeypatch):
    monkeypatch.delenv("RISKDESK_DATABASE_URL", raising=False)
    offered = []

    def look(wizard):  # type: ignore[no-untyped-def]
        offered.append(hasattr(wizard, "agency_page") and wizard.lost is None)
        return False

    dialog_log.on_run = look
    assert app.main(config) == 0
    assert offered == [True] and config.sqlite_path.exists()
