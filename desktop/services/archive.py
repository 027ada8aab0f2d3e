"""The archive ledger (N-15): items, retention, reminders and the insurer-approved destruction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import ArchiveItem, Attachment, DestructionRequest, Organisation, Project, User
from desktop.models.enums import ArchiveStatus as A
from desktop.services import agency, audit, permissions, retention, rules
from desktop.services.context import Actor, TransitionError, ValidationError, get_live, msg, now
from desktop.services.projects import check_version, insurer_of
from desktop.services.projects import load as load_project
from desktop.services.retention import retention_until

if TYPE_CHECKING:  # the report dataclasses load ReportLab: imported where PDFs are made
    from desktop.reports.archive_docs import CatalogueData, DestructionFormData
    from desktop.reports.data import DocMeta

MEDIA = {"paper": msg("纸质"), "electronic": msg("电子")}
REQUEST_LABELS = {"requested": msg("待承保机构审批"), "approved": msg("已批准"),
                  "rejected": msg("已驳回"), "done": msg("已销毁")}


@dataclass(frozen=True)
class ArchiveForm:
    project_id: int
    title: str
    medium: str = "paper"
    doc_type: str = ""
    pages: int | None = None
    box: str = ""
    shelf: str = ""
    filed_by_id: int | None = None  # None: the acting user
    filed_at: dt.date | None = None  # None: today
    document_id: int | None = None
    note: str = ""


@dataclass(frozen=True)
class ArchiveRow:
    id: int
    project_id: int
    project_name: str
    title: str
    medium: str
    doc_type: str
    pages: int | None
    box: str
    shelf: str
    filed_by: str
    filed_at: dt.date
    retention_until: dt.date | None
    status: str
    destruction_request_id: int | None
    note: str
    version: int

    @property
    def status_label(self) -> str:
        return A(self.status).label

    @property
    def medium_label(self) -> str:
        return MEDIA.get(self.medium, self.medium)

    def days_left(self, today: dt.date) -> int | None:
        return None if self.retention_until is None else (self.retention_until - today).days


@dataclass(frozen=True)
class RequestRow:
    id: int
    insurer_id: int | None
    insurer_name: str
    status: str
    reason: str
    requested_at: dt.datetime
    requested_by: str
    approved_by_name: str
    approved_at: dt.datetime | None
    approval_ref: str
    approval_attachment_id: int | None
    destroyed_at: dt.datetime | None
    item_ids: tuple[int, ...]
    version: int

    @property
    def status_label(self) -> str:
        return REQUEST_LABELS.get(self.status, self.status)


# -- retention ---------------------------------------------------------------------------


def retention_years(session: Session) -> int:
    return retention.effective_years(rules.get(session, "archive.retention_years"))


def refresh_retention(session: Session, project_id: int) -> int:
    """Recompute retention_until of the project's items (see retention.refresh_project)."""
    return retention.refresh_project(session, load_project(session, project_id),
                                     rules.get(session, "archive.retention_years"))


def refresh_all(session: Session) -> int:
    """Recompute every project's items (after the retention rule was lengthened)."""
    return retention.refresh_all(session, rules.get(session, "archive.retention_years"))


# -- the ledger --------------------------------------------------------------------------


def _user_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    stmt = select(User.id, User.display_name).where(User.id.in_(wanted))
    return dict(session.execute(stmt).all())


def _rows(session: Session, items: list[ArchiveItem]) -> list[ArchiveRow]:
    names = _user_names(session, {i.filed_by_id for i in items})
    projects = dict(session.execute(select(Project.id, Project.name).where(
        Project.id.in_({i.project_id for i in items}))).all()) if items else {}
    return [ArchiveRow(i.id, i.project_id, projects.get(i.project_id, ""), i.title, i.medium,
                       i.doc_type, i.pages, i.box, i.shelf, names.get(i.filed_by_id or 0, ""),
                       i.filed_at, i.retention_until, i.status, i.destruction_request_id, i.note,
                       i.version) for i in items]


