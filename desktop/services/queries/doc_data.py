"""The mapping layer: read the database and fill the document builders' dataclasses by kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop import clock
from desktop.messages import Series
from desktop.models import (
    AgencyProfile,
    Attachment,
    AuditEntry,
    Catalogue,
    CatalogueItem,
    DangerItem,
    DestructionRequest,
    Drill,
    EmergencyPlanAssist,
    Escalation,
    ExternalReport,
    Hazard,
    HazardEvent,
    Inspection,
    Meeting,
    Organisation,
    Policy,
    Project,
    ProjectContact,
    ProjectStage,
    RiskSource,
    RiskSourceCheck,
    ServicePlan,
    TrainingAttendance,
    TrainingSession,
    User,
    inspection_inspectors,
)
from desktop.models.enums import HazardStatus, InspectionKind, ProjectType, Recipient, RiskLevel
from desktop.reports.data import (
    AgencyInfo,
    DangerItemInfo,
    DocMeta,
    HazardInfo,
    InspectionInfo,
    ProjectInfo,
    RiskSourceCheckInfo,
    StageInfo,
)
from desktop.services import letterhead, wording
from desktop.services.context import NotFound, ValidationError, get_live, msg
from desktop.services.exchange.attachments import IMAGE_MIMES, blob_path
from desktop.services.exchange.photo_capture import capture_line
from desktop.services.periods import Period, half_of
from desktop.services.periods import parse as parse_period

# The readers below import their own layouts and services (inspection record, training, drill,
# archive) when they run: the other documents, which all use this module's helpers, load none
# of them (issue 17 §8).

PERIOD_SCOPES = ("project", "insurer", "authority", "agency")
DANGER_STATUS = {"planned": "计划", "in_progress": "施工中", "done": "已完成"}


@dataclass(frozen=True)
class Kind:
    label: str
    scopes: tuple[str, ...]
    periodic: bool = False
    xlsx: bool = False  # also written as a workbook


KINDS: dict[str, Kind] = {
    "rectification_notice": Kind(msg("隐患整改通知书"), ("hazard", "inspection")),
    "stop_work": Kind(msg("停工（局部停工）建议书"), ("hazard",)),
    "hazard_report": Kind(msg("隐患报告单"), ("hazard",)),
    "closure_record": Kind(msg("复查销项单"), ("hazard",)),
    "refusal_report": Kind(msg("拒不整改（拖延整改）情况报告"), ("escalation",)),
    "inspection_record": Kind(msg("检查记录"), ("inspection",)),
    "service_plan": Kind(msg("事故预防技术服务工作方案"), ("project", "service_plan")),
    "special_plan": Kind(msg("专项服务方案"), ("project", "service_plan")),
    "training_record": Kind(msg("安全教育培训记录"), ("training",)),
    "kickoff_record": Kind(msg("服务交底会记录"), ("meeting",)),
    "drill_record": Kind(msg("应急演练记录及评估报告"), ("drill",)),
    "archive_catalogue": Kind(msg("档案目录"), ("project",)),
    "destruction_form": Kind(msg("档案销毁审批表"), ("destruction_request",)),
    "hazard_list": Kind(msg("隐患排查及问题整改清单"), PERIOD_SCOPES, periodic=True, xlsx=True),
    "safety_analysis": Kind(msg("安全生产分析报告"), PERIOD_SCOPES, periodic=True),
    "risk_assessment": Kind(msg("风险评估报告"), PERIOD_SCOPES, periodic=True),
    "self_check": Kind(msg("安责险第三方风控服务机构检查表（自查）"), PERIOD_SCOPES, periodic=True,
                       xlsx=True),
    "key_letter": Kind(msg("公钥登记函"), ("agency",)),  # services/queries/key_letter.py
    # services/queries/doc_data_prevention.py and doc_data_submissions.py
    "emergency_plan_advice": Kind(msg("应急预案编制建议书"), ("plan_assist",)),
    "fee_ledger": Kind(msg("预防费用台账"), ("project",), periodic=True, xlsx=True),
    "submission_register": Kind(msg("报送登记簿"), PERIOD_SCOPES, periodic=True),
}


@dataclass(frozen=True)
class Signer:
    """The technical lead who signs: printed where the document has a place for it."""

    name: str
    phone: str = ""
    title: str = ""
    signature_path: Path | None = None  # their signature image, when they have set one


@dataclass(frozen=True)
class Request:
    """What to render: the kind, its scope and period, and how it is marked and signed."""

    kind: str
    scope_type: str
    scope_id: int | None
    date: dt.date
    period: str = ""
    number: str = ""  # as printed
    revision: int = 1
    draft: bool = True
    prepared_by: str = ""
    signer: Signer | None = None

    @property
    def signoff(self) -> str:
        """A sign-off line for documents whose form has no signer box of its own."""
        if self.signer is None:
            return ""
        return f"技术负责人审核签发：{self.signer.name}（{self.date.year}年{self.date.month}月{self.date.day}日）"


@dataclass(frozen=True)
class Claim:
    """A report the document says was made: the records must hold it before it is signed."""

    hazard_id: int
    recipient: str
    reasons: tuple[str, ...]
    on: dt.date | None = None  # the day it says the report was made (None: any day)


@dataclass(frozen=True)
class Output:
    """The filled data of one document and the builders that write it."""

    data: Any
    title: str  # as printed on the document
    pdf: Callable[[Any, Path], Path]
    xlsx: Callable[[Any, Path], Path] | None = None
    claims: tuple[Claim, ...] = ()

    def write_pdf(self, path: Path | str) -> Path:
        return self.pdf(self.data, Path(path))

    def write_docx(self, path: Path | str) -> Path:
        """The editable Word copy: the PDF builder's own story, walked into a .docx."""
        from desktop.reports.docx_out import write_docx  # python-docx only when asked for

        return write_docx(self.pdf, self.data, Path(path))

    def write_xlsx(self, path: Path | str) -> Path:
        if self.xlsx is None:
            raise ValidationError({"format": msg("该类文书没有 Excel 格式")})
        return self.xlsx(self.data, Path(path))


