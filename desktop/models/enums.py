"""Closed vocabularies of the domain, stored as short strings, each with its Chinese label
(the labels: desktop/vocabulary.py)."""

from __future__ import annotations

from enum import StrEnum

from desktop.vocabulary import LABELS


class Labelled(StrEnum):
    @property
    def label(self) -> str:
        return LABELS[type(self).__name__][self.value]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]

    @classmethod
    def known(cls, value: object) -> bool:
        """Whether a stored string is one of this vocabulary's values (an older or newer
        version may have stored one this version does not know)."""
        return any(value == m.value for m in cls)


class Role(Labelled):
    ADMIN = "admin"
    TECH_LEAD = "tech_lead"
    INSPECTOR = "inspector"
    CLERK = "clerk"
    REVIEWER = "reviewer"


class OrgKind(Labelled):
    INSURER = "insurer"
    CONTRACTOR = "contractor"
    SUPERVISOR = "supervisor"
    OWNER = "owner"
    AUTHORITY = "authority"
    OTHER = "other"


class ProjectStatus(Labelled):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    COMPLETED = "completed"


class ProjectType(Labelled):
    BUILDING = "building"
    MUNICIPAL = "municipal"


class RiskLevel(Labelled):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class InspectionKind(Labelled):
    FIRST = "first_identification"
    FULL = "full_coverage"
    STAGE = "stage"
    DANDA = "danda_targeted"
    KEY_PROCEDURE = "key_procedure"
    REINSPECTION = "reinspection"
    ROUTINE = "routine"


class HazardStatus(Labelled):
    RECORDED = "recorded"
    NOTIFIED = "notified"
    RECTIFYING = "rectifying"
    CLOSURE_SUBMITTED = "closure_submitted"
    CLOSED = "closed"
    CANCELLED = "cancelled"


# a hazard still to be dealt with: neither closed (销项) nor cancelled
OPEN_HAZARD_STATES = (HazardStatus.RECORDED, HazardStatus.NOTIFIED, HazardStatus.RECTIFYING,
                      HazardStatus.CLOSURE_SUBMITTED)


class StopWork(Labelled):
    NONE = "none"
    PARTIAL = "partial"
    FULL = "full"


class Recipient(Labelled):
    INSURER = "insurer"
    AUTHORITY = "authority"
    OWNER = "owner"


class ReportReason(Labelled):
    LEVEL1 = "level1_same_day"
    SERIOUS_L2 = "level2_serious"
    REFUSAL = "refusal"
    DELAY = "delay"


class AttachmentRole(Labelled):
    BEFORE = "before"
    AFTER = "after"
    EVIDENCE = "evidence"
    DOCUMENT = "document"
    SCAN = "scan"


class DocStatus(Labelled):
    DRAFT = "draft"
    SIGNED = "signed"
    SUPERSEDED = "superseded"


class ArchiveStatus(Labelled):
    ACTIVE = "active"
    DESTRUCTION_REQUESTED = "destruction_requested"
    DESTRUCTION_APPROVED = "destruction_approved"
    DESTROYED = "destroyed"


class IncidentKind(Labelled):
    MISSED_MAJOR = "missed_major_hazard"
    GENERAL_ACCIDENT = "general_accident"
    LARGER_ACCIDENT = "larger_accident"