def _load(session: Session, item_id: int) -> ArchiveItem:
    return get_live(session, ArchiveItem, item_id, msg("档案条目不存在或已删除。"))


def _validate(session: Session, actor: Actor, form: ArchiveForm) -> dict[str, Any]:
    errors: dict[str, str] = {}
    title = " ".join(form.title.split())
    if not title:
        errors["title"] = msg("请填写档案题名")
    elif len(title) > 200:
        errors["title"] = msg("档案题名不超过 200 字")
    if form.medium not in MEDIA:
        errors["medium"] = msg("载体须为纸质或电子")
    if form.pages is not None and not (isinstance(form.pages, int) and 0 < form.pages <= 100_000):
        errors["pages"] = msg("页数须为正整数")
    for key, label in (("doc_type", msg("档案类别")), ("box", msg("盒号")),
                       ("shelf", msg("存放位置"))):
        if len(getattr(form, key)) > 50:
            errors[key] = msg("{label}不超过 50 字", label=label)
    if form.medium == "paper" and not (form.box.strip() or form.shelf.strip()):
        errors["shelf"] = msg("纸质档案须填写盒号或存放位置")
    filed_at = form.filed_at or now().date()
    if filed_at > now().date():
        errors["filed_at"] = msg("归档日期不能晚于今天")
    filed_by = form.filed_by_id if form.filed_by_id is not None else actor.user_id
    if filed_by is not None and session.get(User, filed_by) is None:
        errors["filed_by_id"] = msg("归档人不存在")
    if errors:
        raise ValidationError(errors)
    return {"project_id": form.project_id, "title": title, "medium": form.medium,
            "doc_type": form.doc_type.strip(), "pages": form.pages, "box": form.box.strip(),
            "shelf": form.shelf.strip(), "filed_by_id": filed_by, "filed_at": filed_at,
            "document_id": form.document_id, "note": form.note.strip()}


def add_item(session: Session, actor: Actor, form: ArchiveForm) -> ArchiveRow:
    permissions.require(actor, "archive.edit")
    project = load_project(session, form.project_id)
    values = _validate(session, actor, form)
    until = retention_until(project.completion_date, retention_years(session))
    item = ArchiveItem(**values, status=A.ACTIVE, retention_until=until)
    session.add(item)
    audit.record_create(session, actor, item)
    return _rows(session, [item])[0]


def update_item(session: Session, actor: Actor, item_id: int, form: ArchiveForm, *,
                expected_version: int) -> ArchiveRow:
    """Correct an item's description or location; not once it is in a destruction request."""
    permissions.require(actor, "archive.edit")
    item = _load(session, item_id)
    check_version(item, expected_version, msg("档案条目"))
    if item.status != A.ACTIVE:
        raise TransitionError(msg("档案“{title}”状态为“{status}”，不能修改。", title=item.title,
                                  status=A(item.status).label))
    project = load_project(session, form.project_id)
    values = _validate(session, actor, form)
    before = audit.snapshot(item)
    for key, value in values.items():
        setattr(item, key, value)
    item.retention_until = retention_until(project.completion_date, retention_years(session))
    audit.record_update(session, actor, item, before)
    return _rows(session, [item])[0]


def get(session: Session, item_id: int) -> ArchiveRow:
    return _rows(session, [_load(session, item_id)])[0]


def list_items(session: Session, *, project_id: int | None = None,
               statuses: tuple[str, ...] = ()) -> list[ArchiveRow]:
    stmt = select(ArchiveItem).where(ArchiveItem.deleted_at.is_(None))
    if project_id is not None:
        stmt = stmt.where(ArchiveItem.project_id == project_id)
    if statuses:
        stmt = stmt.where(ArchiveItem.status.in_(statuses))
    return _rows(session, list(session.execute(
        stmt.order_by(ArchiveItem.project_id, ArchiveItem.filed_at, ArchiveItem.id)).scalars()))