# -- shared look-ups ---------------------------------------------------------------------------


def agency_info(session: Session, store_dir: Path | str | None = None) -> AgencyInfo:
    p = session.execute(select(AgencyProfile).order_by(AgencyProfile.id).limit(1)) \
        .scalar_one_or_none()
    if p is None:
        return AgencyInfo("（未填写机构信息）")
    logo = None
    if p.logo_sha256 and store_dir is not None:
        candidate = blob_path(store_dir, p.logo_sha256)
        logo = candidate if candidate.is_file() else None
    return AgencyInfo(p.name, p.short_name, p.address, p.phone, logo, p.letterhead or "",
                      letterhead.seal_path(p, store_dir))


def meta(session: Session, req: Request, title: str, store_dir: Path | str | None) -> DocMeta:
    signer = None if req.draft else req.signer
    return DocMeta(title, req.number, req.date, agency_info(session, store_dir), req.draft,
                   signed_by=signer.name if signer is not None else "",
                   signature_path=signer.signature_path if signer is not None else None,
                   wording=wording.for_kind(session, req.kind))


def org_names(session: Session, ids: Iterable[int | None]) -> dict[int | None, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(Organisation.id, Organisation.name)
                                .where(Organisation.id.in_(wanted))).all())


def latest_policy(session: Session, project_id: int) -> Policy | None:
    return session.execute(select(Policy).where(
        Policy.project_id == project_id, Policy.deleted_at.is_(None))
        .order_by(Policy.start_date.desc().nulls_last(), Policy.id.desc()).limit(1)) \
        .scalar_one_or_none()


def load(session: Session, model: type, ident: int | None, what: str) -> Any:
    return get_live(session, model, ident, msg("{what}不存在或已删除。", what=what))


