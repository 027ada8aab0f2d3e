"""Review packages for insurers (N-18): one signed zip of documents, registers, photos, a cover."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import ColumnElement, Select, exists, func, or_, select, true
from sqlalchemy.orm import Session

from desktop import __version__
from desktop.config import Config
from desktop.db import Database
from desktop.fileutil import atomic_writer
from desktop.messages import Series
from desktop.models import (
    Attachment,
    Document,
    Hazard,
    Organisation,
    Policy,
    Project,
    TrainingAttendance,
    TrainingSession,
)
from desktop.models.enums import AttachmentRole, HazardStatus, Labelled, ProjectStatus, RiskLevel
from desktop.reports.data import AgencyInfo, DocMeta, RegisterData, RegisterLine
from desktop.reports.text import cn_date, cn_datetime
from desktop.reports.xlsx_stream import SheetLayout, XlsxWriter
from desktop.services import (
    agency,
    audit,
    checkpoints,
    periods,
    permissions,
    rotation,
    signing,
    trust,
)
from desktop.services.context import Actor, Cancelled, ServiceError, ValidationError, msg, now
from desktop.services.exchange.attachments import blob_path
from desktop.services.exchange.zipstream import (
    Meter,
    ProgressFn,
    StreamingZip,
    ZipEntry,
    member_problems,
    sha256_file,
)
from desktop.services.queries import doc_data
from desktop.services.queries.doc_data_periodic import (
    Scope,
    as_of,
    carried_in,
    hazard_rows,
    listed_hazards,
)

if TYPE_CHECKING:  # the cover's and the register's layouts (ReportLab) load when a package is written
    from desktop.reports.package_cover import PackageCoverData

log = logging.getLogger("desktop.packages")
__all__ = ["Cancelled", "PackageCheck", "PackagePlan", "PackageResult", "export_package",
           "plan_package", "verify_package", "write_package"]

FORMAT = "riskdesk-review-package"
FORMAT_VERSION = 1
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
README = "说明-如何核验.txt"  # the OpenSSL commands that check the package without RiskDesk
PUBLIC_KEY = "agency-public-key.pem"  # ASCII: typed in those commands
CHECKPOINTS = "audit-checkpoints.jsonl"  # the agency's signed audit checkpoints, as they were
COVER = "00-封面及目录.pdf"
HAZARD_REGISTER = "登记表/隐患排查及问题整改清单.xlsx"
PROJECT_REGISTER = "登记表/项目清单.xlsx"
PROJECT_HEADERS = ("项目编号", "项目名称", "保单号", "项目状态", "竣工日期", "风险等级")
PROJECTS_ON_COVER = 50  # more are counted on the cover and listed in PROJECT_REGISTER only
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
CANCELLED = HazardStatus.CANCELLED.value
_EXT = {"image/jpeg": ".jpg", "image/png": ".png", "image/heic": ".heic", "image/heif": ".heif",
        "application/pdf": ".pdf"}


@dataclass(frozen=True)
class Member:
    """A stored file that goes into the package under `path`."""

    path: str
    sha256: str
    size: int
    kind: str  # document / photo


@dataclass(frozen=True)
class PackagePlan:
    """Everything the package will hold, read in one session; writing needs no database."""

    agency: AgencyInfo
    insurer_id: int
    insurer_name: str
    period: periods.Period
    projects: tuple[tuple[str, ...], ...]  # one line per PROJECT_HEADERS
    # the register's rows: the periodic hazard list's selection and row shape
    # (doc_data_periodic.hazard_rows), statuses and 逾期 as of `as_of`
    hazards: Sequence[RegisterLine]
    members: tuple[Member, ...]
    store_dir: Path
    public_key: str
    created_at: dt.datetime
    as_of: dt.date | None = None  # the day statuses and 是否逾期 are given for (today)
    carried_over: int = 0  # rows found before the period and still open at its start
    cancelled: int = 0  # cancelled hazards the list would otherwise hold: left out everywhere
    documents: tuple[tuple[str, int], ...] = ()  # (kind label, count) of the documents inside
    signed_after: int = 0  # of the documents inside, those signed after the period's end


@dataclass(frozen=True)
class PackageResult:
    path: Path
    files: int
    size: int
    seconds: float
    fingerprint: str


TRUSTED, UNTRUSTED, BROKEN = "trusted", "untrusted", "broken"
EXIT_CODES = {TRUSTED: 0, BROKEN: 1, UNTRUSTED: 3}  # riskdesk verify's exit status


@dataclass(frozen=True)
class PackageCheck:
    """`intact`: the signature is valid for the key the package declares and every file is as
    listed. Who signed it is `signer`: trusted through which entry, or not."""

    path: Path
    intact: bool
    signature_ok: bool
    fingerprint: str  # of the declared signing key, grouped
    files: int
    agency: str = ""  # the agency name the manifest claims (unverified by itself)
    signer: trust.TrustState = trust.TrustState()
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Intact and signed by a trusted key."""
        return self.intact and self.signer.trusted

    @property
    def status(self) -> str:
        """trusted; untrusted (intact, signer unknown); broken (damaged, or signed by another
        key than the one trusted for this agency)."""
        if self.ok:
            return TRUSTED
        return UNTRUSTED if self.intact and not self.signer.mismatch else BROKEN

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


