"""The first-run wizard: the agency's profile, the first administrator, and where data is kept."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desktop.config import Config
from desktop.db import Database
from desktop.services.context import Actor, Message, ValidationError
from desktop.ui import dialogs, file_dialogs, i18n
from desktop.ui import first_run_logic as logic
from desktop.ui.app_state import database_label
from desktop.ui.backup_admin_dialog import BackupAdminDialog
from desktop.ui.resources import icon
from desktop.ui.tasks import Task, run_task
from desktop.ui.user_dialogs import password_field, password_hint
from desktop.ui.widgets import ErrorLabel, read_only

if TYPE_CHECKING:
    from desktop.services.exchange.backup import RestoreResult


def choose_backup_file(parent: QWidget | None, title: str, start: str) -> str:
    """A backup to restore from, or "" when cancelled (a seam: tests replace it)."""
    return file_dialogs.open_file(parent, title, "RiskDesk backup (*.zip)", start)


def _messages(fields: dict[str, str]) -> str:
    """The wizard's own checks (FirstRun sources) and the services' messages, translated."""
    return "\n".join(i18n.service_text(m) if getattr(m, "template", None)
                     else QCoreApplication.translate(logic.CONTEXT, m) for m in fields.values())


class FormPage(QWizardPage):
    """A page of labelled fields whose check runs when the user presses Next."""

    def __init__(self, title: str, subtitle: str, check: Callable[[], dict[str, str]]) -> None:
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self._check = check
        self.form = QFormLayout()
        self.error = ErrorLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.error)

    def field_edit(self, caption: str, *, secret: bool = False) -> QLineEdit:
        edit = password_field() if secret else QLineEdit()
        self.form.addRow(caption, edit)
        return edit

    def validatePage(self) -> bool:
        errors = self._check()
        self.error.show_message(_messages(errors))
        return not errors


class FirstRunWizard(QWizard):
    """Accepted only once the folder is set up; the new administrator is then in `self.actor`.
    Or 从备份恢复: the folder filled from a backup by its own administrator, after which the
    wizard closes (rejected, `restored` emitted) and the program must be opened again.

    `lost` (first_run_logic.lost_database): the folder's database is gone while its data is
    still there. The wizard then says so and offers only 从备份恢复 — no new agency, which
    would put an empty database beside the agency's data — and is never accepted."""

    restored = Signal(object)  # backup.RestoreResult

    def __init__(self, db: Database, config: Config, parent: QWidget | None = None, *,
                 lost: Message | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.config = config
        self.lost = lost
        self.actor: Actor | None = None
        self.task: Task | None = None  # a restore from a backup while it runs
        title = (QCoreApplication.translate("FirstRun", "首次使用设置 - {title}") if lost is None
                 else QCoreApplication.translate("FirstRun", "数据库丢失 - {title}"))
        self.setWindowTitle(title.format(title=i18n.app_title()))
        self.setWindowIcon(icon("app"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setMinimumSize(620, 460)
        if lost is not None:
            self.lost_page = self._lost_page(lost)
            self.addPage(self.lost_page)
            # nothing to fill in and nothing to finish: 从备份恢复 on the page, or 取消
            self.setButtonLayout([QWizard.WizardButton.Stretch, QWizard.WizardButton.CancelButton])
            return
        self.agency_page = self._agency_page()
        self.admin_page = self._admin_page()
        self.folders_page = self._folders_page()
        for page in (self.agency_page, self.admin_page, self.folders_page):
            self.addPage(page)

    def _agency_page(self) -> FormPage:
        page = FormPage(
            QCoreApplication.translate("FirstRun", "机构信息"),
            QCoreApplication.translate("FirstRun", "这些信息会出现在文书的抬头和落款中，以后可以在设置中修改。"),
            lambda: logic.validate_agency(self.agency_form()))
        self.welcome = QLabel(QCoreApplication.translate(
            "FirstRun", "欢迎使用{title}。它帮助安责险风控机构登记在保项目和检查、跟踪隐患整改到闭环、"
            "出具和报送文书，并按通知要求自查。\n接下来三步：填写机构信息、创建系统管理员、确认数据存放位置；"
            "完成后即可新建项目或从 Excel 导入项目清单。").format(title=i18n.app_title()))
        self.welcome.setObjectName("firstRunWelcome")
        self.welcome.setWordWrap(True)
        self.welcome.setStyleSheet("padding-bottom: 8px;")
        layout = page.layout()
        assert isinstance(layout, QVBoxLayout), layout  # the form page's column
        layout.insertWidget(0, self.welcome)
        layout.insertLayout(1, self._restore_row(QCoreApplication.translate(
            "FirstRun", "已有备份（例如换了电脑）？可直接从备份恢复，需要备份中系统管理员的用户名和密码。")))
        self.name = page.field_edit(QCoreApplication.translate("FirstRun", "机构名称（必填）"))
        self.short_name = page.field_edit(QCoreApplication.translate("FirstRun", "简称"))
        self.credit_code = page.field_edit(QCoreApplication.translate("FirstRun", "统一社会信用代码"))
        self.address = page.field_edit(QCoreApplication.translate("FirstRun", "地址"))
        self.phone = page.field_edit(QCoreApplication.translate("FirstRun", "电话"))
        return page

    def _restore_row(self, note: str) -> QHBoxLayout:
        """A note and the 从备份恢复… button (`self.restore_button`)."""
        row = QHBoxLayout()
        restore_note = QLabel(note)
        restore_note.setWordWrap(True)
        self.restore_button = QPushButton(QCoreApplication.translate("FirstRun", "从备份恢复…"))
        self.restore_button.setObjectName("firstRunRestore")
        self.restore_button.clicked.connect(self.restore_from_backup)
        row.addWidget(restore_note, 1)
        row.addWidget(self.restore_button)
        return row

    def _lost_page(self, lost: Message) -> QWizardPage:
        """The database is gone, its data still here: what was found, and 从备份恢复 only."""
        page = QWizardPage()
        page.setTitle(QCoreApplication.translate("FirstRun", "数据库丢失"))
        page.setSubTitle(QCoreApplication.translate(
            "FirstRun", "不会新建空数据库，数据目录中的文件未做任何改动。"))
        self.lost_text = QLabel(i18n.service_text(lost))
        self.lost_text.setObjectName("firstRunLostDatabase")
        self.lost_text.setWordWrap(True)
        self.lost_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(page)
        layout.addWidget(self.lost_text)
        layout.addLayout(self._restore_row(QCoreApplication.translate(
            "FirstRun", "从备份恢复需要备份中系统管理员的用户名和密码。也可以取消，把数据库文件放回原处后重新打开程序。")))
        layout.addStretch(1)
        return page

    def _admin_page(self) -> FormPage:
        page = FormPage(
            QCoreApplication.translate("FirstRun", "系统管理员"),
            QCoreApplication.translate("FirstRun", "第一个账户是系统管理员，负责创建其他用户和修改系统设置。"),
            lambda: logic.validate_admin(self.admin_form()))
        self.username = page.field_edit(QCoreApplication.translate("FirstRun", "用户名"))
        self.display_name = page.field_edit(QCoreApplication.translate("FirstRun", "姓名"))
        self.password = page.field_edit(QCoreApplication.translate("FirstRun", "密码"), secret=True)
        self.confirm = page.field_edit(QCoreApplication.translate("FirstRun", "确认密码"), secret=True)
        page.form.addRow("", password_hint())
        return page

    def _folders_page(self) -> FormPage:
        page = FormPage(
            QCoreApplication.translate("FirstRun", "数据存放位置"),
            QCoreApplication.translate("FirstRun", "数据库保存在数据目录中；附件和备份可以放在其他磁盘或共享文件夹。"),
            lambda: logic.validate_folders(self.folders_form()))
        for caption, value in (
            (QCoreApplication.translate("FirstRun", "数据目录"), str(self.config.data_dir)),
            (QCoreApplication.translate("FirstRun", "数据库"), database_label(self.db)),
        ):
            page.form.addRow(caption, read_only(value))
        self.attachments_dir = self._folder_row(
            page, QCoreApplication.translate("FirstRun", "附件库"), self.config.attachments_dir)
        self.backup_dir = self._folder_row(
            page, QCoreApplication.translate("FirstRun", "备份目录"), self.config.backup_dir)
        note = QLabel(QCoreApplication.translate("FirstRun", 
            "留空则使用数据目录中的默认文件夹。"
            "更换数据目录请设置环境变量 RISKDESK_DATA_DIR 或使用命令行参数 --data-dir。"))
        note.setWordWrap(True)
        page.form.addRow("", note)
        return page

    def _folder_row(self, page: FormPage, caption: str, default: object) -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(str(default))
        browse = QPushButton(QCoreApplication.translate("FirstRun", "浏览…"))
        browse.clicked.connect(lambda: self._browse(edit))
        row = QHBoxLayout()
        row.addWidget(edit, 1)
        row.addWidget(browse)
        page.form.addRow(caption, row)
        return edit

    def _browse(self, edit: QLineEdit) -> None:
        caption = QCoreApplication.translate("FirstRun", "选择文件夹")
        chosen = dialogs.choose_folder(self, caption, edit.text() or edit.placeholderText())
        if chosen:
            edit.setText(chosen)

    def agency_form(self) -> logic.AgencyForm:
        return logic.AgencyForm(name=self.name.text(), short_name=self.short_name.text(),
                                credit_code=self.credit_code.text(), address=self.address.text(),
                                phone=self.phone.text())

    def admin_form(self) -> logic.AdminForm:
        return logic.AdminForm(username=self.username.text(), display_name=self.display_name.text(),
                               password=self.password.text(), confirm=self.confirm.text())

    def folders_form(self) -> logic.FoldersForm:
        return logic.FoldersForm(attachments_dir=self.attachments_dir.text(),
                                 backup_dir=self.backup_dir.text())

    def accept(self) -> None:
        if self.lost is not None:
            return  # no new agency beside a lost database's data: only 从备份恢复 or 取消
        try:
            self.actor = logic.apply(self.db, self.config, self.agency_form(), self.admin_form(),
                                     self.folders_form())
        except ValidationError as exc:
            self._back_to(logic.page_of(exc.fields), _messages(exc.fields))
            return
        except dialogs.USER_ERRORS as exc:
            self.folders_page.error.show_message(i18n.error_text(exc))
            return
        super().accept()

    # -- 从备份恢复 ------------------------------------------------------------------------

    def restore_from_backup(self) -> None:
        chosen = choose_backup_file(self, QCoreApplication.translate("FirstRun", "选择备份文件"),
                                    str(self.config.backup_dir))
        if not chosen:
            return
        ask = BackupAdminDialog(Path(chosen).name, self)
        if not dialogs.run(ask) or ask.credentials is None:
            return
        self.restore_with(Path(chosen), ask.credentials)

    def restore_with(self, path: Path, credentials: tuple[str, str]) -> Task:
        """Verify the backup, check the person against its users table, then restore."""
        from desktop.services.exchange import backup  # the restore code loads when a restore starts

        self.db.dispose()  # no pooled connection may hold the file being replaced
        self.restore_button.setEnabled(False)
        self.task = run_task(self, backup.restore, self.config, path, credentials=credentials,
                             on_result=self._restored,
                             label=QCoreApplication.translate("FirstRun", "正在校验备份并恢复数据…"))
        self.task.finished.connect(self._restore_ended)
        return self.task

    def _restore_ended(self) -> None:
        self.task = None
        self.restore_button.setEnabled(True)

    def _restored(self, result: RestoreResult) -> None:
        who = result.by.display_name or result.by.username if result.by is not None else ""
        text = QCoreApplication.translate(
            "FirstRun", "数据已从备份恢复（恢复人：{who}）。程序现在将关闭，请重新打开 RiskDesk，"
            "用备份中的账户登录。").format(who=who)
        if result.warnings:  # what could not be checked (the audit log), attachment files missing
            text += "\n\n" + "\n".join(i18n.service_text(w) for w in result.warnings)
            dialogs.warn(self, QCoreApplication.translate("FirstRun", "恢复完成（有警告）"), text)
        else:
            dialogs.inform(self, QCoreApplication.translate("FirstRun", "恢复完成"), text)
        self.restored.emit(result)
        self.reject()  # nobody signed in: the program ends and is opened again on the restored data

    def _back_to(self, page_id: int, message: str) -> None:
        while self.currentId() > page_id:
            self.back()
        page = self.currentPage()
        if isinstance(page, FormPage):
            page.error.show_message(message)
