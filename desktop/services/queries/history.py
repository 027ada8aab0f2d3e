"""A record's history from the audit trail: who changed what, when, from what to what."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import AuditEntry, User
from desktop.services import permissions
from desktop.services.context import Actor, msg

# as the history shows an entry's action; Messages, so the GUI shows them translated
ACTION_LABELS = {
    "create": msg("新建"), "update": msg("修改"), "delete": msg("删除（移入回收站）"), "restore": msg("从回收站恢复"),
    "purge": msg("彻底删除"), "sign": msg("签发"), "issue_notice": msg("下发整改通知"),
    "record_delivery": msg("登记送达"), "submit_closure": msg("登记销项申请"), "verify_close": msg("复查销项"),
    "reject": msg("复查退回"), "escalate": msg("登记拒不整改/拖延整改"), "cancel": msg("撤销"),
    "report": msg("登记对外报告"), "confirm": msg("双方确认"), "verify_sources": msg("核查风险源"),
    "login": msg("登录"), "login_failed": msg("登录失败"), "lockout": msg("账户锁定"),
    "password_change": msg("修改密码"), "password_reset": msg("重置密码"), "import": msg("导入"),
    "major_review": msg("经复核不属于重大事故隐患"), "check": msg("核对原文"),
}


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class HistoryRow:
    id: int
    at: dt.datetime  # UTC, as stored
    user: str
    action: str
    changes: tuple[Change, ...]
    note: str

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


def _changes(before: Any, after: Any) -> tuple[Change, ...]:
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    keys = [k for k in after if k not in ("updated_at", "created_at", "version")]
    keys += [k for k in before if k not in after and k not in ("updated_at", "created_at", "version")]
    return tuple(Change(k, before.get(k), after.get(k)) for k in keys)


def history(session: Session, actor: Actor, entity: str, entity_id: int, *,
            limit: int = 500) -> list[HistoryRow]:
    """Every audit entry about one record, newest first."""
    permissions.require(actor, "view")
    rows = session.execute(
        select(AuditEntry, User.display_name).outerjoin(User, User.id == AuditEntry.user_id)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.id.desc()).limit(limit)
    ).all()
    return [HistoryRow(e.id, e.created_at, name or e.username, e.action, _changes(e.before, e.after), e.note)
            for e, name in rows]
