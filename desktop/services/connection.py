"""Checking a database address before a desk switches to it (shared PostgreSQL or a local file)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from desktop.db import Database, DataError, known_revisions, newer_schema
from desktop.migrations import SCHEMA_HEAD
from desktop.services.context import ValidationError, msg


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str


def validate_url(url: str) -> str:
    """'' (the local SQLite file) or a sqlite:// / postgresql:// address; else ValidationError."""
    url = url.strip()
    if not url:
        return ""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValidationError({"database_url": msg(
            "数据库地址格式不正确，例如 postgresql://用户:密码@服务器:5432/数据库名")}) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValidationError({"database_url": msg("只支持 PostgreSQL（多台电脑共用）或本机 SQLite 文件")})
    if parsed.get_backend_name() == "postgresql" and not (parsed.host and parsed.database):
        raise ValidationError({"database_url": msg("PostgreSQL 地址须包含服务器和数据库名")})
    return url


def check(url: str) -> ConnectionCheck:
    """Connect and read the schema revision; never raises for environment failures."""
    url = validate_url(url)
    if not url:
        return ConnectionCheck(True, msg("将使用本机数据目录中的 SQLite 数据库。"))
    db = Database(url)
    try:
        revision = db.current_revision()
    except DataError as exc:
        return ConnectionCheck(False, exc.message)
    finally:
        db.dispose()
    if revision is None:
        return ConnectionCheck(True, msg("连接成功。该数据库尚未初始化，切换后首次启动时将自动创建表结构。"))
    if revision == SCHEMA_HEAD:
        return ConnectionCheck(True, msg("连接成功，数据库结构为最新版本。"))
    if revision not in known_revisions():  # written by a newer RiskDesk: this one cannot open it
        return ConnectionCheck(False, newer_schema(revision))
    return ConnectionCheck(True, msg("连接成功。数据库结构版本为 {revision}，切换后启动时将先升级。",
                                     revision=revision))
