"""A draft made on the phone before midnight and sent after it (queued offline): the page sends the
time it was made; the desk keeps it as found when plausible — not in the future beyond a small
clock skew, not before the inspection's day — else the arrival time, and says which it used."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from desktop import clock
from desktop.models import AuditEntry
from desktop.services import capture_devices, capture_inbox, inspections
from desktop.services.context import ValidationError
from tests.capture.test_capture_service import draft_form, pair, send, site  # noqa: F401
from tests.factories import make_project

CHINA = dt.timezone(dt.timedelta(hours=8))
DAY = dt.date(2026, 12, 7)
ARRIVAL = dt.datetime(2026, 12, 8, 0, 10, tzinfo=CHINA)  # ten minutes past midnight, China time


@pytest.fixture
def after_midnight(monkeypatch):
    monkeypatch.setattr(clock, "system_time", lambda: ARRIVAL.astimezone(dt.UTC))


@pytest.fixture
def inbox(db, users, after_midnight):
    inspector = users["inspector"]
    with db.session() as s:
        project = make_project(s, users["admin"])
        ids = {}
        for day in (DAY, DAY + dt.timedelta(days=1), DAY - dt.timedelta(days=1)):
            ids[day] = inspections.record(s, users["admin"], inspections.InspectionForm(
                project_id=project.project, kind="routine", date=day,
                inspector_ids=(inspector.user_id,))).id
        token = capture_devices.start_pairing(s, inspector).token
        _secret, device = capture_devices.pair(s, token, "张工的手机")
    return {"db": db, "inspector": inspector, "device": device, "inspection": ids}


def receive(inbox, tmp_path, day, made_at):
    draft = capture_inbox.DraftIn(client_id=uuid.uuid4().hex, inspection_id=inbox["inspection"][day],
                                  description="临边防护缺失", level=3, made_at=made_at)
    with inbox["db"].session() as s:
        row, created = capture_inbox.receive(s, inbox["inspector"], inbox["device"], draft,
                                             drafts_dir=tmp_path / "drafts")
        assert created
        entry = s.execute(select(AuditEntry.after).where(
            AuditEntry.entity == "capture_drafts", AuditEntry.entity_id == row.id)).scalar_one()
        assert entry["found_source"] == row.found_source
        return capture_inbox.get(s, row.id)


def test_a_draft_made_before_midnight_keeps_the_phone_time_and_yesterdays_inspection(inbox, tmp_path):
    row = receive(inbox, tmp_path, DAY, dt.datetime(2026, 12, 7, 23, 50))
    assert row.found_at == dt.datetime(2026, 12, 7, 23, 50)
    assert row.found_source == "phone" and "手机" in row.found_note


def test_a_phone_clock_in_the_future_gives_the_arrival_time(inbox, tmp_path):
    today = DAY + dt.timedelta(days=1)
    row = receive(inbox, tmp_path, today, dt.datetime(2026, 12, 8, 1, 30))  # 80 minutes ahead
    assert row.found_at == dt.datetime(2026, 12, 8, 0, 10)
    assert row.found_source == "arrival" and "收到" in row.found_note
    ahead = receive(inbox, tmp_path, today, dt.datetime(2026, 12, 8, 0, 13))  # within the skew
    assert ahead.found_at == dt.datetime(2026, 12, 8, 0, 10) and ahead.found_source == "phone"


def test_a_time_before_the_inspections_day_gives_the_arrival_time(inbox, tmp_path):
    row = receive(inbox, tmp_path, DAY, dt.datetime(2026, 12, 7, 23, 50))
    assert row.found_source == "phone"
    early = receive(inbox, tmp_path, DAY + dt.timedelta(days=1), dt.datetime(2026, 12, 7, 23, 55))
    assert early.found_at == dt.datetime(2026, 12, 8, 0, 10) and early.found_source == "arrival"
    none = receive(inbox, tmp_path, DAY + dt.timedelta(days=1), None)
    assert none.found_source == "arrival"


def test_yesterdays_inspection_needs_a_plausible_time_made_that_day(inbox, tmp_path):
    for made in (None, dt.datetime(2026, 12, 8, 0, 5), dt.datetime(2026, 12, 9, 9, 0)):
        with pytest.raises(ValidationError) as err:
            receive(inbox, tmp_path, DAY, made)
        assert "今天分配给您" in str(err.value.messages["inspection_id"])
    with pytest.raises(ValidationError):  # made the day before: not that inspection's day
        receive(inbox, tmp_path, DAY, dt.datetime(2026, 12, 6, 23, 0))


def test_the_page_sends_an_instant_and_the_desk_answers_which_time_it_kept(site, monkeypatch):
    device = pair(site)
    moment = dt.datetime.combine(clock.today(), dt.time(0, 0), tzinfo=CHINA) + dt.timedelta(minutes=30)
    monkeypatch.setattr(clock, "system_time", lambda: (moment + dt.timedelta(hours=2)).astimezone(dt.UTC))
    made = moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")  # as new Date().toISOString()
    status, body = send(site, device, draft_form(site, uuid.uuid4().hex, made_at=made))
    assert status == 201, body
    assert body["found_at"] == moment.replace(tzinfo=None).isoformat(sep=" ")
    assert body["found_source"] == "phone"
    status, body = send(site, device, draft_form(site, uuid.uuid4().hex, made_at="昨天晚上"))
    assert status == 201 and body["found_source"] in ("photo", "arrival")


def test_a_photo_taken_on_the_day_comes_before_the_phone_time(inbox, tmp_path):
    photos = [{"sha256": "0" * 64, "name": "a.jpg", "size": 1, "taken_at": "2026-12-07T23:41:00",
               "taken_source": "exif"}]
    found, source = capture_inbox.found_of(photos, dt.datetime(2026, 12, 7, 23, 50), inspection_day=DAY,
                                           now=ARRIVAL.replace(tzinfo=None))
    assert (found, source) == (dt.datetime(2026, 12, 7, 23, 41), "photo")
    other_day = [{**photos[0], "taken_at": "2026-12-01T10:00:00"}]  # picked from the gallery
    assert capture_inbox.found_of(other_day, dt.datetime(2026, 12, 7, 23, 50), inspection_day=DAY,
                                  now=ARRIVAL.replace(tzinfo=None)) == (dt.datetime(2026, 12, 7, 23, 50), "phone")


def test_a_draft_older_than_the_day_before_may_not_name_its_inspection(inbox, tmp_path):
    """Made on the 6th and sent after midnight of the 7th (arrival the 8th, 00:10): two midnights
    crossed, so the 6th's inspection is refused, named with its date; sent on the 7th it was fine."""
    older = DAY - dt.timedelta(days=1)
    for made in (dt.datetime(2026, 12, 6, 10, 0), dt.datetime(2026, 12, 6, 23, 59)):
        with pytest.raises(ValidationError) as err:
            receive(inbox, tmp_path, older, made)
        text = str(err.value.messages["inspection_id"])
        assert "2026-12-06 的检查，早于今天" in text and "前一天" in text and "今天分配给您" in text
    with pytest.raises(ValidationError) as err:  # made the 7th, naming the 6th: older than its own day
        receive(inbox, tmp_path, older, dt.datetime(2026, 12, 7, 23, 50))
    assert "2026-12-06 的检查" in str(err.value.messages["inspection_id"])
    row = receive(inbox, tmp_path, DAY, dt.datetime(2026, 12, 7, 8, 0))  # the day before: allowed
    assert row.inspection_id == inbox["inspection"][DAY] and row.found_source == "phone"


def test_the_page_is_told_why_an_old_inspection_is_refused(site, users, monkeypatch):
    device = pair(site)
    today = clock.today()
    with site["db"].session() as s:
        old = inspections.record(s, users["admin"], inspections.InspectionForm(
            project_id=site["project"], kind="routine", date=today - dt.timedelta(days=3),
            inspector_ids=(site["inspector"].user_id,)))
    made = dt.datetime.combine(today - dt.timedelta(days=3), dt.time(15, 0), tzinfo=CHINA)
    form = draft_form(site, uuid.uuid4().hex, inspection_id=str(old.id),
                      made_at=made.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"))
    status, body = send(site, device, form)
    assert status == 400 and f"{(today - dt.timedelta(days=3)).isoformat()} 的检查，早于今天" in body["error"]
    assert "早于今天" in body["fields"]["inspection_id"]
