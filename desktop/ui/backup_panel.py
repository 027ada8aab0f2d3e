"""数据备份与恢复: back up now, the automatic backup schedule, and (administrators) restore."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop import clock
from desktop.fileutil import human_size
from desktop.services.context import Changes
from desktop.services.exchange import backup
from desktop.ui import dialogs, file_dialogs, i18n
from desktop.ui.app_state import AppState
from desktop.ui.tasks import Task, run_task
from desktop.ui.widgets import read_only

ZIP_FILTER = "RiskDesk backup (*.zip)"


# -- seams: tests replace these ------------------------------------------------------------


def choose_save_file(parent: QWidget | None, title: str, start: str, filters: str) -> str:
    """Where to write a file, or "" when cancelled."""
    return file_dialogs.save_file(parent, title, start, filters)


def choose_open_file(parent: QWidget | None, title: str, start: str, filters: str) -> str:
    """A file picked to read, or "" when cancelled."""
    return file_dialogs.open_file(parent, title, filters, start)


def quit_application() -> None:
    """After a restore the running program holds the old data: it must end and be reopened."""
    QApplication.closeAllWindows()
    QApplication.quit()


# -- the panel -------------------------------------------------------------------------------


class BackupPanel(QWidget):
    backed_up = Signal(object)  # backup.BackupResult
    restored = Signal(object)  # backup.RestoreResult, just before the program closes

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.task: Task | None = None  # the running backup, verification or restore
        layout = QVBoxLayout(self)
        layout.addWidget(self._now_box())
        layout.addWidget(self._auto_box())
        layout.addWidget(self._restore_box())
        layout.addStretch(1)

    def _now_box(self) -> QGroupBox:
        box = QGroupBox(QCoreApplication.translate("BackupPanel", "立即备份"))
        column = QVBoxLayout(box)
        text = QLabel(QCoreApplication.translate(
            "BackupPanel", "备份文件包含数据库和全部附件，并附每个文件的校验值；不含签名私钥"
            "（请用“riskdesk key-export”单独导出并保管）。请把备份保存到另一块磁盘或移动硬盘上。"))
        text.setWordWrap(True)
        self.backup_button = QPushButton(QCoreApplication.translate("BackupPanel", "备份到文件…"))
        self.backup_button.clicked.connect(self.back_up)
        self.backup_button.setEnabled(self.state.can("backup"))
        self.last_label = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.backup_button)
        row.addWidget(self.last_label, 1)
        column.addWidget(text)
        column.addLayout(row)
        return box

    def _auto_box(self) -> QGroupBox:
        box = QGroupBox(QCoreApplication.translate("BackupPanel", "自动备份"))
        form = QFormLayout(box)
        config = self.state.config
        self.interval = QSpinBox()
        self.interval.setRange(0, 24 * 30)
        self.interval.setSuffix(QCoreApplication.translate("BackupPanel", " 小时"))
        self.interval.setSpecialValueText(QCoreApplication.translate("BackupPanel", "关闭"))
        self.interval.setValue(int(config.get("backup_interval_hours")))
        self.interval.setMaximumWidth(180)
        self.keep = QSpinBox()
        self.keep.setRange(1, 365)
        self.keep.setSuffix(QCoreApplication.translate("BackupPanel", " 份"))
        self.keep.setValue(int(config.get("backup_keep")))
        self.keep.setMaximumWidth(180)
        self.save_button = QPushButton(QCoreApplication.translate("BackupPanel", "保存自动备份设置"))
        self.save_button.clicked.connect(self.save_schedule)
        self.save_button.setEnabled(self.state.can("backup"))
        self.auto_label = QLabel()
        form.addRow(QCoreApplication.translate("BackupPanel", "备份间隔"), self.interval)
        form.addRow(QCoreApplication.translate("BackupPanel", "保留份数"), self.keep)
        form.addRow(QCoreApplication.translate("BackupPanel", "备份目录"),
                    read_only(str(config.backup_dir)))
        form.addRow(QCoreApplication.translate("BackupPanel", "最近一次"), self.auto_label)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addStretch(1)
        form.addRow("", row)
        return box

    def _restore_box(self) -> QGroupBox:
        box = QGroupBox(QCoreApplication.translate("BackupPanel", "从备份恢复"))
        column = QVBoxLayout(box)
        text = QLabel(QCoreApplication.translate(
            "BackupPanel", "恢复会用备份替换当前全部数据和附件（当前数据会另存一份，不会丢失）。"
            "恢复前先逐个核对校验值；恢复完成后程序将关闭，需要重新打开。仅系统管理员可以恢复。"))
        text.setWordWrap(True)
        self.restore_button = QPushButton(QCoreApplication.translate("BackupPanel", "从备份文件恢复…"))
        self.restore_button.clicked.connect(self.choose_restore)
        self.restore_button.setEnabled(self.state.can("restore"))
        if not self.state.can("restore"):
            self.restore_button.setToolTip(
                QCoreApplication.translate("BackupPanel", "只有系统管理员可以恢复数据。"))
        row = QHBoxLayout()
        row.addWidget(self.restore_button)
        row.addStretch(1)
        column.addWidget(text)
        column.addLayout(row)
        return box

    def refresh(self) -> None:
        try:
            found = backup.auto_backups(self.state.config)
        except OSError:
            found = []
        if found:
            moment, path = max(found)
            self.auto_label.setText(f"{moment:%Y-%m-%d %H:%M}  {path.name}")
        else:
            self.auto_label.setText(QCoreApplication.translate("BackupPanel", "还没有自动备份"))

    def _busy(self, task: Task) -> None:
        self.task = task
        task.finished.connect(self._idle)
        for button in (self.backup_button, self.restore_button):
            button.setEnabled(False)

    def _idle(self) -> None:
        self.task = None
        self.backup_button.setEnabled(self.state.can("backup"))
        self.restore_button.setEnabled(self.state.can("restore"))

    # -- backup now -------------------------------------------------------------------------

    def back_up(self) -> None:
        folder = self.state.config.backup_dir
        name = f"riskdesk-{clock.now():%Y%m%d-%H%M%S}.zip"
        chosen = choose_save_file(self, QCoreApplication.translate("BackupPanel", "保存备份"),
                                  str(folder / name), ZIP_FILTER)
        if chosen:
            self.back_up_to(Path(chosen))

    def back_up_to(self, path: Path) -> Task:
        task = run_task(self, backup.backup, self.state.db, self.state.config, path,
                        actor=self.state.actor, on_result=self._backed_up,
                        label=QCoreApplication.translate("BackupPanel", "正在备份…"))
        self._busy(task)
        return task

    def _backed_up(self, result: backup.BackupResult) -> None:
        text = QCoreApplication.translate(
            "BackupPanel", "备份已保存：{path}\n共 {files} 个文件，{size}，用时 {seconds:.1f} 秒。"
        ).format(path=result.path, files=result.files, size=human_size(result.size),
                 seconds=result.seconds)
        self.last_label.setText(str(result.path))
        if result.warnings:
            text += "\n\n" + "\n".join(i18n.service_text(w) for w in result.warnings)
            dialogs.warn(self, QCoreApplication.translate("BackupPanel", "备份完成（有警告）"), text)
        else:
            dialogs.inform(self, QCoreApplication.translate("BackupPanel", "备份完成"), text)
        self.backed_up.emit(result)

    # -- schedule -------------------------------------------------------------------------------

    def save_schedule(self) -> None:
        config = self.state.config
        config.set("backup_interval_hours", self.interval.value())
        config.set("backup_keep", self.keep.value())
        try:
            config.save()
        except OSError as exc:
            dialogs.warn(self, QCoreApplication.translate("BackupPanel", "设置未保存"),
                         QCoreApplication.translate("BackupPanel", "无法写入设置文件：{error}")
                         .format(error=exc))
            return
        self.state.announce(Changes(settings=True))
        dialogs.inform(self, QCoreApplication.translate("BackupPanel", "自动备份"),
                       QCoreApplication.translate("BackupPanel", "自动备份设置已保存。"))

    # -- restore -----------------------------------------------------------------------------

    def choose_restore(self) -> None:
        chosen = choose_open_file(self, QCoreApplication.translate("BackupPanel", "选择备份文件"),
                                  str(self.state.config.backup_dir), ZIP_FILTER)
        if chosen:
            self.verify_then_restore(Path(chosen))

    def verify_then_restore(self, path: Path) -> Task:
        """Check the backup first, as the restore will (every hash, the database, its audit log
        against the signed checkpoints in it); only a backup that passes is offered, with what
        was checked and what could not be."""
        task = run_task(self, backup.check_backup, self.state.config, path,
                        on_result=lambda checked: self._confirm_restore(path, checked),
                        label=QCoreApplication.translate("BackupPanel", "正在校验备份文件…"))
        self._busy(task)
        return task

    def _confirm_restore(self, path: Path, checked: backup.BackupCheck) -> None:
        manifest = checked.manifest
        question = QCoreApplication.translate(
            "BackupPanel", "备份文件：{path}\n创建于 {created}，含 {attachments} 个附件。\n"
            "校验结果：{checked}。"
        ).format(path=path, created=str(manifest.get("created_at", ""))[:19].replace("T", " "),
                 attachments=checked.attachments, checked=i18n.service_text(checked.summary))
        if checked.warnings:
            question += "\n\n" + "\n".join(
                QCoreApplication.translate("BackupPanel", "注意：{warning}").format(
                    warning=i18n.service_text(w)) for w in checked.warnings)
        question += "\n\n" + QCoreApplication.translate(
            "BackupPanel", "用它替换当前全部数据吗？当前数据会另存到数据目录中。\n"
            "恢复完成后程序将关闭，请重新打开。")
        if not dialogs.ask(self, QCoreApplication.translate("BackupPanel", "从备份恢复"), question):
            return
        self.state.db.dispose()  # no pooled connection may hold the file being replaced
        task = run_task(self, backup.restore, self.state.config, path, actor=self.state.actor,
                        on_result=lambda result: self._restored(result, checked.warnings),
                        label=QCoreApplication.translate("BackupPanel", "正在恢复数据…"))
        self._busy(task)

    def _restored(self, result: backup.RestoreResult, shown: tuple[str, ...] = ()) -> None:
        """`shown`: the warnings the confirmation already gave (not repeated)."""
        text = QCoreApplication.translate(
            "BackupPanel", "数据已从备份恢复。程序现在将关闭，请重新打开 RiskDesk。")
        if result.aside is not None:
            text += "\n" + QCoreApplication.translate(
                "BackupPanel", "恢复前的数据已另存到：{path}").format(path=result.aside)
        news = [w for w in result.warnings if w not in shown]
        if news:  # e.g. attachment files missing: the set-aside folder must be kept
            text += "\n\n" + "\n".join(i18n.service_text(w) for w in news)
            dialogs.warn(self, QCoreApplication.translate("BackupPanel", "恢复完成（有警告）"), text)
        else:
            dialogs.inform(self, QCoreApplication.translate("BackupPanel", "恢复完成"), text)
        self.restored.emit(result)
        quit_application()
