"""The demo's periodic outputs and signing key: a mostly diligent year's paperwork. Past periods'
outputs are signed and logged as sent before their deadlines, with a believable few not; the
agency's key exists, so a 公钥登记函 can be drafted."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from desktop.models import Document, Submission, User
from desktop.services import compliance, documents, signing, submissions_due
from desktop.services.context import Actor, now
from desktop.services.periods import parse
from desktop.services.queries import dashboard, doc_data_submissions
from tests.services.test_demo import _generate


@pytest.mark.slow
def test_demo_leaves_outputs_sent_a_few_unsent_and_a_key_to_write_to_insurers_about(tmp_path):
    db, config, summary = _generate(tmp_path, projects=6, seed=2024)
    today = now().date()
    with db.read() as s:
        pending = dashboard.summary(s).get("unsubmitted").count
        # one old output not logged to one authority, the latest month's (and quarter's) coming due:
        # not a failing agency's 54
        assert 1 <= pending <= 7
        overdue = submissions_due.unsubmitted(s, today)
        assert 1 <= len(submissions_due.by_output(overdue)) <= 4  # and the latest month's, after its 10th
        assert any(o.recipient == "authority" for o in overdue)
        assert summary.unsent >= 1
        year_start = dt.date(today.year, 1, 1) if today.month > 1 else dt.date(today.year - 1, 1, 1)
        register = doc_data_submissions.lines(s, "agency", None, year_start, today)
        assert len(register) >= 10
        docs = s.execute(select(Document).where(Document.kind.in_(compliance.DOC_KINDS))).scalars().all()
        assert docs and {d.status for d in docs} == {"signed"}
        assert all(d.signed_by_id != d.created_by_id for d in docs)
        subs = s.execute(select(Submission)).scalars().all()
        by_doc = {d.id: d for d in docs}
        late = set()
        for sub in subs:
            doc = by_doc[sub.document_id]
            kind = "month" if "-" in doc.period else "quarter" if "Q" in doc.period else "year"
            due = compliance.output_deadline(s, parse(doc.period), kind)
            assert doc.signed_at <= sub.submitted_at and doc.signed_at.date() > parse(doc.period).end
            if sub.submitted_at.date() > due:
                late.add(doc.period)
        assert len(late) <= 1  # one output sent a few days late at most
        assert signing.registered_public_key(s) is not None
    with db.session() as s:
        clerk = s.execute(select(User).where(User.role == "clerk")).scalars().first()
        actor = Actor(clerk.id, clerk.username, clerk.role, clerk.display_name)
        row = documents.generate_draft(s, actor, kind="key_letter", scope_type="agency", scope_id=None,
                                       store_dir=config.attachments_dir, work_dir=tmp_path / "work")
        assert row.status == "draft" and row.kind == "key_letter"
