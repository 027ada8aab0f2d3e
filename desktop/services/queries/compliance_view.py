"""The compliance page's work off the GUI thread: scope choices, the self-check written as a working
copy (PDF or XLSX), and a manual answer kept together with the file it rests on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import AgencyProfile, Organisation, Project
from desktop.models.enums import AttachmentRole
from desktop.services import compliance
from desktop.services.checklist_items import ChecklistResult, ManualAnswer
from desktop.services.context import Actor, NotFound, ValidationError, msg, now
from desktop.services.periods import Period, parse

WORKING_COPY = "工作稿（未编号）"  # as the command line prints it: a file, not a register entry
TITLE = "安责险第三方风控服务机构检查表（自查）"
KINDS = ("quarter", "half", "year", "month")


@dataclass(frozen=True)
class ScopeChoices:
    projects: tuple[tuple[int, str], ...]  # (id, "name（code）")
    insurers: tuple[tuple[int, str], ...]
    authorities: tuple[tuple[int, str], ...]


def scope_choices(session: Session) -> ScopeChoices:
    projects = tuple((r.id, f"{r.name}（{r.code}）") for r in session.execute(
        select(Project.id, Project.name, Project.code).where(Project.deleted_at.is_(None))
        .order_by(Project.code)))

    def orgs(kind: str) -> tuple[tuple[int, str], ...]:
        stmt = select(Organisation.id, Organisation.name).where(Organisation.kind == kind)
        return tuple((r.id, r.name) for r in session.execute(stmt.order_by(Organisation.name)))

    return ScopeChoices(projects, orgs("insurer"), orgs("authority"))


def periods(kind: str, today: dt.date, *, years: int = 3) -> list[Period]:
    """The periods of a kind begun by today, newest first, reaching back `years` calendar years."""
    if kind not in KINDS:
        raise ValueError(kind)
    out = []
    for year in range(today.year, today.year - years, -1):
        labels = {"quarter": [f"{year}Q{n}" for n in (4, 3, 2, 1)],
                  "half": [f"{year}H2", f"{year}H1"], "year": [str(year)],
                  "month": [f"{year}-{m:02d}" for m in range(12, 0, -1)]}[kind]
        out += [p for p in map(parse, labels) if p.start <= today]
    return out


def export_selfcheck(session: Session, result: ChecklistResult, *, path: Path | str,
                     store_dir: Path | str | None = None, prepared_by: str = "") -> Path:
    """Write the evaluated checklist as a working copy: .pdf or .xlsx by the file's suffix."""
    from desktop.reports import selfcheck  # the layout (ReportLab) on first export

    # the document data on first export: the page opens without them (issue 16)
    from desktop.services.queries import doc_data, doc_data_periodic

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        raise ValidationError({"path": msg("导出文件须为 .pdf 或 .xlsx 格式")})
    req = doc_data.Request("self_check", result.scope_type, result.scope_id, now().date(),
                           result.period.label, WORKING_COPY, draft=True, prepared_by=prepared_by)
    data = doc_data_periodic.selfcheck_data(result, doc_data.meta(session, req, TITLE, store_dir),
                                            prepared_by=prepared_by)
    target.parent.mkdir(parents=True, exist_ok=True)
    build = selfcheck.build_selfcheck_pdf if suffix == ".pdf" else selfcheck.build_selfcheck_xlsx
    return build(data, target)


def answer_with_file(session: Session, actor: Actor, item: str, *, period: Period | str,
                     scope_type: str, scope_id: int | None, answer: str, note: str,
                     evidence: Path | str | None = None,
                     store_dir: Path | str | None = None) -> ManualAnswer:
    """compliance.answer_manual, with the document it rests on (the rules, an evaluation letter)
    kept among the agency's files and named in the note; both or neither are saved."""
    label = (parse(period) if isinstance(period, str) else period).label
    text = note.strip()
    if evidence is not None and str(evidence).strip():
        if store_dir is None:
            raise ValueError("store_dir is needed to keep the evidence file")
        profile = session.execute(select(AgencyProfile.id).order_by(AgencyProfile.id).limit(1)) \
            .scalar_one_or_none()
        if profile is None:
            raise NotFound(msg("尚未登记风控机构信息，不能保存依据文件。"))
        if text:  # an empty note is refused by answer_manual before any file is kept
            from desktop.services.exchange import attachments  # with its image code, on use

            try:
                stored = attachments.store_file(
                    session, actor, store_dir=store_dir, path=Path(evidence), owner_type="agency",
                    owner_id=profile, role=AttachmentRole.EVIDENCE,
                    caption=f"自查 {item} {label} 依据")
            except ValidationError as exc:
                problems = msg("{problems}", problems=list(exc.messages.values()))
                raise ValidationError({"evidence": problems}) from None
            text = f"{text}（依据文件：{stored.original_name}）"
    return compliance.answer_manual(session, actor, item, period=label, scope_type=scope_type,
                                    scope_id=scope_id, answer=answer, note=text)
