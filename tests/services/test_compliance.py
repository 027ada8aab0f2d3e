"""The self-check: a project with complete records meets every item; each missing record shows as a gap."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from desktop.models import (
    ArchiveItem,
    Attachment,
    DangerItem,
    Document,
    Drill,
    Hazard,
    Meeting,
    Project,
    RiskAssessment,
    RiskSource,
    ServicePlan,
    Submission,
)
from desktop.services import (
    checklist_items,
    complaints,
    compliance,
    fees,
    hazards,
    inspections,
    periods,
    projects,
    risk,
    risk_sources,
    training,
)
from desktop.services.context import PermissionDenied, ValidationError
from tests.factories import make_project, recorded_on

Q1 = periods.parse("2026Q1")
AS_OF = dt.date(2026, 4, 20)
KINDS = ("hazard_list", "safety_analysis", "risk_assessment")


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour))


def inspect(s, actor, project_id, day, kind="routine", **kw):
    return inspections.record(s, actor, inspections.InspectionForm(
        project_id=project_id, kind=kind, date=dt.date.fromisoformat(day), inspector_ids=(actor.user_id,), **kw))


def hazard(s, actor, project_id, level, day, **kw):
    base = dict(project_id=project_id, description=f"{level}级隐患", level=level, category="基坑工程",
                measures="按方案整改", contingency="设置警戒", found_at=at(day))
    if level == 1:
        base["stop_work"] = "partial"
    base.update(kw)
    return hazards.record(s, actor, hazards.HazardForm(**base))


def report_all(s, actor, hazard_id, when):
    for r in hazards.pending_reports(s, hazard_id):
        hazards.record_report(s, actor, r.id, channel="书面", reported_at=when)


def close_minor(s, actor, h, day):
    h = hazards.issue_notice(s, actor, h.id, expected_version=h.version, at=at(day, 11))
    h = hazards.record_delivery(s, actor, h.id, expected_version=h.version, received_by="张安全", at=at(day, 15))
    s.add(Attachment(sha256="b" * 64, size=1, mime="image/jpeg", role="after", owner_type="hazard", owner_id=h.id))
    h = hazards.submit_closure(s, actor, h.id, expected_version=h.version, supervisor_name="李监理", at=at(day, 17))
    return hazards.verify_close(s, actor, h.id, expected_version=h.version, at=at(day, 18))


def publish(s, scope, labels=("2026-01", "2026-02", "2026-03", "2026Q1"), *, late_days=0, recipients=()):
    """Signed periodic outputs for each label, submitted to each (role, org id)."""
    for n, label in enumerate(labels):
        period = periods.parse(label)
        when = dt.datetime.combine(period.end + dt.timedelta(days=5 + late_days), dt.time(9))
        for kind in KINDS:
            doc = Document(kind=kind, number=f"{kind}-{label}-{scope[1]}-{n}", title=label, scope_type=scope[0],
                           scope_id=scope[1], period=label, status="signed", signed_at=when)
            s.add(doc)
            s.flush()
            for role, org in recipients:
                s.add(Submission(document_id=doc.id, recipient=role, recipient_org_id=org, submitted_at=when))


def build_complete(db, users):
    """A project with every record the checklist asks for in 2026Q1."""
    admin, lead = users["admin"], users["tech_lead"]
    with db.session() as s:
        p = make_project(s, admin)
        s.get(Project, p.project).lead_user_id = lead.user_id
        stages = projects.get_detail(s, p.project).stages
        projects.set_stage_dates(s, admin, stages[0].id, actual_start=dt.date(2026, 1, 10),
                                 actual_end=dt.date(2026, 3, 20))
        projects.set_stage_dates(s, admin, stages[1].id, actual_start=dt.date(2026, 3, 21))
        s.add(ServicePlan(project_id=p.project, kind="general", title="事故预防技术服务工作方案", status="signed"))
        s.add(Meeting(project_id=p.project, kind="kickoff", date=dt.date(2026, 1, 8), confirmed_by="李明",
                      confirmed_on=dt.date(2026, 1, 8)))
        inspect(s, admin, p.project, "2026-01-12", "first_identification", stage_id=stages[0].id)
        pit = projects.add_danger_item(s, admin, p.project, name="深基坑工程", status="in_progress")
        s.get(DangerItem, pit).actual_start = dt.date(2026, 1, 20)
        inspect(s, admin, p.project, "2026-01-18", "danda_targeted", danger_item_id=pit)
        inspect(s, admin, p.project, "2026-02-15", "danda_targeted", danger_item_id=pit)
        sources = [risk_sources.add(s, admin, p.project, risk_sources.SourceForm(name=n, level=lv))
                   for n, lv in (("深基坑开挖", 1), ("塔吊", 2))]
        full = inspect(s, admin, p.project, "2026-03-05", "full_coverage")
        inspections.verify_sources(s, admin, full.id, {x.id: True for x in sources})
        risk.assess(s, lead, p.project, reason="开工评定")
        special = ServicePlan(project_id=p.project, kind="special", title="专项服务方案", status="signed")
        s.add(special)
        s.flush()
        recorded_on(s, ServicePlan, special.id, dt.date(2026, 1, 25))  # signed inside the quarter
        minor = hazard(s, admin, p.project, 3, "2026-02-01")
        close_minor(s, admin, minor, "2026-02-02")
        # still being rectified, within their deadlines (an overdue one is a gap of C-6a/C-6b)
        h1 = hazard(s, admin, p.project, 1, "2026-02-20", deadline=dt.date(2026, 4, 30))
        report_all(s, admin, h1.id, at("2026-02-20", 16))
        h2 = hazard(s, admin, p.project, 2, "2026-02-21", is_serious=True, deadline=dt.date(2026, 4, 30))
        report_all(s, admin, h2.id, at("2026-02-22", 9))
        training.record_session(s, admin, training.SessionForm(
            date=dt.date(2026, 3, 1), topic="基坑工程安全培训", categories=("基坑工程",), centralized=True),
            [training.Attendance(p.project, 12, 180)])
        training.record_assist(s, admin, p.project, kind="draft_provided", date=dt.date(2026, 1, 25),
                               title="综合应急预案")
        drill = training.record_drill(s, admin, training.DrillForm(
            project_id=p.project, date=dt.date(2026, 3, 10), scenario="基坑坍塌"))
        training.evaluate_drill(s, admin, drill.id, evaluation="组织有序", rating="良", expected_version=drill.version)
        fees.ensure_budget(s, admin, p.policy)
        fees.add_entry(s, admin, p.policy, fees.FeeForm(
            date=dt.date(2026, 3, 6), kind="service", amount="3000", service_kind="inspection",
            ref_type="inspection", ref_id=full.id))
        s.add(ArchiveItem(project_id=p.project, title="首次风险辨识记录", filed_at=dt.date(2026, 1, 15)))
        publish(s, ("project", p.project), recipients=(("insurer", p.insurer), ("authority", p.authority)))
        complaints.record_evaluation(s, admin, evaluator_kind="insurer", evaluator_id=p.insurer, period="2026Q1",
                                     received_on=dt.date(2026, 4, 15), result="合格", recognized=True)
        # the assessment was made in January, not on the day the test runs
        for a in s.execute(select(RiskAssessment)).scalars():
            a.assessed_at = at("2026-01-15")
    return p


def evaluate(db, scope_type="agency", scope_id=None, period=Q1, as_of=AS_OF):
    with db.read() as s:
        return compliance.evaluate(s, period=period, scope_type=scope_type, scope_id=scope_id, as_of=as_of)


def statuses(result):
    return {r.item.id: r.status for r in result.items}


def missing(result, item):
    return [g.missing for g in result.get(item).gaps]


def test_checklist_definition_follows_the_annex():
    ids = [i.id for i in checklist_items.ITEMS]
    assert ids == ["C-1a", "C-1b", "C-2a", "C-2b", "C-2c", "C-2d", "C-2e", "C-2f", "C-3a", "C-3b", "C-4a",
                   "C-4b", "C-4c", "C-5a", "C-5b", "C-6a", "C-6b", "C-6c", "C-7a", "C-7b", "C-7c", "C-7d",
                   "C-7e", "C-7f", "C-8a", "C-8b", "C-8c"]
    item = checklist_items.BY_ID["C-2d"]
    assert item.point == "是否对一、二级风险源做到 100%核查。" and item.number == "2" and item.rules == ("N-04",)
    assert checklist_items.BY_ID["C-8a"].text == "应发现的重大隐患而未发现的。"
    assert set(compliance.COMPUTE) == set(ids) - {"C-1a"}


def test_empty_agency(db, users):
    result = evaluate(db)
    st = statuses(result)
    assert st["C-1a"] == "manual" and st["C-1b"] == "met"  # the tech lead account is full-time
    assert st["C-2f"] == st["C-6a"] == st["C-7d"] == st["C-8a"] == "not_applicable"
    assert st["C-7e"] == st["C-7f"] == "manual"
    assert len(result.items) == 27 and result.project_ids == ()


def test_complete_project_meets_every_computed_item(db, users):
    p = build_complete(db, users)
    result = evaluate(db)
    not_met = {r.item.id: [g.missing for g in r.due_gaps] for r in result.items if r.status == "not_met"}
    assert not_met == {}
    st = statuses(result)
    assert st["C-1a"] == "manual" and st["C-7f"] == "manual" and st["C-7e"] == "met"
    waiting = {i: [(g.missing, g.due) for g in result.get(i).gaps] for i, v in st.items() if v == "not_due"}
    assert all(v in ("met", "manual", "not_due") for v in st.values()), st
    assert all(not due for gaps in waiting.values() for _, due in gaps), waiting
    # the main-structure stage began on 03-21: listed, but not late yet
    [gap] = result.get("C-2c").gaps
    assert "主体结构" in gap.missing and not gap.due and gap.project_id == p.project
    assert result.get("C-2d").evidence[1].label == "已核查（100.0%）"
    ev = {e.label: e.count for e in result.get("C-6a").evidence}
    assert ev == {"期间内一级隐患": 1, "当日报告的一级隐患": 1}


def test_the_checklist_reads_in_statements_that_do_not_grow_with_the_projects(db, users):
    """The self-check of a whole agency: no statement per project, policy, training session or
    manual answer (one complete project and three cost the same number of statements)."""
    from tests.sql_count import statements

    build_complete(db, users)
    with statements(db) as one:
        alone = evaluate(db)
    build_complete(db, users)
    build_complete(db, users)
    with statements(db) as three:
        together = evaluate(db)
    assert len(together.project_ids) == 3 * len(alone.project_ids) == 3
    assert statuses(together) == statuses(alone)
    assert len(three) == len(one)


def test_a_quarter_with_more_hazards_than_a_statement_may_bind(db, users):
    """33,001 level-3 hazards in one quarter, all overdue (more than the 32,766 values a SQLite
    statement binds on Windows, held on every platform by db.py): the self-check reads them and
    their events through sub-selects, not id lists, and counts every one."""
    from sqlalchemy import text

    from desktop.models import Hazard

    admin = users["admin"]
    with db.session() as s:
        p = make_project(s, admin)
        first = hazard(s, admin, p.project, 3, "2026-02-01")
        columns = [c.name for c in Hazard.__table__.columns if c.name not in ("id", "number")]
        s.execute(text(
            f"INSERT INTO hazards (number, {', '.join(columns)}) "
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 33000) "
            f"SELECT 'T-' || i, {', '.join(columns)} FROM n, hazards WHERE hazards.id = :id"),
            {"id": first.id})
    result = evaluate(db)
    [found, delivered, closed] = result.get("C-6c").evidence
    assert found.count == 33_001 and len(found.ids) == 33_001
    assert (delivered.count, closed.count) == (0, 0)
    gaps = result.get("C-6c").gaps
    assert sum("整改通知未送达" in g.missing for g in gaps) == 33_001
    assert sum("逾期未闭合" in g.missing for g in gaps) == 33_001  # 15 days passed before April


def test_gaps_when_records_are_missing(db, users):
    admin = users["admin"]
    build_complete(db, users)
    with db.session() as s:
        q = make_project(s, admin, name="未开展服务的项目")
    result = evaluate(db)
    st = statuses(result)
    for item in ("C-1b", "C-2a", "C-2b", "C-2f", "C-3a", "C-7c"):
        assert st[item] == "not_met", item
        assert all(g.project_id == q.project for g in result.get(item).due_gaps), item
    assert missing(result, "C-2b") == ["无服务交底会记录", "未开展首次风险识别和隐患排查"]
    assert missing(result, "C-2f") == ["2026年第一季度未开展全覆盖检查"]
    assert missing(result, "C-7c") == ["未建立档案台账（无归档记录）", "保单 " + fees.ledgers(
        db.Session(), project_ids=[q.project])[0].policy_no + " 预防费用台账未登记预算"]
    # contract signed 5 January: the quarter's gap runs from then, not from 1 January
    assert result.get("C-2f").gaps[0].since == dt.date(2026, 1, 5) > Q1.start
    assert result.get("C-2f").gaps[0].project_name.startswith("未开展服务的项目")
    # emergency-plan help is due 90 days, drills 180 days after the contract: listed, not yet late
    for item in ("C-5a", "C-5b"):
        assert [g.due for g in result.get(item).gaps] == [False] and st[item] == "not_due", item
    assert evaluate(db, period=periods.parse("2026Q2"), as_of=dt.date(2026, 7, 1)).get("C-5a").status == "not_met"


def test_quarter_not_over_lists_gaps_without_failing(db, users):
    admin = users["admin"]
    with db.session() as s:
        p = make_project(s, admin)
        source = risk_sources.add(s, admin, p.project, risk_sources.SourceForm(name="深基坑开挖", level=1))
        recorded_on(s, RiskSource, source.id, dt.date(2026, 4, 2))
    q2 = periods.parse("2026Q2")
    during = evaluate(db, period=q2, as_of=dt.date(2026, 5, 10))
    after = evaluate(db, period=q2, as_of=dt.date(2026, 7, 5))
    for item in ("C-2d", "C-2f"):
        assert during.get(item).status == "not_due" and during.get(item).gaps and not during.get(item).due_gaps
        assert after.get(item).status == "not_met"
    assert missing(after, "C-2d") == ["2026年第二季度一级风险源“深基坑开挖”未在全覆盖检查中核查"]


def test_level1_reported_next_day_is_a_gap(db, users):
    admin = users["admin"]
    with db.session() as s:
        p = make_project(s, admin)
        later = dt.date(2026, 5, 31)  # within their deadlines: only the reports are at issue
        h = hazard(s, admin, p.project, 1, "2026-02-20", deadline=later)
        report_all(s, admin, h.id, at("2026-02-21", 8))
        late2 = hazard(s, admin, p.project, 2, "2026-03-02", is_serious=True, deadline=later)
        ok3 = hazard(s, admin, p.project, 4, "2026-03-03")
        hazard(s, admin, p.project, 3, "2026-03-04", deadline=dt.date(2026, 3, 20))
        close_minor(s, admin, ok3, "2026-03-05")
    result = evaluate(db)
    number = result.get("C-6a").gaps[0].missing.split()[1]
    assert missing(result, "C-6a") == [f"一级隐患 {number} 未于发现当日向承保机构、建设主管部门报告"]
    assert result.get("C-6a").status == "not_met"
    assert len(result.get("C-6b").due_gaps) == 2 and result.get("C-6b").gaps[0].ref_id == late2.id
    c6c = missing(result, "C-6c")
    assert len(c6c) == 2 and "整改通知未送达责任单位" in c6c[0] and "逾期未闭合（整改期限 2026-03-20）" in c6c[1]
    with db.session() as s:
        for r in hazards.pending_reports(s, late2.id):
            hazards.record_report(s, admin, r.id, channel="系统", reported_at=at("2026-03-03"))
    assert evaluate(db).get("C-6b").status == "met"


def test_periodic_outputs_issued_and_submitted(db, users):
    admin = users["admin"]
    with db.session() as s:
        p = make_project(s, admin)
        publish(s, ("agency", None), labels=("2026-01", "2026-02", "2026Q1"), recipients=(("insurer", p.insurer),))
        publish(s, ("agency", None), labels=("2026-03",), late_days=20,
                recipients=(("insurer", p.insurer), ("authority", p.authority)))
    result = evaluate(db)
    assert missing(result, "C-7a") == [f"2026年3月{t}逾期出具（2026-04-25 签发，应于 2026-04-10 前）"
                                       for t in compliance.DOC_KINDS.values()]
    c7b = missing(result, "C-7b")
    assert "2026年1月隐患排查及问题整改清单未报送越城区住房和城乡建设局（应于 2026-02-10 前）" in c7b
    assert "2026年3月风险评估报告逾期报送越城区住房和城乡建设局（2026-04-25）" in c7b
    assert not any("人民财产" in g for g in c7b if "逾期" not in g)
    # the insurer's view covers its projects, whose outputs are owed to their authority too
    insurer_view = missing(evaluate(db, "insurer", p.insurer), "C-7b")
    assert insurer_view == c7b


def test_scopes_select_projects(db, users):
    admin = users["admin"]
    with db.session() as s:
        a = make_project(s, admin, district="柯桥区")
        b = make_project(s, admin, district="越城区")
    assert evaluate(db, "authority", a.authority).project_ids == (a.project,)
    assert evaluate(db, "project", b.project).project_ids == (b.project,)
    assert set(evaluate(db, "insurer", a.insurer).project_ids) == {a.project, b.project}
    with db.read() as s:
        with pytest.raises(ValidationError):
            compliance.evaluate(s, period=Q1, scope_type="district", scope_id=None, as_of=AS_OF)
        with pytest.raises(ValidationError):
            compliance.evaluate(s, period=Q1, scope_type="project", scope_id=None, as_of=AS_OF)
        with pytest.raises(ValidationError, match="尚未开始"):
            compliance.evaluate(s, period=periods.parse("2027"), scope_type="agency", scope_id=None, as_of=AS_OF)
    # a project completed before the period is out of it
    with db.session() as s:
        done = s.get(Project, a.project)
        done.status, done.completion_date = "completed", dt.date(2025, 12, 20)
    assert evaluate(db).project_ids == (b.project,)


def test_training_drill_and_records_items(db, users):
    admin = users["admin"]
    with db.session() as s:
        p = make_project(s, admin)
        hazard(s, admin, p.project, 3, "2026-02-01", category="高处作业")
        training.record_session(s, admin, training.SessionForm(
            date=dt.date(2026, 3, 1), topic="法规培训", categories=("施工用电",), centralized=False),
            [training.Attendance(p.project, 2, 20)])
        s.add(Drill(project_id=p.project, date=dt.date(2026, 3, 10), scenario="火灾"))
        complaints.record_complaint(s, admin, project_id=p.project, received_at=dt.date(2026, 3, 2), content="报告未送达")
        complaints.record_incident(s, admin, project_id=p.project, kind="general_accident",
                                   occurred_on=dt.date(2026, 3, 15), description="物体打击", injuries=1)
        complaints.record_evaluation(s, admin, evaluator_kind="authority", evaluator_id=p.authority,
                                     period="2026Q1", received_on=dt.date(2026, 4, 10), result="不合格",
                                     recognized=False)
    h1 = periods.parse("2026H1")
    result = evaluate(db, period=h1, as_of=dt.date(2026, 7, 10))
    st = statuses(result)
    assert st["C-4a"] == st["C-4b"] == st["C-4c"] == "not_met"
    assert missing(result, "C-4a") == ["2026年上半年未开展集中安全教育培训"]
    assert missing(result, "C-4b") == ["2026年上半年培训未全覆盖（按人计）：管理人员 2/12 人，作业人员 20/180 人"]
    assert missing(result, "C-4c") == ["2026年上半年培训内容未针对项目隐患类别（近期隐患：高处作业）"]
    assert missing(result, "C-5b") == ["2026-03-10 “火灾”演练未进行成效评估"]
    assert st["C-7d"] == "not_met" and "未答复" in missing(result, "C-7d")[0]
    assert st["C-7f"] == "not_met" and st["C-7e"] == "manual"
    assert st["C-8b"] == "not_met" and st["C-8a"] == st["C-8c"] == "met"
    assert missing(result, "C-8b") == ["一般生产安全事故：物体打击"]


def test_manual_answers(db, users):
    admin, lead, clerk = users["admin"], users["tech_lead"], users["clerk"]
    with db.session() as s:
        p = make_project(s, admin)
        with pytest.raises(PermissionDenied):
            compliance.answer_manual(s, clerk, "C-1a", period="2026", scope_type="agency", answer="met", note="x")
        with pytest.raises(ValidationError) as info:
            compliance.answer_manual(s, lead, "C-2f", period="2026", scope_type="agency", answer="yes", note="")
        assert set(info.value.fields) == {"item", "answer", "note"}
        compliance.answer_manual(s, lead, "C-1a", period="2026", scope_type="agency", answer="met",
                                 note="《风控服务管理制度汇编》2026版")
        compliance.answer_manual(s, lead, "C-7f", period=Q1, scope_type="project", scope_id=p.project,
                                 answer="not_applicable", note="属地未开展季度考核")
    agency = evaluate(db)
    assert agency.get("C-1a").status == "met" and agency.get("C-1a").answered_by == lead.display_name
    assert agency.get("C-1a").note == "《风控服务管理制度汇编》2026版"
    assert agency.get("C-7f").status == "manual"
    project = evaluate(db, "project", p.project)
    assert project.get("C-1a").status == "met"  # the agency's answer holds for each project
    assert project.get("C-7f").status == "not_applicable"
    with db.session() as s:
        compliance.answer_manual(s, lead, "C-1a", period="2026Q1", scope_type="agency", answer="not_met",
                                 note="制度未更新")
    assert evaluate(db).get("C-1a").status == "not_met"  # the quarter's own answer comes first
    assert evaluate(db, period=periods.parse("2026Q2"), as_of=dt.date(2026, 7, 1)).get("C-1a").status == "met"


def test_summary_text(db, users):
    admin = users["admin"]
    with db.session() as s:
        make_project(s, admin, name="某安置房项目")
    text = compliance.summary_text(evaluate(db), max_gaps=1)
    assert text.startswith("安责险第三方风控服务机构检查表 自查结果")
    assert "期间：2026年第一季度（2026-01-01 至 2026-03-31），截至 2026-04-20" in text
    assert "序号2第6点 [不符合] 是否落实每季度开展不少于1次全覆盖检查。" in text
    assert "C-" not in text  # our ids are not for people
    assert "某安置房项目" in text and "【事故预防技术服务开展情况】" in text
    assert "… 另有" in text


def test_sub_periods():
    labels = [p.label for p in compliance.sub_periods(periods.parse("2026"), "quarter")]
    assert labels == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert [p.label for p in compliance.sub_periods(periods.parse("2026-05"), "quarter")] == ["2026Q2"]
    assert [p.label for p in compliance.sub_periods(periods.parse("2026H2"), "month", inside=True)][-1] == "2026-12"
    assert compliance.sub_periods(periods.parse("2026Q1"), "year", inside=True) == []


def test_hazard_rows_untouched(db, users):
    """Evaluating reads only: no row changes, nothing is flushed."""
    build_complete(db, users)
    with db.read() as s:
        before = s.execute(select(Hazard.version)).scalars().all()
        compliance.evaluate(s, period=Q1, scope_type="agency", scope_id=None, as_of=AS_OF)
        assert not s.dirty and not s.new
        assert s.execute(select(Hazard.version)).scalars().all() == before


def test_stage_danda_and_special_plan_gaps(db, users):
    admin = users["admin"]
    with db.session() as s:
        p = make_project(s, admin)
        stages = projects.get_detail(s, p.project).stages
        projects.set_stage_dates(s, admin, stages[0].id, actual_start=dt.date(2026, 1, 10),
                                 actual_end=dt.date(2026, 2, 28))
        pit = projects.add_danger_item(s, admin, p.project, name="深基坑工程", is_super=True, status="in_progress")
        s.get(DangerItem, pit).actual_start = dt.date(2026, 1, 20)
        inspect(s, admin, p.project, "2026-03-10", "danda_targeted", danger_item_id=pit)
        risk.assess(s, admin, p.project)
        for a in s.execute(select(RiskAssessment)).scalars():
            a.assessed_at = at("2026-01-25")
    result = evaluate(db)
    assert missing(result, "C-2c") == ["施工阶段“地基与基础”未开展风险识别和隐患排查"]
    assert missing(result, "C-2e") == ["危大工程“深基坑工程”准备阶段未开展针对性风险识别"]
    assert missing(result, "C-3b") == ["高风险项目未制定并签发专项服务方案"]
    assert result.get("C-3b").gaps[0].since == dt.date(2026, 1, 25)
    assert {i: result.get(i).status for i in ("C-2c", "C-2e", "C-3b")} == dict.fromkeys(
        ("C-2c", "C-2e", "C-3b"), "not_met")
    with db.session() as s:
        s.add(ServicePlan(project_id=p.project, kind="special", title="专项服务方案", status="draft"))
    assert evaluate(db).get("C-3b").status == "not_met"  # a draft is not a plan in force


def test_incident_items(db, users):
    admin = users["admin"]
    with db.session() as s:
        p = make_project(s, admin)
        complaints.record_incident(s, admin, project_id=p.project, kind="missed_major_hazard",
                                   occurred_on=dt.date(2026, 2, 5), description="附着式升降脚手架防坠装置失效",
                                   found_by="越城区住房和城乡建设局")
        complaints.record_incident(s, admin, project_id=p.project, kind="larger_accident",
                                   occurred_on=dt.date(2026, 4, 5), description="模板支撑坍塌", fatalities=3)
    q1 = evaluate(db)
    assert q1.get("C-8a").status == "not_met" and q1.get("C-8c").status == "met"
    assert missing(q1, "C-8a") == ["漏判重大隐患：附着式升降脚手架防坠装置失效（发现单位：越城区住房和城乡建设局）"]
    q2 = evaluate(db, period=periods.parse("2026Q2"), as_of=dt.date(2026, 7, 1))
    assert missing(q2, "C-8c") == ["较大及以上生产安全事故：模板支撑坍塌（死亡 3 人）"]
    assert q2.get("C-8a").status == "met"
