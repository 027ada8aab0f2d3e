"""Documents: draft → signed → superseded, the document register and the submission log (N-16)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from sqlalchemy import Select, and_, delete, event, func, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import InstanceState, Session
from sqlalchemy.sql.elements import ColumnElement

from desktop.models import (
    AgencyProfile,
    Attachment,
    Document,
    Drill,
    EmergencyPlanAssist,
    Escalation,
    ExternalReport,
    Hazard,
    Inspection,
    Meeting,
    Organisation,
    Project,
    ServicePlan,
    Submission,
    TrainingAttendance,
    TrainingSession,
    User,
)
from desktop.models.enums import DocStatus, Recipient
from desktop.services import (
    audit,
    hazards,
    letterhead,
    major_hazards,
    numbering,
    permissions,
    plans,
)
from desktop.services.context import (
    Actor,
    NotFound,
    TransitionError,
    ValidationError,
    get_live,
    msg,
    now,
)
from desktop.services.exchange import attachments
from desktop.services.periods import parse
from desktop.services.projects import check_version, insurer_of
from desktop.services.queries import doc_data

log = logging.getLogger("desktop.documents")

# Numbering: a draft is not a record, so it takes no number. Its PDF reads 编号：（签发时编号）
# under the 草稿 mark and its row holds a placeholder; the 文号 is taken from the gap-free series
# of its prefix (numbering.document_number) inside the signing transaction, so only a signed
# document has a number and a failed signing gives it back. A correction keeps the number and
# adds a revision; it supersedes the old revision only once it is signed itself.
NUMBER_PENDING = msg("（签发时编号）")
_DRAFT_PREFIX = "草稿-"
_LINKED_REASONS = {"hazard_report": ("level1_same_day", "level2_serious"),
                   "refusal_report": ("refusal", "delay")}
# plans and periodic reports carry 编制 / 审核: the compiler cannot review his own document
COMPILED_KINDS = frozenset({"service_plan", "hazard_list", "safety_analysis", "risk_assessment",
                            "self_check", "special_plan"})


@dataclass(frozen=True)
class DocumentRow:
    id: int
    kind: str
    number: str  # the 文号; a placeholder while a first draft
    revision: int
    title: str
    scope_type: str
    scope_id: int | None
    period: str
    status: str
    file_sha256: str | None
    file_size: int | None
    created_by: str
    created_at: dt.datetime | None
    signed_by: str
    signed_at: dt.datetime | None
    supersedes_id: int | None
    superseded_by_id: int | None
    note: str
    version: int
    submissions: int = 0

    @property
    def kind_label(self) -> str:
        return doc_data.KINDS[self.kind].label if self.kind in doc_data.KINDS else self.kind

    @property
    def status_label(self) -> str:
        return DocStatus(self.status).label

    @property
    def display_number(self) -> str:
        return printed_number(self.number, self.revision)


@dataclass(frozen=True)
class SubmissionRow:
    id: int
    document_id: int
    recipient: str
    recipient_org_id: int | None
    recipient_org: str
    submitted_at: dt.datetime
    channel: str
    note: str
    submitted_by: str

    @property
    def recipient_label(self) -> str:
        return Recipient(self.recipient).label


# -- a signed document never changes -----------------------------------------------------------

# columns that may be filled in once a document is signed, never replaced
_SET_ONCE = {"file_sha256", "file_size", "signed_by_id", "signed_at"}


@event.listens_for(Document, "before_update")
def _refuse_edit_of_signed(mapper: object, connection: object, target: Document) -> None:
    """Any UPDATE of a signed document raises, whoever makes it, except the two steps that
    belong to its life: becoming superseded by its correction, and facts filled in once."""
    state = sa_inspect(target)
    history = state.attrs.status.history
    before = history.deleted[0] if history.deleted else target.status
    if before == DocStatus.DRAFT:
        return
    changed = {a.key for a in state.attrs if a.history.has_changes()} - {"updated_at", "version"}
    filled = {key for key in changed & _SET_ONCE if _was_empty(state, key)}
    superseding = (before == DocStatus.SIGNED and target.status == DocStatus.SUPERSEDED
                   and _was_empty(state, "superseded_by_id"))
    allowed = filled | ({"status", "superseded_by_id"} if superseding else set())
    if changed <= allowed:
        return
    raise TransitionError(msg("文书 {number} 已签发，不能修改；如需更正，请生成更正版本。",
                               number=target.number))


def _was_empty(state: InstanceState[Document], key: str) -> bool:
    old = state.attrs[key].history.deleted
    return not old or old[0] is None


@event.listens_for(Document, "before_delete")
def _refuse_delete_of_signed(mapper: object, connection: object, target: Document) -> None:
    if target.status != DocStatus.DRAFT:
        raise TransitionError(msg("文书 {number} 已签发，不能删除。", number=target.number))


# -- rows ----------------------------------------------------------------------------------------


def _rows(session: Session, docs: list[Document]) -> list[DocumentRow]:
    users = {d.created_by_id for d in docs} | {d.signed_by_id for d in docs}
    names: dict[int | None, str] = dict(session.execute(select(User.id, User.display_name).where(
        User.id.in_({u for u in users if u is not None}))).all()) if users else {}
    counts = dict(session.execute(select(Submission.document_id, func.count()).where(
        Submission.document_id.in_([d.id for d in docs]), Submission.deleted_at.is_(None))
        .group_by(Submission.document_id)).all()) if docs else {}
    return [DocumentRow(d.id, d.kind, d.number, d.revision, d.title, d.scope_type, d.scope_id,
                        d.period, d.status, d.file_sha256, d.file_size,
                        names.get(d.created_by_id, ""), d.created_at, names.get(d.signed_by_id, ""),
                        d.signed_at, d.supersedes_id, d.superseded_by_id, d.note, d.version,
                        counts.get(d.id, 0)) for d in docs]


def _load(session: Session, document_id: int) -> Document:
    return get_live(session, Document, document_id, msg("文书不存在或已删除。"))


def get(session: Session, document_id: int) -> DocumentRow:
    return _rows(session, [_load(session, document_id)])[0]


def printed_number(number: str, revision: int) -> str:
    """The number as printed: pending for a first draft, with the revision after a correction."""
    if number.startswith(_DRAFT_PREFIX):
        return NUMBER_PENDING
    return msg("{number}（第{revision}版）", number=number, revision=revision) if revision > 1 \
        else number


def _printed(doc: Document) -> str:
    return printed_number(doc.number, doc.revision)


# -- rendering and storing ----------------------------------------------------------------------


def _scope_label(session: Session, doc: Document) -> str:
    kind = doc_data.KINDS[doc.kind]
    if kind.periodic:
        from desktop.services.queries.doc_data_periodic import scope_of

        return scope_of(session, doc.scope_type, doc.scope_id).label
    if doc.scope_type == "agency":
        return doc_data.agency_info(session).name
    if doc.scope_type == "hazard":
        return session.get_one(Hazard, doc.scope_id).number
    if doc.scope_type == "escalation":
        return session.get_one(Hazard, session.get_one(Escalation, doc.scope_id).hazard_id).number
    if doc.scope_type in ("project", "inspection", "drill", "service_plan", "meeting",
                          "plan_assist"):
        return session.get_one(Project, _project_of(session, doc)).name
    if doc.scope_type == "training":
        return session.get_one(TrainingSession, doc.scope_id).topic
    return f"第 {doc.scope_id} 号申请"


_AboutProject = Hazard | Inspection | Drill | ServicePlan | Meeting | EmergencyPlanAssist


def _project_of(session: Session, doc: Document) -> int | None:
    """The project a document is about, when it is about one project."""
    model: dict[str, type[_AboutProject]] = {
        "hazard": Hazard, "inspection": Inspection, "drill": Drill, "service_plan": ServicePlan,
        "meeting": Meeting, "plan_assist": EmergencyPlanAssist}
    if doc.scope_type == "project":
        return doc.scope_id
    if doc.scope_type == "escalation":
        return session.get_one(Hazard, session.get_one(Escalation, doc.scope_id).hazard_id).project_id
    if doc.scope_type in model:
        # mypy solves get_one's entity type over a union of classes to their base: cast back
        row = cast(_AboutProject, session.get_one(model[doc.scope_type], doc.scope_id))
        return row.project_id
    return None


def _store(session: Session, actor: Actor, doc: Document, output: doc_data.Output, *, suffix: str,
           store_dir: Path | str, work_dir: Path | str,
           finish: Callable[[Path], None] | None = None) -> attachments.AttachmentRow:
    """Write the file, let `finish` complete it in place (the PDF signature), then keep it."""
    folder = Path(work_dir)
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f"riskdesk-{uuid.uuid4().hex}{suffix}"
    try:
        (output.write_pdf if suffix == ".pdf" else output.write_xlsx)(temp)
        if finish is not None:
            finish(temp)
        name = f"{_printed(doc)} {doc.title[:80]}{suffix}"
        return attachments.store_file(session, actor, store_dir=store_dir, path=temp,
                                      original_name=name, owner_type="document", owner_id=doc.id,
                                      role="document")
    finally:
        temp.unlink(missing_ok=True)


def _drop_files(session: Session, actor: Actor, doc: Document, store_dir: Path | str) -> None:
    """Remove a draft's stored files; their bytes go once the transaction has committed."""
    rows = session.execute(select(Attachment).where(
        Attachment.owner_type == "document", Attachment.owner_id == doc.id)).scalars().all()
    if not rows:
        return
    for row in rows:
        audit.record(session, actor, action="delete", entity="attachments", entity_id=row.id,
                     before=audit.snapshot(row), note="文书草稿文件被替换")
    session.execute(delete(Attachment).where(Attachment.id.in_([r.id for r in rows])))
    shas = {r.sha256 for r in rows}
    engine = session.get_bind().engine  # a session bound to a connection has one too
    event.listen(session, "after_commit", lambda _s: _remove_unused(engine, store_dir, shas),
                 once=True)


