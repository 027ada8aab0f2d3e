"""Training (N-13), emergency-plan assistance and drills (N-14)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, EditableMixin, IdMixin


class TrainingPlan(IdMixin, EditableMixin, Base):
    __tablename__ = "training_plans"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    basis: Mapped[str] = mapped_column(String(20), default="half_year")  # contract / half_year
    planned_sessions: Mapped[int] = mapped_column(Integer, default=2)
    topics: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")


class TrainingSession(IdMixin, EditableMixin, Base):
    __tablename__ = "training_sessions"

    date: Mapped[dt.date] = mapped_column(Date, index=True)
    topic: Mapped[str] = mapped_column(String(200))
    # hazard categories the content targets, comma-separated (C-4c: targeted training)
    categories: Mapped[str] = mapped_column(String(300), default="")
    trainer: Mapped[str] = mapped_column(String(50), default="")
    duration_hours: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal("2.0"))
    location: Mapped[str] = mapped_column(String(200), default="")
    centralized: Mapped[bool] = mapped_column(default=False)
    materials: Mapped[str] = mapped_column(Text, default="")
    # what was taught (培训内容), apart from the materials handed out
    content: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class TrainingAttendance(IdMixin, Base):
    """How many managers and workers of one project attended one session."""

    __tablename__ = "training_attendance"
    __table_args__ = (UniqueConstraint("session_id", "project_id"),)

    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    managers: Mapped[int] = mapped_column(Integer, default=0)
    workers: Mapped[int] = mapped_column(Integer, default=0)
    roster: Mapped[str] = mapped_column(Text, default="")  # names, one a line, when given


class TrainingAttendee(IdMixin, Base):
    """One named person on a session's sign-in sheet (roster), for one project.

    `person_key` identifies the person across sessions of the project: the ID number when
    given, else name + phone, else the name alone (services/training_people.py)."""

    __tablename__ = "training_attendees"
    __table_args__ = (UniqueConstraint("session_id", "project_id", "person_key"),)

    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"),
                                            index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    staff_group: Mapped[str] = mapped_column(String(10))  # manager / worker
    phone: Mapped[str] = mapped_column(String(20), default="")
    id_number: Mapped[str] = mapped_column(String(18), default="")  # text: keeps leading zeros and X
    unit: Mapped[str] = mapped_column(String(100), default="")
    person_key: Mapped[str] = mapped_column(String(120))


class EmergencyPlanAssist(IdMixin, EditableMixin, Base):
    __tablename__ = "emergency_plan_assists"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # draft_provided / written_suggestions
    date: Mapped[dt.date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Drill(IdMixin, EditableMixin, Base):
    __tablename__ = "drills"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    scenario: Mapped[str] = mapped_column(String(200))  # 高处坠落 / 坍塌 / 火灾 …
    location: Mapped[str] = mapped_column(String(200), default="")
    participants: Mapped[int] = mapped_column(Integer, default=0)
    organiser: Mapped[str] = mapped_column(String(100), default="")
    observations: Mapped[str] = mapped_column(Text, default="")
    evaluation: Mapped[str] = mapped_column(Text, default="")  # empty until evaluated (C-5b)
    findings: Mapped[str] = mapped_column(Text, default="")
    improvements: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[str] = mapped_column(String(10), default="")  # 优/良/中/差
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