# -- what goes in --------------------------------------------------------------------------


def _safe(name: str, limit: int = 80) -> str:
    return _UNSAFE.sub("_", name).strip(" .")[:limit] or "未命名"


def _unique(path: str, taken: set[str]) -> str:
    stem, dot, ext = path.rpartition(".")
    candidate, n = path, 2
    while candidate in taken:
        candidate = f"{stem}-{n}.{ext}" if dot else f"{path}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


class _ProjectLine(NamedTuple):
    id: int
    code: str
    name: str
    status: str
    completion_date: dt.date | None
    risk_level: str | None


def _projects(session: Session, insurer_id: int, period: periods.Period,
              project_ids: list[int] | None) -> list[tuple[_ProjectLine, str]]:
    """(project, policy numbers) insured by this insurer; chosen ids must be insured by it too."""
    # the columns the package shows, not Project objects (724 of them took 0.16 s to build)
    stmt = (select(Project.id, Project.code, Project.name, Project.status,
                   Project.completion_date, Project.risk_level, Policy.policy_no)
            .join(Policy, Policy.project_id == Project.id)
            .where(Policy.insurer_id == insurer_id, Policy.deleted_at.is_(None),
                   Project.deleted_at.is_(None)).order_by(Project.code, Policy.policy_no))
    if project_ids is None:
        stmt = stmt.where(or_(Policy.start_date.is_(None), Policy.start_date <= period.end),
                          or_(Policy.end_date.is_(None), Policy.end_date >= period.start))
    else:
        stmt = stmt.where(Project.id.in_(project_ids))
    found: dict[int, tuple[Any, list[str]]] = {}
    for pid, code, name, status, completion, risk_level, policy_no in session.execute(stmt):
        found.setdefault(pid, (_ProjectLine(pid, code, name, status, completion, risk_level), []))[1] \
            .append(policy_no)
    if project_ids is not None:
        stray = sorted(set(project_ids) - set(found))
        if stray:
            raise ValidationError({"project_ids": msg(
                "项目（编号 {ids}）不存在或不由该承保机构承保，不能放入资料包", ids=Series(stray))})
    if not found:
        raise ValidationError({"project_ids": msg("该承保机构在{period}没有承保项目",
                                                   period=period.chinese)})
    return [(p, "、".join(nos)) for p, nos in found.values()]


@dataclass(frozen=True)
class _Chosen(Scope):
    """The insurer's projects chosen for the package, as the periodic documents' scope: the
    package's hazard list is the periodic list (`doc_data_periodic.listed_hazards`) over them."""

    ids: tuple[int, ...] = ()

    def projects(self) -> Select[int]:
        return select(Project.id).where(Project.id.in_(self.ids))


def _cancelled(session: Session, scope: _Chosen, period: periods.Period, today: dt.date) -> int:
    """Hazards found in the period (up to `today`) and since cancelled: left out of the list,
    its count, the documents and the photos alike; the cover says how many."""
    return session.execute(select(func.count()).select_from(Hazard).where(
        Hazard.project_id.in_(scope.ids), Hazard.deleted_at.is_(None), Hazard.status == CANCELLED,
        Hazard.found_date >= period.start, Hazard.found_date <= as_of(period, today))).scalar_one()


