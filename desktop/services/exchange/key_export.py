"""The agency's signing key outside the data folder: an explicit, passphrase-protected export.

Backups never hold the private key (automatic backups run with nobody there to give a
passphrase, and a backup file travels to other disks and people). An administrator exports
the key once — PKCS#8 encrypted with a passphrase (`BestAvailableEncryption`: AES-256-CBC
with a scrypt/PBKDF2-derived key, whatever the `cryptography` release deems best) — and keeps
it apart from the backups; on a new machine, after a restore, it is imported back.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from desktop.fileutil import atomic_write_bytes, fsync_dir
from desktop.services import audit, permissions, signing
from desktop.services.context import Actor, ServiceError, ValidationError, msg, now

MIN_PASSPHRASE = 10


def _check_passphrase(passphrase: str) -> bytes:
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationError({"passphrase": msg("密钥口令至少 {n} 个字符。", n=MIN_PASSPHRASE)})
    return passphrase.encode("utf-8")


def export_signing_key(session: Session, actor: Actor, *, data_dir: Path | str,
                       out_path: Path | str, passphrase: str) -> str:
    """Write the private key, encrypted with `passphrase`, to `out_path` (owner-only);
    audited. Returns the key's fingerprint. Refused when the folder's key is not the one whose
    public half the agency registered (a backup from before a key rotation restored): the
    file could not be imported to restore the agency's signing, and would be kept as if it
    could."""
    permissions.require(actor, "key.export")
    secret = _check_passphrase(passphrase)
    key = signing.load_private_key(data_dir)
    registered = signing.registered_public_key(session)
    if registered is not None and signing.public_hex(key) != registered:
        raise ServiceError(msg(
            "数据目录中的签名私钥（指纹 {present}）不是机构资料中登记的签名公钥（指纹 {registered}）"
            "对应的私钥，导出的文件不能用来恢复机构的签名。请先运行“riskdesk check”查看原因"
            "（例如恢复了密钥更换之前的备份），导入登记的密钥后再导出。未做任何改动。",
            present=signing.fingerprint(signing.public_hex(key)),
            registered=signing.fingerprint(registered)))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.BestAvailableEncryption(secret))
    atomic_write_bytes(out_path, pem, private=True)
    print_ = signing.fingerprint(signing.public_hex(key))
    audit.record(session, actor, action="key.export", entity="signing_key", entity_id=None,
                 after={"file": str(out_path), "fingerprint": print_})
    return print_


def is_encrypted(source: Path | str) -> bool:
    """Whether the key file needs a passphrase: an export does, a retired key
    (`retired-keys/`, unencrypted as the application reads it) does not. An unreadable
    file counts as encrypted: the import then says what is wrong with it."""
    try:
        head = Path(source).read_bytes()[:200]
    except OSError:
        return True
    return b"-----BEGIN PRIVATE KEY-----" not in head


def import_signing_key(session: Session, actor: Actor, *, data_dir: Path | str,
                       source: Path | str, passphrase: str | None) -> str:
    """Put the agency's registered key back into the data folder (owner-only, unencrypted as
    the application reads it): an exported file with its passphrase, or a file from
    `retired-keys/` (unencrypted, `passphrase` None). Refused when the passphrase is wrong or
    when it is not the key whose public half the agency registered, and when the folder
    already holds the registered key. A folder key that is not the registered one (a backup
    from before a key rotation restored) is kept in `retired-keys/` before it is replaced.
    Audited. Returns the key's fingerprint."""
    permissions.require(actor, "key.import")
    target = signing.key_path(data_dir)
    registered = signing.registered_public_key(session)
    present = _present_key(data_dir)
    if present is not None and (registered is None or present == registered):
        raise ServiceError(msg("数据目录中已有签名私钥：{target}，未做任何改动。", target=target))
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise ServiceError(msg("无法读取密钥文件：{reason}", reason=exc.strerror or str(exc))) from exc
    try:
        key = serialization.load_pem_private_key(
            data, password=passphrase.encode("utf-8") if passphrase is not None else None)
    except (ValueError, TypeError) as exc:
        raise ServiceError(msg("口令不正确，或该文件不是导出的签名密钥。")) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ServiceError(msg("该文件不是 Ed25519 签名密钥。"))
    public = signing.public_hex(key)
    if registered is not None and registered != public:
        raise ServiceError(msg("该密钥与机构登记的公钥不一致（指纹 {found}），未导入。",
                               found=signing.fingerprint(public)))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    kept = _keep_replaced(data_dir, present) if present is not None else None
    atomic_write_bytes(target, pem, private=True)
    print_ = signing.fingerprint(public)
    audit.record(session, actor, action="key.import", entity="signing_key", entity_id=None,
                 after={"file": str(source), "fingerprint": print_,
                        **({"replaced_key_kept": str(kept)} if kept is not None else {})})
    return print_


def _present_key(data_dir: Path | str) -> str | None:
    """The public half of the folder's key, or None when there is no key file. A damaged key
    file is refused (a person looks at it: it is not silently replaced)."""
    if not signing.key_path(data_dir).exists():
        return None
    return signing.public_hex(signing.load_private_key(data_dir))


def _keep_replaced(data_dir: Path | str, public: str) -> Path:
    """Copy the folder's current key (not the registered one) into `retired-keys/`, synced,
    before the import replaces it: it may have signed packages, and is never lost."""
    source = signing.key_path(data_dir)
    folder = Path(data_dir) / signing.RETIRED_DIR
    folder.mkdir(mode=0o700, exist_ok=True)
    data = source.read_bytes()
    label = signing.fingerprint(public).replace(" ", "")[:8]  # as rotation names them
    stem = signing.KEY_FILE.removesuffix(".pem")
    moment = now()
    for n in itertools.count(1):
        kept = folder / (f"{stem}-replaced-{moment:%Y%m%d-%H%M%S}-{label}"
                         + (f"-{n}" if n > 1 else "") + ".pem")
        try:
            signing.write_private(kept, data)  # O_EXCL, fsync'd: never over another file
        except FileExistsError:
            continue
        fsync_dir(folder)
        return kept
    raise AssertionError("unreachable")
