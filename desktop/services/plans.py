"""Service plans (一项目一方案 and the special plan of high/medium projects): their content drafted
from the project's own records, the author's edits of the wording kept on the draft plan row.

The facts — which stages, risk sources, 危大 items and risk factors, the visit interval — always
come from the records. What the author edits (`plan.edit`) is wording: the sections' lines,
a source's measures as printed in this plan and the added measures per risk factor. The edits
live in `ServicePlan.content` of the working (draft) plan row; only what differs from the
drafted wording is kept, so a change in the register still reaches an unedited line. A signed
plan row is never edited: an edit after signing starts the next revision's draft row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypedDict, TypeVar, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop import clock
from desktop.models import (
    CatalogueItem,
    DangerItem,
    Document,
    ProjectStage,
    RiskSource,
    ServicePlan,
)
from desktop.models.enums import RiskLevel
from desktop.reports.plan_wording import STANDARD_GOALS, STANDARD_GUARANTEES, STANDARD_ITEMS
from desktop.services import audit, obligations, permissions, risk
from desktop.services.context import Actor, ConflictError, NotFound, ValidationError, get_live, msg
from desktop.services.projects import load as load_project

# document kind -> ServicePlan.kind
DOC_KINDS = {"service_plan": "general", "special_plan": "special"}
PLAN_DOC = {v: k for k, v in DOC_KINDS.items()}
SECTIONS: dict[str, str] = {
    "items": msg("服务内容"), "measures": msg("服务措施"), "frequency": msg("服务频次"),
    "staffing": msg("人员安排"), "goals": msg("服务目标"), "guarantees": msg("保障措施"),
}
MAX_LINES, MAX_LINE, MAX_MEASURES = 40, 500, 4000
NO_STAGE = "未指定施工阶段"

SPECIAL_ITEMS = (
    "专项风险辨识：针对本项目风险等级的判定因素，逐项辨识相关风险源和危险性较大的分部分项工程的风险，明确重点管控部位和工序。",
    "加密检查：按本方案确定的频次开展检查，每次检查覆盖下列重点风险源和危大工程。",
    "危大工程专项服务：准备阶段核查专项施工方案的编制、审批（超危大工程含专家论证），实施阶段核查按方案施工、验收和监测情况。",
    "隐患闭环督办：重点部位发现的隐患逐项跟踪至复查销项，一级隐患立即提出停工或局部停工建议并当日报告。",
    "风险等级复评：风险因素发生变化（超危大工程开始或结束、发生事故、出现一级隐患等）时及时复评风险等级并修订本方案。",
)
MEASURE_LEVELS = (
    ("隐患分级处置：一级隐患立即提出停工或局部停工建议，并于当日报告承保机构和属地建设主管部门；"
    "二级隐患现场提出整改意见，可能引发安全事故的报告承保机构和属地建设主管部门；三、四级隐患"
    "书面告知责任单位，由监理单位督促整改并将整改情况反馈我机构。"),
    ("闭环管理：每项隐患明确责任、措施、时限和预案，逐项跟踪至复查销项；对拒不整改或拖延整改的，"
    "报告承保机构、属地建设主管部门和建设单位。"),
)
MEASURE_DANDA = ("危大工程管控：对本项目的危大工程在准备阶段和实施阶段开展专项风险辨识和隐患排查，"
                 "超危大工程重点核查专家论证意见的落实。")
MEASURE_NO_DANDA = "危大工程管控：项目新增危大工程时，及时补充专项服务内容。"
MEASURE_SPECIAL = "本项目为中、高风险项目，提高检查频次和深度，由技术负责人参加重点部位检查。"
FREQUENCY_NOTES = (
    "项目风险等级发生变化时，按新的等级确定的频次开展检查，并及时修订本方案。",
    "遇恶劣天气、节假日前后、复工复产及危大工程关键工序施工时，增加检查次数。",
)
STAFFING = (
    "项目负责人全面负责本项目服务工作，组织检查、督办隐患整改，审核服务记录。",
    "技术负责人审核服务方案和各类服务文书，参加一级隐患和危大工程关键工序的检查。",
    "检查人员按计划开展现场检查，记录隐患并跟踪整改至复查销项。",
)
STAFFING_SPECIAL = "中、高风险期间，技术负责人每月至少参加一次现场检查。"
# added measures per risk factor (risk.compute's codes); the author may reword each
FACTOR_MEASURES = {
    "deep_excavation": "深基坑：核查专项施工方案及专家论证意见的落实，每次检查覆盖支护结构、降排水、"
                       "周边堆载、临边防护和监测数据，开挖及回填前各开展一次专项检查。",
    "excavation": "基坑开挖：核查支护和降排水措施，每次检查覆盖基坑临边防护和周边堆载。",
    "super_danda_in_progress": "超危大工程施工中：每次检查覆盖该工程，核查专家论证意见、方案交底、"
                               "验收和监测，关键工序实施时到场检查。",
    "danda_in_progress": "危大工程施工中：核查专项施工方案审批、交底和验收，关键工序实施时开展专项检查。",
    "open_level1_hazard": "未闭合一级隐患：跟踪停工（局部停工）建议的落实，整改期间每周复查，"
                          "复查销项前不提出恢复施工意见。",
    "escalated_hazard": "拒不整改或拖延整改：书面报告承保机构、属地建设主管部门和建设单位，"
                        "加密复查直至整改到位。",
    "hazard_density": "未闭合隐患较多：组织专项排查和整改督办，每次检查复核既往隐患的整改，"
                      "分析共性问题并在培训中讲解。",
    "fatal_accident": "发生死亡或较大及以上事故：协助开展事故原因分析和同类隐患专项排查，"
                      "保持高风险管理和加密检查。",
    "recent_accident": "近期发生生产安全事故：针对事故类型开展同类隐患专项排查，并开展针对性培训。",
}
FACTOR_DEFAULT = "针对该因素开展专项检查，提高检查频次。"


@dataclass(frozen=True)
class SourceLine:
    id: int
    name: str
    level: int
    category: str
    stage: str
    location: str
    measures: str  # as printed: the plan's wording, else the register's, else the catalogue's
    default: str  # the register's measures, else the catalogue's standard measures
    edited: bool

    @property
    def key(self) -> bool:
        return self.level <= 2


@dataclass(frozen=True)
class DangerLine:
    id: int
    name: str
    is_super: bool
    status: str
    parameters: str
    start: dt.date | None
    end: dt.date | None


@dataclass(frozen=True)
class StageLine:
    name: str
    start: dt.date | None
    end: dt.date | None
    sources: tuple[SourceLine, ...]
    dangers: tuple[DangerLine, ...]


@dataclass(frozen=True)
class FactorLine:
    code: str
    label: str
    detail: str
    level: str
    measure: str
    default: str
    edited: bool


@dataclass(frozen=True)
class PlanDraft:
    """A plan's content as it would print now: facts from the records, wording with edits."""

    project_id: int
    kind: str  # general / special
    plan_id: int | None  # the working draft row (None: nothing edited yet)
    version: int | None
    revision: int
    level: str | None
    assessed_at: dt.datetime | None
    interval_days: int
    stages: tuple[StageLine, ...]
    sources: tuple[SourceLine, ...]
    dangers: tuple[DangerLine, ...]
    factors: tuple[FactorLine, ...]
    sections: Mapping[str, tuple[str, ...]]
    defaults: Mapping[str, tuple[str, ...]]
    override_reason: str = ""

    @property
    def missing_measures(self) -> tuple[str, ...]:
        """Level-1/2 sources with no measures: the plan cannot be signed with them."""
        return tuple(s.name for s in self.sources if s.key and not s.measures.strip())

    @property
    def level_label(self) -> str:
        return RiskLevel(self.level).label if self.level is not None \
            and RiskLevel.known(self.level) else "未评定"


