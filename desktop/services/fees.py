"""Prevention-fee ledger per policy (N-17, 据实列支 专款专用): budget, services delivered and their cost, balance."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from desktop.models import (
    Drill,
    EmergencyPlanAssist,
    FeeEntry,
    Inspection,
    Organisation,
    Policy,
    Project,
    TrainingAttendance,
    TrainingSession,
)
from desktop.models.enums import InspectionKind
from desktop.services import audit, permissions
from desktop.services.context import Actor, ValidationError, get_live, msg, now

KINDS = {"budget": msg("预算（预防费用拨付）"), "service": msg("服务支出"), "adjustment": msg("调整")}
SERVICE_KINDS = {
    "inspection": msg("风险辨识与隐患排查"), "training": msg("安全教育培训"), "drill": msg("应急演练"),
    "emergency_plan": msg("应急预案编制"), "report": msg("服务成果与报告"),
    "consulting": msg("技术咨询"), "other": msg("其他"),
}
# what a service entry may point at, and the service kind it belongs to
# each a mapped class, read through the columns they share (id, date, project_id, deleted_at)
REF_TYPES: dict[str, tuple[Any, str]] = {"inspection": (Inspection, "inspection"), "training_session": (TrainingSession, "training"),
             "drill": (Drill, "drill"), "emergency_plan_assist": (EmergencyPlanAssist, "emergency_plan")}
CENT = Decimal("0.01")


@dataclass(frozen=True)
class ServiceRecord:
    """A service on record that a fee entry may book: what it is, when, and its title."""

    ref_type: str  # a key of REF_TYPES
    ref_id: int
    service_kind: str  # the fee entry's service kind it implies
    date: dt.date
    title: str
    booked: bool = False  # already booked by a live entry of this policy
    deleted: bool = False  # the record was deleted since it was booked


@dataclass(frozen=True)
class FeeForm:
    date: dt.date
    kind: str
    amount: Decimal | str
    service_kind: str = ""
    description: str = ""
    ref_type: str = ""
    ref_id: int | None = None


@dataclass(frozen=True)
class FeeRow:
    id: int
    policy_id: int
    date: dt.date
    kind: str
    service_kind: str
    description: str
    amount: Decimal
    ref_type: str
    ref_id: int | None
    balance: Decimal  # running balance after this entry
    record: ServiceRecord | None = None  # the service record the entry books, if linked


@dataclass(frozen=True)
class ServiceLine:
    service_kind: str
    label: str
    delivered: int  # services on record within the policy period
    booked: int  # service entries in the ledger
    amount: Decimal


@dataclass(frozen=True)
class Ledger:
    policy_id: int
    policy_no: str
    project_id: int
    project_name: str
    insurer_id: int
    insurer_name: str
    start_date: dt.date | None
    end_date: dt.date | None
    prevention_fee: Decimal | None  # as stated in the policy
    budget: Decimal
    adjustments: Decimal
    spent: Decimal
    entries: tuple[FeeRow, ...]
    services: tuple[ServiceLine, ...]

    @property
    def balance(self) -> Decimal:
        return self.budget + self.adjustments - self.spent

    @property
    def overspent(self) -> bool:
        return self.balance < 0

    @property
    def budget_differs(self) -> bool:
        """The budget entered differs from the prevention fee stated in the policy."""
        return self.prevention_fee is not None and self.budget != self.prevention_fee

    @property
    def has_budget(self) -> bool:
        return self.budget > 0

    @property
    def unbooked(self) -> int:
        return sum(max(0, s.delivered - s.booked) for s in self.services)


def _policy(session: Session, policy_id: int) -> Policy:
    return get_live(session, Policy, policy_id, msg("保单不存在或已删除。"))


def _amount(value: Decimal | str, errors: dict[str, str]) -> Decimal:
    try:
        return Decimal(str(value).replace(",", "").strip()).quantize(CENT)
    except InvalidOperation:
        errors["amount"] = msg("金额须为数字")
        return Decimal(0)


def _validate(session: Session, policy: Policy, form: FeeForm) -> tuple[Decimal, dict[str, str]]:
    errors: dict[str, str] = {}
    amount = _amount(form.amount, errors)
    if form.kind not in KINDS:
        errors["kind"] = msg("请选择预算、服务支出或调整")
    elif form.kind == "adjustment":
        if amount == 0 and "amount" not in errors:
            errors["amount"] = msg("调整金额不能为零")
        if not form.description.strip():
            errors["description"] = msg("调整须说明原因")
    elif amount <= 0 and "amount" not in errors:
        errors["amount"] = msg("金额须大于零")
    if abs(amount) >= Decimal("1e12"):
        errors["amount"] = msg("金额过大，请核对")
    if form.kind == "service" and form.service_kind not in SERVICE_KINDS:
        errors["service_kind"] = msg("请选择服务类别")
    if form.date > now().date():
        errors["date"] = msg("日期不能晚于今天")
    if form.ref_type or form.ref_id is not None:
        errors.update(_validate_ref(session, policy, form))
    return amount, errors


def _validate_ref(session: Session, policy: Policy, form: FeeForm) -> dict[str, str]:
    if form.kind != "service" or form.ref_type not in REF_TYPES or form.ref_id is None:
        return {"ref_id": msg("只有服务支出可关联服务记录（检查、培训、演练、应急预案）")}
    model, service_kind = REF_TYPES[form.ref_type]
    record = session.get(model, form.ref_id)
    if record is None or record.deleted_at is not None:
        return {"ref_id": msg("关联的服务记录不存在")}
    if form.ref_type == "training_session":
        belongs = session.execute(select(TrainingAttendance.id).where(
            TrainingAttendance.session_id == form.ref_id,
            TrainingAttendance.project_id == policy.project_id)).first() is not None
    else:
        belongs = record.project_id == policy.project_id
    if not belongs:
        return {"ref_id": msg("关联的服务记录不属于该保单的项目")}
    if form.service_kind != service_kind:
        return {"service_kind": msg("关联记录的服务类别应为“{kind}”", kind=SERVICE_KINDS[service_kind])}
    booked = session.execute(select(FeeEntry.id).where(
        FeeEntry.policy_id == policy.id, FeeEntry.ref_type == form.ref_type,
        FeeEntry.ref_id == form.ref_id, FeeEntry.deleted_at.is_(None))).first()
    return {"ref_id": msg("该服务记录已在台账中列支，不能重复列支")} if booked else {}


def add_entry(session: Session, actor: Actor, policy_id: int, form: FeeForm) -> FeeRow:
    permissions.require(actor, "fee.edit")
    policy = _policy(session, policy_id)
    amount, errors = _validate(session, policy, form)
    if errors:
        raise ValidationError(errors)
    entry = FeeEntry(policy_id=policy.id, date=form.date, kind=form.kind,
                     service_kind=form.service_kind if form.kind == "service" else "",
                     description=form.description.strip()[:300], amount=amount,
                     ref_type=form.ref_type, ref_id=form.ref_id, created_by_id=actor.user_id)
    session.add(entry)
    audit.record_create(session, actor, entry)
    return next(e for e in ledger(session, policy.id).entries if e.id == entry.id)


def ensure_budget(session: Session, actor: Actor, policy_id: int, *, date: dt.date | None = None) -> FeeRow | None:
    """Open the ledger with the policy's prevention fee as budget, unless a budget is there."""
    policy = _policy(session, policy_id)
    has = session.execute(select(FeeEntry.id).where(
        FeeEntry.policy_id == policy.id, FeeEntry.kind == "budget", FeeEntry.deleted_at.is_(None))).first()
    if has or not policy.prevention_fee:
        return None
    day = date or min(policy.start_date or now().date(), now().date())
    return add_entry(session, actor, policy.id, FeeForm(
        date=day, kind="budget", amount=policy.prevention_fee,
        description=f"保单 {policy.policy_no} 事故预防服务费用"))


