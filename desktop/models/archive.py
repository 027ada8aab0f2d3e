"""The five-year archive ledger (N-15) and the destruction workflow."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, EditableMixin, IdMixin
from desktop.models.types import AgencyTime


class DestructionRequest(IdMixin, EditableMixin, Base):
    __tablename__ = "destruction_requests"

    insurer_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(AgencyTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="requested")  # requested/approved/rejected/done
    approved_by_name: Mapped[str] = mapped_column(String(50), default="")  # the insurer's person
    approved_at: Mapped[dt.datetime | None] = mapped_column(AgencyTime)
    approval_ref: Mapped[str] = mapped_column(String(100), default="")
    approval_attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    destroyed_at: Mapped[dt.datetime | None] = mapped_column(AgencyTime)
    destroyed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    destruction_note: Mapped[str] = mapped_column(Text, default="")


class ArchiveItem(IdMixin, EditableMixin, Base):
    __tablename__ = "archive_items"
    __table_args__ = (Index(None, "status", "retention_until"),)

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    medium: Mapped[str] = mapped_column(String(20), default="paper")  # paper / electronic
    doc_type: Mapped[str] = mapped_column(String(50), default="")
    pages: Mapped[int | None] = mapped_column(Integer)
    box: Mapped[str] = mapped_column(String(50), default="")
    shelf: Mapped[str] = mapped_column(String(50), default="")
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[dt.date] = mapped_column(Date)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    # None while the project is still running; set to completion + retention years
    retention_until: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(30), default="active")
    destruction_request_id: Mapped[int | None] = mapped_column(ForeignKey("destruction_requests.id"))
    note: Mapped[str] = mapped_column(Text, default="")