@dataclass(frozen=True)
class PlanEdits:
    sections: Mapping[str, Sequence[str]] = field(default_factory=dict)
    source_measures: Mapping[int, str] = field(default_factory=dict)
    factor_measures: Mapping[str, str] = field(default_factory=dict)


class StoredEdits(TypedDict, total=False):
    """The author's wording kept on a plan row (content["edits"], JSON): only what differs from
    the drafted wording, by section key, risk-source id (as text) and factor code."""

    sections: dict[str, list[str]]
    source_measures: dict[str, str]
    factor_measures: dict[str, str]


class EditChanges(TypedDict):
    """One save's checked edits; None: back to the drafted wording."""

    sections: dict[str, list[str] | None]
    source_measures: dict[str, str | None]
    factor_measures: dict[str, str | None]


_V = TypeVar("_V")


# -- reading -----------------------------------------------------------------------------------


def working_row(session: Session, project_id: int, kind: str) -> ServicePlan | None:
    """The plan row a document of this kind prints: the newest not superseded (draft or signed)."""
    return session.execute(select(ServicePlan).where(
        ServicePlan.project_id == project_id, ServicePlan.kind == kind,
        ServicePlan.deleted_at.is_(None), ServicePlan.status != "superseded")
        .order_by(ServicePlan.revision.desc(), ServicePlan.id.desc()).limit(1)).scalar_one_or_none()


