"""Training record and drill record: attendance against headcount, roster, evaluation, photos."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.reports import training_docs
from desktop.reports.training_docs import (
    AttendanceLine,
    CoverageLine,
    DrillRecordData,
    EmergencyPlanLine,
    RosterLine,
    TrainingRecordData,
)
from tests.reports.conftest import flat, meta, page_count, pdffonts, pdftotext
from tests.signoff_text import sign_off

pytestmark = pytest.mark.usefixtures("poppler")


@pytest.fixture
def session_data(agency, big_jpeg) -> TrainingRecordData:
    return TrainingRecordData(
        meta(agency, "安全教育培训记录", "风控培训〔2026〕0001号"), "基坑工程及临时用电专项安全培训",
        dt.date(2026, 8, 1),
        (AttendanceLine("绍兴市某某花园一期工程", 12, 150, 18, 300, ("张一", "李二", "王三", "赵四", "钱五", "孙六", "周七")),
         AttendanceLine("绍兴市某某花园二期工程", 5, 40, 0, 0)),
        location="项目部会议室", trainer="周老师", duration_hours="2.5", centralized=True,
        categories=("基坑工程", "临时用电"), materials="一、基坑支护与监测要点\n二、三级配电两级保护",
        photos=(big_jpeg,), recorder="王记录", approved_by="李技术")


def test_training_record_shows_coverage_and_roster(tmp_path, session_data):
    path = training_docs.build_training_record(session_data, tmp_path / "training.pdf")
    assert all(row[-5] == "yes" for row in pdffonts(path))
    assert path.stat().st_size < 1_500_000  # the camera photo is shrunk
    text = flat(pdftotext(path))
    for phrase in ("基坑工程及临时用电专项安全培训", "2.5小时", "基坑工程、临时用电", "三级配电两级保护",
                   "签到名单", "孙六", "周七", "培训现场照片", "王记录", "李技术"):
        assert phrase in text
    assert "67%" in text and "50%" in text  # 12 of 18 managers, 150 of 300 workers
    assert "参训共207人次（管理人员17人次，作业人员190人次）" in text
    assert AttendanceLine.share(5, 0) == "—" and AttendanceLine.share(30, 20) == "100%"
    # the second project gave counts only: the record says so rather than imply a roster
    assert "“绍兴市某某花园二期工程”未登记签到名单，其参训人数按登记的人数计。" in text


def test_a_training_record_without_any_roster_says_the_counts_are_as_entered(tmp_path, session_data):
    from dataclasses import replace

    data = replace(session_data, photos=(),
                   attendance=tuple(replace(a, roster=()) for a in session_data.attendance))
    text = flat(pdftotext(training_docs.build_training_record(data, tmp_path / "bare.pdf")))
    assert "签到名单本次培训未登记签到名单，参训人数按登记的人数计。" in text


@pytest.fixture
def drill(agency, project, big_jpeg) -> DrillRecordData:
    return DrillRecordData(
        meta(agency, "应急演练记录及评估报告", "风控演练〔2026〕0001号"), project, dt.date(2026, 9, 1), "基坑坍塌",
        location="基坑北侧", organiser="浙江某某建设集团有限公司项目部", participants=45,
        observations="09:00 发出警报；09:03 人员撤离至集合点；09:10 清点人数完毕。",
        evaluation="响应及时，分工明确，撤离有序。", rating="良", findings="应急物资存放点距离基坑较远",
        improvements="在基坑北侧增设应急物资点", photos=(big_jpeg,),
        plans=(EmergencyPlanLine(dt.date(2026, 7, 1), "书面修改建议", "基坑坍塌专项应急预案", "补充监测报警值"),),
        evaluator="王评估", approved_by="李技术")


def test_drill_record_with_its_evaluation(tmp_path, drill):
    text = flat(pdftotext(training_docs.build_drill_record(drill, tmp_path / "drill.pdf")))
    for phrase in ("基坑坍塌", "45人", "人员撤离至集合点", "■良", "□优", "应急物资存放点距离基坑较远",
                   "在基坑北侧增设应急物资点", "基坑坍塌专项应急预案", "王评估", "李技术", "演练现场照片"):
        assert phrase in text


def test_the_evaluator_signs_with_the_evaluation_s_own_date(tmp_path, drill):
    from dataclasses import replace

    path = training_docs.build_drill_record(replace(drill, evaluated_on=dt.date(2026, 9, 3), photos=()),
                                            tmp_path / "dated.pdf")
    assert sign_off(path, "评估人") == [("王评估", "2026年9月3日")]
    # the document's own date is not the evaluation's: without a recorded day, none is printed
    undated = training_docs.build_drill_record(replace(drill, photos=()), tmp_path / "undated.pdf")
    assert sign_off(undated, "评估人") == [("王评估", "")]


def test_an_unevaluated_drill_leaves_room_to_evaluate(tmp_path, drill):
    from dataclasses import replace

    path = training_docs.build_drill_record(replace(drill, evaluation="", rating="", photos=(), plans=()),
                                            tmp_path / "open.pdf")
    text = flat(pdftotext(path))
    assert "尚未评估" in text and "□优□良□中□差" in text and "应急预案编制协助情况" not in text
    assert page_count(path) == 1


def test_training_record_prints_content_coverage_and_the_roster(tmp_path, agency):
    data = TrainingRecordData(
        meta(agency, "安全教育培训记录", "风控培训〔2026〕2号"), "高处作业安全培训", dt.date(2026, 5, 1),
        (AttendanceLine("绍兴市某某花园一期工程", 1, 1, 12, 180),),
        centralized=True, materials="课件：高处作业.pptx", content="安全带“高挂低用”；临边洞口防护要求",
        people=(RosterLine("绍兴市某某花园一期工程", "张三", "管理人员", "某建设集团", "3306**********1234"),
                RosterLine("绍兴市某某花园一期工程", "李四", "作业人员", "某劳务公司", "138****0002")),
        half_label="2026年上半年", coverage=(CoverageLine("绍兴市某某花园一期工程", 12, 12, 150, 180),))
    text = flat(pdftotext(training_docs.build_training_record(data, tmp_path / "t.pdf")))
    assert "培训内容安全带“高挂低用”；临边洞口防护要求" in text
    assert "培训材料课件：高处作业.pptx" in text
    for phrase in ("签到名单", "签名", "张三", "3306**********1234", "138****0002", "某劳务公司",
                   "2026年上半年培训覆盖情况", "按人计", "15018"):
        assert phrase in text, phrase
    assert "C-4" not in text and "N-13" not in text
