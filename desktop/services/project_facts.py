"""Editing a project's facts after entry: 危大 items (计划→施工中→完成 with the actual dates),
policies, contacts and construction stages. Each edit checks the permission, the version the
editor saw, the values, and writes the row and an audit entry in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy.orm import Session

from desktop.models import DangerItem, Policy, ProjectContact, ProjectStage
from desktop.models.base import EditableMixin
from desktop.services import audit, permissions, stage_dates
from desktop.services.context import Actor, ValidationError, get_live, msg, now
from desktop.services.projects import PolicyForm, check_policy, check_version, load

DANGER_STATUSES = ("planned", "in_progress", "done")
# the way an item moves: forward one step, or back one step to correct a slip
_NEXT = {"planned": {"planned", "in_progress"}, "in_progress": {"planned", "in_progress", "done"},
         "done": {"in_progress", "done"}}


@dataclass(frozen=True)
class DangerEdit:
    name: str
    is_super: bool = False
    status: str = "planned"
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None
    parameters: str = ""


def _live(session: Session, model: type[Any], row_id: int, missing: str) -> Any:
    row = get_live(session, model, row_id, missing)
    load(session, row.project_id)  # the project is not deleted
    return row


def check_danger(edit: DangerEdit, *, was: str | None = None,
                 today: dt.date | None = None) -> dict[str, Any]:
    """The item's column values, or ValidationError per field."""
    today = today or now().date()
    errors: dict[str, str] = {}
    name = " ".join(edit.name.split())
    if not name:
        errors["name"] = msg("请填写危大工程名称")
    elif len(name) > 200:
        errors["name"] = msg("危大工程名称不超过 200 个字符")
    if len(edit.parameters.strip()) > 200:
        errors["parameters"] = msg("参数不超过 200 个字符")
    if edit.status not in DANGER_STATUSES:
        errors["status"] = msg("状态须为 计划/施工中/完成")
    elif was is not None and edit.status not in _NEXT[was]:
        errors["status"] = msg("状态只能按 计划→施工中→完成 依次变更（可退回上一步更正）")
    if edit.planned_start and edit.planned_end and edit.planned_end < edit.planned_start:
        errors["planned_end"] = msg("计划结束日期早于计划开始日期")
    if edit.status in ("in_progress", "done") and edit.actual_start is None:
        errors["actual_start"] = msg("施工中或已完成的危大工程须填写实际开始日期")
    if edit.status == "done" and edit.actual_end is None:
        errors["actual_end"] = msg("已完成的危大工程须填写实际完成日期")
    if edit.status == "planned" and (edit.actual_start or edit.actual_end):
        errors["status"] = msg("已填写实际日期的危大工程不能是“计划”状态")
    if edit.status == "in_progress" and edit.actual_end is not None:
        errors["actual_end"] = msg("填写了实际完成日期，请将状态改为“完成”")
    for key in ("actual_start", "actual_end"):
        day = getattr(edit, key)
        if day is not None and day > today:
            errors.setdefault(key, msg("实际日期不能晚于今天（{today}）", today=today))
    if edit.actual_start and edit.actual_end and edit.actual_end < edit.actual_start:
        errors.setdefault("actual_end", msg("实际完成日期早于实际开始日期"))
    if errors:
        raise ValidationError(errors)
    return dict(name=name, is_super=bool(edit.is_super), status=edit.status,
                planned_start=edit.planned_start, planned_end=edit.planned_end,
                actual_start=edit.actual_start, actual_end=edit.actual_end,
                parameters=edit.parameters.strip())


def update_danger_item(session: Session, actor: Actor, item_id: int, edit: DangerEdit, *,
                       expected_version: int, today: dt.date | None = None) -> int:
    """Change a 危大 item; returns its new version."""
    permissions.require(actor, "project.edit")
    item = _live(session, DangerItem, item_id, msg("危大工程不存在或已删除。"))
    check_version(item, expected_version, msg("危大工程"))
    values = check_danger(edit, was=item.status, today=today)
    return _write(session, actor, item, values)