def _edits(row: ServicePlan | None) -> StoredEdits:
    content = row.content if row is not None and isinstance(row.content, dict) else {}
    edits = content.get("edits")
    return cast(StoredEdits, edits) if isinstance(edits, dict) else {}  # written by `save`


def _interval(session: Session, level: str | None) -> int:
    intervals = risk.visit_intervals(session)
    return int(intervals.get(level or "", min(intervals.values())))


def _sources(session: Session, project_id: int, edited: Mapping[str, str], day: dt.date) -> list[SourceLine]:
    """The sources the project had at the end of `day` (the drafting day), active then, at the
    level they had then — the self-check's as-of reader, so a plan drafted in a past quarter
    does not list a source recorded after it. Today that is the register as it stands."""
    then = {sid: level for _pid, sid, level in obligations.sources_as_of(
        session, day, [project_id], levels=(1, 2, 3, 4))}
    rows = session.execute(select(RiskSource, CatalogueItem.sub_items).outerjoin(
        CatalogueItem, CatalogueItem.id == RiskSource.catalogue_item_id).where(
        RiskSource.id.in_(list(then)))).all() if then else []
    out = []
    for s, standard in sorted(rows, key=lambda r: (then[r[0].id], r[0].id)):
        default = (s.measures or "").strip() or "\n".join(
            str(x) for x in (standard or ()) if str(x).strip())
        own = edited.get(str(s.id))
        out.append(SourceLine(s.id, s.name, then[s.id], s.category, s.stage, s.location,
                              own if own is not None else default, default, own is not None))
    return out


