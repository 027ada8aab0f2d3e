"""Acceptance for issue #5 on the demo data: every checklist item answered with its evidence; a
quarter's full-coverage inspection removed as a user would turns C-2f to 不符合 naming the project
and the quarter; an open level-1 hazard makes a project high risk unless a reasoned override says
otherwise, and the override is kept in the history with who, when and why.

The demo is generated as of a fixed day (every service's clock frozen there), so what a quarter
holds does not depend on the day the tests run."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import sqlite3
import sys

import pytest
from sqlalchemy import select

import desktop.services
from desktop.config import Config
from desktop.db import Database
from desktop.demo import generator as demo
from desktop.models import Hazard, Inspection, Project, TrainingAttendance, TrainingSession, User
from desktop.services import (
    checklist_items,
    compliance,
    context,
    hazards,
    obligations,
    periods,
    recycle,
    risk,
)
from desktop.services.context import Actor, ValidationError

DAY = dt.date(2026, 2, 20)  # the demo's "today"
NOW = dt.datetime.combine(DAY, dt.time(17, 30))
PREV = periods.parse("2025Q4")  # the last complete quarter before DAY
ANSWERED = ("met", "not_met", "not_due", "not_applicable")


def freeze(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every service's `now()` says NOW (they import it by name from context)."""
    for info in pkgutil.walk_packages(desktop.services.__path__, "desktop.services."):
        importlib.import_module(info.name)
    real = context.now
    for name, module in list(sys.modules.items()):
        if name.startswith("desktop.") and getattr(module, "now", None) is real:
            monkeypatch.setattr(module, "now", lambda: NOW)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    config = Config(data_dir=folder)
    with pytest.MonkeyPatch.context() as mp:
        freeze(mp)
        database = Database(config.database_url)
        database.migrate(backup=False)
        with database.session() as s:
            demo.generate(s, store_dir=config.attachments_dir, projects=6, seed=7)
        database.dispose()
    return config.sqlite_path


@pytest.fixture
def world(tmp_path, demo_file, monkeypatch):
    """A copy of the demo database for one test, with the clock at the demo's day."""
    freeze(monkeypatch)
    path = tmp_path / "riskdesk.sqlite3"
    with sqlite3.connect(demo_file) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


def actor(db, username: str) -> Actor:
    with db.read() as s:
        u = s.execute(select(User).where(User.username == username)).scalar_one()
        return Actor(u.id, u.username, u.role, u.display_name)


def evaluate(db, scope_type="agency", scope_id=None, period=PREV):
    with db.read() as s:
        return compliance.evaluate(s, period=period, scope_type=scope_type, scope_id=scope_id, as_of=DAY)


def test_every_item_has_a_computed_answer_with_evidence(world):
    result = evaluate(world)
    assert [r.item.id for r in result.items] == [i.id for i in checklist_items.ITEMS]
    assert len(result.items) == 27 and len(result.project_ids) >= 5
    for r in result.items:
        if r.item.id == "C-1a":  # rules and duties on paper: the data cannot decide (DOMAIN: manual)
            assert r.status == "manual"
            continue
        assert r.status in ANSWERED, r.item.id
        assert r.evidence, r.item.id
        for e in r.evidence:
            assert not e.ids or len(e.ids) == e.count, (r.item.id, e.label)
        assert (r.status == "not_met") == bool(r.due_gaps), r.item.id
        for g in r.gaps:
            assert g.project_id is None or (g.project_id in result.project_ids and g.project_name), r.item.id

    # evidence agrees with the records themselves
    pids = list(result.project_ids)
    with world.read() as s:
        full = s.execute(select(Inspection.id).where(
            Inspection.project_id.in_(pids), Inspection.kind == "full_coverage", Inspection.deleted_at.is_(None),
            Inspection.date.between(PREV.start, PREV.end)).order_by(Inspection.id)).scalars().all()
        level1 = s.execute(select(Hazard.id).where(
            Hazard.project_id.in_(pids), Hazard.level == 1, Hazard.status != "cancelled",
            Hazard.deleted_at.is_(None), Hazard.found_date.between(PREV.start, PREV.end))).scalars().all()
        trained = s.execute(select(TrainingSession.id).join(
            TrainingAttendance, TrainingAttendance.session_id == TrainingSession.id).where(
            TrainingAttendance.project_id.in_(pids), TrainingSession.deleted_at.is_(None),
            TrainingSession.date.between(periods.parse("2025H2").start, periods.parse("2025H2").end))
            .distinct()).scalars().all()
        missing_full = obligations.full_inspection_missing(s, PREV, pids)
    assert list(result.get("C-2f").evidence[0].ids) == full and full
    assert sorted(g.project_id for g in result.get("C-2f").gaps) == missing_full
    if level1:
        assert sorted(result.get("C-6a").evidence[0].ids) == sorted(level1)
    else:
        assert result.get("C-6a").status == "not_applicable"
    assert sorted(result.get("C-4a").evidence[0].ids) == sorted(trained)

    # C-1a is answered by the technical lead, naming the documents; it then holds with who and why
    lead = actor(world, "chenguohua")
    with world.session() as s:
        compliance.answer_manual(s, lead, "C-1a", period=PREV, scope_type="agency", answer="met",
                                 note="《安全风险管理制度汇编》（2025 版）、岗位职责及工作流程")
    result = evaluate(world)
    c1a = result.get("C-1a")
    assert (c1a.status, c1a.answered_by, c1a.answered_at) == ("met", "陈国华", NOW)
    assert "制度汇编" in c1a.note
    assert all(r.status in ANSWERED for r in result.items)


