"""The kick-off meeting record (服务交底会记录) from the database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models import Attachment, Meeting, Project
from desktop.reports import meeting_docs
from desktop.reports.meeting_docs import AttendeeLine, KickoffRecordData
from desktop.services import meetings
from desktop.services.queries.doc_data import (
    Output,
    Request,
    issuer,
    latest_policy,
    meta,
    org_names,
    output,
    photos,
    project_info,
    user_name,
)


def _units(session: Session, project: Project, agency: str) -> dict[str, str]:
    """The organisation of each party of the meeting, by party key."""
    policy = latest_policy(session, project.id)
    names = org_names(session, (project.owner_id, project.contractor_id, project.supervisor_id,
                                policy.insurer_id if policy else None))
    return {"owner": names.get(project.owner_id, ""), "contractor": names.get(project.contractor_id, ""),
            "supervisor": names.get(project.supervisor_id, ""),
            "insurer": names.get(policy.insurer_id, "") if policy else "", "agency": agency}


@output("kickoff_record")
def _kickoff(session: Session, req: Request, store_dir: Path | str) -> Output:
    if req.scope_id is None:  # check_scope refuses a meeting scope without an id
        raise ValueError("a kickoff record is about one meeting")
    row = meetings.get(session, req.scope_id)
    m = session.get_one(Meeting, row.id)
    doc_meta = meta(session, req, "服务交底会记录", store_dir)
    project = session.get_one(Project, row.project_id)
    units = _units(session, project, doc_meta.agency.name)
    sheets = session.execute(select(func.count()).select_from(Attachment).where(
        Attachment.owner_type == "meeting", Attachment.owner_id == row.id)).scalar_one()
    data = KickoffRecordData(
        doc_meta, project_info(session, row.project_id), row.date, row.place,
        tuple(AttendeeLine(str(a.party_label), units.get(a.party, ""), a.name, a.position)
              for a in row.attendees),
        tuple((str(label), key in row.topics) for key, label in meetings.TOPICS.items()),
        row.notes, row.earlier_attendees, row.confirmed_by, row.confirmed_on,
        photos(session, store_dir, "meeting", row.id), sheets,
        user_name(session, m.created_by_id), issuer(req))
    return Output(data, data.meta.title, meeting_docs.build_kickoff_record)
