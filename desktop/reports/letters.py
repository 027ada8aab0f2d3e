"""Hazard letters: rectification notice, stop-work suggestion, report, closure, escalation."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from desktop.reports.blocks import (
    Sections,
    data_table,
    field_table,
    hazard_table,
    note,
    numbered,
    paragraphs,
    shares,
    signature_block,
)
from desktop.reports.data import (
    ClosureData,
    EscalationData,
    HazardInfo,
    HazardReportData,
    RectificationNoticeData,
    ReportFact,
    Signatory,
    StopWorkData,
)
from desktop.reports.layout import frame_width, title_block, write_pdf
from desktop.reports.photos import before_after_grid, photo_grid
from desktop.reports.styles import P, Styles, heading
from desktop.reports.text import cn_date, cn_datetime, join_cn, para, quoted, yes_no
from desktop.reports.wording import text as wording_text
from desktop.vocabulary import HAZARD_LEVEL_SHORT, STOP_WORK_LABELS

log = logging.getLogger("desktop.reports")

STOP_WORK_TITLES = {"partial": "局部停工建议书", "full": "停工建议书"}
ESCALATION_TITLES = {"refusal": "拒不整改情况报告", "delay": "拖延整改情况报告"}
_W = frame_width()


def build_rectification_notice(data: RectificationNoticeData, path: Path | str) -> Path:
    """隐患整改通知书 (N-08, N-09, N-10): the hazards, the four requirements, both signatures."""
    p = data.project
    supervisors = join_cn(sorted({h.supervising_unit for h in data.hazards if h.supervising_unit}))
    story: list[Flowable] = [*title_block(data.meta, _W), _salutation(data.recipient)]
    entrust = f"受{p.insurer}委托，" if p.insurer else ""
    request = wording_text(dict(data.meta.wording), "rectification_notice", "request",
                           监理单位=f"（{supervisors}）" if supervisors else "")
    story += paragraphs(
        f"我机构{entrust}于{cn_date(data.inspection_date)}对你单位承建的{quoted(p.name)}开展安全生产"
        f"责任保险事故预防服务检查，发现下列安全隐患。{request}"
    )
    story.append(Spacer(1, 2 * mm))
    story.append(hazard_table(data.hazards, width=_W))
    story += _hazard_notes(data.hazards)
    if data.reply_by is not None:
        story.append(note("整改回复期限", _reply_line(data)))
    if data.copy_to:
        story.append(note("抄送", join_cn(list(data.copy_to))))
    story.append(signature_block([
        Signatory("风控服务机构", data.meta.agency.name, data.issuer, data.meta.date, role="签发人"),
        Signatory("签收单位", data.recipient, role="签收人"),
    ], width=_W))
    story += _before_photos(data.hazards)
    return write_pdf(data.meta, story, path)


def _reply_line(data: RectificationNoticeData) -> str:
    """One deadline: reply by it. Several: each hazard by its own deadline, the earliest named."""
    reply_by = cn_date(data.reply_by)
    if len({h.deadline for h in data.hazards if h.deadline is not None}) <= 1:
        return f"请于{reply_by}前书面回复"
    return f"请按上表所列各项隐患的整改期限逐项书面回复，最早一项须于{reply_by}前回复"


def build_stop_work_suggestion(data: StopWorkData, path: Path | str) -> Path:
    """停工 / 局部停工建议书 for a level-1 hazard, reported the same day (N-07)."""
    h, p = data.hazard, data.project
    if h.stop_work not in STOP_WORK_TITLES:
        raise ValueError(f"hazard {h.number} has no stop-work suggestion (stop_work={h.stop_work!r})")
    partial = h.stop_work == "partial"
    story: list[Flowable] = [*title_block(data.meta, _W), _salutation(data.recipient)]
    when = cn_datetime(h.found_at) if h.found_at else cn_date(data.meta.date)
    basis = f"该隐患属于重大事故隐患（判定依据：{h.catalogue_ref}）。" if h.is_major and h.catalogue_ref else ""
    action = (f"立即对{data.scope or h.location}实施局部停工" if partial
              else "立即停止施工作业")
    wording = dict(data.meta.wording)
    suggestion = wording_text(wording, "stop_work", "suggestion", 停工措施=action)
    story += paragraphs(
        f"{when}，我机构检查人员在{quoted(p.name)}{h.location}检查时发现{hazard_class(h)}："
        f"{h.description}。{basis}{suggestion}"
    )
    story.append(field_table([
        [("项目名称", p.name), ("隐患编号", h.number)],
        [("隐患部位", h.location), ("隐患等级", _level_line(h))],
        [("停工建议", STOP_WORK_LABELS.get(h.stop_work, h.stop_work)),
         ("整改期限", cn_date(h.deadline, blank=""))],
        [("停工范围", data.scope or (h.location if partial else "全部施工作业"))],
        [("整改措施", h.measures)],
        [("管控措施及应急预案", h.contingency)],
        [("责任单位", h.responsible_unit), ("责任人", h.responsible_person)],
        [("监理单位", h.supervising_unit or p.supervisor)],
    ], width=_W))
    story.append(Spacer(1, 3 * mm))
    resume = data.resume_conditions or wording_text(wording, "stop_work", "resume")
    story += paragraphs(resume)
    sentence = report_sentence(data.reports, h.found_at.date() if h.found_at else None)
    if sentence:
        story += paragraphs(sentence)
    if data.copy_to:
        story.append(note("抄送", join_cn(list(data.copy_to))))
    story.append(signature_block([
        Signatory("风控服务机构", data.meta.agency.name, data.issuer, data.meta.date, role="签发人"),
        Signatory("施工单位", data.recipient, role="签收人"),
        Signatory("监理单位", h.supervising_unit or p.supervisor, role="签收人"),
    ], width=_W))
    story += _before_photos([h])
    return write_pdf(data.meta, story, path)


def build_hazard_report(data: HazardReportData, path: Path | str) -> Path:
    """重大隐患报告单 to the insurer and the local construction authority (N-07, N-08)."""
    h, p = data.hazard, data.project
    story: list[Flowable] = [*title_block(data.meta, _W)]
    story.append(P(f"报送单位：{para(join_cn(list(data.recipients)))}", Styles.plain))
    story.append(P(f"报告事由：{para(data.reason_label)}", Styles.plain))
    story.append(Spacer(1, 2 * mm))
    major = yes_no(h.is_major) + (f"（{h.catalogue_ref}）" if h.catalogue_ref else "")
    story.append(field_table([
        [("项目名称", p.name), ("项目编号", p.code)],
        [("工程地址", p.address)],
        [("建设单位", p.owner), ("施工单位", p.contractor)],
        [("监理单位", p.supervisor), ("保单号", p.policy_no)],
        [("隐患编号", h.number), ("发现时间", cn_datetime(h.found_at))],
        [("隐患部位", h.location), ("隐患等级", _level_line(h))],
        [("重大事故隐患", major)],
        [("隐患描述", h.description)],
        [("已采取措施", data.actions_taken)],
        [("整改措施", h.measures), ("整改期限", cn_date(h.deadline, blank=""))],
        [("管控措施及应急预案", h.contingency)],
        [("责任单位", h.responsible_unit), ("责任人", h.responsible_person)],
        [("报告人", data.reporter), ("联系电话", data.reporter_phone)],
        [("报告时间", _report_lines(data.reports) if data.reports
          else cn_datetime(data.reported_at) or "尚未报送")],
        [("填报日期", cn_date(data.meta.date))],
    ], width=_W))
    story.append(signature_block([
        Signatory("风控服务机构", data.meta.agency.name, data.reporter,
                  data.reported_at.date() if data.reported_at else None, role="报告人"),
        Signatory("技术负责人审核", seal=False, name=data.reviewer,
                  date=data.meta.date if data.reviewer else None, role="审核人"),
    ], width=_W))
    story += _before_photos([h])
    return write_pdf(data.meta, story, path)


def build_closure_record(data: ClosureData, path: Path | str) -> Path:
    """复查销项单: the rectification, the supervisor's check, the re-inspection and the photos."""
    h, p = data.hazard, data.project
    # ■/□: the bundled font has no ☑/☐ glyphs; no-break spaces survive the Paragraph
    gap = "\xa0" * 6
    verdict = (f"■ 同意销项{gap}□ 不同意销项，继续整改" if data.accepted
               else f"□ 同意销项{gap}■ 不同意销项，继续整改")
    story: list[Flowable] = [*title_block(data.meta, _W)]
    story.append(field_table([
        [("项目名称", p.name), ("隐患编号", h.number)],
        [("隐患部位", h.location), ("隐患等级", _level_line(h))],
        [("隐患描述", h.description)],
        [("整改要求", h.measures), ("整改期限", cn_date(h.deadline, blank=""))],
        [("整改完成情况", data.rectification_summary)],
        [("整改回复日期", cn_date(data.submitted_on, blank="")),
         ("责任单位", h.responsible_unit)],
        [("监理单位核查意见", data.supervisor_opinion)],
        [("监理人员", data.supervisor_name), ("监理单位", h.supervising_unit or p.supervisor)],
        [("复查情况", data.findings)],
        [("复查日期", cn_date(data.reinspection_date, blank="")), ("复查人员", data.reinspector)],
        [("复查结论", verdict)],
    ], width=_W))
    story.append(signature_block([
        Signatory("风控服务机构", data.meta.agency.name, data.reinspector,
                  data.reinspection_date, role="复查人"),
        Signatory("技术负责人审核", seal=False, name=data.reviewer,
                  date=data.meta.date if data.reviewer else None, role="审核人"),
        Signatory("施工单位", h.responsible_unit or p.contractor),
        Signatory("监理单位", h.supervising_unit or p.supervisor),
    ], width=_W))
    grid = before_after_grid(h.photos_before, h.photos_after, width=_W, label=h.number,
                             notes=dict(h.photo_notes))
    if grid is not None:
        story += [heading("附件：整改前后对比照片"), grid]
    return write_pdf(data.meta, story, path)


