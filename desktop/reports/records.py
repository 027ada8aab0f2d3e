"""Service records: the inspection record (confirmed by both sides) and the service work plan."""

from __future__ import annotations

import logging
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from desktop.reports.blocks import (
    Sections,
    data_table,
    field_table,
    hazard_table,
    numbered,
    paragraphs,
    shares,
    signature_block,
)
from desktop.reports.data import (
    InspectionInfo,
    ProjectInfo,
    ServicePlanData,
    Signatory,
)
from desktop.reports.layout import frame_width, title_block, write_pdf
from desktop.reports.photos import photo_grid
from desktop.reports.plan_wording import STANDARD_GOALS, STANDARD_GUARANTEES, STANDARD_ITEMS
from desktop.reports.standardisation_docs import plan_section
from desktop.reports.styles import heading
from desktop.reports.text import cn_date, join_cn, quoted
from desktop.reports.wording import text as wording_text
from desktop.vocabulary import HAZARD_LEVEL_SHORT

log = logging.getLogger("desktop.reports")

_W = frame_width()



def build_inspection_record(data: InspectionInfo, path: Path | str) -> Path:
    """检查记录: facts of the visit, findings, L1/L2 source checks, both parties' confirmation."""
    p = data.project
    story: list[Flowable] = [*title_block(data.meta, _W)]
    subject = join_cn([x for x in (data.stage_name, data.danda_item, data.key_procedure) if x])
    story.append(field_table([
        [("项目名称", p.name), ("项目编号", p.code)],
        [("工程地址", p.address)],
        [("施工单位", p.contractor), ("监理单位", p.supervisor)],
        [("检查类型", data.kind_label), ("检查日期", cn_date(data.date))],
        [("施工阶段/对象", subject or "—"), ("天气", data.weather)],
        [("检查人员", join_cn(list(data.inspectors)))],
        [("受检单位参加人员", join_cn(list(data.site_attendees)))],
    ], width=_W))
    section = Sections()
    story.append(section("检查情况"))
    story += paragraphs(data.summary or "—")
    story.append(section("发现的隐患"))
    if data.findings:
        story.append(hazard_table(data.findings, width=_W))
    else:
        story += paragraphs("本次检查未发现安全隐患。")
    if data.risk_source_checks:
        story.append(section("一、二级风险源核查"))
        rows = [[str(i), c.name, HAZARD_LEVEL_SHORT.get(c.level, ""),
                 "已核查" if c.verified else "未核查", c.note] for i, c in enumerate(data.risk_source_checks, start=1)]
        done = sum(1 for c in data.risk_source_checks if c.verified)
        story.append(data_table(["序号", "风险源", "等级", "核查结果", "备注"], rows,
                                widths=shares([9, 70, 14, 18, 59], _W), center_cols=(0, 2, 3)))
        story += paragraphs(f"应核查{len(data.risk_source_checks)}项，已核查{done}项，"
                            f"核查率{done / len(data.risk_source_checks):.0%}。")
    story.append(section("整改要求及后续跟踪"))
    story += paragraphs(data.follow_up or wording_text(dict(data.meta.wording), "inspection_record",
                                                       "follow_up"))
    story.append(signature_block([
        Signatory("检查单位（风控服务机构）", data.meta.agency.name, data.agency_confirmed_by,
                  data.date, role="检查人员"),
        Signatory("受检单位", p.contractor, data.site_confirmed_by, data.site_confirmed_on,
                  role="现场负责人"),
    ], width=_W, intro="以上检查情况经双方现场确认。"))
    if data.include_photos:
        photos = [(ph, h.photo_caption(ph, f"{h.number} {h.location}"))
                  for h in data.findings for ph in h.photos_before]
        grid = photo_grid(photos, width=_W, columns=3)
        if grid is not None:
            story += [heading("附件：现场照片"), grid]
    return write_pdf(data.meta, story, path)


