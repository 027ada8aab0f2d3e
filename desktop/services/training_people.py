"""Training by person (N-13, C-4b "覆盖全部" means people): who is on a session's roster, how a
person is told apart from another, and how many distinct people a project trained.

Who is the same person, within one project:
1. the ID number (身份证号) when it is given;
2. else the name together with the phone number;
3. else the name alone.
A roster line is refused when the same session and project already hold that person.

Distinct people per group in a half-year: the people named on the rosters of the sessions held in
it, each counted once (in the group of his or her latest session). A session recorded with counts
only (no roster for that project) cannot be told apart person by person: such counts are taken
as at least that many people, never added up across sessions — so a group's figure is the larger
of the named people and the largest count of any one such session.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import TrainingAttendance, TrainingAttendee, TrainingSession
from desktop.services.context import msg
from desktop.services.periods import Period

GROUPS = {"manager": "管理人员", "worker": "作业人员"}
GROUP_WORDS = {"管理人员": "manager", "管理": "manager", "管理层": "manager", "作业人员": "worker",
               "作业": "worker", "施工人员": "worker", "工人": "worker", "作业工人": "worker"}
_ID = re.compile(r"^(\d{17}[\dX]|\d{15})$")
_PHONE = re.compile(r"^\+?[\d\-\s]{7,20}$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


@dataclass(frozen=True)
class AttendeeForm:
    project_id: int
    name: str
    group: str  # manager / worker
    phone: str = ""
    id_number: str = ""
    unit: str = ""


@dataclass(frozen=True)
class AttendeeRow:
    id: int
    session_id: int
    project_id: int
    name: str
    group: str
    phone: str
    id_number: str
    unit: str

    @property
    def group_label(self) -> str:
        return GROUPS.get(self.group, self.group)

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def contact(self) -> str:
        """What lists and print show: the masked ID number, else the masked phone."""
        return self.masked_id or self.masked_phone

    def form(self) -> AttendeeForm:
        return AttendeeForm(self.project_id, self.name, self.group, self.phone, self.id_number, self.unit)


def id_check_digit(first17: str) -> str:
    """The check character of an 18-digit ID number (GB 11643) for its first 17 digits."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def clean_id(text: str) -> str:
    return re.sub(r"\s", "", text or "").upper()


def clean_phone(text: str) -> str:
    return re.sub(r"\s", "", text or "")


def mask_id(id_number: str) -> str:
    """3306**********1234: the first four and the last four characters."""
    n = clean_id(id_number)
    return "" if not n else n[:4] + "*" * max(0, len(n) - 8) + n[-4:] if len(n) > 8 else "*" * len(n)


def mask_phone(phone: str) -> str:
    """138****5678: the first three and the last four digits."""
    p = clean_phone(phone)
    return "" if not p else p[:3] + "*" * max(0, len(p) - 7) + p[-4:] if len(p) > 7 else p


def person_key(name: str, phone: str = "", id_number: str = "") -> str:
    """How a person is told apart within a project: ID number, else name + phone, else name."""
    if clean_id(id_number):
        return "id:" + clean_id(id_number)
    digits = re.sub(r"\D", "", phone or "")
    if digits:
        return f"np:{name.strip()}|{digits}"
    return "n:" + name.strip()


def problems(form: AttendeeForm) -> dict[str, str]:
    """What is wrong with one roster line, by field (Chinese messages)."""
    errors: dict[str, str] = {}
    name = form.name.strip()
    if not name:
        errors["name"] = msg("请填写姓名")
    elif len(name) > 50:
        errors["name"] = msg("姓名不超过 50 字")
    if form.group not in GROUPS:
        errors["group"] = msg("类别须为“管理人员”或“作业人员”")
    phone = clean_phone(form.phone)
    if phone and not _PHONE.match(phone):
        errors["phone"] = msg("电话号码只能含数字、“+”和“-”，7 到 20 位")
    id_number = clean_id(form.id_number)
    if id_number:
        if not _ID.match(id_number):
            errors["id_number"] = msg("身份证号应为 18 位（末位可为 X）或 15 位数字")
        elif len(id_number) == 18 and id_check_digit(id_number[:17]) != id_number[17]:
            errors["id_number"] = msg("身份证号校验位不符，请核对")
    if len(form.unit.strip()) > 100:
        errors["unit"] = msg("单位名称不超过 100 字")
    return errors


def cleaned(form: AttendeeForm) -> AttendeeForm:
    return AttendeeForm(form.project_id, form.name.strip(), form.group, clean_phone(form.phone),
                        clean_id(form.id_number), form.unit.strip())


