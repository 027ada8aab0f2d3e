"""Phones paired to the capture page: one-time pairing tokens, per-device tokens, revocation.

The window asks for a pairing token (shown once, as a QR code); the phone exchanges it once for
its own device token. Only SHA-256 hashes of either token are stored. A device acts as the user
who paired it, for as long as that user is active, the pairing has not expired and nobody
revoked it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop import clock
from desktop.models import CaptureDevice, User
from desktop.services import audit, permissions
from desktop.services.context import Actor, ServiceError, ValidationError, get_row, msg

PAIRING_MINUTES = 10
DEVICE_DAYS = 30
MAX_NAME = 60


class BadToken(ServiceError):
    """The device token is missing, unknown, expired or revoked (the page answers 401)."""


@dataclass(frozen=True)
class Pairing:
    device_id: int
    token: str  # shown once, in the QR code
    expires_at: dt.datetime  # UTC


@dataclass(frozen=True)
class DeviceRow:
    id: int
    name: str
    user_id: int
    user_name: str
    paired_at: dt.datetime | None
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_seen_at: dt.datetime | None

    @property
    def state_label(self) -> str:
        if self.revoked_at is not None:
            return msg("已撤销")
        if self.paired_at is None:
            return msg("待配对")
        if self.expires_at is not None and self.expires_at <= clock.utc_now():
            return msg("已过期")
        return msg("有效")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_pairing(session: Session, actor: Actor) -> Pairing:
    """A one-time pairing token for the signed-in user's phone, valid PAIRING_MINUTES."""
    permissions.require(actor, "hazard.record")
    if actor.user_id is None:
        raise ValidationError({"user": msg("请以本人账号登录后再配对手机")})
    token = secrets.token_urlsafe(24)
    expires = clock.utc_now() + dt.timedelta(minutes=PAIRING_MINUTES)
    device = CaptureDevice(user_id=actor.user_id, name="", pairing_hash=token_hash(token),
                           pairing_expires_at=expires)
    session.add(device)
    session.flush()
    audit.record(session, actor, action="capture.pairing", entity="capture_devices",
                 entity_id=device.id, after={"expires_at": expires})
    return Pairing(device.id, token, expires)


def pair(session: Session, pairing_token: str, device_name: str) -> tuple[str, DeviceRow]:
    """Exchange a pairing token, once, for a device token; returns (device token, device)."""
    name = " ".join(str(device_name or "").split())[:MAX_NAME] or "手机"
    device = session.execute(select(CaptureDevice).where(
        CaptureDevice.pairing_hash == token_hash(str(pairing_token or "")))).scalar_one_or_none()
    now = clock.utc_now()
    if device is None or device.revoked_at is not None:
        raise BadToken(msg("配对码无效或已使用，请在电脑上重新生成二维码。"))
    if device.pairing_expires_at <= now:
        raise BadToken(msg("配对码已过期，请在电脑上重新生成二维码。"))
    user = session.get(User, device.user_id)
    if user is None or not user.active:
        raise BadToken(msg("配对的账号已停用。"))
    token = secrets.token_urlsafe(32)
    device.pairing_hash = None  # one time only
    device.token_hash = token_hash(token)
    device.name = name
    device.paired_at = now
    device.expires_at = now + dt.timedelta(days=DEVICE_DAYS)
    device.last_seen_at = now
    actor = _actor(user)
    audit.record(session, actor, action="capture.paired", entity="capture_devices",
                 entity_id=device.id, after={"name": name, "expires_at": device.expires_at})
    return token, _row(device, user)


def _actor(user: User) -> Actor:
    return Actor(user.id, user.username, user.role, user.display_name)


def authenticate(session: Session, device_token: str) -> tuple[DeviceRow, Actor]:
    """The device and the user it acts for; BadToken when the token is not good now."""
    if not device_token:
        raise BadToken(msg("未配对：请扫描电脑上的二维码。"))
    device = session.execute(select(CaptureDevice).where(
        CaptureDevice.token_hash == token_hash(device_token))).scalar_one_or_none()
    if device is None:
        raise BadToken(msg("设备未配对或凭据无效，请重新扫码配对。"))
    if device.revoked_at is not None:
        raise BadToken(msg("此设备的配对已被撤销，请重新扫码配对。"))
    if device.expires_at is None or device.expires_at <= clock.utc_now():
        raise BadToken(msg("此设备的配对已过期，请重新扫码配对。"))
    user = session.get(User, device.user_id)
    if user is None or not user.active:
        raise BadToken(msg("配对的账号已停用。"))
    return _row(device, user), _actor(user)


def touch(session: Session, device_id: int) -> None:
    device = session.get(CaptureDevice, device_id)
    if device is not None:
        device.last_seen_at = clock.utc_now()


def revoke(session: Session, actor: Actor, device_id: int) -> DeviceRow:
    """Stop a device at once (its own user or an administrator)."""
    device = get_row(session, CaptureDevice, device_id, msg("设备不存在。"))
    if device.user_id != actor.user_id:
        permissions.require(actor, "user.manage")
    if device.revoked_at is None:
        device.revoked_at = clock.utc_now()
        device.pairing_hash = None
        audit.record(session, actor, action="capture.revoked", entity="capture_devices",
                     entity_id=device.id, after={"name": device.name})
    return _row(device, session.get(User, device.user_id))


def list_devices(session: Session, actor: Actor) -> list[DeviceRow]:
    """Paired devices (the actor's own; every user's for an administrator)."""
    query = (select(CaptureDevice, User).join(User, User.id == CaptureDevice.user_id)
             .where(CaptureDevice.paired_at.is_not(None)).order_by(CaptureDevice.id.desc()))
    if not permissions.allowed(actor.role, "user.manage"):
        query = query.where(CaptureDevice.user_id == actor.user_id)
    return [_row(d, u) for d, u in session.execute(query).all()]


def _row(d: CaptureDevice, user: User | None) -> DeviceRow:
    return DeviceRow(d.id, d.name, d.user_id, user.display_name if user else "", d.paired_at,
                     d.expires_at, d.revoked_at, d.last_seen_at)
