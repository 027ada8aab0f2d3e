"""What a periodic document can be drafted for: projects, insurers or authorities found by typing.

An agency may serve 5,000 projects; the draft dialog lists only the first matches of what was
typed (id and label, nothing heavier), and says when there are more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from desktop.models import Organisation, Project
from desktop.services.context import ValidationError, msg

SCOPE_TYPES = ("project", "insurer", "authority")  # besides the whole agency, which needs no id
LIMIT = 50


@dataclass(frozen=True)
class ScopeChoice:
    id: int
    text: str  # a project as "编号 名称", an organisation by its name


@dataclass(frozen=True)
class ScopeMatches:
    choices: tuple[ScopeChoice, ...]
    more: bool  # more matched than were listed: the user should type more


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _words(columns: Iterable[InstrumentedAttribute[str]], text: str) -> list[ColumnElement[bool]]:
    """Every typed word found in one of the columns (any case)."""
    return [or_(*(c.ilike(f"%{_escape_like(word)}%", escape="\\") for c in columns))
            for word in text.split()]


def search(session: Session, scope_type: str, text: str = "", *,
           limit: int = LIMIT) -> ScopeMatches:
    """The first `limit` projects (by code) or organisations of the kind (by name) matching
    every word of `text`; deleted ones are left out, completed projects are kept (a report
    on a past period may concern them)."""
    if scope_type not in SCOPE_TYPES:
        raise ValidationError({"scope_type": msg("范围须为项目、承保机构或建设主管部门")})
    if scope_type == "project":
        stmt = (select(Project.id, Project.code, Project.name)
                .where(Project.deleted_at.is_(None),
                       *_words((Project.code, Project.name), text))
                .order_by(Project.code))
        rows = session.execute(stmt.limit(limit + 1)).all()
        choices = [ScopeChoice(r.id, f"{r.code} {r.name}") for r in rows]
    else:
        orgs = (select(Organisation.id, Organisation.name)
                .where(and_(Organisation.kind == scope_type, Organisation.deleted_at.is_(None)),
                       *_words((Organisation.name, Organisation.short_name), text))
                .order_by(Organisation.name))
        choices = [ScopeChoice(r.id, r.name) for r in session.execute(orgs.limit(limit + 1))]
    return ScopeMatches(tuple(choices[:limit]), len(choices) > limit)
