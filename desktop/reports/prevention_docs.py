"""应急预案编制建议书, 预防费用台账 and 报送登记簿: documents of the prevention service's own work.

Built from the shared blocks (title, form grid, data tables, signature boxes) only, so the Word
copy can follow the same structure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from desktop.reports.blocks import (
    Sections,
    data_table,
    field_table,
    numbered,
    paragraphs,
    shares,
    signature_block,
)
from desktop.reports.data import DocMeta, ProjectInfo, Signatory
from desktop.reports.layout import frame_width, title_block, write_pdf
from desktop.reports.text import cn_date
from desktop.reports.wording import text as wording_text

_W = frame_width()


def money(value: Decimal) -> str:
    """1,234.50 (yuan, two decimals)."""
    return f"{value:,.2f}"


# -- 应急预案编制建议书 ------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanAdviceData:
    meta: DocMeta
    project: ProjectInfo
    plan_title: str  # the emergency plan reviewed (or drafted)
    service: str  # 协助编制应急预案 / 书面修改建议
    date: dt.date
    suggestions: tuple[tuple[str, str], ...]  # (suggestion, its basis or "") per line of the record
    prepared_by: str = ""
    approved_by: str = ""


def build_plan_advice(data: PlanAdviceData, path: Path | str) -> Path:
    """The plan, what the agency did, each suggestion as recorded, and both parties' boxes."""
    p = data.project
    story: list[Flowable] = [*title_block(data.meta, _W)]
    story.append(field_table([
        [("项目名称", p.name), ("项目编号", p.code)],
        [("施工单位", p.contractor), ("承保机构", p.insurer)],
        [("应急预案", data.plan_title)],
        [("服务方式", data.service), ("日期", cn_date(data.date))],
    ], width=_W))
    section = Sections()
    story.append(section("编制建议"))
    if any(basis for _text, basis in data.suggestions):
        rows = [[str(i), text, basis or "（未注明）"]
                for i, (text, basis) in enumerate(data.suggestions, start=1)]
        story.append(data_table(["序号", "修改建议", "依据"], rows, widths=shares([9, 110, 55], _W),
                                center_cols=(0,)))
    elif data.suggestions:
        story += numbered([text for text, _basis in data.suggestions])
    else:
        story += paragraphs("记录中未登记具体建议内容。")
    story.append(Spacer(1, 2 * mm))
    request = wording_text(dict(data.meta.wording), "emergency_plan_advice", "request")
    story += paragraphs(f"以上建议由{data.meta.agency.name}于{cn_date(data.date)}提出，{request}")
    story.append(signature_block([
        Signatory("风控服务机构", data.meta.agency.name, data.prepared_by, data.date, role="编制人"),
        Signatory("审核", seal=False, name=data.approved_by,
                  date=data.meta.date if data.approved_by else None, role="技术负责人"),
        Signatory("投保单位签收", p.contractor, role="签收人"),
    ], width=_W))
    return write_pdf(data.meta, story, path)


# -- 预防费用台账 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeLine:
    date: dt.date
    kind: str  # 预算 / 服务支出 / 调整
    use: str  # the service kind, or blank
    description: str
    income: Decimal | None  # budget or adjustment
    spent: Decimal | None  # service
    balance: Decimal


@dataclass(frozen=True)
class PolicyLedger:
    policy_no: str
    insurer: str
    start: dt.date | None
    end: dt.date | None
    prevention_fee: Decimal | None
    opening: Decimal  # balance before the period
    lines: tuple[FeeLine, ...]  # entries of the period
    budget: Decimal  # ledger totals up to the period's end
    adjustments: Decimal
    spent: Decimal

    @property
    def balance(self) -> Decimal:
        return self.budget + self.adjustments - self.spent

    @property
    def period_in(self) -> Decimal:
        return sum((x.income for x in self.lines if x.income is not None), Decimal(0))

    @property
    def period_out(self) -> Decimal:
        return sum((x.spent for x in self.lines if x.spent is not None), Decimal(0))


@dataclass(frozen=True)
class FeeLedgerData:
    meta: DocMeta
    project: ProjectInfo
    period_text: str
    policies: tuple[PolicyLedger, ...]
    prepared_by: str = ""
    approved_by: str = ""


