"""The archive page's reads (the ledger filtered in SQL: ids, then rows; destruction requests) and
the approval recorded together with its scanned reply in one unit of work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from desktop.models import ArchiveItem, DestructionRequest, Project
from desktop.models.enums import ArchiveStatus as A
from desktop.models.enums import AttachmentRole
from desktop.services import archive
from desktop.services.archive import ArchiveRow, RequestRow
from desktop.services.context import Actor, ValidationError, msg, now
from desktop.services.exchange import attachments

DUE_DAYS = 90  # "due soon" on the page: the same window as archive.due_items
DUE_FILTERS = ("", "due_soon", "past")  # every item / retention ends within 90 days / ended
_SORTS = {"project": (Project.code, ArchiveItem.filed_at), "title": (ArchiveItem.title,),
          "filed_at": (ArchiveItem.filed_at,), "retention_until": (ArchiveItem.retention_until,),
          "box": (ArchiveItem.box,), "status": (ArchiveItem.status,)}


@dataclass(frozen=True)
class ArchiveFilter:
    project_id: int | None = None
    status: str = ""  # an ArchiveStatus value, or "" for every status
    due: str = ""  # one of DUE_FILTERS
    text: str = ""  # title, type, box or shelf


@dataclass(frozen=True)
class ProjectChoice:
    id: int
    code: str
    name: str
    completion_date: dt.date | None


@dataclass(frozen=True)
class LedgerCounts:
    total: int
    due_soon: int  # active, retention ends within DUE_DAYS (not yet ended)
    past: int  # active, retention ended


def project_choices(session: Session) -> list[ProjectChoice]:
    """Every project, completed ones included (their archives are the ones that expire)."""
    return [ProjectChoice(*r) for r in session.execute(select(
        Project.id, Project.code, Project.name, Project.completion_date)
        .where(Project.deleted_at.is_(None)).order_by(Project.code))]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(flt: ArchiveFilter, today: dt.date) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [ArchiveItem.deleted_at.is_(None)]
    if flt.project_id is not None:
        clauses.append(ArchiveItem.project_id == flt.project_id)
    if flt.status:
        clauses.append(ArchiveItem.status == flt.status)
    if flt.due:
        if flt.due not in DUE_FILTERS:
            raise ValidationError({"due": msg("到期筛选无效")})
        clauses += [ArchiveItem.status == A.ACTIVE, ArchiveItem.retention_until.is_not(None)]
        if flt.due == "past":
            clauses.append(ArchiveItem.retention_until <= today)
        else:
            clauses += [ArchiveItem.retention_until > today,
                        ArchiveItem.retention_until <= today + dt.timedelta(days=DUE_DAYS)]
    if flt.text.strip():
        like = f"%{_escape(flt.text.strip())}%"
        clauses.append(or_(*(c.like(like, escape="\\") for c in (
            ArchiveItem.title, ArchiveItem.doc_type, ArchiveItem.box, ArchiveItem.shelf))))
    return clauses


def item_ids(session: Session, flt: ArchiveFilter, *, today: dt.date | None = None,
             sort: str = "project", descending: bool = False) -> list[int]:
    today = today or now().date()
    columns = _SORTS.get(sort, _SORTS["project"])
    order = [c.desc() for c in columns] if descending else list(columns)
    stmt = select(ArchiveItem.id).join(Project, Project.id == ArchiveItem.project_id) \
        .where(*_where(flt, today)).order_by(*order, ArchiveItem.id)
    return list(session.execute(stmt).scalars())


def rows_by_ids(session: Session, ids: Sequence[int]) -> list[ArchiveRow]:
    if not ids:
        return []
    items = list(session.execute(select(ArchiveItem).where(ArchiveItem.id.in_(ids))).scalars())
    return archive._rows(session, items)  # the ledger's own row mapping, names looked up once


def counts(session: Session, *, today: dt.date | None = None) -> LedgerCounts:
    today = today or now().date()

    def count(flt: ArchiveFilter) -> int:
        return session.execute(select(func.count()).select_from(ArchiveItem)
                               .where(*_where(flt, today))).scalar_one()

    return LedgerCounts(count(ArchiveFilter()), count(ArchiveFilter(due="due_soon")),
                        count(ArchiveFilter(due="past")))


def requests(session: Session, *, open_only: bool = False) -> list[RequestRow]:
    """Destruction requests, newest first; `open_only` leaves out the rejected and the done."""
    stmt = select(DestructionRequest).where(DestructionRequest.deleted_at.is_(None))
    if open_only:
        stmt = stmt.where(DestructionRequest.status.in_(("requested", "approved")))
    found = session.execute(stmt.order_by(DestructionRequest.requested_at.desc(),
                                          DestructionRequest.id.desc())).scalars()
    return [archive.get_request(session, r.id) for r in found]


def approve_with_scan(session: Session, actor: Actor, request_id: int, *, expected_version: int,
                      approved_by_name: str, approved_at: dt.datetime, approval_ref: str,
                      scan: Path | str | None, store_dir: Path | str) -> RequestRow:
    """Keep the scanned written approval as the request's attachment and record the approval,
    both or neither (no scan: archive.record_approval refuses)."""
    attachment_id = None
    if scan is not None and str(scan).strip():
        try:
            stored = attachments.store_file(
                session, actor, store_dir=store_dir, path=Path(scan),
                owner_type="destruction_request", owner_id=request_id, role=AttachmentRole.SCAN,
                caption="承保机构书面批复")
        except ValidationError as exc:  # the file's problem belongs beside the file field
            problem = msg("{problems}", problems=list(exc.messages.values()))
            raise ValidationError({"approval_attachment_id": problem}) from None
        attachment_id = stored.id
    return archive.record_approval(
        session, actor, request_id, expected_version=expected_version,
        approved_by_name=approved_by_name, approved_at=approved_at, approval_ref=approval_ref,
        approval_attachment_id=attachment_id)
