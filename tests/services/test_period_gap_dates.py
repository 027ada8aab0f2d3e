"""Dates on the periodic duties (review 14, D7): a quarter's or a half-year's gap never runs from
before the project was served, and the dashboard's cards for the running quarter and half-year
say "not yet" — the self-check holds those gaps ［未到期］ until the period ends — and count the
projects that owe the duty by the self-check's waiver, no others."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop import clock
from desktop.models import Project, RiskSource
from desktop.services import periods, risk_sources
from desktop.services.queries import dashboard
from tests.factories import recorded_on
from tests.services.test_rule_boundaries import H1, d, evaluate, project

PERIODIC = ("C-2d", "C-2f", "C-4a", "C-4b", "C-4c")


def since(result, item, project_id):
    return {(g.missing, g.since, g.due) for g in result.get(item).gaps if g.project_id == project_id}


def pin(monkeypatch, moment: dt.datetime) -> None:
    """The computer's clock at `moment`, China time."""
    instant = clock.from_wall(moment).astimezone(dt.UTC)
    monkeypatch.setattr(clock, "system_time", lambda: instant)


def test_a_project_signed_inside_the_period_owes_from_its_contract(db, admin):
    with db.session() as s:
        signed = project(s, admin, service_contract_date=d("2026-06-13"), start_date=d("2026-06-15"))
        source = risk_sources.add(s, admin, signed.project, risk_sources.SourceForm(name="深基坑开挖", level=1))
        recorded_on(s, RiskSource, source.id, d("2026-06-14"))
        older = project(s, admin)  # contract 2026-01-05: after 1 January too
        no_contract = project(s, admin, service_contract_date=None, start_date=d("2026-05-10"))
    h1 = evaluate(db, H1, d("2026-07-20"))
    # 13 June + 15 days is inside June: H1 and Q2 are owed, and late, but only from 13 June
    assert since(h1, "C-4a", signed.project) == {("2026年上半年未开展集中安全教育培训", d("2026-06-13"), True)}
    assert {(at, due) for _, at, due in since(h1, "C-4b", signed.project)} == {(d("2026-06-13"), True)}
    assert {(at, due) for _, at, due in since(h1, "C-4c", signed.project)} == {(d("2026-06-13"), True)}
    assert since(h1, "C-2f", signed.project) == {("2026年第二季度未开展全覆盖检查", d("2026-06-13"), True)}
    assert since(h1, "C-2d", signed.project) == {
        ("2026年第二季度一级风险源“深基坑开挖”未在全覆盖检查中核查", d("2026-06-13"), True)}
    # signed on 5 January: Q1 and H1 from then; Q2 from its own start
    assert since(h1, "C-2f", older.project) == {("2026年第一季度未开展全覆盖检查", d("2026-01-05"), True),
                                                ("2026年第二季度未开展全覆盖检查", d("2026-04-01"), True)}
    assert {at for _, at, _ in since(h1, "C-4a", older.project)} == {d("2026-01-05")}
    # no contract date: the construction start is the service start the self-check knows (Q1,
    # before it, is listed for want of a contract date, waived, and dated no earlier either)
    assert since(h1, "C-2f", no_contract.project) == {("2026年第一季度未开展全覆盖检查", d("2026-05-10"), False),
                                                      ("2026年第二季度未开展全覆盖检查", d("2026-05-10"), True)}
    assert {at for _, at, _ in since(h1, "C-4a", no_contract.project)} == {d("2026-05-10")}


def test_no_periodic_gap_runs_from_before_the_service(db, admin):
    with db.session() as s:
        ids = [project(s, admin, service_contract_date=d(day)).project
               for day in ("2025-11-20", "2026-01-01", "2026-02-17", "2026-04-30", "2026-06-13")]
    h1 = evaluate(db, H1, d("2026-07-20"))
    with db.read() as s:
        started = {pid: s.get(Project, pid).service_contract_date for pid in ids}
    seen = 0
    for item in PERIODIC:
        for g in h1.get(item).gaps:
            assert g.since is not None and g.since >= started[g.project_id], (item, g)
            assert H1.start <= g.since <= H1.end, (item, g)
            seen += 1
    assert seen


def test_the_cards_in_the_first_minute_of_the_year(db, admin, monkeypatch):
    with db.session() as s:
        p = project(s, admin)  # contract 2026-01-05, nothing done in 2027 yet
    pin(monkeypatch, dt.datetime(2027, 1, 1, 0, 0, 30))
    with db.read() as s:
        board = dashboard.summary(s)
    full, training = board.get("no_full_inspection"), board.get("training_due")
    assert (full.ids, training.ids) == ((p.project,), (p.project,))
    # what the self-check says of the same gaps that minute: not due, so not 未达要求
    q1 = evaluate(db, periods.parse("2027Q1"), d("2027-01-01"))
    h1 = evaluate(db, periods.parse("2027H1"), d("2027-01-01"))
    assert {g.due for g in q1.get("C-2f").gaps} == {g.due for g in h1.get("C-4a").gaps} == {False}
    assert q1.get("C-2f").status == h1.get("C-4a").status == "not_due"
    assert str(full.label) == "2027年第一季度尚未开展全覆盖检查的项目"
    assert str(training.label) == "2027年上半年培训尚未达标的项目"
    assert "未达要求" not in str(full.label) + str(training.label)


@pytest.mark.parametrize("contract", ["2026-06-16", "2026-06-20"])
def test_the_cards_leave_out_a_project_the_self_check_waives(db, admin, monkeypatch, contract):
    """Signed after 15 June: its first identification covers Q2 and H1 — the self-check never
    makes those gaps due, so they are nothing to do on the dashboard either."""
    with db.session() as s:
        owing = project(s, admin, service_contract_date=d("2026-06-15"))
        waived = project(s, admin, service_contract_date=d(contract))
    pin(monkeypatch, dt.datetime(2026, 6, 25, 9))
    with db.read() as s:
        board = dashboard.summary(s)
    assert board.get("no_full_inspection").ids == board.get("training_due").ids == (owing.project,)
    # after the periods' end the self-check agrees: late for the one counted, never for the other
    h1 = evaluate(db, H1, d("2026-07-20"))
    for item, text in (("C-2f", "2026年第二季度未开展全覆盖检查"), ("C-4a", "2026年上半年未开展集中安全教育培训")):
        assert {(m, due) for m, _, due in since(h1, item, owing.project)} == {(text, True)}
        assert {(m, due) for m, _, due in since(h1, item, waived.project)} == {(text, False)}
