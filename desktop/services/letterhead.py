"""The agency's letterhead: logo, letterhead line, seal image, and each user's signature image.

Images are checked with Pillow (a real PNG or JPEG, within the size caps), normalised to a PNG
(transparency kept, metadata dropped, at most a print-sized number of pixels) and kept in the
attachment store by hash; the profile (or the user) names the hash. Setting the logo, the seal
or the line is for administrators; a user may set their own signature image, an administrator
anyone's. Every change is audited. The documents print the seal only once signed.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.fileutil import atomic_write_bytes
from desktop.models import AgencyProfile, User
from desktop.services import audit, permissions
from desktop.services.context import (
    Actor,
    NotFound,
    PermissionDenied,
    ServiceError,
    ValidationError,
    get_row,
    msg,
)
from desktop.services.exchange.attachments import blob_path

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 25_000_000
MIN_SIDE = 32
# longest side kept, in pixels: about 300 dpi at the printed size
KEEP_SIDE = {"logo": 600, "seal": 1000, "signature": 1000}
AGENCY_IMAGES = ("logo", "seal")
LETTERHEAD_MAX = 100
_LABELS = {"logo": msg("机构标志"), "seal": msg("印章图片"), "signature": msg("签名图片")}


@dataclass(frozen=True)
class LetterheadRow:
    logo_sha256: str | None
    seal_sha256: str | None
    letterhead: str
    version: int


def _profile(session: Session) -> AgencyProfile:
    profile = session.execute(select(AgencyProfile).order_by(AgencyProfile.id).limit(1)) \
        .scalar_one_or_none()
    if profile is None:
        raise NotFound(msg("请先填写机构信息。"))
    return profile


def current(session: Session) -> LetterheadRow:
    p = _profile(session)
    return LetterheadRow(p.logo_sha256, p.seal_sha256, p.letterhead or "", p.version)


def normalise_image(data: bytes, which: str) -> bytes:
    """The upload as a PNG of at most KEEP_SIDE[which] pixels; refused with a reason when it is
    not a real PNG/JPEG, too large or too small, or (a seal) has no transparent background."""
    label = _LABELS[which]
    if not data:
        raise ValidationError({"file": msg("{what}文件为空。", what=label)})
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": msg("{what}文件过大（{size:.1f} MB），不能超过 {cap} MB。",
                                           what=label, size=len(data) / 1048576,
                                           cap=MAX_BYTES // 1048576)})
    try:
        with Image.open(io.BytesIO(data)) as im:
            kind = im.format
            if kind not in ("PNG", "JPEG"):
                raise ValidationError({"file": msg("{what}须为 PNG 或 JPEG 图片。", what=label)})
            width, height = im.size
            if width * height > MAX_PIXELS:
                raise ValidationError({"file": msg("{what}像素过多（{w}×{h}），请缩小后再上传。",
                                                   what=label, w=width, h=height)})
            im.load()
            clear = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
            picture = im.convert("RGBA" if clear else "RGB")
    except ValidationError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise ValidationError({"file": msg("{what}不是有效的 PNG 或 JPEG 图片，或文件已损坏。",
                                           what=label)}) from None
    if min(width, height) < MIN_SIDE:
        raise ValidationError({"file": msg("{what}太小（{w}×{h}），每边至少 {min} 像素。",
                                           what=label, w=width, h=height, min=MIN_SIDE)})
    if which == "seal":
        lowest = picture.getchannel("A").getextrema()[0] if picture.mode == "RGBA" else 255
        if lowest == 255:
            raise ValidationError({"file": msg(
                "印章图片须为背景透明的 PNG 图片（否则会遮住落款文字）。")})
    picture.thumbnail((KEEP_SIDE[which], KEEP_SIDE[which]), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "PNG", optimize=True)
    return out.getvalue()


def _keep(store_dir: Path | str, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    target = blob_path(store_dir, sha)
    try:
        if not target.is_file():
            atomic_write_bytes(target, data)
            os.chmod(target, 0o444)
    except OSError as exc:
        raise ServiceError(msg("附件库无法写入：{reason}", reason=exc.strerror or str(exc))) from exc
    return sha


def image_bytes(store_dir: Path | str, sha: str | None) -> bytes | None:
    """The stored PNG for a preview; None when not set or the file is gone."""
    if not sha:
        return None
    path = blob_path(store_dir, sha)
    try:
        return path.read_bytes()
    except OSError:
        return None


def set_agency_image(session: Session, actor: Actor, which: str, *, store_dir: Path | str,
                     data: bytes) -> LetterheadRow:
    """Set the logo or the seal image (administrators)."""
    permissions.require(actor, "settings.edit")
    if which not in AGENCY_IMAGES:
        raise ValidationError({"which": msg("未知的图片用途：{which}", which=which)})
    png = normalise_image(data, which)
    profile = _profile(session)
    before = audit.snapshot(profile)
    setattr(profile, f"{which}_sha256", _keep(store_dir, png))
    audit.record_update(session, actor, profile, before, action=f"{which}_image",
                        note=f"设置{_LABELS[which]}")
    return current(session)


def remove_agency_image(session: Session, actor: Actor, which: str) -> LetterheadRow:
    permissions.require(actor, "settings.edit")
    if which not in AGENCY_IMAGES:
        raise ValidationError({"which": msg("未知的图片用途：{which}", which=which)})
    profile = _profile(session)
    if getattr(profile, f"{which}_sha256") is None:
        return current(session)
    before = audit.snapshot(profile)
    setattr(profile, f"{which}_sha256", None)
    audit.record_update(session, actor, profile, before, action=f"{which}_image",
                        note=f"删除{_LABELS[which]}")
    return current(session)


def set_letterhead_line(session: Session, actor: Actor, text: str) -> LetterheadRow:
    """The line printed under the agency's name (e.g. 地址、电话、邮箱); empty: address and phone."""
    permissions.require(actor, "settings.edit")
    line = " ".join((text or "").split())
    if len(line) > LETTERHEAD_MAX:
        raise ValidationError({"letterhead": msg("信笺行不能超过 {n} 个字符（现为 {m} 个）。",
                                                 n=LETTERHEAD_MAX, m=len(line))})
    if any(not ch.isprintable() for ch in line):
        raise ValidationError({"letterhead": msg("信笺行含有不可打印的字符。")})
    profile = _profile(session)
    if (profile.letterhead or "") != line:
        before = audit.snapshot(profile)
        profile.letterhead = line
        audit.record_update(session, actor, profile, before, action="letterhead")
    return current(session)


