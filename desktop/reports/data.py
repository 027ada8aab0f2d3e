"""Input dataclasses of the document builders: plain, frozen values filled by the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from desktop.vocabulary import HAZARD_LEVEL_LABELS

if TYPE_CHECKING:
    from desktop.reports.standardisation_docs import StandardisationCount, StandardisationPlan


@dataclass(frozen=True)
class AgencyInfo:
    name: str
    short_name: str = ""
    address: str = ""
    phone: str = ""
    logo_path: Path | None = None
    letterhead: str = ""  # the line under the name; empty: address and phone
    seal_path: Path | None = None  # printed over the 落款 of signed documents only


@dataclass(frozen=True)
class DocMeta:
    """What every document carries: title, 文号, date, issuing agency, draft mark."""

    title: str
    number: str
    date: dt.date
    agency: AgencyInfo
    draft: bool = False
    signed_by: str = ""  # the technical lead who signed; printed beside the date
    signature_path: Path | None = None  # the signer's signature image, in their box
    # the agency's own fixed wording of this kind's letters ("kind.key", text); see wording.py
    wording: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Signatory:
    """One signature box: the party, its unit, the signer and the date (blank to sign by hand).

    Fill `name` and `date` only from a sign-off the records hold (who and when); the date is
    printed only beside a name."""

    party: str
    unit: str = ""
    name: str = ""
    date: dt.date | None = None
    seal: bool = True
    role: str = "签字"


@dataclass(frozen=True)
class StageInfo:
    name: str
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass(frozen=True)
class DangerItemInfo:
    """A 危大工程 on the project; `is_super` marks 超过一定规模的危大工程."""

    name: str
    is_super: bool = False
    status_label: str = ""
    parameters: str = ""


@dataclass(frozen=True)
class ProjectInfo:
    name: str
    code: str = ""
    address: str = ""
    project_type: str = ""
    insurer: str = ""
    policy_no: str = ""
    policy_start: dt.date | None = None
    policy_end: dt.date | None = None
    contractor: str = ""
    supervisor: str = ""
    owner: str = ""
    authority: str = ""
    stages: tuple[StageInfo, ...] = ()
    danda_items: tuple[DangerItemInfo, ...] = ()
    risk_level: str = ""  # label, e.g. 高风险
    headcount_managers: int = 0
    headcount_workers: int = 0
    contacts: tuple[tuple[str, str, str], ...] = ()  # (role, name, phone)


@dataclass(frozen=True)
class HazardInfo:
    number: str
    project_name: str
    location: str
    description: str
    category: str
    level: int
    is_major: bool = False
    catalogue_ref: str = ""  # e.g. 建质规〔2022〕2号 第五条第3项
    measures: str = ""
    deadline: dt.date | None = None
    contingency: str = ""
    responsible_unit: str = ""
    responsible_person: str = ""
    supervising_unit: str = ""
    found_at: dt.datetime | None = None
    stop_work: str = "none"  # none / partial / full
    status_label: str = ""
    photos_before: tuple[Path, ...] = ()
    photos_after: tuple[Path, ...] = ()
    # (photo, "拍摄于 2026-12-07 09:30（照片信息）…") for photos whose capture is known
    photo_notes: tuple[tuple[Path, str], ...] = ()

    def photo_caption(self, photo: Path, caption: str) -> str:
        """`caption`, with the photo's capture time and place on a second line when known."""
        note = dict(self.photo_notes).get(photo, "")
        return f"{caption}\n{note}" if note else caption

    @property
    def level_label(self) -> str:
        return HAZARD_LEVEL_LABELS.get(self.level, str(self.level))


@dataclass(frozen=True)
class TimelineEntry:
    date: dt.date
    text: str


@dataclass(frozen=True)
class RectificationNoticeData:
    """隐患整改通知书: one notice to one responsible unit for the hazards of one inspection."""

    meta: DocMeta
    project: ProjectInfo
    recipient: str
    inspection_date: dt.date
    hazards: tuple[HazardInfo, ...]
    issuer: str = ""
    copy_to: tuple[str, ...] = ()
    reply_by: dt.date | None = None


