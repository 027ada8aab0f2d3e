"""The demo's signing key and periodic outputs, as a mostly diligent year leaves them.

The agency's signing key is made as `riskdesk init` makes it (signing.setup_key), dated before
the first project. Each past month's, quarter's and year's hazard list, safety analysis and risk
assessment that the self-check expects (compliance.owed_outputs) is drafted by the clerk on a
working day soon after its period, signed by a technical lead that afternoon and logged as sent
to each insurer and authority it goes to (submissions_due.period_recipients) a working day or
two later, before its deadline, through the documents service with the clock pinned to each
moment — each step run when the demo's timeline reaches it, so it reads the records as they
stood then. A believable few are not so: one output sent a few days late, one never logged as sent
to one of its authorities, and the latest ended
month's outputs signed but not yet sent (or not yet drafted, in its first days), so 待报送
shows a handful.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop import clock
from desktop.models import Project
from desktop.services import compliance, documents, signing, workdays
from desktop.services.context import Actor
from desktop.services.periods import Period, parse
from desktop.services.submissions_due import LOOKBACK_DAYS, period_recipients

CHANNELS = ("系统", "邮件", "系统", "书面")  # most go through the insurers' and authorities' systems


@dataclass
class OutputsDone:
    signed: int = 0
    submissions: int = 0
    late: int = 0
    unsent: int = 0  # outputs of ended periods not yet logged as sent


def agency_key(session: Session, admin: Actor, key_dir: Path | str, at: dt.datetime) -> None:
    """The agency's signing key, made (or an existing one confirmed) with the clock at `at`."""
    with clock.pinned(at):
        signing.setup_key(session, data_dir=key_dir, actor=admin)


def _working(cal: workdays.Calendar, day: dt.date) -> dt.date:
    while not cal.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _at(rng: random.Random, day: dt.date, first: int, last: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(first, last), rng.randint(0, 59)))


def periodic_outputs(session: Session, *, clerk: Actor, lead: Actor, rng: random.Random, store_dir: Path,
                     key_dir: Path | str | None, today: dt.date, latest: dt.datetime, work: Path,
                     done: OutputsDone) -> list[Iterator[dt.datetime]]:
    """Every output of an ended period whose deadline falls from a year back (what the
    dashboard's 待报送 reads) drafted, signed and, all but a few, logged as sent: one walk an
    output, each yielding the moment of its next step (draft, signature, submissions) for the
    demo's timeline to run it then, so the output reads the records as they stood that moment
    (a hazard list signed in January shows no closure of February). `done` counts as they run."""
    since = today - dt.timedelta(days=LOOKBACK_DAYS)  # older years' paperwork is not the demo's year
    pids = list(session.execute(select(Project.id).where(Project.deleted_at.is_(None))).scalars())
    if not pids:
        return []
    cal = workdays.calendar(session)
    owed: list[tuple[dt.date, Period]] = []
    for year in range(since.year, today.year + 1):
        for p, kind in compliance.owed_outputs(session, parse(str(year)), today, pids):
            due = compliance.output_deadline(session, p, kind)
            if since <= due and p.end < today:
                owed.append((due, p))
    if not owed:
        return []
    owed.sort(key=lambda o: (o[0], o[1].start))
    months = [p for _, p in owed if "-" in p.label]
    unsent = months[-1].label if months else None
    older = [p.label for due, p in owed[:-3] if due < today - dt.timedelta(days=14)]
    late = rng.choice(older) if older else None
    missed = [label for label in older if label != late]
    forgot = rng.choice(missed) if missed else None  # one document never logged to one authority
    walks: list[Iterator[dt.datetime]] = []
    for due, p in owed:
        drafted = _working(cal, p.end + dt.timedelta(days=rng.randint(1, 3)))
        if drafted >= today:  # its period has only just ended: not drafted yet
            done.unsent += len(compliance.DOC_KINDS)
            continue
        if p.label == late:
            sent_day = _working(cal, due + dt.timedelta(days=rng.randint(2, 6)))
        else:
            sent_day = _working(cal, drafted + dt.timedelta(days=rng.randint(0, 2)))
            if sent_day >= due:
                sent_day = drafted
        recipients = period_recipients(session, p, upto=today)
        for kind in compliance.DOC_KINDS:
            at = min(_at(rng, drafted, 9, 11), latest)
            job = _Job(p, kind, at, min(at + dt.timedelta(hours=rng.randint(3, 5)), latest),
                       None if p.label == unsent or sent_day >= today else _at(rng, sent_day, 14, 17),
                       rng.choice(CHANNELS), recipients,
                       recipients[:1] if p.label == forgot and kind == "safety_analysis" else [],
                       p.label == late)
            walks.append(_output(session, job, clerk=clerk, lead=lead, store_dir=store_dir, key_dir=key_dir,
                                 latest=latest, work=work, done=done))
    return walks


@dataclass(frozen=True)
class _Job:
    """One periodic output: its moments drawn ahead, run when the timeline reaches each."""

    period: Period
    kind: str
    drafted: dt.datetime
    signed: dt.datetime
    sent: dt.datetime | None  # None: left unsent
    channel: str
    recipients: list[tuple[str, int]]
    skipped: list[tuple[str, int]]  # never logged as sent to these
    late: bool


def _output(session: Session, job: _Job, *, clerk: Actor, lead: Actor, store_dir: Path,
            key_dir: Path | str | None, latest: dt.datetime, work: Path,
            done: OutputsDone) -> Iterator[dt.datetime]:
    yield job.drafted
    with clock.pinned(job.drafted):
        draft = documents.generate_draft(session, clerk, kind=job.kind, scope_type="agency", scope_id=None,
                                         period=job.period.label, store_dir=store_dir, work_dir=work)
    yield job.signed
    with clock.pinned(job.signed):
        signed = documents.sign(session, lead, draft.id, expected_version=draft.version,
                                store_dir=store_dir, work_dir=work, key_dir=key_dir)
    done.signed += 1
    if job.sent is None:
        done.unsent += 1
        return
    moment = max(min(job.sent, latest), signed.signed_at or job.signed)
    yield moment
    with clock.pinned(moment + dt.timedelta(minutes=5)):
        done.unsent += len(job.skipped)
        for role, org in job.recipients[len(job.skipped):]:
            documents.record_submission(session, clerk, signed.id, recipient=role, recipient_org_id=org,
                                        submitted_at=moment, channel=job.channel)
            done.submissions += 1
    done.late += job.late
