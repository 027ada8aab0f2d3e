"""A folder of site photos turned into proposed hazards: read, grouped by time, duplicates flagged.

Three steps, so the screen can show the proposal before anything is written:
1. `read_folder` reads every file (hash, capture time and place, a small decode for the
   perceptual hash, which also proves the file is a picture) on worker threads, with progress
   and cancel, and touches no database;
2. `propose` sorts the photos by capture time, starts a new group wherever two neighbours are
   more than `gap_minutes` apart, and flags exact duplicates (same SHA-256, in the folder or
   already stored for the project) and near-duplicates (dHash Hamming distance ≤ a threshold);
3. `import_groups` stores each assigned group on its hazard as before- or after-photos through
   photo_import, keeping the capture data on each attachment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desktop.models import Attachment, Hazard, Inspection
from desktop.services.context import Actor, Cancelled, ValidationError, get_live, get_row, msg
from desktop.services.exchange.attachments import MAX_SIZE, is_photo
from desktop.services.exchange.photo_capture import Capture, capture_of
from desktop.services.exchange.photo_import import (
    Failure,
    ImportResult,
    PhotoSource,
    Progress,
    UnitOfWork,
    import_photos,
)
from desktop.services.exchange.photo_similar import NEAR_DISTANCE, dhash_of

DEFAULT_GAP_MINUTES = 3


@dataclass(frozen=True)
class FolderPhoto:
    path: Path
    sha256: str
    capture: Capture
    dhash: int
    width: int
    height: int

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class FolderRead:
    photos: tuple[FolderPhoto, ...]
    unreadable: tuple[Failure, ...]


@dataclass(frozen=True)
class ProposedPhoto:
    photo: FolderPhoto
    duplicate_of: str = ""  # the earlier photo's name, in the folder
    stored: bool = False  # the same picture is already stored for the project
    near_of: str = ""  # an earlier photo that looks the same
    distance: int | None = None

    @property
    def is_duplicate(self) -> bool:
        return bool(self.duplicate_of) or self.stored

    def note(self) -> str:
        if self.stored:
            return "重复：本项目已存有这张照片"
        if self.duplicate_of:
            return f"重复：与 {self.duplicate_of} 完全相同"
        if self.near_of:
            return f"近似：与 {self.near_of} 几乎相同"
        return ""


@dataclass
class PhotoGroup:
    photos: list[ProposedPhoto] = field(default_factory=list)

    @property
    def start(self) -> dt.datetime | None:
        return self.photos[0].photo.capture.taken_at if self.photos else None

    @property
    def end(self) -> dt.datetime | None:
        return self.photos[-1].photo.capture.taken_at if self.photos else None

    def to_import(self, *, skip_duplicates: bool = True) -> list[FolderPhoto]:
        return [p.photo for p in self.photos if not (skip_duplicates and p.is_duplicate)]


@dataclass(frozen=True)
class Proposal:
    groups: tuple[PhotoGroup, ...]
    unreadable: tuple[Failure, ...]
    gap_minutes: int


@dataclass(frozen=True)
class Assignment:
    """One group's photos for a hazard of the inspection, as before- or after-photos."""

    hazard_id: int
    role: str
    photos: tuple[FolderPhoto, ...]


# -- 1. reading ---------------------------------------------------------------------------------


def folder_files(folder: Path | str) -> list[Path]:
    """The files directly in `folder` (not hidden), by name; a clear message when it is no folder."""
    root = Path(folder)
    if not root.is_dir():
        raise ValidationError({"folder": msg("文件夹不存在：{folder}", folder=str(root))})
    try:
        entries = sorted((p for p in root.iterdir() if not p.name.startswith(".")),
                         key=lambda p: p.name)
    except OSError as exc:
        raise ValidationError({"folder": msg("无法读取文件夹（{reason}）",
                                             reason=exc.strerror or str(exc))}) from None
    return [p for p in entries if p.is_file()]


