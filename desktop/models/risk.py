"""Risk sources, project risk assessments (N-12) and service plans (N-01)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, CreatedMixin, EditableMixin, IdMixin
from desktop.models.types import AgencyTime


class RiskSource(IdMixin, EditableMixin, Base):
    __tablename__ = "risk_sources"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 4", name="level"),)

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    catalogue_item_id: Mapped[int | None] = mapped_column(ForeignKey("catalogue_items.id"))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(50), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    stage: Mapped[str] = mapped_column(String(50), default="")
    level: Mapped[int] = mapped_column(Integer)
    measures: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class RiskAssessment(IdMixin, CreatedMixin, Base):
    """One assessment of a project's level: computed, or overridden with a reason."""

    __tablename__ = "risk_assessments"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    level: Mapped[str] = mapped_column(String(10))
    computed_level: Mapped[str | None] = mapped_column(String(10))
    is_override: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    factors: Mapped[Any | None] = mapped_column(JSON)
    assessed_at: Mapped[dt.datetime] = mapped_column(AgencyTime)
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    valid_until: Mapped[dt.date | None] = mapped_column(Date)  # e.g. fatal accident: ≥3 months high


class ServicePlan(IdMixin, EditableMixin, Base):
    """一项目一方案 (N-01); `kind` special is the plan N-12 requires for high/medium projects."""

    __tablename__ = "service_plans"
    __table_args__ = (UniqueConstraint("project_id", "kind", "revision"),)

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="general")  # general / special
    revision: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[Any | None] = mapped_column(JSON)  # items, measures, staff, goals, guarantees
    visit_interval_days: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft/signed/superseded
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