def _remove_unused(engine: Engine, store_dir: Path | str, shas: set[str]) -> None:
    """Delete blobs no row refers to any more (after commit: a rollback keeps them)."""
    with engine.connect() as conn:
        used: set[str | None] = set(conn.execute(select(Attachment.sha256).where(
            Attachment.sha256.in_(shas))).scalars())
        used |= set(conn.execute(select(Document.file_sha256).where(
            Document.file_sha256.in_(shas))).scalars())
    for sha in shas - used:
        try:
            attachments.blob_path(store_dir, sha).unlink(missing_ok=True)
        except OSError as exc:  # left behind: `riskdesk check` lists it as unregistered
            log.warning("could not remove replaced draft file %s: %s", sha, exc)


def _render(session: Session, actor: Actor, doc: Document, *, store_dir: Path | str,
            work_dir: Path | str, signer: doc_data.Signer | None, day: dt.date,
            finish: Callable[[Path], None] | None = None) -> doc_data.Output:
    creator = session.get(User, doc.created_by_id) if doc.created_by_id else None
    req = doc_data.Request(doc.kind, doc.scope_type, doc.scope_id, day, doc.period, _printed(doc),
                           doc.revision, signer is None, creator.display_name if creator else "",
                           signer)
    # the document builders (reports, periodic queries) load on the first document made: the
    # lists of documents, which the main window's pages show at start, do without them
    from desktop.services.queries import doc_outputs

    output = doc_outputs.prepare(session, req, store_dir=store_dir)
    if doc.supersedes_id is None:
        doc.title = f"{output.title}（{_scope_label(session, doc)}）"[:200]
    _drop_files(session, actor, doc, store_dir)
    stored = _store(session, actor, doc, output, suffix=".pdf", store_dir=store_dir,
                    work_dir=work_dir, finish=finish)
    doc.file_sha256, doc.file_size = stored.sha256, stored.size
    return output


