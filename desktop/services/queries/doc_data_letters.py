"""Hazard letters from the database: rectification notice, stop-work, report, closure, refusal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.messages import Series
from desktop.models import Document, Escalation, ExternalReport, Hazard, Inspection, User
from desktop.models.enums import HazardStatus, Recipient, ReportReason, StopWork
from desktop.reports import letters
from desktop.reports.data import (
    ClosureData,
    EscalationData,
    HazardReportData,
    RectificationNoticeData,
    ReportFact,
    StopWorkData,
    TimelineEntry,
)
from desktop.reports.text import cn_date, cn_datetime
from desktop.services.context import ValidationError, msg
from desktop.services.queries.doc_data import (
    Claim,
    Output,
    Request,
    events,
    hazard_info,
    issuer,
    load,
    meta,
    open_hazard,
    org_names,
    output,
    project_info,
    user_name,
)

_SAME_DAY = (ReportReason.LEVEL1.value, ReportReason.SERIOUS_L2.value)
_TO = (Recipient.INSURER.value, Recipient.AUTHORITY.value)


def report_title(h: Hazard) -> str:
    """The report form's title by the hazard's true classification."""
    if h.is_major:
        return "重大事故隐患报告单"
    return "一级隐患报告单" if h.level == 1 else "较严重二级隐患报告单"


def _owed_reports(session: Session, h: Hazard) -> list[ExternalReport]:
    """The hazard's reports to the insurer and the authority (N-07, N-08), insurer first."""
    rows = session.execute(select(ExternalReport).where(
        ExternalReport.hazard_id == h.id, ExternalReport.reason.in_(_SAME_DAY),
        ExternalReport.recipient.in_(_TO)).order_by(ExternalReport.id)).scalars().all()
    return sorted(rows, key=lambda r: _TO.index(r.recipient))


def _facts(session: Session, rows: list[ExternalReport]) -> tuple[ReportFact, ...]:
    names = org_names(session, (r.recipient_org_id for r in rows))
    return tuple(ReportFact(Recipient(r.recipient).label, names.get(r.recipient_org_id, ""),
                            r.reported_at if r.status == "done" else None, r.channel)
                 for r in rows)


def _check_dates(h: Hazard, issued: dt.date) -> None:
    """A letter about a hazard is dated on or after the day it was found."""
    if issued < h.found_date:
        raise ValidationError({"date": msg(
            "发文日期（{issued}）早于隐患 {number} 的发现日期（{found}），不能出具",
            issued=cn_date(issued), number=h.number, found=cn_date(h.found_date))})
from desktop.services.hazards import STEPS


def _reply_by(found: list[Hazard], issued: dt.date) -> dt.date | None:
    """The earliest deadline among the hazards still to be rectified (closed ones need no reply),
    never before the issue date; hazards all closed and past their deadline are refused as closed."""
    pending = [h for h in found if h.status != HazardStatus.CLOSED.value]
    deadlines = sorted(h.deadline for h in (pending or found) if h.deadline is not None)
    if not deadlines or deadlines[0] >= issued:
        return deadlines[0] if deadlines else None
    if not pending:
        late = [h.number for h in found if h.deadline is not None and h.deadline < issued]
        raise ValidationError({"scope_id": msg(
            "隐患 {numbers} 已销项，整改期限（{deadline}）已过，无需再出具整改通知书",
            numbers=Series(late), deadline=cn_date(deadlines[0]))})
    raise ValidationError({"deadline": msg(
        "整改回复期限（{reply_by}）早于发文日期（{issued}）：请先调整整改期限再出具整改通知书",
        reply_by=cn_date(deadlines[0]), issued=cn_date(issued))})