def _policy_block(led: PolicyLedger) -> list[Flowable]:
    out: list[Flowable] = [field_table([
        [("保单号", led.policy_no), ("承保机构", led.insurer)],
        [("保险期间", f"{cn_date(led.start, blank='—')} 至 {cn_date(led.end, blank='—')}"),
         ("保单载明预防费用", money(led.prevention_fee) if led.prevention_fee is not None else "未载明")],
    ], width=_W)]
    if led.lines:
        rows = [[str(i), cn_date(x.date), x.kind, x.use, x.description,
                 money(x.income) if x.income is not None else "",
                 money(x.spent) if x.spent is not None else "", money(x.balance)]
                for i, x in enumerate(led.lines, start=1)]
        rows.append(["", "", "", "", "本期合计", money(led.period_in), money(led.period_out), ""])
        out.append(data_table(["序号", "日期", "类别", "用途", "摘要", "收入（元）", "支出（元）", "余额（元）"],
                              rows, widths=shares([7, 21, 17, 22, 41, 20, 20, 20], _W),
                              center_cols=(0, 2)))
    else:
        out += paragraphs("本期台账无收支记录。")
    out.append(Spacer(1, 2 * mm))
    out += paragraphs(
        f"期初余额 {money(led.opening)} 元；截至期末累计：预算 {money(led.budget)} 元，"
        f"调整 {money(led.adjustments)} 元，服务支出 {money(led.spent)} 元，余额 {money(led.balance)} 元。")
    if led.balance < 0:
        out += paragraphs("截至期末支出已超出预算。")
    return out


def build_fee_ledger(data: FeeLedgerData, path: Path | str) -> Path:
    """Per policy of the project: the period's entries with their use and running balance, the
    period's totals and the ledger's totals at the period's end (据实列支、专款专用)."""
    p = data.project
    story: list[Flowable] = [*title_block(data.meta, _W)]
    story.append(field_table([
        [("项目名称", p.name), ("项目编号", p.code)],
        [("施工单位", p.contractor), ("台账期间", data.period_text)],
    ], width=_W))
    story.append(Spacer(1, 2 * mm))
    story += paragraphs(wording_text(dict(data.meta.wording), "fee_ledger", "principle"))
    section = Sections()
    if not data.policies:
        story += paragraphs("该项目没有登记保单，无预防费用台账记录。")
    for led in data.policies:
        story.append(section(f"保单 {led.policy_no}"))
        story += _policy_block(led)
    story.append(signature_block([
        Signatory("编制", seal=False, name=data.prepared_by, role="编制人"),
        Signatory("审核", seal=False, name=data.approved_by,
                  date=data.meta.date if data.approved_by else None, role="技术负责人"),
        # no approval by the agency's 负责人 is recorded: the line is left to sign by hand
        Signatory("批准（风控服务机构）", data.meta.agency.name, role="负责人"),
    ], width=_W))
    return write_pdf(data.meta, story, path)


# -- 报送登记簿 --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmissionLine:
    number: str  # the document's number as printed
    title: str
    project: str
    recipient: str  # 承保机构 / 建设主管部门 / 建设单位
    recipient_org: str
    channel: str
    at: dt.datetime
    by: str


@dataclass(frozen=True)
class SubmissionRegisterData:
    meta: DocMeta
    scope_label: str
    period_text: str
    lines: tuple[SubmissionLine, ...]
    prepared_by: str = ""
    approved_by: str = ""


def build_submission_register(data: SubmissionRegisterData, path: Path | str) -> Path:
    """Every submission logged in the period, in time order, signed like the hazard list."""
    width = frame_width(wide=True)
    story: list[Flowable] = [*title_block(data.meta, width)]
    story += paragraphs(f"范围：{data.scope_label}；期间：{data.period_text}；"
                        f"共报送 {len(data.lines)} 次。")
    if data.lines:
        rows = [[str(i), x.at.strftime("%Y-%m-%d %H:%M"), x.number, x.title, x.project,
                 f"{x.recipient}（{x.recipient_org}）" if x.recipient_org else x.recipient,
                 x.channel, x.by] for i, x in enumerate(data.lines, start=1)]
        story.append(data_table(["序号", "报送时间", "文书编号", "文书名称", "项目", "报送对象",
                                 "报送方式", "报送人"], rows,
                                widths=shares([8, 24, 34, 40, 40, 40, 16, 16], width),
                                center_cols=(0, 6, 7)))
    else:
        story += paragraphs("本期没有报送记录。")
    story.append(signature_block([
        Signatory("编制", seal=False, name=data.prepared_by, role="编制人"),
        Signatory("审核", seal=False, name=data.approved_by,
                  date=data.meta.date if data.approved_by else None, role="技术负责人"),
        # no approval by the agency's 负责人 is recorded: the line is left to sign by hand
        Signatory("批准（风控服务机构）", data.meta.agency.name, role="负责人"),
    ], width=width * 0.75))
    return write_pdf(data.meta, story, path, wide=True)
