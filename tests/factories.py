"""Builders for test data that go through the real services."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from desktop.services import organisations, projects
from desktop.services.context import Actor

_seq = itertools.count(1)


@dataclass(frozen=True)
class ProjectIds:
    project: int
    insurer: int
    authority: int
    owner: int
    contractor: int
    supervisor: int
    policy: int


def make_project(session, actor: Actor, *, name: str = "绍兴市越城区某安置房项目",
                 district: str = "越城区") -> ProjectIds:
    n = next(_seq)
    ins = organisations.ensure(session, actor, kind="insurer", name="中国人民财产保险股份有限公司绍兴市分公司")
    auth = organisations.ensure(session, actor, kind="authority", name=f"{district}住房和城乡建设局", district=district)
    owner = organisations.ensure(session, actor, kind="owner", name="绍兴市城市建设投资集团有限公司")
    contractor = organisations.ensure(session, actor, kind="contractor", name="浙江某建设集团有限公司")
    supervisor = organisations.ensure(session, actor, kind="supervisor", name="浙江某工程管理有限公司")
    row = projects.create_project(session, actor, projects.ProjectForm(
        code=f"P-2026-{n:04d}", name=f"{name}{n}", district=district, authority_id=auth.id,
        owner_id=owner.id, contractor_id=contractor.id, supervisor_id=supervisor.id,
        service_contract_date=dt.date(2026, 1, 5), start_date=dt.date(2026, 1, 10),
        headcount_managers=12, headcount_workers=180,
    ))
    policy = projects.add_policy(session, actor, row.id, projects.PolicyForm(
        policy_no=f"PICC-AZX-2026-{n:05d}", insurer_id=ins.id, start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2027, 12, 31), premium="120000", prevention_fee="24000"))
    return ProjectIds(row.id, ins.id, auth.id, owner.id, contractor.id, supervisor.id, policy)


def recorded_on(session, model, row_id: int, day: dt.date) -> None:
    """Date a row's recording (created_at, stored in UTC) at 09:00 China time on `day`, as if
    it had been entered then — for rules that ignore what was recorded after a period."""
    from sqlalchemy import update

    from desktop import clock

    at = clock.to_utc(dt.datetime.combine(day, dt.time(9, 0)))
    session.execute(update(model).where(model.id == row_id).values(created_at=at))
