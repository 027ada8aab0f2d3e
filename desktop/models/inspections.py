"""Inspections (site visits) and the L1/L2 risk-source checks made during them (N-04)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, EditableMixin, IdMixin
from desktop.models.types import AgencyTime

inspection_inspectors = Table(
    "inspection_inspectors",
    Base.metadata,
    Column("inspection_id", ForeignKey("inspections.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class Inspection(IdMixin, EditableMixin, Base):
    __tablename__ = "inspections"
    __table_args__ = (Index(None, "project_id", "kind", "date"), Index(None, "date"))

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    kind: Mapped[str] = mapped_column(String(30))
    date: Mapped[dt.date] = mapped_column(Date)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("project_stages.id"))
    stage_name: Mapped[str] = mapped_column(String(50), default="")
    danger_item_id: Mapped[int | None] = mapped_column(ForeignKey("danger_items.id"))
    key_procedure: Mapped[str] = mapped_column(String(100), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    weather: Mapped[str] = mapped_column(String(50), default="")
    # both-party confirmation (AQ 9010: every service record confirmed by both sides)
    site_confirmed_by: Mapped[str] = mapped_column(String(50), default="")
    site_confirmed_at: Mapped[dt.datetime | None] = mapped_column(AgencyTime)
    agency_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RiskSourceCheck(IdMixin, Base):
    __tablename__ = "risk_source_checks"
    __table_args__ = (UniqueConstraint("inspection_id", "risk_source_id"),)

    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"))
    risk_source_id: Mapped[int] = mapped_column(ForeignKey("risk_sources.id"), index=True)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
