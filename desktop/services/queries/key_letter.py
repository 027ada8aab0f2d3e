"""公钥登记函 from the records: the registered public key, since when it is in use, and the key
file that travels with the letter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop import clock
from desktop.models import AgencyProfile, AuditEntry, Document
from desktop.services import signing
from desktop.services.context import NotFound, ValidationError, get_live, msg
from desktop.services.queries.doc_data import Output, Request, meta, output

KIND = "key_letter"


def _profile(session: Session) -> AgencyProfile:
    profile = session.execute(select(AgencyProfile).order_by(AgencyProfile.id).limit(1)) \
        .scalar_one_or_none()
    if profile is None:
        raise ValidationError({"scope_id": msg("请先填写机构信息。")})
    return profile


def key_changes(session: Session, before_entry: int | None = None) -> list[tuple[dt.datetime, str]]:
    """(when, public key) each time the profile's public key was set, oldest first (UTC);
    only those recorded before the audit entry `before_entry` when given."""
    stmt = select(AuditEntry.created_at, AuditEntry.after).where(
        AuditEntry.entity == AgencyProfile.__tablename__)
    if before_entry is not None:
        stmt = stmt.where(AuditEntry.id < before_entry)
    rows = session.execute(stmt.order_by(AuditEntry.id)).all()
    return [(when, after["signing_public_key"]) for when, after in rows
            if isinstance(after, dict) and after.get("signing_public_key")]


def key_in_force(session: Session, before_entry: int | None = None) -> tuple[str, dt.date]:
    """The public key registered now (or when the audit entry `before_entry` was written: a
    letter's signing) and the day from which it was in use."""
    changes = key_changes(session, before_entry)
    if before_entry is not None:
        if not changes:
            raise NotFound(msg("签发时机构尚未登记签名公钥。"))
        when, public = changes[-1]
    else:
        public = _profile(session).signing_public_key or ""
        if not public:
            raise ValidationError({"scope_id": msg(
                "尚未生成机构签名密钥，无法出具公钥登记函；请先在“机构信息”中生成签名密钥。")})
        matching = [c for c in changes if c[1] == public]
        when = matching[-1][0] if matching else clock.utc_now()
    return public, clock.to_local(when).date()


@output(KIND)
def _key_letter(session: Session, req: Request, store_dir: Path | str) -> Output:
    from desktop.reports import key_letter  # the layout (ReportLab) when the letter is drafted

    profile = _profile(session)
    public, since = key_in_force(session)
    signer = req.signer.name if req.signer is not None and not req.draft else ""
    data = key_letter.KeyLetterData(
        meta(session, req, key_letter.TITLE, store_dir), profile.name, profile.credit_code or "",
        signing.fingerprint(public), public, signing.public_pem(public).decode("ascii"), since,
        signer)
    return Output(data, key_letter.TITLE, key_letter.build_key_letter)


def letter_public_pem(session: Session, document_id: int) -> tuple[str, bytes]:
    """(fingerprint, PEM) of the key a key letter names: the key registered when it was signed
    (a draft: the key registered now). The documents page saves it beside the letter's PDF."""
    doc = get_live(session, Document, document_id, msg("文书不存在或已删除。"))
    if doc.kind != KIND:
        raise ValidationError({"document_id": msg("该文书不是公钥登记函。")})
    signed = session.execute(select(AuditEntry.id).where(
        AuditEntry.entity == Document.__tablename__, AuditEntry.entity_id == doc.id,
        AuditEntry.action == "sign")).scalar_one_or_none() if doc.signed_at else None
    public, _since = key_in_force(session, signed)
    return signing.fingerprint(public), signing.public_pem(public)
