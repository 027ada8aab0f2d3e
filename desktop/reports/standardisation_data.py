"""安全生产标准化建设 as plain records: what a plan promises, the assistance given, the counts.

Without ReportLab: `services/standardisation.py` reads them for the project screens; the
layouts (`reports/standardisation_docs.py`) print them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class AssistLine:
    date: dt.date
    items: tuple[str, ...]
    advice: str
    follow_up_on: dt.date | None = None
    follow_up_result: str = ""


@dataclass(frozen=True)
class StandardisationPlan:
    """What the plan promises (the check items) and the assistance already given."""

    check_items: tuple[str, ...]
    done: tuple[AssistLine, ...] = ()


@dataclass(frozen=True)
class StandardisationCount:
    assists: int
    projects: int
    follow_ups: int