def build_escalation_report(data: EscalationData, path: Path | str) -> Path:
    """拒不整改 / 拖延整改报告 to the insurer, the authority and the owner (N-11)."""
    if data.kind not in ESCALATION_TITLES:
        raise ValueError(f"unknown escalation kind {data.kind!r}")
    p = data.project
    refusal = data.kind == "refusal"
    story: list[Flowable] = [*title_block(data.meta, _W),
                             _salutation(join_cn(list(data.recipients)))]
    conduct = ("拒不按要求实施整改" if refusal else "未在规定期限内完成整改，整改工作明显拖延")
    wording = dict(data.meta.wording)
    story += paragraphs(wording_text(wording, "refusal_report", "opening", 项目名称=quoted(p.name),
                                     施工单位=p.contractor or "—", 报告日期=cn_date(data.meta.date),
                                     整改情况=conduct))
    section = Sections()
    story.append(section("未整改隐患"))
    rows = [[h.number, h.location, h.description, HAZARD_LEVEL_SHORT.get(h.level, ""),
             cn_date(h.deadline, blank=""), _overdue_days(h, data.meta.date), h.status_label]
            for h in data.hazards]
    story.append(data_table(
        ["隐患编号", "部位", "隐患描述", "等级", "整改期限", "逾期天数", "状态"], rows,
        widths=shares([30, 22, 52, 11, 24, 14, 17], _W), levels=[h.level for h in data.hazards],
        level_col=3, center_cols=(3, 5),
    ))
    if data.history:
        story.append(section("督促整改经过"))
        story.append(data_table(["日期", "事项"], [[cn_date(e.date), e.text] for e in data.history],
                                widths=shares([30, 140], _W)))
    if data.details:
        story.append(section("有关情况说明"))
        story += paragraphs(data.details)
    story.append(section("建议"))
    story += paragraphs(data.requests or wording_text(wording, "refusal_report", "requests"))
    story += paragraphs(wording_text(wording, "refusal_report", "closing"))
    story.append(signature_block([
        Signatory("审核签发", seal=False, name=data.reviewer,
                  date=data.meta.date if data.reviewer else None, role="技术负责人"),
        # no approval by the agency's 负责人 is recorded: the line is left to sign by hand
        Signatory("风控服务机构", data.meta.agency.name, role="负责人"),
    ], width=_W))
    story += _before_photos(data.hazards)
    return write_pdf(data.meta, story, path)