def _in_scope(session: Session, scope_type: str, scope: _Chosen, period: periods.Period,
              today: dt.date) -> ColumnElement[bool] | None:
    """Which documents of `scope_type` are about a record of the package (None: none are), from
    the record the document registry names for that scope: agency-wide documents; the insurer's
    own; a listed hazard's; a record of one of the projects (or of a listed hazard); a training
    one of the projects attended. Documents of another insurer, authority or archive request
    stay out."""
    if scope_type == "agency":
        return Document.scope_type == "agency"  # scope_id none
    if scope_type == "insurer":
        return Document.scope_id == scope.id
    model: Any = doc_data.scope_model(scope_type)  # any mapped class: asked for the columns it has
    listed = listed_hazards(session, scope, period, today)
    # A hazard's documents are looked up from each document (its hazard by primary key), not by
    # listing every hazard of the projects first: SQLite materialised that list (145,000 rows
    # for an insurer's 724 projects at the 1M-hazard scale, 1.0 s) for a few thousand documents.
    if model is Hazard:
        return exists().where(Hazard.id == Document.scope_id, *listed)
    if model is Project:
        return Document.scope_id.in_(scope.ids)
    if model is TrainingSession:
        return Document.scope_id.in_(select(TrainingAttendance.session_id).where(
            TrainingAttendance.project_id.in_(scope.ids)))
    if model is not None and hasattr(model, "project_id"):
        return Document.scope_id.in_(select(model.id).where(model.project_id.in_(scope.ids)))
    if model is not None and hasattr(model, "hazard_id"):
        return exists().where(model.id == Document.scope_id, Hazard.id == model.hazard_id, *listed)
    return None


def _of_period(scope_type: str, period: periods.Period) -> ColumnElement[bool] | None:
    """Whether the record a non-periodic document of `scope_type` is about belongs to the
    period, whatever day the document was signed: an inspection, a training session, a drill, a
    meeting or an emergency-plan assist held in it (its own `date`). True (no condition) where
    being in the package's scope is enough: a hazard listed in the register (found in the period
    or carried into it), a project of the package, its plan, a listed hazard's escalation. None
    for the agency's and the insurer's own documents (the key letter): taken by signing day."""
    if scope_type in ("agency", "insurer"):
        return None
    model: Any = doc_data.scope_model(scope_type)
    day = getattr(model, "date", None) if model is not None else None
    if day is None:
        return true()
    return exists().where(model.id == Document.scope_id, day >= period.start, day <= period.end)


def _labels_within(period: periods.Period) -> list[str]:
    """Every period label (month, quarter, half-year, year) that lies within `period`: a
    periodic report belongs to its own period, and so to each package whose period holds it."""
    found = []
    for year in range(period.start.year, period.end.year + 1):
        for label in (*(f"{year}-{m:02d}" for m in range(1, 13)), *(f"{year}Q{q}" for q in range(1, 5)),
                      f"{year}H1", f"{year}H2", str(year)):
            own = periods.parse(label)
            if period.start <= own.start and own.end <= period.end:
                found.append(own.label)
    return found


def _documents(session: Session, scope: _Chosen, period: periods.Period, today: dt.date,
               made: dt.datetime) -> list[Document]:
    """The signed documents the package holds, of every kind in the document registry
    (`doc_data.KINDS`) whose scope ties it to the package (a kind added there comes in too),
    signed by `made` (the package's creation), whatever the day:
    - a periodic report (monthly, quarterly…) when its own period lies within the package's;
    - any other document when its subject belongs to the period (`_of_period`: a hazard of the
      register, a project of the package, an inspection, training or drill held in the period…)
      or when it was signed in the period (as before: nothing the package held is left out).
    A letter signed after its quarter (a stop-work letter for a Q3 hazard signed in December)
    is in that quarter's package, not left to the annual one alone."""
    scopes: dict[str, list[str]] = {}
    for kind, spec in doc_data.KINDS.items():
        for scope_type in spec.scopes:
            scopes.setdefault(scope_type, []).append(kind)
    signed_in = Document.signed_at >= dt.datetime.combine(period.start, dt.time())
    signed_in &= Document.signed_at < dt.datetime.combine(period.end + dt.timedelta(days=1),
                                                           dt.time())
    own_period = Document.period.in_(_labels_within(period))  # at most 19 labels a year
    wanted = []
    for scope_type, kinds in scopes.items():
        where = _in_scope(session, scope_type, scope, period, today)
        if where is None:
            continue
        subject = _of_period(scope_type, period)
        when = signed_in if subject is None else or_(subject, signed_in)
        wanted.append((Document.scope_type == scope_type) & Document.kind.in_(kinds) & where
                      & or_((Document.period != "") & own_period, (Document.period == "") & when))
    by_then = Document.signed_at <= made  # not one signed since (a clock set back)
    stmt = select(Document).where(
        Document.status == "signed", Document.deleted_at.is_(None),
        Document.file_sha256.is_not(None), or_(by_then, Document.signed_at.is_(None)),
        or_(*wanted),
    ).order_by(Document.kind, Document.number)
    return list(session.execute(stmt).scalars())


