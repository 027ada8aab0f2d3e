"""The hazard lifecycle: rules per level, every allowed step, every forbidden one refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from desktop import clock
from desktop.models import Attachment, AuditEntry, Document, ExternalReport, Hazard, HazardEvent
from desktop.models.enums import HazardStatus as S
from desktop.services import hazards
from desktop.services.context import (
    ConflictError,
    PermissionDenied,
    TransitionError,
    ValidationError,
)
from tests.factories import make_project


@pytest.fixture
def proj(db, admin):
    with db.session() as s:
        return make_project(s, admin)


def form(proj, **kw) -> hazards.HazardForm:
    base = dict(project_id=proj.project, description="三层东侧临边防护栏杆缺失", level=3,
                location="3#楼三层东侧", category="高处作业", measures="立即设置 1.2m 防护栏杆并挂密目网",
                contingency="整改期间设置警戒区，禁止人员靠近")
    base.update(kw)
    if base["level"] == 1 and "stop_work" not in kw:
        base["stop_work"] = "partial"
    return hazards.HazardForm(**base)


def add_after_photo(s, hazard_id):
    s.add(Attachment(sha256="a" * 64, size=10, mime="image/jpeg", role="after",
                     owner_type="hazard", owner_id=hazard_id))


def sign_letter(s, hazard_id) -> Document:
    """A signed stop-work suggestion on file for the hazard (the documents service makes real ones)."""
    doc = Document(kind="stop_work", number=f"风控停工〔2026〕{hazard_id}号", title="停工建议书",
                   scope_type="hazard", scope_id=hazard_id, status="signed", signed_at=clock.wall_now())
    s.add(doc)
    s.flush()
    return doc


def walk_to(db, actor, hazard_id, target: str) -> hazards.HazardRow:
    """Take a hazard along the normal path until it reaches `target`."""
    path = [S.RECORDED, S.NOTIFIED, S.RECTIFYING, S.CLOSURE_SUBMITTED, S.CLOSED]
    with db.session() as s:
        h = hazards.get(s, hazard_id)
        if target == S.CANCELLED:
            return hazards.cancel(s, actor, hazard_id, expected_version=h.version, reason="误登记")
        for state in path[path.index(S(h.status)) + 1:path.index(S(target)) + 1]:
            if state == S.NOTIFIED:
                h = hazards.issue_notice(s, actor, hazard_id, expected_version=h.version)
            elif state == S.RECTIFYING:
                h = hazards.record_delivery(s, actor, hazard_id, expected_version=h.version, received_by="张安全")
            elif state == S.CLOSURE_SUBMITTED:
                add_after_photo(s, hazard_id)
                h = hazards.submit_closure(s, actor, hazard_id, expected_version=h.version, supervisor_name="李监理")
            elif state == S.CLOSED:
                if h.level == 1:  # closing a level 1 needs its stop-work letter signed
                    sign_letter(s, hazard_id)
                for r in hazards.pending_reports(s, hazard_id):
                    hazards.record_report(s, actor, r.id, channel="电话")
                h = hazards.verify_close(s, actor, hazard_id, expected_version=h.version,
                                         reinspection_date=clock.today())
        return h


def test_record_level3_fills_defaults(db, admin, proj):
    with db.session() as s:
        h = hazards.record(s, admin, form(proj))
        stored = s.get(Hazard, h.id)
        assert h.number == f"YH-{clock.today().year}-00001"
        assert h.status == S.RECORDED
        assert stored.responsible_unit_id == proj.contractor
        assert stored.supervising_unit_id == proj.supervisor
        assert h.deadline == clock.today() + dt.timedelta(days=15)
        assert s.execute(select(func.count()).select_from(ExternalReport)).scalar() == 0
        assert s.execute(select(HazardEvent.kind).where(HazardEvent.hazard_id == h.id)).scalars().all() == ["recorded"]
        assert s.execute(select(AuditEntry.action).where(AuditEntry.entity == "hazards")).scalars().all() == ["create"]


def test_level1_needs_stop_work_and_creates_same_day_reports(db, admin, proj):
    with db.session() as s:
        with pytest.raises(ValidationError) as info:
            hazards.record(s, admin, form(proj, level=1, stop_work="none"))
        assert "stop_work" in info.value.fields
    with db.session() as s:
        h = hazards.record(s, admin, form(proj, level=1, stop_work="full"))
        reports = hazards.pending_reports(s, h.id)
        assert sorted(r.recipient for r in reports) == ["authority", "insurer"]
        assert {r.due_at for r in reports} == {dt.datetime.combine(clock.today(), dt.time(23, 59, 59))}
        assert {r.reason for r in reports} == {"level1_same_day"}


def test_serious_level2_reports_and_plain_level2_not(db, admin, proj):
    with db.session() as s:
        plain = hazards.record(s, admin, form(proj, level=2))
        serious = hazards.record(s, admin, form(proj, level=2, is_serious=True))
        assert hazards.pending_reports(s, plain.id) == []
        assert len(hazards.pending_reports(s, serious.id)) == 2


@pytest.mark.parametrize("missing", ["description", "measures"])
def test_required_fields(db, admin, proj, missing):
    with db.session() as s:
        with pytest.raises(ValidationError) as info:
            hazards.record(s, admin, form(proj, **{missing: "  "}))
        assert missing in info.value.fields


def test_level1_2_need_contingency(db, admin, proj):
    with db.session() as s:
        with pytest.raises(ValidationError) as info:
            hazards.record(s, admin, form(proj, level=2, contingency=""))
        assert "contingency" in info.value.fields
        hazards.record(s, admin, form(proj, level=4, contingency=""))


def test_failed_record_leaves_no_gap_in_numbers(db, admin, proj):
    with pytest.raises(ValidationError):
        with db.session() as s:
            hazards.record(s, admin, form(proj))
            hazards.record(s, admin, form(proj, level=9))
    with db.session() as s:
        h = hazards.record(s, admin, form(proj))
    assert h.number.endswith("00001")


def test_full_lifecycle_level3(db, admin, proj):
    with db.session() as s:
        h = hazards.record(s, admin, form(proj))
    closed = walk_to(db, admin, h.id, S.CLOSED)
    assert closed.status == S.CLOSED and closed.closed_at is not None
    with db.read() as s:
        kinds = [e.kind for e in hazards.events(s, h.id)]
    assert kinds == ["recorded", "issue_notice", "record_delivery", "submit_closure", "verify_close"]


def test_full_lifecycle_level1_needs_reports_and_reinspection(db, admin, proj):
    with db.session() as s:
        h = hazards.record(s, admin, form(proj, level=1))
    walk_to(db, admin, h.id, S.CLOSURE_SUBMITTED)
    with db.session() as s:
        h = hazards.get(s, h.id)
        with pytest.raises(ValidationError) as info:
            hazards.verify_close(s, admin, h.id, expected_version=h.version)
        assert {"reinspection_date", "reports"} <= set(info.value.fields)
    closed = walk_to(db, admin, h.id, S.CLOSED)
    assert closed.status == S.CLOSED
    with db.read() as s:
        assert all(r.status == "done" and r.channel == "电话" for r in hazards.reports(s, h.id))


def test_reject_sends_back_to_rectifying(db, admin, proj):
    with db.session() as s:
        h = hazards.record(s, admin, form(proj))
    h = walk_to(db, admin, h.id, S.CLOSURE_SUBMITTED)
    with db.session() as s:
        with pytest.raises(ValidationError):
            hazards.reject(s, admin, h.id, expected_version=h.version, reason=" ")
    with db.session() as s:
        back = hazards.reject(s, admin, h.id, expected_version=h.version, reason="防护栏杆高度不足")
    assert back.status == S.RECTIFYING


def test_level3_closure_needs_supervisor_and_after_photo(db, admin, proj):
    with db.session() as s:
        h = hazards.record(s, admin, form(proj))
    h = walk_to(db, admin, h.id, S.RECTIFYING)
    with db.session() as s:
        with pytest.raises(ValidationError) as info:
            hazards.submit_closure(s, admin, h.id, expected_version=h.version)
        assert set(info.value.fields) == {"supervisor_name", "after_photos"}


def test_escalation_creates_three_reports(db, admin, proj):
    with db.session() as s:
        h = hazards.record(s, admin, form(proj))
    h = walk_to(db, admin, h.id, S.RECTIFYING)
    with db.session() as s:
        with pytest.raises(ValidationError):  # deadline not yet passed
            hazards.escalate(s, admin, h.id, expected_version=h.version, kind="delay")
    with db.session() as s:
        h = hazards.escalate(s, admin, h.id, expected_version=h.version, kind="refusal", note="施工单位拒绝签收")
        assert h.escalated and h.status == S.RECTIFYING
        assert sorted(r.recipient for r in hazards.pending_reports(s, h.id)) == ["authority", "insurer", "owner"]


ALL_STATES = [S.RECORDED, S.NOTIFIED, S.RECTIFYING, S.CLOSURE_SUBMITTED, S.CLOSED, S.CANCELLED]
FORBIDDEN = [(state, step) for state in ALL_STATES for step, spec in hazards.STEPS.items()
             if state not in spec.sources]


def _call(step, s, actor, h):
    kwargs = {
        "issue_notice": {}, "record_delivery": {"received_by": "张三"},
        "submit_closure": {"supervisor_name": "李四"}, "verify_close": {"reinspection_date": clock.today()},
        "reject": {"reason": "不合格"}, "escalate": {"kind": "refusal"}, "cancel": {"reason": "误登记"},
    }[step]
    return getattr(hazards, step)(s, actor, h.id, expected_version=h.version, **kwargs)


@pytest.mark.parametrize(("state", "step"), FORBIDDEN)
def test_forbidden_transitions_change_nothing(db, admin, proj, state, step):
    with db.session() as s:
        h = hazards.record(s, admin, form(proj))
    h = walk_to(db, admin, h.id, state)
    with db.read() as s:
        audit_before = s.execute(select(func.count()).select_from(AuditEntry)).scalar()
    with pytest.raises(TransitionError) as info:
        with db.session() as s:
            _call(step, s, admin, h)
    assert "不能" in info.value.message
    with db.read() as s:
        after = hazards.get(s, h.id)
        assert (after.status, after.version) == (h.status, h.version)
        assert s.execute(select(func.count()).select_from(AuditEntry)).scalar() == audit_before


@pytest.mark.parametrize(("role", "step", "allowed"), [
    ("clerk", "verify_close", False), ("inspector", "verify_close", True),
    ("reviewer", "issue_notice", False), ("clerk", "issue_notice", True),
    ("inspector", "cancel", False), ("tech_lead", "cancel", True),
])
def test_roles_on_steps(db, users, proj, role, step, allowed):
    admin = users["admin"]
    with db.session() as s:
        h = hazards.record(s, admin, form(proj))
    source = hazards.STEPS[step].sources[0]
    h = walk_to(db, admin, h.id, source)
    if allowed:
        with db.session() as s:
            assert _call(step, s, users[role], h).version == h.version + 1
    else:
        with pytest.raises(PermissionDenied):
            with db.session() as s:
                _call(step, s, users[role], h)


def test_reviewer_cannot_record(db, users, proj):
    with pytest.raises(PermissionDenied) as info:
        with db.session() as s:
            hazards.record(s, users["reviewer"], form(proj))
    assert "只读审阅" in info.value.message


def test_stale_version_is_refused(db, admin, proj):
    with db.session() as s:
        h = hazards.record(s, admin, form(proj))
    with db.session() as s:
        hazards.issue_notice(s, admin, h.id, expected_version=h.version)
    with pytest.raises(ConflictError):
        with db.session() as s:
            hazards.issue_notice(s, admin, h.id, expected_version=h.version)


def test_allowed_steps_follow_role_and_state(db, users, proj):
    with db.session() as s:
        h = hazards.record(s, users["admin"], form(proj))
    h = walk_to(db, users["admin"], h.id, S.CLOSURE_SUBMITTED)
    assert {st.name for st in hazards.allowed_steps(h, users["inspector"])} == {"verify_close", "reject"}
    assert {st.name for st in hazards.allowed_steps(h, users["clerk"])} == set()
    assert {st.name for st in hazards.allowed_steps(h, users["tech_lead"])} == {"verify_close", "reject", "cancel"}


def test_overdue_rule():
    today = dt.date(2026, 5, 10)
    assert hazards.is_overdue("rectifying", dt.date(2026, 5, 9), today)
    assert not hazards.is_overdue("rectifying", dt.date(2026, 5, 10), today)
    assert not hazards.is_overdue("closed", dt.date(2026, 5, 1), today)


def test_record_report_twice_is_refused(db, admin, proj):
    with db.session() as s:
        h = hazards.record(s, admin, form(proj, level=1))
        rid = hazards.pending_reports(s, h.id)[0].id
        with pytest.raises(ValidationError):
            hazards.record_report(s, admin, rid, channel=" ")
        hazards.record_report(s, admin, rid, channel="邮件")
        with pytest.raises(TransitionError):
            hazards.record_report(s, admin, rid, channel="邮件")


def test_record_report_refuses_a_time_before_the_hazard_was_found_or_in_the_future(db, admin, proj):
    found = (clock.wall_now() - dt.timedelta(hours=6)).replace(microsecond=0)
    with db.session() as s:
        h = hazards.record(s, admin, form(proj, level=1, found_at=found))
        rid = hazards.pending_reports(s, h.id)[0].id
        with pytest.raises(ValidationError) as early:
            hazards.record_report(s, admin, rid, channel="电话", reported_at=found - dt.timedelta(hours=1))
        assert "reported_at" in early.value.fields
        assert "不能早于隐患" in str(early.value.fields["reported_at"])
        assert f"{found:%Y-%m-%d %H:%M}" in str(early.value.fields["reported_at"])
        with pytest.raises(ValidationError) as ahead:
            hazards.record_report(s, admin, rid, channel="电话",
                                  reported_at=clock.wall_now() + dt.timedelta(hours=1))
        assert "reported_at" in ahead.value.fields
        assert s.get(ExternalReport, rid).status == "pending"  # nothing written by the refusals
        row = hazards.record_report(s, admin, rid, channel="电话", reported_at=found)  # the same minute: fine
        assert row.status == "done" and row.reported_at == found


def test_update_details_and_regrade(db, admin, proj):
    with db.session() as s:
        h = hazards.record(s, admin, form(proj, level=3))
        h = hazards.update(s, admin, h.id, expected_version=h.version, measures="更换防护栏杆",
                           level=1, stop_work="full")
        assert h.level == 1
        assert len(hazards.pending_reports(s, h.id)) == 2
        with pytest.raises(ValidationError):
            hazards.update(s, admin, h.id, expected_version=h.version, number="X")
        with pytest.raises(ValidationError) as info:
            hazards.update(s, admin, h.id, expected_version=h.version, stop_work="none")
        assert "stop_work" in info.value.fields
    h = walk_to(db, admin, h.id, S.NOTIFIED)
    with db.session() as s:
        with pytest.raises(TransitionError):
            hazards.update(s, admin, h.id, expected_version=h.version, level=3)