def hazard_class(h: HazardInfo) -> str:
    """What the hazard is, as a sentence names it: 一级隐患, or 重大事故隐患（一级） only when it
    was judged major (is_major), as the report form's title and 重大事故隐患 是/否 say. The
    level label's 一级（重大） is the national risk colour's name, not that judgement."""
    short = HAZARD_LEVEL_SHORT.get(h.level, f"{h.level}级")
    return f"重大事故隐患（{short}）" if h.is_major else f"{short}隐患"


def _level_line(h: HazardInfo) -> str:
    """The 隐患等级 field of the stop-work letter, the report form and the closure record: the
    level, and 重大事故隐患 when judged major (the notice's table prints the level alone, its
    notes 属重大事故隐患); never 一级（重大） beside 重大事故隐患 否."""
    short = HAZARD_LEVEL_SHORT.get(h.level, f"{h.level}级")
    return f"{short}（重大事故隐患）" if h.is_major else short


def reported_same_day(reports: Sequence[ReportFact], found: dt.date | None) -> bool:
    """Every owed report logged on the day the hazard was found."""
    return bool(reports) and found is not None and all(
        r.reported_at is not None and r.reported_at.date() == found for r in reports)


def report_sentence(reports: Sequence[ReportFact], found: dt.date | None) -> str:
    """What the records say of the hazard's reports, with their (China) dates: the reports are
    of the hazard, logged when they were made, not of the letter, which may be dated later.
    当日 only with the date it means, when all were logged on the day the hazard was found."""
    if not reports:
        return ""
    who = [f"{r.recipient}（{r.organisation}）" if r.organisation else r.recipient for r in reports]
    if reported_same_day(reports, found):
        return f"该隐患已于发现当日（{cn_date(found)}）报送{join_cn(who)}。"
    done = [f"已于{cn_date(r.reported_at)}报送{name}" for r, name in zip(reports, who, strict=True)
            if r.reported_at is not None]
    missing = [f"尚未报送{name}" for r, name in zip(reports, who, strict=True)
               if r.reported_at is None]
    parts = (["该隐患" + "，".join(done)] if done else []) + missing
    return "报送情况：" + "；".join(parts) + "。"


