"""Content-addressed attachment store: files kept by SHA-256, written once, checked against the rows."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from PIL import Image, ImageOps
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.fileutil import atomic_write_bytes, atomic_writer
from desktop.models import (
    AgencyProfile,
    ArchiveItem,
    Attachment,
    Complaint,
    DestructionRequest,
    Document,
    Drill,
    EmergencyPlanAssist,
    Escalation,
    ExternalReport,
    Hazard,
    Incident,
    Inspection,
    Meeting,
    Project,
    RiskSource,
    TrainingSession,
    User,
)
from desktop.models.enums import AttachmentRole
from desktop.services import audit, permissions
from desktop.services.context import Actor, NotFound, ServiceError, ValidationError, get_row, msg
from desktop.services.exchange import photo_look
from desktop.services.exchange.photo_capture import Capture

log = logging.getLogger("desktop.attachments")

MAX_SIZE = 50 * 1024 * 1024
THUMBS = "thumbs"
_CHUNK = 1024 * 1024
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_HEIF_BRANDS = {b"heic": "image/heic", b"heix": "image/heic", b"hevc": "image/heic",
                b"hevx": "image/heic", b"heim": "image/heic", b"heis": "image/heic",
                b"mif1": "image/heif", b"msf1": "image/heif"}
PRINT_SIZE = 640  # px: a photo 100 mm wide at 150 dpi, the largest any document prints
IMAGE_MIMES = {"image/jpeg", "image/png", "image/heic", "image/heif"}
SUPPORTED = msg("JPEG、PNG、HEIC 图片，PDF，Excel（.xlsx）和 Word（.docx）文件")
PHOTO_TYPES = msg("JPEG、PNG、HEIC")

# owner_type -> (ORM class of the owner, action that allows attaching files to it)
OWNERS: dict[str, tuple[type, str]] = {
    "hazard": (Hazard, "hazard.edit"),
    "inspection": (Inspection, "inspection.edit"),
    "project": (Project, "project.edit"),
    "meeting": (Meeting, "meeting.edit"),
    "risk_source": (RiskSource, "risk_source.edit"),
    "training": (TrainingSession, "training.edit"),
    "drill": (Drill, "drill.edit"),
    "emergency_plan": (EmergencyPlanAssist, "drill.edit"),
    "escalation": (Escalation, "hazard.escalate"),
    "external_report": (ExternalReport, "hazard.report"),
    "document": (Document, "document.draft"),
    "archive": (ArchiveItem, "archive.edit"),
    "destruction_request": (DestructionRequest, "archive.destroy"),
    "complaint": (Complaint, "complaint.edit"),
    "incident": (Incident, "incident.edit"),
    "agency": (AgencyProfile, "settings.edit"),
}
_heif_registered = False


@dataclass(frozen=True)
class AttachmentRow:
    id: int
    sha256: str
    size: int
    mime: str
    original_name: str
    role: str
    owner_type: str
    owner_id: int
    width: int | None
    height: int | None
    caption: str
    created_at: dt.datetime | None
    taken_at: dt.datetime | None = None
    taken_source: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    @property
    def is_image(self) -> bool:
        return self.mime in IMAGE_MIMES


@dataclass(frozen=True)
class StoreReport:
    checked: int
    missing: tuple[str, ...]
    changed: tuple[str, ...]
    orphans: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not (self.missing or self.changed or self.orphans)


def _row(a: Attachment) -> AttachmentRow:
    return AttachmentRow(a.id, a.sha256, a.size, a.mime, a.original_name, a.role, a.owner_type,
                         a.owner_id, a.width, a.height, a.caption, a.created_at,
                         a.taken_at, a.taken_source, a.latitude, a.longitude)


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": message})


def blob_path(store_dir: Path | str, sha: str) -> Path:
    """Where the file with this hash lives; only a well-formed hash ever becomes a path."""
    if not isinstance(sha, str) or not _SHA_RE.match(sha):
        raise NotFound(msg("附件编号无效。"))
    return Path(store_dir) / sha[:2] / sha[2:4] / sha


def open_path(store_dir: Path | str, sha: str) -> Path:
    path = blob_path(store_dir, sha)
    if not path.is_file():
        raise NotFound(msg("附件文件缺失（{sha}…），请运行“riskdesk check”检查附件库。",
                           sha=sha[:12]))
    return path


def _ensure_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        import pillow_heif

        pillow_heif.register_heif_opener()
        _heif_registered = True


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return _HEIF_BRANDS[head[8:12]]
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    return None


def is_photo(head: bytes) -> bool:
    """JPEG, PNG or HEIC/HEIF by content (the extension may lie)."""
    return _sniff(head) in IMAGE_MIMES


def _inspect(source: Path | bytes, head: bytes,
             tail: bytes) -> tuple[str, int | None, int | None, str | None]:
    """(mime, width, height, a photo's look) from the content; refuse what is unknown or
    damaged. The look (dHash, photo_look.py) is taken from the small decode done here anyway."""
    mime = _sniff(head)
    opened: Path | IO[bytes] = source if isinstance(source, Path) else io.BytesIO(source)
    if mime is None:
        raise _file_error(msg("不支持的文件类型：仅支持 {supported}。", supported=SUPPORTED))
    if mime == "application/pdf":
        if b"%%EOF" not in tail:
            raise _file_error(msg("PDF 文件不完整或已损坏。"))
        return mime, None, None, None
    if mime == "application/zip":
        try:
            with zipfile.ZipFile(opened) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError) as exc:
            raise _file_error(msg("文件已损坏（压缩包无法打开）。")) from exc
        if "xl/workbook.xml" in names:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", None, None, None
        if "word/document.xml" in names:
            return ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    None, None, None)
        raise _file_error(msg("不支持的文件类型：仅支持 {supported}。", supported=SUPPORTED))
    if mime in ("image/heic", "image/heif"):
        _ensure_heif()
    try:
        with Image.open(opened) as im:
            width, height = im.size
            orientation = im.getexif().get(0x0112, 1)
            im.draft(im.mode, (256, 256))  # still decodes the whole stream, at 1/8 of the work
            im.load()
            look = photo_look.as_text(photo_look.dhash_of(im))
    except Image.DecompressionBombError as exc:
        raise _file_error(msg("图片像素过多，无法作为附件保存。")) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _file_error(msg("图片已损坏或无法识别，未保存。")) from exc
    if orientation in (5, 6, 7, 8):  # stored sideways: keep the size as the picture is seen
        width, height = height, width
    return mime, width, height, look


def _read_source(path: Path | None, data: bytes | None, max_size: int) -> tuple[str, int, bytes, bytes]:
    """(sha256, size, first bytes, last bytes) of the incoming file."""
    if (path is None) == (data is None):
        raise ValueError("give exactly one of path or data")
    if data is not None:
        size = len(data)
    else:
        assert path is not None  # exactly one of them, checked above
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise _file_error(msg("无法读取文件：{path}", path=path)) from exc
    if size == 0:
        raise _file_error(msg("文件为空（0 字节），未保存。"))
    if size > max_size:
        raise _file_error(msg("文件过大（{size:.1f} MB），单个附件不能超过 {max_size} MB。",
                              size=size / 1048576, max_size=max_size // 1048576))
    if data is not None:
        return hashlib.sha256(data).hexdigest(), size, data[:64], data[-1024:]
    assert path is not None
    digest = hashlib.sha256()
    tail = b""
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
            digest.update(head)
            for chunk in iter(lambda: fh.read(_CHUNK), b""):
                digest.update(chunk)
                tail = (tail + chunk)[-1024:]
    except OSError as exc:
        raise _file_error(msg("无法读取文件：{path}", path=path)) from exc
    return digest.hexdigest(), size, head, (head + tail)[-1024:]


def _write_blob(target: Path, path: Path | None, data: bytes | None, sha: str, *, durable: bool) -> None:
    if data is not None and not durable:
        # bulk generation: still atomic (rename), but without fsync; see store_file
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    elif data is not None:
        atomic_write_bytes(target, data)
    else:
        assert path is not None  # store_file gives a path or data
        digest = hashlib.sha256()
        with atomic_writer(target) as out, open(path, "rb") as src:
            for chunk in iter(lambda: src.read(_CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
            if digest.hexdigest() != sha:
                raise ServiceError(msg("文件在保存过程中被其他程序修改，未保存，请重试。"))
    target.chmod(0o444)  # the original is never edited in place


def clean_name(name: str, sha: str, mime: str) -> str:
    """The user's file name as a label only: last path part, no control characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".")
    if not base:
        ext = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}.get(mime, "bin")
        base = f"{sha[:12]}.{ext}"
    return base[-255:]


