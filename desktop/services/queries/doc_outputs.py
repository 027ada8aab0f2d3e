"""The one entry point for a document's data: `prepare(session, request, store_dir=…)`.

Each kind's reader is registered (`doc_data.output`) by the module that reads it: doc_data
(inspection record, service plan, training, drill, archive), doc_data_letters (notices and
reports on a hazard or an escalation) and doc_data_periodic (the period lists and reports).
This module sits above the three, so none of them needs to import another to dispatch.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from desktop.services.queries import (  # noqa: F401 - they register  # noqa: F401 - they register
    doc_data,
    doc_data_letters,
    doc_data_meetings,
    doc_data_periodic,
    doc_data_plans,  # noqa: F401 - it registers
    doc_data_prevention,
    doc_data_submissions,
    key_letter,  # noqa: F401 - it registers too
)


def prepare(session: Session, req: doc_data.Request, *, store_dir: Path | str) -> doc_data.Output:
    """Read everything the document needs and return it with its builders (nothing is written)."""
    doc_data.check_scope(session, req.kind, req.scope_type, req.scope_id, req.period)
    return doc_data.output_for(req.kind)(session, req, store_dir)
