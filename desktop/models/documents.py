"""Generated documents (drafts, signed versions) and their submissions to other parties."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, EditableMixin, IdMixin
from desktop.models.types import AgencyTime


class Document(IdMixin, EditableMixin, Base):
    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("number", "revision"),
        Index(None, "scope_type", "scope_id"),
        Index(None, "kind", "period"),
    )

    kind: Mapped[str] = mapped_column(String(40))  # rectification_notice / stop_work / …
    number: Mapped[str] = mapped_column(String(80))  # 文号; fixed once signed
    revision: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(200))
    scope_type: Mapped[str] = mapped_column(String(20))  # hazard/project/insurer/authority/agency/…
    scope_id: Mapped[int | None] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(20), default="")  # 2026-03 / 2026Q1 / 2026
    status: Mapped[str] = mapped_column(String(20), default="draft")
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    file_size: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[dt.datetime | None] = mapped_column(AgencyTime)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    note: Mapped[str] = mapped_column(Text, default="")


class Submission(IdMixin, EditableMixin, Base):
    __tablename__ = "submissions"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(20))  # insurer / authority / owner
    recipient_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    submitted_at: Mapped[dt.datetime] = mapped_column(AgencyTime)
    channel: Mapped[str] = mapped_column(String(30), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