# -- the lifecycle ------------------------------------------------------------------------------


def _same_scope(kind: str, scope_type: str, scope_id: int | None,
                period: str) -> ColumnElement[bool]:
    return and_(Document.kind == kind, Document.scope_type == scope_type, Document.period == period,
                Document.scope_id.is_(None) if scope_id is None else Document.scope_id == scope_id,
                Document.deleted_at.is_(None))


def generate_draft(session: Session, actor: Actor, *, kind: str, scope_type: str,
                   scope_id: int | None, period: str = "", store_dir: Path | str,
                   work_dir: Path | str) -> DocumentRow:
    """Build the document from the data with the 草稿 mark and keep it; a second draft for the
    same scope replaces the first. Refused when a signed one exists: that needs a correction."""
    permissions.require(actor, "document.draft")
    spec = doc_data.KINDS.get(kind)
    if spec is not None and spec.periodic and period:
        try:
            period = parse(period).label
        except ValueError as exc:
            raise ValidationError({"period": exc.args[0]}) from None
    scope_id = None if scope_type == "agency" else scope_id
    doc_data.check_scope(session, kind, scope_type, scope_id, period)
    spec = doc_data.KINDS[kind]
    same = _same_scope(kind, scope_type, scope_id, period)
    signed = session.execute(select(Document).where(same, Document.status == DocStatus.SIGNED)
                             .limit(1)).scalar_one_or_none()
    if signed is not None:
        raise TransitionError(msg("{kind}已签发（{number}），如需修改请生成更正版本。",
                                  kind=spec.label, number=_printed(signed)))
    doc = session.execute(select(Document).where(same, Document.status == DocStatus.DRAFT,
                                                 Document.supersedes_id.is_(None))
                          .order_by(Document.id).limit(1)).scalar_one_or_none()
    before = audit.snapshot(doc) if doc is not None else None
    if doc is None:
        doc = Document(kind=kind, number=_DRAFT_PREFIX + uuid.uuid4().hex[:20], revision=1,
                       title=spec.label, scope_type=scope_type, scope_id=scope_id,
                       period=period, status=DocStatus.DRAFT.value, created_by_id=actor.user_id)
        session.add(doc)
        session.flush()
    else:
        doc.created_by_id = actor.user_id
    _render(session, actor, doc, store_dir=store_dir, work_dir=work_dir, signer=None,
            day=now().date())
    if before is None:
        audit.record_create(session, actor, doc, note="生成草稿")
    else:
        audit.record_update(session, actor, doc, before, action="redraft", note="重新生成草稿")
    return get(session, doc.id)


