"""Import many photos for one record: each file checked and stored by its hash, bad ones reported.

Hundreds of files take a while (each is hashed and decoded once to prove it is a picture), so
the work is committed in batches: the database write lock is held for one batch at a time, and
a cancel keeps the batches already done. Each refused file comes back with a Chinese reason.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageOps
from sqlalchemy.orm import Session

from desktop.messages import Lines
from desktop.models.enums import AttachmentRole
from desktop.services.context import Actor, Cancelled, Changes, Message, ValidationError, msg
from desktop.services.exchange import attachments
from desktop.services.exchange.attachments import PHOTO_TYPES, AttachmentRow, is_photo
from desktop.services.exchange.photo_capture import Capture

BATCH = 20
Progress = Callable[[int, int, str], bool]
UnitOfWork = Callable[[], contextlib.AbstractContextManager[Session]]


@dataclass(frozen=True)
class PhotoSource:
    """A file on disk, or the bytes of a pasted picture (then `name` is only a label)."""

    name: str
    path: Path | None = None
    data: bytes | None = None
    capture: Capture | None = None  # when and where it was taken, kept on the attachment

    @classmethod
    def file(cls, path: Path | str) -> PhotoSource:
        path = Path(path)
        return cls(path.name, path=path)


@dataclass(frozen=True)
class Failure:
    name: str
    reason: str


@dataclass
class ImportResult:
    stored: list[AttachmentRow] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)

    def summary(self) -> Message:
        saved = msg("已保存 {n} 张照片。", n=len(self.stored))
        if not self.failed:
            return saved
        return msg("{saved}\n以下 {n} 个文件未保存：\n{failures}", saved=saved, n=len(self.failed),
                   failures=Lines(msg("{name}：{reason}", name=f.name, reason=f.reason)
                                  for f in self.failed))


def _digest(source: PhotoSource) -> tuple[str, bytes]:
    """(sha256, first bytes); raises ValidationError with the reason when unreadable."""
    if source.data is not None:
        return hashlib.sha256(source.data).hexdigest(), source.data[:64]
    assert source.path is not None  # a source holds its bytes or a path
    digest = hashlib.sha256()
    try:
        with open(source.path, "rb") as fh:
            head = fh.read(64)
            digest.update(head)
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except FileNotFoundError:
        raise ValidationError({"file": msg("文件不存在或已被移走")}) from None
    except IsADirectoryError:
        raise ValidationError({"file": msg("这是文件夹，不是照片")}) from None
    except OSError as exc:
        raise ValidationError({"file": msg("无法读取文件（{reason}）",
                                           reason=exc.strerror or str(exc))}) from None
    return digest.hexdigest(), head


def _store_one(session: Session, actor: Actor, source: PhotoSource, *, owner_type: str,
               owner_id: int, role: str, store_dir: Path | str, seen: set[str]) -> AttachmentRow:
    sha, head = _digest(source)
    if not head:
        raise ValidationError({"file": msg("文件为空（0 字节）")})
    if not is_photo(head):
        raise ValidationError({"file": msg("不是照片：仅支持 {photo_types} 图片",
                                           photo_types=PHOTO_TYPES)})
    if sha in seen:
        raise ValidationError({"file": msg("重复：同一张照片已经添加")})
    row = attachments.store_file(session, actor, store_dir=store_dir, path=source.path,
                                 data=source.data, original_name=source.name,
                                 owner_type=owner_type, owner_id=owner_id, role=role,
                                 capture=source.capture)
    seen.add(sha)
    return row


def import_photos(unit_of_work: UnitOfWork, actor: Actor, *, owner_id: int,
                  sources: Sequence[PhotoSource], store_dir: Path | str,
                  owner_type: str = "hazard", role: str = AttachmentRole.BEFORE,
                  progress: Progress | None = None, batch: int = BATCH) -> ImportResult:
    """Store the photos; `unit_of_work()` opens one committed session (Database.session).

    A file that is not a readable photo, or the same picture again, is skipped with its
    reason; a failure of the store or the database stops the import (batches done stay).
    `progress` returning False stops after the current file and raises Cancelled.
    """
    result = ImportResult()
    result.changes.touch("hazards" if owner_type == "hazard" else "documents", owner_id)
    total = len(sources)
    with unit_of_work() as session:
        seen = {a.sha256 for a in attachments.list_for(session, owner_type, owner_id)
                if a.role == str(role)}
    cancelled = False
    for start in range(0, total, batch):
        with unit_of_work() as session:
            for offset, source in enumerate(sources[start:start + batch]):
                done = start + offset
                text = msg("正在保存 {name}（{n}/{total}）", name=source.name, n=done + 1, total=total)
                if progress is not None and not progress(done, total, text):
                    cancelled = True
                    break
                try:
                    with session.begin_nested():
                        result.stored.append(_store_one(
                            session, actor, source, owner_type=owner_type, owner_id=owner_id,
                            role=str(role), store_dir=store_dir, seen=seen))
                except ValidationError as exc:
                    reason = exc.messages.get("file", exc.message)
                    result.failed.append(Failure(source.name, reason))
        if cancelled:
            raise Cancelled(msg("已取消：已保存 {n} 张，其余未保存。", n=len(result.stored)))
    if progress is not None:
        progress(total, total, msg("已完成"))
    return result


def sources_from(paths: Iterable[Path | str]) -> list[PhotoSource]:
    return [PhotoSource.file(p) for p in paths]


def preview_jpeg(source: PhotoSource, size: int = 160) -> bytes:
    """A small upright JPEG of a photo not yet stored (EXIF rotation applied; HEIC too)."""
    opened: Path | io.BytesIO = source.path if source.path is not None else io.BytesIO(source.data or b"")
    head = source.data[:64] if source.data is not None else _head(source.path) if source.path is not None \
        else b""
    if head[4:8] == b"ftyp":
        import pillow_heif

        pillow_heif.register_heif_opener()
    with contextlib.ExitStack() as stack:
        try:
            im = stack.enter_context(Image.open(opened))
            im.draft("RGB", (size, size))
            upright = ImageOps.exif_transpose(im).convert("RGB")
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ValidationError({"file": msg("图片已损坏或无法识别")}) from exc
        upright.thumbnail((size, size))
        out = io.BytesIO()
        upright.save(out, "JPEG", quality=85)
    return out.getvalue()


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(64)
    except OSError as exc:
        raise ValidationError({"file": msg("无法读取文件")}) from exc
