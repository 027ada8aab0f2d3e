"""Health check of a data folder: schema version, SQLite integrity, row counts, attachments, audit chain."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from desktop.config import Config
from desktop.db import Database, DataError, known_revisions, newer_schema
from desktop.logsetup import FILE_ONLY
from desktop.messages import Message, msg
from desktop.models import (
    ArchiveItem,
    Attachment,
    AuditEntry,
    Catalogue,
    CatalogueItem,
    Document,
    Drill,
    Hazard,
    Inspection,
    Organisation,
    Project,
    TrainingSession,
    User,
)
from desktop.services import agency, audit, audit_check, checkpoints, db_grants, signing
from desktop.services.exchange import attachments

log = logging.getLogger("desktop.check")

COUNTED = (
    (User, "用户"), (Organisation, "单位"), (Project, "项目"), (Inspection, "检查记录"),
    (Hazard, "隐患"), (TrainingSession, "培训"), (Drill, "应急演练"), (Document, "文书"),
    (ArchiveItem, "档案条目"), (Attachment, "附件"), (Catalogue, "标准目录"),
    (CatalogueItem, "目录条目"), (AuditEntry, "审计记录"),
)
_LIST_MAX = 10


@dataclass(frozen=True)
class CheckReport:
    ok: bool
    schema_current: str | None
    schema_head: str
    counts: dict[str, int] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # weaknesses that are no fault of the data (the check still passes)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _listed(title: str, values: tuple[str, ...] | list[str]) -> list[str]:
    shown = [f"    {v}" for v in values[:_LIST_MAX]]
    if len(values) > _LIST_MAX:
        shown.append(f"    ……另有 {len(values) - _LIST_MAX} 项")
    return [title, *shown]


def run_check(db: Database, config: Config, *, hash_files: bool = True) -> CheckReport:
    """Look at everything that can go wrong with a data folder; never changes anything."""
    lines: list[str] = [f"数据目录：{config.data_dir}", f"数据库：{_describe(db)}"]
    problems: list[str] = []
    head = db.head_revision()
    try:
        current = db.current_revision()
    except DataError as exc:
        problems.append(f"数据库无法打开：{exc.message}")
        return _done(False, None, head, {}, problems, lines)
    if current is None:
        held = held_data(config) if db.sqlite_path is not None else ()
        problems.append(database_lost(config, held) if held else "数据库尚未初始化，请先运行“riskdesk init”。")
        return _done(False, current, head, {}, problems, lines)
    if current != head:
        problems.append(f"数据库结构版本为 {current}，程序需要 {head}：请运行“riskdesk init”升级。"
                        if current in known_revisions() else newer_schema(current))
        return _done(False, current, head, {}, problems, lines)
    lines.append(f"结构版本：{current}（最新）")

    try:
        integrity = db.integrity_check()
    except DataError as exc:
        integrity = [exc.message]
    if integrity:
        problems.extend(f"数据库完整性：{p}" for p in integrity)
        lines.extend(_listed("数据库完整性检查：发现问题", integrity))
    else:
        lines.append("数据库完整性检查：正常")

    counts: dict[str, int] = {}
    try:
        with db.read() as session:
            for model, label in COUNTED:
                counts[label] = session.execute(select(func.count()).select_from(model)).scalar_one()
            if not agency.is_initialised(session):
                problems.append("尚未设置机构信息或管理员账户，请运行“riskdesk init”。")
            store = attachments.verify_store(session, config.attachments_dir, hash_files=hash_files)
            chain = audit.verify_chain(session)
            anchor = audit_check.check_checkpoints(session, config.data_dir)
            compared, edited = audit_check.check_rows(session)
            exposure = db_grants.audit_exposure(session)  # PostgreSQL only
            registered = signing.registered_public_key(session)
    except DataError as exc:
        problems.append(f"读取数据失败：{exc.message}")
        return _done(False, current, head, counts, problems, lines)

    lines.append("数据量：" + "，".join(f"{label} {n}" for label, n in counts.items()))
    lines.append(f"附件库：{config.attachments_dir}（核对 {store.checked} 个文件）")
    if store.ok:
        lines.append("附件库：正常")
    for title, values in (("附件文件缺失", store.missing), ("附件文件内容被改动", store.changed),
                          ("附件库中有未登记的文件", store.orphans)):
        if values:
            problems.append(f"{title}：{len(values)} 个")
            lines.extend(_listed(f"{title}（{len(values)} 个）：", values))
    if chain.ok:
        lines.append(f"审计记录链：正常（{chain.entries} 条）")
    else:
        problems.append(f"审计记录链校验失败：{chain.problem}")
        lines.append(f"审计记录链：校验失败，{chain.problem}")
    if anchor.problems:
        problems.extend(anchor.problems)
        lines.extend(_listed("审计检查点（数据库之外的签名记录）：发现问题", list(anchor.problems)))
    elif anchor.checkpoints:
        lines.append(f"审计检查点：与 {anchor.checkpoints} 个签名检查点一致")
    else:
        lines.append("审计检查点：尚无（备份、导出或会话结束时写入）")
    if anchor.restored_at:
        lines.append(f"审计检查点：{audit_check.local_time(anchor.restored_at)} 曾从备份恢复，"
                     "此前的检查点属于被替换的数据，不再比对")
    if anchor.restarted:
        listed = "、".join(f"第 {n} 条" for n in anchor.restarted)
        lines.append(f"审计检查点：检查点文件曾不在数据目录中，于审计记录{listed}重新开始写入"
                     "（之前的缺口只能与备份、资料包中的副本比对）")
    if edited:
        problems.extend(edited)
        lines.extend(_listed("业务记录与审计记录不符（可能在程序之外被改动）：", list(edited)))
    else:
        lines.append(f"业务记录：{compared} 条与最后一次审计记录一致")
    key_problem = signing.key_problem(config.data_dir, registered)
    if key_problem is not None:
        problems.append(f"签名私钥：{key_problem}")
        lines.append("签名私钥：发现问题（见结论）")
    elif registered:
        lines.append(f"签名私钥：与机构登记的公钥一致（指纹 {signing.fingerprint(registered)}）")
    warnings = [exposure] if exposure else []
    lines.extend(f"提醒：{w}" for w in warnings)
    return _done(not problems, current, head, counts, problems, lines, warnings)


def held_data(config: Config) -> tuple[Message, ...]:
    """What a data folder holds that only a database could have made: stored attachment files
    and signed audit checkpoints (a folder whose database was lost or moved away). Empty for
    a new folder."""
    held: list[Message] = []
    files = _stored_files(config.attachments_dir)
    if files:
        held.append(msg("附件库中有 {n} 个文件", n=files))
    lines = [line for line in checkpoints.read(config.data_dir) if line is not None]
    if lines:
        counts = [c for c in (line.get("count") for line in lines) if isinstance(c, int)]
        held.append(msg("审计检查点文件记有 {n} 个签名检查点（最近一个记有 {count} 条审计记录）",
                        n=len(lines), count=max(counts)) if counts
                    else msg("审计检查点文件记有 {n} 个签名检查点", n=len(lines)))
    return tuple(held)


def database_lost(config: Config, held: tuple[Message, ...], *, refusing_init: bool = False) -> Message:
    """The folder holds data (`held_data`) but no database: restore a backup, do not init."""
    if refusing_init:
        return msg("数据目录中没有可用的数据库（{path}），但目录中仍有数据：{held}。数据库文件可能已丢失或被移走，"
                   "不会在此新建空数据库：请用“riskdesk restore 备份文件 --user 备份中的系统管理员”从备份恢复，"
                   "或把数据库文件放回原处。",
                   path=str(config.sqlite_path), held=list(held))
    return msg("数据目录中没有可用的数据库（{path}），但目录中仍有数据：{held}。数据库文件可能已丢失或被移走："
               "请用“riskdesk restore 备份文件 --user 备份中的系统管理员”从备份恢复，或把数据库文件放回原处；"
               "不要运行“riskdesk init”，它会新建一个空数据库。",
               path=str(config.sqlite_path), held=list(held))


def _stored_files(store: Path) -> int:
    """Files in the attachment store (not the thumbnails made from them, not unfinished writes)."""
    if not store.is_dir():
        return 0
    found = 0
    for root, dirs, files in os.walk(store):
        if Path(root) == store:
            dirs[:] = [d for d in dirs if d != attachments.THUMBS]
        found += sum(1 for name in files if not name.startswith("."))
    return found


def _describe(db: Database) -> str:
    if db.sqlite_path is not None:
        return f"SQLite {db.sqlite_path}"
    return f"{db.dialect} 服务器"


def _done(ok: bool, current: str | None, head: str, counts: dict[str, int], problems: list[str],
          lines: list[str], warnings: list[str] | None = None) -> CheckReport:
    warnings = warnings or []
    if ok and warnings:
        lines.append(f"结论：检查通过，未发现问题；有 {len(warnings)} 条提醒（见上）。")
    elif ok:
        lines.append("结论：检查通过，未发现问题。")
    else:
        lines.append(f"结论：发现 {len(problems)} 个问题：")
        lines.extend(f"  {n}. {p}" for n, p in enumerate(problems, 1))
        log.warning("check found problems: %s", "; ".join(problems), extra=FILE_ONLY)  # the lines say it
    return CheckReport(ok, current, head, dict(counts), tuple(problems), tuple(lines), tuple(warnings))
