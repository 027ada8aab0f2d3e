"""The demo's signing key and periodic outputs, as a mostly diligent year leaves them.

The agency's signing key is made as `riskdesk init` makes it (signing.setup_key), dated before
the first project. Each past month's, quarter's and year's hazard list, safety analysis and risk
assessment that the self-check expects (compliance.owed_outputs) is drafted by the clerk on a
working day soon after its period, signed by a technical lead that afternoon and logged as sent
to each insurer and authority it goes to (submissions_due.period_recipients) a working day or
two later, before its deadline, through the documents service with the clock pinned to each
moment. A believable few are not so: one output sent a few days late, one never logged as sent
to one of its authorities, and the latest ended
month's outputs signed but not yet sent (or not yet drafted, in its first days), so 待报送
shows a handful.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
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
                     key_dir: Path | str | None, today: dt.date, latest: dt.datetime) -> OutputsDone:
    """Every output of an ended period whose deadline falls from a year back (what the
    dashboard's 待报送 reads) drafted, signed and, all but a few, logged as sent."""
    since = today - dt.timedelta(days=LOOKBACK_DAYS)  # older years' paperwork is not the demo's year
    pids = list(session.execute(select(Project.id).where(Project.deleted_at.is_(None))).scalars())
    done = OutputsDone()
    if not pids:
        return done
    cal = workdays.calendar(session)
    owed: list[tuple[dt.date, Period]] = []
    for year in range(since.year, today.year + 1):
        for p, kind in compliance.owed_outputs(session, parse(str(year)), today, pids):
            due = compliance.output_deadline(session, p, kind)
            if since <= due and p.end < today:
                owed.append((due, p))
    if not owed:
        return done
    owed.sort(key=lambda o: (o[0], o[1].start))
    months = [p for _, p in owed if "-" in p.label]
    unsent = months[-1].label if months else None
    older = [p.label for due, p in owed[:-3] if due < today - dt.timedelta(days=14)]
    late = rng.choice(older) if older else None
    missed = [label for label in older if label != late]
    forgot = rng.choice(missed) if missed else None  # one document never logged to one authority
    with tempfile.TemporaryDirectory(prefix="riskdesk-demo-") as work:
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
                with clock.pinned(at):
                    draft = documents.generate_draft(session, clerk, kind=kind, scope_type="agency", scope_id=None,
                                                     period=p.label, store_dir=store_dir, work_dir=work)
                with clock.pinned(min(at + dt.timedelta(hours=rng.randint(3, 5)), latest)):
                    signed = documents.sign(session, lead, draft.id, expected_version=draft.version,
                                            store_dir=store_dir, work_dir=work, key_dir=key_dir)
                done.signed += 1
                if p.label == unsent or sent_day >= today:
                    done.unsent += 1
                    continue
                moment = max(min(_at(rng, sent_day, 14, 17), latest), signed.signed_at or at)
                channel = rng.choice(CHANNELS)
                with clock.pinned(moment + dt.timedelta(minutes=5)):
                    skipped = recipients[:1] if p.label == forgot and kind == "safety_analysis" else []
                    done.unsent += len(skipped)
                    for role, org in recipients[len(skipped):]:
                        documents.record_submission(session, clerk, signed.id, recipient=role, recipient_org_id=org,
                                                    submitted_at=moment, channel=channel)
                        done.submissions += 1
                done.late += p.label == late
    session.flush()
    return done
