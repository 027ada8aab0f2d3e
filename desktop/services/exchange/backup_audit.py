"""Before a restore: the backup's own audit log against the signed checkpoints it carries.

A backup's manifest is not signed: its hashes show that the file is whole, not that its
database is the one the agency's desks wrote — anyone can edit the database, recompute the
audit hash chain (it needs no secret) and the manifest. The checkpoint file inside the backup
(`audit/audit-checkpoints.jsonl`, as the folder held it when the backup was made) is signed
line by line with the agency's key. So before anything is moved, restore compares the
backup's audit log with those lines, the comparison `check` makes for a live folder
(`audit_check.check_checkpoints`): every entry the newest checkpoint counts must be there, and
the entry each checkpoint ends at must carry the hash it signed; a line marking a restore
starts a new history. Signatures are checked against the keys the restoring folder trusts —
its own key and the keys it replaced, or the key registered in its database when it has no
key file — never against a key the backup alone brings (a forger can put any key in it).
A folder with neither (a new computer) falls back on the key registered in the backup, and
says so with that key's fingerprint for the user to compare.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from desktop.config import Config
from desktop.db import Database, DataError
from desktop.messages import Lines
from desktop.models import AuditEntry
from desktop.models.agency import AgencyProfile
from desktop.services import audit_check, checkpoints, signing, trust
from desktop.services.context import Message, ServiceError, msg
from desktop.services.exchange import backup_accounts

_AUDIT = AuditEntry.__tablename__
_PROFILE = AgencyProfile.__tablename__


class AuditMismatch(ServiceError):
    """The backup's audit log does not match the signed checkpoints in the same backup."""


@dataclass(frozen=True)
class AuditVerdict:
    compared: int  # checkpoints verified with a trusted key that the backup's log matched
    warnings: tuple[Message, ...] = ()  # what could not be checked, in words

    @property
    def summary(self) -> Message:
        """What was checked, for the confirmation and the result: only what is true."""
        if self.compared:
            return msg("审计记录与备份中的 {n} 个签名检查点一致", n=self.compared)
        return msg("审计记录未能与签名检查点核对（见下方说明）")


def trusted_keys(config: Config) -> tuple[set[str], bool]:
    """The keys the restoring folder trusts for its own checkpoints, and whether they are the
    folder's (True) or none were found (False, empty set): its key file and the keys it
    replaced (and those handed over to since, as `check` accepts them: audit_check.successors);
    with no key file, the key registered in its database."""
    keys = {entry.public_key for entry in trust.own_keys(config.data_dir)}
    if keys:
        return keys | audit_check.successors(config.data_dir, keys), True
    if config.database_url.startswith("sqlite"):
        registered = _sqlite_registered_key(config.sqlite_path) if config.sqlite_path.is_file() else None
    else:
        db = Database(config.database_url)
        try:
            with db.read() as session:
                registered = signing.registered_public_key(session)
        except (DataError, SQLAlchemyError):  # unreachable, or not set up: nothing registered
            registered = None
        finally:
            db.dispose()
    return ({registered}, True) if registered else (set(), False)


