"""Editing a training session's roster line by line, and adding a sign-in sheet's people:
each a unit of work with the permission check, validation and an audit entry; the project's
attendance at the session follows its roster (services/training.py `with_roster`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import Project, TrainingAttendance, TrainingAttendee, TrainingSession
from desktop.models.base import utcnow
from desktop.services import audit, permissions, training, training_people
from desktop.services.context import Actor, NotFound, ValidationError, msg
from desktop.services.projects import check_version
from desktop.services.training_people import AttendeeForm, AttendeeRow


def _session_row(session: Session, session_id: int, expected_version: int) -> TrainingSession:
    row = training._load_session(session, session_id)
    check_version(row, expected_version, msg("培训记录"))
    return row


def _check(session: Session, form: AttendeeForm, others: list[AttendeeRow]) -> None:
    project = session.get(Project, form.project_id)
    if project is None or project.deleted_at is not None:
        raise ValidationError({"project_id": msg("参训项目不存在")})
    errors = training_people.problems(form)
    if errors:
        raise ValidationError(errors)
    key = training_people.person_key(form.name, form.phone, form.id_number)
    for other in others:
        if other.project_id == form.project_id and key == training_people.person_key(
                other.name, other.phone, other.id_number):
            raise ValidationError({"name": msg("“{name}”已在本场培训的名单中，不能重复登记",
                                               name=form.name.strip())})


def _follow(session: Session, session_id: int, project_id: int) -> None:
    """The project's attendance line counts its roster (a line added when new; left with its
    typed counts when the roster empties)."""
    counts = training_people.group_counts(training_people.attendees(session, session_id, project_id))
    line = session.execute(select(TrainingAttendance).where(
        TrainingAttendance.session_id == session_id,
        TrainingAttendance.project_id == project_id)).scalar_one_or_none()
    if project_id not in counts:
        return
    if line is None:
        line = TrainingAttendance(session_id=session_id, project_id=project_id, roster="")
        session.add(line)
    line.managers, line.workers = counts[project_id]


def _touch(row: TrainingSession) -> None:
    row.updated_at = utcnow()  # the session's version moves on with its roster


def add_attendee(session: Session, actor: Actor, session_id: int, form: AttendeeForm, *,
                 expected_version: int) -> training.SessionRow:
    permissions.require(actor, "training.edit")
    row = _session_row(session, session_id, expected_version)
    _check(session, form, training_people.attendees(session, session_id))
    person = training_people.new_row(session_id, form)
    session.add(person)
    session.flush()
    _follow(session, session_id, form.project_id)
    _touch(row)
    audit.record(session, actor, action="create", entity="training_attendees", entity_id=person.id,
                 before=None, after=training_people.snapshot(person))
    return training.get_session(session, session_id)


def _attendee(session: Session, session_id: int, attendee_id: int) -> TrainingAttendee:
    person = session.get(TrainingAttendee, attendee_id)
    if person is None or person.session_id != session_id:
        raise NotFound(msg("名单中没有此人（可能已被他人移除）。"))
    return person


def edit_attendee(session: Session, actor: Actor, session_id: int, attendee_id: int,
                  form: AttendeeForm, *, expected_version: int) -> training.SessionRow:
    permissions.require(actor, "training.edit")
    row = _session_row(session, session_id, expected_version)
    person = _attendee(session, session_id, attendee_id)
    _check(session, form, [a for a in training_people.attendees(session, session_id) if a.id != attendee_id])
    before = training_people.snapshot(person)
    old_project = person.project_id
    fresh = training_people.new_row(session_id, form)
    for key in ("project_id", "name", "staff_group", "phone", "id_number", "unit", "person_key"):
        setattr(person, key, getattr(fresh, key))
    session.flush()
    for pid in {old_project, person.project_id}:
        _follow(session, session_id, pid)
    _touch(row)
    audit.record(session, actor, action="update", entity="training_attendees", entity_id=person.id,
                 before=before, after=training_people.snapshot(person))
    return training.get_session(session, session_id)


def remove_attendee(session: Session, actor: Actor, session_id: int, attendee_id: int, *,
                    expected_version: int) -> training.SessionRow:
    permissions.require(actor, "training.edit")
    row = _session_row(session, session_id, expected_version)
    person = _attendee(session, session_id, attendee_id)
    before = training_people.snapshot(person)
    project_id = person.project_id
    session.delete(person)
    session.flush()
    _follow(session, session_id, project_id)
    _touch(row)
    audit.record(session, actor, action="delete", entity="training_attendees", entity_id=attendee_id,
                 before=before, after=None)
    return training.get_session(session, session_id)


def add_attendees(session: Session, actor: Actor, session_id: int, project_id: int,
                  forms: list[AttendeeForm], *, expected_version: int,
                  file_name: str) -> training.SessionRow:
    """Add a sign-in sheet's people (`file_name`, read by services/exchange/training_sheet.py)
    to a recorded session's roster for one project, all or nothing; a person already on the
    roster is refused like a duplicate typed by hand."""
    permissions.require(actor, "training.edit")
    row = _session_row(session, session_id, expected_version)
    current = training_people.attendees(session, session_id)
    problem = training_people.roster_problems([a.form() for a in current] + forms)
    if problem:
        raise ValidationError({"file": msg("与已有名单重复：{problem}", problem=problem)})
    for form in forms:
        _check(session, form, [])
    session.add_all(training_people.new_row(session_id, f) for f in forms)
    session.flush()
    _follow(session, session_id, project_id)
    _touch(row)
    audit.record(session, actor, action="import", entity="training_sessions", entity_id=session_id,
                 before=None, after={"project_id": project_id, "people": len(forms),
                                     "file": file_name}, note="从签到表导入名单")
    return training.get_session(session, session_id)