@dataclass(frozen=True)
class ReportFact:
    """One owed report of a hazard as the records hold it: to whom, and when (None: not yet)."""

    recipient: str  # 承保机构 / 建设主管部门 / 建设单位
    organisation: str = ""
    reported_at: dt.datetime | None = None
    channel: str = ""


@dataclass(frozen=True)
class StopWorkData:
    """停工 / 局部停工建议书 for a level-1 hazard (N-07)."""

    meta: DocMeta
    project: ProjectInfo
    hazard: HazardInfo
    recipient: str
    scope: str = ""  # the area to stop for a partial stop, e.g. 3#楼外脚手架作业区
    resume_conditions: str = ""
    issuer: str = ""
    copy_to: tuple[str, ...] = ()
    # the same-day reports as logged; the letter says 已于当日报送 only when all are on the day
    reports: tuple[ReportFact, ...] = ()


@dataclass(frozen=True)
class HazardReportData:
    """重大隐患报告单 to the insurer and the local authority (N-07, N-08)."""

    meta: DocMeta
    project: ProjectInfo
    hazard: HazardInfo
    reason_label: str  # 一级隐患当日报告 / 较严重二级隐患报告
    recipients: tuple[str, ...]
    actions_taken: str = ""
    reporter: str = ""
    reporter_phone: str = ""
    reported_at: dt.datetime | None = None
    reports: tuple[ReportFact, ...] = ()  # each recipient's report as logged
    reviewer: str = ""  # the technical lead who signed (审核)


@dataclass(frozen=True)
class ClosureData:
    """复查销项单: the closure evidence and the agency's re-inspection verdict."""

    meta: DocMeta
    project: ProjectInfo
    hazard: HazardInfo
    rectification_summary: str
    submitted_on: dt.date | None = None
    supervisor_opinion: str = ""
    supervisor_name: str = ""
    reinspection_date: dt.date | None = None
    reinspector: str = ""
    findings: str = ""
    accepted: bool = True
    reviewer: str = ""  # the technical lead who signed (审核)


@dataclass(frozen=True)
class EscalationData:
    """拒不整改 / 拖延整改报告 to the insurer, the authority and the owner (N-11)."""

    meta: DocMeta
    project: ProjectInfo
    kind: str  # refusal / delay
    hazards: tuple[HazardInfo, ...]
    recipients: tuple[str, ...]
    history: tuple[TimelineEntry, ...] = ()
    details: str = ""
    requests: str = ""
    reviewer: str = ""  # the technical lead who signed (审核签发)


@dataclass(frozen=True)
class RiskSourceCheckInfo:
    name: str
    level: int
    verified: bool
    note: str = ""


@dataclass(frozen=True)
class InspectionInfo:
    """检查记录: one site visit, confirmed by both sides (AQ 9010)."""

    meta: DocMeta
    project: ProjectInfo
    kind_label: str
    date: dt.date
    inspectors: tuple[str, ...]
    summary: str
    findings: tuple[HazardInfo, ...] = ()
    stage_name: str = ""
    danda_item: str = ""
    key_procedure: str = ""
    weather: str = ""
    site_attendees: tuple[str, ...] = ()
    risk_source_checks: tuple[RiskSourceCheckInfo, ...] = ()
    follow_up: str = ""
    site_confirmed_by: str = ""
    site_confirmed_on: dt.date | None = None
    agency_confirmed_by: str = ""
    include_photos: bool = True


@dataclass(frozen=True)
class RiskSourceInfo:
    name: str
    level: int
    category: str = ""
    stage: str = ""
    location: str = ""
    measures: str = ""


@dataclass(frozen=True)
class StaffInfo:
    name: str
    role: str  # 项目负责人 / 技术负责人 / 检查人员
    title: str = ""
    certificate_no: str = ""
    phone: str = ""