def plan_package(session: Session, actor: Actor, *, store_dir: Path | str, insurer_id: int,
                 period: str | periods.Period, project_ids: list[int] | None = None
                 ) -> PackagePlan:
    """Choose the contents: the insurer's projects (or those given), the signed documents of
    every kind about the package's records (`_documents`: signed by now, whatever the day), its
    hazard list and the listed hazards' photos. The hazard
    list is the periodic one's (`doc_data_periodic.hazard_rows`: cancelled hazards left out,
    statuses as of today); a cancelled hazard's documents and photos stay out too, and the cover
    says how many were left out. Refuses if a file is missing."""
    permissions.require(actor, "package.sign")  # signed for the agency: not the reviewer
    try:
        period = periods.parse(period) if isinstance(period, str) else period
    except ValueError as exc:
        raise ValidationError({"period": exc.args[0]}) from None
    insurer = session.get(Organisation, insurer_id)
    if insurer is None or insurer.kind != "insurer":
        raise ValidationError({"insurer_id": msg("请选择承保机构")})
    public_key = signing.registered_public_key(session)
    if not public_key:
        raise ServiceError(msg("尚未生成机构签名密钥，请先在“机构信息”中生成，再导出评审资料包。"))
    chosen = _projects(session, insurer_id, period, project_ids)
    created = now()
    today = created.date()
    as_of(period, today)  # refuses a period not begun
    scope = _Chosen("insurer", insurer.id, insurer.name, f"{insurer.name}承保项目",
                    ids=tuple(p.id for p, _ in chosen))
    taken: set[str] = {COVER, MANIFEST, SIGNATURE, README, PUBLIC_KEY}
    documents = _documents(session, scope, period, today, created)
    members = [Member(_unique(f"文书/{_safe(d.number)}-{_safe(d.title)}.pdf", taken), d.file_sha256,
                      d.file_size or 0, "document") for d in documents
               if d.file_sha256 is not None]  # the query keeps only documents with a file
    for number, role, mime, original, sha, size in session.execute(
            select(Hazard.number, Attachment.role, Attachment.mime,
                   Attachment.original_name, Attachment.sha256, Attachment.size)
            .join(Hazard, (Attachment.owner_type == "hazard") & (Attachment.owner_id == Hazard.id))
            .where(*listed_hazards(session, scope, period, today))
            .order_by(Attachment.owner_id, Attachment.id)):
        ext = _EXT.get(mime) or Path(original).suffix.lower()[:6]
        members.append(Member(_unique(f"隐患照片/{_safe(number)}/"
                                      f"{_label(AttachmentRole, role)}{ext}", taken),
                              sha, size, "photo"))
    missing = [m.path for m in members if not blob_path(store_dir, m.sha256).is_file()]
    if missing:
        raise ServiceError(msg("附件库中缺少 {n} 个文件（如 {example}），"
                               "请先运行“riskdesk check”检查附件库。",
                               n=len(missing), example=missing[0]))
    profile = agency.agency_profile(session)
    info = AgencyInfo(profile.name, profile.short_name, profile.address, profile.phone) \
        if profile else AgencyInfo("（未填写机构信息）")
    rows = hazard_rows(session, scope, period, today=today)
    carried = carried_in(rows, period)
    kinds = Counter(d.kind for d in documents)
    labels = tuple((str(doc_data.KINDS[k].label), n) for k, n in kinds.items())
    projects = tuple((p.code, p.name, nos, _label(ProjectStatus, p.status),
                      cn_date(p.completion_date, blank=""), _label(RiskLevel, p.risk_level))
                     for p, nos in chosen)
    return PackagePlan(info, insurer.id, insurer.name, period, projects, rows, tuple(members),
                       Path(store_dir), public_key, created, today, carried,
                       _cancelled(session, scope, period, today), labels,
                       sum(1 for d in documents
                           if d.signed_at is not None and d.signed_at.date() > period.end))


def _label(enum: type[Labelled], value: str | None) -> str:
    found = next((m for m in enum if m.value == value), None)
    return found.label if found is not None else (value or "")


# -- writing -------------------------------------------------------------------------------


def _write_projects(plan: PackagePlan, path: Path) -> Path:
    with atomic_writer(path, "wb", durable=False) as fh, XlsxWriter(fh, title="项目清单",
                                                     creator=plan.agency.name) as book:
        with book.sheet(SheetLayout("项目清单", widths=(16, 40, 28, 10, 16, 10),
                                    freeze_header=True, print_titles=True)) as sheet:
            sheet.append(PROJECT_HEADERS)
            for line in plan.projects:
                sheet.append(line)
    return path


