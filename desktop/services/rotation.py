"""Replacing the agency's signing key: a new key announced by a statement signed with the old.

The statement (new public key, its fingerprint, the date, the agency) is kept in
`key-rotations.json` in the data folder and embedded in every later package's manifest, so an
insurer who trusts the old key accepts packages signed by the new one — and says so. The old
private key is moved to `retired-keys/` (owner-only); packages it signed keep verifying
against its public half.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict, TypeGuard

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.fileutil import atomic_writer
from desktop.models import AgencyProfile
from desktop.services import audit, permissions, signing
from desktop.services.context import Actor, ServiceError, msg, now

ROTATION_FILE = "key-rotations.json"
RETIRED_DIR = signing.RETIRED_DIR
FORMAT = "riskdesk-key-rotation"
_FIELDS = ("format", "agency", "date", "old_public_key", "old_fingerprint", "new_public_key",
           "new_fingerprint")


class StatementBody(TypedDict):
    """What a rotation statement says (JSON) and the old key signs (`statement_bytes`)."""

    format: str  # FORMAT
    agency: str
    date: str  # ISO date, the agency's
    old_public_key: str  # hex
    old_fingerprint: str
    new_public_key: str
    new_fingerprint: str


class Statement(StatementBody):
    """A rotation statement with the old key's signature (hex)."""

    signature: str


@dataclass(frozen=True)
class Rotation:
    old_fingerprint: str
    new_fingerprint: str
    date: str
    statement: Statement
    retired_key: Path


def statement_bytes(statement: Mapping[str, object]) -> bytes:
    """What the old key signs: the statement's fields, without the signature, canonical JSON."""
    return json.dumps({k: statement.get(k) for k in _FIELDS}, ensure_ascii=False,
                      sort_keys=True, separators=(",", ":")).encode("utf-8")


def is_valid(statement: Any) -> TypeGuard[Statement]:
    """Well formed, its fingerprints those of its keys, and signed by its old key."""
    try:
        if not isinstance(statement, dict) or statement.get("format") != FORMAT:
            return False
        old, new = str(statement["old_public_key"]), str(statement["new_public_key"])
        if (signing.fingerprint(old) != statement["old_fingerprint"]
                or signing.fingerprint(new) != statement["new_fingerprint"]):
            return False
        signature = bytes.fromhex(str(statement["signature"]))
    except (KeyError, ValueError, ServiceError):
        return False
    return signing.verify(old, statement_bytes(statement), signature)


def handing_over_to(statements: Sequence[Any], key: str) -> Statement | None:
    """The valid statement announcing `key` (hex) as the new key, if there is one."""
    for statement in statements:
        if isinstance(statement, dict) and statement.get("new_public_key") == key \
                and is_valid(statement):
            return statement
    return None


def load(data_dir: Path | str) -> list[dict[str, Any]]:
    path = Path(data_dir) / ROTATION_FILE
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise ServiceError(msg("密钥更换声明文件无法读取：{path}（{reason}）", path=str(path),
                               reason=str(exc))) from None
    statements = loaded.get("statements") if isinstance(loaded, dict) else None
    if not isinstance(statements, list):
        raise ServiceError(msg("密钥更换声明文件已损坏：{path}", path=str(path)))
    return statements


def chain_to(data_dir: Path | str, key: str) -> list[Statement]:
    """The folder's statements that lead to `key`, oldest first (empty for a first key)."""
    statements, seen = load(data_dir), {key}
    chain: list[Statement] = []
    while (statement := handing_over_to(statements, key)) is not None:
        key = statement["old_public_key"]
        if key in seen:
            break
        seen.add(key)
        chain.append(statement)
    return list(reversed(chain))


def _save(data_dir: Path | str, statements: Sequence[Mapping[str, object]]) -> None:
    text = json.dumps({"format": "riskdesk-key-rotations", "statements": statements},
                      ensure_ascii=False, indent=1)
    with atomic_writer(Path(data_dir) / ROTATION_FILE, "w", private=True) as fh:
        fh.write(text)


def rotate_key(session: Session, actor: Actor, *, data_dir: Path | str) -> Rotation:
    """Make a new agency key, announce it with a statement signed by the current key, retire
    the current key to `retired-keys/` and record the new public key in the profile.

    The profile change and its audit entry are in the caller's transaction; the files are
    written last (statement, retired copy, then the new key in one rename), so an error
    before the end leaves the old key in use."""
    permissions.require(actor, "settings.edit")
    profile = session.execute(
        select(AgencyProfile).order_by(AgencyProfile.id).limit(1)).scalar_one_or_none()
    if profile is None or not profile.signing_public_key:
        raise ServiceError(msg("尚未生成机构签名密钥，无需更换；请先在“机构信息”中生成。"))
    old_private = signing.registered_key(data_dir, profile.signing_public_key, msg("不能更换密钥"))
    old = signing.public_hex(old_private)
    new_private = Ed25519PrivateKey.generate()
    new = signing.public_hex(new_private)
    moment = now()
    body: StatementBody = {
        "format": FORMAT, "agency": profile.name, "date": moment.date().isoformat(),
        "old_public_key": old, "old_fingerprint": signing.fingerprint(old),
        "new_public_key": new, "new_fingerprint": signing.fingerprint(new),
    }
    statement: Statement = {**body, "signature": old_private.sign(statement_bytes(body)).hex()}
    before = audit.snapshot(profile)
    profile.signing_public_key = new
    audit.record_update(session, actor, profile, before, action="signing_key_rotate",
                        note=f"更换签名密钥：{statement['old_fingerprint']} → "
                             f"{statement['new_fingerprint']}")
    folder = Path(data_dir)
    _save(folder, [*load(folder), statement])
    retired_dir = folder / RETIRED_DIR
    retired_dir.mkdir(mode=0o700, exist_ok=True)
    stem = signing.KEY_FILE.removesuffix(".pem")
    label = statement["old_fingerprint"].replace(" ", "")[:8]  # as people read it
    retired = _retire(retired_dir, f"{stem}-{moment:%Y%m%d-%H%M%S}-{label}",
                      signing.key_path(folder).read_bytes())
    pem = new_private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    staged = folder / f".{signing.KEY_FILE}.{os.getpid()}.new"
    staged.unlink(missing_ok=True)
    signing.write_private(staged, pem)
    os.replace(staged, signing.key_path(folder))
    return Rotation(statement["old_fingerprint"], statement["new_fingerprint"], statement["date"],
                    statement, retired)


def _retire(folder: Path, stem: str, pem: bytes) -> Path:
    """Keep `pem` in `folder` under `stem`.pem, or `stem`-2.pem, … (never over another file: a
    key retired again in the same second, after it was put back); an identical copy is reused."""
    for n in itertools.count(1):
        retired = folder / (stem + (f"-{n}" if n > 1 else "") + ".pem")
        try:
            signing.write_private(retired, pem)
        except FileExistsError:
            if retired.read_bytes() == pem:
                return retired
            continue
        return retired
    raise AssertionError("unreachable")
