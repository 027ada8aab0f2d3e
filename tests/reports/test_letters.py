"""Letters: valid PDFs, embedded fonts, Chinese text and punctuation back out of pdftotext."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from desktop.reports import letters
from desktop.reports.data import (
    ClosureData,
    EscalationData,
    HazardReportData,
    RectificationNoticeData,
    ReportFact,
    StopWorkData,
    TimelineEntry,
)
from tests.reports.conftest import CATALOGUE_REF, DESCRIPTION, flat, meta, pdffonts, pdftotext

pytestmark = pytest.mark.usefixtures("poppler")


def _notice(agency, project, hazard, minor_hazard, *, draft=False):
    return RectificationNoticeData(
        meta(agency, "隐患整改通知书", "风控整改〔2026〕0001号", draft=draft), project,
        recipient="浙江某某建设集团有限公司", inspection_date=dt.date(2026, 3, 5),
        hazards=(hazard, minor_hazard), issuer="李四", copy_to=("承保机构", "监理单位"),
        reply_by=dt.date(2026, 3, 21),
    )


def _all_letters(agency, project, hazard, minor_hazard):
    stop = StopWorkData(meta(agency, letters.STOP_WORK_TITLES["partial"], "风控停工〔2026〕0001号"),
                        project, hazard, recipient=project.contractor, scope="3#楼外脚手架作业区",
                        issuer="李四", copy_to=(project.insurer, project.authority))
    report = HazardReportData(meta(agency, "重大隐患报告单", "风控报告〔2026〕0001号"), project,
                              hazard, reason_label="一级隐患当日报告",
                              recipients=(project.insurer, project.authority),
                              actions_taken="已下发局部停工建议书（风控停工〔2026〕0001号）",
                              reporter="王五", reporter_phone="13800000000",
                              reported_at=dt.datetime(2026, 3, 5, 11, 0))
    closure = ClosureData(meta(agency, "复查销项单", "风控销项〔2026〕0001号"), project, hazard,
                          rectification_summary="已补设连墙件12处，经项目部自检合格",
                          submitted_on=dt.date(2026, 3, 7), supervisor_opinion="经核查，整改到位",
                          supervisor_name="赵六", reinspection_date=dt.date(2026, 3, 8),
                          reinspector="王五", findings="现场复查，连墙件已按方案设置", accepted=True)
    escalation = EscalationData(
        meta(agency, letters.ESCALATION_TITLES["delay"], "风控报告〔2026〕0002号"), project,
        "delay", (hazard, minor_hazard),
        recipients=(project.insurer, project.authority, project.owner),
        history=(TimelineEntry(dt.date(2026, 3, 5), "下发隐患整改通知书（风控整改〔2026〕0001号）"),
                 TimelineEntry(dt.date(2026, 3, 10), "电话督促整改，责任单位答复“材料未到场”")),
    )
    return [
        (letters.build_rectification_notice, _notice(agency, project, hazard, minor_hazard)),
        (letters.build_stop_work_suggestion, stop),
        (letters.build_hazard_report, report),
        (letters.build_closure_record, closure),
        (letters.build_escalation_report, escalation),
    ]


def test_every_letter_is_a_pdf_with_embedded_fonts_and_its_text(
        tmp_path, agency, project, hazard, minor_hazard):
    for builder, data in _all_letters(agency, project, hazard, minor_hazard):
        path = builder(data, tmp_path / f"{builder.__name__}.pdf")
        assert path.read_bytes()[:5] == b"%PDF-"
        fonts = pdffonts(path)
        assert fonts, builder.__name__
        assert all(row[-5] == "yes" for row in fonts), (builder.__name__, fonts)  # emb column
        text = flat(pdftotext(path, raw=True))
        assert flat(data.meta.title) in text, builder.__name__
        assert data.meta.number in text, builder.__name__  # 〔〕 survive
        assert flat(DESCRIPTION) in text, builder.__name__
        assert "（A地块）" in text, builder.__name__  # full-width brackets survive
        assert "草稿" not in text
        assert not list(tmp_path.glob(".*.part"))


def test_notice_keeps_quotes_and_states_the_four_requirements(
        tmp_path, agency, project, hazard, minor_hazard):
    path = letters.build_rectification_notice(
        _notice(agency, project, hazard, minor_hazard), tmp_path / "n.pdf")
    text = flat(pdftotext(path))
    assert "“责任、措施、时限、预案”" in text
    # a name that contains “” is quoted with ‘’ inside “”
    assert "“绍兴市镜湖新区‘金色家园’二期（A地块）住宅工程”" in text
    assert CATALOGUE_REF.replace(" ", "") in text
    assert "第1页共1页" in text


def test_draft_mark_only_on_drafts(tmp_path, agency, project, hazard, minor_hazard):
    draft = letters.build_rectification_notice(
        _notice(agency, project, hazard, minor_hazard, draft=True), tmp_path / "d.pdf")
    final = letters.build_rectification_notice(
        _notice(agency, project, hazard, minor_hazard, draft=False), tmp_path / "f.pdf")
    assert "草稿" in pdftotext(draft)
    assert "草稿" not in pdftotext(final)


def test_stop_work_title_and_scope(tmp_path, agency, project, hazard):
    data = StopWorkData(meta(agency, letters.STOP_WORK_TITLES["partial"], "风控停工〔2026〕0002号"),
                        project, hazard, recipient=project.contractor, scope="3#楼外脚手架作业区")
    text = flat(pdftotext(letters.build_stop_work_suggestion(data, tmp_path / "s.pdf")))
    assert "局部停工建议书" in text
    assert "实施局部停工" in text and "3#楼外脚手架作业区" in text
    assert "报送" not in text.split("签收人")[0].split("复查合格后方可恢复施工")[-1]  # no reports owed


def test_stop_work_says_reported_the_same_day_only_when_both_were(tmp_path, agency, project, hazard):
    """已于当日报送 only when both reports were logged on the day found; otherwise the facts."""
    on_day = (ReportFact("承保机构", project.insurer, dt.datetime(2026, 3, 5, 10, 0), "电话"),
              ReportFact("建设主管部门", project.authority, dt.datetime(2026, 3, 5, 16, 0), "系统"))
    base = StopWorkData(meta(agency, letters.STOP_WORK_TITLES["partial"], "绍安衡风控停工〔2026〕2号"),
                        project, hazard, recipient=project.contractor, reports=on_day)
    text = flat(pdftotext(letters.build_stop_work_suggestion(base, tmp_path / "a.pdf")))
    assert (f"该隐患已于发现当日（2026年3月5日）报送承保机构（{project.insurer}）、"
            f"建设主管部门（{project.authority}）。") in text
    assert "本建议书" not in text  # the reports are of the hazard, not of this letter
    late = replace(base, reports=(on_day[0], replace(on_day[1], reported_at=dt.datetime(2026, 3, 7, 9, 0))))
    text = flat(pdftotext(letters.build_stop_work_suggestion(late, tmp_path / "b.pdf")))
    assert "已于当日报送" not in text
    assert f"已于2026年3月5日报送承保机构（{project.insurer}）" in text
    assert f"已于2026年3月7日报送建设主管部门（{project.authority}）" in text
    missing = replace(base, reports=(on_day[0], replace(on_day[1], reported_at=None)))
    text = flat(pdftotext(letters.build_stop_work_suggestion(missing, tmp_path / "c.pdf")))
    assert "已于当日报送" not in text and f"尚未报送建设主管部门（{project.authority}）" in text


def test_stop_work_names_the_report_dates_and_what_is_not_yet_reported(
        tmp_path, agency, project, hazard):
    """The dates come from the logged reports; none logged says so, and 当日 is never bare."""
    later = (ReportFact("承保机构", project.insurer, dt.datetime(2026, 3, 6, 8, 0), "电话"),
             ReportFact("建设主管部门", project.authority, None, ""))
    data = StopWorkData(meta(agency, letters.STOP_WORK_TITLES["partial"], "风控停工〔2026〕0003号"),
                        project, hazard, recipient=project.contractor, reports=later)
    text = flat(pdftotext(letters.build_stop_work_suggestion(data, tmp_path / "s.pdf")))
    assert (f"报送情况：该隐患已于2026年3月6日报送承保机构（{project.insurer}）；"
            f"尚未报送建设主管部门（{project.authority}）。") in text
    assert "当日" not in text.split("复查合格后方可恢复施工")[-1] and "本建议书" not in text
    none = replace(data, reports=(replace(later[0], reported_at=None), later[1]))
    text = flat(pdftotext(letters.build_stop_work_suggestion(none, tmp_path / "n.pdf")))
    assert (f"报送情况：尚未报送承保机构（{project.insurer}）；"
            f"尚未报送建设主管部门（{project.authority}）。") in text
    assert "已于" not in text.split("复查合格后方可恢复施工")[-1]


def test_stop_work_calls_a_level_1_hazard_major_only_when_it_was_judged_major(
        tmp_path, agency, project, hazard):
    """一级（重大） is the level's colour name: a level-1 hazard not judged major is 一级隐患,
    as its report form (一级隐患报告单, 重大事故隐患 否) says."""
    title = letters.STOP_WORK_TITLES["partial"]
    plain = StopWorkData(meta(agency, title, "风控停工〔2026〕0004号"), project,
                         replace(hazard, is_major=False, catalogue_ref=""), recipient=project.contractor)
    text = flat(pdftotext(letters.build_stop_work_suggestion(plain, tmp_path / "p.pdf")))
    assert f"发现一级隐患：{flat(DESCRIPTION)}" in text
    assert "重大" not in text
    major = replace(plain, hazard=hazard)
    text = flat(pdftotext(letters.build_stop_work_suggestion(major, tmp_path / "m.pdf")))
    assert "发现重大事故隐患（一级）：" in text and "一级（重大事故隐患）" in text
    assert "一级（重大）" not in text
    form = HazardReportData(meta(agency, "一级隐患报告单", "风控报告〔2026〕0004号"), project,
                            plain.hazard, reason_label="一级隐患当日报告",
                            recipients=(project.insurer, project.authority))
    text = flat(pdftotext(letters.build_hazard_report(form, tmp_path / "r.pdf")))
    assert "隐患等级一级" in text and "重大事故隐患否" in text and "一级（重大）" not in text


def test_refusal_report_lists_overdue_days(tmp_path, agency, project, hazard):
    report_meta = replace(meta(agency, letters.ESCALATION_TITLES["refusal"], "风控报告〔2026〕0003号"),
                          date=dt.date(2026, 3, 18))
    data = EscalationData(report_meta, project, "refusal", (hazard,), recipients=(project.insurer,))
    text = pdftotext(letters.build_escalation_report(data, tmp_path / "r.pdf"))
    assert "拒不按要求实施整改" in flat(text)
    assert "拒不整改情况报告" in flat(text)
    assert "10" in text.split()  # deadline 3月8日, reported 3月18日: 10 days overdue


def test_unknown_escalation_kind_is_refused(tmp_path, agency, project, hazard):
    data = EscalationData(meta(agency, "报告", "X"), project, "bogus", (hazard,), recipients=())
    with pytest.raises(ValueError):
        letters.build_escalation_report(data, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_failed_build_leaves_the_previous_file(tmp_path, agency, project, hazard, minor_hazard,
                                               monkeypatch):
    from desktop.reports import layout

    target = tmp_path / "n.pdf"
    target.write_bytes(b"old")

    def broken(self, canv, doc):
        raise RuntimeError("boom")

    monkeypatch.setattr(layout.HouseDoc, "_header", broken)
    with pytest.raises(RuntimeError):
        letters.build_rectification_notice(_notice(agency, project, hazard, minor_hazard), target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["n.pdf"]


def test_stop_work_letter_needs_a_stop_work_suggestion(tmp_path, agency, project, minor_hazard):
    data = StopWorkData(meta(agency, "停工建议书", "风控停工〔2026〕0003号"), project, minor_hazard,
                        recipient=project.contractor)
    with pytest.raises(ValueError):
        letters.build_stop_work_suggestion(data, tmp_path / "s.pdf")
