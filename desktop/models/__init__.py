"""ORM classes only, one module per aggregate; importing this package registers every table."""

from desktop.models.agency import AgencyProfile, AppSetting, AuditEntry, Sequence, User
from desktop.models.archive import ArchiveItem, DestructionRequest
from desktop.models.attachments import Attachment
from desktop.models.base import Base
from desktop.models.capture import CaptureDevice, CaptureDraft
from desktop.models.catalogues import Catalogue, CatalogueItem, CatalogueItemLink
from desktop.models.documents import Document, Submission
from desktop.models.hazards import Escalation, ExternalReport, Hazard, HazardEvent
from desktop.models.inspections import Inspection, RiskSourceCheck, inspection_inspectors
from desktop.models.organisations import Contact, Organisation
from desktop.models.projects import (
    DangerItem,
    Meeting,
    Policy,
    Project,
    ProjectContact,
    ProjectStage,
    StandardisationAssist,
)
from desktop.models.quality import ChecklistAnswer, Complaint, Evaluation, FeeEntry, Incident
from desktop.models.risk import RiskAssessment, RiskSource, ServicePlan
from desktop.models.training import (
    Drill,
    EmergencyPlanAssist,
    TrainingAttendance,
    TrainingAttendee,
    TrainingPlan,
    TrainingSession,
)

__all__ = [
    "AgencyProfile", "AppSetting", "ArchiveItem", "Attachment", "AuditEntry", "Base",
    "CaptureDevice", "CaptureDraft", "Catalogue", "CatalogueItem", "CatalogueItemLink", "ChecklistAnswer", "Complaint", "Contact",
    "DangerItem",
    "DestructionRequest", "Document", "Drill", "EmergencyPlanAssist", "Escalation",
    "Evaluation", "ExternalReport", "FeeEntry", "Hazard", "HazardEvent", "Incident",
    "Inspection", "Meeting", "Organisation", "Policy", "Project", "ProjectContact",
    "ProjectStage", "RiskAssessment", "RiskSource", "RiskSourceCheck", "Sequence",
    "ServicePlan", "StandardisationAssist", "Submission", "TrainingAttendance", "TrainingAttendee",
    "TrainingPlan", "TrainingSession",
    "User", "inspection_inspectors",
]
