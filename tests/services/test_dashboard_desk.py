"""One refresh of the 工作台 (issue 16, page speed): the counts and the 近期到期 list read
together (dashboard.desk) are what summary and upcoming give on their own, with the owed
outputs read once and no statement per period or per project."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from desktop import clock
from desktop.models import Project
from desktop.services import agency, obligations, submissions_due
from desktop.services.periods import parse
from desktop.services.queries import dashboard, duties
from tests.factories import make_project
from tests.sql_count import statements

TODAY = dt.date(2026, 7, 5)


@pytest.fixture
def site(db, users, monkeypatch):
    instant = dt.datetime(2026, 7, 5, 2, 0, tzinfo=dt.UTC)  # 10:00 China time
    monkeypatch.setattr(clock, "system_time", lambda: instant)
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")
        make_project(s, users["admin"])  # contract 2026-01-05, one insurer, one authority
    return users


def desk_statements(db) -> list[str]:
    with db.read() as s, statements(db) as seen:
        dashboard.desk(s)
    return seen


def test_the_desk_is_the_summary_and_the_duties(db, site):
    with db.read() as s:
        desk = dashboard.desk(s)
        alone = dashboard.summary(s)
        week = duties.upcoming(s, days=dashboard.DUTY_DAYS)
    assert [(i.key, i.count, i.ids) for i in desk.summary.items] == \
        [(i.key, i.count, i.ids) for i in alone.items]
    assert [(d.date, d.kind, d.ref, d.target_id, str(d.text)) for d in desk.duties] == \
        [(d.date, d.kind, d.ref, d.target_id, str(d.text)) for d in week]
    outputs = [d for d in desk.duties if d.kind == "output"]
    assert desk.summary.get("unsubmitted").count == len(outputs) == 7 * 3  # six months and Q1


def test_the_owed_outputs_are_read_once(db, site):
    """Before, summary and upcoming each gathered them: two readings of the submissions log."""
    seen = desk_statements(db)
    assert sum(1 for q in seen if q.startswith("SELECT submissions.")) == 1
    # the deadlines setting is read once per list that uses it, not once per period or project
    settings = [q for q in seen if "FROM app_settings" in q]
    assert len(settings) <= 8, settings


def test_no_statement_per_project(db, site):
    """Three more projects served over the same periods: the same statements (the deadlines
    setting was read once per active project, the service check once per period)."""
    with db.session() as s:
        s.execute(update(Project).values(service_contract_date=dt.date(2025, 3, 1)))
    one = desk_statements(db)
    with db.session() as s:
        for _ in range(3):
            make_project(s, site["admin"])
        s.execute(update(Project).values(service_contract_date=dt.date(2025, 3, 1)))
    more = desk_statements(db)
    assert len(more) == len(one)
    # a year of months, quarters and years owed: the statements stay well below one per period
    assert len(one) < 60 and sum(1 for q in one if q.startswith("SELECT app_settings.")) <= 8


def test_served_is_projects_in_service(db, site):
    """obligations.served (over loaded rows) answers as the SQL rule does, at its edges."""
    with db.session() as s:
        ids = [make_project(s, site["admin"]).project for _ in range(4)]
        for pid, contract, done in zip(ids, (None, dt.date(2025, 6, 30), dt.date(2026, 4, 1), None),
                                       (None, dt.date(2026, 1, 1), None, dt.date(2025, 12, 31)), strict=True):
            s.execute(update(Project).where(Project.id == pid).values(
                service_contract_date=contract, completion_date=done))
        s.execute(update(Project).where(Project.id == ids[0]).values(deleted_at=clock.wall_now()))
    with db.read() as s:
        rows = s.execute(select(Project)).scalars().all()
        live = [p for p in rows if p.deleted_at is None]
        labels = ["2025", "2025Q2", "2025Q3", "2025Q4", "2025-12", "2026Q1", "2026-01", "2026-03",
                  "2026-04", "2026Q2", "2026"]
        answers = set()
        for label in labels:
            p = parse(label)
            sql = obligations.projects_in_service(s, p.start, p.end)
            assert obligations.served(rows, p.start, p.end) == sql, label
            answers.add(tuple(sql))
            some = ids[1:3]
            assert [x for x in obligations.served(live, p.start, p.end) if x in some] == \
                obligations.projects_in_service(s, p.start, p.end, some), label
        assert len(answers) > 2  # the periods did tell the projects apart
        # the recipients read over loaded rows are those read one project at a time
        known = {p.id: p for p in live}
        for label in ("2025Q4", "2026-03", "2026"):
            assert submissions_due.period_recipients(s, parse(label), upto=TODAY, known=known) == \
                submissions_due.period_recipients(s, parse(label), upto=TODAY), label