def compare(config: Config, folder: Path, db_file: Path) -> AuditVerdict:
    """Compare the unpacked backup database `db_file` with the checkpoint file unpacked into
    `folder`; AuditMismatch naming the fault, else what was and was not checked."""
    lines = checkpoints.read(folder)
    try:
        con = sqlite3.connect(f"{db_file.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise AuditMismatch(msg("备份中的审计记录无法读取（{reason}），未做任何改动。", reason=str(exc))) from None
    try:
        return _compare(config, lines, con)
    except sqlite3.Error as exc:
        raise AuditMismatch(msg("备份中的审计记录无法读取（{reason}），未做任何改动。", reason=str(exc))) from None
    finally:
        con.close()


def compare_pgdump(config: Config, folder: Path, dump: Path) -> AuditVerdict:
    """The same comparison for a PostgreSQL backup: the audit log's (id, entity, action, hash)
    and the registered key are read out of the `pg_dump` file with `pg_restore --file=-` (no
    server involved, nothing restored yet) into a scratch SQLite file in the unpacked `folder`,
    which `_compare` then reads as it reads a SQLite backup."""
    lines = checkpoints.read(folder)
    scratch = folder / "audit-from-dump.sqlite3"
    con = sqlite3.connect(scratch)
    try:
        con.execute(f"CREATE TABLE {_AUDIT} (id INTEGER PRIMARY KEY, entity TEXT, action TEXT, hash TEXT)")
        con.execute(f"CREATE TABLE {_PROFILE} (id INTEGER PRIMARY KEY, signing_public_key TEXT)")
        con.executemany(f"INSERT INTO {_AUDIT} VALUES (?, ?, ?, ?)",  # noqa: S608 - our table names
                        backup_accounts.pgdump_rows(dump, _AUDIT, ("id", "entity", "action", "hash")))
        con.executemany(f"INSERT INTO {_PROFILE} VALUES (?, ?)",  # noqa: S608
                        backup_accounts.pgdump_rows(dump, _PROFILE, ("id", "signing_public_key")))
        con.commit()
        return _compare(config, lines, con)
    except ServiceError as exc:
        raise AuditMismatch(msg("备份中的审计记录无法读取（{reason}），未做任何改动。", reason=exc.message)) from None
    except sqlite3.Error as exc:
        raise AuditMismatch(msg("备份中的审计记录无法读取（{reason}），未做任何改动。", reason=str(exc))) from None
    finally:
        con.close()
        scratch.unlink(missing_ok=True)


def _compare(config: Config, lines: list[dict[str, Any] | None],
             con: sqlite3.Connection) -> AuditVerdict:
    if not lines:
        begun = con.execute(f"SELECT min(id) FROM {_AUDIT} WHERE entity = 'audit_log' AND action = ?",
                            (checkpoints.STARTED,)).fetchone()[0]
        if begun is not None:
            return AuditVerdict(0, (msg(
                "备份中没有签名检查点文件，但备份的审计记录表明此前已写入签名检查点（审计记录第 {id} 条起）："
                "检查点文件可能被移除，无法核对备份中的审计记录是否被改动。", id=begun),))
        return AuditVerdict(0, (msg("备份中没有签名检查点，无法核对备份中的审计记录是否被改动"
                                    "（文件完整不代表内容未被改动）。"),))
    warnings: list[Message] = []
    keys, own = trusted_keys(config)
    if not own:
        registered = _registered_key(con)
        if registered is None:
            return AuditVerdict(0, (msg(
                "当前数据目录没有机构签名密钥或登记的公钥，备份中也没有登记公钥，无法核实签名检查点，"
                "因此未能核对备份中的审计记录是否被改动。"),))
        keys = {registered}
        warnings.append(msg(
            "当前数据目录没有机构签名密钥或登记的公钥，签名检查点只能用备份自带的公钥核实（公钥指纹 {fp}）："
            "请与本机构公布的公钥指纹核对一致。", fp=signing.fingerprint(registered)))
    valid, rejected = audit_check.valid_lines(lines, keys)
    unverified = len(rejected)
    if not valid:
        return AuditVerdict(0, (*warnings, msg(
            "备份中的 {n} 个签名检查点都无法用本机构的密钥核实（签名无效或由其他密钥签署），"
            "因此未能核对备份中的审计记录是否被改动。", n=unverified)))
    if unverified:
        warnings.append(msg("备份中另有 {n} 个签名检查点无法用本机构的密钥核实（签名无效或由其他密钥签署），"
                            "未用于核对。", n=unverified))
    problems = _chain_problems(valid, con)
    if problems:
        raise AuditMismatch(msg(
            "备份中的审计记录与同一备份中的签名检查点不符，备份可能在程序之外被改动，不能恢复。"
            "未做任何改动。\n{problems}", problems=Lines(problems)))
    return AuditVerdict(len(valid), tuple(warnings))


def _chain_problems(valid: list[dict[str, Any]], con: sqlite3.Connection) -> list[Message]:
    """What `check` reports for a live folder (audit_check.chain_faults), for the backup."""
    problems: list[Message] = []
    count, last_id = con.execute(f"SELECT count(id), max(id) FROM {_AUDIT}").fetchone()
    count, last_id = int(count), int(last_id or 0)

    def hashes(ids: list[int]) -> dict[int, str]:
        marks = ",".join("?" * len(ids))
        return dict(con.execute(f"SELECT id, hash FROM {_AUDIT} WHERE id IN ({marks})", ids).fetchall())  # noqa: S608

    faults = audit_check.chain_faults(valid, count, last_id, hashes)
    if faults.missing > 0:
        newest = faults.newest
        problems.append(msg(
            "审计记录缺失：最近 {n} 条审计记录不在备份中（{at} 的签名检查点记有 {count} 条、至第 {last} 条，"
            "备份中的数据库只有 {now} 条、至第 {now_last} 条）", n=faults.missing,
            at=audit_check.local_time(newest["at"]), count=newest["count"], last=newest["last_id"],
            now=count, now_last=last_id))
    if faults.broken_at is not None:
        problems.append(msg("审计链与签名检查点不符：备份中审计记录第 {id} 条之前的链与签名检查点不一致，"
                            "审计记录可能被改动后重算", id=faults.broken_at))
    return problems


def _registered_key(con: sqlite3.Connection) -> str | None:
    row = con.execute(f"SELECT signing_public_key FROM {_PROFILE} ORDER BY id LIMIT 1").fetchone()
    return str(row[0]) if row and row[0] else None


def _sqlite_registered_key(path: Path) -> str | None:
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return _registered_key(con)
        finally:
            con.close()
    except sqlite3.Error:
        return None