def build_service_plan(data: ServicePlanData, path: Path | str) -> Path:
    """一项目一方案: overview, 服务内容, 服务措施, 服务频次, 人员安排, 服务目标, 保障措施 (N-01)."""
    p = data.project
    story: list[Flowable] = [*title_block(data.meta, _W)]
    story += paragraphs(wording_text(dict(data.meta.wording), "special_plan" if data.special
                                     else "service_plan", "opening", 项目名称=quoted(p.name),
                                     版次=str(data.revision)))
    section = Sections()
    story.append(section("工程概况"))
    story.append(_overview(p))
    if p.contacts:
        story.append(heading("主要联系人", size=10.5))
        story.append(data_table(["岗位", "姓名", "联系电话"], [list(c) for c in p.contacts],
                                widths=shares([50, 50, 70], _W), center_cols=(1,)))
    if data.special and data.risk_basis:
        story.append(section("风险等级及判定依据"))
        story += paragraphs(data.risk_basis[0])
        story += numbered(list(data.risk_basis[1:]))
    story.append(section("服务内容"))
    story += numbered(list(data.items or (*STANDARD_ITEMS, *data.extra_items)))
    story.append(Spacer(1, 2 * mm))
    story.append(_stage_table(data))
    story.append(section("服务措施"))
    story += numbered(list(data.measures or (*_measures(data), *data.extra_measures)))
    if p.danda_items:
        rows = [[d.name, "超危大工程" if d.is_super else "危大工程", d.parameters, d.status_label,
                 "核查专项方案编制、审批" + ("及专家论证" if d.is_super else "")
                 + "情况；实施阶段开展专项检查，重点核查按方案施工和验收情况"]
                for d in p.danda_items]
        story.append(heading("危险性较大的分部分项工程专项服务", size=10.5))
        story.append(data_table(["危大工程", "类别", "规模参数", "状态", "服务措施"], rows,
                                widths=shares([38, 22, 28, 16, 66], _W), center_cols=(1, 3)))
    if data.risk_sources:
        story.append(heading("主要风险源及管控措施", size=10.5))
        sources = sorted(data.risk_sources, key=lambda s: s.level)
        rows = [[s.name, s.category, HAZARD_LEVEL_SHORT.get(s.level, ""),
                 join_cn([s.stage, s.location]),
                 s.measures or ("（未填写管控措施，签发前须补充）" if s.level <= 2 else "—")]
                for s in sources]
        story.append(data_table(["风险源", "类别", "等级", "阶段/部位", "管控措施"], rows,
                                widths=shares([40, 20, 12, 30, 68], _W),
                                levels=[s.level for s in sources], level_col=2, center_cols=(2,)))
    if data.factor_measures:
        story.append(heading("针对风险等级判定因素的措施", size=10.5))
        story.append(data_table(["判定因素", "针对性措施"], [list(f) for f in data.factor_measures],
                                widths=shares([40, 130], _W)))
    story += plan_section(section, data.standardisation, _W)
    story.append(section("服务频次"))
    story.append(_frequency_table(data))
    story += numbered(list(data.frequency_notes))
    story.append(section("人员安排"))
    staff = [[s.name, s.role, s.title, s.certificate_no, s.phone] for s in data.staff]
    story.append(data_table(["姓名", "岗位", "职称/职务", "证书编号", "联系电话"], staff,
                            widths=shares([22, 30, 30, 44, 34], _W), center_cols=(0,)))
    story += numbered(list(data.staffing_notes))
    story.append(section("服务目标"))
    story += numbered(list(data.goals or STANDARD_GOALS))
    story.append(section("保障措施"))
    story += numbered(list(data.guarantees or STANDARD_GUARANTEES))
    story.append(signature_block([
        Signatory("编制", seal=False, name=data.prepared_by, role="编制人"),
        Signatory("审核", seal=False, name=data.approved_by,
                  date=data.meta.date if data.approved_by else None, role="技术负责人"),
        # no approval by the agency's 负责人 is recorded: the line is left to sign by hand
        Signatory("批准（风控服务机构）", data.meta.agency.name, role="负责人"),
        Signatory("投保单位确认", p.contractor, role="负责人"),
    ], width=_W))
    return write_pdf(data.meta, story, path)