def read_photo(path: Path) -> FolderPhoto:
    """Hash, capture data and perceptual hash of one file; ValidationError with the reason."""
    try:
        size = path.stat().st_size
        if size == 0:
            raise ValidationError({"file": msg("文件为空（0 字节）")})
        if size > MAX_SIZE:
            raise ValidationError({"file": msg("文件超过 {mb} MB", mb=MAX_SIZE // (1024 * 1024))})
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError({"file": msg("无法读取文件（{reason}）",
                                           reason=exc.strerror or str(exc))}) from None
    if not is_photo(data[:64]):
        raise ValidationError({"file": msg("不是照片：仅支持 JPEG、PNG、HEIC 图片")})
    if data[4:8] == b"ftyp":
        import pillow_heif

        pillow_heif.register_heif_opener()
    sha = hashlib.sha256(data).hexdigest()
    try:
        with Image.open(io.BytesIO(data)) as im:
            width, height = im.size
            exif = im.getexif()
            code = dhash_of(im)  # JPEG: decoded at 1/8 scale, still the whole stream
    except (OSError, SyntaxError, ValueError, EOFError, UnidentifiedImageError,
            Image.DecompressionBombError):
        raise ValidationError({"file": msg("图片已损坏或无法识别")}) from None
    try:
        capture = capture_of(path, exif)
    except Exception:  # noqa: BLE001 - odd metadata must not stop the folder: name or file time
        capture = capture_of(path, None)
    return FolderPhoto(path, sha, capture, code, width, height)


def read_folder(paths: Iterable[Path | str], *, progress: Progress | None = None,
                workers: int = 2) -> FolderRead:
    """Read the files on `workers` threads (Pillow and hashlib work outside the GIL).

    `progress(done, total, text)` returning False cancels: the files not started are dropped
    and Cancelled is raised. Nothing is written anywhere.
    """
    files = [Path(p) for p in paths]
    total = len(files)
    results: list[FolderPhoto | Failure | None] = [None] * total
    done = 0
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        pending: dict[Future[FolderPhoto | Failure], int] = {}
        queue = iter(range(total))

        def submit() -> None:
            index = next(queue, None)
            if index is not None:
                pending[pool.submit(read_photo, files[index])] = index

        for _ in range(max(1, workers) * 2):
            submit()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                index = pending.pop(future)
                try:
                    results[index] = future.result()
                except ValidationError as exc:
                    results[index] = Failure(files[index].name,
                                             exc.messages.get("file", exc.message))
                done += 1
                text = msg("正在读取 {name}（{n}/{total}）", name=files[index].name, n=done,
                           total=total)
                if progress is not None and not progress(done, total, text):
                    for other in pending:
                        other.cancel()
                    raise Cancelled(msg("已取消读取照片，未导入任何照片。"))
                submit()
    photos = tuple(r for r in results if isinstance(r, FolderPhoto))
    failed = tuple(r for r in results if isinstance(r, Failure))
    return FolderRead(photos, failed)


# -- 2. grouping --------------------------------------------------------------------------------


def _order(photo: FolderPhoto) -> tuple[Any, ...]:
    taken = photo.capture.taken_at
    return (taken is None, taken or dt.datetime.min, photo.name)


def propose(read: FolderRead, *, stored_hashes: Iterable[str] = (),
            gap_minutes: int = DEFAULT_GAP_MINUTES, near_distance: int = NEAR_DISTANCE) -> Proposal:
    """Groups by capture time: a new group where the gap to the previous photo exceeds
    `gap_minutes` (a photo without a time starts its own group); duplicates flagged."""
    if gap_minutes < 0:
        raise ValidationError({"gap": msg("分组间隔不能为负数")})
    stored = set(stored_hashes)
    gap = dt.timedelta(minutes=gap_minutes)
    seen: dict[str, str] = {}
    kept: list[FolderPhoto] = []  # photos near-duplicates are compared with
    groups: list[PhotoGroup] = []
    previous: dt.datetime | None = None
    for photo in sorted(read.photos, key=_order):
        taken = photo.capture.taken_at
        if not groups or taken is None or previous is None or taken - previous > gap:
            groups.append(PhotoGroup())
        previous = taken
        if photo.sha256 in stored:
            proposed = ProposedPhoto(photo, stored=True)
        elif photo.sha256 in seen:
            proposed = ProposedPhoto(photo, duplicate_of=seen[photo.sha256])
        else:
            seen[photo.sha256] = photo.name
            near = min((((photo.dhash ^ other.dhash).bit_count(), other.name) for other in kept),
                       default=None)
            if near is not None and near[0] <= near_distance:
                proposed = ProposedPhoto(photo, near_of=near[1], distance=near[0])
            else:
                proposed = ProposedPhoto(photo)
            kept.append(photo)
        groups[-1].photos.append(proposed)
    return Proposal(tuple(groups), read.unreadable, gap_minutes)


def stored_hashes(session: Session, inspection_id: int) -> set[str]:
    """SHA-256 of the photos already stored for the inspection's project (its hazards' photos and
    the inspection records' own files)."""
    inspection = get_row(session, Inspection, inspection_id, msg("检查记录不存在。"))
    hazards = select(Hazard.id).where(Hazard.project_id == inspection.project_id)
    inspections = select(Inspection.id).where(Inspection.project_id == inspection.project_id)
    stmt = select(Attachment.sha256).where(or_(
        (Attachment.owner_type == "hazard") & Attachment.owner_id.in_(hazards),
        (Attachment.owner_type == "inspection") & Attachment.owner_id.in_(inspections)))
    return set(session.execute(stmt).scalars())


# -- 3. storing ---------------------------------------------------------------------------------


def check_assignments(session: Session, inspection_id: int,
                      assignments: Sequence[Assignment]) -> None:
    """Each target hazard exists and belongs to the inspection's project."""
    inspection = get_row(session, Inspection, inspection_id, msg("检查记录不存在。"))
    for a in assignments:
        hazard = get_live(session, Hazard, a.hazard_id, msg("要添加照片的隐患不存在。"))
        if hazard.project_id != inspection.project_id:
            raise ValidationError({"hazard": msg("隐患 {number} 不属于本次检查的项目",
                                                 number=hazard.number)})


def import_groups(unit_of_work: UnitOfWork, actor: Actor, *, inspection_id: int,
                  assignments: Sequence[Assignment], store_dir: Path | str,
                  progress: Progress | None = None) -> ImportResult:
    """Store each assignment's photos on its hazard (photo_import: batches, audit, cancel),
    each with its capture time and place."""
    with unit_of_work() as session:
        check_assignments(session, inspection_id, assignments)
    total = sum(len(a.photos) for a in assignments)
    result = ImportResult()
    base = 0
    for a in assignments:
        sources = [PhotoSource(p.name, path=p.path, capture=p.capture) for p in a.photos]

        def step(done: int, _total: int, text: str, base: int = base) -> bool:
            return progress(base + done, total, text) if progress is not None else True

        part = import_photos(unit_of_work, actor, owner_id=a.hazard_id, sources=sources,
                             store_dir=store_dir, owner_type="hazard", role=a.role, progress=step)
        result.stored += part.stored
        result.failed += part.failed
        result.changes.merge(part.changes)
        base += len(a.photos)
    return result

