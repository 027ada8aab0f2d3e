"""Prevention-fee ledger (N-17): budget, service entries linked to delivered services, balance, voiding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from desktop.models import AuditEntry
from desktop.services import fees, inspections, training
from desktop.services.context import NotFound, PermissionDenied, ValidationError
from tests.factories import make_project


@pytest.fixture
def proj(db, admin):
    with db.session() as s:
        return make_project(s, admin)  # policy prevention fee 24000, 2026-01-01 … 2027-12-31


def inspect(s, admin, project_id, day, kind="routine"):
    return inspections.record(s, admin, inspections.InspectionForm(
        project_id=project_id, kind=kind, date=day, inspector_ids=(admin.user_id,)))


def test_budget_from_policy_and_running_balance(db, admin, proj):
    with db.session() as s:
        budget = fees.ensure_budget(s, admin, proj.policy)
        assert budget.amount == Decimal("24000.00") and budget.date == dt.date(2026, 1, 1)
        assert fees.ensure_budget(s, admin, proj.policy) is None
        visit = inspect(s, admin, proj.project, dt.date(2026, 2, 3), "first_identification")
        fees.add_entry(s, admin, proj.policy, fees.FeeForm(
            date=dt.date(2026, 2, 5), kind="service", amount="3,500", service_kind="inspection",
            description="首次风险辨识", ref_type="inspection", ref_id=visit.id))
        fees.add_entry(s, admin, proj.policy, fees.FeeForm(
            date=dt.date(2026, 3, 1), kind="adjustment", amount="-1000", description="保单批改减少预防费用"))
        lg = fees.ledger(s, proj.policy)
    assert (lg.budget, lg.adjustments, lg.spent, lg.balance) == (
        Decimal("24000"), Decimal("-1000"), Decimal("3500"), Decimal("19500"))
    assert [e.balance for e in lg.entries] == [Decimal("24000"), Decimal("20500"), Decimal("19500")]
    assert not lg.overspent and not lg.budget_differs and lg.has_budget
    line = next(x for x in lg.services if x.service_kind == "inspection")
    assert (line.delivered, line.booked, line.amount) == (1, 1, Decimal("3500"))
    assert lg.insurer_name.startswith("中国人民财产保险") and lg.policy_no.startswith("PICC")


def test_entry_validation(db, admin, users, proj):
    with db.session() as s:
        other = make_project(s, admin)
        foreign = inspect(s, admin, other.project, dt.date(2026, 2, 3))
        visit = inspect(s, admin, proj.project, dt.date(2026, 2, 3))
        bad = [
            (fees.FeeForm(date=dt.date(2026, 2, 1), kind="budget", amount="-5"), "amount"),
            (fees.FeeForm(date=dt.date(2026, 2, 1), kind="budget", amount="abc"), "amount"),
            (fees.FeeForm(date=dt.date(2026, 2, 1), kind="gift", amount="5"), "kind"),
            (fees.FeeForm(date=dt.date(2026, 2, 1), kind="service", amount="5"), "service_kind"),
            (fees.FeeForm(date=dt.date(2026, 2, 1), kind="adjustment", amount="5"), "description"),
            (fees.FeeForm(date=dt.date(2026, 2, 1), kind="service", amount="5", service_kind="inspection",
                          ref_type="inspection", ref_id=foreign.id), "ref_id"),
            (fees.FeeForm(date=dt.date(2026, 2, 1), kind="service", amount="5", service_kind="training",
                          ref_type="inspection", ref_id=visit.id), "service_kind"),
            (fees.FeeForm(date=dt.date(2030, 1, 1), kind="budget", amount="5"), "date"),
        ]
        for form, key in bad:
            with pytest.raises(ValidationError) as info:
                fees.add_entry(s, admin, proj.policy, form)
            assert key in info.value.fields, form
        with pytest.raises(PermissionDenied):
            fees.add_entry(s, users["inspector"], proj.policy, fees.FeeForm(
                date=dt.date(2026, 2, 1), kind="budget", amount="5"))
        with pytest.raises(NotFound):
            fees.ledger(s, 9999)


def test_a_service_is_booked_once_and_voiding_restores_balance(db, admin, proj):
    with db.session() as s:
        fees.ensure_budget(s, admin, proj.policy)
        t = training.record_session(s, admin, training.SessionForm(date=dt.date(2026, 3, 1), topic="安全培训"),
                                    [training.Attendance(proj.project, 10, 100)])
        form = fees.FeeForm(date=dt.date(2026, 3, 2), kind="service", amount="2000", service_kind="training",
                            ref_type="training_session", ref_id=t.id)
        row = fees.add_entry(s, admin, proj.policy, form)
        with pytest.raises(ValidationError, match="重复列支"):
            fees.add_entry(s, admin, proj.policy, form)
        with pytest.raises(ValidationError):
            fees.void_entry(s, admin, row.id, reason=" ")
        fees.void_entry(s, admin, row.id, reason="金额有误")
        assert fees.ledger(s, proj.policy).balance == Decimal("24000")
        fees.add_entry(s, admin, proj.policy, form)  # allowed again once the wrong entry is void
        assert s.execute(select(AuditEntry.action).where(AuditEntry.entity == "fee_entries")
                         .order_by(AuditEntry.id)).scalars().all() == ["create", "create", "void", "create"]


def test_delivered_against_booked_and_overspending(db, admin, proj):
    with db.session() as s:
        fees.add_entry(s, admin, proj.policy, fees.FeeForm(date=dt.date(2026, 1, 2), kind="budget", amount="1000"))
        for day in (dt.date(2026, 2, 1), dt.date(2026, 5, 1)):
            inspect(s, admin, proj.project, day)
        training.record_drill(s, admin, training.DrillForm(
            project_id=proj.project, date=dt.date(2026, 4, 1), scenario="高处坠落"))
        fees.add_entry(s, admin, proj.policy, fees.FeeForm(
            date=dt.date(2026, 5, 2), kind="service", amount="1500", service_kind="inspection"))
        lg = fees.ledger(s, proj.policy)
        assert lg.overspent and lg.balance == Decimal("-500")
        assert lg.budget_differs  # 1000 entered, 24000 in the policy
        assert lg.unbooked == 2  # one inspection and the drill not yet in the ledger
        [summary] = fees.ledgers(s, insurer_id=proj.insurer)
        assert summary.entries == () and summary.balance == lg.balance


def test_each_policy_counts_its_own_period_and_the_scope_costs_the_same_statements(db, admin, proj):
    """Three policies of one project (one ending as the next begins, one without dates): each
    counts the services inside its own period; the ledgers of a scope read in a fixed number of
    statements, one policy or many, and give what each ledger gives alone."""
    from desktop.services import projects, recycle
    from tests.sql_count import statements

    with db.session() as s:
        earlier = projects.add_policy(s, admin, proj.project, projects.PolicyForm(
            policy_no="PICC-AZX-2025-00001", insurer_id=proj.insurer, start_date=dt.date(2025, 1, 1),
            end_date=dt.date(2025, 12, 31), prevention_fee="5000"))
        open_ended = projects.add_policy(s, admin, proj.project, projects.PolicyForm(
            policy_no="PICC-AZX-OPEN-00001", insurer_id=proj.insurer))
        for day in (dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 2, 1)):
            inspect(s, admin, proj.project, day)
        gone = inspect(s, admin, proj.project, dt.date(2026, 3, 1))
        recycle.soft_delete(s, admin, "inspections", gone.id, expected_version=gone.version,
                            reason="录入重复")
        training.record_session(s, admin, training.SessionForm(date=dt.date(2025, 3, 1), topic="安全培训"),
                                [training.Attendance(proj.project, 10, 100)])
        training.record_drill(s, admin, training.DrillForm(
            project_id=proj.project, date=dt.date(2026, 4, 1), scenario="高处坠落"))
    with db.read() as s:
        alone = {p: fees.ledger(s, p, with_entries=False) for p in (proj.policy, earlier, open_ended)}
    with db.read() as s, statements(db) as one:
        both = fees.ledgers(s, project_ids=[proj.project])

    def delivered(lg):
        return {line.service_kind: line.delivered for line in lg.services if line.delivered}

    assert [lg.policy_id for lg in both] == [proj.policy, earlier, open_ended]
    assert delivered(both[0]) == {"inspection": 2, "drill": 1}
    assert delivered(both[1]) == {"inspection": 1, "training": 1}
    assert delivered(both[2]) == {"inspection": 3, "drill": 1, "training": 1}
    assert both == [alone[p] for p in (proj.policy, earlier, open_ended)]
    with db.session() as s:
        others = [make_project(s, admin) for _ in range(3)]
    with db.read() as s, statements(db) as many:
        assert len(fees.ledgers(s, project_ids=[proj.project, *(o.project for o in others)])) == 6
    assert len(many) == len(one) <= 8  # BEGIN, policies, entries, four counts