def store_file(session: Session, actor: Actor, *, store_dir: Path | str, path: Path | str | None = None,
               data: bytes | None = None, original_name: str = "", owner_type: str, owner_id: int,
               role: str = AttachmentRole.EVIDENCE, caption: str = "", max_size: int = MAX_SIZE,
               durable: bool = True, capture: Capture | None = None) -> AttachmentRow:
    """Keep a file for a record: check it, store its bytes once by hash, add the row and audit it.

    `capture` (a photo's capture time and place, photo_capture.py) is kept on the row.

    `durable=False` skips the fsync of each file (still written atomically): for generators
    that write hundreds of files in one transaction and can simply run again after a crash.
    """
    owner = OWNERS.get(owner_type)
    if owner is None:
        raise ValidationError({"owner_type": msg("未知的附件归属类型：{owner_type}",
                                                 owner_type=owner_type)})
    permissions.require(actor, owner[1])
    get_row(session, owner[0], owner_id, msg("要添加附件的记录不存在。"))
    role = str(role)
    if not AttachmentRole.known(role):
        raise ValidationError({"role": msg("未知的附件用途：{role}", role=role)})
    source = Path(path) if path is not None else None
    sha, size, head, tail = _read_source(source, data, max_size)
    mime, width, height, look = _inspect(source if source is not None else data or b"", head, tail)
    target = blob_path(store_dir, sha)
    try:
        if not target.is_file() or target.stat().st_size != size:
            if target.exists():
                log.warning("repairing stored file %s (size differs)", sha)
                target.chmod(0o644)
            _write_blob(target, source, data, sha, durable=durable)
    except OSError as exc:
        raise ServiceError(msg("附件库无法写入：{reason}", reason=exc.strerror or str(exc))) from exc
    name = clean_name(original_name or (source.name if source else ""), sha, mime)
    row = Attachment(sha256=sha, size=size, mime=mime, original_name=name, role=role,
                     owner_type=owner_type, owner_id=owner_id, width=width, height=height,
                     caption=caption.strip()[:200], created_by_id=actor.user_id, dhash=look)
    if capture is not None:
        row.taken_at, row.taken_source = capture.taken_at, capture.source
        row.latitude, row.longitude = capture.latitude, capture.longitude
    session.add(row)
    audit.record_create(session, actor, row)
    if mime in IMAGE_MIMES and role in (AttachmentRole.BEFORE, AttachmentRole.AFTER):
        _make_print_copy(store_dir, sha)
    return _row(row)


