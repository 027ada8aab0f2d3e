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
import unicodedata
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
    the same agency (or the key given for this check) that the signer is not, and `other`
    the trusted entry the signer's key belongs to (itself, or through the rotation statements
    `other_via`) while the package names another agency — `other_name` is the name it is
    trusted under (`reason` KEY), or the agency a rotation statement of the chain names
    (`reason` STATEMENT)."""

    entry: TrustEntry | None = None
    via: tuple[rotation.Statement, ...] = ()
    expected: TrustEntry | None = None
    other: TrustEntry | None = None
    other_via: tuple[rotation.Statement, ...] = ()
    other_name: str = ""
    reason: str = ""

    @property
    def trusted(self) -> bool:
        return self.entry is not None

    @property
    def mismatch(self) -> bool:
        """Signed by another key than the one trusted for the agency the package names, or
        by a key trusted for another agency than the one it names."""
        return self.entry is None and (self.expected is not None or self.other is not None)


KEY, STATEMENT = "key", "statement"  # TrustState.reason


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
    handed over by a statement in the folder's rotation file), named `agency_name` (empty
    when the name is not known: see `evaluate`)."""
    try:
        current = signing.public_hex(signing.load_private_key(data_dir))
    except ServiceError:
        return []
    try:
        chain = rotation.chain_to(data_dir, current)
    except ServiceError:  # an unreadable statement file: the current key still counts
        chain = []
    keys = [current, *(s["old_public_key"] for s in reversed(chain))]
    return [TrustEntry(signing.fingerprint(k), agency_name, k, "", OWN) for k in keys]


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


def normalise_name(name: str) -> str:
    """An agency name as names are compared: NFKC (full-width letters, digits, brackets and
    spaces as their plain forms), without format characters (zero-width spaces and joiners,
    direction marks, soft hyphens: Unicode category Cf) and without white space."""
    text = unicodedata.normalize("NFKC", name)
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")


def same_name(a: str, b: str) -> bool:
    """Agency names equal once normalised (`normalise_name`): a look-alike made with an
    invisible character or a full-width bracket is the same name."""
    return normalise_name(a) == normalise_name(b) != ""


def visible(name: str) -> str:
    """`name` with each invisible format character written out, as <U+200B>."""
    return "".join(f"<U+{ord(c):04X}>" if unicodedata.category(c) == "Cf" else c for c in name)


def _objection(entry: TrustEntry, key: str, via: Sequence[rotation.Statement], agency: str,
               entries: Sequence[TrustEntry]) -> tuple[TrustEntry, str, str] | None:
    """Why `entry`, which trusts `key` (the signer's, or the old key of the first of the
    rotation statements `via` that lead to the signer's), does not vouch for a package naming
    `agency`: (the entry the key is trusted as, its name, KEY) when that is another agency's
    name, (entry, the agency a statement names, STATEMENT); None when it does vouch."""
    if entry.source == GIVEN:  # no name of its own; the key may be listed under one
        registered = [e for e in entries if e.source in (LISTED, OWN) and e.name
                      and _matches(e, key)]
        if registered and not any(same_name(e.name, agency) for e in registered):
            return registered[0], registered[0].name, KEY
    elif entry.name and not same_name(entry.name, agency):
        return entry, entry.name, KEY
    for statement in via:
        named = str(statement.get("agency") or "")
        if not same_name(named, agency):
            return entry, named, STATEMENT
    return None


def evaluate(signer: str, agency: str, statements: Sequence[dict[str, Any]],
             entries: Sequence[TrustEntry]) -> TrustState:
    """Is the key `signer` (hex) trusted for `agency`, the agency the package names — itself,
    or by a chain of valid rotation statements leading back to a trusted key?

    An entry vouches only for the agency it is trusted as: a listed or own key whose name is
    the claimed agency's (`same_name`), through statements that all name that agency too.
    Keys given for this check (`--trust`) are then the only ones that count; a given key
    listed under another agency's name does not vouch for this one. The agency's own key
    with its name unknown (no database) vouches unless a listed key is trusted for the
    agency the package names.

    If not trusted: `expected` is the entry trusted instead (a key given for this check, or a
    listed or own key under the claimed agency's name); `other` the entry the signer's key is
    trusted as while it names another agency (see `TrustState`)."""
    given = [e for e in entries if e.source == GIVEN]
    named = next((e for e in entries if e.source in (LISTED, OWN) and same_name(e.name, agency)),
                 None)
    chain: list[rotation.Statement] = []  # newest first
    key, seen = signer, {signer}
    other: tuple[TrustEntry, str, str, tuple[rotation.Statement, ...]] | None = None
    while True:
        via = tuple(reversed(chain))
        for entry in entries:
            if not _matches(entry, key):
                continue
            if entry.source == OWN and not entry.name and named is not None:
                continue  # our own key, our name unknown: the listed key decides
            objection = _objection(entry, key, via, agency, entries)
            if objection is None and (entry.source == GIVEN or not given):
                return TrustState(entry, via)
            if objection is not None and other is None:
                other = (*objection, via)
        statement = rotation.handing_over_to(statements, key)
        if statement is None or statement["old_public_key"] in seen:
            break
        chain.append(statement)
        key = statement["old_public_key"]
        seen.add(key)
    expected = given[0] if given else named
    if other is None:
        return TrustState(None, (), expected)
    entry, name, reason, via = other
    return TrustState(None, (), expected, entry, via, name, reason)


# -- for the window: session first, as `AppState.write` calls services ---------------------


def add(session: Session, actor: Actor, *, data_dir: Path | str, key_file: Path | str,
        name: str) -> TrustEntry:
    return add_entry(data_dir, actor, key_file, name, session=session)


def remove(session: Session, actor: Actor, *, data_dir: Path | str,
           fingerprint: str) -> TrustEntry:
    return remove_entry(data_dir, actor, fingerprint, session=session)
