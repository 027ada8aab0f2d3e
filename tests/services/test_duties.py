"""Upcoming duties (issue 16 §4): each kind appears on the day its rule sets, China time decides
"today", and the .ics export parses back with folding, CRLF and Chinese text intact."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop import clock
from desktop.models import ArchiveItem, Drill
from desktop.services import complaints, hazards, inspections, workdays
from desktop.services.queries import duties, ics
from tests.factories import make_project

UTC = dt.UTC


def pin(monkeypatch, china: str) -> None:
    instant = (dt.datetime.fromisoformat(china) - dt.timedelta(hours=8)).replace(tzinfo=UTC)
    monkeypatch.setattr(clock, "system_time", lambda: instant)


@pytest.fixture
def scenario(db, admin, monkeypatch):
    pin(monkeypatch, "2026-06-28T10:00:00")
    with db.session() as s:
        p = make_project(s, admin)  # contract 2026-01-05: drill due 180 days on, 2026-07-04
        q = make_project(s, admin)
        inspections.record(s, admin, inspections.InspectionForm(
            project_id=q.project, kind="first_identification", date=dt.date(2026, 6, 1),
            inspector_ids=(admin.user_id,)))
        h1 = hazards.record(s, admin, hazards.HazardForm(
            project_id=p.project, description="基坑周边堆载超限", level=1, measures="立即卸载",
            contingency="停止坑边作业", stop_work="partial", found_at=dt.datetime(2026, 6, 28, 9, 0)))
        h2 = hazards.record(s, admin, hazards.HazardForm(
            project_id=q.project, description="塔吊附着装置松动", level=2, is_serious=True, measures="紧固并检测",
            contingency="暂停塔吊作业", found_at=dt.datetime(2026, 6, 28, 9, 30)))
        h3 = hazards.record(s, admin, hazards.HazardForm(
            project_id=q.project, description="临边防护缺失", level=3, measures="设置防护",
            found_at=dt.datetime(2026, 6, 20, 9, 0), deadline=dt.date(2026, 7, 3)))
        c = complaints.record_complaint(s, admin, received_at=dt.date(2026, 6, 22), content="夜间施工噪声扰民",
                                        project_id=q.project)
        s.add(Drill(project_id=q.project, date=dt.date(2026, 6, 20), scenario="高处坠落"))
        s.add(ArchiveItem(project_id=q.project, title="检查记录", filed_at=dt.date(2020, 1, 1),
                          retention_until=dt.date(2026, 7, 20)))
        s.flush()
        archive_id = s.query(ArchiveItem.id).scalar()
        drill_id = s.query(Drill.id).scalar()
    return {"p": p.project, "q": q.project, "h1": h1.id, "h2": h2.id, "h3": h3.id, "complaint": c.id, "complaint_due": c.reply_due,
                "archive": archive_id, "drill": drill_id}


def found(items, kind, **where):
    return [d for d in items if d.kind == kind and all(getattr(d, k) == v for k, v in where.items())]


def test_each_kind_on_its_day(db, scenario):
    with db.read() as s:
        items = duties.upcoming(s, days=30)
    sc = scenario
    # same-day reports of the level 1, due today, to insurer and authority, opening the hazard
    reports = found(items, "report", target_id=sc["h1"])
    assert {d.date for d in reports} == {dt.date(2026, 6, 28)} and len(reports) == 2
    assert all("一级隐患当日报告" in d.text and d.target_type == "hazards" for d in reports)
    # the serious level 2 is reported within a day (the agency's setting)
    serious = found(items, "report", target_id=sc["h2"])
    assert {d.date for d in serious} == {dt.date(2026, 6, 29)} and all("较严重二级隐患报告" in d.text for d in serious)
    assert found(items, "rectification", target_id=sc["h3"])[0].date == dt.date(2026, 7, 3)
    assert found(items, "complaint", target_id=sc["complaint"])[0].date == sc["complaint_due"]
    assert found(items, "training", target_id=sc["p"])[0].date == dt.date(2026, 6, 30)
    assert found(items, "drill", target_type="projects", target_id=sc["p"])[0].date == dt.date(2026, 7, 4)
    assert found(items, "drill", target_type="drills", target_id=sc["drill"])[0].date == dt.date(2026, 7, 5)
    assert found(items, "archive", target_id=sc["archive"])[0].date == dt.date(2026, 7, 20)
    # q visited 06-01 and not yet assessed: the shortest interval (30 days) → 07-01
    assert found(items, "visit", target_id=sc["q"])[0].date == dt.date(2026, 7, 1)
    # June's outputs are due on 07-10, the second quarter's on 07-15 (the agency's settings)
    outputs = found(items, "output")
    assert {(d.ref, d.date) for d in outputs} >= {("2026-06:hazard_list", dt.date(2026, 7, 10)),
                                                  ("2026Q2:risk_assessment", dt.date(2026, 7, 15))}
    # one row per output, naming every insurer and authority it has not been sent to
    june = next(d for d in outputs if d.ref == "2026-06:hazard_list")
    assert "住房和城乡建设局、中国人民财产保险股份有限公司绍兴市分公司（应于 2026-07-10 前）" in june.text
    assert all(d.text and "N-" not in d.text and "C-" not in d.text for d in items)
    assert [d.date for d in items] == sorted(d.date for d in items)
    # a 7-day window holds only what falls due by 07-05
    with db.read() as s:
        week = duties.upcoming(s, days=7)
    assert max(d.date for d in week) <= dt.date(2026, 7, 5) and not found(week, "archive")


def test_complaint_flagged_without_holiday_data(db, scenario, monkeypatch):
    with db.read() as s:
        plain = found(duties.upcoming(s, days=30), "complaint")[0]
    monkeypatch.setattr(workdays, "library_covers", lambda year: year != 2026)
    with db.read() as s:
        flagged = found(duties.upcoming(s, days=30), "complaint")[0]
    assert not plain.flagged and "节假日" not in plain.text
    assert flagged.flagged and "2026年未载入节假日安排" in flagged.text
    assert flagged.date == plain.date == scenario["complaint_due"]  # the stored deadline stays


def test_china_midnight_does_not_shift_dates(db, scenario, monkeypatch):
    pin(monkeypatch, "2026-06-28T23:59:00")
    with db.read() as s:
        late_evening = duties.upcoming(s, days=7)
    pin(monkeypatch, "2026-06-29T00:01:00")
    with db.read() as s:
        after_midnight = duties.upcoming(s, days=7)
    report_eve = found(late_evening, "report", target_id=scenario["h1"])
    report_next = found(after_midnight, "report", target_id=scenario["h1"])
    assert [d.date for d in report_eve] == [d.date for d in report_next] == [dt.date(2026, 6, 28)] * 2
    assert not any(d.overdue for d in report_eve)  # 23:59 China time is still the same day
    assert all(d.overdue for d in report_next)


def unfold(data: bytes) -> list[str]:
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


def test_ics_round_trip(db, scenario, tmp_path):
    with db.read() as s:
        items = duties.upcoming(s, days=30)
    path = ics.export(items, tmp_path / "到期事项")
    data = path.read_bytes()
    assert path.suffix == ".ics"
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    physical = data.split(b"\r\n")
    assert max(len(line) for line in physical) <= 75
    assert any(line.startswith(b" ") for line in physical)  # long Chinese lines were folded
    for line in physical:
        line.decode("utf-8")  # never split inside a character
    lines = unfold(data)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    events = [ln for ln in lines if ln == "BEGIN:VEVENT"]
    assert len(events) == len(items)
    assert len({ln for ln in lines if ln.startswith("UID:")}) == len(items)
    summaries = [ln[len("SUMMARY:"):] for ln in lines if ln.startswith("SUMMARY:")]
    assert any("隐患" in t and "整改期限届满" in t for t in summaries)
    assert "DTSTART;VALUE=DATE:20260703" in lines
    assert all(ln.startswith("DTSTAMP:") and ln.endswith("Z") for ln in lines if ln.startswith("DTSTAMP"))


def test_fold_keeps_characters_whole():
    line = "SUMMARY:" + "安全生产分析应出具并报送" * 10
    folded = ics.fold(line)
    parts = folded.split(b"\r\n")[:-1]
    assert all(len(p) <= 75 for p in parts) and len(parts) > 1
    assert b"".join(p[1:] if i else p for i, p in enumerate(parts)).decode("utf-8") == line
    assert ics.escape("a,b;c\nd") == "a\\,b\\;c\\nd"


def test_late_rectifications_are_one_duty_a_project(db, admin, monkeypatch):
    """A deadline still to come is one duty a hazard; past ones are gathered per project (a
    backlog of thousands would otherwise bury the week), naming the earliest and opening them
    all; a project with one late hazard keeps its own line."""
    pin(monkeypatch, "2026-06-28T10:00:00")
    with db.session() as s:
        p, q = make_project(s, admin), make_project(s, admin)

        def hazard(project, found, deadline):
            return hazards.record(s, admin, hazards.HazardForm(
                project_id=project, description="临边防护缺失", level=3, measures="设置防护",
                found_at=dt.datetime.combine(found, dt.time(9)), deadline=deadline)).id

        late = [hazard(p.project, dt.date(2026, 6, 1), dt.date(2026, 6, day)) for day in (20, 10, 25)]
        soon = hazard(p.project, dt.date(2026, 6, 26), dt.date(2026, 7, 1))
        alone = hazard(q.project, dt.date(2026, 6, 1), dt.date(2026, 6, 15))
    with db.read() as s:
        items = found(duties.upcoming(s, days=7), "rectification")
    [group] = [d for d in items if d.project_id == p.project and d.overdue]
    assert group.date == dt.date(2026, 6, 10) and set(group.target_ids) == set(late)
    assert group.target_id is None and group.ref == f"late:{p.project}"
    assert "3 项隐患已过整改期限仍未闭合" in group.text and "2026-06-10" in group.text
    assert [d.target_id for d in items if d.project_id == p.project and not d.overdue] == [soon]
    [single] = [d for d in items if d.project_id == q.project]
    assert single.overdue and single.target_id == alone and single.target_ids == ()
    assert "整改期限届满" in single.text