def due_items(session: Session, *, today: dt.date | None = None,
              within_days: int = 90) -> list[ArchiveRow]:
    """Items in the archive whose retention ends within `within_days` or has already ended."""
    today = today or now().date()
    limit = today + dt.timedelta(days=within_days)
    return _rows(session, list(session.execute(select(ArchiveItem).where(
        ArchiveItem.status == A.ACTIVE, ArchiveItem.retention_until.is_not(None),
        ArchiveItem.retention_until <= limit, ArchiveItem.deleted_at.is_(None))
        .order_by(ArchiveItem.retention_until, ArchiveItem.id)).scalars()))


# -- destruction: request → insurer's approval → destruction ------------------------------


def _request_row(session: Session, r: DestructionRequest) -> RequestRow:
    insurer = session.get(Organisation, r.insurer_id) if r.insurer_id else None
    names = _user_names(session, {r.requested_by_id})
    items = tuple(session.execute(select(ArchiveItem.id).where(
        ArchiveItem.destruction_request_id == r.id).order_by(ArchiveItem.id)).scalars())
    return RequestRow(r.id, r.insurer_id, insurer.name if insurer else "", r.status, r.reason,
                      r.requested_at, names.get(r.requested_by_id or 0, ""), r.approved_by_name,
                      r.approved_at, r.approval_ref, r.approval_attachment_id, r.destroyed_at,
                      items, r.version)


def _load_request(session: Session, request_id: int) -> DestructionRequest:
    return get_live(session, DestructionRequest, request_id, msg("销毁申请不存在。"))


def get_request(session: Session, request_id: int) -> RequestRow:
    return _request_row(session, _load_request(session, request_id))


def request_destruction(session: Session, actor: Actor, *, item_ids: list[int], reason: str,
                        insurer_id: int | None = None, today: dt.date | None = None) -> RequestRow:
    """Ask the insurer to approve destroying items whose retention has ended."""
    permissions.require(actor, "archive.edit")
    today = today or now().date()
    if not item_ids:
        raise ValidationError({"item_ids": msg("请选择要申请销毁的档案")})
    if not reason.strip():
        raise ValidationError({"reason": msg("请填写销毁理由")})
    items = [_load(session, i) for i in dict.fromkeys(item_ids)]
    problems = []
    for item in items:
        if item.status != A.ACTIVE:
            problems.append(msg("“{title}”状态为“{status}”", title=item.title,
                                status=A(item.status).label))
        elif item.retention_until is None:
            problems.append(msg("“{title}”所属项目尚未竣工，保存期限未起算", title=item.title))
        elif item.retention_until > today:
            problems.append(msg("“{title}”保存期限至 {until}，尚未届满", title=item.title,
                                until=item.retention_until.isoformat()))
    if problems:
        raise ValidationError({"item_ids": msg("以下档案不能申请销毁：{problems}", problems=problems)})
    insurers = {insurer_of(session, i.project_id) for i in items}
    if insurer_id is None:
        if len(insurers) != 1 or None in insurers:
            raise ValidationError({"insurer_id": msg("所选档案属于不同承保机构或无保单，请按承保机构分别申请")})
        insurer_id = insurers.pop()
    org = session.get(Organisation, insurer_id)
    if org is None or org.kind != "insurer":
        raise ValidationError({"insurer_id": msg("请选择审批的承保机构")})
    req = DestructionRequest(insurer_id=insurer_id, requested_by_id=actor.user_id,
                             requested_at=now(), reason=reason.strip(), status="requested")
    session.add(req)
    session.flush()
    for item in items:
        before = audit.snapshot(item)
        item.status = A.DESTRUCTION_REQUESTED
        item.destruction_request_id = req.id
        audit.record_update(session, actor, item, before, action="request_destruction")
    audit.record_create(session, actor, req)
    return _request_row(session, req)