def project_info(session: Session, project_id: int | None) -> ProjectInfo:
    p = load(session, Project, project_id, msg("项目"))
    policy = latest_policy(session, p.id)
    names = org_names(session, (p.contractor_id, p.supervisor_id, p.owner_id, p.authority_id,
                                policy.insurer_id if policy else None))
    stages = session.execute(select(ProjectStage).where(ProjectStage.project_id == p.id)
                             .order_by(ProjectStage.seq, ProjectStage.id)).scalars()
    dangers = session.execute(select(DangerItem).where(
        DangerItem.project_id == p.id, DangerItem.deleted_at.is_(None))
        .order_by(DangerItem.id)).scalars()
    contacts = session.execute(select(ProjectContact).where(
        ProjectContact.project_id == p.id, ProjectContact.deleted_at.is_(None))
        .order_by(ProjectContact.id)).scalars()
    return ProjectInfo(
        p.name, p.code, p.address,
        ProjectType(p.project_type).label if ProjectType.known(p.project_type)
        else p.project_type,
        names.get(policy.insurer_id, "") if policy else "", policy.policy_no if policy else "",
        policy.start_date if policy else None, policy.end_date if policy else None,
        names.get(p.contractor_id, ""), names.get(p.supervisor_id, ""), names.get(p.owner_id, ""),
        names.get(p.authority_id, ""),
        tuple(StageInfo(s.name, s.actual_start or s.planned_start, s.actual_end or s.planned_end)
              for s in stages),
        tuple(DangerItemInfo(d.name, d.is_super, DANGER_STATUS.get(d.status, d.status),
                             d.parameters) for d in dangers),
        RiskLevel(p.risk_level).label if RiskLevel.known(p.risk_level) else "",
        p.headcount_managers, p.headcount_workers,
        tuple((c.role, c.name, c.phone) for c in contacts))


def photos(session: Session, store_dir: Path | str, owner_type: str, owner_id: int,
           role: str | None = None) -> tuple[Path, ...]:
    """Image attachments as paths in the store; a missing file prints as a labelled placeholder."""
    stmt = select(Attachment.sha256, Attachment.mime).where(
        Attachment.owner_type == owner_type, Attachment.owner_id == owner_id,
        Attachment.mime.in_(sorted(IMAGE_MIMES)))
    if role is not None:
        stmt = stmt.where(Attachment.role == role)
    rows = session.execute(stmt.order_by(Attachment.id)).all()
    if any(m in ("image/heic", "image/heif") for _, m in rows):
        import pillow_heif

        pillow_heif.register_heif_opener()
    return tuple(blob_path(store_dir, sha) for sha, _ in rows)


def photo_notes(session: Session, store_dir: Path | str, owner_type: str,
                owner_id: int) -> tuple[tuple[Path, str], ...]:
    """(path, capture line) of the record's photos whose capture time or place is known."""
    rows = session.execute(select(
        Attachment.sha256, Attachment.taken_at, Attachment.taken_source, Attachment.latitude,
        Attachment.longitude).where(
        Attachment.owner_type == owner_type, Attachment.owner_id == owner_id,
        Attachment.taken_at.is_not(None) | Attachment.latitude.is_not(None)))
    return tuple((blob_path(store_dir, sha), capture_line(taken, source, lat, lon))
                 for sha, taken, source, lat, lon in rows)


def catalogue_ref(session: Session, item_id: int | None) -> str:
    if item_id is None:
        return ""
    row = session.execute(select(Catalogue.doc_no, CatalogueItem.article, CatalogueItem.code)
                          .join(CatalogueItem, CatalogueItem.catalogue_id == Catalogue.id)
                          .where(CatalogueItem.id == item_id)).first()
    if row is None:
        return ""
    doc_no, article, code = row
    seq = code.rsplit("-", 1)[-1]
    return f"{doc_no} {article}第{int(seq) if seq.isdigit() else seq}项".strip()


def hazard_info(session: Session, h: Hazard, store_dir: Path | str, *, project_name: str = "",
                with_photos: bool = True) -> HazardInfo:
    names = org_names(session, (h.responsible_unit_id, h.supervising_unit_id))
    if not project_name:
        project_name = session.get_one(Project, h.project_id).name
    before = photos(session, store_dir, "hazard", h.id, "before") if with_photos else ()
    after = photos(session, store_dir, "hazard", h.id, "after") if with_photos else ()
    return HazardInfo(
        h.number, project_name, h.location, h.description, h.category, h.level, h.is_major,
        catalogue_ref(session, h.catalogue_item_id), h.measures, h.deadline, h.contingency,
        names.get(h.responsible_unit_id, ""), h.responsible_person,
        names.get(h.supervising_unit_id, ""),
        h.found_at, h.stop_work, HazardStatus(h.status).label, before, after,
        photo_notes(session, store_dir, "hazard", h.id) if with_photos else ())


def events(session: Session, hazard_id: int, *kinds: str) -> list[HazardEvent]:
    stmt = select(HazardEvent).where(HazardEvent.hazard_id == hazard_id)
    if kinds:
        stmt = stmt.where(HazardEvent.kind.in_(kinds))
    return list(session.execute(stmt.order_by(HazardEvent.at, HazardEvent.id)).scalars())