def roster_problems(forms: Sequence[AttendeeForm]) -> str | None:
    """The first problem of a whole roster (line number, then what), or None."""
    seen: dict[tuple[int, str], int] = {}
    for i, form in enumerate(forms, start=1):
        errors = problems(form)
        if errors:
            return msg("名单第 {row} 行（{name}）：{problem}", row=i, name=form.name.strip() or "—",
                       problem=next(iter(errors.values())))
        key = (form.project_id, person_key(form.name, form.phone, form.id_number))
        if key in seen:
            return msg("名单第 {row} 行（{name}）与第 {first} 行是同一人，同一场培训不能重复登记",
                       row=i, name=form.name.strip(), first=seen[key])
        seen[key] = i
    return None


def snapshot(row: TrainingAttendee) -> dict[str, object]:
    """An attendee for the audit log, the ID number and phone masked as everywhere people read."""
    return {"session_id": row.session_id, "project_id": row.project_id, "name": row.name,
            "staff_group": row.staff_group, "phone": mask_phone(row.phone),
            "id_number": mask_id(row.id_number), "unit": row.unit}


def new_row(session_id: int, form: AttendeeForm) -> TrainingAttendee:
    f = cleaned(form)
    return TrainingAttendee(session_id=session_id, project_id=f.project_id, name=f.name,
                            staff_group=f.group, phone=f.phone, id_number=f.id_number, unit=f.unit,
                            person_key=person_key(f.name, f.phone, f.id_number))


def to_row(a: TrainingAttendee) -> AttendeeRow:
    return AttendeeRow(a.id, a.session_id, a.project_id, a.name, a.staff_group, a.phone,
                       a.id_number, a.unit)


def attendees(session: Session, session_id: int, project_id: int | None = None) -> list[AttendeeRow]:
    stmt = select(TrainingAttendee).where(TrainingAttendee.session_id == session_id)
    if project_id is not None:
        stmt = stmt.where(TrainingAttendee.project_id == project_id)
    return [to_row(a) for a in session.execute(stmt.order_by(
        TrainingAttendee.project_id, TrainingAttendee.staff_group, TrainingAttendee.id)).scalars()]


def group_counts(forms: Iterable[AttendeeForm | AttendeeRow]) -> dict[int, tuple[int, int]]:
    """Per project: (managers, workers) on a roster."""
    out: dict[int, list[int]] = {}
    for f in forms:
        counts = out.setdefault(f.project_id, [0, 0])
        counts[0 if f.group == "manager" else 1] += 1
    return {pid: (m, w) for pid, (m, w) in out.items()}


@dataclass(frozen=True)
class People:
    """Distinct people of one project trained in a half-year, and the attendances (人次)."""

    managers: int = 0
    workers: int = 0
    manager_attendances: int = 0
    worker_attendances: int = 0
    named: int = 0  # how many of the people are known by name from rosters


def people_trained(session: Session, half: Period, project_ids: list[int]) -> dict[int, People]:
    """Distinct managers and workers each project trained in the half-year (rule in the module text)."""
    if not project_ids:
        return {}
    in_half = (TrainingSession.deleted_at.is_(None), TrainingSession.date.between(half.start, half.end))
    latest: dict[int, dict[str, tuple[tuple[Any, ...], str]]] = {pid: {} for pid in project_ids}
    rostered: set[tuple[int, int]] = set()
    for pid, sid, key, group, day in session.execute(select(
            TrainingAttendee.project_id, TrainingAttendee.session_id, TrainingAttendee.person_key,
            TrainingAttendee.staff_group, TrainingSession.date)
            .join(TrainingSession, TrainingSession.id == TrainingAttendee.session_id)
            .where(TrainingAttendee.project_id.in_(project_ids), *in_half)):
        rostered.add((pid, sid))
        seen = latest[pid].get(key)
        if seen is None or (day, sid) >= seen[0]:
            latest[pid][key] = ((day, sid), group)
    unnamed: dict[int, list[int]] = {pid: [0, 0] for pid in project_ids}
    attendances: dict[int, list[int]] = {pid: [0, 0] for pid in project_ids}
    for pid, sid, managers, workers in session.execute(select(
            TrainingAttendance.project_id, TrainingAttendance.session_id, TrainingAttendance.managers,
            TrainingAttendance.workers).join(TrainingSession, TrainingSession.id == TrainingAttendance.session_id)
            .where(TrainingAttendance.project_id.in_(project_ids), *in_half)):
        attendances[pid][0] += managers
        attendances[pid][1] += workers
        if (pid, sid) not in rostered:
            unnamed[pid][0] = max(unnamed[pid][0], managers)
            unnamed[pid][1] = max(unnamed[pid][1], workers)
    out = {}
    for pid in project_ids:
        groups = [g for _k, g in latest[pid].values()]
        named_m, named_w = groups.count("manager"), groups.count("worker")
        out[pid] = People(max(named_m, unnamed[pid][0]), max(named_w, unnamed[pid][1]),
                          attendances[pid][0], attendances[pid][1], len(groups))
    return out