def _report_lines(reports: Sequence[ReportFact]) -> str:
    lines = []
    for r in reports:
        who = f"{r.recipient}（{r.organisation}）" if r.organisation else r.recipient
        how = f"，{r.channel}" if r.channel else ""
        lines.append(f"{who}：{cn_datetime(r.reported_at)}{how}" if r.reported_at is not None
                     else f"{who}：尚未报送")
    return "\n".join(lines)


def _salutation(recipient: str) -> Paragraph:
    return P(f"{para(recipient)}：", Styles.salutation)


def _overdue_days(h: HazardInfo, today: dt.date) -> str:
    if h.deadline is None or today <= h.deadline:
        return "—"
    return str((today - h.deadline).days)


def _hazard_notes(hazards: Sequence[HazardInfo]) -> list[Flowable]:
    """Per-hazard facts that do not fit the table: responsibility, contingency, major basis."""
    items = []
    for h in hazards:
        bits = []
        if h.responsible_unit or h.responsible_person:
            bits.append(f"责任单位及责任人：{h.responsible_unit} {h.responsible_person}".rstrip())
        if h.contingency:
            bits.append(f"管控措施及应急预案：{h.contingency}")
        if h.is_major:
            bits.append("属重大事故隐患" + (f"（{h.catalogue_ref}）" if h.catalogue_ref else ""))
        if h.stop_work != "none":
            bits.append(f"已提出{STOP_WORK_LABELS.get(h.stop_work, '')}建议")
        if bits:
            items.append(f"{h.number}：" + "；".join(bits) + "。")
    if not items:
        return []
    return [Spacer(1, 2 * mm), P("隐患责任及管控要求：", Styles.plain),
            *numbered(items, Styles.item_small)]


def _before_photos(hazards: Sequence[HazardInfo]) -> list[Flowable]:
    photos = [(p, h.photo_caption(p, f"{h.number} 整改前 {i}")) for h in hazards
              for i, p in enumerate(h.photos_before, start=1)]
    grid = photo_grid(photos, width=_W, columns=3)
    return [heading("附件：隐患照片"), grid] if grid is not None else []