def user_name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id is not None else None
    return user.display_name if user is not None else ""


def open_hazard(session: Session, hazard_id: int | None) -> Hazard:
    h: Hazard = load(session, Hazard, hazard_id, msg("隐患"))
    if h.status == HazardStatus.CANCELLED:
        raise ValidationError({"scope_id": msg("隐患 {number} 已撤销，不再出具文书", number=h.number)})
    return h


def issuer(req: Request) -> str:
    return req.signer.name if req.signer else ""


def characters(data: Any) -> set[str]:
    """Every character of the text a document's data holds (dataclasses, tuples, rows)."""
    seen: set[str] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            seen.update(item)
        elif is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name) for f in fields(item))
        elif isinstance(item, tuple | list | Sequence) and not isinstance(item, bytes | str):
            stack.extend(item)
        elif isinstance(item, Mapping):
            stack.extend(item.values())
    return seen


def undrawable(data: Any) -> list[str]:
    """The characters of a document's data the fonts cannot draw (they print as blanks)."""
    from desktop.reports.fonts import missing_glyphs  # ReportLab: loaded with the document

    return missing_glyphs(characters(data))


def check_glyphs(data: Any) -> None:
    """Refuse to sign a document with characters the font cannot draw (they print as blanks)."""
    from desktop.reports.fonts import missing_glyphs  # ReportLab: loaded when a document is signed

    missing = missing_glyphs(characters(data))
    if missing:
        raise ValidationError({"text": msg(
            "文书中有 {count} 个字符无法用内置字体打印（将显示为空白）：{chars}。"
            "请在相关记录中改用常用字或文字说明后重新生成，再签发。",
            count=len(missing), chars=" ".join(missing[:20]))})


def check_claims(session: Session, claims: Iterable[Claim]) -> None:
    """Refuse to sign a document that states a report the records do not hold."""
    for claim in claims:
        times = session.execute(select(ExternalReport.reported_at).where(
            ExternalReport.hazard_id == claim.hazard_id, ExternalReport.recipient == claim.recipient,
            ExternalReport.reason.in_(claim.reasons), ExternalReport.status == "done",
            ExternalReport.reported_at.is_not(None))).scalars().all()
        if not any(claim.on is None or (t is not None and t.date() == claim.on) for t in times):
            who = Recipient(claim.recipient).label \
                if Recipient.known(claim.recipient) else claim.recipient
            raise ValidationError({"claims": msg(
                "文书称已向{who}报送，但记录中没有相应的报送登记，不能签发；请先登记报送情况后重新生成。",
                who=who)})


# -- one output per kind: per hazard, escalation, inspection, project, session, drill ------------

_OUTPUTS: dict[str, Callable[[Session, Request, Path | str], Output]] = {}


OutputFn = Callable[[Session, Request, Path | str], Output]


def output(kind: str) -> Callable[[OutputFn], OutputFn]:
    def register(fn: OutputFn) -> OutputFn:
        _OUTPUTS[kind] = fn
        return fn
    return register


@output("inspection_record")
def _inspection(session: Session, req: Request, store_dir: Path | str) -> Output:
    from desktop.reports import records

    i = load(session, Inspection, req.scope_id, msg("检查记录"))
    project = project_info(session, i.project_id)
    inspectors = tuple(session.execute(select(User.display_name).join(
        inspection_inspectors, inspection_inspectors.c.user_id == User.id)
        .where(inspection_inspectors.c.inspection_id == i.id).order_by(User.id)).scalars())
    found = session.execute(select(Hazard).where(
        Hazard.inspection_id == i.id, Hazard.deleted_at.is_(None),
        Hazard.status != HazardStatus.CANCELLED.value).order_by(Hazard.number)).scalars().all()
    checks = session.execute(select(RiskSource.name, RiskSource.level, RiskSourceCheck.verified,
                                    RiskSourceCheck.note)
                             .join(RiskSource, RiskSource.id == RiskSourceCheck.risk_source_id)
                             .where(RiskSourceCheck.inspection_id == i.id)
                             .order_by(RiskSource.level, RiskSource.id)).all()
    danger = session.get(DangerItem, i.danger_item_id) if i.danger_item_id else None
    follow = ("请受检单位按隐患整改通知书要求限期整改，整改完成后经监理单位确认报我机构复查销项。" if found
              else "本次检查未发现安全隐患，请受检单位继续落实各项安全管理措施。")
    kind = InspectionKind(i.kind).label if InspectionKind.known(i.kind) else i.kind
    data = InspectionInfo(
        meta(session, req, f"{kind}记录", store_dir), project, kind, i.date, inspectors, i.summary,
        tuple(hazard_info(session, h, store_dir, project_name=project.name) for h in found),
        i.stage_name, danger.name if danger else "", i.key_procedure, i.weather,
        (i.site_confirmed_by,) if i.site_confirmed_by else (),
        tuple(RiskSourceCheckInfo(n, lv, bool(v), note or "") for n, lv, v, note in checks),
        "\n".join(x for x in (follow, req.signoff) if x), i.site_confirmed_by,
        i.site_confirmed_at.date() if i.site_confirmed_at else None,
        user_name(session, i.agency_confirmed_by_id))
    return Output(data, data.meta.title, records.build_inspection_record)