def _cover_data(plan: PackagePlan, index: list[ZipEntry]) -> PackageCoverData:
    from desktop.reports.package_cover import PackageCoverData

    p = plan.period
    return PackageCoverData(
        agency=plan.agency, insurer_name=plan.insurer_name, period_label=p.label,
        period_chinese=p.chinese, period_start=p.start, period_end=p.end,
        created_at=plan.created_at, fingerprint=signing.fingerprint(plan.public_key),
        project_headers=PROJECT_HEADERS, projects=plan.projects, projects_listed=PROJECTS_ON_COVER,
        hazards=len(plan.hazards), carried_over=plan.carried_over, cancelled=plan.cancelled,
        documents=plan.documents, signed_after=plan.signed_after, as_of=plan.as_of or plan.created_at.date(),
        hazard_register=HAZARD_REGISTER, project_register=PROJECT_REGISTER, readme=README,
        files=index)


def _readme(plan: PackagePlan, rotations: list[rotation.Statement]) -> bytes:
    """The package's own instructions: verifying it with OpenSSL alone (3.0 or later)."""
    fp = signing.fingerprint(plan.public_key)
    lines = [
        "评审资料包核验说明（无需安装 RiskDesk）",
        "",
        f"本资料包由“{plan.agency.name}”于 {cn_datetime(plan.created_at)} 生成并签名；"
        "按以下三步，不安装 RiskDesk 也能核实。",
        f"签名公钥指纹（SHA-256）：{fp}",
        "",
        f"第一步　核对公钥。{PUBLIC_KEY} 是资料包自带的签名公钥。任何人都能自行生成密钥并写上任意",
        "机构名称，所以必须先核对它的指纹与该机构书面提供的公钥登记函上的指纹一致（不一致即不可信）。",
        "在 Linux、macOS 或 Git Bash 中执行（输出的 64 位十六进制数即指纹，大小写、分组不计）：",
        f"  openssl pkey -pubin -in {PUBLIC_KEY} -outform DER | tail -c 32 | openssl dgst -sha256",
        f"也可以直接用登记函附带的公钥文件代替下面命令中的 {PUBLIC_KEY}。",
        "",
        "第二步　核验签名（Ed25519，需 OpenSSL 3.0 或更新版本）。把资料包解压到一个文件夹，在该文件夹中执行：",
        f"  openssl pkeyutl -verify -pubin -inkey {PUBLIC_KEY} -rawin -in {MANIFEST}"
        f" -sigfile {SIGNATURE}",
        "显示“Signature Verified Successfully”，说明 manifest.json 未被改动，且确由该公钥对应的私钥签名；",
        "显示“Signature Verification Failure”则资料包不可信。",
        "",
        "第三步　核对每个文件。manifest.json 的 files 一节列出每个文件的 path（路径）、sha256 和 size（字节数）。",
        "逐个计算文件的 SHA-256，与 manifest.json 中该文件的 sha256 比对，例如：",
        f"  openssl dgst -sha256 -r \"{PROJECT_REGISTER}\"",
        "输出开头的 64 位十六进制数应与清单中的 sha256 完全相同。不在清单中的文件"
        f"（{MANIFEST}、{SIGNATURE} 除外）不属于本资料包。",
    ]
    if rotations:
        lines += ["", "密钥更换：本机构更换过签名密钥。manifest.json 的 key_rotations 一节载有更换声明，"
                  "每份声明由旧密钥签名、宣布新公钥；若您信任的是旧公钥，请用 riskdesk verify 核验"
                  "（它会逐份核对声明），或向本机构索取新的公钥登记函。"]
        lines += [f"  {s['date']}：{s['old_fingerprint']} → {s['new_fingerprint']}"
                  for s in rotations]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")  # CRLF: Notepad shows it too


def _manifest(plan: PackagePlan, entries: list[ZipEntry], rotations: list[rotation.Statement]) -> bytes:
    p = plan.period
    data = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "generator": f"RiskDesk {__version__}",
        "created_at": plan.created_at.isoformat(), "agency": plan.agency.name,
        "insurer": {"id": plan.insurer_id, "name": plan.insurer_name},
        "period": {"label": p.label, "start": p.start.isoformat(), "end": p.end.isoformat()},
        "projects": [{"code": x[0], "name": x[1], "policy_no": x[2]} for x in plan.projects],
        "public_key": plan.public_key, "fingerprint": signing.fingerprint(plan.public_key),
        "key_rotations": rotations,
        "files": [{"path": e.path, "sha256": e.sha256, "size": e.size} for e in entries],
    }
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def _add_note(z: StreamingZip, meter: Meter, name: str, data: bytes) -> ZipEntry:
    entry = z.add_bytes(name, data)
    meter.advance(len(data), name)
    return entry


