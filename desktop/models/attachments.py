"""Files attached to records; the bytes live content-addressed outside the database."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, CreatedMixin, IdMixin
from desktop.models.types import AgencyTime


class Attachment(IdMixin, CreatedMixin, Base):
    __tablename__ = "attachments"
    __table_args__ = (Index(None, "owner_type", "owner_id"),)

    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(100))
    original_name: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(20), default="evidence")
    owner_type: Mapped[str] = mapped_column(String(30))  # hazard / inspection / drill / …
    owner_id: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    caption: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # a photo's capture time (AgencyTime: UTC stored, agency wall-clock read) and where it came from: exif / name / file
    taken_at: Mapped[dt.datetime | None] = mapped_column(AgencyTime)
    taken_source: Mapped[str | None] = mapped_column(String(10))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # a photo's look (dHash, 16 hex digits) for near-duplicates; empty for other files and
    # for photos stored before it was kept (filled when first compared)
    dhash: Mapped[str | None] = mapped_column(String(16))