@output("rectification_notice")
def _notice(session: Session, req: Request, store_dir: Path | str) -> Output:
    if req.scope_type == "hazard":
        found = [open_hazard(session, req.scope_id)]
        first = found[0].inspection_id
        inspection = session.get(Inspection, first) if first is not None else None
    else:
        inspection = load(session, Inspection, req.scope_id, msg("检查记录"))
        found = list(session.execute(select(Hazard).where(
            Hazard.inspection_id == inspection.id, Hazard.deleted_at.is_(None),
            Hazard.status != HazardStatus.CANCELLED.value).order_by(Hazard.number)).scalars())
        if not found:
            raise ValidationError({"scope_id": msg("该次检查未发现隐患，无需出具整改通知书")})
        units = org_names(session, {h.responsible_unit_id for h in found})
        if len({h.responsible_unit_id for h in found}) > 1:
            raise ValidationError({"scope_id": msg(
                "该次检查的隐患涉及多个责任单位（{units}），请按隐患分别出具整改通知书",
                units=Series(units.values()))})
    project = project_info(session, found[0].project_id)
    infos = tuple(hazard_info(session, h, store_dir, project_name=project.name) for h in found)
    copy_to = tuple(dict.fromkeys(x for x in (infos[0].supervising_unit or project.supervisor,
                                              project.insurer) if x))
    for h in found:
        _check_dates(h, req.date)
    reply_by = _reply_by(found, req.date)
    data = RectificationNoticeData(
        meta(session, req, "隐患整改通知书", store_dir), project,
        infos[0].responsible_unit or project.contractor,
        inspection.date if inspection is not None else found[0].found_date, infos,
        issuer=issuer(req), copy_to=copy_to, reply_by=reply_by)
    return Output(data, data.meta.title, letters.build_rectification_notice)


def _check_not_closed(h: Hazard, req: Request) -> None:
    """A stop-work letter asks for work to stop until a hazard is rectified: none is drafted for
    a hazard already closed. A signed letter is drawn again (its Word copy) on its signing day:
    it stands unless the hazard was closed before that day."""
    if h.status != HazardStatus.CLOSED.value:
        return
    if h.closed_at is None:
        raise ValidationError({"scope_id": msg(
            "隐患 {number} 已销项，不能再出具停工（局部停工）建议书", number=h.number)})
    closed = h.closed_at.date()  # the agency's day (AgencyTime)
    if req.draft or closed < req.date:
        raise ValidationError({"scope_id": msg(
            "隐患 {number} 已于{closed}销项，不能再出具停工（局部停工）建议书",
            number=h.number, closed=cn_date(closed))})


@output("stop_work")
def _stop_work(session: Session, req: Request, store_dir: Path | str) -> Output:
    h = open_hazard(session, req.scope_id)
    if h.stop_work not in letters.STOP_WORK_TITLES:
        raise ValidationError({"scope_id": msg(
            "隐患 {number} 未提出停工或局部停工建议，不能出具停工建议书", number=h.number)})
    _check_dates(h, req.date)
    _check_not_closed(h, req)
    project = project_info(session, h.project_id)
    info = hazard_info(session, h, store_dir, project_name=project.name)
    owed = _owed_reports(session, h)
    facts = _facts(session, owed)
    data = StopWorkData(
        meta(session, req, letters.STOP_WORK_TITLES[h.stop_work], store_dir), project, info,
        info.responsible_unit or project.contractor,
        scope=h.location if h.stop_work == "partial" else "", issuer=issuer(req),
        copy_to=tuple(x for x in (project.owner, info.supervising_unit or project.supervisor) if x),
        reports=facts)
    claims = tuple(Claim(h.id, r.recipient, _SAME_DAY,
                         h.found_date if letters.reported_same_day(facts, h.found_date) else None)
                   for r in owed if r.status == "done")
    return Output(data, data.meta.title, letters.build_stop_work_suggestion, claims=claims)


@output("hazard_report")
def _hazard_report(session: Session, req: Request, store_dir: Path | str) -> Output:
    h = open_hazard(session, req.scope_id)
    if not (h.level == 1 or (h.level == 2 and h.is_serious)):
        raise ValidationError({"scope_id": msg(
            "隐患 {number} 不是一级隐患或较严重的二级隐患，无需报告单", number=h.number)})
    _check_dates(h, req.date)
    project = project_info(session, h.project_id)
    reason = ReportReason.LEVEL1 if h.level == 1 else ReportReason.SERIOUS_L2
    owed = [r for r in _owed_reports(session, h) if r.reason == reason.value]
    reported = [(r.reported_at, r) for r in owed if r.status == "done" and r.reported_at is not None]
    done = [r for _, r in reported]
    for at, _ in reported:
        if at < h.found_at:
            raise ValidationError({"reported_at": msg(
                "登记的报告时间（{at}）早于隐患发现时间（{found}），请先核对报送记录",
                at=cn_datetime(at), found=cn_datetime(h.found_at))})
    first = min(reported, key=lambda pair: pair[0])[1] if reported else None
    reporter = session.get(User, first.reported_by_id) \
        if first is not None and first.reported_by_id else None
    actions = [f"{cn_datetime(h.found_at)}现场提出"
               + (f"{StopWork(h.stop_work).label}建议" if h.stop_work != "none" else "整改意见")]
    stop = session.execute(select(Document.number).where(
        Document.kind == "stop_work", Document.scope_type == "hazard", Document.scope_id == h.id,
        Document.status == "signed")).scalar_one_or_none()
    if stop:
        actions.append(f"出具{letters.STOP_WORK_TITLES.get(h.stop_work, '停工建议书')}（{stop}）")
    if events(session, h.id, "issue_notice"):
        actions.append("下发隐患整改通知书")
    data = HazardReportData(
        meta(session, req, report_title(h), store_dir), project,
        hazard_info(session, h, store_dir, project_name=project.name), reason.label,
        tuple(x for x in (project.insurer, project.authority) if x),
        actions_taken="；".join(actions) + "。",
        reporter=reporter.display_name if reporter is not None else req.prepared_by,
        reporter_phone=reporter.phone if reporter is not None else "",
        reported_at=first.reported_at if first is not None else None,
        reports=_facts(session, owed), reviewer=issuer(req))
    claims = tuple(Claim(h.id, r.recipient, (reason.value,)) for r in done)
    return Output(data, data.meta.title, letters.build_hazard_report, claims=claims)