def _thumb_path(store_dir: Path | str, sha: str, size: int) -> Path:
    return Path(store_dir) / THUMBS / str(size) / sha[:2] / f"{sha}.jpg"


def _make_print_copy(store_dir: Path | str, sha: str) -> None:
    """Shrink a hazard photo for documents while it is being recorded (a 12-megapixel JPEG
    takes ~35 ms to decode; a monthly list of 400 photos would otherwise pay that each time)."""
    try:
        thumbnail(store_dir, sha, PRINT_SIZE)
    except (ServiceError, OSError) as exc:  # the original stays; documents shrink it themselves
        log.warning("print copy of %s not made: %s", sha, exc)


def print_copy(store_dir: Path | str, sha: str) -> Path:
    """The photo at print size (PRINT_SIZE px, upright) for documents, made now if missing;
    the original when it cannot be made (not an image, read-only store)."""
    cached = _thumb_path(store_dir, sha, PRINT_SIZE)
    if not cached.is_file():
        _make_print_copy(store_dir, sha)
    return cached if cached.is_file() else blob_path(store_dir, sha)


def list_for(session: Session, owner_type: str, owner_id: int) -> list[AttachmentRow]:
    rows = session.execute(
        select(Attachment).where(Attachment.owner_type == owner_type, Attachment.owner_id == owner_id)
        .order_by(Attachment.id)
    ).scalars()
    return [_row(a) for a in rows]


