"""安全生产标准化建设: the agency helping the insured build and keep a standardised site — the
标准化工地 items checked on a visit, the advice given, and the follow-up of that advice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from desktop.models import StandardisationAssist
from desktop.reports.standardisation_data import (
    AssistLine,
    StandardisationCount,
    StandardisationPlan,
)
from desktop.services import audit, permissions, recycle
from desktop.services.context import Actor, ValidationError, get_live, msg, now
from desktop.services.projects import check_version
from desktop.services.projects import load as load_project

ACTION = "inspection.edit"  # a standardisation check is site work, done by the same staff
# the items of the site-standardisation check (after the JGJ 59 score sheets), in print order
CHECK_ITEMS = {
    "management": msg("安全管理"), "civilised": msg("文明施工"), "scaffold": msg("脚手架"),
    "excavation": msg("基坑工程"), "formwork": msg("模板支架"), "height": msg("高处作业"),
    "electricity": msg("施工用电"), "hoisting": msg("塔式起重机与起重吊装"),
    "lifts": msg("施工升降机与物料提升机"), "machinery": msg("施工机具"),
}
OTHER_LEN, ADVICE_LEN, RESULT_LEN = 200, 2000, 1000


@dataclass(frozen=True)
class AssistForm:
    date: dt.date
    items: tuple[str, ...]  # keys of CHECK_ITEMS
    other_items: str = ""
    advice: str = ""
    follow_up_on: dt.date | None = None
    follow_up_result: str = ""


@dataclass(frozen=True)
class AssistRow:
    id: int
    project_id: int
    date: dt.date
    items: tuple[str, ...]
    other_items: str
    advice: str
    follow_up_on: dt.date | None
    follow_up_result: str
    version: int

    @property
    def item_labels(self) -> tuple[str, ...]:
        labels = [CHECK_ITEMS[k] for k in CHECK_ITEMS if k in self.items]
        return (*labels, self.other_items) if self.other_items else tuple(labels)

    @property
    def followed_up(self) -> bool:
        return self.follow_up_on is not None


@dataclass(frozen=True)
class PeriodCount:
    """Assistance in a period: visits, the projects visited, follow-ups done in the period."""

    assists: int
    projects: int
    follow_ups: int


def _row(a: StandardisationAssist) -> AssistRow:
    items = tuple(str(k) for k in a.items) if isinstance(a.items, list) else ()
    return AssistRow(a.id, a.project_id, a.date, items, a.other_items, a.advice, a.follow_up_on,
                     a.follow_up_result, a.version)


def _load(session: Session, assist_id: int) -> StandardisationAssist:
    return get_live(session, StandardisationAssist, assist_id,
                    msg("安全生产标准化建设协助记录不存在或已删除。"))


def get(session: Session, assist_id: int) -> AssistRow:
    return _row(_load(session, assist_id))


def for_project(session: Session, project_id: int) -> list[AssistRow]:
    return [_row(a) for a in session.execute(select(StandardisationAssist).where(
        StandardisationAssist.project_id == project_id, StandardisationAssist.deleted_at.is_(None))
        .order_by(StandardisationAssist.date, StandardisationAssist.id)).scalars()]


def validate(form: AssistForm, *, today: dt.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if form.date > today:
        errors["date"] = msg("协助日期不能晚于今天")
    unknown = [k for k in form.items if k not in CHECK_ITEMS]
    if unknown:
        errors["items"] = msg("未知的检查项目：{item}", item=unknown[0])
    elif not form.items and not form.other_items.strip():
        errors["items"] = msg("请勾选检查项目或填写其他检查内容")
    if len(form.other_items.strip()) > OTHER_LEN:
        errors["other_items"] = msg("其他检查内容不超过 {n} 字", n=OTHER_LEN)
    if not form.advice.strip():
        errors["advice"] = msg("请填写提出的建议")
    elif len(form.advice.strip()) > ADVICE_LEN:
        errors["advice"] = msg("建议不超过 {n} 字", n=ADVICE_LEN)
    result, day = form.follow_up_result.strip(), form.follow_up_on
    if result and day is None:
        errors["follow_up_on"] = msg("请填写跟踪复查日期")
    elif day is not None and not result:
        errors["follow_up_result"] = msg("请填写跟踪复查结果")
    elif len(result) > RESULT_LEN:
        errors["follow_up_result"] = msg("跟踪复查结果不超过 {n} 字", n=RESULT_LEN)
    if day is not None and "date" not in errors:
        if day < form.date:
            errors["follow_up_on"] = msg("跟踪复查日期不能早于协助日期")
        elif day > today:
            errors["follow_up_on"] = msg("跟踪复查日期不能晚于今天")
    return errors


def _apply(a: StandardisationAssist, form: AssistForm) -> None:
    a.date = form.date
    a.items = [k for k in CHECK_ITEMS if k in form.items]
    a.other_items = form.other_items.strip()
    a.advice = form.advice.strip()
    a.follow_up_on = form.follow_up_on
    a.follow_up_result = form.follow_up_result.strip()


def record(session: Session, actor: Actor, project_id: int, form: AssistForm) -> AssistRow:
    """One visit helping the insured with its site standardisation."""
    permissions.require(actor, ACTION)
    load_project(session, project_id)
    errors = validate(form, today=now().date())
    if errors:
        raise ValidationError(errors)
    a = StandardisationAssist(project_id=project_id, created_by_id=actor.user_id)
    _apply(a, form)
    session.add(a)
    audit.record_create(session, actor, a, note="登记安全生产标准化建设协助")
    return _row(a)


def edit(session: Session, actor: Actor, assist_id: int, form: AssistForm, *,
         expected_version: int) -> AssistRow:
    """Correct the record, or add the follow-up once the advice has been checked on site."""
    permissions.require(actor, ACTION)
    a = _load(session, assist_id)
    check_version(a, expected_version, msg("安全生产标准化建设协助记录"))
    errors = validate(form, today=now().date())
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(a)
    _apply(a, form)
    audit.record_update(session, actor, a, before,
                        note="登记跟踪复查" if before["follow_up_on"] is None and a.follow_up_on else "")
    return _row(a)


def delete(session: Session, actor: Actor, assist_id: int, *, expected_version: int,
           reason: str) -> None:
    _load(session, assist_id)
    if not reason.strip():
        raise ValidationError({"reason": msg("请填写删除原因")})
    recycle.soft_delete(session, actor, "standardisation_assists", assist_id,
                        expected_version=expected_version, reason=reason)


def period_count(session: Session, project_ids: Select[int] | Sequence[int], start: dt.date,
                 end: dt.date) -> PeriodCount:
    """Assistance given from `start` to `end` to the given projects (a subquery or ids), and
    follow-ups made in the same days whenever the assistance itself was given."""
    live = and_(StandardisationAssist.project_id.in_(project_ids),
                StandardisationAssist.deleted_at.is_(None))
    assists, projects = session.execute(select(
        func.count(), func.count(StandardisationAssist.project_id.distinct())).where(
        live, StandardisationAssist.date.between(start, end))).one()
    follow_ups = session.execute(select(func.count()).select_from(StandardisationAssist).where(
        live, StandardisationAssist.follow_up_on.between(start, end))).scalar_one()
    return PeriodCount(int(assists), int(projects), int(follow_ups))


# -- what the documents print ---------------------------------------------------------------


def plan_data(session: Session, project_id: int) -> StandardisationPlan:
    """The plan's section: the check items it promises and the assistance given so far."""
    return StandardisationPlan(tuple(str(v) for v in CHECK_ITEMS.values()), tuple(
        AssistLine(a.date, tuple(str(x) for x in a.item_labels), a.advice, a.follow_up_on,
                   a.follow_up_result) for a in for_project(session, project_id)))


def count_data(session: Session, project_ids: Select[int] | Sequence[int], start: dt.date,
               end: dt.date) -> StandardisationCount:
    c = period_count(session, project_ids, start, end)
    return StandardisationCount(c.assists, c.projects, c.follow_ups)