def _dangers(session: Session, project_id: int, day: dt.date) -> list[DangerLine]:
    """The 危大 items recorded by the end of `day`, each as it stood that day: where its actual
    dates are kept they say it (not started by then: 计划 with the planned dates; ended before:
    完成; else 施工中), otherwise its recorded status. Today that is each item as recorded. `risk.danger_items_on` reads the status for
    the clock's today, which under a pinned clock is the past day itself, so it is not used here."""
    cutoff = clock.to_utc(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
    out = []
    for d in session.execute(select(DangerItem).where(
            DangerItem.project_id == project_id, DangerItem.deleted_at.is_(None),
            DangerItem.created_at < cutoff).order_by(DangerItem.id)).scalars():
        started = d.actual_start if d.actual_start is not None and d.actual_start <= day else None
        ended = d.actual_end if started is not None and d.actual_end is not None and d.actual_end <= day else None
        if d.actual_start is None:
            status = d.status
        elif started is None:
            status = "planned"
        elif ended is not None and ended < day:
            status = "done"
        else:  # started by then and not ended before it: under way, unless recorded done without an end
            status = "done" if d.status == "done" and d.actual_end is None else "in_progress"
        out.append(DangerLine(d.id, d.name, d.is_super, status, d.parameters,
                              started or d.planned_start, ended or d.planned_end))
    return out


def _overlaps(d: DangerLine, start: dt.date | None, end: dt.date | None) -> bool:
    if d.start is None or (start is None and end is None):
        return False
    d_end = d.end or d.start
    return (end is None or d.start <= end) and (start is None or d_end >= start)


def _stages(session: Session, project_id: int, sources: list[SourceLine],
            dangers: list[DangerLine]) -> tuple[StageLine, ...]:
    """Each construction stage with its sources (by the source's stage) and the 危大 items whose
    dates fall in it; what fits no stage is listed once under 未指定施工阶段."""
    stages = session.execute(select(ProjectStage).where(ProjectStage.project_id == project_id)
                             .order_by(ProjectStage.seq, ProjectStage.id)).scalars().all()
    out: list[StageLine] = []
    placed_s: set[int] = set()
    placed_d: set[int] = set()
    for st in stages:
        start, end = st.actual_start or st.planned_start, st.actual_end or st.planned_end
        mine = [s for s in sources if s.stage == st.name]
        items = [d for d in dangers if _overlaps(d, start, end)]
        placed_s.update(s.id for s in mine)
        placed_d.update(d.id for d in items)
        out.append(StageLine(st.name, start, end, tuple(mine), tuple(items)))
    rest_s = tuple(s for s in sources if s.id not in placed_s)
    rest_d = tuple(d for d in dangers if d.id not in placed_d)
    if rest_s or rest_d:
        out.append(StageLine(NO_STAGE, None, None, rest_s, rest_d))
    return tuple(out)


def _factors(session: Session, project_id: int, edited: Mapping[str, str]
             ) -> tuple[tuple[FactorLine, ...], dt.datetime | None, str]:
    row = risk.current(session, project_id)
    factors = row.factors if row is not None else risk.compute(session, project_id).factors
    out = []
    for f in factors:
        if f.code == "baseline":
            continue
        default = FACTOR_MEASURES.get(f.code, FACTOR_DEFAULT)
        own = edited.get(f.code)
        level = RiskLevel(f.level).label if RiskLevel.known(f.level) else f.level
        out.append(FactorLine(f.code, str(f.label), str(f.detail), level,
                              own if own is not None else default, default, own is not None))
    reason = row.reason if row is not None and row.is_override else ""
    return tuple(out), (row.assessed_at if row is not None else None), reason


def default_sections(kind: str, *, has_danda: bool) -> dict[str, tuple[str, ...]]:
    special = kind == "special"
    measures = MEASURE_LEVELS + ((MEASURE_DANDA if has_danda else MEASURE_NO_DANDA),)
    return {
        "items": SPECIAL_ITEMS if special else STANDARD_ITEMS,
        "measures": measures + ((MEASURE_SPECIAL,) if special else ()),
        "frequency": FREQUENCY_NOTES,
        "staffing": STAFFING + ((STAFFING_SPECIAL,) if special else ()),
        "goals": STANDARD_GOALS,
        "guarantees": STANDARD_GUARANTEES,
    }


def compose(session: Session, project_id: int, kind: str, row: ServicePlan | None) -> PlanDraft:
    """The plan's content with the edits kept on `row` (None: as drafted from the records)."""
    project = load_project(session, project_id)
    edits = _edits(row)
    day = clock.today()  # drafted now: the records as they stand at the end of this day
    sources = _sources(session, project.id, edits.get("source_measures") or {}, day)
    dangers = _dangers(session, project.id, day)
    factors, assessed_at, reason = _factors(session, project.id, edits.get("factor_measures") or {}) \
        if kind == "special" else ((), None, "")
    defaults = default_sections(kind, has_danda=bool(dangers))
    stored = edits.get("sections") or {}
    sections = {k: tuple(stored[k]) if isinstance(stored.get(k), list) else v
                for k, v in defaults.items()}
    interval = _interval(session, project.risk_level)
    revision = row.revision if row is not None else 1
    draft_row = row if row is not None and row.status == "draft" else None
    return PlanDraft(project.id, kind, draft_row.id if draft_row else None,
                     draft_row.version if draft_row else None, revision, project.risk_level,
                     assessed_at, interval, _stages(session, project.id, sources, dangers),
                     tuple(sources), tuple(dangers), factors, sections, defaults, reason)


def draft(session: Session, project_id: int, kind: str = "general") -> PlanDraft:
    """What the edit dialog shows: the current plan's content (the draft's edits, if any)."""
    _check_kind(kind)
    if kind == "special":
        check_special_level(load_project(session, project_id).risk_level)
    return compose(session, project_id, kind, working_row(session, project_id, kind))


def _check_kind(kind: str) -> None:
    if kind not in PLAN_DOC:
        raise ValidationError({"kind": msg("方案类别须为服务工作方案或专项服务方案")})


def check_special_level(level: str | None) -> None:
    if level not in ("high", "medium"):
        label = RiskLevel(level).label if level is not None and RiskLevel.known(level) \
            else "未评定风险等级"
        raise ValidationError({"kind": msg(
            "项目当前为{level}：专项服务方案适用于高风险和中风险项目，请先评定项目风险等级。",
            level=label)})


def check_signable(draft_: PlanDraft) -> None:
    """Refuse to sign a plan whose level-1/2 sources have no measures, naming them."""
    missing = draft_.missing_measures
    if missing:
        raise ValidationError({"measures": msg(
            "以下一、二级风险源未填写管控措施，不能签发：{names}。请在风险源清单或方案编辑中补充后重新生成。",
            names="、".join(missing[:10]) + ("等" if len(missing) > 10 else ""))})


# -- editing -----------------------------------------------------------------------------------


def _lines(value: Sequence[str]) -> list[str]:
    return [" ".join(str(x).split()) for x in value if str(x).strip()]


def _validate(current: PlanDraft, edits: PlanEdits) -> EditChanges:
    errors: dict[str, str] = {}
    sections: dict[str, list[str] | None] = {}  # None: back to the drafted wording
    for key, value in edits.sections.items():
        if key not in SECTIONS:
            errors[f"section.{key}"] = msg("没有名为 {key} 的方案章节", key=key)
            continue
        lines = _lines(value)
        if not lines:
            errors[f"section.{key}"] = msg("“{name}”不能为空", name=SECTIONS[key])
        elif len(lines) > MAX_LINES:
            errors[f"section.{key}"] = msg("“{name}”最多 {n} 条", name=SECTIONS[key], n=MAX_LINES)
        elif any(len(x) > MAX_LINE for x in lines):
            errors[f"section.{key}"] = msg("“{name}”每条不超过 {n} 字", name=SECTIONS[key], n=MAX_LINE)
        else:
            sections[key] = lines if tuple(lines) != current.defaults[key] else None
    by_id = {s.id: s for s in current.sources}
    measures: dict[str, str | None] = {}
    for sid, text in edits.source_measures.items():
        source = by_id.get(int(sid))
        if source is None:
            errors[f"source.{sid}"] = msg("风险源不在本项目的风险源清单中（或已停用）")
            continue
        text = "\n".join(x.strip() for x in str(text).strip().splitlines() if x.strip())
        if len(text) > MAX_MEASURES:
            errors[f"source.{sid}"] = msg("管控措施不超过 {n} 字", n=MAX_MEASURES)
        else:
            measures[str(source.id)] = text if text != source.default else None
    codes = {f.code: f for f in current.factors}
    factor_measures: dict[str, str | None] = {}
    for code, text in edits.factor_measures.items():
        factor = codes.get(code)
        if factor is None:
            errors[f"factor.{code}"] = msg("该风险因素不在本项目的风险等级评定中")
            continue
        text = " ".join(str(text).split())
        if not text:
            errors[f"factor.{code}"] = msg("“{label}”的针对性措施不能为空", label=factor.label)
        elif len(text) > MAX_LINE:
            errors[f"factor.{code}"] = msg("针对性措施不超过 {n} 字", n=MAX_LINE)
        else:
            factor_measures[code] = text if text != factor.default else None
    if errors:
        raise ValidationError(errors)
    return {"sections": sections, "source_measures": measures, "factor_measures": factor_measures}


def _merge(old: StoredEdits, changes: EditChanges) -> StoredEdits:
    """The stored edits after this save: what was not mentioned stays as it was."""
    return {"sections": _apply(old.get("sections"), changes["sections"]),
            "source_measures": _apply(old.get("source_measures"), changes["source_measures"]),
            "factor_measures": _apply(old.get("factor_measures"), changes["factor_measures"])}


def _apply(old: Mapping[str, _V] | None, given: Mapping[str, _V | None]) -> dict[str, _V]:
    kept = dict(old or {})
    for key, value in given.items():
        if value is None:
            kept.pop(key, None)
        else:
            kept[key] = value
    return kept


def save(session: Session, actor: Actor, project_id: int, kind: str, edits: PlanEdits, *,
         expected_version: int | None) -> PlanDraft:
    """Keep the author's wording on the plan's draft row (created when there is none: the first
    revision, or the next one after a signed plan); audited. Facts are not editable here."""
    permissions.require(actor, "plan.edit")
    _check_kind(kind)
    project = load_project(session, project_id)
    if kind == "special":
        check_special_level(project.risk_level)
    row = working_row(session, project.id, kind)
    editable = row if row is not None and row.status == "draft" else None
    if editable is not None and expected_version != editable.version:
        raise ConflictError(msg("服务方案已被他人修改，请重新打开后再编辑。"))
    if editable is None and expected_version is not None:
        raise ConflictError(msg("服务方案已签发或已被他人修改，请重新打开后再编辑。"))
    current = compose(session, project.id, kind, row)
    stored = _merge(_edits(row), _validate(current, edits))
    if editable is None:
        latest = session.execute(select(func.max(ServicePlan.revision)).where(
            ServicePlan.project_id == project.id, ServicePlan.kind == kind,
            ServicePlan.deleted_at.is_(None))).scalar_one()
        title = f"{project.name}{'专项服务方案' if kind == 'special' else '安全生产事故预防技术服务工作方案'}"
        base = dict(row.content) if row is not None and isinstance(row.content, dict) else {}
        editable = ServicePlan(project_id=project.id, kind=kind, revision=(latest or 0) + 1,
                               title=title[:200], status="draft", created_by_id=actor.user_id,
                               content={**base, "edits": stored})
        session.add(editable)
        audit.record_create(session, actor, editable, note="编辑服务方案")
    else:
        before = audit.snapshot(editable)
        base = dict(editable.content) if isinstance(editable.content, dict) else {}
        editable.content = {**base, "edits": stored}
        audit.record_update(session, actor, editable, before, action="edit_plan", note="编辑服务方案")
    session.flush()
    return compose(session, project.id, kind, editable)


# -- signing -----------------------------------------------------------------------------------


def settle_signed(session: Session, actor: Actor, doc: Document, old: Document | None,
                  project_id: int) -> None:
    """A plan document was signed: its plan row becomes signed (with the visit interval it
    prints) and the row it replaces superseded; a correction without edits gets a new row."""
    kind = DOC_KINDS[doc.kind]
    project = load_project(session, project_id)
    plan = working_row(session, project_id, kind)
    if plan is not None and plan.status == "signed" and (old is None or plan.document_id != old.id):
        plan = None  # a legacy row without the document: a new row records this signing
    previous = [p for p in session.execute(select(ServicePlan).where(
        ServicePlan.project_id == project_id, ServicePlan.kind == kind,
        ServicePlan.status == "signed", ServicePlan.deleted_at.is_(None))).scalars()]
    if plan is None or plan.status == "signed":
        latest = session.execute(select(func.max(ServicePlan.revision)).where(
            ServicePlan.project_id == project_id, ServicePlan.kind == kind)).scalar_one()
        plan = ServicePlan(project_id=project_id, kind=kind, revision=(latest or 0) + 1,
                           title=doc.title[:200], content=plan.content if plan is not None else None,
                           created_by_id=actor.user_id)
        session.add(plan)
        session.flush()
    for p in previous:
        if p.id != plan.id:
            before = audit.snapshot(p)
            p.status = "superseded"
            audit.record_update(session, actor, p, before, action="supersede")
    before = audit.snapshot(plan)
    plan.status, plan.document_id = "signed", doc.id
    plan.visit_interval_days = _interval(session, project.risk_level)
    audit.record_update(session, actor, plan, before, action="sign", note=f"文书 {doc.number}")


def plan_for(session: Session, doc_kind: str, scope_type: str,
             scope_id: int | None) -> tuple[int, ServicePlan | None]:
    """(project id, plan row) a plan document prints: the named row, or the project's working
    row of the document's kind (None when nothing was edited or signed yet)."""
    if scope_type == "service_plan":
        row = get_live(session, ServicePlan, scope_id, msg("服务方案不存在或已删除。"))
        return row.project_id, row
    if scope_id is None:
        raise NotFound(msg("项目不存在或已删除。"))
    project = load_project(session, scope_id)
    return project.id, working_row(session, project.id, DOC_KINDS[doc_kind])


def check_document(session: Session, doc_kind: str, scope_type: str, scope_id: int | None) -> None:
    """Before a plan document is signed: its level-1/2 sources all have measures."""
    project_id, row = plan_for(session, doc_kind, scope_type, scope_id)
    check_signable(compose(session, project_id, DOC_KINDS[doc_kind], row))