def correct(session: Session, actor: Actor, document_id: int, *, reason: str, store_dir: Path | str,
            work_dir: Path | str) -> DocumentRow:
    """A draft of the next revision of a signed document, from the data as it is now; the
    signed revision stays in force (and on file) until the correction is signed."""
    permissions.require(actor, "document.draft")
    old = _load(session, document_id)
    if old.status != DocStatus.SIGNED:
        raise TransitionError(msg("只能更正已签发且未被替代的文书。"))
    if not reason.strip():
        raise ValidationError({"reason": msg("请填写更正原因")})
    doc = session.execute(select(Document).where(
        Document.supersedes_id == old.id, Document.status == DocStatus.DRAFT,
        Document.deleted_at.is_(None))).scalar_one_or_none()
    before = audit.snapshot(doc) if doc is not None else None
    if doc is None:
        doc = Document(kind=old.kind, number=old.number, revision=old.revision + 1,
                       title=old.title, scope_type=old.scope_type, scope_id=old.scope_id,
                       period=old.period, status=DocStatus.DRAFT.value, supersedes_id=old.id,
                       created_by_id=actor.user_id)
        session.add(doc)
        session.flush()
    doc.note, doc.created_by_id = reason.strip(), actor.user_id
    _render(session, actor, doc, store_dir=store_dir, work_dir=work_dir, signer=None,
            day=now().date())
    if before is None:
        audit.record_create(session, actor, doc, note=f"更正 {old.number}：{reason.strip()}")
    else:
        audit.record_update(session, actor, doc, before, action="redraft", note=reason.strip())
    return get(session, doc.id)


def sign(session: Session, actor: Actor, document_id: int, *, expected_version: int,
         store_dir: Path | str, work_dir: Path | str,
         key_dir: Path | str | None = None) -> DocumentRow:
    """签发 by a technical lead: the final PDF (no 草稿 mark; the signer's name and date), its
    SHA-256, the number fixed; from then on the document cannot change.

    `key_dir` (the data folder holding the agency's signing key): the PDF also carries the
    agency's PAdES signature, made before its hash is taken (services/pdf_signing.py)."""
    permissions.require(actor, "document.sign")
    doc = _load(session, document_id)
    check_version(doc, expected_version, msg("文书"))
    if doc.status != DocStatus.DRAFT:
        raise TransitionError(msg("文书 {number} {status}，不能再次签发或修改。",
                                   number=_printed(doc), status=DocStatus(doc.status)))
    if doc.kind in COMPILED_KINDS and doc.created_by_id is not None \
            and doc.created_by_id == actor.user_id:
        raise TransitionError(msg("{kind}的编制人与审核人不能为同一人：请由其他人员生成草稿，"
                                  "或由另一位技术负责人审核签发。",
                                  kind=doc_data.KINDS[doc.kind].label))
    user = session.get(User, actor.user_id) if actor.user_id else None
    signer = doc_data.Signer(user.display_name if user else actor.display_name or actor.username,
                             user.phone if user else "", user.title if user else "",
                             letterhead.signature_path(session, store_dir, actor.user_id))
    before = audit.snapshot(doc)
    moment = now()
    finish = None if key_dir is None else _pdf_signature(session, key_dir)
    if doc.number.startswith(_DRAFT_PREFIX):
        doc.number = numbering.document_number(session, doc.kind, moment.year)
    output = _render(session, actor, doc, store_dir=store_dir, work_dir=work_dir, signer=signer,
                     day=moment.date(), finish=finish)
    doc_data.check_claims(session, output.claims)
    doc_data.check_glyphs(output.data)
    if doc.kind in plans.DOC_KINDS:
        plans.check_document(session, doc.kind, doc.scope_type, doc.scope_id)
    doc.status, doc.signed_by_id, doc.signed_at = DocStatus.SIGNED.value, actor.user_id, moment
    if output.xlsx is not None:
        _store(session, actor, doc, output, suffix=".xlsx", store_dir=store_dir, work_dir=work_dir)
    old = session.get(Document, doc.supersedes_id) if doc.supersedes_id else None
    if old is not None:
        old_before = audit.snapshot(old)
        old.status, old.superseded_by_id = DocStatus.SUPERSEDED.value, doc.id
        audit.record_update(session, actor, old, old_before, action="supersede",
                            note=f"被第{doc.revision}版替代")
    _after_signing(session, actor, doc, old)
    audit.record_update(session, actor, doc, before, action="sign")
    return get(session, doc.id)


