"""The agency's own profile and the first administrator: what makes a data folder ready for use."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models import AgencyProfile, User
from desktop.models.enums import Role
from desktop.services import audit, permissions, users
from desktop.services.context import Actor, ServiceError, ValidationError, msg

# GB 32100-2015 统一社会信用代码: 18 characters from this alphabet, the last one a check character
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_PHONE_RE = re.compile(r"^[0-9+\-() 转]{5,50}$")


@dataclass(frozen=True)
class AgencyRow:
    id: int
    name: str
    short_name: str
    credit_code: str
    address: str
    phone: str
    legal_rep: str
    version: int


def credit_code_check_char(first17: str) -> str:
    total = sum(_CREDIT_ALPHABET.index(ch) * w for ch, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_valid(code: str) -> bool:
    if len(code) != 18 or any(ch not in _CREDIT_ALPHABET for ch in code):
        return False
    return credit_code_check_char(code[:17]) == code[17]


def _row(p: AgencyProfile) -> AgencyRow:
    return AgencyRow(p.id, p.name, p.short_name, p.credit_code, p.address, p.phone, p.legal_rep, p.version)


def _profile(session: Session) -> AgencyProfile | None:
    return session.execute(select(AgencyProfile).order_by(AgencyProfile.id).limit(1)).scalar_one_or_none()


def agency_profile(session: Session) -> AgencyRow | None:
    profile = _profile(session)
    return _row(profile) if profile is not None else None


def _validate(*, name: str, short_name: str, credit_code: str, address: str, phone: str,
              legal_rep: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = msg("请填写机构名称")
    elif len(name) > 200:
        errors["name"] = msg("机构名称不超过 200 个字符")
    if len(short_name) > 50:
        errors["short_name"] = msg("机构简称不超过 50 个字符")
    if credit_code and not credit_code_valid(credit_code):
        errors["credit_code"] = msg("统一社会信用代码应为 18 位且校验位正确")
    if len(address) > 300:
        errors["address"] = msg("地址不超过 300 个字符")
    if phone and not _PHONE_RE.match(phone):
        errors["phone"] = msg("电话号码格式不正确")
    if len(legal_rep) > 50:
        errors["legal_rep"] = msg("法定代表人姓名不超过 50 个字符")
    return errors


def setup_agency(session: Session, *, name: str, short_name: str = "", credit_code: str = "",
                 address: str = "", phone: str = "", legal_rep: str = "",
                 actor: Actor | None = None) -> AgencyRow:
    """Create the agency profile, or update it; empty optional fields leave stored values alone."""
    actor = actor or Actor.system()
    permissions.require(actor, "settings.edit")
    fields = {
        "name": name.strip(), "short_name": short_name.strip(),
        "credit_code": credit_code.strip().upper(), "address": address.strip(),
        "phone": phone.strip(), "legal_rep": legal_rep.strip(),
    }
    errors = _validate(**fields)
    if errors:
        raise ValidationError(errors)
    profile = _profile(session)
    if profile is None:
        profile = AgencyProfile(**fields)
        session.add(profile)
        audit.record_create(session, actor, profile)
        return _row(profile)
    before = audit.snapshot(profile)
    for key, value in fields.items():
        if value or key == "name":
            setattr(profile, key, value)
    audit.record_update(session, actor, profile, before)
    return _row(profile)


def create_first_admin(session: Session, *, username: str, display_name: str,
                       password: str) -> users.UserRow:
    """The first account of a new data folder; refused once any account exists."""
    if users.count(session) > 0:
        raise ServiceError(msg("系统中已有用户账户；其他账户请由管理员在“用户管理”中创建。"))
    return users.create_user(session, Actor.system(), username=username,
                             display_name=display_name or username, role=Role.ADMIN.value,
                             password=password, title="系统管理员")


def is_initialised(session: Session) -> bool:
    """True when the folder has an agency profile and an active administrator."""
    if _profile(session) is None:
        return False
    admins = session.execute(
        select(func.count(User.id)).where(User.role == Role.ADMIN.value, User.active.is_(True),
                                          User.deleted_at.is_(None))
    ).scalar_one()
    return admins > 0