def record_approval(session: Session, actor: Actor, request_id: int, *, expected_version: int,
                    approved_by_name: str, approved_at: dt.datetime, approval_ref: str,
                    approval_attachment_id: int | None) -> RequestRow:
    """The insurer approved in writing: who, when, its reference and the scanned approval."""
    permissions.require(actor, "archive.destroy")
    req = _load_request(session, request_id)
    check_version(req, expected_version, msg("销毁申请"))
    if req.status != "requested":
        raise TransitionError(msg("销毁申请状态为“{status}”，不能登记审批。",
                                  status=REQUEST_LABELS[req.status]))
    errors: dict[str, str] = {}
    if not approved_by_name.strip():
        errors["approved_by_name"] = msg("请填写承保机构审批人")
    if not approval_ref.strip():
        errors["approval_ref"] = msg("请填写承保机构批复文号")
    if approved_at > now() + dt.timedelta(minutes=5):
        errors["approved_at"] = msg("审批时间不能晚于当前时间")
    elif approved_at < req.requested_at:
        errors["approved_at"] = msg("审批时间不能早于申请时间")
    scan = session.get(Attachment, approval_attachment_id) if approval_attachment_id else None
    if scan is None:
        errors["approval_attachment_id"] = msg("请上传承保机构书面批复的扫描件（没有书面批复不能销毁档案）")
    elif scan.owner_type != "destruction_request" or scan.owner_id != req.id:
        errors["approval_attachment_id"] = msg("批复扫描件须作为本销毁申请的附件上传")
    if errors or scan is None:  # no scan is an error above
        raise ValidationError(errors)
    before = audit.snapshot(req)
    req.status = "approved"
    req.approved_by_name = approved_by_name.strip()
    req.approved_at = approved_at.replace(microsecond=0)
    req.approval_ref = approval_ref.strip()
    req.approval_attachment_id = scan.id
    for item in _items_of(session, req.id, A.DESTRUCTION_REQUESTED):
        item.status = A.DESTRUCTION_APPROVED
    audit.record_update(session, actor, req, before, action="approve_destruction")
    return _request_row(session, req)


def record_rejection(session: Session, actor: Actor, request_id: int, *, expected_version: int,
                     note: str) -> RequestRow:
    """The insurer refused: the items go back to the archive."""
    permissions.require(actor, "archive.destroy")
    req = _load_request(session, request_id)
    check_version(req, expected_version, msg("销毁申请"))
    if req.status != "requested":
        raise TransitionError(msg("销毁申请状态为“{status}”，不能登记驳回。",
                                  status=REQUEST_LABELS[req.status]))
    if not note.strip():
        raise ValidationError({"note": msg("请填写承保机构驳回的意见")})
    before = audit.snapshot(req)
    req.status = "rejected"
    req.destruction_note = note.strip()
    for item in _items_of(session, req.id, A.DESTRUCTION_REQUESTED):
        item.status = A.ACTIVE
        item.destruction_request_id = None
    audit.record_update(session, actor, req, before, action="reject_destruction")
    return _request_row(session, req)


def _items_of(session: Session, request_id: int, status: str) -> list[ArchiveItem]:
    return list(session.execute(select(ArchiveItem).where(
        ArchiveItem.destruction_request_id == request_id, ArchiveItem.status == status)).scalars())