def write_package(plan: PackagePlan, *, out_path: Path | str, data_dir: Path | str,
                  progress: ProgressFn | None = None) -> PackageResult:
    """Write the zip beside `out_path` under a temporary name; rename it only when complete.

    The registers and the cover (whose index names every file's hash: the stored files'
    are their names in the store) are made first in a scratch folder; then the members go in
    in the order the zip's directory lists them — cover, README, registers, documents, photos,
    audit checkpoints, public key — and the signed manifest last. Once the stored files are in, the disk starts
    writing them out (`write_behind`), so the fsync before the rename has little left to wait
    for. `progress(done, total, text)` returning False cancels: the temporary file is removed.
    """
    from desktop.reports.package_cover import build_package_cover
    from desktop.reports.registers import build_hazard_register_xlsx

    started = time.monotonic()
    agency_key = signing.registered_key(data_dir, plan.public_key, msg("不能签名资料包"))
    rotations = rotation.chain_to(data_dir, plan.public_key)
    readme, key = (README, _readme(plan, rotations)), (PUBLIC_KEY, signing.public_pem(plan.public_key))
    anchor = checkpoints.path(data_dir)  # the signed audit checkpoints, as they are now
    checkpoint = (CHECKPOINTS, anchor.read_bytes()) if anchor.is_file() else None
    meter = Meter(progress, sum(m.size for m in plan.members))
    with tempfile.TemporaryDirectory(prefix="riskdesk-package-") as tmp, \
            StreamingZip(Path(out_path), meter) as z:
        work = Path(tmp)
        meter.check(msg("正在生成隐患排查及问题整改清单"))
        meta = DocMeta("隐患排查及问题整改清单", f"资料包 {plan.period.label}",
                       plan.created_at.date(), plan.agency)
        register = RegisterData(meta, f"{plan.insurer_name}承保项目", plan.period.chinese,
                                plan.hazards, as_of=plan.as_of, carried_over=plan.carried_over)
        made = [(HAZARD_REGISTER, build_hazard_register_xlsx(
                    register, work / "hazards.xlsx", durable=False,
                    progress=lambda rows: meter.check(msg("正在生成隐患排查及问题整改清单"),
                                                      force=False))),
                (PROJECT_REGISTER, _write_projects(plan, work / "projects.xlsx"))]
        index = [ZipEntry(readme[0], hashlib.sha256(readme[1]).hexdigest(), len(readme[1]))]
        index += [ZipEntry(name, sha256_file(path), path.stat().st_size) for name, path in made]
        index += [ZipEntry(m.path, m.sha256, m.size) for m in plan.members]
        if checkpoint is not None:
            index.append(ZipEntry(checkpoint[0], hashlib.sha256(checkpoint[1]).hexdigest(),
                                  len(checkpoint[1])))
        index.append(ZipEntry(key[0], hashlib.sha256(key[1]).hexdigest(), len(key[1])))
        meter.check(msg("正在生成封面及目录"))
        cover = build_package_cover(_cover_data(plan, index), work / "cover.pdf")
        meter.total = sum(e.size for e in index) + cover.stat().st_size
        entries = [z.add_file(COVER, cover), _add_note(z, meter, *readme)]
        entries += [z.add_file(name, path) for name, path in made]
        entries += [z.add_file(m.path, blob_path(plan.store_dir, m.sha256), expected_sha=m.sha256)
                    for m in plan.members]
        z.write_behind()
        if checkpoint is not None:
            entries.append(_add_note(z, meter, *checkpoint))
        entries.append(_add_note(z, meter, *key))
        manifest = _manifest(plan, entries, rotations)
        z.add_bytes(MANIFEST, manifest)
        z.add_bytes(SIGNATURE, agency_key.sign(manifest), compress=False)
    size = Path(out_path).stat().st_size
    log.info("review package %s: %d files, %d bytes", out_path, len(entries), size)
    return PackageResult(Path(out_path), len(entries), size, time.monotonic() - started,
                         signing.fingerprint(plan.public_key))


