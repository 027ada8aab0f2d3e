"""The agency's Ed25519 signing key: created once in the data folder, public half in the profile."""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.messages import Message
from desktop.models import AgencyProfile
from desktop.services import audit, permissions
from desktop.services.context import Actor, ServiceError, msg

KEY_FILE = "agency-signing-key.pem"
RETIRED_DIR = "retired-keys"  # keys a rotation retired (services/rotation), owner-only


@dataclass(frozen=True)
class KeyInfo:
    public_key: str  # raw public key, hex
    fingerprint: str
    path: Path
    created: bool


def key_path(data_dir: Path | str) -> Path:
    return Path(data_dir) / KEY_FILE


def public_hex(private: Ed25519PrivateKey) -> str:
    raw = private.public_key().public_bytes(serialization.Encoding.Raw,
                                            serialization.PublicFormat.Raw)
    return raw.hex()


def public_pem(public_key_hex: str) -> bytes:
    """The public key as a PEM SubjectPublicKeyInfo file (what OpenSSL reads with -pubin)."""
    return Ed25519PublicKey.from_public_bytes(_raw_public(public_key_hex)).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(public_key_hex: str) -> str:
    """SHA-256 of the raw public key, in groups of four hex digits, for reading aloud."""
    digest = hashlib.sha256(_raw_public(public_key_hex)).hexdigest().upper()
    return " ".join(digest[i:i + 4] for i in range(0, len(digest), 4))


def _raw_public(public_key_hex: str) -> bytes:
    try:
        raw = bytes.fromhex(public_key_hex.strip())
    except ValueError:
        raise ServiceError(msg("公钥格式无效（应为 64 位十六进制）。")) from None
    if len(raw) != 32:
        raise ServiceError(msg("公钥格式无效（应为 64 位十六进制）。"))
    return raw