@output("training_record")
def _training(session: Session, req: Request, store_dir: Path | str) -> Output:
    from desktop.reports import training_docs
    from desktop.reports.training_docs import (
        AttendanceLine,
        CoverageLine,
        RosterLine,
        TrainingRecordData,
    )
    from desktop.services import training_people
    from desktop.services.training import split_categories

    t = load(session, TrainingSession, req.scope_id, msg("培训记录"))
    rows = session.execute(select(TrainingAttendance, Project).join(
        Project, Project.id == TrainingAttendance.project_id)
        .where(TrainingAttendance.session_id == t.id).order_by(Project.code)).all()
    lines = tuple(AttendanceLine(p.name, a.managers, a.workers, p.headcount_managers,
                                 p.headcount_workers, tuple(x.strip() for x in (a.roster or "")
                                                            .splitlines() if x.strip()))
                  for a, p in rows)
    names = {p.id: p.name for _a, p in rows}
    people = tuple(RosterLine(names.get(x.project_id, ""), x.name, x.group_label, x.unit, x.contact)
                   for x in training_people.attendees(session, t.id))
    # each project's distinct people from the start of the half-year up to this session
    half = half_of(t.date)
    upto = Period(half.label, half.start, t.date)
    counted = training_people.people_trained(session, upto, [p.id for _a, p in rows])
    coverage = tuple(CoverageLine(p.name, counted[p.id].managers, p.headcount_managers,
                                  counted[p.id].workers, p.headcount_workers) for _a, p in rows)
    data = TrainingRecordData(
        meta(session, req, "安全教育培训记录", store_dir), t.topic, t.date, lines, t.location, t.trainer,
        f"{t.duration_hours:g}", t.centralized, split_categories(t.categories), t.materials,
        photos(session, store_dir, "training", t.id), req.prepared_by, issuer(req),
        t.content, people, str(half.chinese), coverage)
    return Output(data, data.meta.title, training_docs.build_training_record)


@output("drill_record")
def _drill(session: Session, req: Request, store_dir: Path | str) -> Output:
    from desktop.reports import training_docs
    from desktop.reports.training_docs import DrillRecordData, EmergencyPlanLine
    from desktop.services.training import ASSIST_KINDS

    d = load(session, Drill, req.scope_id, msg("演练记录"))
    plans = session.execute(select(EmergencyPlanAssist).where(
        EmergencyPlanAssist.project_id == d.project_id, EmergencyPlanAssist.deleted_at.is_(None))
        .order_by(EmergencyPlanAssist.date)).scalars()
    # the evaluation as recorded: who saved it and on which day (neither while not evaluated)
    evaluator = ""
    evaluated_on: dt.date | None = None
    evaluated = session.execute(select(AuditEntry.user_id, AuditEntry.created_at).where(
        AuditEntry.entity == "drills", AuditEntry.entity_id == d.id,
        AuditEntry.action == "evaluate")
        .order_by(AuditEntry.id.desc()).limit(1)).first() if d.evaluation.strip() else None
    if evaluated is not None:
        evaluator = user_name(session, evaluated.user_id)
        evaluated_on = clock.wall_of_utc(evaluated.created_at).date() if evaluator else None
    data = DrillRecordData(
        meta(session, req, "应急演练记录及评估报告", store_dir), project_info(session, d.project_id), d.date,
        d.scenario, d.location, d.organiser, d.participants, d.observations, d.evaluation, d.rating,
        d.findings, d.improvements,
        tuple(EmergencyPlanLine(a.date, ASSIST_KINDS.get(a.kind, a.kind), a.title, a.summary)
              for a in plans),
        photos(session, store_dir, "drill", d.id), evaluator, issuer(req),
        evaluated_on=evaluated_on)
    return Output(data, data.meta.title, training_docs.build_drill_record)


