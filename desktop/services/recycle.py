"""Soft delete and the recycle bin: delete moves a record aside, restore brings it back, and
only an administrator purges — never a signed document or an archive item under retention."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import Session

from desktop.models import (
    ArchiveItem,
    Attachment,
    Document,
    Drill,
    Escalation,
    ExternalReport,
    Hazard,
    HazardEvent,
    Incident,
    Inspection,
    Meeting,
    Organisation,
    Project,
    RiskSource,
    RiskSourceCheck,
    ServicePlan,
    StandardisationAssist,
    Submission,
    TrainingAttendance,
    TrainingSession,
    inspection_inspectors,
)
from desktop.models.capture import CaptureDraft
from desktop.services import audit, permissions
from desktop.services.context import Actor, ServiceError, TransitionError, get_row, msg, now
from desktop.services.projects import check_version


@dataclass(frozen=True)
class Kind:
    model: type[Any]  # a mapped class with deleted_at and version
    label: str
    action: str  # permission to delete and restore
    title: str  # attribute shown in the bin


KINDS: dict[str, Kind] = {
    "projects": Kind(Project, msg("项目"), "project.delete", "name"),
    "hazards": Kind(Hazard, msg("隐患"), "hazard.cancel", "number"),
    "inspections": Kind(Inspection, msg("检查记录"), "inspection.edit", "date"),
    "organisations": Kind(Organisation, msg("单位"), "org.edit", "name"),
    "risk_sources": Kind(RiskSource, msg("风险源"), "risk_source.edit", "name"),
    "training_sessions": Kind(TrainingSession, msg("培训"), "training.edit", "topic"),
    "drills": Kind(Drill, msg("应急演练"), "drill.edit", "scenario"),
    "archive_items": Kind(ArchiveItem, msg("档案"), "archive.edit", "title"),
    "documents": Kind(Document, msg("文书"), "document.draft", "title"),
    "meetings": Kind(Meeting, msg("服务交底会"), "meeting.edit", "date"),
    "standardisation_assists": Kind(StandardisationAssist, msg("安全生产标准化建设协助"), "inspection.edit",
                                    "date"),
}


@dataclass(frozen=True)
class BinRow:
    entity: str
    entity_id: int
    kind_label: str
    title: str
    deleted_at: dt.datetime


def _kind(entity: str) -> Kind:
    kind = KINDS.get(entity)
    if kind is None:
        raise ServiceError(msg("“{entity}”不支持删除到回收站。", entity=entity))
    return kind


def _load(session: Session, entity: str, entity_id: int) -> Any:
    return get_row(session, _kind(entity).model, entity_id, msg("记录不存在。"))


def soft_delete(session: Session, actor: Actor, entity: str, entity_id: int, *,
                expected_version: int, reason: str = "") -> None:
    kind = _kind(entity)
    permissions.require(actor, kind.action)
    obj = _load(session, entity, entity_id)
    check_version(obj, expected_version, kind.label)
    if obj.deleted_at is not None:
        raise TransitionError(msg("该{label}已在回收站中。", label=kind.label))
    if entity == "documents" and obj.status != "draft":
        raise TransitionError(msg("已签发的文书是正式记录，不能删除；如有错误请出具更正版本。"))
    before = audit.snapshot(obj)
    obj.deleted_at = now()
    audit.record_update(session, actor, obj, before, action="delete", note=reason.strip())


def restore(session: Session, actor: Actor, entity: str, entity_id: int) -> None:
    kind = _kind(entity)
    permissions.require(actor, kind.action)
    obj = _load(session, entity, entity_id)
    if obj.deleted_at is None:
        raise TransitionError(msg("该{label}不在回收站中。", label=kind.label))
    before = audit.snapshot(obj)
    obj.deleted_at = None
    audit.record_update(session, actor, obj, before, action="restore")


def list_bin(session: Session, actor: Actor) -> list[BinRow]:
    permissions.require(actor, "view")
    rows: list[BinRow] = []
    for entity, kind in KINDS.items():
        model = kind.model
        for obj in session.execute(select(model).where(model.deleted_at.is_not(None))).scalars():
            rows.append(BinRow(entity, obj.id, kind.label, str(getattr(obj, kind.title)), obj.deleted_at))
    rows.sort(key=lambda r: r.deleted_at, reverse=True)
    return rows


def purge(session: Session, actor: Actor, entity: str, entity_id: int, *, today: dt.date | None = None) -> None:
    """Delete for good a record already in the recycle bin, with the rows that only it owns."""
    permissions.require(actor, "recycle.purge")
    kind = _kind(entity)
    obj = _load(session, entity, entity_id)
    if obj.deleted_at is None:
        raise TransitionError(msg("只能彻底删除回收站中的记录，请先删除。"))
    today = today or now().date()
    if entity == "documents" and obj.status != "draft":
        raise TransitionError(msg("已签发的文书不能彻底删除。"))
    if entity == "archive_items" and (obj.retention_until is None or obj.retention_until > today):
        raise TransitionError(msg("该档案仍在保存期内（项目竣工后至少五年），不能彻底删除。"))
    snapshot = audit.snapshot(obj)
    _remove_dependants(session, entity, entity_id)
    session.delete(obj)
    session.flush()
    audit.record(session, actor, action="purge", entity=obj.__tablename__, entity_id=entity_id,
                 before=snapshot, note=f"彻底删除{kind.label}")


def _refuse_if_referenced(session: Session, checks: list[tuple[type[Any], ColumnElement[bool]]],
                          what: str) -> None:
    for model, clause in checks:
        if session.execute(select(func.count()).select_from(model).where(clause)).scalar():
            raise TransitionError(msg("仍有{what}引用该记录，不能彻底删除。", what=what))


def _remove_dependants(session: Session, entity: str, entity_id: int) -> None:
    if entity == "hazards":
        session.execute(update(Hazard).where(Hazard.repeat_of_id == entity_id).values(repeat_of_id=None))
        session.execute(update(Incident).where(Incident.hazard_id == entity_id).values(hazard_id=None))
        session.execute(update(CaptureDraft).where(CaptureDraft.hazard_id == entity_id).values(hazard_id=None))
        for owner, model in (("external_report", ExternalReport), ("escalation", Escalation)):
            ids = select(model.id).where(model.hazard_id == entity_id)
            session.execute(delete(Attachment).where(Attachment.owner_type == owner,
                                                     Attachment.owner_id.in_(ids)))
        for about_hazard in (HazardEvent, ExternalReport, Escalation):
            session.execute(delete(about_hazard).where(about_hazard.hazard_id == entity_id))
        session.execute(delete(Attachment).where(Attachment.owner_type == "hazard",
                                                 Attachment.owner_id == entity_id))
    elif entity == "inspections":
        _refuse_if_referenced(session, [(Hazard, Hazard.inspection_id == entity_id),
                                        (CaptureDraft, CaptureDraft.inspection_id == entity_id)],
                              msg("隐患或现场采集草稿"))
        session.execute(delete(RiskSourceCheck).where(RiskSourceCheck.inspection_id == entity_id))
        session.execute(delete(inspection_inspectors).where(inspection_inspectors.c.inspection_id == entity_id))
    elif entity == "risk_sources":
        session.execute(delete(RiskSourceCheck).where(RiskSourceCheck.risk_source_id == entity_id))
    elif entity == "training_sessions":
        session.execute(delete(TrainingAttendance).where(TrainingAttendance.session_id == entity_id))
    elif entity == "projects":
        _refuse_if_referenced(session, [(Hazard, Hazard.project_id == entity_id),
                                        (Inspection, Inspection.project_id == entity_id),
                                        (ArchiveItem, ArchiveItem.project_id == entity_id)],
                              msg("隐患、检查或档案"))
    elif entity == "organisations":
        _refuse_if_referenced(session, [(Project, (Project.contractor_id == entity_id)
                                         | (Project.supervisor_id == entity_id)
                                         | (Project.owner_id == entity_id)
                                         | (Project.authority_id == entity_id))], msg("项目"))
    elif entity == "documents":
        _refuse_if_referenced(session, [(Submission, Submission.document_id == entity_id)],
                              msg("报送记录"))
        for citing in (HazardEvent, ExternalReport, Escalation, ServicePlan, ArchiveItem):
            session.execute(update(citing).where(citing.document_id == entity_id).values(document_id=None))
        session.execute(update(Document).where(Document.supersedes_id == entity_id).values(supersedes_id=None))
        session.execute(update(Document).where(Document.superseded_by_id == entity_id)
                        .values(superseded_by_id=None))
    elif entity == "meetings":
        _refuse_if_referenced(session, [(Document, (Document.scope_type == "meeting")
                                         & (Document.scope_id == entity_id))], msg("文书"))
    if entity in ("drills", "archive_items", "documents", "projects", "inspections", "risk_sources",
                  "training_sessions", "meetings"):
        owner = {"drills": "drill", "archive_items": "archive", "documents": "document",
                 "projects": "project", "inspections": "inspection", "risk_sources": "risk_source",
                 "training_sessions": "training", "meetings": "meeting"}[entity]
        session.execute(delete(Attachment).where(Attachment.owner_type == owner,
                                                 Attachment.owner_id == entity_id))