def _pdf_signature(session: Session, key_dir: Path | str) -> Callable[[Path], None] | None:
    """What completes a signed PDF: the agency's PAdES signature (refused early, before a
    number is taken, when the registered key's file is missing or another key). An agency
    that has no signing key yet (set up at `init` and in the first-run wizard) signs without."""
    profile = session.execute(select(AgencyProfile).order_by(AgencyProfile.id).limit(1)) \
        .scalar_one_or_none()
    if profile is None or not profile.signing_public_key:
        log.warning("no agency signing key registered: document signed without a PDF signature")
        return None
    from desktop.services import pdf_signing  # cryptography's x509 loads on the first signature

    creds = pdf_signing.credentials(key_dir, profile.name,
                                    expected_public=profile.signing_public_key)

    def finish(path: Path) -> None:
        pdf_signing.sign_pdf(path, creds, reason=msg("技术负责人签发"),
                             location=profile.address or "")
    return finish


def _after_signing(session: Session, actor: Actor, doc: Document, old: Document | None) -> None:
    """What a signed document settles elsewhere: the service plan, the escalation it reports."""
    if doc.kind == "refusal_report":
        esc = session.get_one(Escalation, doc.scope_id)
        before = audit.snapshot(esc)
        esc.document_id = doc.id
        audit.record_update(session, actor, esc, before, action="document")
    if doc.kind in plans.DOC_KINDS:
        project_id, _ = plans.plan_for(session, doc.kind, doc.scope_type, doc.scope_id)
        plans.settle_signed(session, actor, doc, old, project_id)


def discard_draft(session: Session, actor: Actor, document_id: int, *, expected_version: int,
                  store_dir: Path | str) -> None:
    """Throw a draft away (a signed document cannot be)."""
    permissions.require(actor, "document.draft")
    doc = _load(session, document_id)
    check_version(doc, expected_version, msg("文书"))
    if doc.status != DocStatus.DRAFT:
        raise TransitionError(msg("文书 {number} 已签发，不能删除。", number=_printed(doc)))
    _drop_files(session, actor, doc, store_dir)
    audit.record(session, actor, action="delete", entity="documents", entity_id=doc.id,
                 before=audit.snapshot(doc), note="删除草稿")
    session.delete(doc)


# -- submissions (N-16) -------------------------------------------------------------------------


def _default_org(session: Session, doc: Document, recipient: str) -> int | None:
    if doc.scope_type == recipient:
        return doc.scope_id
    project_id = _project_of(session, doc) if not doc_data.KINDS[doc.kind].periodic or \
        doc.scope_type == "project" else None
    if project_id is None:
        return None
    project = session.get_one(Project, project_id)
    return {"insurer": insurer_of(session, project_id), "authority": project.authority_id,
            "owner": project.owner_id}.get(recipient)