@output("archive_catalogue")
def _catalogue(session: Session, req: Request, store_dir: Path | str) -> Output:
    from desktop.reports import archive_docs
    from desktop.services import archive

    if req.scope_id is None:  # check_scope refuses a project scope without an id
        raise ValueError("an archive catalogue is about one project")
    data = archive.catalogue_data(session, req.scope_id, number=req.number, date=req.date,
                                  draft=req.draft)
    # the document's own heading (签发人, logo, seal) and its signer in the 审核 box
    data = replace(data, meta=meta(session, req, data.meta.title, store_dir),
                   approved_by=issuer(req))
    return Output(data, data.meta.title, archive_docs.build_archive_catalogue)


@output("destruction_form")
def _destruction(session: Session, req: Request, store_dir: Path | str) -> Output:
    from desktop.reports import archive_docs
    from desktop.services import archive

    if req.scope_id is None:  # check_scope refuses a request scope without an id
        raise ValueError("a destruction form is about one request")
    data = archive.destruction_form_data(session, req.scope_id, number=req.number, date=req.date,
                                         draft=req.draft)
    data = replace(data, meta=meta(session, req, data.meta.title, store_dir))  # 签发人, logo, seal
    return Output(data, data.meta.title, archive_docs.build_destruction_form)


# -- validation and the dispatcher ------------------------------------------------------------

_SCOPE_MODELS: dict[str, tuple[type, str]] = {
    "hazard": (Hazard, msg("隐患")), "inspection": (Inspection, msg("检查记录")),
    "project": (Project, msg("项目")),
    "escalation": (Escalation, msg("拒不整改/拖延整改记录")), "drill": (Drill, msg("演练记录")),
    "training": (TrainingSession, msg("培训记录")), "service_plan": (ServicePlan, msg("服务方案")),
    "destruction_request": (DestructionRequest, msg("档案销毁申请")),
    "insurer": (Organisation, msg("承保机构")), "authority": (Organisation, msg("建设主管部门")),
    "meeting": (Meeting, msg("服务交底会记录")),
    "plan_assist": (EmergencyPlanAssist, msg("应急预案协助记录")),
}


def check_scope(session: Session, kind: str, scope_type: str, scope_id: int | None,
                period: str) -> None:
    """Refuse an unknown kind, a scope the kind does not take, a missing record or a bad period."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValidationError({"kind": msg("未知的文书类别：{kind}", kind=kind)})
    if scope_type not in spec.scopes:
        raise ValidationError({"scope_type": msg("{kind}的范围须为：{scopes}", kind=spec.label,
                                                 scopes=Series(spec.scopes))})
    if spec.periodic:
        try:
            parse_period(period or "")
        except ValueError as exc:
            raise ValidationError({"period": exc.args[0]}) from None
    elif period:
        raise ValidationError({"period": msg("{kind}不按期间出具", kind=spec.label)})
    if scope_type == "agency":
        return
    model, what = _SCOPE_MODELS[scope_type]
    row = load(session, model, scope_id, what)
    if model is Organisation and row.kind != scope_type:
        raise NotFound(msg("{what}不存在。", what=what))


def scope_model(scope_type: str) -> type | None:
    """The record a document of this scope type is about (None: agency-wide)."""
    found = _SCOPE_MODELS.get(scope_type)
    return found[0] if found else None


def output_for(kind: str) -> Callable[[Session, Request, Path | str], Output]:
    """The registered reader of a kind: `doc_outputs.prepare` (above this module and the two
    that register the others, doc_data_letters and doc_data_periodic) calls it."""
    return _OUTPUTS[kind]


__all__ = ["KINDS", "PERIOD_SCOPES", "Kind", "Output", "Request", "Signer", "agency_info",
           "check_scope", "hazard_info", "meta", "org_names", "output",
           "output_for", "project_info", "scope_model"]