def create_key(data_dir: Path | str) -> str:
    """Write a new private key (PEM PKCS#8, owner-only) and return its public key in hex.

    Refuses to overwrite: a replaced key would make every earlier package unverifiable.
    """
    target = key_path(data_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    if target.exists():
        raise ServiceError(msg("签名私钥已存在：{target}", target=target))
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    write_private(tmp, pem)
    try:
        os.link(tmp, target)  # complete or absent, and never over a key that appeared meanwhile
    except FileExistsError:
        raise ServiceError(msg("签名私钥已存在：{target}", target=target)) from None
    except OSError:  # a file system without hard links (FAT, some network shares)
        write_private(target, pem)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return public_hex(private)


def write_private(path: Path, data: bytes) -> None:
    """Create `path` readable by its owner only; refuse if it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def load_private_key(data_dir: Path | str) -> Ed25519PrivateKey:
    path = key_path(data_dir)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ServiceError(msg("找不到机构签名私钥（{path}），请在“机构信息”中生成签名密钥。",
                               path=path)) from None
    except OSError as exc:
        raise ServiceError(msg("无法读取机构签名私钥：{reason}", reason=exc.strerror or str(exc))) from exc
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ServiceError(msg("机构签名私钥文件已损坏：{path}", path=path)) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ServiceError(msg("机构签名私钥不是 Ed25519 密钥：{path}", path=path))
    return key


def sign(data_dir: Path | str, data: bytes) -> bytes:
    """The 64-byte Ed25519 signature of `data` with the agency's key."""
    return load_private_key(data_dir).sign(data)


def verify(public_key_hex: str, data: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(_raw_public(public_key_hex)).verify(signature, data)
    except (InvalidSignature, ServiceError):
        return False
    return True


def registered_public_key(session: Session) -> str | None:
    """The public key recorded in the agency profile (what insurers are told to expect)."""
    return session.execute(
        select(AgencyProfile.signing_public_key).order_by(AgencyProfile.id).limit(1)
    ).scalar_one_or_none()


def setup_key(session: Session, *, data_dir: Path | str, actor: Actor | None = None,
              replace_lost: bool = False) -> KeyInfo:
    """Make sure the data folder has the agency key and the profile names its public half.

    A key file whose public half differs from the profile's is refused. A profile key whose
    file is gone is refused too, unless `replace_lost`: then a new key is made and recorded.
    """
    actor = actor or Actor.system()
    permissions.require(actor, "settings.edit")
    profile = session.execute(
        select(AgencyProfile).order_by(AgencyProfile.id).limit(1)).scalar_one_or_none()
    if profile is None:
        raise ServiceError(msg("请先填写机构信息，再生成签名密钥。"))
    path = key_path(data_dir)
    created = False
    if path.exists():
        public = public_hex(load_private_key(data_dir))
        if profile.signing_public_key and profile.signing_public_key != public:
            raise ServiceError(mismatch(data_dir, profile.signing_public_key, public,
                                        msg("不能启用签名密钥")))
    else:
        if profile.signing_public_key and not replace_lost:
            raise ServiceError(
                msg("机构签名私钥文件丢失（{path}）。{advice}确认无法找回时可重新生成"
                    "（此前的评审资料包仍可用旧公钥核验）。", path=path,
                    advice=where_is(data_dir, profile.signing_public_key)))
        public = create_key(data_dir)
        created = True
    if profile.signing_public_key != public:
        before = audit.snapshot(profile)
        profile.signing_public_key = public
        audit.record_update(session, actor, profile, before, action="signing_key",
                            note=f"签名公钥指纹 {fingerprint(public)}")
    return KeyInfo(public, fingerprint(public), path, created)


# -- the registered key, when the folder's is another or gone --------------------------------


def retired_match(data_dir: Path | str, public_key_hex: str) -> Path | None:
    """The file in `retired-keys/` holding the private half of `public_key_hex`, if any."""
    folder = Path(data_dir) / RETIRED_DIR
    try:
        candidates = sorted(p for p in folder.iterdir() if p.suffix == ".pem" and p.is_file())
    except OSError:  # no such folder, or unreadable
        return None
    for path in candidates:
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError, TypeError):  # unreadable, damaged, or encrypted
            continue
        if isinstance(key, Ed25519PrivateKey) and public_hex(key) == public_key_hex:
            return path
    return None


def where_is(data_dir: Path | str, registered: str) -> Message:
    """Where the private half of the registered public key may be, and how to put it back.

    Never "a backup": backups do not hold the key. A key rotation retires the key it replaces
    to `retired-keys/` (restoring a backup made before the rotation registers that key
    again); an administrator may also have exported it (`riskdesk key-export`)."""
    found = retired_match(data_dir, registered)
    if found is not None:
        return msg("与登记公钥（指纹 {registered}）相符的私钥在 {path}（更换密钥时停用的旧密钥；"
                   "恢复了更换密钥之前的备份时会出现这种情况）：请由系统管理员运行"
                   "“riskdesk key-import \"{path}\" --user 管理员用户名”把它放回"
                   "（数据目录中现有的私钥会移到 {retired} 文件夹保存，不会丢失）。",
                   registered=fingerprint(registered), path=str(found), retired=RETIRED_DIR)
    return msg("备份文件中不含私钥。与登记公钥（指纹 {registered}）相符的私钥可能在此前用"
               "“riskdesk key-export”导出的密钥文件中（数据目录的 {retired} 文件夹中没有相符的私钥）："
               "找到后请由系统管理员运行“riskdesk key-import 密钥文件 --user 管理员用户名”导入"
               "（数据目录中现有的私钥会移到 {retired} 文件夹保存，不会丢失）。",
               registered=fingerprint(registered), retired=RETIRED_DIR)


def mismatch(data_dir: Path | str, registered: str, found: str, refusal: Message) -> Message:
    """The folder's key is not the registered one: what is refused, and where the right key may be."""
    return msg("数据目录中的签名私钥（指纹 {found}）与机构登记的公钥不一致，{refusal}。{advice}",
               found=fingerprint(found), refusal=refusal, advice=where_is(data_dir, registered))


def key_problem(data_dir: Path | str, registered: str | None) -> Message | None:
    """What keeps the folder from signing as the agency registered, or None (also when no key
    is registered yet): the key file missing, unreadable, or not the registered key."""
    if not registered:
        return None
    path = key_path(data_dir)
    if not path.exists():
        return msg("机构签名私钥文件不存在（{path}），不能签名资料包和文书。{advice}",
                   path=str(path), advice=where_is(data_dir, registered))
    try:
        public = public_hex(load_private_key(data_dir))
    except ServiceError as exc:
        return exc.message
    if public != registered:
        return mismatch(data_dir, registered, public, msg("不能签名资料包和文书"))
    return None


def registered_key(data_dir: Path | str, registered: str | None, refusal: Message) -> Ed25519PrivateKey:
    """The folder's private key when it is the registered one (`refusal`: what cannot be done
    otherwise, e.g. 不能签名资料包); a missing or different key is refused with where the
    registered key may be found."""
    if not registered:
        raise ServiceError(msg("机构信息中尚未登记签名公钥，请先在“机构信息”中生成签名密钥。"))
    path = key_path(data_dir)
    if not path.exists():
        raise ServiceError(msg("找不到机构签名私钥（{path}），{refusal}。{advice}", path=str(path),
                               refusal=refusal, advice=where_is(data_dir, registered)))
    key = load_private_key(data_dir)
    if public_hex(key) != registered:
        raise ServiceError(mismatch(data_dir, registered, public_hex(key), refusal))
    return key
