"""Whose key signed a review package: the trust list kept in the data folder (the insurer's
side), the agency's own keys, keys given for one verification, and key rotation statements.

A package's signature only proves the files are as its signer left them; anyone can make a
key and write any agency name into a manifest. A signer is verified when its key is in one of
these places — or when a trusted key signed a statement handing over to it (`rotation`).
"""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from desktop.fileutil import atomic_writer
from desktop.services import audit, permissions, rotation, signing
from desktop.services.context import Actor, ServiceError, ValidationError, msg, now

TRUST_FILE = "trusted-keys.json"
OWN, LISTED, GIVEN = "own", "list", "given"
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class TrustEntry:
    fingerprint: str  # grouped, upper case (signing.fingerprint)
    name: str
    public_key: str = ""  # hex; empty when only the fingerprint was given
    added_at: str = ""
    source: str = LISTED  # own / list / given


@dataclass(frozen=True)
class TrustState:
    """The verdict on a signer: trusted through `entry`, possibly by way of rotation
    statements (`via`, oldest first); or not, and then `expected` names a trusted entry for
    the same agency (or the key given for this check) that the signer is not."""

    entry: TrustEntry | None = None
    via: tuple[rotation.Statement, ...] = ()
    expected: TrustEntry | None = None

    @property
    def trusted(self) -> bool:
        return self.entry is not None


def trust_path(data_dir: Path | str) -> Path:
    return Path(data_dir) / TRUST_FILE


def _plain(fingerprint: str) -> str:
    return re.sub(r"[\s:]", "", fingerprint).lower()


def normalise_fingerprint(text: str) -> str | None:
    """A fingerprint typed or copied in any grouping (spaces, colons, case) in the grouped
    form; None unless it is 64 hex digits."""
    plain = _plain(text)
    if not _HEX64.fullmatch(plain):
        return None
    return " ".join(plain[i:i + 4] for i in range(0, 64, 4)).upper()


def parse_public_key(data: bytes | str) -> str:
    """An Ed25519 public key as raw hex, from a PEM file (SubjectPublicKeyInfo, as in a
    package or the agency's key letter) or 64 hex digits."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    text = raw.decode("utf-8", "replace").strip()
    if _HEX64.fullmatch(text.lower()):
        return text.lower()
    try:
        key = serialization.load_pem_public_key(raw)
    except (ValueError, TypeError, binascii.Error):
        raise ServiceError(msg("无法识别的公钥文件：应为 PEM 格式的 Ed25519 公钥"
                               "（以 -----BEGIN PUBLIC KEY----- 开头）。")) from None
    if not isinstance(key, Ed25519PublicKey):
        raise ServiceError(msg("该公钥不是 Ed25519 公钥，不能用于核验评审资料包。"))
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def read_key_file(path: Path | str) -> str:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ServiceError(msg("公钥文件不存在：{path}", path=str(path))) from None
    except OSError as exc:
        raise ServiceError(msg("无法读取公钥文件：{reason}", reason=exc.strerror or str(exc))) from None
    if len(data) > 64 * 1024:
        raise ServiceError(msg("无法识别的公钥文件：应为 PEM 格式的 Ed25519 公钥"
                               "（以 -----BEGIN PUBLIC KEY----- 开头）。"))
    return parse_public_key(data)


# -- the trust list ------------------------------------------------------------------------


def list_entries(data_dir: Path | str) -> list[TrustEntry]:
    """The trust list, oldest first; empty when the folder has none."""
    path = trust_path(data_dir)
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
        items = loaded["keys"]
        entries = [TrustEntry(signing.fingerprint(str(i["public_key"])), str(i["name"]),
                              str(i["public_key"]), str(i.get("added_at", "")), LISTED)
                   for i in items]
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ServiceError(msg("无法读取受信任公钥名单：{reason}",
                               reason=exc.strerror or str(exc))) from None
    except (ValueError, KeyError, TypeError, ServiceError):
        raise ServiceError(msg("受信任公钥名单文件已损坏：{path}", path=str(path))) from None
    return entries


def _save(data_dir: Path | str, entries: list[TrustEntry]) -> None:
    keys = [{k: v for k, v in asdict(e).items() if k in ("name", "public_key", "fingerprint",
                                                         "added_at")} for e in entries]
    text = json.dumps({"format": "riskdesk-trusted-keys", "keys": keys}, ensure_ascii=False,
                      indent=1)
    path = trust_path(data_dir)
    with atomic_writer(path, "w", private=True) as fh:
        fh.write(text)


def add_entry(data_dir: Path | str, actor: Actor, key_file: Path | str, name: str, *,
              session: Session | None = None) -> TrustEntry:
    """Trust the key in `key_file` (PEM or hex) as `name`'s. With `session`, audited there."""
    permissions.require(actor, "trust.edit")
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": msg("请填写该公钥所属机构的名称")})
    if len(name) > 100:
        raise ValidationError({"name": msg("机构名称过长（最多 100 字）")})
    public = read_key_file(key_file)
    entries = list_entries(data_dir)
    fingerprint = signing.fingerprint(public)
    for entry in entries:
        if entry.fingerprint == fingerprint:
            raise ServiceError(msg("该公钥已在受信任名单中（{name}）。", name=entry.name))
    entry = TrustEntry(fingerprint, name, public, now().isoformat(), LISTED)
    if session is not None:
        audit.record(session, actor, action="trust_add", entity="trusted_key", entity_id=None,
                     after={"name": name, "fingerprint": fingerprint},
                     note=f"受信任公钥 {name}：{fingerprint}")
    _save(data_dir, [*entries, entry])
    return entry


