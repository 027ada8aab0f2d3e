"""Agency rules set by an administrator: each validated, each change audited, and new records
only take them (a hazard keeps the deadline it was given; a signed number keeps its code)."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from desktop.models import AuditEntry
from desktop.services import agency_rules, hazards, numbering, rules
from desktop.services.context import PermissionDenied, ValidationError
from tests.factories import make_project


def _save(db, actor, **changes):
    with db.session() as s:
        current = agency_rules.read(s)
        return agency_rules.save(s, actor, dataclasses.replace(current, **changes))


@pytest.mark.parametrize("key, value, words", [
    ("first_inspection_days", 0, "1 到 180"),
    ("first_inspection_days", True, "1 到 180"),
    ("hazard.serious_l2_report_days", 31, "0 到 30"),
    ("risk.visit_interval_days", {"high": 30, "medium": 90}, "高、中、低"),
    ("risk.visit_interval_days", {"high": 90, "medium": 30, "low": 180}, "高 ≤ 中 ≤ 低"),
    ("risk.grading", {"deep_excavation_m": 2, "shallow_excavation_m": 3}, "基坑深度"),
    ("risk.grading", {"accident_level": "critical"}, "高、中、低"),
    ("risk.grading", {"open_hazards_per_10k_m2": {"high": 5, "medium": 6}}, "阈值"),
    ("risk.grading", {"unknown": 1}, "未知"),
    ("archive.retention_years", 4, "5 年"),
    ("archive.retention_years", 101, "100 年"),
    ("hazard.deadline_days", {"1": 3, "2": 7, "3": 15}, "1–4"),
    ("numbering.agency_code", "绍安〔衡〕", "括号"),
])
def test_each_rule_refuses_a_bad_value(key, value, words):
    with pytest.raises(ValidationError) as exc:
        rules.validate(key, value)
    assert words in exc.value.fields[key]


def test_saving_changed_rules_is_audited_and_admin_only(db, users):
    admin = users["admin"]
    stored = _save(db, admin, first_inspection_days=10, visit_interval_days={"high": 14, "medium": 60, "low": 120},
                   agency_code="绍安衡风控", retention_years=8)
    assert sorted(stored) == ["archive.retention_years", "first_inspection_days",
                              "numbering.agency_code", "risk.visit_interval_days"]
    with db.read() as s:
        now = agency_rules.read(s)
        assert (now.first_inspection_days, now.visit_interval_days["high"], now.agency_code,
                now.retention_years) == (10, 14, "绍安衡风控", 8)
        entries = s.execute(select(AuditEntry).where(AuditEntry.entity == "app_settings")).scalars().all()
        assert {k for e in entries for k in e.after} == set(stored)
        assert any(e.before == {"first_inspection_days": 15} for e in entries)
    assert _save(db, admin) == []  # nothing changed, nothing written
    with pytest.raises(PermissionDenied):
        _save(db, users["tech_lead"], first_inspection_days=20)
    with pytest.raises(ValidationError) as exc:  # every bad field at once, nothing stored
        _save(db, admin, first_inspection_days=0, retention_years=3, serious_l2_report_days=2)
    assert set(exc.value.fields) == {"first_inspection_days", "archive.retention_years"}
    with db.read() as s:
        assert agency_rules.read(s).serious_l2_report_days == 1


def test_a_change_applies_to_new_records_only(db, admin):
    with db.session() as s:
        p = make_project(s, admin)
        before = hazards.record(s, admin, hazards.HazardForm(
            project_id=p.project, description="临边无防护", level=3, category="高处作业",
            measures="设置防护栏杆", contingency="暂停作业"))
    _save(db, admin, deadline_days={"1": 1, "2": 3, "3": 5, "4": 10})
    with db.session() as s:
        after = hazards.record(s, admin, hazards.HazardForm(
            project_id=p.project, description="临边无防护（二）", level=3, category="高处作业",
            measures="设置防护栏杆", contingency="暂停作业"))
        kept = hazards.load(s, before.id).deadline
    assert (kept - before.found_at.date()).days == 15
    assert (after.deadline - after.found_at.date()).days == 5
    _save(db, admin, agency_code="绍安衡风控")
    with db.session() as s:
        number = numbering.document_number(s, "rectification_notice", 2026)
    assert number.startswith("绍安衡风控整改〔2026〕")