def _user_for_signature(session: Session, actor: Actor, user_id: int) -> User:
    if actor.user_id != user_id and not permissions.allowed(actor.role, "settings.edit"):
        raise PermissionDenied(msg("只有管理员可以设置他人的签名图片。"))
    permissions.require(actor, "view")
    return get_row(session, User, user_id, msg("用户不存在。"))


def signature_sha(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return session.execute(select(User.signature_sha256).where(User.id == user_id)) \
        .scalar_one_or_none()


def set_signature(session: Session, actor: Actor, user_id: int, *, store_dir: Path | str,
                  data: bytes) -> str:
    """Set a user's signature image: their own, or anyone's by an administrator. Returns its hash."""
    user = _user_for_signature(session, actor, user_id)
    png = normalise_image(data, "signature")
    before = audit.snapshot(user)
    user.signature_sha256 = _keep(store_dir, png)
    audit.record_update(session, actor, user, before, action="signature_image",
                        note="设置签名图片")
    return user.signature_sha256


def remove_signature(session: Session, actor: Actor, user_id: int) -> None:
    user = _user_for_signature(session, actor, user_id)
    if user.signature_sha256 is None:
        return
    before = audit.snapshot(user)
    user.signature_sha256 = None
    audit.record_update(session, actor, user, before, action="signature_image",
                        note="删除签名图片")


def signature_path(session: Session, store_dir: Path | str, user_id: int | None) -> Path | None:
    """The stored signature image of a user, for the documents they sign (None when unset)."""
    sha = signature_sha(session, user_id)
    if not sha:
        return None
    path = blob_path(store_dir, sha)
    return path if path.is_file() else None


def seal_path(profile: AgencyProfile, store_dir: Path | str | None) -> Path | None:
    if not profile.seal_sha256 or store_dir is None:
        return None
    path = blob_path(store_dir, profile.seal_sha256)
    return path if path.is_file() else None


def referenced(session: Session) -> set[str]:
    """The store's files named by the letterhead (kept by the store's sweep and check)."""
    seals = session.execute(select(AgencyProfile.seal_sha256).where(
        AgencyProfile.seal_sha256.is_not(None))).scalars()
    signatures = session.execute(select(User.signature_sha256).where(
        User.signature_sha256.is_not(None))).scalars()
    return {sha for sha in (*seals, *signatures) if sha is not None}