def record_destruction(session: Session, actor: Actor, *, item_ids: list[int],
                       destroyed_at: dt.datetime | None = None, note: str = "") -> list[ArchiveRow]:
    """Record that items were destroyed; each must be in a request the insurer approved."""
    permissions.require(actor, "archive.destroy")
    if not item_ids:
        raise ValidationError({"item_ids": msg("请选择已销毁的档案")})
    moment = (destroyed_at or now()).replace(microsecond=0)
    if moment > now() + dt.timedelta(minutes=5):
        raise ValidationError({"destroyed_at": msg("销毁时间不能晚于当前时间")})
    items = [_load(session, i) for i in dict.fromkeys(item_ids)]
    refused = []
    for item in items:
        req_id = item.destruction_request_id
        req = session.get(DestructionRequest, req_id) if req_id else None
        approved = (req is not None and req.status == "approved"
                    and req.approval_attachment_id is not None)
        if item.status == A.DESTROYED:
            refused.append(msg("“{title}”已登记销毁", title=item.title))
        elif not approved or item.status != A.DESTRUCTION_APPROVED:
            refused.append(msg("“{title}”没有经承保机构书面批准的销毁申请", title=item.title))
        elif req is not None and req.approved_at is not None and moment < req.approved_at:
            refused.append(msg("“{title}”的销毁时间早于承保机构批准时间", title=item.title))
        elif item.retention_until is None or item.retention_until > moment.date():
            refused.append(msg("“{title}”保存期限尚未届满", title=item.title))
    if refused:
        raise TransitionError(msg("不能登记销毁：{problems}。档案须先经承保机构书面批准方可销毁。",
                                  problems=refused))
    for item in items:
        before = audit.snapshot(item)
        item.status = A.DESTROYED
        audit.record_update(session, actor, item, before, action="destroy", note=note.strip())
    for req_id in {i.destruction_request_id for i in items if i.destruction_request_id is not None}:
        req = _load_request(session, req_id)
        if not _items_of(session, req.id, A.DESTRUCTION_APPROVED):
            before = audit.snapshot(req)
            req.status = "done"
            req.destroyed_at = moment
            req.destroyed_by_id = actor.user_id
            req.destruction_note = note.strip()
            audit.record_update(session, actor, req, before, action="destroy")
    return _rows(session, items)


# -- data for the archive catalogue and the destruction approval form ----------------------


def _meta(session: Session, title: str, number: str, day: dt.date | None, draft: bool) -> DocMeta:
    from desktop.reports.data import AgencyInfo, DocMeta

    profile = agency.agency_profile(session)
    info = (AgencyInfo(profile.name, profile.short_name, profile.address, profile.phone)
            if profile else AgencyInfo("（未填写机构信息）"))
    return DocMeta(title, number, day or now().date(), info, draft)


def catalogue_data(session: Session, project_id: int, *, number: str = "",
                   date: dt.date | None = None, draft: bool = False) -> CatalogueData:
    """The 档案目录 of one project for reports.archive_docs.build_archive_catalogue."""
    from desktop.reports.archive_docs import CatalogueData, CatalogueLine

    project = load_project(session, project_id)
    rows = list_items(session, project_id=project_id)
    lines = tuple(CatalogueLine(n, r.title, r.doc_type, r.medium_label, r.pages, r.box, r.shelf,
                                r.filed_at, r.filed_by, r.retention_until, r.status_label)
                  for n, r in enumerate(rows, start=1))
    return CatalogueData(_meta(session, "档案目录", number, date, draft), project.name,
                         project.code, project.completion_date, retention_years(session), lines)


def destruction_form_data(session: Session, request_id: int, *, number: str = "",
                          date: dt.date | None = None, draft: bool = False) -> DestructionFormData:
    """The 档案销毁审批表 for reports.archive_docs.build_destruction_form."""
    from desktop.reports.archive_docs import DestructionFormData, DestructionLine

    req = _load_request(session, request_id)
    row = _request_row(session, req)
    items = _rows(session, list(session.execute(select(ArchiveItem).where(
        ArchiveItem.destruction_request_id == req.id)
        .order_by(ArchiveItem.project_id, ArchiveItem.id)).scalars()))
    lines = tuple(DestructionLine(n, r.project_name, r.title, r.medium_label, r.pages, r.box,
                                  r.filed_at, r.retention_until)
                  for n, r in enumerate(items, start=1))
    destroyer = _user_names(session, {req.destroyed_by_id}).get(req.destroyed_by_id or 0, "")
    return DestructionFormData(
        _meta(session, "档案销毁审批表", number, date, draft), req.id, row.status_label,
        row.insurer_name, req.reason, req.requested_at, row.requested_by, lines,
        req.approved_by_name, req.approved_at, req.approval_ref, req.destroyed_at, destroyer,
        req.destruction_note)
