"""Sign-off lines state only the sign-offs the records hold: who signed and on which day.

An approval nobody recorded (the agency's 负责人, whose name is only the profile's legal
representative) leaves its line blank for a hand signature, without a date; an evaluation is
dated by its own record; a signed archive document names its signer like any other.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess

import pytest
from sqlalchemy import select

from desktop.models import Escalation, Project
from desktop.services import agency, archive, documents, hazards, projects, training
from desktop.services.context import now
from desktop.services.periods import quarter_of
from desktop.services.queries import doc_data, doc_outputs
from tests.factories import make_project
from tests.signoff_text import sign_off

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
TODAY = now().date()
CLOCK_DAYS = ("TODAY",)  # set again before each test (conftest): a run may cross midnight
LEAD = "技术负责人甲"
NO_ROSTER = "本次培训未登记签到名单，参训人数按登记的人数计。"


def cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def flat(path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                         text=True, check=True)
    return "".join(out.stdout.split())


@pytest.fixture
def dirs(tmp_path):
    return {"store_dir": tmp_path / "store", "work_dir": tmp_path / "work"}


@pytest.fixture
def ids(db, users):
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安衡安全风控咨询有限公司", legal_rep="周总")
        return make_project(s, users["admin"])


def draft(db, actor, dirs, kind, scope_type, scope_id=None, period=""):
    with db.session() as s:
        return documents.generate_draft(s, actor, kind=kind, scope_type=scope_type, scope_id=scope_id,
                                        period=period, **dirs)


def sign(db, actor, row, dirs):
    with db.session() as s:
        return documents.sign(s, actor, row.id, expected_version=row.version, **dirs)


def pdf(dirs, row):
    return documents.file_path(dirs["store_dir"], row)


def test_a_hazard_list_prints_no_approval_and_no_date_the_records_do_not_hold(db, users, ids, dirs):
    period = quarter_of(TODAY).label
    row = draft(db, users["clerk"], dirs, "hazard_list", "project", ids.project, period=period)
    # the working copy (as the command line writes it): nobody has signed, so no date at all
    assert sign_off(pdf(dirs, row), "负责人") == [("", "")]
    assert sign_off(pdf(dirs, row), "技术负责人") == [("", "")]
    signed = sign(db, users["tech_lead"], row, dirs)
    assert "周总" not in flat(pdf(dirs, signed))
    assert sign_off(pdf(dirs, signed), "负责人") == [("", "")]
    assert sign_off(pdf(dirs, signed), "技术负责人") == [(LEAD, cn(TODAY))]
    assert sign_off(pdf(dirs, signed), "编制人") == [("内勤文员甲", "")]


def test_signed_analysis_ledger_and_refusal_report_leave_the_approval_blank(db, users, ids, dirs):
    with db.session() as s:
        h = hazards.record(s, users["inspector"], hazards.HazardForm(
            project_id=ids.project, description="3#楼外脚手架连墙件缺失约6处", level=2,
            location="3#楼外脚手架", measures="立即补设连墙件并验收", category="脚手架",
            contingency="停止该区域作业，设置警戒区",
            found_at=dt.datetime(2026, 8, 5, 9, 30)))
        hazards.issue_notice(s, users["admin"], h.id, expected_version=hazards.get(s, h.id).version,
                             at=dt.datetime(2026, 8, 5, 11))
        hazards.escalate(s, users["admin"], h.id, expected_version=hazards.get(s, h.id).version,
                         kind="refusal", note="拒绝整改", at=dt.datetime(2026, 8, 20, 9))
        esc = s.execute(select(Escalation.id)).scalar_one()
    rows = [draft(db, users["clerk"], dirs, "safety_analysis", "agency", period=quarter_of(TODAY).label),
            draft(db, users["clerk"], dirs, "fee_ledger", "project", ids.project, period=str(TODAY.year)),
            draft(db, users["inspector"], dirs, "refusal_report", "escalation", esc)]
    for row in rows:
        signed = sign(db, users["tech_lead"], row, dirs)
        assert "周总" not in flat(pdf(dirs, signed)), row.kind
        assert sign_off(pdf(dirs, signed), "负责人") == [("", "")], row.kind
        assert sign_off(pdf(dirs, signed), "技术负责人") == [(LEAD, cn(TODAY))], row.kind


def _drill(db, users, ids, *, evaluated: bool) -> int:
    with db.session() as s:
        d = training.record_drill(s, users["admin"], training.DrillForm(
            project_id=ids.project, date=TODAY - dt.timedelta(days=10), scenario="基坑坍塌",
            participants=40))
        if evaluated:
            training.evaluate_drill(s, users["tech_lead"], d.id, evaluation="响应及时，分工明确", rating="良",
                                    expected_version=d.version)
        return d.id


def test_an_unevaluated_drill_has_no_evaluator_and_no_evaluation_date(db, users, ids, dirs):
    drill = _drill(db, users, ids, evaluated=False)
    signed = sign(db, users["tech_lead"], draft(db, users["inspector"], dirs, "drill_record", "drill", drill),
                  dirs)
    assert "尚未评估" in flat(pdf(dirs, signed))
    assert sign_off(pdf(dirs, signed), "评估人") == [("", "")]
    assert sign_off(pdf(dirs, signed), "技术负责人") == [(LEAD, cn(TODAY))]


def test_the_evaluator_is_dated_by_the_evaluation_not_by_the_document(db, users, ids, tmp_path):
    drill = _drill(db, users, ids, evaluated=True)
    later = TODAY + dt.timedelta(days=30)  # a record printed a month after the evaluation
    with db.read() as s:
        out = doc_outputs.prepare(s, doc_data.Request(
            "drill_record", "drill", drill, later, number="风控演练〔2026〕1号", draft=False,
            signer=doc_data.Signer(LEAD)), store_dir=tmp_path / "store")
    path = out.write_pdf(tmp_path / "drill.pdf")
    assert sign_off(path, "评估人") == [(LEAD, cn(TODAY))]
    assert sign_off(path, "技术负责人") == [(LEAD, cn(later))]


def test_a_training_record_without_a_roster_says_so(db, users, ids, dirs):
    with db.session() as s:
        other = make_project(s, users["admin"], district="柯桥区")
        bare = training.record_session(s, users["admin"], training.SessionForm(
            date=TODAY - dt.timedelta(days=3), topic="临时用电专项培训", trainer="周老师"),
            [training.Attendance(ids.project, 6, 90)])
        mixed = training.record_session(s, users["admin"], training.SessionForm(
            date=TODAY - dt.timedelta(days=2), topic="高处作业专项培训", trainer="周老师"),
            [training.Attendance(ids.project, 3, 2, "张一\n李二\n王三\n赵四\n钱五"),
             training.Attendance(other.project, 4, 30)])
        other_name = s.get_one(Project, other.project).name
    text = flat(pdf(dirs, draft(db, users["clerk"], dirs, "training_record", "training", bare.id)))
    assert "签到名单" in text and NO_ROSTER in text
    text = flat(pdf(dirs, draft(db, users["clerk"], dirs, "training_record", "training", mixed.id)))
    assert "张一" in text and NO_ROSTER not in text
    assert f"“{other_name}”未登记签到名单，其参训人数按登记的人数计。" in text


def _destruction_request(db, users, ids) -> int:
    with db.session() as s:
        rows = [archive.add_item(s, users["clerk"], archive.ArchiveForm(
            project_id=ids.project, title=f"检查记录第{i}册", pages=12, box="2026-A-01",
            shelf="档案室 3 号柜")) for i in (1, 2)]
        detail = projects.get_detail(s, ids.project)
        done = TODAY.replace(year=TODAY.year - 6)
        form = dataclasses.replace(detail.form, status="completed", completion_date=done,
                                   start_date=min(done, detail.form.start_date or done))
        projects.update_project(s, users["admin"], ids.project, form,
                                expected_version=detail.project.version)
        archive.refresh_retention(s, ids.project)
        return archive.request_destruction(s, users["clerk"], item_ids=[r.id for r in rows],
                                           reason="保存期限已满，申请销毁").id


def test_signed_archive_documents_name_their_signer(db, users, ids, dirs):
    request = _destruction_request(db, users, ids)
    catalogue = draft(db, users["clerk"], dirs, "archive_catalogue", "project", ids.project)
    assert sign_off(pdf(dirs, catalogue), "技术负责人") == [("", "")]
    catalogue = sign(db, users["tech_lead"], catalogue, dirs)
    text = flat(pdf(dirs, catalogue))
    assert f"签发人：{LEAD}" in text and "周总" not in text
    assert sign_off(pdf(dirs, catalogue), "技术负责人") == [(LEAD, cn(TODAY))]
    assert sign_off(pdf(dirs, catalogue), "负责人") == [("", "")]
    form = sign(db, users["tech_lead"],
                draft(db, users["clerk"], dirs, "destruction_form", "destruction_request", request), dirs)
    assert f"签发人：{LEAD}" in flat(pdf(dirs, form))
    assert sign_off(pdf(dirs, form), "申请人") == [("内勤文员甲", cn(TODAY))]
