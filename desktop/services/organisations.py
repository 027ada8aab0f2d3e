"""Organisations (insurers, contractors, supervisors, owners, authorities) and their contacts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import Organisation
from desktop.models.enums import OrgKind
from desktop.services import audit, permissions
from desktop.services.context import Actor, NotFound, ValidationError, msg


@dataclass(frozen=True)
class OrgRow:
    id: int
    kind: str
    name: str
    short_name: str
    district: str
    parent_id: int | None

    @property
    def kind_label(self) -> str:
        return OrgKind(self.kind).label


def _row(o: Organisation) -> OrgRow:
    return OrgRow(o.id, o.kind, o.name, o.short_name, o.district, o.parent_id)


def ensure(session: Session, actor: Actor, *, kind: str, name: str, district: str = "",
           short_name: str = "", parent_id: int | None = None) -> OrgRow:
    """Find the organisation of this kind and name, or create it."""
    name = " ".join(name.split())
    if kind not in OrgKind._value2member_map_:
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
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound(msg("单位不存在。"))
    return _row(org)
