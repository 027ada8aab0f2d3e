"""Periodic outputs not yet logged as sent (待报送): each month's, quarter's and year's hazard
list, safety analysis and risk assessment owed to each insurer and construction authority, as the
self-check's "及时将服务成果上报承保机构和属地建设主管部门" reads it (compliance.owed_outputs,
output_recipients, output_deadline), with no submission logged in the 报送登记簿
(documents.record_submission) for a signed document of that kind and period.

The dashboard's 待报送 count and the duties list's 成果报送 rows are both this list, gathered per
output (`by_output`): one reading.
The month-end batch sends each document to the same recipients (`period_recipients`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.messages import Message, msg
from desktop.models import Document, Organisation, Project, Submission
from desktop.services import compliance, obligations
from desktop.services.periods import Period, parse

LOOKBACK_DAYS = 365  # older gaps are that year's self-check, not today's desk
KINDS = ("month", "quarter", "year")


@dataclass(frozen=True)
class Owed:
    """One output owed to one recipient and not logged as sent to it."""

    period: str  # 2026-11, 2026Q4, 2026
    kind: str  # a key of compliance.DOC_KINDS
    title: Message  # 2026年11月隐患排查及问题整改清单
    deadline: dt.date
    recipient: str  # insurer / authority
    org_id: int
    org_name: str
    document_id: int | None  # the signed document to send, when there is one

    @property
    def text(self) -> Message:
        return msg("{what}未报送{to}（应于 {deadline} 前）", what=self.title, to=self.org_name,
                   deadline=self.deadline)


@dataclass(frozen=True)
class OwedOutput:
    """One output with every recipient it has not been logged as sent to: a row of 待报送."""

    period: str
    kind: str
    title: Message
    deadline: dt.date
    recipients: tuple[str, ...]  # the insurers' and authorities' names
    document_id: int | None

    @property
    def text(self) -> Message:
        return msg("{what}未报送{to}（应于 {deadline} 前）", what=self.title, to="、".join(self.recipients),
                   deadline=self.deadline)


def by_output(owed: list[Owed]) -> list[OwedOutput]:
    """The (output, recipient) pairs gathered per output, in the same order."""
    grouped: dict[tuple[str, str], list[Owed]] = {}
    for o in owed:
        grouped.setdefault((o.period, o.kind), []).append(o)
    return [OwedOutput(rows[0].period, rows[0].kind, rows[0].title, rows[0].deadline,
                       tuple(o.org_name for o in rows), rows[0].document_id) for rows in grouped.values()]


def period_recipients(session: Session, period: Period, candidates: list[int] | None = None,
                      scope_type: str = "agency", scope_id: int | None = None,
                      upto: dt.date | None = None, *,
                      known: dict[int, Project] | None = None) -> list[tuple[str, int]]:
    """The insurers and authorities a period's outputs go to, as the self-check counts them
    (`compliance.period_recipients`, the one reading); `upto` None: the span's end."""
    return compliance.period_recipients(session, period, period.end if upto is None else upto, candidates,
                                        scope_type, scope_id, known=known)


def _periods(session: Session, today: dt.date, until: dt.date,
             known: dict[int, Project]) -> list[tuple[Period, dt.date]]:
    """Months, quarters and years begun by today whose deadline falls from a year back to `until`
    (`known`: every live project, by id)."""
    since = today - dt.timedelta(days=LOOKBACK_DAYS)
    deadlines = compliance.deadlines_setting(session)
    out = []
    for kind in KINDS:
        day = today
        while True:
            p = parse({"month": f"{day.year}-{day.month:02d}",
                       "quarter": f"{day.year}Q{(day.month - 1) // 3 + 1}", "year": str(day.year)}[kind])
            due = compliance.output_deadline(session, p, kind, deadlines=deadlines)
            if due < since:
                break
            if due <= until and obligations.served(known.values(), p.start, min(p.end, today)):
                out.append((p, due))
            day = p.start - dt.timedelta(days=1)
    return out


def unsubmitted(session: Session, today: dt.date, *, until: dt.date | None = None) -> list[Owed]:
    """Every (output, recipient) due by `until` (default today) within the last year and not
    logged as sent, by deadline."""
    until = today if until is None else until
    known = {p.id: p for p in session.execute(select(Project).where(Project.deleted_at.is_(None))).scalars()}
    periods = _periods(session, today, until, known)
    if not periods:
        return []
    labels = [p.label for p, _ in periods]
    docs = session.execute(select(Document.id, Document.kind, Document.period).where(
        Document.kind.in_(compliance.DOC_KINDS), Document.period.in_(labels),
        Document.status.in_(("signed", "superseded")), Document.deleted_at.is_(None))
        .order_by(Document.id)).all()
    by_output: dict[tuple[str, str], list[int]] = {}
    for doc_id, kind, label in docs:
        by_output.setdefault((kind, label), []).append(doc_id)
    sent = {(doc_id, role, org) for doc_id, role, org in session.execute(
        select(Submission.document_id, Submission.recipient, Submission.recipient_org_id).where(
            Submission.document_id.in_([d[0] for d in docs]), Submission.deleted_at.is_(None)))}
    spans: dict[str, list[tuple[str, int]]] = {}  # the months of a quarter share its recipients
    recipients = {}
    for p, _ in periods:
        span = compliance.recipient_span(p).label
        if span not in spans:
            spans[span] = period_recipients(session, p, upto=today, known=known)
        recipients[p.label] = spans[span]
    orgs = {o for rs in recipients.values() for _, o in rs}
    names = dict(session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_(orgs))).all()) if orgs else {}
    out = []
    for p, due in periods:
        for kind, title in compliance.DOC_KINDS.items():
            ids = by_output.get((kind, p.label), [])
            for role, org in recipients[p.label]:
                if any((d, role, o) in sent for d in ids for o in (org, None)):
                    continue
                # the current signed revision is the one to send
                out.append(Owed(p.label, kind, msg("{period}{title}", period=p.chinese, title=title), due,
                                role, org, names.get(org, ""), ids[-1] if ids else None))
    return sorted(out, key=lambda o: (o.deadline, o.period, list(compliance.DOC_KINDS).index(o.kind),
                                      o.recipient, o.org_name))