def record_submission(session: Session, actor: Actor, document_id: int, *, recipient: str,
                      recipient_org_id: int | None = None, submitted_at: dt.datetime | None = None,
                      channel: str, note: str = "") -> SubmissionRow:
    """Log that a signed document went to the insurer, the authority or the owner. Submitting a
    hazard report (or refusal report) also settles the hazard's owed report to that party."""
    permissions.require(actor, "document.submit")
    doc = _load(session, document_id)
    if doc.status == DocStatus.SUPERSEDED:
        raise TransitionError(msg("文书 {number} 已被更正版本替代，请报送最新版本。",
                                   number=_printed(doc)))
    if doc.status != DocStatus.SIGNED:
        raise TransitionError(msg("文书签发后才能登记报送。"))
    errors: dict[str, str] = {}
    if not Recipient.known(recipient):
        errors["recipient"] = msg("报送对象须为承保机构、建设主管部门或建设单位")
    if not channel.strip():
        errors["channel"] = msg("请填写报送方式（系统、邮件、书面、传真等）")
    moment = (submitted_at or now()).replace(microsecond=0)
    if moment > now() + dt.timedelta(minutes=5):
        errors["submitted_at"] = msg("报送时间不能晚于当前时间")
    elif doc.signed_at is not None and moment.date() < doc.signed_at.date():
        errors["submitted_at"] = msg("报送时间不能早于签发日期")
    if recipient_org_id is not None:
        org = session.get(Organisation, recipient_org_id)
        if org is None or org.kind != recipient:
            errors["recipient_org_id"] = msg("所选报送单位不存在或类型不符")
    if errors:
        raise ValidationError(errors)
    org_id = recipient_org_id if recipient_org_id is not None else \
        _default_org(session, doc, recipient)
    sub = Submission(document_id=doc.id, recipient=recipient, recipient_org_id=org_id,
                     submitted_at=moment, channel=channel.strip(), note=note.strip(),
                     submitted_by_id=actor.user_id)
    session.add(sub)
    audit.record_create(session, actor, sub)
    _settle_report(session, actor, doc, recipient, moment, channel.strip(), note.strip())
    return submissions(session, doc.id, only=sub.id)[0]


def _settle_report(session: Session, actor: Actor, doc: Document, recipient: str,
                   moment: dt.datetime, channel: str, note: str) -> None:
    reasons = _LINKED_REASONS.get(doc.kind)
    if reasons is None:
        return
    hazard_id = doc.scope_id if doc.scope_type == "hazard" else \
        session.get_one(Escalation, doc.scope_id).hazard_id
    for report in session.execute(select(ExternalReport).where(
            ExternalReport.hazard_id == hazard_id, ExternalReport.recipient == recipient,
            ExternalReport.reason.in_(reasons)).order_by(ExternalReport.id)).scalars():
        if report.status == "pending":
            hazards.record_report(session, actor, report.id, channel=channel, reported_at=moment,
                                  document_id=doc.id, note=note or f"报送文书 {doc.number}")
        elif report.status == "done" and report.document_id is None:
            before = audit.snapshot(report)
            report.document_id = doc.id
            audit.record_update(session, actor, report, before, action="document")


def submissions(session: Session, document_id: int, *,
                only: int | None = None) -> list[SubmissionRow]:
    stmt = (select(Submission, func.coalesce(Organisation.name, ""),
                   func.coalesce(User.display_name, ""))
            .outerjoin(Organisation, Organisation.id == Submission.recipient_org_id)
            .outerjoin(User, User.id == Submission.submitted_by_id)
            .where(Submission.document_id == document_id, Submission.deleted_at.is_(None)))
    if only is not None:
        stmt = stmt.where(Submission.id == only)
    rows = session.execute(stmt.order_by(Submission.submitted_at, Submission.id)).all()
    return [SubmissionRow(s.id, s.document_id, s.recipient, s.recipient_org_id, org,
                          s.submitted_at, s.channel, s.note, who) for s, org, who in rows]


# -- the register -------------------------------------------------------------------------------