def export_package(db: Database, config: Config, actor: Actor, *, insurer_id: int, period: str,
                   out_path: Path | str, project_ids: list[int] | None = None,
                   progress: ProgressFn | None = None) -> PackageResult:
    """Plan and write in one read session (one snapshot), then audit the export.

    An export that cannot be audited is removed: data leaves the agency only on the record.
    """
    with db.read() as session:  # one snapshot: the store's files do not change under it
        plan = plan_package(session, actor, store_dir=config.attachments_dir, insurer_id=insurer_id,
                            period=period, project_ids=project_ids)
        checkpoints.write_quietly(db, config.data_dir, reason="export", actor=actor)
        result = write_package(plan, out_path=out_path, data_dir=config.data_dir,
                               progress=progress)
    try:
        with db.session() as session:
            audit.record(session, actor, action="export", entity="review_package", entity_id=None,
                         after={"insurer_id": plan.insurer_id, "period": plan.period.label,
                                "projects": [x[0] for x in plan.projects], "files": result.files,
                                "size": result.size},
                         note=f"评审资料包 {result.path.name}")
    except BaseException:
        result.path.unlink(missing_ok=True)
        raise
    return result


# -- checking ------------------------------------------------------------------------------


def verify_package(path: Path | str, trusted: Sequence[trust.TrustEntry] = (), *,
                   progress: ProgressFn | None = None) -> PackageCheck:
    """Check the signature and every file's hash, naming each file missing, extra or changed
    (intact or not); then who signed it: the key the package declares is trusted when one of
    `trusted` (`trust.for_verification`) names it, or names an older key whose rotation
    statement, embedded in the manifest, hands over to it."""
    path = Path(path)
    lines: list[str] = [msg("资料包：{path}", path=str(path))]
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return PackageCheck(path, False, False, "", 0, lines=(*lines, msg("无法打开资料包：{reason}",
                                                                    reason=str(exc))))
    with zf:
        names = zf.namelist()
        try:
            raw = zf.read(MANIFEST)
            manifest = json.loads(raw)
            listed = manifest["files"]
            declared = str(manifest["public_key"]).strip().lower()
            claimed = str(manifest.get("agency") or "")
            statements = manifest.get("key_rotations") or []
            if not isinstance(listed, list) or not isinstance(statements, list):
                raise TypeError("files")
        except (KeyError, ValueError, TypeError, AttributeError, zipfile.BadZipFile):
            return PackageCheck(path, False, False, "", 0,
                                lines=(*lines, msg("资料包中没有可读的 manifest.json，无法核验。")))
        try:
            fingerprint = signing.fingerprint(declared)
        except ServiceError as exc:
            return PackageCheck(path, False, False, "", len(listed), lines=(*lines, exc.message))
        signature = zf.read(SIGNATURE) if SIGNATURE in names else b""
        signature_ok = signing.verify(declared, raw, signature)
        sizes = [f.get("size") for f in listed if isinstance(f, dict)]
        meter = Meter(progress, sum(s for s in sizes if isinstance(s, int)))
        missing, extra, changed, problems = member_problems(
            zf, listed, ignore={MANIFEST, SIGNATURE}, meter=meter)
    lines.append(msg("自称签发机构：{agency}", agency=trust.visible(claimed) or "（未写明）"))
    lines.append(msg("签名公钥指纹：{fingerprint}", fingerprint=fingerprint))
    lines.append(msg("签名：有效") if signature_ok else
                 msg("签名：无效（manifest.json 被修改，或不是由所附公钥对应的私钥签名）"))
    lines += [msg("缺少文件：{name}", name=n) for n in missing]
    lines += [msg("多出文件（清单中没有）：{name}", name=n) for n in extra]
    lines += [msg("文件被修改：{name}", name=n) for n in changed] + problems
    intact = signature_ok and not (missing or extra or changed or problems)
    signer = (trust.evaluate(declared, claimed, statements, trusted) if signature_ok
              else trust.TrustState())
    if signature_ok:
        lines += _signer_lines(signer, claimed)
    check = PackageCheck(path, intact, signature_ok, fingerprint, len(listed), claimed, signer,
                         tuple(missing), tuple(extra), tuple(changed))
    if check.ok:
        lines.append(msg("结论：资料包完整，签名者已核实，{n} 个文件全部核对一致。", n=len(listed)))
    elif check.status == UNTRUSTED:
        lines.append(msg("结论：资料包内容完整（{n} 个文件核对一致），但签名者未经核实。",
                         n=len(listed)))
    elif intact:
        lines.append(msg("结论：资料包未通过核验：签名者不是预期的机构，可能是伪造的资料包。"))
    else:
        lines.append(msg("结论：资料包未通过核验。"))
    return replace(check, lines=tuple(lines))


