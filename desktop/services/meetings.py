"""服务交底会 (the kick-off meeting of a project's service): who attended for which party, what
was explained, the insured's confirmation, and the signed sign-in sheet kept as an attachment.

A meeting counts for the self-check once the insured's confirmation (who, on which day) is
recorded: until then it is a meeting the agency says it held, not one both parties confirmed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models import Attachment, Meeting
from desktop.models.enums import AttachmentRole
from desktop.services import audit, permissions, recycle
from desktop.services.context import Actor, NotFound, ValidationError, msg, now
from desktop.services.exchange import attachments
from desktop.services.projects import check_version
from desktop.services.projects import load as load_project

KIND = "kickoff"
ACTION = "meeting.edit"
PARTIES = {"owner": msg("建设单位"), "contractor": msg("施工单位"), "supervisor": msg("监理单位"),
           "insurer": msg("承保机构"), "agency": msg("风控机构")}
TOPICS = {"scope": msg("服务范围"), "plan": msg("服务方案"), "contacts": msg("联系人"),
          "reporting": msg("报告途径")}
SHEET_CAPTION = "签到表"
MAX_ATTENDEES = 60
NAME_LEN, POSITION_LEN, PLACE_LEN, NOTES_LEN = 50, 50, 200, 2000


@dataclass(frozen=True)
class Attendee:
    party: str  # key of PARTIES
    name: str
    position: str = ""

    @property
    def party_label(self) -> str:
        return PARTIES.get(self.party, self.party)


@dataclass(frozen=True)
class MeetingForm:
    date: dt.date
    place: str
    attendees: tuple[Attendee, ...]
    topics: tuple[str, ...] = ()  # keys of TOPICS
    notes: str = ""  # what was explained, in the recorder's words
    confirmed_by: str = ""  # the insured's representative who confirmed the record
    confirmed_on: dt.date | None = None


@dataclass(frozen=True)
class MeetingRow:
    id: int
    project_id: int
    date: dt.date
    place: str
    attendees: tuple[Attendee, ...]
    topics: tuple[str, ...]
    notes: str
    confirmed_by: str
    confirmed_on: dt.date | None
    earlier_attendees: str  # free text of a record made before attendees were kept by party
    sheets: int  # sign-in sheet files attached
    version: int

    @property
    def confirmed(self) -> bool:
        return bool(self.confirmed_by) and self.confirmed_on is not None

    @property
    def topic_labels(self) -> tuple[str, ...]:
        return tuple(TOPICS[t] for t in TOPICS if t in self.topics)

    def count(self, party: str) -> int:
        return sum(1 for a in self.attendees if a.party == party)


def _attendees(value: object) -> tuple[Attendee, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(Attendee(str(a.get("party", "")), str(a.get("name", "")), str(a.get("position", "")))
                 for a in value if isinstance(a, dict))


def _row(m: Meeting, sheets: int) -> MeetingRow:
    topics = tuple(str(t) for t in m.topics) if isinstance(m.topics, list) else ()
    return MeetingRow(m.id, m.project_id, m.date, m.location, _attendees(m.attendee_list), topics,
                      m.summary, m.confirmed_by or "", m.confirmed_on, m.attendees or "", sheets,
                      m.version)


def _sheet_counts(session: Session, ids: Sequence[int]) -> dict[int, int]:
    if not ids:
        return {}
    return dict(session.execute(select(Attachment.owner_id, func.count()).where(
        Attachment.owner_type == "meeting", Attachment.owner_id.in_(list(ids)))
        .group_by(Attachment.owner_id)).all())


def _load(session: Session, meeting_id: int) -> Meeting:
    m = session.get(Meeting, meeting_id)
    if m is None or m.deleted_at is not None or m.kind != KIND:
        raise NotFound(msg("服务交底会记录不存在或已删除。"))
    return m


def get(session: Session, meeting_id: int) -> MeetingRow:
    m = _load(session, meeting_id)
    return _row(m, _sheet_counts(session, [m.id]).get(m.id, 0))


def for_project(session: Session, project_id: int) -> list[MeetingRow]:
    found = list(session.execute(select(Meeting).where(
        Meeting.project_id == project_id, Meeting.kind == KIND, Meeting.deleted_at.is_(None))
        .order_by(Meeting.date, Meeting.id)).scalars())
    counts = _sheet_counts(session, [m.id for m in found])
    return [_row(m, counts.get(m.id, 0)) for m in found]


# -- validation -------------------------------------------------------------------------------


def _too_long(text: str, limit: int) -> bool:
    return len(text.strip()) > limit


def validate(form: MeetingForm, *, today: dt.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if form.date > today:
        errors["date"] = msg("交底会日期不能晚于今天")
    if not form.place.strip():
        errors["place"] = msg("请填写会议地点")
    elif _too_long(form.place, PLACE_LEN):
        errors["place"] = msg("会议地点不超过 {n} 字", n=PLACE_LEN)
    problem = _attendee_problem(form.attendees)
    if problem:
        errors["attendees"] = problem
    unknown = [t for t in form.topics if t not in TOPICS]
    if unknown:
        errors["topics"] = msg("未知的交底内容：{topic}", topic=unknown[0])
    elif not form.topics and not form.notes.strip():
        errors["topics"] = msg("请勾选交底内容（服务范围、服务方案、联系人、报告途径）或填写说明")
    if _too_long(form.notes, NOTES_LEN):
        errors["notes"] = msg("交底内容说明不超过 {n} 字", n=NOTES_LEN)
    who, day = form.confirmed_by.strip(), form.confirmed_on
    if who and day is None:
        errors["confirmed_on"] = msg("请填写投保单位确认日期")
    elif day is not None and not who:
        errors["confirmed_by"] = msg("请填写投保单位确认人")
    elif _too_long(who, NAME_LEN):
        errors["confirmed_by"] = msg("确认人姓名不超过 {n} 字", n=NAME_LEN)
    if day is not None and "date" not in errors:
        if day < form.date:
            errors["confirmed_on"] = msg("确认日期不能早于交底会日期")
        elif day > today:
            errors["confirmed_on"] = msg("确认日期不能晚于今天")
    return errors


def _attendee_problem(attendees: Sequence[Attendee]) -> str:
    if not attendees:
        return msg("请登记参会人员")
    if len(attendees) > MAX_ATTENDEES:
        return msg("参会人员不超过 {n} 人", n=MAX_ATTENDEES)
    for n, a in enumerate(attendees, start=1):
        if a.party not in PARTIES:
            return msg("第 {n} 位参会人员的单位类别无效", n=n)
        if not a.name.strip():
            return msg("请填写第 {n} 位参会人员的姓名", n=n)
        if _too_long(a.name, NAME_LEN) or _too_long(a.position, POSITION_LEN):
            return msg("第 {n} 位参会人员的姓名或职务过长（各不超过 {limit} 字）", n=n, limit=NAME_LEN)
    parties = {a.party for a in attendees}
    if "agency" not in parties or "contractor" not in parties:
        return msg("参会人员须包括风控机构和施工单位（投保单位）的人员")
    return ""


def _store_sheet(session: Session, actor: Actor, meeting_id: int, sheet: Path | str | None,
                 store_dir: Path | str | None) -> None:
    if sheet is None or not str(sheet).strip():
        return
    if store_dir is None:
        raise ValidationError({"sign_in_sheet": msg("未设置附件库，无法保存签到表")})
    try:
        attachments.store_file(session, actor, store_dir=store_dir, path=Path(sheet),
                               owner_type="meeting", owner_id=meeting_id,
                               role=AttachmentRole.SCAN, caption=SHEET_CAPTION)
    except ValidationError as exc:  # the file's problem belongs beside the file field
        raise ValidationError({"sign_in_sheet": msg("{problems}", problems=list(
            exc.messages.values()))}) from None


def _apply(m: Meeting, form: MeetingForm) -> None:
    m.date, m.location = form.date, form.place.strip()
    m.attendee_list = [{"party": a.party, "name": a.name.strip(), "position": a.position.strip()}
                       for a in form.attendees]
    m.topics = [t for t in TOPICS if t in form.topics]
    m.summary = form.notes.strip()
    m.confirmed_by = form.confirmed_by.strip()
    m.confirmed_on = form.confirmed_on


# -- the use cases ----------------------------------------------------------------------------


def record(session: Session, actor: Actor, project_id: int, form: MeetingForm, *,
           sign_in_sheet: Path | str | None = None,
           store_dir: Path | str | None = None) -> MeetingRow:
    """Record the project's kick-off meeting (one per project) with its signed sign-in sheet."""
    permissions.require(actor, ACTION)
    load_project(session, project_id)
    errors = validate(form, today=now().date())
    earlier = session.execute(select(Meeting.date).where(
        Meeting.project_id == project_id, Meeting.kind == KIND, Meeting.deleted_at.is_(None))
        .limit(1)).scalar_one_or_none()
    if earlier is not None:
        errors["date"] = msg("该项目已登记服务交底会（{date}），如需更正请修改原记录",
                             date=earlier.isoformat())
    if errors:
        raise ValidationError(errors)
    m = Meeting(project_id=project_id, kind=KIND, created_by_id=actor.user_id, attendees="")
    _apply(m, form)
    session.add(m)
    audit.record_create(session, actor, m, note="登记服务交底会")
    _store_sheet(session, actor, m.id, sign_in_sheet, store_dir)
    return get(session, m.id)


def edit(session: Session, actor: Actor, meeting_id: int, form: MeetingForm, *,
         expected_version: int, sign_in_sheet: Path | str | None = None,
         store_dir: Path | str | None = None) -> MeetingRow:
    """Correct the record or add the confirmation afterwards; a new sheet is added beside the old."""
    permissions.require(actor, ACTION)
    m = _load(session, meeting_id)
    check_version(m, expected_version, msg("服务交底会记录"))
    errors = validate(form, today=now().date())
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(m)
    _apply(m, form)
    audit.record_update(session, actor, m, before)
    _store_sheet(session, actor, m.id, sign_in_sheet, store_dir)
    return get(session, m.id)


def delete(session: Session, actor: Actor, meeting_id: int, *, expected_version: int,
           reason: str) -> None:
    """Move the record to the recycle bin (an administrator may restore it)."""
    _load(session, meeting_id)
    if not reason.strip():
        raise ValidationError({"reason": msg("请填写删除原因")})
    recycle.soft_delete(session, actor, "meetings", meeting_id, expected_version=expected_version,
                        reason=reason)


def sheets(session: Session, meeting_id: int) -> list[attachments.AttachmentRow]:
    _load(session, meeting_id)
    return attachments.list_for(session, "meeting", meeting_id)
