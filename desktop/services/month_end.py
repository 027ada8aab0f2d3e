"""Month-end in one run (issue 16 §5): every periodic output due for a period and a scope
drafted, then signed and logged as submitted in batch.

What is due is the self-check's own reading (compliance.owed_outputs, output_recipients): the
months, quarters and years ending in the chosen period that had a project in service, each
with its hazard list, safety analysis and risk assessment, sent to each insurer and authority.
Drafting, signing and logging go through the documents service one document at a time, each
in its own committed unit of work: a cancel keeps the documents done and never leaves one
half made; a refusal (编制人与审核人不能为同一人 …) is reported for its row, the rest go on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import Document
from desktop.services import compliance, documents, obligations
from desktop.services.context import (
    Actor,
    Cancelled,
    Changes,
    Message,
    ServiceError,
    ValidationError,
    msg,
    now,
)
from desktop.services.documents import DocumentRow
from desktop.services.periods import Period, parse
from desktop.services.submissions_due import period_recipients

Progress = Callable[[int, int, str], bool]
UnitOfWork = Callable[[], contextlib.AbstractContextManager[Session]]


@dataclass(frozen=True)
class Planned:
    """One periodic document the period owes for the scope, and where it stands."""

    kind: str
    period: str  # the sub-period's label: 2026-06, 2026Q2, 2026
    title: Message  # 2026年6月隐患排查及问题整改清单
    document_id: int | None = None  # an existing draft (re-drafted) or signed document
    status: str = ""  # "" none yet / draft / signed


@dataclass(frozen=True)
class RowOutcome:
    document_id: int
    title: str
    ok: bool
    message: str = ""  # the refusal, in the service's words


@dataclass
class BatchResult:
    drafted: list[DocumentRow] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)
    changes: Changes = field(default_factory=lambda: Changes(documents=True))

    @property
    def refused(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if not o.ok]


def _period(label: str) -> Period:
    try:
        return parse(label)
    except ValueError as exc:
        raise ValidationError({"period": exc.args[0]}) from None


def plan(session: Session, *, period: str, scope_type: str, scope_id: int | None,
         as_of: dt.date | None = None) -> list[Planned]:
    """The periodic documents due for the months, quarters and years ending in `period`."""
    chosen = _period(period)
    as_of = as_of or now().date()
    if chosen.start > as_of:
        raise ValidationError({"period": msg("{period}尚未开始", period=chosen.chinese)})
    _, candidates = compliance.resolve_scope(session, scope_type, scope_id)
    upto = min(chosen.end, as_of)
    pids = obligations.projects_in_service(session, chosen.start, upto, candidates)
    year = parse(str(chosen.end.year))
    owed = [p for p, _ in compliance.owed_outputs(session, year, upto, pids)
            if chosen.start <= p.end <= chosen.end]
    scope_id = None if scope_type == "agency" else scope_id
    existing = {(d.kind, d.period): d for d in session.execute(select(Document).where(
        Document.kind.in_(compliance.DOC_KINDS), Document.scope_type == scope_type,
        Document.scope_id.is_(None) if scope_id is None else Document.scope_id == scope_id,
        Document.period.in_([p.label for p in owed]), Document.supersedes_id.is_(None),
        Document.deleted_at.is_(None)).order_by(Document.id)).scalars()}
    out = []
    for p in owed:
        for kind, title in compliance.DOC_KINDS.items():
            doc = existing.get((kind, p.label))
            out.append(Planned(kind, p.label, msg("{period}{title}", period=p.chinese, title=title),
                               doc.id if doc else None, doc.status if doc else ""))
    return out


def draft_all(unit_of_work: UnitOfWork, actor: Actor, *, period: str, scope_type: str,
              scope_id: int | None, store_dir: Path | str, work_dir: Path | str,
              progress: Progress | None = None) -> BatchResult:
    """Draft every due document not yet signed, one committed unit of work each.
    `progress` returning False stops before the next document and raises Cancelled."""
    with unit_of_work() as session:
        todo = [p for p in plan(session, period=period, scope_type=scope_type, scope_id=scope_id)
                if p.status != "signed"]
    result = BatchResult()
    for done, item in enumerate(todo):
        text = msg("正在生成 {title}（{n}/{total}）", title=item.title, n=done + 1, total=len(todo))
        if progress is not None and not progress(done, len(todo), text):
            raise Cancelled(msg("已取消：已生成 {n} 份草稿，其余未生成。", n=len(result.drafted)))
        try:
            with unit_of_work() as session:
                row = documents.generate_draft(session, actor, kind=item.kind, scope_type=scope_type,
                                               scope_id=scope_id, period=item.period,
                                               store_dir=store_dir, work_dir=work_dir)
        except ServiceError as exc:
            result.outcomes.append(RowOutcome(item.document_id or 0, str(item.title), False, str(exc)))
            continue
        result.drafted.append(row)
        result.outcomes.append(RowOutcome(row.id, row.title, True))
        result.changes.touch("documents", row.id)
    if progress is not None:
        progress(len(todo), len(todo), msg("已完成"))
    return result


def sign_all(unit_of_work: UnitOfWork, actor: Actor, document_ids: Sequence[int], *,
             store_dir: Path | str, work_dir: Path | str, progress: Progress | None = None) -> BatchResult:
    """签发 each reviewed draft through documents.sign; each refusal is kept for its row."""
    result = BatchResult()
    for done, doc_id in enumerate(document_ids):
        if progress is not None and not progress(done, len(document_ids),
                                                 msg("正在签发（{n}/{total}）", n=done + 1, total=len(document_ids))):
            raise Cancelled(msg("已取消：已签发 {n} 份，其余未签发。",
                                n=sum(1 for o in result.outcomes if o.ok)))
        title = ""
        try:
            with unit_of_work() as session:
                row = documents.get(session, doc_id)
                title = row.title
                signed = documents.sign(session, actor, doc_id, expected_version=row.version,
                                        store_dir=store_dir, work_dir=work_dir)
        except ServiceError as exc:
            result.outcomes.append(RowOutcome(doc_id, title, False, str(exc)))
            continue
        result.outcomes.append(RowOutcome(doc_id, signed.title, True))
        result.changes.touch("documents", doc_id)
    if progress is not None:
        progress(len(document_ids), len(document_ids), msg("已完成"))
    return result


def recipients(session: Session, document_id: int) -> list[tuple[str, int]]:
    """The insurers and authorities a periodic document goes to, as the self-check and the
    dashboard's 待报送 count them (submissions_due.period_recipients)."""
    doc = documents.get(session, document_id)
    _, candidates = compliance.resolve_scope(session, doc.scope_type, doc.scope_id)
    return period_recipients(session, _period(doc.period), candidates, doc.scope_type, doc.scope_id,
                             upto=now().date())