def remove_entry(data_dir: Path | str, actor: Actor, fingerprint: str, *,
                 session: Session | None = None) -> TrustEntry:
    permissions.require(actor, "trust.edit")
    wanted = normalise_fingerprint(fingerprint)
    if wanted is None:
        raise ValidationError({"fingerprint": msg("指纹格式无效：应为 64 位十六进制数（可分组）")})
    entries = list_entries(data_dir)
    found = [e for e in entries if e.fingerprint == wanted]
    if not found:
        raise ServiceError(msg("受信任名单中没有指纹为 {fingerprint} 的公钥。", fingerprint=wanted))
    if session is not None:
        audit.record(session, actor, action="trust_remove", entity="trusted_key", entity_id=None,
                     before={"name": found[0].name, "fingerprint": wanted},
                     note=f"移除受信任公钥 {found[0].name}：{wanted}")
    _save(data_dir, [e for e in entries if e.fingerprint != wanted])
    return found[0]


# -- what a verification trusts ------------------------------------------------------------


def own_keys(data_dir: Path | str, agency_name: str = "") -> list[TrustEntry]:
    """The agency's own signing key in this data folder, and the keys it replaced (each
    handed over by a statement in the folder's rotation file)."""
    try:
        current = signing.public_hex(signing.load_private_key(data_dir))
    except ServiceError:
        return []
    name = agency_name or msg("本机构")
    try:
        chain = rotation.chain_to(data_dir, current)
    except ServiceError:  # an unreadable statement file: the current key still counts
        chain = []
    keys = [current, *(s["old_public_key"] for s in reversed(chain))]
    return [TrustEntry(signing.fingerprint(k), name, k, "", OWN) for k in keys]


def given_entry(value: str) -> TrustEntry:
    """`--trust FILE|FINGERPRINT`: a public key file, 64 hex digits of a key, or its fingerprint."""
    value = value.strip()
    fingerprint = normalise_fingerprint(value)
    if fingerprint is not None and not Path(value).is_file():
        if _HEX64.fullmatch(value.lower()):  # 64 hex digits: a key or a fingerprint; both count
            return TrustEntry(fingerprint, msg("您指定的指纹"), value.lower(), "", GIVEN)
        return TrustEntry(fingerprint, msg("您指定的指纹"), "", "", GIVEN)
    if not Path(value).exists():
        raise ServiceError(msg("--trust 应为公钥文件或 64 位十六进制的指纹：{value}", value=value))
    public = read_key_file(value)
    return TrustEntry(signing.fingerprint(public), msg("您指定的公钥文件"), public, "", GIVEN)


def given_key(public_key: str) -> TrustEntry:
    """`--public-key HEX`: a raw public key given for one verification."""
    public = parse_public_key(public_key)
    return TrustEntry(signing.fingerprint(public), msg("您指定的公钥"), public, "", GIVEN)


def for_verification(data_dir: Path | str | None, given: Sequence[TrustEntry] = (), *,
                     agency_name: str = "") -> list[TrustEntry]:
    """Everything a verification on this desk trusts: keys given for it, the agency's own,
    the trust list."""
    entries = list(given)
    if data_dir is not None and Path(data_dir).is_dir():
        entries += own_keys(data_dir, agency_name) + list_entries(data_dir)
    return entries


def _matches(entry: TrustEntry, public_key: str) -> bool:
    return entry.fingerprint == signing.fingerprint(public_key) or (
        entry.source == GIVEN and entry.public_key == public_key)


def same_name(a: str, b: str) -> bool:
    """Agency names equal but for white space."""
    return "".join(a.split()) == "".join(b.split()) != ""


def evaluate(signer: str, agency: str, statements: Sequence[dict[str, Any]],
             entries: Sequence[TrustEntry]) -> TrustState:
    """Is the key `signer` (hex) trusted — itself, or by a chain of valid rotation statements
    leading back to a trusted key? If not, which trusted entry was expected instead (a key
    given for this check, or a listed key under the agency name the package claims)?"""
    chain: list[rotation.Statement] = []
    key, seen = signer, {signer}
    while True:
        for entry in entries:
            if _matches(entry, key):
                return TrustState(entry, tuple(reversed(chain)))
        statement = rotation.handing_over_to(statements, key)
        if statement is None or statement["old_public_key"] in seen:
            break
        chain.append(statement)
        key = statement["old_public_key"]
        seen.add(key)
    expected = next((e for e in entries if e.source == GIVEN), None) or next(
        (e for e in entries if e.source in (LISTED, OWN) and same_name(e.name, agency)), None)
    return TrustState(None, (), expected)


# -- for the window: session first, as `AppState.write` calls services ---------------------


def add(session: Session, actor: Actor, *, data_dir: Path | str, key_file: Path | str,
        name: str) -> TrustEntry:
    return add_entry(data_dir, actor, key_file, name, session=session)


def remove(session: Session, actor: Actor, *, data_dir: Path | str,
           fingerprint: str) -> TrustEntry:
    return remove_entry(data_dir, actor, fingerprint, session=session)
