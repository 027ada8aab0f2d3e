"""The agency itself, its staff accounts, and agency-wide settings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, CreatedMixin, EditableMixin, IdMixin
from desktop.models.types import AgencyTime


class AgencyProfile(IdMixin, EditableMixin, Base):
    __tablename__ = "agency_profile"

    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(50), default="")
    credit_code: Mapped[str] = mapped_column(String(18), default="")  # 统一社会信用代码
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    legal_rep: Mapped[str] = mapped_column(String(50), default="")
    logo_sha256: Mapped[str | None] = mapped_column(String(64))
    # the seal (a PNG with transparency) printed over the 落款 of signed documents, and the
    # line under the agency's name on every page; images are normalised PNGs in the store
    seal_sha256: Mapped[str | None] = mapped_column(String(64))
    letterhead: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Ed25519 public key (raw, hex) used to sign review packages; the private key is kept
    # in the data folder, never in the database.
    signing_public_key: Mapped[str | None] = mapped_column(String(64))


class User(IdMixin, EditableMixin, Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(20), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_fulltime: Mapped[bool] = mapped_column(Boolean, default=True)
    title: Mapped[str] = mapped_column(String(50), default="")  # 职务/职称
    phone: Mapped[str] = mapped_column(String(50), default="")
    certificate_no: Mapped[str] = mapped_column(String(50), default="")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(AgencyTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(AgencyTime)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # the user's signature image (normalised PNG in the store), printed where they signed
    signature_sha256: Mapped[str | None] = mapped_column(String(64))


class AppSetting(IdMixin, Base):
    """Agency-wide rule settings shared by every desk (see services.rules for the defaults)."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(100), unique=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime | None] = mapped_column(AgencyTime)


class Sequence(IdMixin, Base):
    """Gap-free counters for numbers (hazards, documents) per kind and year.

    A number is taken inside the transaction that uses it, so a rollback gives it back.
    """

    __tablename__ = "sequences"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class AuditEntry(IdMixin, CreatedMixin, Base):
    """Append-only audit trail; each entry's hash covers the previous entry's hash."""

    __tablename__ = "audit_log"

    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    username: Mapped[str] = mapped_column(String(50), default="")
    action: Mapped[str] = mapped_column(String(30))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index(None, "entity", "entity_id"), {"sqlite_autoincrement": True})