def _candidate(db) -> tuple[int, str, list[tuple[int, int]]]:
    """A project served all of PREV that met C-2f there, with its full-coverage inspections."""
    first = dt.timedelta(days=15)
    with db.read() as s:
        for pid in evaluate(db).project_ids:
            p = s.get(Project, pid)
            started = p.service_contract_date or p.start_date
            if started is None or started + first > PREV.end:
                continue
            if evaluate(db, "project", pid).get("C-2f").status != "met":
                continue
            full = s.execute(select(Inspection.id, Inspection.version).where(
                Inspection.project_id == pid, Inspection.kind == "full_coverage",
                Inspection.deleted_at.is_(None), Inspection.date.between(PREV.start, PREV.end))).all()
            if full:
                return pid, f"{p.name}（{p.code}）", [(i, v) for i, v in full]
    raise AssertionError("the demo has no project meeting C-2f in 2025Q4")


def test_removing_a_quarters_full_inspection_turns_c2f_not_met(world):
    pid, label, full = _candidate(world)
    assert pid not in [g.project_id for g in evaluate(world).get("C-2f").gaps]
    inspector = actor(world, "jinhaifeng")
    with world.session() as s:
        for inspection_id, version in full:
            recycle.soft_delete(s, inspector, "inspections", inspection_id, expected_version=version,
                                reason="误将日常巡查登记为全覆盖检查")

    own = evaluate(world, "project", pid).get("C-2f")
    assert own.status == "not_met"
    [gap] = own.gaps
    assert (gap.project_id, gap.project_name, gap.missing, gap.since, gap.due) == (
        pid, label, "2025年第四季度未开展全覆盖检查", PREV.start, True)
    agency = evaluate(world).get("C-2f")
    assert agency.status == "not_met"
    [named] = [g for g in agency.due_gaps if g.project_id == pid]
    assert named.project_name == label and named.missing == "2025年第四季度未开展全覆盖检查"
    assert not {i for i, _v in full} & set(agency.evidence[0].ids)

    with world.session() as s:  # restored from the recycle bin, the quarter is met again
        for inspection_id, _version in full:
            recycle.restore(s, inspector, "inspections", inspection_id)
    assert evaluate(world, "project", pid).get("C-2f").status == "met"


def test_an_open_level1_hazard_is_high_unless_overridden_with_a_reason(world):
    lead, inspector = actor(world, "chenguohua"), actor(world, "jinhaifeng")
    with world.read() as s:
        calm = [p.id for p in s.execute(select(Project).where(
            Project.status == "active", Project.deleted_at.is_(None)).order_by(Project.id)).scalars()
            if risk.compute(s, p.id, today=DAY).level != "high"]
    assert calm, "the demo has a project below high risk"
    pid = calm[0]
    with world.session() as s:
        h = hazards.record(s, inspector, hazards.HazardForm(
            project_id=pid, description="基坑东侧支护桩水平位移超过设计控制值，坑壁渗水", level=1,
            category="基坑工程", measures="停止坑内作业，回填反压，加密监测", contingency="撤离坑内人员",
            stop_work="partial", found_at=dt.datetime.combine(DAY, dt.time(9))))
        comp = risk.compute(s, pid, today=DAY)
        assert comp.level == "high"
        factor = next(f for f in comp.factors if f.code == "open_level1_hazard")
        assert factor.level == "high" and h.id in factor.ref_ids
        assessed = risk.assess(s, lead, pid, reason="发现一级隐患，重新评定")
    assert assessed.level == "high" and not assessed.is_override
    with world.read() as s:
        assert pid in [r.project_id for r in risk.level_lists(s).high]
        assert s.get(Project, pid).risk_level == "high"

    with world.session() as s:
        for blank in ("", "   "):
            with pytest.raises(ValidationError) as info:
                risk.override(s, lead, pid, "medium", reason=blank)
            assert set(info.value.fields) == {"reason"}
    with world.read() as s:
        assert s.get(Project, pid).risk_level == "high"  # refused: nothing changed

    why = "已局部停工并回填反压，监测数据趋稳，经技术负责人现场复核风险可控"
    with world.session() as s:
        overridden = risk.override(s, lead, pid, "medium", reason=why)
    assert (overridden.level, overridden.computed_level, overridden.is_override) == ("medium", "high", True)
    with world.read() as s:
        lists = risk.level_lists(s)
        assert pid in [r.project_id for r in lists.medium] and pid not in [r.project_id for r in lists.high]
        [level] = risk.project_levels(s, project_ids=[pid])
        assert (level.level, level.is_override, level.reason) == ("medium", True, why)
        latest, before = risk.history(s, pid)[:2]
        assert (latest.level, latest.reason, latest.assessed_by, latest.assessed_at) == ("medium", why, "陈国华", NOW)
        assert latest.assessed_by_id == lead.user_id and latest.computed_level == "high"
        assert (before.level, before.reason, before.is_override) == ("high", "发现一级隐患，重新评定", False)
        assert risk.needs_reassessment(s, today=DAY, project_ids=[pid]) == []  # the override stands
