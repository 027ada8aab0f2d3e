"""The mapping layer: the numbers of a period computed in SQL, the hazard list, the per-record letters."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest
from PIL import Image

from desktop.models import Project, RiskAssessment
from desktop.reports import registers
from desktop.services import (
    agency,
    compliance,
    hazards,
    inspections,
    organisations,
    periods,
    risk,
    risk_sources,
    training,
)
from desktop.services.context import ValidationError
from desktop.services.exchange import attachments
from desktop.services.queries import doc_data, doc_outputs
from desktop.services.queries.doc_data_periodic import (
    hazard_rows,
    period_stats,
    risk_data,
    scope_of,
)
from desktop.services.training_people import AttendeeForm
from tests.factories import make_project
from tests.services.test_hazards import sign_letter

TODAY = dt.date(2026, 11, 28)
Q3 = periods.parse("2026Q3")


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour))


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 120, 200)).save(buf, "JPEG")
    return buf.getvalue()


def record(s, actor, project_id, level, day, **kw):
    base = dict(project_id=project_id, description=f"{level}级隐患（{day}）", level=level, category="临时用电",
                measures="按规范整改", contingency="设置警戒", found_at=at(day))
    if level == 1:
        base["stop_work"] = "partial"
    base.update(kw)
    return hazards.record(s, actor, hazards.HazardForm(**base))


def close(s, actor, store, h, day, *, supervisor="李监理"):
    """Notice, delivery, after-photo, closure through the supervisor, verified on `day`."""
    if h.level == 1:  # closing a level 1 needs its stop-work letter signed
        sign_letter(s, h.id)
    for r in hazards.pending_reports(s, h.id):
        hazards.record_report(s, actor, r.id, channel="书面", reported_at=h.found_at)
    h = hazards.issue_notice(s, actor, h.id, expected_version=h.version, at=h.found_at + dt.timedelta(hours=1))
    h = hazards.record_delivery(s, actor, h.id, expected_version=h.version, received_by="张安全",
                                at=h.found_at + dt.timedelta(hours=2))
    attachments.store_file(s, actor, store_dir=store, data=jpeg(), owner_type="hazard", owner_id=h.id, role="after")
    h = hazards.submit_closure(s, actor, h.id, expected_version=h.version, supervisor_name=supervisor,
                               at=at(day, 8), note="已整改完毕")
    return hazards.verify_close(s, actor, h.id, expected_version=h.version, at=at(day, 16),
                                reinspection_date=dt.date.fromisoformat(day), note="现场复查合格")


@pytest.fixture
def world(db, users, tmp_path):
    """Two projects of one insurer under two authorities, with hazards around 2026Q3."""
    admin, store = users["admin"], tmp_path / "store"
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")
        a = make_project(s, admin, district="越城区")
        b = make_project(s, admin, district="柯桥区")
        visit = inspections.record(s, admin, inspections.InspectionForm(
            project_id=a.project, kind="full_coverage", date=dt.date(2026, 7, 5), inspector_ids=(admin.user_id,)))
        h = {}
        h[1] = record(s, admin, a.project, 1, "2026-07-05", category="脚手架", is_major=True, inspection_id=visit.id)
        h[1] = close(s, admin, store, h[1], "2026-07-20")
        h[2] = record(s, admin, a.project, 3, "2026-08-10")
        h[3] = record(s, admin, a.project, 3, "2026-09-01", repeat_of_id=h[2].id)
        h[3] = close(s, admin, store, h[3], "2026-10-10")
        h[4] = record(s, admin, a.project, 4, "2026-06-10")
        h[5] = close(s, admin, store, record(s, admin, a.project, 2, "2026-05-01"), "2026-07-03")
        h[6] = close(s, admin, store, record(s, admin, a.project, 3, "2026-04-01"), "2026-05-01")
        h[7] = record(s, admin, a.project, 2, "2026-08-20")
        hazards.cancel(s, admin, h[7].id, expected_version=h[7].version, reason="误登记")
        h[8] = record(s, admin, a.project, 4, "2026-10-05")
        # a major hazard is level 1 (a level 2 flagged major is refused since the 2024 rules)
        h[9] = close(s, admin, store, record(s, admin, b.project, 1, "2026-07-15", category="高处作业",
                                             is_major=True), "2026-07-30")
        numbers = {k: v.number for k, v in h.items()}
    return {"a": a, "b": b, "h": h, "numbers": numbers, "store": store, "visit": visit.id}


def test_period_numbers_of_one_project(db, world):
    with db.read() as s:
        stats = period_stats(s, scope_of(s, "project", world["a"].project), Q3, today=TODAY)
    assert (stats.found, stats.closed, stats.major, stats.overdue) == (3, 1, 1, 3)
    assert stats.rectification_rate == pytest.approx(1 / 3)
    assert dict(stats.by_level) == {1: 1, 3: 2} and stats.by_category == (("临时用电", 2), ("脚手架", 1))
    assert [(m.month, m.found, m.closed) for m in stats.by_month] == [
        ("2026-07", 1, 1), ("2026-08", 1, 0), ("2026-09", 1, 0)]
    assert stats.projects_served == 1 and stats.inspections == 1
    [repeat] = stats.repeat_hazards
    assert repeat.count == 2 and repeat.description == "3级隐患（2026-08-10）" and repeat.category == "临时用电"
    [top] = stats.top_open_projects
    # open on 30 September: h2, h3 (closed only in October) and h4 (carried over), all past their deadline
    assert (top.open_count, top.open_level1, top.overdue) == (3, 0, 3)
    assert stats.period_label == "2026年第三季度"
    assert stats.scope_label.startswith("绍兴市越城区某安置房项目") and stats.scope_label.endswith("）")


def test_period_numbers_widen_with_the_scope(db, world):
    with db.read() as s:
        insurer = period_stats(s, scope_of(s, "insurer", world["a"].insurer), Q3, today=TODAY)
        authority = period_stats(s, scope_of(s, "authority", world["b"].authority), Q3, today=TODAY)
        agency_wide = period_stats(s, scope_of(s, "agency", None), Q3, today=TODAY)
        # the current month counts up to today only, and nothing found later than today exists
        november = period_stats(s, scope_of(s, "agency", None), periods.parse("2026-11"), today=TODAY)
    assert (insurer.found, insurer.closed, insurer.major, insurer.projects_served) == (4, 2, 2, 2)
    assert dict(insurer.by_level) == {1: 2, 3: 2}
    assert (authority.found, authority.closed, authority.overdue) == (1, 1, 0)
    assert agency_wide.found == insurer.found and agency_wide.scope_label == "全部服务项目"
    assert insurer.scope_label.endswith("承保项目") and authority.scope_label.endswith("辖区项目")
    assert november.found == 0 and [m.month for m in november.by_month] == ["2026-11"]
    assert november.overdue == 3  # h2, h4 and h8 (due 4 November) are open today


def test_hazard_list_rows_and_xlsx_round_trip(db, world, tmp_path):
    n = world["numbers"]
    with db.read() as s:
        rows = hazard_rows(s, scope_of(s, "project", world["a"].project), Q3, today=TODAY)
        req = doc_data.Request("hazard_list", "insurer", world["a"].insurer, TODAY, "2026Q3", "风控清单〔2026〕0001号",
                               draft=False)
        output = doc_outputs.prepare(s, req, store_dir=world["store"])
    # carried over (h5 closed in the period, h4 still open), then found in the period
    assert [r.number for r in rows] == [n[5], n[4], n[1], n[2], n[3]]
    by = {r.number: r for r in rows}
    assert by[n[4]].status_label == "已登记" and by[n[4]].overdue and by[n[4]].closed_date is None
    assert by[n[3]].closed_date == dt.date(2026, 10, 10) and not by[n[3]].overdue
    assert by[n[1]].is_major and by[n[1]].level == 1 and by[n[1]].category == "脚手架"
    assert by[n[2]].responsible_unit == "浙江某建设集团有限公司" and by[n[2]].deadline == dt.date(2026, 8, 25)
    assert output.title == "2026年第三季度隐患排查及问题整改清单"
    assert len(output.data.rows) == 6 and output.data.rows[-1].number != n[8]  # h9 of the other project joins
    path = output.write_xlsx(tmp_path / "list.xlsx")
    expected = [{"seq": i, **{c.key: getattr(r, c.key) for c in registers.COLUMNS[1:]},
                 "overdue": registers.overdue_value(r)} for i, r in enumerate(output.data.rows, start=1)]
    assert by[n[5]].late_days == 56 and registers.overdue_value(by[n[5]]) == "是（逾期56天销项）"
    assert by[n[2]].contingency == "设置警戒"
    assert registers.read_hazard_xlsx(path) == expected


def test_risk_levels_at_the_end_of_the_period_and_the_changes(db, users, world):
    lead = users["tech_lead"]
    a, b = world["a"].project, world["b"].project
    with db.session() as s:
        for project, level, day in ((a, "low", "2026-06-15"), (b, "medium", "2026-07-10"),
                                    (a, "high", "2026-08-01"), (a, "medium", "2026-10-15")):
            row = risk.override(s, lead, project, level, reason=f"评定为{level}")
            s.get(RiskAssessment, row.id).assessed_at = at(day)
        s.get(Project, a).excavation_depth_m = None
    with db.read() as s:
        req = doc_data.Request("risk_assessment", "insurer", world["a"].insurer, TODAY, "2026Q3", "x", draft=False)
        meta = doc_data.meta(s, req, "风险评估报告", None)
        data = risk_data(s, scope_of(s, "insurer", world["a"].insurer), Q3, meta, today=TODAY)
    levels = {p.code: p.level for p in data.projects}
    assert sorted(levels.values()) == ["high", "medium"]  # A was high on 30 September
    assert [(c.before, c.after, c.date) for c in data.changes] == [
        (None, "medium", dt.date(2026, 7, 10)), ("low", "high", dt.date(2026, 8, 1))]
    assert [c.direction for c in data.changes] == [0, 1] and all(c.by == "技术负责人甲" for c in data.changes)
    assert len(data.by_insurer) == 1 and data.by_insurer[0].total == 2
    assert sorted(g.label for g in data.by_authority) == ["柯桥区住房和城乡建设局", "越城区住房和城乡建设局"]
    assert data.intervals == {"high": 30, "medium": 90, "low": 180} and data.as_of == Q3.end


def test_letters_and_records_from_the_data(db, users, world):
    admin, h = users["admin"], world["h"]
    with db.session() as s:
        other = organisations.ensure(s, admin, kind="contractor", name="绍兴某专业分包有限公司")
        record(s, admin, world["a"].project, 3, "2026-07-05", inspection_id=world["visit"],
               responsible_unit_id=other.id)
        src = risk_sources.add(s, admin, world["a"].project, risk_sources.SourceForm(name="深基坑开挖", level=1))
        inspections.verify_sources(s, admin, world["visit"], {src.id: True}, notes={src.id: "支护完好"})

    def prepare(kind, scope_type, scope_id, period="", day=TODAY):
        with db.read() as s:
            req = doc_data.Request(kind, scope_type, scope_id, day, period, "风控〔2026〕9号", draft=False,
                                   prepared_by="王编制", signer=doc_data.Signer("技术负责人甲", "13800000000"))
            return doc_outputs.prepare(s, req, store_dir=world["store"])

    with pytest.raises(ValidationError, match="多个责任单位"):
        prepare("rectification_notice", "inspection", world["visit"])
    # a notice dated after its reply-by day, or before the hazard was found, is refused
    with pytest.raises(ValidationError, match="整改回复期限（2026年8月25日）早于发文日期（2026年11月28日）"):
        prepare("rectification_notice", "hazard", h[2].id)
    with pytest.raises(ValidationError, match="早于隐患 .* 的发现日期"):
        prepare("rectification_notice", "hazard", h[2].id, day=dt.date(2026, 8, 9))
    notice = prepare("rectification_notice", "hazard", h[2].id, day=dt.date(2026, 8, 12)).data
    assert notice.issuer == "技术负责人甲" and notice.recipient == "浙江某建设集团有限公司"
    assert notice.hazards[0].number == world["numbers"][2] and notice.reply_by == dt.date(2026, 8, 25)
    with pytest.raises(ValidationError, match="未提出停工"):
        prepare("stop_work", "hazard", h[2].id)
    with pytest.raises(ValidationError, match="不是一级隐患"):
        prepare("hazard_report", "hazard", h[2].id)
    report = prepare("hazard_report", "hazard", h[1].id).data
    assert report.reason_label == "一级隐患当日报告" and report.meta.title == "重大事故隐患报告单"
    # the reporter is who logged the report, the technical lead who signs reviews it
    assert report.reporter == "系统管理员甲" and report.reviewer == "技术负责人甲"
    assert report.reported_at == h[1].found_at and len(report.recipients) == 2
    assert [r.reported_at for r in report.reports] == [h[1].found_at, h[1].found_at]
    closure = prepare("closure_record", "hazard", h[1].id).data
    assert closure.accepted and closure.supervisor_name == "李监理" and closure.reinspector == "系统管理员甲"
    assert closure.reinspection_date == dt.date(2026, 7, 20) and closure.reviewer == "技术负责人甲"
    assert len(closure.hazard.photos_after) == 1 and closure.hazard.photos_after[0].is_file()
    record_ = prepare("inspection_record", "inspection", world["visit"]).data
    assert record_.kind_label == "全覆盖检查" and record_.inspectors == ("系统管理员甲",)
    assert [(c.name, c.verified, c.note) for c in record_.risk_source_checks] == [("深基坑开挖", True, "支护完好")]
    assert len(record_.findings) == 2 and record_.meta.title == "全覆盖检查记录"
    with pytest.raises(ValidationError, match="范围须为"):
        prepare("closure_record", "inspection", world["visit"])
    with pytest.raises(ValidationError, match="不按期间"):
        prepare("closure_record", "hazard", h[1].id, period="2026Q3")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_training_and_drill_records(db, users, world, tmp_path):
    admin, a = users["admin"], world["a"].project
    with db.session() as s:
        session = training.record_session(s, admin, training.SessionForm(
            date=dt.date(2026, 8, 1), topic="临时用电专项培训", categories=("临时用电",), trainer="周老师",
            centralized=True, materials="TN-S 系统、三级配电两级保护"),
            [training.Attendance(a, 6, 90, "张一\n李二\n王三")])
        named = training.record_session(s, admin, training.SessionForm(
            date=dt.date(2026, 8, 20), topic="基坑工程专项培训", centralized=True, content="基坑监测报警值与撤离",
            materials="课件"), [], [AttendeeForm(a, "赵六", "manager", id_number="330602199001011231"),
                                  AttendeeForm(a, "钱七", "worker", phone="13800000007")])
        attachments.store_file(s, admin, store_dir=world["store"], data=jpeg(), owner_type="training",
                               owner_id=session.id)
        drill = training.record_drill(s, admin, training.DrillForm(project_id=a, date=dt.date(2026, 9, 1),
                                                                   scenario="基坑坍塌", participants=40))
        training.evaluate_drill(s, users["tech_lead"], drill.id, evaluation="响应及时，分工明确", rating="良",
                                improvements="加强夜间演练", expected_version=drill.version)
    with db.read() as s:
        base = dict(date=TODAY, number="风控培训〔2026〕0001号", draft=False, prepared_by="王编制",
                    signer=doc_data.Signer("技术负责人甲"))
        t = doc_outputs.prepare(s, doc_data.Request("training_record", "training", session.id, **base),
                             store_dir=world["store"])
        d = doc_outputs.prepare(s, doc_data.Request("drill_record", "drill", drill.id, **base), store_dir=world["store"])
    line = t.data.attendance[0]
    assert (line.managers, line.workers, line.headcount_managers, line.roster) == (6, 90, 12, ("张一", "李二", "王三"))
    assert t.data.categories == ("临时用电",) and len(t.data.photos) == 1 and t.data.approved_by == "技术负责人甲"
    assert d.data.evaluator == "技术负责人甲" and d.data.rating == "良" and d.data.project.name.startswith("绍兴")
    with db.read() as s:
        n = doc_outputs.prepare(s, doc_data.Request("training_record", "training", named.id, **base),
                             store_dir=world["store"])
    assert [(p.name, p.group, p.contact) for p in n.data.people] == [
        ("赵六", "管理人员", "3306**********1231"), ("钱七", "作业人员", "138****0007")]
    # from 2026-07-01 up to this session: the 6 + 90 counted at the first, the two named at this one
    assert [(c.managers, c.workers) for c in n.data.coverage] == [(6, 90)]
    assert n.data.content == "基坑监测报警值与撤离" and n.data.half_label == "2026年下半年"
    for out in (t, d, n):
        text = subprocess.run(["pdftotext", str(out.write_pdf(tmp_path / f"{out.title}.pdf")), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert "草稿" not in text and "技术负责人甲" in "".join(text.split())


def test_self_check_output_follows_the_compliance_engine(db, world):
    with db.read() as s:
        req = doc_data.Request("self_check", "project", world["a"].project, TODAY, "2026Q3", "风控自查〔2026〕0001号")
        out = doc_outputs.prepare(s, req, store_dir=world["store"])
        result = compliance.evaluate(s, period=Q3, scope_type="project", scope_id=world["a"].project, as_of=TODAY)
    assert [(r.item_id, r.status) for r in out.data.rows] == [(r.item.id, r.status) for r in result.items]
    assert out.data.project_count == 1 and out.data.scope_label.startswith("项目：")
    assert out.data.period_label == "2026年第三季度（2026-07-01 至 2026-09-30）"
    c6a = next(r for r in out.data.rows if r.item_id == "C-6a")
    assert c6a.number == "6" and c6a.evidence[0].startswith("期间内一级隐患")


@pytest.mark.skipif(not __import__("shutil").which("pdftotext"), reason="poppler-utils not installed")
def test_a_projects_hazard_list_prints_its_photos_as_an_appendix(db, users, world, tmp_path):
    import subprocess

    n, admin = world["numbers"], users["admin"]
    with db.session() as s:
        for _ in range(2):
            attachments.store_file(s, admin, store_dir=world["store"], data=jpeg(), owner_type="hazard",
                                   owner_id=world["h"][2].id, role="before")
    with db.read() as s:
        project = doc_outputs.prepare(s, doc_data.Request(
            "hazard_list", "project", world["a"].project, TODAY, "2026Q3", "风控清单〔2026〕0002号",
            draft=False), store_dir=world["store"])
        insurer = doc_outputs.prepare(s, doc_data.Request(
            "hazard_list", "insurer", world["a"].insurer, TODAY, "2026Q3", "风控清单〔2026〕0003号",
            draft=False), store_dir=world["store"])
    # in the list's order (h5, h4, h1, h2, h3); h4 has none; after-photos come from closing
    assert [c for _, c in project.data.photos] == [
        f"{n[5]} 整改后 1", f"{n[1]} 整改后 1", f"{n[2]} 整改前 1", f"{n[2]} 整改前 2", f"{n[3]} 整改后 1"]
    assert all(p.is_file() and "thumbs" in p.parts for p, _ in project.data.photos)  # print copies
    assert insurer.data.photos == ()  # a wider list stays a register
    path = project.write_pdf(tmp_path / "list.pdf")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "附：隐患整改前后照片" in text and f"{n[2]} 整改前 2" in text
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert len([line for line in images if " image " in line]) == 5
