"""What the first-run wizard checks and creates, without Qt, so it is tested without a window."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from desktop.config import Config
from desktop.db import Database
from desktop.services import agency, presets, signing, users
from desktop.services.context import Actor, ServiceError, ValidationError, msg
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
