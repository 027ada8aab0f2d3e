"""The one reading of the training frequency rule (N-13), for the dashboard, the self-check and
the project page alike.

A project owes, in each half-year, either the number of sessions its training plan names (basis
"按合同约定") or, by default (basis "每半年集中培训"), at least one centralised session: a session
recorded with the 集中培训 flag. Any session the project attended counts towards a contract's
number; only a flagged one counts as centralised. Sessions count by their date in the half-year.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import TrainingAttendance, TrainingPlan, TrainingSession
from desktop.services.periods import Period


@dataclass(frozen=True)
class Frequency:
    project_id: int
    basis: str  # contract / half_year
    required_sessions: int
    session_ids: tuple[int, ...]  # sessions the project attended in the half-year, by date
    centralized_ids: tuple[int, ...]  # of those, the centralised ones

    @property
    def met(self) -> bool:
        if self.basis == "contract":
            return len(self.session_ids) >= self.required_sessions
        return len(self.centralized_ids) >= 1


def is_centralized(flag: bool | None) -> bool:
    """Whether a session counts as 集中培训: its recorded flag, nothing else."""
    return bool(flag)


def plans(session: Session, project_ids: list[int]) -> dict[int, TrainingPlan]:
    """Each project's current training plan (the newest live one)."""
    out: dict[int, TrainingPlan] = {}
    if not project_ids:
        return out
    for plan in session.execute(select(TrainingPlan).where(
            TrainingPlan.project_id.in_(project_ids), TrainingPlan.deleted_at.is_(None))
            .order_by(TrainingPlan.id)).scalars():
        out[plan.project_id] = plan  # the newest wins
    return out


def frequency(session: Session, half: Period, project_ids: list[int]) -> dict[int, Frequency]:
    """Each project's sessions in the half-year against what its plan asks."""
    attended: dict[int, list[tuple[int, bool]]] = {pid: [] for pid in project_ids}
    if project_ids:
        for pid, sid, flag in session.execute(select(
                TrainingAttendance.project_id, TrainingSession.id, TrainingSession.centralized)
                .join(TrainingSession, TrainingSession.id == TrainingAttendance.session_id).where(
                TrainingAttendance.project_id.in_(project_ids), TrainingSession.deleted_at.is_(None),
                TrainingSession.date.between(half.start, half.end))
                .order_by(TrainingSession.date, TrainingSession.id)):
            attended[pid].append((sid, is_centralized(flag)))
    plan_of = plans(session, project_ids)
    out = {}
    for pid in project_ids:
        plan = plan_of.get(pid)
        basis = plan.basis if plan else "half_year"
        required = plan.planned_sessions if plan and basis == "contract" else 1
        out[pid] = Frequency(pid, basis, required, tuple(s for s, _c in attended[pid]),
                             tuple(s for s, c in attended[pid] if c))
    return out


def unmet(session: Session, half: Period, project_ids: list[int]) -> list[int]:
    """Of these projects, those whose training in the half-year falls short of the rule."""
    return [pid for pid, f in frequency(session, half, project_ids).items() if not f.met]