def submit_all(unit_of_work: UnitOfWork, actor: Actor, document_ids: Sequence[int], *, channel: str,
               submitted_at: dt.datetime | None = None, note: str = "",
               progress: Progress | None = None) -> BatchResult:
    """Log each signed document as sent to each of its recipients not yet logged, with the
    channel and time given; one unit of work per document."""
    if not channel.strip():
        raise ValidationError({"channel": msg("请填写报送方式（系统、邮件、书面、传真等）")})
    result = BatchResult()
    for done, doc_id in enumerate(document_ids):
        if progress is not None and not progress(done, len(document_ids),
                                                 msg("正在登记报送（{n}/{total}）", n=done + 1, total=len(document_ids))):
            raise Cancelled(msg("已取消：已登记 {n} 份文书的报送，其余未登记。",
                                n=sum(1 for o in result.outcomes if o.ok)))
        title = ""
        try:
            with unit_of_work() as session:
                title = documents.get(session, doc_id).title
                logged = {(s.recipient, s.recipient_org_id) for s in documents.submissions(session, doc_id)}
                for role, org in recipients(session, doc_id):
                    if (role, org) not in logged:
                        documents.record_submission(session, actor, doc_id, recipient=role,
                                                    recipient_org_id=org, submitted_at=submitted_at,
                                                    channel=channel, note=note)
        except ServiceError as exc:
            result.outcomes.append(RowOutcome(doc_id, title, False, str(exc)))
            continue
        result.outcomes.append(RowOutcome(doc_id, title, True))
        result.changes.touch("documents", doc_id)
    if progress is not None:
        progress(len(document_ids), len(document_ids), msg("已完成"))
    return result
