"""Recycle bin: delete, restore, purge by admins only, never signed documents or archives in retention."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from desktop.models import ArchiveItem, Attachment, Document, Hazard, HazardEvent
from desktop.services import hazards, recycle
from desktop.services.context import PermissionDenied, TransitionError
from desktop.services.queries import history, register
from tests.factories import make_project


@pytest.fixture
def hazard(db, admin):
    with db.session() as s:
        p = make_project(s, admin)
        h = hazards.record(s, admin, hazards.HazardForm(
            project_id=p.project, description="卸料平台未设限载标识", level=3, measures="设置限载牌"))
        s.add(Attachment(sha256="b" * 64, size=1, mime="image/jpeg", role="before", owner_type="hazard",
                         owner_id=h.id))
    return p, h


def test_delete_restore_and_purge_hazard(db, users, hazard):
    p, h = hazard
    admin, inspector = users["admin"], users["inspector"]
    with pytest.raises(PermissionDenied):
        with db.session() as s:
            recycle.soft_delete(s, inspector, "hazards", h.id, expected_version=h.version)
    with db.session() as s:
        recycle.soft_delete(s, users["tech_lead"], "hazards", h.id, expected_version=h.version, reason="重复登记")
    with db.read() as s:
        assert list(register.hazard_ids(s, register.RegisterFilter())) == []
        assert [(r.entity, r.entity_id) for r in recycle.list_bin(s, admin)] == [("hazards", h.id)]
    with db.session() as s:
        recycle.restore(s, admin, "hazards", h.id)
    with db.read() as s:
        assert list(register.hazard_ids(s, register.RegisterFilter())) == [h.id]
        actions = [r.action for r in history.history(s, admin, "hazards", h.id)]
        assert actions[:3] == ["restore", "delete", "create"]
    version = h.version + 2
    with pytest.raises(TransitionError):  # not in the bin
        with db.session() as s:
            recycle.purge(s, admin, "hazards", h.id)
    with db.session() as s:
        recycle.soft_delete(s, admin, "hazards", h.id, expected_version=version)
    with pytest.raises(PermissionDenied):
        with db.session() as s:
            recycle.purge(s, users["tech_lead"], "hazards", h.id)
    with db.session() as s:
        recycle.purge(s, admin, "hazards", h.id)
    with db.read() as s:
        assert s.get(Hazard, h.id) is None
        assert s.execute(select(func.count()).select_from(HazardEvent)).scalar() == 0
        assert s.execute(select(func.count()).select_from(Attachment)).scalar() == 0
        assert [r.action for r in history.history(s, admin, "hazards", h.id)][0] == "purge"


def test_signed_documents_and_archives_in_retention_are_kept(db, admin, hazard):
    p, _ = hazard
    with db.session() as s:
        signed = Document(kind="stop_work", number="风控停工〔2026〕0001号", title="停工建议书",
                          scope_type="hazard", status="signed")
        kept = ArchiveItem(project_id=p.project, title="检查记录", filed_at=dt.date(2026, 1, 1),
                           retention_until=dt.date(2031, 1, 1))
        s.add_all([signed, kept])
    with pytest.raises(TransitionError, match="已签发"):
        with db.session() as s:
            recycle.soft_delete(s, admin, "documents", signed.id, expected_version=1)
    with db.session() as s:
        recycle.soft_delete(s, admin, "archive_items", kept.id, expected_version=1)
    with pytest.raises(TransitionError, match="保存期内"):
        with db.session() as s:
            recycle.purge(s, admin, "archive_items", kept.id, today=dt.date(2030, 12, 31))
    with db.session() as s:
        recycle.purge(s, admin, "archive_items", kept.id, today=dt.date(2031, 1, 2))


def test_project_with_records_cannot_be_purged(db, admin, hazard):
    p, _ = hazard
    with db.session() as s:
        recycle.soft_delete(s, admin, "projects", p.project, expected_version=1)
    with pytest.raises(TransitionError, match="引用"):
        with db.session() as s:
            recycle.purge(s, admin, "projects", p.project)


def test_history_shows_field_changes(db, admin, hazard):
    _, h = hazard
    with db.session() as s:
        hazards.update(s, admin, h.id, expected_version=h.version, measures="设置限载牌并培训")
    with db.read() as s:
        latest = history.history(s, admin, "hazards", h.id)[0]
    assert latest.action_label == "修改"
    assert [(c.field, c.before, c.after) for c in latest.changes] == [("measures", "设置限载牌", "设置限载牌并培训")]
