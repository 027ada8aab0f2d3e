"""Organisations (insurers, contractors, supervisors, owners, authorities) and their contacts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import Organisation
from desktop.models.enums import OrgKind
from desktop.services import audit, permissions
from desktop.services.context import Actor, ConflictError, ValidationError, get_live, get_row, msg


@dataclass(frozen=True)
class OrgRow:
    id: int
    kind: str
    name: str
    short_name: str
    district: str
    parent_id: int | None
    version: int = 0

    @property
    def kind_label(self) -> str:
        return OrgKind(self.kind).label


def _row(o: Organisation) -> OrgRow:
    return OrgRow(o.id, o.kind, o.name, o.short_name, o.district, o.parent_id, o.version or 0)


def ensure(session: Session, actor: Actor, *, kind: str, name: str, district: str = "",
           short_name: str = "", parent_id: int | None = None) -> OrgRow:
    """Find the organisation of this kind and name, or create it."""
    name = " ".join(name.split())
    if not OrgKind.known(kind):
        raise ValidationError({"kind": msg("单位类型无效")})
    if not name:
        raise ValidationError({"name": msg("请填写单位名称")})
    if len(name) > 200:
        raise ValidationError({"name": msg("单位名称不超过 200 个字符")})
    found = session.execute(
        select(Organisation).where(Organisation.kind == kind, Organisation.name == name)
    ).scalar_one_or_none()
    if found is not None:
        return _row(found)
    permissions.require(actor, "org.edit")
    org = Organisation(kind=kind, name=name, district=district, short_name=short_name,
                       parent_id=parent_id)
    session.add(org)
    audit.record_create(session, actor, org)
    return _row(org)


def list_orgs(session: Session, kind: str | None = None) -> list[OrgRow]:
    stmt = select(Organisation).where(Organisation.deleted_at.is_(None)).order_by(Organisation.name)
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    return [_row(o) for o in session.execute(stmt).scalars()]


def get(session: Session, org_id: int) -> OrgRow:
    org = get_row(session, Organisation, org_id, msg("单位不存在。"))
    return _row(org)


def update(session: Session, actor: Actor, org_id: int, *, name: str, short_name: str = "",
           district: str = "", expected_version: int) -> OrgRow:
    """Rename an organisation or change its short name and district (the preset authorities
    of a new install, corrected to the agency's own)."""
    permissions.require(actor, "org.edit")
    org = get_live(session, Organisation, org_id, msg("单位不存在。"))
    if org.version != expected_version:
        raise ConflictError(msg("该单位已被他人修改，请重新加载后再保存。"),
                            changed_at=org.updated_at)
    name, short_name, district = (" ".join(v.split()) for v in (name, short_name, district))
    errors = {}
    if not name:
        errors["name"] = msg("请填写单位名称")
    elif len(name) > 200:
        errors["name"] = msg("单位名称不超过 200 个字符")
    if len(short_name) > 50:
        errors["short_name"] = msg("简称不超过 50 个字符")
    if len(district) > 50:
        errors["district"] = msg("区县不超过 50 个字符")
    if not errors and name != org.name and session.execute(
            select(Organisation.id).where(Organisation.kind == org.kind, Organisation.name == name,
                                          Organisation.id != org.id)).first() is not None:
        errors["name"] = msg("已有同名的{kind}", kind=OrgKind(org.kind).label)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(org)
    org.name, org.short_name, org.district = name, short_name, district
    audit.record_update(session, actor, org, before)
    session.flush()
    return _row(org)