def void_entry(session: Session, actor: Actor, entry_id: int, *, reason: str) -> None:
    """Take a wrong entry out of the ledger; it stays in the audit trail with the reason."""
    permissions.require(actor, "fee.edit")
    entry = get_live(session, FeeEntry, entry_id, msg("台账记录不存在或已作废。"))
    if not reason.strip():
        raise ValidationError({"reason": msg("请填写作废原因")})
    before = audit.snapshot(entry)
    entry.deleted_at = now()
    audit.record_update(session, actor, entry, before, action="void", note=reason.strip())


def _delivered(session: Session, scope: list[ColumnElement[bool]]) -> dict[int, Counter[str]]:
    """Services on record within each policy's period, per policy of the scope: one grouped
    count per kind of record, whatever the number of policies."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)

    def within(day: Any) -> ColumnElement[bool]:
        return and_(or_(Policy.start_date.is_(None), day >= Policy.start_date),
                    or_(Policy.end_date.is_(None), day <= Policy.end_date))

    for kind, model in (("inspection", Inspection), ("drill", Drill), ("emergency_plan", EmergencyPlanAssist)):
        stmt = select(Policy.id, func.count(model.id)).join(model, and_(
            model.project_id == Policy.project_id, model.deleted_at.is_(None), within(model.date)))
        for policy_id, n in session.execute(stmt.where(*scope).group_by(Policy.id)):
            counts[policy_id][kind] = n
    stmt = select(Policy.id, func.count(TrainingSession.id)).join(
        TrainingAttendance, TrainingAttendance.project_id == Policy.project_id).join(
        TrainingSession, and_(TrainingSession.id == TrainingAttendance.session_id,
                              TrainingSession.deleted_at.is_(None), within(TrainingSession.date)))
    for policy_id, n in session.execute(stmt.where(*scope).group_by(Policy.id)):
        counts[policy_id]["training"] = n
    return counts


def ledger(session: Session, policy_id: int, *, with_entries: bool = True) -> Ledger:
    """The ledger of one policy with running balance and services delivered against booked."""
    policy = _policy(session, policy_id)
    return _ledgers(session, [Policy.id == policy.id], with_entries=with_entries)[0]


def ledgers(session: Session, *, project_ids: list[int] | None = None, insurer_id: int | None = None,
            with_entries: bool = False) -> list[Ledger]:
    """Ledgers of every policy in a scope (for lists, the self-check and the insurer's package)."""
    scope: list[ColumnElement[bool]] = [Policy.deleted_at.is_(None)]
    if project_ids is not None:
        scope.append(Policy.project_id.in_(project_ids))
    if insurer_id is not None:
        scope.append(Policy.insurer_id == insurer_id)
    return _ledgers(session, scope, with_entries=with_entries)


def _ledgers(session: Session, scope: list[ColumnElement[bool]], *, with_entries: bool) -> list[Ledger]:
    """The ledgers of the policies `scope` selects, read in a fixed number of statements (the
    self-check reads every policy of the agency: one ledger at a time cost seven statements
    a policy)."""
    policies = session.execute(
        select(Policy, Project.name, Organisation.name)
        .outerjoin(Project, Project.id == Policy.project_id)
        .outerjoin(Organisation, Organisation.id == Policy.insurer_id)
        .where(*scope).order_by(Policy.project_id, Policy.id)).all()
    if not policies:
        return []
    rows: dict[int, list[FeeEntry]] = defaultdict(list)
    for e in session.execute(select(FeeEntry).join(Policy, Policy.id == FeeEntry.policy_id).where(
            *scope, FeeEntry.deleted_at.is_(None))
            .order_by(FeeEntry.policy_id, FeeEntry.date, FeeEntry.id)).scalars():
        rows[e.policy_id].append(e)
    linked = _records(session, {(e.ref_type, e.ref_id) for es in rows.values() for e in es
                                if e.ref_type in REF_TYPES and e.ref_id is not None}) \
        if with_entries else {}
    delivered = _delivered(session, scope)
    return [_ledger(policy, project_name or "", insurer_name or "", rows[policy.id],
                    delivered[policy.id], linked, with_entries=with_entries)
            for policy, project_name, insurer_name in policies]


def _ledger(policy: Policy, project_name: str, insurer_name: str, rows: list[FeeEntry],
            delivered: Counter[str], linked: dict[tuple[str, int], ServiceRecord], *,
            with_entries: bool) -> Ledger:
    totals = {k: sum((e.amount for e in rows if e.kind == k), Decimal(0)) for k in KINDS}
    balance, entries = Decimal(0), []
    for e in rows:
        balance += -e.amount if e.kind == "service" else e.amount
        entries.append(FeeRow(e.id, e.policy_id, e.date, e.kind, e.service_kind, e.description,
                              e.amount, e.ref_type, e.ref_id, balance,
                              linked.get((e.ref_type, e.ref_id or 0))))
    services = tuple(
        ServiceLine(kind, label, delivered.get(kind, 0),
                    sum(1 for e in rows if e.kind == "service" and e.service_kind == kind),
                    sum((e.amount for e in rows if e.kind == "service" and e.service_kind == kind), Decimal(0)))
        for kind, label in SERVICE_KINDS.items())
    return Ledger(policy.id, policy.policy_no, policy.project_id, project_name,
                  policy.insurer_id, insurer_name, policy.start_date, policy.end_date,
                  policy.prevention_fee, totals["budget"], totals["adjustment"], totals["service"],
                  tuple(entries) if with_entries else (), services)


def _title(ref_type: str, obj: Any) -> str:
    if ref_type == "inspection":
        known = InspectionKind.known(obj.kind)
        kind = InspectionKind(obj.kind) if known else obj.kind
        where = obj.stage_name or obj.key_procedure
        return msg("{kind}（{where}）", kind=kind, where=where) if where else msg("{kind}", kind=kind)
    if ref_type == "training_session":
        return str(obj.topic)
    return str(obj.scenario if ref_type == "drill" else obj.title)


def _record(ref_type: str, obj: Any, booked: bool = False) -> ServiceRecord:
    return ServiceRecord(ref_type, obj.id, REF_TYPES[ref_type][1], obj.date, _title(ref_type, obj),
                         booked, obj.deleted_at is not None)


def _records(session: Session, keys: set[tuple[str, int]]) -> dict[tuple[str, int], ServiceRecord]:
    """The records these (ref_type, ref_id) pairs name, deleted ones too (marked as such)."""
    out: dict[tuple[str, int], ServiceRecord] = {}
    for ref_type, (model, _kind) in REF_TYPES.items():
        ids = [i for t, i in keys if t == ref_type]
        if ids:
            for obj in session.execute(select(model).where(model.id.in_(ids))).scalars():
                out[(ref_type, obj.id)] = _record(ref_type, obj, True)
    return out


def service_records(session: Session, policy_id: int) -> list[ServiceRecord]:
    """The policy's project's service records a fee entry may book (inspections, training
    attended by the project, drills, emergency-plan help), newest first; those already booked
    in this ledger are marked."""
    policy = _policy(session, policy_id)
    pid = policy.project_id
    booked = set(session.execute(select(FeeEntry.ref_type, FeeEntry.ref_id).where(
        FeeEntry.policy_id == policy.id, FeeEntry.deleted_at.is_(None), FeeEntry.ref_id.is_not(None))).all())
    out: list[ServiceRecord] = []
    for ref_type, (model, _kind) in REF_TYPES.items():
        if ref_type == "training_session":
            stmt = select(TrainingSession).join(
                TrainingAttendance, TrainingAttendance.session_id == TrainingSession.id).where(
                TrainingAttendance.project_id == pid, TrainingSession.deleted_at.is_(None))
        else:
            stmt = select(model).where(model.project_id == pid, model.deleted_at.is_(None))
        out += [_record(ref_type, obj, (ref_type, obj.id) in booked)
                for obj in session.execute(stmt).scalars()]
    order = list(REF_TYPES)
    return sorted(out, key=lambda r: (-r.date.toordinal(), order.index(r.ref_type), -r.ref_id))
