"""Phones paired to the capture page, and the hazard drafts they send (issue 18)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, CreatedMixin, IdMixin
from desktop.models.types import AgencyTime


class CaptureDevice(IdMixin, CreatedMixin, Base):
    """One phone: a one-time pairing token until paired, then its own device token.

    Only SHA-256 hashes of the tokens are kept; the tokens themselves are shown once.
    """

    __tablename__ = "capture_devices"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(60), default="")
    pairing_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    pairing_expires_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    paired_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # UTC
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # UTC
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # UTC
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # UTC


class CaptureDraft(IdMixin, CreatedMixin, Base):
    """A hazard as the phone sent it; it enters the register only when the office confirms it."""

    __tablename__ = "capture_drafts"
    __table_args__ = (UniqueConstraint("device_id", "client_id"),)

    device_id: Mapped[int] = mapped_column(ForeignKey("capture_devices.id"))
    client_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    location: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[int] = mapped_column(Integer)
    catalogue_item_id: Mapped[int | None] = mapped_column(ForeignKey("catalogue_items.id"))
    found_at: Mapped[dt.datetime] = mapped_column(AgencyTime)  # UTC stored; agency wall clock in Python
    photos: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{"sha256", "name", "size"}]
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    reject_reason: Mapped[str] = mapped_column(Text, default="")
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazards.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # UTC
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}
