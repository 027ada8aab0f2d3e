"""The demo's signed documents state no fact dated after themselves (review 15, D13): the year is
written in time order, so a periodic hazard list reads the closures made by its signature and no
later one; an inspection is confirmed on site on its own day; a stop-work suggestion is signed
the day its hazard is found; an inspection names only the stage its day falls in (D12)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from desktop.models import AuditEntry, Document, Hazard, HazardEvent, Inspection, ProjectStage
from desktop.services import inspections
from tests.services.test_demo import _generate


@pytest.mark.slow
def test_demo_documents_are_dated_on_or_after_the_facts_they_state(tmp_path):
    db, _config, _summary = _generate(tmp_path, projects=4, seed=5)
    try:
        with db.read() as s:
            staged = confirmed = 0
            for i in s.execute(select(Inspection).where(Inspection.deleted_at.is_(None))).scalars():
                if i.stage_id is not None:
                    staged += 1
                    assert inspections.stage_problem(s.get(ProjectStage, i.stage_id), i.date) is None, i.id
                if i.site_confirmed_at is not None:
                    confirmed += 1
                    assert i.site_confirmed_at.date() == i.date, (i.id, i.date, i.site_confirmed_at)
            assert staged and confirmed

            letters = s.execute(select(Document, Hazard).join(Hazard, Hazard.id == Document.scope_id).where(
                Document.kind == "stop_work", Document.status == "signed")).all()
            assert letters
            for doc, hazard in letters:
                assert doc.signed_at.date() == hazard.found_at.date() and doc.signed_at >= hazard.found_at

            # a closure written before a list's signature (the audit log's order) is dated by it
            closed_at = dict(s.execute(select(HazardEvent.hazard_id, HazardEvent.at).where(
                HazardEvent.kind == "verify_close")).all())
            closures = s.execute(select(AuditEntry.id, AuditEntry.entity_id).where(
                AuditEntry.entity == "hazards", AuditEntry.action == "verify_close")).all()
            signatures = s.execute(select(AuditEntry.id, Document.signed_at, Document.number)
                                   .join(Document, Document.id == AuditEntry.entity_id).where(
                AuditEntry.entity == "documents", AuditEntry.action == "sign",
                Document.kind.in_(("hazard_list", "safety_analysis")))).all()
            assert signatures and closures
            before = after = 0
            for sign_id, signed_at, number in signatures:
                for audit_id, hazard_id in closures:
                    if audit_id < sign_id:
                        before += 1
                        assert closed_at[hazard_id] <= signed_at, (number, signed_at, closed_at[hazard_id])
                    else:
                        after += 1
            assert before and after  # written in time order: some closures came after some lists
    finally:
        db.dispose()
