"""The GUI's composition root: application, translators, font, database, sign-in, window."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QProgressDialog

from desktop import __version__, datamodes
from desktop.config import Config
from desktop.db import Database, DataError, mask_url
from desktop.services import agency, checkpoints, startup
from desktop.services.context import Actor
from desktop.ui import dialogs, first_run_logic, i18n
from desktop.ui.app_state import log_file, window_settings
from desktop.ui.application import create_application as create_application  # re-exported
from desktop.ui.crash import CrashHandler
from desktop.ui.desk import Desk
from desktop.ui.first_run import FirstRunWizard
from desktop.ui.login_dialog import LoginDialog

log = logging.getLogger("desktop.ui")


def cache_dir(config: Config) -> Path:
    """Rebuildable files (translations compiled on the fly); safe to delete."""
    return config.data_dir / "cache"


def open_database(config: Config) -> Database | None:
    """Open and migrate the database; None (the reason shown to the user) when impossible."""
    try:
        db = Database(config.database_url, migration_url=config.migration_database_url)
        copy = upgrade(db)
    except DataError as exc:
        log.error("cannot open the database: %s (%s)", exc.message, exc.detail)
        text = QCoreApplication.translate("App", "{message}\n\n数据库：{where}")
        dialogs.warn(None, QCoreApplication.translate("App", "无法打开数据库"),
                     text.format(message=exc.message, where=mask_url(config.database_url)))
        return None
    if copy is not None:
        log.info("database upgraded; the previous file was copied to %s", copy)
    datamodes.protect(config)  # the folder 0700; database, key, settings 0600
    done = startup.housekeeping(db, config)
    if done.catalogues_loaded or done.orphans_removed:
        log.info("start-up: catalogues loaded %s, orphaned files removed %d",
                 done.catalogues_loaded, done.orphans_removed)
    return db


def lost_database(config: Config) -> int | None:
    """None when the window may open the database as usual. When the folder's database is gone
    but its data is still there (first_run_logic.lost_database: attachments, signed audit
    checkpoints, data a restore set aside), no empty database is created beside it, as
    `riskdesk init` refuses too: the first-run wizard says so and offers only 从备份恢复.
    Returns the exit status: 0 once restored (the program is opened again), else 1."""
    try:
        db = Database(config.database_url, migration_url=config.migration_database_url)
    except DataError:
        return None  # open_database says why it cannot be opened
    try:
        lost = first_run_logic.lost_database(db, config)
        if lost is None:
            return None
        log.warning("no database in %s but its data is there; not creating one: %s",
                    config.data_dir, lost)
        restored: list[object] = []
        wizard = FirstRunWizard(db, config, lost=lost)
        wizard.restored.connect(restored.append)
        dialogs.run(wizard)
        return 0 if restored else 1
    except DataError:
        return None  # the file there cannot be read: open_database says why
    finally:
        db.dispose()


def sign_in(db: Database, config: Config) -> Actor | None:
    """The first-run wizard on a new folder, else the login dialog; None when the user gives up."""
    if not first_run_logic.is_initialised(db):
        wizard = FirstRunWizard(db, config)
        return wizard.actor if dialogs.run(wizard) else None
    with db.read() as session:
        profile = agency.agency_profile(session)
    settings = window_settings(config)
    dialog = LoginDialog(db, agency_name=profile.name if profile else "",
                         username=str(settings.value("login/username", "")))
    if not dialogs.run(dialog) or dialog.actor is None:
        return None
    settings.setValue("login/username", dialog.actor.username)
    settings.sync()
    return dialog.actor


def upgrade(db: Database) -> Path | None:
    """Bring the database to this version's schema. An existing database being upgraded shows
    a notice while it works (a migration can take a while: converting the stored times of a
    1M-hazard agency took 14 s, after a copy of the file is taken): the work runs on a thread
    and the notice keeps painting; closing it is not offered — the upgrade is one transaction
    and must finish. A new or current database opens without it."""
    if not db.upgrades_data():
        return db.migrate()
    notice = QProgressDialog(QCoreApplication.translate(
        "App", "正在升级数据库：新版本首次启动时转换已有记录，可能需要几十秒。请勿关闭程序或电脑…"),
        "", 0, 0)
    notice.setWindowTitle(QCoreApplication.translate("App", "升级数据库"))
    notice.setCancelButton(None)
    notice.setWindowModality(Qt.WindowModality.ApplicationModal)
    notice.setMinimumDuration(0)
    notice.show()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["copy"] = db.migrate()
        except BaseException as exc:  # handed to the GUI thread, raised there
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="riskdesk-upgrade", daemon=False)
    worker.start()
    app = QApplication.instance()
    while worker.is_alive():
        if app is not None:
            app.processEvents()
        worker.join(0.05)
    notice.close()
    notice.deleteLater()
    if "error" in outcome:
        raise outcome["error"]
    copy: Path | None = outcome.get("copy")
    return copy


def main(config: Config, *, notice: str | None = None) -> int:
    """Run the window; the exit status is 0 on a normal close, 1 when the database failed.
    `notice`: what the start-up did first (a restore cut off by a crash, finished or undone)."""
    app = create_application()
    language = i18n.install_translators(str(config.get("language")), cache_dir=cache_dir(config))
    log.info("riskdesk %s window, language %s, data in %s", __version__, language, config.data_dir)
    crash = CrashHandler(log_file(config))
    crash.install()
    try:
        if notice:
            dialogs.inform(None, QCoreApplication.translate("App", "恢复备份"), notice)
        refused = lost_database(config)
        if refused is not None:
            return refused
        db = open_database(config)
        if db is None:
            return 1
        try:
            return _run(app, db, config)
        finally:
            db.dispose()
    finally:
        crash.uninstall()


def _run(app: QApplication, db: Database, config: Config) -> int:
    watch = checkpoints.install(db, config)  # signed audit checkpoints: every N entries, and at the end
    try:
        actor = sign_in(db, config)
    except DataError as exc:
        log.error("database failed at sign-in: %s (%s)", exc.message, exc.detail)
        dialogs.warn(None, QCoreApplication.translate("App", "无法打开数据库"), exc.message)
        return 1
    if actor is None:
        return 0
    desk = Desk(db, config, actor)
    desk.auto_backup.start()
    try:
        return app.exec()
    finally:
        desk.close()
        # a failure is logged: the session's work is saved
        watch.finish(reason="window", actor=desk.state.actor)