def _overview(p: ProjectInfo) -> Flowable:
    period = ""
    if p.policy_start or p.policy_end:
        period = f"{cn_date(p.policy_start, blank='')}至{cn_date(p.policy_end, blank='')}"
    return field_table([
        [("项目名称", p.name), ("项目编号", p.code)],
        [("工程地址", p.address), ("工程类型", p.project_type)],
        [("建设单位", p.owner), ("施工单位", p.contractor)],
        [("监理单位", p.supervisor), ("建设主管部门", p.authority)],
        [("承保机构", p.insurer), ("保单号", p.policy_no)],
        [("保险期间", period), ("风险等级", p.risk_level)],
        [("管理人员", f"{p.headcount_managers} 人"), ("作业人员", f"{p.headcount_workers} 人")],
    ], width=_W)


def _stage_table(data: ServicePlanData) -> Flowable:
    """Every construction stage with its risk sources and the service given in it (N-06)."""
    if data.stage_plan:
        rows = [[st.name, f"{cn_date(st.start, blank='')}至{cn_date(st.end, blank='')}"
                 if st.start or st.end else "", join_cn(list(st.sources)) or "—",
                 join_cn(list(st.dangers)) or "—"] for st in data.stage_plan]
        return data_table(["施工阶段", "计划时间", "主要风险源", "危大工程"], rows,
                          widths=shares([22, 40, 62, 46], _W))
    stages = data.project.stages
    rows = []
    for st in stages:
        sources = [s.name for s in data.risk_sources if s.stage == st.name]
        when = ""
        if st.start or st.end:
            when = f"{cn_date(st.start, blank='')}至{cn_date(st.end, blank='')}"
        rows.append([st.name, when, join_cn(sources) or "—",
                     "开展本阶段风险辨识和隐患排查不少于1次；核查一、二级风险源管控措施"])
    if not rows:
        rows.append(["（未录入施工阶段）", "", "—", "按实际施工进度在每个施工阶段开展风险辨识和隐患排查"])
    return data_table(["施工阶段", "计划时间", "主要风险源", "服务内容"], rows,
                      widths=shares([22, 40, 42, 66], _W))


def _measures(data: ServicePlanData) -> tuple[str, ...]:
    measures: tuple[str, ...] = (
        "隐患分级处置：一级隐患立即提出停工或局部停工建议，并于当日报告承保机构和属地建设主管部门；"
        "二级隐患现场提出整改意见，可能引发安全事故的报告承保机构和属地建设主管部门；三、四级隐患"
        "书面告知责任单位，由监理单位督促整改并将整改情况反馈我机构。",
        "闭环管理：每项隐患明确责任、措施、时限和预案，逐项跟踪至复查销项；对拒不整改或拖延整改的，"
        "报告承保机构、属地建设主管部门和建设单位。",
        "危大工程管控：对下列危大工程在准备阶段和实施阶段开展专项风险辨识和隐患排查，超危大工程"
        "重点核查专家论证意见的落实。" if data.project.danda_items else
        "危大工程管控：项目新增危大工程时，及时补充专项服务内容。",
    )
    if data.special:
        measures += ("本项目为中、高风险项目，提高检查频次和深度，由技术负责人参加重点部位检查。",)
    return measures


def _frequency_table(data: ServicePlanData) -> Flowable:
    level = data.project.risk_level or "未评定"
    rows = [
        ["加密隐患排查" if data.special else "常规隐患排查", f"每{data.visit_interval_days}天不少于1次",
         f"按项目风险等级（{level}）确定"],
        ["首次风险辨识和隐患排查", "服务合同签订后及时开展", "建立风险源清单和隐患台账"],
        ["全覆盖检查", "每季度不少于1次", "同时100%核查一、二级风险源"],
        ["施工阶段风险辨识", "每个施工阶段不少于1次", "覆盖全部施工阶段"],
        ["危大工程及关键工序专项检查", "准备阶段和实施阶段各不少于1次", "针对性辨识和排查"],
        ["安全教育培训", "按合同约定或每半年不少于1次集中培训", "覆盖全部管理人员和作业人员"],
        ["应急预案和演练", "按项目应急演练计划", "协助演练并出具评估意见"],
        ["定期报告", "每月、每季度、每年", "报送承保机构和属地建设主管部门"],
    ]
    return data_table(["服务项目", "频次", "说明"], rows, widths=shares([50, 60, 60], _W))
