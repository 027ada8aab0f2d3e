"""应急预案编制建议书 and 预防费用台账 from the records (the assistance record; a project's
fee ledgers, issue 15)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import EmergencyPlanAssist, Policy
from desktop.reports import prevention_docs, prevention_xlsx
from desktop.reports.prevention_docs import FeeLedgerData, FeeLine, PlanAdviceData, PolicyLedger
from desktop.services import fees
from desktop.services.context import msg
from desktop.services.periods import parse
from desktop.services.queries.doc_data import (
    Output,
    Request,
    issuer,
    load,
    meta,
    output,
    project_info,
    user_name,
)
from desktop.services.training import ASSIST_KINDS

PLAN_ADVICE = "emergency_plan_advice"
FEE_LEDGER = "fee_ledger"


# a suggestion recorded as "……（依据：《……》第……条）" (or "(basis: …)", as the English form
# says): its basis printed in its own column
_BASIS = re.compile(r"^(?P<text>.*?)\s*[（(]\s*(?:依据|basis)\s*[:：]\s*(?P<basis>[^（）()]+?)\s*[）)]"
                    r"\s*[。；;.]?$", re.IGNORECASE)


def suggestion(line: str) -> tuple[str, str]:
    """(suggestion, basis) of one line of an assistance record's summary ("" when none given)."""
    line = line.strip()
    found = _BASIS.match(line)
    if found is None or not found["text"]:
        return line, ""
    return found["text"], found["basis"]


@output(PLAN_ADVICE)
def _plan_advice(session: Session, req: Request, store_dir: Path | str) -> Output:
    a = load(session, EmergencyPlanAssist, req.scope_id, msg("应急预案协助记录"))
    suggestions = tuple(suggestion(line) for line in (a.summary or "").splitlines() if line.strip())
    data = PlanAdviceData(
        meta(session, req, "应急预案编制建议书", store_dir), project_info(session, a.project_id),
        a.title, ASSIST_KINDS.get(a.kind, a.kind), a.date, suggestions,
        user_name(session, a.created_by_id), issuer(req))
    return Output(data, data.meta.title, prevention_docs.build_plan_advice)


def policy_ledger(session: Session, policy_id: int, start: dt.date, end: dt.date) -> PolicyLedger:
    """One policy's ledger for the period start..end (inclusive): the entries of the period,
    the balance before it and the ledger's totals up to its end, as services/fees reads them."""
    led = fees.ledger(session, policy_id)
    upto = [e for e in led.entries if e.date <= end]
    before = [e for e in upto if e.date < start]
    lines = tuple(
        FeeLine(e.date, str(fees.KINDS[e.kind]).split("（")[0],
                str(fees.SERVICE_KINDS.get(e.service_kind, "")) if e.kind == "service" else "",
                e.record.title if e.record is not None and not e.description else e.description,
                None if e.kind == "service" else e.amount, e.amount if e.kind == "service" else None,
                e.balance)
        for e in upto if e.date >= start)

    def total(kind: str) -> Decimal:
        return sum((e.amount for e in upto if e.kind == kind), Decimal(0))

    return PolicyLedger(led.policy_no, led.insurer_name, led.start_date, led.end_date,
                        led.prevention_fee, before[-1].balance if before else Decimal(0), lines,
                        total("budget"), total("adjustment"), total("service"))


@output(FEE_LEDGER)
def _fee_ledger(session: Session, req: Request, store_dir: Path | str) -> Output:
    period = parse(req.period)
    project = project_info(session, req.scope_id)
    ids = session.execute(select(Policy.id).where(
        Policy.project_id == req.scope_id, Policy.deleted_at.is_(None))
        .order_by(Policy.start_date.nulls_last(), Policy.id)).scalars().all()
    data = FeeLedgerData(
        meta(session, req, f"{period.chinese}预防费用台账", store_dir), project,
        f"{period.chinese}（{period.start} 至 {period.end}）",
        tuple(policy_ledger(session, i, period.start, period.end) for i in ids),
        req.prepared_by, issuer(req))
    return Output(data, data.meta.title, prevention_docs.build_fee_ledger,
                  prevention_xlsx.build_fee_ledger_xlsx)
