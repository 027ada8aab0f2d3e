"""报送登记簿: every submission logged in a period (documents.record_submission), for the whole
agency, one project, or what went to one insurer or one authority."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import Document, Escalation, Hazard, Organisation, Project, Submission, User
from desktop.models.enums import Recipient
from desktop.reports import prevention_docs
from desktop.reports.prevention_docs import SubmissionLine, SubmissionRegisterData
from desktop.services.periods import parse
from desktop.services.queries import doc_data
from desktop.services.queries.doc_data import Output, Request, issuer, meta, output
from desktop.services.queries.doc_data_periodic import scope_of

SUBMISSION_REGISTER = "submission_register"


def _printed(doc: Document) -> str:
    return f"{doc.number}（第{doc.revision}版）" if doc.revision > 1 else doc.number


def _project_id(session: Session, doc: Document) -> int | None:
    """The project a document is about, when it is about one project."""
    if doc.scope_type == "project":
        return doc.scope_id
    if doc.scope_type == "escalation":
        esc = session.get(Escalation, doc.scope_id)
        return session.get_one(Hazard, esc.hazard_id).project_id if esc is not None else None
    model = doc_data.scope_model(doc.scope_type)
    row = session.get(model, doc.scope_id) if model is not None and doc.scope_id is not None else None
    return getattr(row, "project_id", None)


def lines(session: Session, scope_type: str, scope_id: int | None, start: dt.date,
          end: dt.date) -> list[SubmissionLine]:
    """Submissions logged from `start` to `end` (inclusive, the agency's days), oldest first:
    all of them (agency), those to the insurer or authority named, or those of a project's
    documents."""
    stmt = (select(Submission, Document, Organisation.name, User.display_name)
            .join(Document, Document.id == Submission.document_id)
            .outerjoin(Organisation, Organisation.id == Submission.recipient_org_id)
            .outerjoin(User, User.id == Submission.submitted_by_id)
            .where(Submission.deleted_at.is_(None),
                   Submission.submitted_at >= dt.datetime.combine(start, dt.time()),
                   Submission.submitted_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time())))
    if scope_type in ("insurer", "authority"):
        stmt = stmt.where(Submission.recipient == scope_type, Submission.recipient_org_id == scope_id)
    rows = session.execute(stmt.order_by(Submission.submitted_at, Submission.id)).all()
    out: list[SubmissionLine] = []
    names: dict[int, str] = {}
    for sub, doc, org, who in rows:
        pid = _project_id(session, doc)
        if scope_type == "project" and pid != scope_id:
            continue
        if pid is not None and pid not in names:
            names[pid] = session.get_one(Project, pid).name
        label = Recipient(sub.recipient).label if Recipient.known(sub.recipient) \
            else sub.recipient
        out.append(SubmissionLine(_printed(doc), doc.title, names.get(pid, "") if pid else "",
                                  str(label), org or "", sub.channel, sub.submitted_at, who or ""))
    return out


@output(SUBMISSION_REGISTER)
def _register(session: Session, req: Request, store_dir: Path | str) -> Output:
    period, scope = parse(req.period), scope_of(session, req.scope_type, req.scope_id)
    label = scope.label if scope.type in ("agency", "project") else \
        f"报送{scope.name}"
    data = SubmissionRegisterData(
        meta(session, req, f"{period.chinese}报送登记簿", store_dir), label,
        f"{period.chinese}（{period.start} 至 {period.end}）",
        tuple(lines(session, req.scope_type, req.scope_id, period.start, period.end)),
        req.prepared_by, issuer(req))
    return Output(data, data.meta.title, prevention_docs.build_submission_register)
