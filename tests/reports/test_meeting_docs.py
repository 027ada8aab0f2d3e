"""The kick-off record's builder on its own: a record kept before attendees were by party, an
unconfirmed one; the safety analysis's standardisation sentence."""

from __future__ import annotations

import datetime as dt

from desktop.reports.data import AgencyInfo, DocMeta, ProjectInfo
from desktop.reports.meeting_docs import KickoffRecordData, build_kickoff_record
from desktop.reports.standardisation_docs import StandardisationCount, analysis_text
from tests.reports.conftest import flat, page_count, pdftotext

META = DocMeta("服务交底会记录", "风控交底〔2026〕3号", dt.date(2026, 3, 2), AgencyInfo("绍兴安途安全风控咨询有限公司"))
PROJECT = ProjectInfo("镜湖新区金色家园二期", "P-2026-0001", contractor="浙江某建设集团有限公司",
                      supervisor="浙江某工程管理有限公司", owner="绍兴市城市建设投资集团有限公司")


def test_an_earlier_record_prints_its_free_text_and_no_confirmation(tmp_path, poppler):
    data = KickoffRecordData(META, PROJECT, dt.date(2026, 1, 8), "项目部会议室", (),
                             (("服务范围", True), ("服务方案", False), ("联系人", False), ("报告途径", True)),
                             earlier_attendees="施工单位：李明（项目经理）；风控机构：王工",
                             recorder="王工", approved_by="张总")
    path = build_kickoff_record(data, tmp_path / "kickoff.pdf")
    text = flat(pdftotext(path))
    assert page_count(path) == 1
    for fact in ("风控交底〔2026〕3号", "施工单位：李明（项目经理）；风控机构：王工", "■服务范围□服务方案□联系人■报告途径",
                 "未附签到表扫描件。", "投保单位尚未确认本记录。", "技术负责人：张总", "记录人：王工"):
        assert fact in text, fact
    assert "（未登记参会人员）" not in text and "N-" not in text and "C-2" not in text


def test_the_analysis_sentence_follows_the_counts():
    assert analysis_text(None) == ""
    assert analysis_text(StandardisationCount(0, 0, 0)) == "本期未开展安全生产标准化建设协助。"
    assert analysis_text(StandardisationCount(0, 0, 2)) == \
        "本期开展安全生产标准化建设协助0次，涉及0个项目；完成建议落实情况跟踪复查2次。"
    assert analysis_text(StandardisationCount(5, 3, 1)) == \
        "本期开展安全生产标准化建设协助5次，涉及3个项目；完成建议落实情况跟踪复查1次。"
