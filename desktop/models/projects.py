"""The insured project and everything that describes it: policy, parties, stages, 危大 items."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, EditableMixin, IdMixin


class Project(IdMixin, EditableMixin, Base):
    __tablename__ = "projects"
    __table_args__ = (
        Index(None, "status", "risk_level"),
        Index(None, "authority_id", "status"),
    )

    code: Mapped[str] = mapped_column(String(50), unique=True)  # 项目编号
    name: Mapped[str] = mapped_column(String(200), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    district: Mapped[str] = mapped_column(String(50), default="", index=True)
    project_type: Mapped[str] = mapped_column(String(20), default="building")
    contract_value: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))  # 工程合同价（元）
    floor_area_m2: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    excavation_depth_m: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    contractor_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    status: Mapped[str] = mapped_column(String(20), default="active")
    service_contract_date: Mapped[dt.date | None] = mapped_column(Date)  # 风控服务合同签订
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    planned_completion: Mapped[dt.date | None] = mapped_column(Date)
    completion_date: Mapped[dt.date | None] = mapped_column(Date)
    headcount_managers: Mapped[int] = mapped_column(Integer, default=0)
    headcount_workers: Mapped[int] = mapped_column(Integer, default=0)
    lead_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # 项目负责人
    # Current level, kept equal to the latest RiskAssessment by services.risk so that
    # lists of 5,000 projects filter on an indexed column.
    risk_level: Mapped[str | None] = mapped_column(String(10))
    notes: Mapped[str] = mapped_column(Text, default="")


class Policy(IdMixin, EditableMixin, Base):
    """安责险保单: who insures the project, for how long, and the prevention fee (N-17)."""

    __tablename__ = "policies"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    policy_no: Mapped[str] = mapped_column(String(60), unique=True)
    insurer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    premium: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    prevention_fee: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))


class ProjectContact(IdMixin, EditableMixin, Base):
    """A person on site: project manager, safety officer, chief supervisor…"""

    __tablename__ = "project_contacts"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    role: Mapped[str] = mapped_column(String(50))  # 项目经理 / 安全员 / 总监理工程师 …
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(50), default="")


class ProjectStage(IdMixin, EditableMixin, Base):
    __tablename__ = "project_stages"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(50))  # 地基与基础 / 主体结构 / 装饰装修 / 竣工验收
    planned_start: Mapped[dt.date | None] = mapped_column(Date)
    planned_end: Mapped[dt.date | None] = mapped_column(Date)
    actual_start: Mapped[dt.date | None] = mapped_column(Date)
    actual_end: Mapped[dt.date | None] = mapped_column(Date)


class DangerItem(IdMixin, EditableMixin, Base):
    """A 危大工程 (or 超危大 when `is_super`) on this project."""

    __tablename__ = "danger_items"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    catalogue_item_id: Mapped[int | None] = mapped_column(ForeignKey("catalogue_items.id"))
    name: Mapped[str] = mapped_column(String(200))
    is_super: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="planned")  # planned/in_progress/done
    planned_start: Mapped[dt.date | None] = mapped_column(Date)
    planned_end: Mapped[dt.date | None] = mapped_column(Date)
    actual_start: Mapped[dt.date | None] = mapped_column(Date)
    actual_end: Mapped[dt.date | None] = mapped_column(Date)
    scheme_approved: Mapped[bool] = mapped_column(Boolean, default=False)  # 专项方案审批
    expert_reviewed: Mapped[bool] = mapped_column(Boolean, default=False)  # 专家论证
    parameters: Mapped[str] = mapped_column(String(200), default="")  # e.g. 开挖深度 6.5m


class Meeting(IdMixin, EditableMixin, Base):
    """服务交底会 (kick-off, C-2b) and other service meetings on a project."""

    __tablename__ = "meetings"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="kickoff")
    date: Mapped[dt.date] = mapped_column(Date)
    location: Mapped[str] = mapped_column(String(200), default="")
    attendees: Mapped[str] = mapped_column(Text, default="")  # free text (records before 0007)
    summary: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # structured record (migration 0007): [{"party": "contractor", "name": …, "position": …}],
    # the topics explained (keys of services.meetings.TOPICS), and the insured's confirmation
    attendee_list: Mapped[Any | None] = mapped_column(JSON)
    topics: Mapped[Any | None] = mapped_column(JSON)
    confirmed_by: Mapped[str] = mapped_column(String(50), default="", server_default="")
    confirmed_on: Mapped[dt.date | None] = mapped_column(Date)


class StandardisationAssist(IdMixin, EditableMixin, Base):
    """安全生产标准化建设: one visit helping the insured build its standardised site."""

    __tablename__ = "standardisation_assists"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    items: Mapped[Any | None] = mapped_column(JSON)  # keys of services.standardisation.CHECK_ITEMS
    other_items: Mapped[str] = mapped_column(String(200), default="")
    advice: Mapped[str] = mapped_column(Text, default="")
    follow_up_on: Mapped[dt.date | None] = mapped_column(Date)
    follow_up_result: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