def get(session: Session, attachment_id: int) -> AttachmentRow:
    row = get_row(session, Attachment, attachment_id, msg("附件不存在。"))
    return _row(row)


def thumbnail(store_dir: Path | str, sha: str, size: int = 256) -> bytes:
    """A JPEG no larger than size×size, turned upright by its EXIF orientation; cached on disk."""
    if not 16 <= size <= 2048:
        raise ValueError("thumbnail size out of range")
    source = open_path(store_dir, sha)
    cached = _thumb_path(store_dir, sha, size)
    if cached.is_file():
        return cached.read_bytes()
    with open(source, "rb") as fh:
        mime = _sniff(fh.read(64))
    if mime not in IMAGE_MIMES:
        raise ValidationError({"file": msg("该附件不是图片，没有缩略图。")})
    if mime in ("image/heic", "image/heif"):
        _ensure_heif()
    try:
        with Image.open(source) as im:
            im.draft("RGB", (size, size))
            upright = ImageOps.exif_transpose(im)
            if upright.mode in ("RGBA", "LA", "P"):
                rgba = upright.convert("RGBA")
                flat = Image.new("RGB", rgba.size, "white")
                flat.paste(rgba, mask=rgba.getchannel("A"))
                upright = flat
            upright = upright.convert("RGB")
            upright.thumbnail((size, size), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            upright.save(out, "JPEG", quality=85, optimize=True)
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ServiceError(
            msg("图片文件已损坏，无法生成缩略图，请运行“riskdesk check”检查附件库。")) from exc
    thumb = out.getvalue()
    try:
        atomic_write_bytes(cached, thumb)
    except OSError as exc:  # a read-only store still shows pictures
        log.warning("thumbnail cache not written: %s", exc)
    return thumb


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _files_on_disk(store: Path) -> tuple[dict[str, Path], list[str]]:
    """Stored blobs by hash, and the relative names of anything else in the hash folders."""
    blobs: dict[str, Path] = {}
    strays: list[str] = []
    if not store.is_dir():
        return blobs, strays
    for first in sorted(store.iterdir()):
        if first.name == THUMBS or not first.is_dir() or len(first.name) != 2:
            continue
        for path in sorted(first.rglob("*")):
            if path.is_dir() or path.name.startswith("."):  # unfinished atomic writes start with "."
                continue
            rel = path.relative_to(store).as_posix()
            if _SHA_RE.match(path.name) and rel == f"{path.name[:2]}/{path.name[2:4]}/{path.name}":
                blobs[path.name] = path
            else:
                strays.append(rel)
    return blobs, strays


def verify_store(session: Session, store_dir: Path | str, *, hash_files: bool = True) -> StoreReport:
    """Compare the store with the database: missing files, changed files, files nobody refers to."""
    store = Path(store_dir)
    wanted = set(session.execute(select(Attachment.sha256).distinct()).scalars())
    also = set(session.execute(select(Document.file_sha256).where(Document.file_sha256.is_not(None))).scalars())
    for column in (AgencyProfile.logo_sha256, AgencyProfile.seal_sha256, User.signature_sha256):
        also |= set(session.execute(select(column).where(column.is_not(None))).scalars())  # letterhead
    blobs, strays = _files_on_disk(store)
    missing = sorted(wanted - blobs.keys())
    present = sorted(wanted & blobs.keys())
    changed = [sha for sha in present if hash_files and _hash_file(blobs[sha]) != sha]
    orphans = sorted(set(blobs) - wanted - also) + strays
    return StoreReport(checked=len(present), missing=tuple(missing), changed=tuple(changed),
                       orphans=tuple(orphans))