def update_policy(session: Session, actor: Actor, policy_id: int, form: PolicyForm, *,
                  expected_version: int) -> int:
    permissions.require(actor, "project.edit")
    policy = _live(session, Policy, policy_id, msg("保单不存在或已删除。"))
    check_version(policy, expected_version, msg("保单"))
    return _write(session, actor, policy, check_policy(session, form, policy_id=policy_id))


def update_contact(session: Session, actor: Actor, contact_id: int, *, role: str, name: str,
                   phone: str = "", expected_version: int) -> int:
    permissions.require(actor, "project.edit")
    contact = _live(session, ProjectContact, contact_id, msg("联系人不存在或已删除。"))
    check_version(contact, expected_version, msg("联系人"))
    errors: dict[str, str] = {}
    role, name, phone = role.strip(), name.strip(), phone.strip()
    if not role:
        errors["role"] = msg("请填写联系人岗位")
    elif len(role) > 50:
        errors["role"] = msg("岗位不超过 50 个字符")
    if not name:
        errors["name"] = msg("请填写联系人姓名")
    elif len(name) > 50:
        errors["name"] = msg("姓名不超过 50 个字符")
    if len(phone) > 50:
        errors["phone"] = msg("电话不超过 50 个字符")
    if errors:
        raise ValidationError(errors)
    return _write(session, actor, contact, dict(role=role, name=name, phone=phone))


def remove_contact(session: Session, actor: Actor, contact_id: int, *, expected_version: int) -> None:
    """A contact who left the site: kept in the records (deleted_at), no longer listed."""
    permissions.require(actor, "project.edit")
    contact = _live(session, ProjectContact, contact_id, msg("联系人不存在或已删除。"))
    check_version(contact, expected_version, msg("联系人"))
    _write(session, actor, contact, dict(deleted_at=now()))


def update_stage(session: Session, actor: Actor, stage_id: int, *, name: str,
                 planned_start: dt.date | None = None, planned_end: dt.date | None = None,
                 actual_start: dt.date | None = None, actual_end: dt.date | None = None,
                 expected_version: int) -> int:
    permissions.require(actor, "project.edit")
    stage = get_live(session, ProjectStage, stage_id, msg("施工阶段不存在。"))
    load(session, stage.project_id)
    check_version(stage, expected_version, msg("施工阶段"))
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = msg("请填写施工阶段名称")
    elif len(name) > 50:
        errors["name"] = msg("施工阶段名称不超过 50 个字符")
    if planned_start and planned_end and planned_end < planned_start:
        errors["planned_end"] = msg("计划结束早于计划开始")
    if actual_end and actual_start is None:
        errors["actual_start"] = msg("填写实际结束前请先填写实际开始")
    elif actual_start and actual_end and actual_end < actual_start:
        errors["actual_end"] = msg("实际结束早于实际开始")
    if errors:
        raise ValidationError(errors)
    dates = dict(planned_start=planned_start, planned_end=planned_end, actual_start=actual_start,
                 actual_end=actual_end)
    if any(getattr(stage, k) != v for k, v in dates.items()):
        stage_dates.check_inspections_inside(session, stage.id, SimpleNamespace(name=name, **dates))
    return _write(session, actor, stage, dict(name=name, planned_start=planned_start,
                                              planned_end=planned_end, actual_start=actual_start,
                                              actual_end=actual_end))


def _write(session: Session, actor: Actor, row: EditableMixin, values: dict[str, Any]) -> int:
    before = audit.snapshot(row)
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    if not changed:
        return row.version
    for key, value in changed.items():
        setattr(row, key, value)
    audit.record_update(session, actor, row, before)
    return row.version


__all__ = ["DANGER_STATUSES", "DangerEdit", "check_danger", "remove_contact", "update_contact",
           "update_danger_item", "update_policy", "update_stage"]
