"""The hazard register: hazards, their lifecycle events, required reports and escalations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, CreatedMixin, EditableMixin, IdMixin
from desktop.models.types import AgencyTime

# The states that are not open (services/hazards.OPEN_STATES are the others), as the register's
# query names them: SQLite uses the partial index below only when the query carries its WHERE
# term as written, and no other index can search on a NOT IN, so the planner takes this one.
DONE_STATUS_VALUES = ("closed", "cancelled")
_LIVE_OPEN = text("deleted_at IS NULL AND status NOT IN ("
                  + ", ".join(f"'{v}'" for v in DONE_STATUS_VALUES) + ")")


class Hazard(IdMixin, EditableMixin, Base):
    __tablename__ = "hazards"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 4", name="level"),
        # Register indexes: each matches a common filter *and* the sort column, and is
        # partial on live rows, so the default view is an index-only scan.
        *(Index(None, *cols, sqlite_where=text("deleted_at IS NULL"),
                postgresql_where=text("deleted_at IS NULL"))
          for cols in (("found_date",), ("project_id", "found_date", "status", "closed_at"),
                       ("project_id", "status", "deadline"),
                       ("level", "found_date"),
                       ("status", "found_date"), ("status", "deadline", "found_date"),
                       ("category", "found_date"))),
        # the overdue view: open hazards in date order, the deadline beside (migration 0017)
        Index("ix_hazards_open_found_date", "found_date", "id", "deadline",
              sqlite_where=_LIVE_OPEN, postgresql_where=_LIVE_OPEN),
        # one copy of a field team's number per project, whoever imports it (NULLs: any number)
        Index("uq_hazards_project_id_external_ref", "project_id", "external_ref", unique=True),
    )

    number: Mapped[str] = mapped_column(String(50), unique=True)
    # the number a field team or another system gave it (imports de-duplicate on this)
    external_ref: Mapped[str | None] = mapped_column(String(80), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"), index=True)
    found_at: Mapped[dt.datetime] = mapped_column(AgencyTime)
    found_date: Mapped[dt.date] = mapped_column(Date)  # date part of found_at, for indexes
    location: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(50), default="")
    level: Mapped[int] = mapped_column(Integer)
    is_major: Mapped[bool] = mapped_column(Boolean, default=False)  # 重大事故隐患
    # the catalogue item (and so the edition) the major judgement was made against
    catalogue_item_id: Mapped[int | None] = mapped_column(ForeignKey("catalogue_items.id"))
    is_serious: Mapped[bool] = mapped_column(Boolean, default=False)  # 可能引发安全事故 (N-08)
    measures: Mapped[str] = mapped_column(Text, default="")  # 整改措施
    deadline: Mapped[dt.date | None] = mapped_column(Date)  # 整改时限
    contingency: Mapped[str] = mapped_column(Text, default="")  # 应急预案
    responsible_unit_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    responsible_person: Mapped[str] = mapped_column(String(50), default="")
    supervising_unit_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    stop_work: Mapped[str] = mapped_column(String(10), default="none")
    status: Mapped[str] = mapped_column(String(20), default="recorded")
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("hazards.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(AgencyTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class HazardEvent(IdMixin, Base):
    """One step of a hazard's life, with who and when; never edited."""

    __tablename__ = "hazard_events"

    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(AgencyTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[Any | None] = mapped_column(JSON)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))


class ExternalReport(IdMixin, CreatedMixin, Base):
    """A report the agency owes (pending) or made (done) to the insurer, authority or owner."""

    __tablename__ = "external_reports"
    __table_args__ = (Index(None, "status", "due_at"),)

    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazards.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(20))
    recipient_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    reason: Mapped[str] = mapped_column(String(30))
    due_at: Mapped[dt.datetime | None] = mapped_column(AgencyTime)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending / done
    reported_at: Mapped[dt.datetime | None] = mapped_column(AgencyTime)
    channel: Mapped[str] = mapped_column(String(30), default="")  # 电话/传真/邮件/系统/书面
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    note: Mapped[str] = mapped_column(Text, default="")


class Escalation(IdMixin, CreatedMixin, Base):
    """Refused or delayed rectification (N-11)."""

    __tablename__ = "escalations"

    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # refusal / delay
    at: Mapped[dt.datetime] = mapped_column(AgencyTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