@dataclass(frozen=True)
class ServicePlanData:
    """一项目一方案 (N-01); `special` marks the plan N-12 requires for high/medium projects."""

    meta: DocMeta
    project: ProjectInfo
    visit_interval_days: int
    staff: tuple[StaffInfo, ...]
    risk_sources: tuple[RiskSourceInfo, ...] = ()
    special: bool = False
    revision: int = 1
    extra_items: tuple[str, ...] = ()
    extra_measures: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()  # empty: the standard goals
    guarantees: tuple[str, ...] = ()  # empty: the standard guarantees
    prepared_by: str = ""
    approved_by: str = ""
    standardisation: StandardisationPlan | None = None  # 安全生产标准化建设 section
    # issue 14/15: the plan's own content, drafted from the records and worded by its author;
    # an empty tuple prints the standard wording as before
    items: tuple[str, ...] = ()  # 服务内容
    measures: tuple[str, ...] = ()  # 服务措施
    frequency_notes: tuple[str, ...] = ()
    staffing_notes: tuple[str, ...] = ()
    stage_plan: tuple[PlanStageInfo, ...] = ()  # per construction stage: sources and 危大 items
    risk_basis: tuple[str, ...] = ()  # special plan: why the project is of its level
    factor_measures: tuple[tuple[str, str], ...] = ()  # special plan: (risk factor, measures)


@dataclass(frozen=True)
class PlanStageInfo:
    """One construction stage of a plan: its risk sources (name with level) and 危大 items."""

    name: str
    start: dt.date | None = None
    end: dt.date | None = None
    sources: tuple[str, ...] = ()
    dangers: tuple[str, ...] = ()


class RegisterLine(NamedTuple):
    """One line of the 隐患排查及问题整改清单; the field order is the column order.

    A tuple, not a frozen dataclass: a 48,000-line register built its rows in 0.5 s as
    dataclasses (every field set through object.__setattr__), in 0.05 s as tuples."""

    number: str
    project_name: str
    found_date: dt.date
    location: str
    description: str
    category: str
    level: int
    is_major: bool
    measures: str
    deadline: dt.date | None
    responsible_unit: str
    status_label: str
    closed_date: dt.date | None
    overdue: bool
    # appended (issue 15): N-10's 责任、措施、时限、预案 in full; a short row (the review
    # package's database lines) prints the earlier fifteen columns
    responsible_person: str = ""
    contingency: str = ""
    late_days: int = 0  # closed after its deadline: days late (是（逾期 N 天销项）)


@dataclass(frozen=True)
class RegisterData:
    meta: DocMeta
    scope_label: str  # e.g. 全部项目 / 某承保机构 / 某项目
    period_label: str  # e.g. 2026年3月 / 2026年第一季度
    rows: Sequence[RegisterLine]
    # a project's list carries its hazards' photos (before / after) as an appendix
    photos: Sequence[tuple[Path, str]] = ()
    as_of: dt.date | None = None  # statuses and 逾期 as of this day (统计截至)
    carried_over: int | None = None  # rows found before the period and still open at its start
    prepared_by: str = ""
    approved_by: str = ""  # the technical lead who signed


@dataclass(frozen=True)
class MonthCount:
    month: str  # 2026-03
    found: int
    closed: int


@dataclass(frozen=True)
class RepeatHazard:
    project_name: str
    category: str
    description: str
    count: int


@dataclass(frozen=True)
class ProjectOpenCount:
    project_name: str
    open_count: int
    open_level1: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class PeriodStats:
    """The numbers of one period and scope; the services compute them in SQL."""

    scope_label: str
    period_label: str
    projects_served: int
    inspections: int
    found: int
    closed: int
    overdue: int
    major: int = 0
    by_level: Mapping[int, int] = field(default_factory=dict)
    by_category: tuple[tuple[str, int], ...] = ()
    by_month: tuple[MonthCount, ...] = ()
    repeat_hazards: tuple[RepeatHazard, ...] = ()
    top_open_projects: tuple[ProjectOpenCount, ...] = ()
    overdue_carried: int | None = None  # of `overdue`: found before the period (上期结转)

    @property
    def rectification_rate(self) -> float | None:
        """Closed over found in the period; None when nothing was found."""
        return self.closed / self.found if self.found else None


@dataclass(frozen=True)
class AnalysisData:
    """安全生产分析 report: statistics plus the author's own observations and suggestions."""

    meta: DocMeta
    stats: PeriodStats
    observations: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    prepared_by: str = ""
    approved_by: str = ""
    as_of: dt.date | None = None  # 统计截至
    carried_over: int | None = None  # open at the period's start, found earlier
    standardisation: StandardisationCount | None = None  # 安全生产标准化建设 in the period
