"""The demo's service plans: high- and medium-risk projects mostly have a signed special plan made
from their records, a few have none, and the self-check counts exactly the signed ones."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from desktop.models import Document, Project, RiskAssessment, RiskSource, ServicePlan
from desktop.services import compliance, plans, risk
from desktop.services.context import now
from desktop.services.periods import quarter_of
from tests.services.test_demo import _generate


@pytest.mark.slow
def test_demo_special_plans_are_signed_documents_for_raised_projects_only(tmp_path):
    db, _config, _summary = _generate(tmp_path, projects=8, seed=2024)
    with db.read() as s:
        levels = dict(s.execute(select(Project.id, Project.risk_level)).all())
        raised = {pid for pid, level in levels.items() if level in ("high", "medium")}
        ever = set(s.execute(select(RiskAssessment.project_id).where(
            RiskAssessment.level.in_(("high", "medium")))).scalars())
        signed = dict(s.execute(select(ServicePlan.project_id, ServicePlan.document_id).where(
            ServicePlan.kind == "special", ServicePlan.status == "signed")).all())
        assert signed and set(signed) <= ever and raised - set(signed)  # a believable mix
        docs = s.execute(select(Document).where(Document.id.in_(list(signed.values())))).scalars().all()
        assert {(d.kind, d.status) for d in docs} == {("special_plan", "signed")}
        assert all("方案〔" in d.number for d in docs)
        bare = s.execute(select(RiskSource.id).where(RiskSource.level <= 2, RiskSource.measures == "")).all()
        assert bare == []
        for pid in signed:
            assert plans.draft(s, pid, "special").missing_measures == ()
        result = compliance.evaluate(s, period=quarter_of(now().date()), scope_type="agency", scope_id=None)
        item = next(r for r in result.items if r.item.id == "C-3b")
        counted = next(e for e in item.evidence if e.label == "已签发专项服务方案的项目")
        in_service = set(result.project_ids)
        assert set(counted.ids) == set(signed) & raised & in_service
        assert {g.project_id for g in item.gaps} == (raised - set(signed)) & in_service
    db.dispose()


@pytest.mark.slow
def test_demo_special_plans_are_dated_in_the_quarter_their_project_was_raised(tmp_path):
    """Drafted and signed on the day of the assessment that first raised the project (the
    services with the clock pinned, not signed documents rewritten), so each past quarter's
    C-3b reads 符合 for a project whose plan was signed by its end."""
    db, _config, _summary = _generate(tmp_path, projects=8, seed=2024)
    today = now().date()
    with db.read() as s:
        raised_on: dict[int, dt.datetime] = {}
        for pid, at in s.execute(select(RiskAssessment.project_id, RiskAssessment.assessed_at).where(
                RiskAssessment.level.in_(("high", "medium"))).order_by(RiskAssessment.assessed_at)):
            raised_on.setdefault(pid, at)
        rows = s.execute(select(ServicePlan.project_id, Document.signed_at, Document.created_at).join(
            Document, Document.id == ServicePlan.document_id).where(
            ServicePlan.kind == "special", ServicePlan.status == "signed")).all()
        assert rows
        for pid, signed_at, _created in rows:
            assert signed_at.date() == raised_on[pid].date() and signed_at > raised_on[pid]
            assert signed_at.date() < today
        signed = {pid: signed_at for pid, signed_at, _ in rows}
        first = min(raised_on.values()).date()
        quarter = quarter_of(first)
        checked = 0
        while quarter.end < quarter_of(today).start:
            result = compliance.evaluate(s, period=quarter, scope_type="agency", scope_id=None, as_of=today)
            item = result.get("C-3b")
            gaps = {g.project_id for g in item.gaps}
            then = risk.levels_on(s, quarter.end, list(result.project_ids))
            for pid in result.project_ids:
                if then[pid] in ("high", "medium") and pid in signed:
                    assert pid not in gaps, (quarter.label, pid)  # signed in time: 符合 for it
                    checked += 1
                if pid in gaps:
                    assert pid not in signed or signed[pid].date() > quarter.end
            if then and not gaps and any(v in ("high", "medium") for v in then.values()):
                assert item.status == "met", quarter.label  # 符合
            quarter = quarter_of(quarter.end + dt.timedelta(days=1))
        assert checked, "some past quarter had a raised project with its plan signed"
    db.dispose()
