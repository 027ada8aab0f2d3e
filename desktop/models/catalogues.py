"""Versioned regulatory catalogues: the major-hazard standard, 危大 lists, risk-source tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, CreatedMixin, IdMixin
from desktop.models.types import AgencyTime


class Catalogue(IdMixin, CreatedMixin, Base):
    """One edition of one standard; a new edition is a new row, never an edit."""

    __tablename__ = "catalogues"

    code: Mapped[str] = mapped_column(String(50), unique=True)  # e.g. major_hazards@JZGG-2022-2
    kind: Mapped[str] = mapped_column(String(30), index=True)  # major_hazard / danda / chaowei / risk_source
    edition: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    doc_no: Mapped[str] = mapped_column(String(100), default="")
    issued: Mapped[dt.date | None] = mapped_column(Date)
    superseded_by: Mapped[str] = mapped_column(String(100), default="")
    official: Mapped[bool] = mapped_column(Boolean, default=True)  # False: starter list, not official
    source_sha256: Mapped[str] = mapped_column(String(64), default="")
    loaded_at: Mapped[dt.datetime | None] = mapped_column(AgencyTime)
    in_force: Mapped[dt.date | None] = mapped_column(Date)  # 施行日期: hazards found from then on
    # False for an edition an administrator imported, until one marks it checked against the
    # official text (未核对原文); the bundled editions ship checked
    text_checked: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # users.id, without a foreign key (migration 0004 explains why); the audit log names them too
    imported_by_id: Mapped[int | None] = mapped_column(Integer)
    checked_by_id: Mapped[int | None] = mapped_column(Integer)
    checked_at: Mapped[dt.datetime | None] = mapped_column(AgencyTime)


class CatalogueItem(IdMixin, Base):
    __tablename__ = "catalogue_items"
    __table_args__ = (UniqueConstraint("catalogue_id", "code"),)

    catalogue_id: Mapped[int] = mapped_column(ForeignKey("catalogues.id"), index=True)
    code: Mapped[str] = mapped_column(String(30))  # e.g. 05-3
    category_code: Mapped[str] = mapped_column(String(20), default="")
    category: Mapped[str] = mapped_column(String(100), default="")
    article: Mapped[str] = mapped_column(String(30), default="")
    text: Mapped[str] = mapped_column(Text)
    sub_items: Mapped[Any | None] = mapped_column(JSON)
    threshold: Mapped[Any | None] = mapped_column(JSON)
    verification: Mapped[str] = mapped_column(String(30), default="verified")
    default_level: Mapped[int | None] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def verified(self) -> bool:
        return self.verification == "verified"


class CatalogueItemLink(IdMixin, Base):
    """An item of an older edition and the item of a newer edition that carries it on."""

    __tablename__ = "catalogue_item_links"
    __table_args__ = (UniqueConstraint("from_item_id", "to_item_id"),)

    from_item_id: Mapped[int] = mapped_column(ForeignKey("catalogue_items.id"), index=True)
    to_item_id: Mapped[int] = mapped_column(ForeignKey("catalogue_items.id"), index=True)
    basis: Mapped[str] = mapped_column(String(20))  # file (the edition says so) / same_text
