"""The agency's signing key outside the data folder: an explicit, passphrase-protected export.

Backups never hold the private key (automatic backups run with nobody there to give a
passphrase, and a backup file travels to other disks and people). An administrator exports
the key once — PKCS#8 encrypted with a passphrase (`BestAvailableEncryption`: AES-256-CBC
with a scrypt/PBKDF2-derived key, whatever the `cryptography` release deems best) — and keeps
it apart from the backups; on a new machine, after a restore, it is imported back.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from desktop.fileutil import atomic_write_bytes
from desktop.services import audit, permissions, signing
from desktop.services.context import Actor, ServiceError, ValidationError, msg

MIN_PASSPHRASE = 10


def _check_passphrase(passphrase: str) -> bytes:
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationError({"passphrase": msg("密钥口令至少 {n} 个字符。", n=MIN_PASSPHRASE)})
    return passphrase.encode("utf-8")


def export_signing_key(session: Session, actor: Actor, *, data_dir: Path | str,
                       out_path: Path | str, passphrase: str) -> str:
    """Write the private key, encrypted with `passphrase`, to `out_path` (owner-only);
    audited. Returns the key's fingerprint."""
    permissions.require(actor, "key.export")
    secret = _check_passphrase(passphrase)
    key = signing.load_private_key(data_dir)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.BestAvailableEncryption(secret))
    atomic_write_bytes(out_path, pem, private=True)
    print_ = signing.fingerprint(signing.public_hex(key))
    audit.record(session, actor, action="key.export", entity="signing_key", entity_id=None,
                 after={"file": str(out_path), "fingerprint": print_})
    return print_


def import_signing_key(session: Session, actor: Actor, *, data_dir: Path | str,
                       source: Path | str, passphrase: str) -> str:
    """Put an exported key back into the data folder (owner-only, unencrypted as the
    application reads it). Refused when the folder already has a key, when the passphrase is
    wrong, or when it is not the key whose public half the agency registered. Audited."""
    permissions.require(actor, "settings.edit")
    target = signing.key_path(data_dir)
    if target.exists():
        raise ServiceError(msg("数据目录中已有签名私钥：{target}，未做任何改动。", target=target))
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise ServiceError(msg("无法读取密钥文件：{reason}", reason=exc.strerror or str(exc))) from exc
    try:
        key = serialization.load_pem_private_key(data, password=passphrase.encode("utf-8"))
    except (ValueError, TypeError) as exc:
        raise ServiceError(msg("口令不正确，或该文件不是导出的签名密钥。")) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ServiceError(msg("该文件不是 Ed25519 签名密钥。"))
    public = signing.public_hex(key)
    registered = signing.registered_public_key(session)
    if registered is not None and registered != public:
        raise ServiceError(msg("该密钥与机构登记的公钥不一致（指纹 {found}），未导入。",
                               found=signing.fingerprint(public)))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(target, pem, private=True)
    print_ = signing.fingerprint(public)
    audit.record(session, actor, action="key.import", entity="signing_key", entity_id=None,
                 after={"file": str(source), "fingerprint": print_})
    return print_
