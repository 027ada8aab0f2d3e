"""The service plans' data: the general plan (一项目一方案) and the special plan of a high- or
medium-risk project, both from services/plans.py (facts from the records, the author's wording)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import Inspection, Project, User, inspection_inspectors
from desktop.reports import records
from desktop.reports.data import PlanStageInfo, RiskSourceInfo, ServicePlanData, StaffInfo
from desktop.reports.text import cn_date
from desktop.services import plans, standardisation
from desktop.services.context import msg
from desktop.services.queries.doc_data import (
    Output,
    Request,
    issuer,
    load,
    meta,
    output,
    project_info,
)

LEVEL_WORDS = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


def _staff(session: Session, project: Project, named: list[str]) -> tuple[StaffInfo, ...]:
    lead = session.get(User, project.lead_user_id) if project.lead_user_id else None
    rows: list[tuple[User, str]] = [(lead, "项目负责人")] if lead else []
    rows += [(u, "技术负责人") for u in session.execute(select(User).where(
        User.role == "tech_lead", User.active.is_(True), User.deleted_at.is_(None))
        .order_by(User.id)).scalars()]
    inspectors = session.execute(select(User).join(
        inspection_inspectors, inspection_inspectors.c.user_id == User.id)
        .join(Inspection, Inspection.id == inspection_inspectors.c.inspection_id)
        .where(Inspection.project_id == project.id, Inspection.deleted_at.is_(None))
        .group_by(User.id).order_by(User.id)).scalars().all()
    by_name = {u.display_name: u for u in session.execute(select(User).where(
        User.display_name.in_(named))).scalars()} if named else {}
    rows += [(u, "检查人员") for u in [*inspectors, *by_name.values()]]
    seen: set[int] = set()
    out = []
    for u, role in rows:
        if u.id not in seen:
            seen.add(u.id)
            out.append(StaffInfo(u.display_name, role, u.title, u.certificate_no, u.phone))
    return tuple(out)


def _source_label(s: plans.SourceLine) -> str:
    return f"{s.name}（{LEVEL_WORDS.get(s.level, s.level)}）"


def _danger_label(d: plans.DangerLine) -> str:
    return f"{d.name}（{'超危大' if d.is_super else '危大'}）"


def _basis(draft: plans.PlanDraft) -> tuple[str, ...]:
    """Why the project is of its level: the assessment's factors, as the first line says."""
    when = f"（{cn_date(draft.assessed_at.date())}评定）" if draft.assessed_at else ""
    head = f"本项目风险等级为{draft.level_label}{when}，判定因素如下："
    lines = [f"{f.label}：{f.detail}（对应{f.level}）" if f.detail else f"{f.label}（对应{f.level}）"
             for f in draft.factors]
    if draft.override_reason:
        lines.append(f"人工调整理由：{draft.override_reason}")
    return (head, *(lines or ["未记录升级因素，按评定结果管理。"]))


def plan_output(session: Session, req: Request, store_dir: Path | str) -> Output:
    project_id, row = plans.plan_for(session, req.kind, req.scope_type, req.scope_id)
    kind = plans.DOC_KINDS[req.kind]
    p = load(session, Project, project_id, msg("项目"))
    if kind == "special":
        plans.check_special_level(p.risk_level)
    draft = plans.compose(session, p.id, kind, row)
    content = row.content if row is not None and isinstance(row.content, dict) else {}
    named = [str(x) for x in content.get("staff") or ()] if isinstance(content.get("staff"), list) else []
    special = kind == "special"
    title = (row.title if row is not None and row.title
             else "专项服务方案" if special else "安全生产事故预防技术服务工作方案")
    sources = draft.sources
    if special:  # the special plan targets the level-1/2 sources
        sources = tuple(s for s in sources if s.key) or sources
    data = ServicePlanData(
        meta(session, req, title, store_dir), project_info(session, p.id), draft.interval_days,
        _staff(session, p, named),
        tuple(RiskSourceInfo(s.name, s.level, s.category, s.stage, s.location, s.measures)
              for s in sources),
        special, req.revision, (), (), draft.sections["goals"], draft.sections["guarantees"],
        req.prepared_by, issuer(req),
        standardisation.plan_data(session, p.id),
        items=draft.sections["items"], measures=draft.sections["measures"],
        frequency_notes=draft.sections["frequency"], staffing_notes=draft.sections["staffing"],
        stage_plan=tuple(PlanStageInfo(st.name, st.start, st.end,
                                       tuple(_source_label(s) for s in st.sources),
                                       tuple(_danger_label(d) for d in st.dangers))
                         for st in draft.stages),
        risk_basis=_basis(draft) if special else (),
        factor_measures=tuple((f.label, f.measure) for f in draft.factors) if special else ())
    return Output(data, data.meta.title, records.build_service_plan)


output("service_plan")(plan_output)
output("special_plan")(plan_output)
