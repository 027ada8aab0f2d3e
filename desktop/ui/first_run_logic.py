"""What the first-run wizard checks and creates, without Qt, so it is tested without a window."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from desktop.config import Config
from desktop.db import Database
from desktop.services import agency, presets, signing, users
from desktop.services.context import Actor, Message, ServiceError, ValidationError, msg
from desktop.ui.translatable import QT_TRANSLATE_NOOP  # the wizard translates these when shown

CONTEXT = "FirstRun"  # the wizard shows every message below through this translation context
AGENCY_PAGE, ADMIN_PAGE, FOLDERS_PAGE = 0, 1, 2


@dataclass
class AgencyForm:
    name: str = ""
    short_name: str = ""
    credit_code: str = ""
    address: str = ""
    phone: str = ""


@dataclass
class AdminForm:
    username: str = ""
    display_name: str = ""
    password: str = ""
    confirm: str = ""


@dataclass
class FoldersForm:
    attachments_dir: str = ""  # empty: inside the data folder
    backup_dir: str = ""


def validate_agency(form: AgencyForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form.name.strip():
        errors["name"] = QT_TRANSLATE_NOOP("FirstRun", "请填写机构名称")
    code = form.credit_code.strip().upper()
    if code and not agency.credit_code_valid(code):
        errors["credit_code"] = QT_TRANSLATE_NOOP("FirstRun", "统一社会信用代码应为 18 位且校验位正确")
    return errors


def validate_admin(form: AdminForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    name = form.username.strip()
    if not name:
        errors["username"] = QT_TRANSLATE_NOOP("FirstRun", "请填写用户名")
    elif any(ch.isspace() for ch in name):
        errors["username"] = QT_TRANSLATE_NOOP("FirstRun", "用户名不能包含空格")
    if not form.display_name.strip():
        errors["display_name"] = QT_TRANSLATE_NOOP("FirstRun", "请填写管理员姓名")
    weak = users.check_password_strength(form.password, (name, form.display_name))
    if weak:
        errors["password"] = weak  # the account service's own rule and wording
    elif form.password != form.confirm:
        errors["confirm"] = QT_TRANSLATE_NOOP("FirstRun", "两次输入的密码不一致")
    return errors


def _folder_problem(text: str) -> str | None:
    if not text.strip():
        return None
    path = Path(text.strip()).expanduser()
    if not path.is_absolute():
        return QT_TRANSLATE_NOOP("FirstRun", "请填写完整路径（绝对路径）")
    if path.exists() and not path.is_dir():
        return QT_TRANSLATE_NOOP("FirstRun", "该路径是一个文件，不是文件夹")
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is None or not existing.is_dir():
        return QT_TRANSLATE_NOOP("FirstRun", "该文件夹无法创建")
    return None


def validate_folders(form: FoldersForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    for key in ("attachments_dir", "backup_dir"):
        problem = _folder_problem(getattr(form, key))
        if problem:
            errors[key] = problem
    return errors


FIELD_PAGES = {
    **dict.fromkeys(("name", "short_name", "credit_code", "address", "phone", "legal_rep"),
                    AGENCY_PAGE),
    **dict.fromkeys(("username", "display_name", "password", "confirm", "role"), ADMIN_PAGE),
    **dict.fromkeys(("attachments_dir", "backup_dir"), FOLDERS_PAGE),
}


def page_of(fields: dict[str, str]) -> int:
    """The first wizard page holding one of these fields, to send the user back there."""
    pages = [FIELD_PAGES[f] for f in fields if f in FIELD_PAGES]
    return min(pages) if pages else AGENCY_PAGE


def lost_database(db: Database, config: Config) -> Message | None:
    """Why the window must not create a database in this folder, or None. As `riskdesk init`
    refuses (cli._refuse_beside_a_restore): the SQLite database is missing (or holds no
    schema) while the folder still holds what only a database could have made — attachment
    files, signed audit checkpoints — or the data a restore set aside. A new, empty database
    there would look like the agency's data while the real data is in a backup. Reads only:
    a missing file is not opened (opening it would create it)."""
    path = db.sqlite_path
    if path is None:
        return None  # a server, or an in-memory database: the folder's files say nothing of it
    # an empty file (left by a failed first start) is not opened: that would write to it
    if path.exists() and path.stat().st_size > 0 and db.current_revision() is not None:
        return None  # the database is there (older, current or newer: opening it says which)
    from desktop.services import check  # only for a folder without a database
    from desktop.services.exchange import restore_journal

    found = restore_journal.leftovers(config.data_dir)
    if found:
        return msg("数据目录中没有可用的数据库（{path}），但有恢复留下的数据（{names}）。不会新建空数据库：请从备份恢复，"
                   "或把其中的数据库放回原处，或确认不再需要后移走这些文件夹，再重新打开程序。",
                   path=str(path), names="、".join(p.name for p in found))
    held = check.held_data(config)
    return check.database_lost(config, held, refusing_init=True) if held else None


def is_initialised(db: Database) -> bool:
    with db.read() as session:
        return agency.is_initialised(session)


def apply(db: Database, config: Config, agency_form: AgencyForm, admin_form: AdminForm,
          folders: FoldersForm) -> Actor:
    """Save the folders, create the agency and its first administrator, and sign in."""
    errors = {**validate_agency(agency_form), **validate_admin(admin_form),
              **validate_folders(folders)}
    if errors:
        raise ValidationError(errors)
    for key in ("attachments_dir", "backup_dir"):
        value = getattr(folders, key).strip()
        config.set(key, str(Path(value).expanduser()) if value else "")
    try:
        config.save()
    except OSError as exc:
        raise ServiceError(msg("设置文件无法保存：{reason}", reason=str(exc))) from exc
    with db.session() as session:
        if agency.is_initialised(session):
            raise ServiceError(msg("该数据目录已经初始化，请直接登录。"))
        agency.setup_agency(session, name=agency_form.name, short_name=agency_form.short_name,
                            credit_code=agency_form.credit_code, address=agency_form.address,
                            phone=agency_form.phone)
        agency.create_first_admin(session, username=admin_form.username.strip(),
                                  display_name=admin_form.display_name.strip(),
                                  password=admin_form.password)
        # Shaoxing's districts and their construction authorities, editable like any unit
        presets.create_authorities(session, Actor.system())
        # the agency's own Ed25519 key, which signs every review package it exports
        signing.setup_key(session, data_dir=config.data_dir)
    return users.login(db, admin_form.username.strip(), admin_form.password)