def _signer_lines(signer: trust.TrustState, claimed: str) -> list[str]:
    entry = signer.entry
    if entry is None:
        out = _mismatch_lines(signer, claimed)
        if out:
            return out
        return [msg("签名者未经核实：该签名公钥不在受信任名单中，也未用 --trust 指定。资料包自称由"
                    "“{agency}”签发，但任何人都能自行生成密钥并写上任意机构名称。请向该机构索取公钥"
                    "登记函，核对上列指纹一致后，用“riskdesk trust add 公钥文件 --name 机构名称”"
                    "加入受信任名单，或核验时用 --trust 指定。",
                    agency=trust.visible(claimed) or "（未写明）")]
    if entry.source == trust.OWN:
        who = msg("本机构自己的签名密钥")
    elif entry.source == trust.GIVEN:
        who = msg("与您指定的公钥一致")
    else:
        who = msg("受信任名单中的“{name}”", name=entry.name)
    if signer.via:
        out = [msg("签名者：已核实——签名密钥经密钥更换声明启用，声明由受信任的旧密钥（{who}，指纹 "
                   "{fingerprint}）签署。", who=who, fingerprint=signer.via[0]["old_fingerprint"])]
        out += [msg("  密钥更换声明（{date}）：{old} → {new}", date=s.get("date", ""),
                    old=s["old_fingerprint"], new=s["new_fingerprint"]) for s in signer.via]
    else:
        out = [msg("签名者：已核实——{who}。", who=who)]
    return out


def _mismatch_lines(signer: trust.TrustState, claimed: str) -> list[str]:
    """Why the signer is not the one expected: its key is trusted for another agency than the
    one the package names, and/or another key is trusted for that agency."""
    agency = trust.visible(claimed) or "（未写明）"
    out: list[str] = []
    other = signer.other
    if other is not None:
        if signer.reason == trust.STATEMENT:
            out.append(msg("签名者与预期不符：资料包自称由“{agency}”签发，但启用其签名密钥的密钥更换声明"
                           "写明的机构是“{name}”。", agency=agency,
                           name=trust.visible(signer.other_name) or "（未写明）"))
        elif signer.other_via:
            out.append(msg("签名者与预期不符：资料包自称由“{agency}”签发，但其签名密钥是经密钥更换声明"
                           "由“{name}”的公钥启用的（指纹 {fingerprint}），不是“{agency}”的密钥。",
                           agency=agency, name=signer.other_name,
                           fingerprint=signer.other_via[0]["old_fingerprint"]))
        elif other.source == trust.OWN:
            out.append(msg("签名者与预期不符：资料包自称由“{agency}”签发，但其签名公钥是本机构"
                           "（“{name}”）自己的签名密钥。", agency=agency, name=signer.other_name))
        else:
            out.append(msg("签名者与预期不符：资料包自称由“{agency}”签发，但其签名公钥在受信任名单中"
                           "登记为“{name}”的公钥。", agency=agency, name=signer.other_name))
    expected = signer.expected
    if expected is None:
        return out
    if expected.source == trust.GIVEN and not out:
        out.append(msg("签名者与预期不符：本资料包的签名公钥与{name}不符（应为 {fingerprint}）。",
                       name=expected.name, fingerprint=expected.fingerprint))
    elif expected.source == trust.GIVEN:
        out.append(msg("本资料包的签名公钥也与{name}不符（应为 {fingerprint}）。",
                       name=expected.name, fingerprint=expected.fingerprint))
    elif not out:
        out.append(msg("签名者与预期不符：{name}的公钥指纹为 {fingerprint}，与本资料包的签名公钥不同。",
                       name=expected.name, fingerprint=expected.fingerprint))
    else:
        out.append(msg("受信任的“{name}”的公钥指纹为 {fingerprint}，与本资料包的签名公钥不同。",
                       name=expected.name, fingerprint=expected.fingerprint))
    if expected.source != trust.GIVEN and _look_alike(expected.name, claimed):
        out.append(msg("注意：资料包自称的机构名称“{agency}”与受信任的“{name}”看似相同（只差不可见字符"
                       "或全角/半角符号），但签名密钥不同，可能是伪造的资料包。",
                       agency=agency, name=expected.name))
    return out


def _look_alike(trusted: str, claimed: str) -> bool:
    """The same name once normalised, but not as written (beyond spacing)."""
    return trust.same_name(trusted, claimed) and "".join(trusted.split()) != "".join(claimed.split())
