"""The demo's service plans: high- and medium-risk projects mostly have a signed special plan made
from their records, a few have none, and the self-check counts exactly the signed ones."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from desktop.models import Document, Project, RiskSource, ServicePlan
from desktop.services import compliance, plans
from desktop.services.context import now
from desktop.services.periods import quarter_of
from tests.services.test_demo import _generate


@pytest.mark.slow
def test_demo_special_plans_are_signed_documents_for_raised_projects_only(tmp_path):
    db, _config, _summary = _generate(tmp_path, projects=8, seed=2024)
    with db.read() as s:
        levels = dict(s.execute(select(Project.id, Project.risk_level)).all())
        raised = {pid for pid, level in levels.items() if level in ("high", "medium")}
        signed = dict(s.execute(select(ServicePlan.project_id, ServicePlan.document_id).where(
            ServicePlan.kind == "special", ServicePlan.status == "signed")).all())
        assert signed and set(signed) <= raised and raised - set(signed)  # a believable mix
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
        assert set(counted.ids) == set(signed) & in_service
        assert {g.project_id for g in item.gaps} == (raised - set(signed)) & in_service
    db.dispose()