@output("closure_record")
def _closure(session: Session, req: Request, store_dir: Path | str) -> Output:
    h = open_hazard(session, req.scope_id)
    steps = events(session, h.id, "submit_closure", "verify_close", "reject")
    submits = [e for e in steps if e.kind == "submit_closure"]
    if not submits:
        raise ValidationError({"scope_id": msg("隐患 {number} 尚未登记整改销项材料", number=h.number)})
    verdicts = [e for e in steps if e.kind != "submit_closure" and e.id > submits[-1].id]
    if not verdicts:
        raise ValidationError({"scope_id": msg(
            "隐患 {number} 尚未复查：复查销项或退回后再出具复查销项单", number=h.number)})
    submit, verdict = submits[-1], verdicts[-1]
    accepted = verdict.kind == "verify_close"
    checked = (verdict.data or {}).get("reinspection_date")
    supervisor = str((submit.data or {}).get("supervisor_name", "")).strip()
    findings = verdict.note or ("现场复查，整改已落实到位。" if accepted else "整改不到位，退回继续整改。")
    project = project_info(session, h.project_id)
    data = ClosureData(
        meta(session, req, "复查销项单", store_dir), project,
        hazard_info(session, h, store_dir, project_name=project.name),
        submit.note or "责任单位已按整改要求完成整改，并提交整改前后照片。", submit.at.date(),
        f"经监理单位核查，整改已落实（确认人：{supervisor}）。" if supervisor else "", supervisor,
        dt.date.fromisoformat(checked) if checked else verdict.at.date(),
        user_name(session, verdict.user_id), findings, accepted, reviewer=issuer(req))
    return Output(data, data.meta.title, letters.build_closure_record)


def _timeline(session: Session, hazard_id: int) -> tuple[TimelineEntry, ...]:
    out = []
    for e in events(session, hazard_id):
        data = e.data or {}
        if e.kind == "recorded":
            text = "登记隐患"
        elif e.kind == "reported":
            text = (f"向{Recipient(data['recipient']).label}报告（{data.get('channel', '')}）"
                    if Recipient.known(data.get("recipient")) else "对外报告")
        elif e.kind == "record_delivery":
            text = f"整改通知送达，签收人：{data.get('received_by', '')}"
        elif e.kind == "escalate":
            text = "登记" + ("拒不整改" if data.get("kind") == "refusal" else "拖延整改")
        else:
            text = STEPS[e.kind].label if e.kind in STEPS else e.kind
        out.append(TimelineEntry(e.at.date(), text + (f"：{e.note}" if e.note else "")))
    return tuple(out)


@output("refusal_report")
def _refusal(session: Session, req: Request, store_dir: Path | str) -> Output:
    esc = load(session, Escalation, req.scope_id, msg("拒不整改/拖延整改记录"))
    h = load(session, Hazard, esc.hazard_id, msg("隐患"))
    project = project_info(session, h.project_id)
    data = EscalationData(
        meta(session, req, letters.ESCALATION_TITLES[esc.kind], store_dir), project, esc.kind,
        (hazard_info(session, h, store_dir, project_name=project.name),),
        tuple(x for x in (project.insurer, project.authority, project.owner) if x),
        _timeline(session, h.id), esc.note, reviewer=issuer(req))
    return Output(data, data.meta.title, letters.build_escalation_report)
