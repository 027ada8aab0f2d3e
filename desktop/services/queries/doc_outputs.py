"""The one entry point for a document's data: `prepare(session, request, store_dir=…)`.

Each kind's reader is registered (`doc_data.output`) by the module that reads it: doc_data
(inspection record, training, drill, archive), doc_data_letters (notices and reports on a
hazard or an escalation), doc_data_periodic (the period lists and reports), doc_data_plans,
doc_data_meetings, doc_data_prevention, doc_data_submissions and key_letter. This module sits
above them, so none of them needs to import another to dispatch, and it imports only the one
that reads the kind asked for: a hazard list does not load the fee ledger's openpyxl or the
letters' layouts (`READERS` names them; a test checks it against what each module registers).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from sqlalchemy.orm import Session

from desktop.services.queries import doc_data

PACKAGE = "desktop.services.queries"

# kind → the module (in this package) whose import registers its reader
READERS: dict[str, str] = {
    "inspection_record": "doc_data",
    "training_record": "doc_data",
    "drill_record": "doc_data",
    "archive_catalogue": "doc_data",
    "destruction_form": "doc_data",
    "rectification_notice": "doc_data_letters",
    "stop_work": "doc_data_letters",
    "hazard_report": "doc_data_letters",
    "closure_record": "doc_data_letters",
    "refusal_report": "doc_data_letters",
    "kickoff_record": "doc_data_meetings",
    "hazard_list": "doc_data_periodic",
    "safety_analysis": "doc_data_periodic",
    "risk_assessment": "doc_data_periodic",
    "self_check": "doc_data_periodic",
    "service_plan": "doc_data_plans",
    "special_plan": "doc_data_plans",
    "emergency_plan_advice": "doc_data_prevention",
    "fee_ledger": "doc_data_prevention",
    "submission_register": "doc_data_submissions",
    "key_letter": "key_letter",
}


def load_reader(kind: str) -> None:
    """Import the module that registers `kind`'s reader (a no-op once imported)."""
    importlib.import_module(f"{PACKAGE}.{READERS[kind]}")


def prepare(session: Session, req: doc_data.Request, *, store_dir: Path | str) -> doc_data.Output:
    """Read everything the document needs and return it with its builders (nothing is written)."""
    doc_data.check_scope(session, req.kind, req.scope_type, req.scope_id, req.period)
    load_reader(req.kind)
    return doc_data.output_for(req.kind)(session, req, store_dir)