def register(session: Session, *, kind: str | None = None, status: str | None = None,
             scope_type: str | None = None, scope_id: int | None = None, period: str | None = None,
             project_id: int | None = None, text: str = "", include_superseded: bool = True,
             limit: int = 500) -> list[DocumentRow]:
    """The documents, newest first; `project_id` finds those about the project or anything on it."""
    stmt = select(Document).where(Document.deleted_at.is_(None))
    for column, value in ((Document.kind, kind), (Document.status, status),
                          (Document.scope_type, scope_type), (Document.scope_id, scope_id),
                          (Document.period, period)):
        if value is not None:
            stmt = stmt.where(column == value)
    if not include_superseded:
        stmt = stmt.where(Document.status != DocStatus.SUPERSEDED)
    if text.strip():
        words = text.strip()
        stmt = stmt.where(or_(Document.number.contains(words), Document.title.contains(words)))
    if project_id is not None:
        def about(kind_: str, ids: Select[int]) -> ColumnElement[bool]:
            return and_(Document.scope_type == kind_, Document.scope_id.in_(ids))
        stmt = stmt.where(or_(
            and_(Document.scope_type == "project", Document.scope_id == project_id),
            about("hazard", select(Hazard.id).where(Hazard.project_id == project_id)),
            about("inspection", select(Inspection.id).where(Inspection.project_id == project_id)),
            about("escalation", select(Escalation.id).join(
                Hazard, Hazard.id == Escalation.hazard_id).where(Hazard.project_id == project_id)),
            about("drill", select(Drill.id).where(Drill.project_id == project_id)),
            about("service_plan", select(ServicePlan.id).where(
                ServicePlan.project_id == project_id)),
            about("training", select(TrainingAttendance.session_id).where(
                TrainingAttendance.project_id == project_id)),
            about("meeting", select(Meeting.id).where(Meeting.project_id == project_id))))
    docs = list(session.execute(stmt.order_by(Document.created_at.desc(), Document.id.desc())
                                .limit(limit)).scalars())
    return _rows(session, docs)


def file_path(store_dir: Path | str, row: DocumentRow) -> Path:
    """The stored PDF of a document, for preview and printing."""
    if not row.file_sha256:
        raise NotFound(msg("该文书没有已生成的文件。"))
    return attachments.open_path(store_dir, row.file_sha256)


def files(session: Session, document_id: int) -> list[attachments.AttachmentRow]:
    """Every stored file of a document: the PDF and, for registers, the workbook."""
    return attachments.list_for(session, "document", document_id)


def draft_stop_work_letters(session: Session, actor: Actor, hazard_ids: list[int], *,
                            store_dir: Path | str, work_dir: Path | str) -> list[int]:
    """Draft the stop-work suggestion of each level-1 hazard that has none yet (offered right
    after hazards are registered); returns the drafted documents' ids."""
    drafted = []
    for hazard_id in hazard_ids:
        level = session.execute(select(Hazard.level).where(Hazard.id == hazard_id)).scalar_one_or_none()
        if level == 1 and not major_hazards.letter_drafted(session, hazard_id):
            drafted.append(generate_draft(
                session, actor, kind=major_hazards.LETTER_KIND, scope_type="hazard",
                scope_id=hazard_id, store_dir=store_dir, work_dir=work_dir).id)
    return drafted


# -- the editable Word copy ----------------------------------------------------------------------

def docx_copy(session: Session, actor: Actor, document_id: int, *, store_dir: Path | str,
              target: Path | str) -> Path:
    """Write a document as .docx to `target` for a reader who must edit it (insurers and
    authorities often ask). A draft's copy is marked 工作稿; a signed one carries its number,
    its signer and signing date and says that the signed PDF prevails. The copy is built from
    the records as they are now, like the document's own rendering, and nothing is stored."""
    permissions.require(actor, "export")
    doc = _load(session, document_id)
    if Path(target).suffix.lower() != ".docx":
        raise ValidationError({"target": msg("Word 副本的文件名须以 .docx 结尾")})
    creator = session.get(User, doc.created_by_id) if doc.created_by_id else None
    signer = None
    day = now().date()
    if doc.status != DocStatus.DRAFT:
        user = session.get(User, doc.signed_by_id) if doc.signed_by_id else None
        signer = doc_data.Signer(user.display_name if user else "", user.phone if user else "",
                                 user.title if user else "")
        day = doc.signed_at.date() if doc.signed_at is not None else day
    req = doc_data.Request(doc.kind, doc.scope_type, doc.scope_id, day, doc.period, _printed(doc),
                           doc.revision, signer is None, creator.display_name if creator else "",
                           signer)
    from desktop.services.queries import (
        doc_outputs,  # the document readers and builders, on first use
    )

    written = doc_outputs.prepare(session, req, store_dir=store_dir).write_docx(target)
    audit.record(session, actor, action="export", entity="documents", entity_id=doc.id,
                 note=msg("导出 Word 副本（{status}）", status=DocStatus(doc.status).label))
    return written
