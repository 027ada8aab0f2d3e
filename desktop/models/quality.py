"""Fee ledger (N-17), complaints, incidents and missed hazards (C-8), evaluations and manual checklist answers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, EditableMixin, IdMixin
from desktop.models.types import AgencyTime


class FeeEntry(IdMixin, EditableMixin, Base):
    __tablename__ = "fee_entries"

    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))  # budget / service / adjustment
    service_kind: Mapped[str] = mapped_column(String(30), default="")  # inspection/training/drill/…
    description: Mapped[str] = mapped_column(String(300), default="")
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    ref_type: Mapped[str] = mapped_column(String(30), default="")
    ref_id: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Complaint(IdMixin, EditableMixin, Base):
    __tablename__ = "complaints"

    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    received_at: Mapped[dt.date] = mapped_column(Date)
    complainant: Mapped[str] = mapped_column(String(100), default="")
    channel: Mapped[str] = mapped_column(String(30), default="")
    content: Mapped[str] = mapped_column(Text)
    needs_checking: Mapped[bool] = mapped_column(Boolean, default=False)  # 30 working days, else 10
    # the working days the reply was given (the agency rule when recorded or re-marked); the
    # date is counted from them under the holiday data of the day it is read
    reply_days: Mapped[int] = mapped_column(Integer)
    reply_due: Mapped[dt.date] = mapped_column(Date)  # that count's last result, for queries
    replied_at: Mapped[dt.date | None] = mapped_column(Date)
    reply: Mapped[str] = mapped_column(Text, default="")


class Incident(IdMixin, EditableMixin, Base):
    __tablename__ = "incidents"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # see enums.IncidentKind
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    found_by: Mapped[str] = mapped_column(String(100), default="")
    fatalities: Mapped[int] = mapped_column(Integer, default=0)
    injuries: Mapped[int] = mapped_column(Integer, default=0)
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazards.id"))


class Evaluation(IdMixin, EditableMixin, Base):
    """An evaluation of the agency received from an insurer or authority (C-7e/f)."""

    __tablename__ = "evaluations"

    evaluator_kind: Mapped[str] = mapped_column(String(20))  # insurer / authority
    evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    period: Mapped[str] = mapped_column(String(20))
    received_on: Mapped[dt.date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(100), default="")
    recognized: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(Text, default="")


class ChecklistAnswer(IdMixin, EditableMixin, Base):
    """A manual answer to a checklist item (C-1a, C-7d …) for a period and scope."""

    __tablename__ = "checklist_answers"
    __table_args__ = (UniqueConstraint("item", "period", "scope_type", "scope_id"),)

    item: Mapped[str] = mapped_column(String(10))
    period: Mapped[str] = mapped_column(String(20))
    scope_type: Mapped[str] = mapped_column(String(20), default="agency")
    scope_id: Mapped[int | None] = mapped_column(Integer)
    answer: Mapped[str] = mapped_column(String(20))  # met / not_met / not_applicable
    note: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(AgencyTime)
