"""Project and policy rows of an import checked in memory and written with bulk inserts.

The same shape as `import_hazards`, smaller: every row checked first with the project
services' own rules (`projects.validate`, `projects.check_policy`), the database asked once
for the policy numbers and project codes already there; a clean file is then written with
one executemany each for new projects, their stages and the policies, and one audit entry
per project and per policy (`audit.record_many`). The policy number is unique in the
database: an import on another desk that wrote the same policy first makes this one fail
whole, with a message saying so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.models import Policy, Project, ProjectStage
from desktop.services import audit, projects
from desktop.services.context import Actor, ServiceError, ValidationError, msg
from desktop.services.exchange.import_hazards import BATCH, Outcome, Problems, batches
from desktop.services.exchange.zipstream import Meter


class DuplicatePolicy(ServiceError):
    """Another desk wrote the same policy or project while this import ran; nothing written."""


@dataclass
class _Row:
    line: int
    code: str
    project: dict[str, Any] | None  # the new project's columns, on the first row naming it
    policy: dict[str, Any]


def _known(session: Session, column: Any, values: set[str], key: Any) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in batches(sorted(values)):
        stmt = select(column, key).where(column.in_(chunk))
        found.update((k, i) for k, i in session.execute(stmt))
    return found


def check(session: Session, ctx: Problems, rows: list[tuple[int, dict[str, Any]]], *,
          org_for: Callable[[str, str | None, str], int | None], meter: Meter,
          ) -> tuple[list[_Row], Outcome]:
    """Every row checked against the project rules and the database; nothing written."""
    out = Outcome()
    policies = _known(session, Policy.policy_no, {v["policy_no"] for _, v in rows}, Policy.id)
    codes = _known(session, Project.code, {v.get("code") or v["policy_no"] for _, v in rows},
                   Project.id)
    planned: set[str] = set()
    good: list[_Row] = []
    for n, batch in enumerate(batches(rows)):
        for line, v in batch:
            errors: dict[str, str] = {}
            try:
                ctx.once(("policy", v["policy_no"]), line, "policy_no")
                if v["policy_no"] in policies:
                    out.existing.append(msg("第 {row} 行：保单号 {policy_no} 已存在", row=line,
                                            policy_no=v["policy_no"]))
                    continue
                insurer = org_for("insurer", v["insurer"], "insurer")
                code = v.get("code") or v["policy_no"]
                project = None
                if code not in codes and code not in planned:  # a new project
                    parties: dict[str, Any] = {f"{k}_id": org_for(k, v.get(k), k)
                               for k in ("contractor", "supervisor", "owner", "authority")}
                    form = projects.ProjectForm(
                        code=code, name=v["name"], address=v.get("address") or "",
                        district=v.get("district") or "",
                        project_type=v.get("project_type") or "building",
                        contract_value=v.get("contract_value"), status=v.get("status") or "active",
                        start_date=v.get("start_date"),
                        service_contract_date=v.get("service_contract_date"),
                        planned_completion=v.get("planned_completion"),
                        completion_date=v.get("completion_date"), **parties)
                    try:
                        project = projects.validate(session, form)
                    except ValidationError as exc:
                        errors.update(exc.messages)
                policy = projects.check_policy(session, projects.PolicyForm(
                    policy_no=v["policy_no"], insurer_id=insurer,
                    start_date=v.get("policy_start"), end_date=v.get("policy_end"),
                    premium=v.get("premium"), prevention_fee=v.get("prevention_fee")))
            except ValidationError as exc:
                errors.update(exc.messages)
            except ServiceError as exc:
                out.problems.append(ctx.problem(line, "", exc.message))
                continue
            if errors:
                out.problems += [ctx.problem(line, key, text) for key, text in errors.items()]
                continue
            if project is not None:
                planned.add(code)
            good.append(_Row(line, code, project, policy))
        meter.advance(len(batch), msg("已核对 {n} 行", n=n * BATCH + len(batch)))
    return good, out


def write(session: Session, actor: Actor, rows: list[_Row]) -> list[int]:
    """Write checked rows: new projects with their stages, policies, audit entries. Returns
    each row's project id."""
    if not rows:
        return []
    new = [r.project for r in rows if r.project is not None]
    try:
        if new:
            session.execute(insert(Project.__table__), new)
        codes = _known(session, Project.code, {r.code for r in rows}, Project.id)
        new_ids = [codes[p["code"]] for p in new]
        stages = [{"project_id": pid, "seq": seq, "name": name}
                  for pid in new_ids for seq, name in enumerate(projects.DEFAULT_STAGES, start=1)]
        if stages:
            session.execute(insert(ProjectStage.__table__), stages)
        session.execute(insert(Policy.__table__),
                        [{**r.policy, "project_id": codes[r.code]} for r in rows])
    except IntegrityError as exc:
        if "policy_no" not in str(exc.orig) and "code" not in str(exc.orig):
            raise
        raise DuplicatePolicy(msg(
            "另一处刚刚导入了同一清单中的保单或项目（保单号或项目编号已存在），本次导入未写入任何数据。"
            "请重新预览后再导入：已导入的行会被跳过。")) from None
    policy_ids = _known(session, Policy.policy_no, {r.policy["policy_no"] for r in rows}, Policy.id)
    entries = _created(session, Project, new_ids) + _created(
        session, Policy, [policy_ids[r.policy["policy_no"]] for r in rows])
    audit.record_many(session, actor, entries)
    return [codes[r.code] for r in rows]


_M = TypeVar("_M", Project, Policy)


def _created(session: Session, model: type[_M], ids: list[int]) -> list[audit.Pending]:
    """The audit entries of rows just inserted, with their values as stored."""
    entries: list[audit.Pending] = []
    for chunk in batches(ids):
        loaded = {o.id: o for o in session.execute(select(model).where(model.id.in_(chunk)))
                  .scalars()}
        entries += [audit.Pending("create", model.__tablename__, i,
                                  after=audit.snapshot(loaded[i])) for i in chunk]
    return entries
