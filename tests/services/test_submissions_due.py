"""待报送 (issue 16): the dashboard's count of periodic outputs not logged as sent is exactly the
duties list's 成果报送 rows, reads the self-check's rule, and drops as submissions are logged."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop import clock
from desktop.services import agency, compliance, documents, submissions_due
from desktop.services.periods import parse
from desktop.services.queries import dashboard, duties
from tests.factories import make_project

TODAY = dt.date(2026, 7, 5)


@pytest.fixture
def site(db, users, monkeypatch):
    instant = dt.datetime(2026, 7, 5, 2, 0, tzinfo=dt.UTC)  # 10:00 China time
    monkeypatch.setattr(clock, "system_time", lambda: instant)
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")
        return make_project(s, users["admin"])  # contract 2026-01-05, one insurer, one authority


def counts(db) -> tuple[int, list[duties.Duty], list[submissions_due.Owed]]:
    """The card's count, the duties list's 成果报送 rows, the (output, recipient) pairs owed."""
    with db.read() as s:
        card = dashboard.summary(s).get("unsubmitted")
        rows = [d for d in duties.upcoming(s, days=dashboard.DUTY_DAYS) if d.kind == "output"]
        owed = submissions_due.unsubmitted(s, TODAY, until=TODAY + dt.timedelta(days=7))
    return card.count, rows, owed


def test_the_card_is_the_duties_list(db, users, site):
    count, rows, owed = counts(db)
    # served from January: six months (June's due 07-10) and the first quarter (due 04-15) are
    # due within the week; the second quarter (07-15) is not yet; each to the insurer and authority
    periods = {o.period for o in owed}
    assert periods == {"2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026Q1"}
    assert len(owed) == 7 * 3 * 2 and {o.recipient for o in owed} == {"insurer", "authority"}
    # the card counts outputs, as the duties list shows them: one row each, naming both recipients
    assert count == len(rows) == 7 * 3
    assert sorted(d.ref for d in rows) == sorted(f"{o.period}:{o.kind}" for o in submissions_due.by_output(owed))
    # late ones red, on their own due day, in the notice's words with no rule id
    late = [d for d in rows if d.overdue]
    assert {d.date for d in late} == {dt.date(2026, m, 10) for m in (2, 3, 4, 5, 6)} | {dt.date(2026, 4, 15)}
    june = next(d for d in rows if d.ref == "2026-06:hazard_list")
    assert june.date == dt.date(2026, 7, 10) and not june.overdue
    assert str(june.text) == ("2026年6月隐患排查及问题整改清单未报送越城区住房和城乡建设局、"
                              "中国人民财产保险股份有限公司绍兴市分公司（应于 2026-07-10 前）")
    with db.read() as s:
        item = dashboard.summary(s).get("unsubmitted")
    assert str(item.label) == "待报送" and "N-" not in str(item.basis) and "上报承保机构" in str(item.basis)


def test_the_self_check_reads_the_same(db, users, site):
    """Within the second quarter, the list due by the quarter's own deadline is C-7b's gaps."""
    with db.read() as s:
        owed = submissions_due.unsubmitted(s, TODAY, until=dt.date(2026, 7, 15))
        gaps = compliance.evaluate(s, period=parse("2026Q2"), scope_type="agency", scope_id=None).get("C-7b").gaps
    q2 = [o for o in owed if o.period in ("2026-04", "2026-05", "2026-06", "2026Q2")]
    assert len(q2) == len(gaps) == 4 * 3 * 2
    assert sorted(str(o.text) for o in q2) == sorted(str(g.missing) for g in gaps)


def test_logged_submissions_lower_the_count(db, users, site, tmp_path):
    dirs = {"store_dir": tmp_path / "store", "work_dir": tmp_path / "work"}
    before, _, _ = counts(db)
    with db.session() as s:
        draft = documents.generate_draft(s, users["clerk"], kind="hazard_list", scope_type="agency",
                                         scope_id=None, period="2026-06", **dirs)
    with db.session() as s:
        signed = documents.sign(s, users["tech_lead"], draft.id, expected_version=draft.version, **dirs)
    # signed is not sent: the row stays, and now opens the document to send
    count, rows, _ = counts(db)
    june = [d for d in rows if d.ref == "2026-06:hazard_list"]
    assert count == before and len(june) == 1 and june[0].target_id == signed.id
    with db.session() as s:
        insurer = next(o for o in submissions_due.unsubmitted(s, TODAY, until=dt.date(2026, 7, 12))
                       if o.period == "2026-06" and o.kind == "hazard_list" and o.recipient == "insurer")
        documents.record_submission(s, users["clerk"], signed.id, recipient="insurer",
                                    recipient_org_id=insurer.org_id, channel="邮件",
                                    submitted_at=dt.datetime(2026, 7, 5, 9, 30))
    # sent to the insurer only: still owed, to the authority alone
    count, rows, owed = counts(db)
    assert count == before
    june = next(d for d in rows if d.ref == "2026-06:hazard_list")
    assert "未报送越城区住房和城乡建设局（" in str(june.text) and "保险" not in str(june.text)
    assert [o.recipient for o in owed if (o.period, o.kind) == ("2026-06", "hazard_list")] == ["authority"]
    with db.session() as s:
        documents.record_submission(s, users["clerk"], signed.id, recipient="authority",
                                    recipient_org_id=june_authority(s), channel="书面",
                                    submitted_at=dt.datetime(2026, 7, 5, 10, 0))
    count, rows, _ = counts(db)
    assert count == before - 1 and not [d for d in rows if d.ref == "2026-06:hazard_list"]


def june_authority(session) -> int:  # type: ignore[no-untyped-def]
    return next(o.org_id for o in submissions_due.unsubmitted(session, TODAY, until=dt.date(2026, 7, 12))
                if o.period == "2026-06" and o.kind == "hazard_list" and o.recipient == "authority")


def test_a_year_asks_each_month_of_those_its_quarter_served(db, users, site):
    """A project served from May (another district's authority) is no recipient of January's
    outputs: the year's and the half-year's self-checks ask January's outputs of the same
    insurers and authorities as January's own check, the first quarter's and the duties list
    (review of issue 16: the year's check asked them of everyone served in the year)."""
    from sqlalchemy import update

    from desktop.models import Project

    with db.session() as s:
        later = make_project(s, users["admin"], district="柯桥区")
        s.execute(update(Project).where(Project.id == later.project).values(
            service_contract_date=dt.date(2026, 5, 3), start_date=dt.date(2026, 5, 6)))

    def january(period: str) -> list[str]:
        with db.read() as s:
            gaps = compliance.evaluate(s, period=parse(period), scope_type="agency", scope_id=None).get("C-7b").gaps
        return sorted(str(g.missing) for g in gaps if str(g.missing).startswith("2026年1月"))

    with db.read() as s:
        owed = sorted(str(o.text) for o in submissions_due.unsubmitted(s, TODAY, until=TODAY)
                      if o.period == "2026-01")
    assert len(owed) == 3 * 2 and not [t for t in owed if "柯桥区" in t]
    assert january("2026-01") == january("2026Q1") == january("2026H1") == january("2026") == owed
    with db.read() as s:  # May's outputs go to both projects' recipients
        may = [o for o in submissions_due.unsubmitted(s, TODAY, until=TODAY) if o.period == "2026-05"]
    assert {o.org_name for o in may} >= {"柯桥区住房和城乡建设局", "越城区住房和城乡建设局"}
