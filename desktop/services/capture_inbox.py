"""Hazard drafts sent from phones: received once each, then confirmed, edited or rejected.

Nothing here writes the register except `confirm`, which goes through `hazards.record` (every
rule of the register applies: level, deadlines, same-day reports) and stores the photos through
the attachment store. Until then a draft's photos wait in a folder of their own (`drafts_dir`),
named by their SHA-256; `sweep` removes those no pending draft needs any more.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NotRequired, TypedDict, cast

from PIL import Image
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop import clock, fileutil
from desktop.db import DataError
from desktop.models import (
    AuditEntry,
    CaptureDraft,
    Inspection,
    Project,
    User,
    inspection_inspectors,
)
from desktop.models.enums import AttachmentRole
from desktop.services import audit, hazards, major_hazards, permissions
from desktop.services.capture_devices import DeviceRow
from desktop.services.context import (
    Actor,
    ConflictError,
    NotFound,
    TransitionError,
    ValidationError,
    get_row,
    msg,
)
from desktop.services.exchange import attachments
from desktop.services.exchange.attachments import PHOTO_TYPES, is_photo
from desktop.services.exchange.photo_capture import Capture, capture_line, capture_of_upload
from desktop.services.exchange.photo_similar import (
    NEAR_DISTANCE,
    StoredPhoto,
    dhash_of,
    dhash_of_bytes,
    distance,
    keep_looks,
    project_hazard_photos,
)

if TYPE_CHECKING:
    from desktop.db import Database

log = logging.getLogger("desktop.services.capture_inbox")

MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 12 * 1024 * 1024
# Pixels a photo may have, read from its header before anything is decoded (decoding is what
# costs: ~3 bytes and some nanoseconds a pixel). A phone's photo at its usual setting is 12 MP
# (sensors of 48, 50, 108 and 200 MP bin to 12 by default); the full-resolution modes of 48 and
# 50 MP sensors measure up to 8192×6144 (50.3 MP) and pass; 64, 108 and 200 MP full-resolution
# photos are refused (their JPEGs mostly exceed MAX_PHOTO_BYTES anyway). At the cap a photo
# decodes in under a second and ~150 MB — less than a third of Pillow's own bomb limit (179 MP),
# which a 490 KB PNG of 169 MP stays under while taking 2 s and 1 GB.
MAX_PHOTO_PIXELS = 52_000_000
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
PENDING, CONFIRMED, REJECTED = "pending", "confirmed", "rejected"
STATUS_LABELS = {PENDING: "待确认", CONFIRMED: "已入台账", REJECTED: "已退回"}
CLOCK_SKEW = dt.timedelta(minutes=5)  # a phone's clock may run this far ahead of the desk's
# which time a draft was given as found, as the desk says it
FOUND_SOURCES = {"phone": msg("按手机记录的草稿时间"), "photo": msg("按照片拍摄时间"),
                 "arrival": msg("按电脑收到草稿的时间")}


@dataclass(frozen=True)
class Photo:
    name: str
    data: bytes


@dataclass(frozen=True)
class DraftIn:
    client_id: str
    inspection_id: int
    description: str
    level: int
    location: str = ""
    catalogue_item_id: int | None = None
    photos: tuple[Photo, ...] = ()
    # when the draft was made on the phone, as the phone's clock says (None: an older page)
    made_at: dt.datetime | None = None


class PhotoFacts(TypedDict):
    """What a photo says about itself, as kept in a draft's photo list (JSON)."""

    taken_at: str | None  # ISO agency wall-clock time
    taken_source: str | None  # exif / name / file
    latitude: float | None
    longitude: float | None
    dhash: str  # perceptual hash, 16 hex digits


class DraftPhoto(TypedDict):
    """One entry of a draft's photo list (the JSON column): the file waiting in the drafts folder
    under its SHA-256, and the photo's facts — absent on drafts received before they were kept."""

    sha256: str
    name: str
    size: int
    taken_at: NotRequired[str | None]
    taken_source: NotRequired[str | None]
    latitude: NotRequired[float | None]
    longitude: NotRequired[float | None]
    dhash: NotRequired[str]


@dataclass(frozen=True)
class DraftRow:
    id: int
    client_id: str
    device_id: int
    user_id: int
    user_name: str
    inspection_id: int
    project_id: int
    project_name: str
    location: str
    description: str
    level: int
    catalogue_item_id: int | None
    found_at: dt.datetime
    photos: tuple[DraftPhoto, ...]
    status: str
    reject_reason: str
    hazard_id: int | None
    version: int
    # which time the desk kept as found ("phone", "photo", "arrival"; None: received before it said)
    found_source: str | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def found_note(self) -> str:
        return FOUND_SOURCES.get(self.found_source or "", "")

    @property
    def captures(self) -> tuple[Capture, ...]:
        """When (and where) each photo was taken, as far as the photo itself says."""
        return tuple(photo_capture(p) for p in self.photos)


def photo_capture(photo: DraftPhoto) -> Capture:
    """A draft photo's capture (its entry in the draft's photo list)."""
    taken = photo.get("taken_at")
    return Capture(dt.datetime.fromisoformat(taken) if taken else None, photo.get("taken_source"),
                   photo.get("latitude"), photo.get("longitude"))


def photo_line(photo: DraftPhoto) -> str:
    """拍摄于 2026-12-07 09:30（照片信息）… for a draft photo; empty when nothing is known."""
    c = photo_capture(photo)
    return capture_line(c.taken_at, c.source, c.latitude, c.longitude)


@dataclass(frozen=True)
class InspectionToday:
    id: int
    project_id: int
    project_name: str
    kind: str
    date: dt.date


def photo_problem(data: bytes) -> str | None:
    """Why `data` is not a photo we accept (Chinese), or None: checked by content, not name."""
    examined = examine_photo("", data)
    return examined if isinstance(examined, str) else None


def examine_photo(name: str, data: bytes) -> PhotoFacts | str:
    """The photo's facts (`_photo_facts`), or why it is refused (Chinese): checked by content —
    magic, size in pixels from the header (before anything is decoded), a full parse, and the
    decoding its facts need (a JPEG cut short fails there). No database, no file: `receive`
    calls it before either."""
    if not data:
        return msg("照片为空（0 字节）")
    if len(data) > MAX_PHOTO_BYTES:
        return msg("照片过大：单张不超过 {mb} MB", mb=MAX_PHOTO_BYTES // 1048576)
    if not is_photo(data[:64]):
        return msg("不是照片：仅支持 {photo_types} 图片", photo_types=PHOTO_TYPES)
    if data[4:8] == b"ftyp":
        import pillow_heif

        pillow_heif.register_heif_opener()
    try:
        with Image.open(io.BytesIO(data)) as im:
            width, height = im.size  # from the header: nothing decoded yet
            if width * height > MAX_PHOTO_PIXELS:
                return msg("图片像素过多（{w}×{h}）：单张不超过 {mp} 百万像素", w=width, h=height,
                           mp=MAX_PHOTO_PIXELS // 1_000_000)
            im.verify()
        return _photo_facts(name, data)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return msg("图片像素过多")
    except (OSError, SyntaxError, ValueError, EOFError):
        return msg("图片已损坏或无法识别")


def _photo_facts(name: str, data: bytes) -> PhotoFacts:
    """What a photo says about itself: capture time and place (EXIF, else the phone's file name)
    and its perceptual hash, for the draft's photo list (JSON). Decodes the picture (a JPEG at a
    small scale, every block of it read): a damaged one raises here."""
    if data[4:8] == b"ftyp":
        import pillow_heif

        pillow_heif.register_heif_opener()
    with Image.open(io.BytesIO(data)) as im:
        capture = capture_of_upload(name, im.getexif())
        code = dhash_of(im)
    return {"taken_at": capture.taken_at.isoformat() if capture.taken_at else None,
            "taken_source": capture.source, "latitude": capture.latitude,
            "longitude": capture.longitude, "dhash": f"{code:016x}"}


def found_time(photos: Sequence[DraftPhoto], *, day: dt.date, now: dt.datetime) -> dt.datetime:
    """When the hazard was found: the earliest photo taken on `day` (not after `now`), else now.

    A phone may send a draft long after it was made (no network on site); the photo's own time
    is the better witness. A photo from another day (picked from the gallery) says nothing.
    """
    taken = [t for t in (photo_capture(p).taken_at for p in photos)
             if t is not None and t.date() == day and t <= now + CLOCK_SKEW]
    return min(taken).replace(microsecond=0) if taken else now.replace(microsecond=0)


def plausible_made_at(made_at: dt.datetime | None, *, inspection_day: dt.date,
                      now: dt.datetime) -> dt.datetime | None:
    """The phone's time of making the draft (agency wall-clock, to the second) when it can be
    believed: not later than `now` beyond a small clock skew, not before the inspection's day.
    None otherwise (no time sent, or a phone clock that is wrong)."""
    if made_at is None:
        return None
    made = made_at.replace(microsecond=0)
    if made > now + CLOCK_SKEW or made.date() < inspection_day:
        return None
    return min(made, now.replace(microsecond=0))


def found_of(photos: Sequence[DraftPhoto], made_at: dt.datetime | None, *, inspection_day: dt.date,
             now: dt.datetime) -> tuple[dt.datetime, str]:
    """(found time, which): the earliest photo taken on the inspection's day ("photo": the camera
    saw the hazard before the draft was written), else the phone's own time of making the draft
    when plausible ("phone"), else the arrival ("arrival")."""
    arrival = now.replace(microsecond=0)
    found = found_time(photos, day=inspection_day, now=now)
    if found != arrival:
        return found, "photo"
    made = plausible_made_at(made_at, inspection_day=inspection_day, now=now)
    if made is not None:
        return made, "phone"
    return arrival, "arrival"


def inspections_today(session: Session, actor: Actor) -> list[InspectionToday]:
    """The inspections the actor is named on for the agency's today (China date)."""
    return inspections_on(session, actor, clock.today())


def inspections_on(session: Session, actor: Actor, day: dt.date) -> list[InspectionToday]:
    """The inspections the actor is named on for an agency date."""
    permissions.require(actor, "view")
    rows = session.execute(
        select(Inspection, Project.name)
        .join(inspection_inspectors, inspection_inspectors.c.inspection_id == Inspection.id)
        .join(Project, Project.id == Inspection.project_id)
        .where(inspection_inspectors.c.user_id == actor.user_id,
               Inspection.date == day, Inspection.deleted_at.is_(None))
        .order_by(Inspection.id)).all()
    return [InspectionToday(i.id, i.project_id, name, i.kind, i.date) for i, name in rows]


def receive(where: Database | Session, actor: Actor, device: DeviceRow, draft: DraftIn, *,
            drafts_dir: Path | str) -> tuple[DraftRow, bool]:
    """Keep a draft sent by a phone; (row, created). The same client id again — from the same
    phone, or from another phone of the same user (re-paired after the answer to the first send
    was lost) — returns the first.

    Checked: the client id, the inspection (the user's own, today), the fields, every photo by
    content. Photos are written (atomically, by hash) before the row, so a row never names a
    missing file; the files a refused draft wrote are removed again.

    Given the Database (as the capture page calls it), every photo is checked, decoded and
    written before the write unit begins, which then holds the write lock only for the checks
    of the database and the inserts. Given a Session, all of it runs in the caller's unit.
    """
    permissions.require(actor, "hazard.record")
    if not CLIENT_ID.match(draft.client_id or ""):
        raise ValidationError({"client_id": msg("草稿编号无效")})
    if isinstance(where, Session):
        existing = _by_client(where, device, draft.client_id)
        if existing is not None:
            return _row(where, existing), False
        examined = _examine_all(draft.photos)
        _check(where, actor, draft, examined)
        held = _hold_files(Path(drafts_dir), examined.photos)
        stored = False
        try:
            row, stored = _store(where, actor, device, draft, examined)
            return row, stored
        finally:
            _release_files(held, kept=stored)
    db = where
    with db.read() as session:
        existing = _by_client(session, device, draft.client_id)
        if existing is not None:  # a resend: the photos need no second look
            return _row(session, existing), False
    examined = _examine_all(draft.photos)  # decoding, hashing: no transaction open
    with db.read() as session:  # a draft refused takes no write lock and writes no file
        _check(session, actor, draft, examined)
    held = _hold_files(Path(drafts_dir), examined.photos)
    stored = False
    try:
        with db.session() as session:
            row, created = _store(session, actor, device, draft, examined)
        stored = created  # committed
        return row, created
    finally:
        _release_files(held, kept=stored)


@dataclass(frozen=True)
class _Examined:
    """A draft's photos, each checked and described (their entries for the draft's photo
    list), or the first one's problem (Chinese) — all known before any database work."""

    photos: tuple[tuple[bytes, DraftPhoto], ...] = ()
    problem: str | None = None


def _examine_all(photos: Sequence[Photo]) -> _Examined:
    if len(photos) > MAX_PHOTOS:
        return _Examined(problem=msg("每条草稿最多 {n} 张照片", n=MAX_PHOTOS))
    kept: list[tuple[bytes, DraftPhoto]] = []
    for photo in photos:
        facts = examine_photo(photo.name, photo.data)
        if isinstance(facts, str):
            return _Examined(problem=msg("{name}：{problem}", name=photo.name[:80], problem=facts))
        sha = hashlib.sha256(photo.data).hexdigest()
        kept.append((photo.data, {"sha256": sha, "name": Path(photo.name).name[:120] or sha[:12],
                                  "size": len(photo.data), **facts}))
    return _Examined(tuple(kept))


def _check(session: Session, actor: Actor, draft: DraftIn, examined: _Examined) -> InspectionToday:
    """The draft's inspection, every field checked (ValidationError, all problems at once)."""
    errors: dict[str, str] = {}
    arrival = clock.wall_now()
    today = {i.id: i for i in inspections_today(session, actor)}
    made = plausible_made_at(draft.made_at, inspection_day=dt.date.min, now=arrival)
    if made is not None and made.date() == arrival.date() - dt.timedelta(days=1):
        # made on the phone before midnight and sent after it (queued offline): the inspections
        # of the day it was made count too — that day only, never an older one
        today.update({i.id: i for i in inspections_on(session, actor, made.date())})
    if draft.inspection_id not in today:
        errors["inspection_id"] = _inspection_problem(session, actor, draft.inspection_id, arrival.date())
    if not draft.description.strip():
        errors["description"] = msg("请填写隐患描述")
    elif len(draft.description) > hazards.MAX_TEXT:
        errors["description"] = msg("隐患描述不超过 {n} 字", n=hazards.MAX_TEXT)
    if len(draft.location) > 200:
        errors["location"] = msg("部位不超过 200 字")
    if draft.level not in (1, 2, 3, 4):
        errors["level"] = msg("隐患等级须为一至四级")
    if draft.catalogue_item_id is not None:
        if not major_hazards.is_standard_item(session, draft.catalogue_item_id):
            errors["catalogue_item_id"] = msg("所选条目不是重大事故隐患判定标准中的条目")
        elif draft.level != 1:
            errors["level"] = msg("对照重大事故隐患判定标准的隐患须为一级")
    if examined.problem:
        errors["photos"] = examined.problem
    if errors:
        raise ValidationError(errors)
    return today[draft.inspection_id]


def _store(session: Session, actor: Actor, device: DeviceRow, draft: DraftIn,
           examined: _Examined) -> tuple[DraftRow, bool]:
    """Add the row (its photos' files are written): checked again, as the unit may begin after
    the first look; (row, created) — the first draft when the same one got in meanwhile."""
    existing = _by_client(session, device, draft.client_id)
    if existing is not None:
        return _row(session, existing), False
    inspection = _check(session, actor, draft, examined)
    kept = [entry for _data, entry in examined.photos]
    found_at, source = found_of(kept, draft.made_at, inspection_day=inspection.date,
                                now=clock.wall_now())
    row = CaptureDraft(device_id=device.id, client_id=draft.client_id, user_id=actor.user_id,
                       inspection_id=inspection.id, project_id=inspection.project_id,
                       location=draft.location.strip(), description=draft.description.strip(),
                       level=draft.level, catalogue_item_id=draft.catalogue_item_id,
                       found_at=found_at,
                       photos=kept, status=PENDING, reject_reason="")
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # the same draft from a second connection got in first
        existing = _by_client(session, device, draft.client_id)
        if existing is None:
            raise
        return _row(session, existing), False
    audit.record(session, actor, action="capture.draft", entity="capture_drafts", entity_id=row.id,
                 after={"device_id": device.id, "device": device.name, "user_id": actor.user_id,
                        "client_id": draft.client_id, "inspection_id": inspection.id,
                        "level": draft.level, "photos": [p["sha256"] for p in kept],
                        "found_at": found_at.isoformat(sep=" "), "found_source": source,
                        "made_at": draft.made_at.isoformat(sep=" ") if draft.made_at else None})
    return _row(session, row), True


# Files of drafts being received, by path: how many receives hold each, and whether one of them
# wrote it (it was not there) while no stored draft names it yet. A receive that fails removes
# the files it wrote unless another receive still holds them or a stored draft kept them.
_files_lock = threading.Lock()
_held_files: dict[Path, list[int]] = {}  # path -> [holders, written and not kept (0/1)]


def _hold_files(folder: Path, photos: Sequence[tuple[bytes, DraftPhoto]]) -> list[Path]:
    """Write the photos that are not there yet (by hash, atomically); the paths held."""
    held: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for data, entry in photos:
            target = folder / entry["sha256"]
            with _files_lock:
                _held_files.setdefault(target, [0, 0])[0] += 1
                held.append(target)
            if target.is_file() and target.stat().st_size == len(data):
                continue
            new = not target.exists()
            fileutil.atomic_write_bytes(target, data)
            if new:
                with _files_lock:
                    _held_files[target][1] = 1
    except BaseException:
        _release_files(held, kept=False)
        raise
    return held


def _release_files(held: Sequence[Path], *, kept: bool) -> None:
    """Let go of the files; `kept`: a draft naming them is stored (the caller's unit commits it).
    A file written for a refused draft, held by no other receive, is removed."""
    with _files_lock:
        for target in held:
            entry = _held_files[target]
            entry[0] -= 1
            if kept:
                entry[1] = 0
            if entry[0] == 0:
                del _held_files[target]
                if entry[1]:
                    fileutil.remove_file(target)


def _inspection_problem(session: Session, actor: Actor, inspection_id: int, day: dt.date) -> str:
    """Why a draft may not name this inspection: one of the user's own from an earlier day is
    named with its date (a phone recording an old inspection's hazards, e.g. a draft kept for
    days); anything else is simply not one of today's."""
    older = session.execute(
        select(Inspection.date)
        .join(inspection_inspectors, inspection_inspectors.c.inspection_id == Inspection.id)
        .where(Inspection.id == inspection_id, inspection_inspectors.c.user_id == actor.user_id,
               Inspection.deleted_at.is_(None), Inspection.date < day)).scalar_one_or_none()
    if older is None:
        return msg("请选择今天分配给您的检查")
    return msg("所选检查是 {day} 的检查，早于今天：请选择今天分配给您的检查（前一天午夜前制作、"
               "午夜后发送的草稿可记入前一天的检查）；更早检查的隐患请在办公室电脑上登记。", day=older)


def _by_client(session: Session, device: DeviceRow, client_id: str) -> CaptureDraft | None:
    """The draft with this client id from this device, else from another device of the same user:
    the page makes the id (16 random bytes, 32 hex digits) once per draft and keeps it through
    resends, also across a re-pairing (a revoked or expired device, a new one for the same user,
    the answer to the first send lost)."""
    return session.execute(
        select(CaptureDraft)
        .where(CaptureDraft.client_id == client_id,
               or_(CaptureDraft.device_id == device.id, CaptureDraft.user_id == device.user_id))
        .order_by((CaptureDraft.device_id != device.id), CaptureDraft.id).limit(1)).scalar_one_or_none()


def list_drafts(session: Session, actor: Actor, *, status: str | None = PENDING,
                inspection_id: int | None = None) -> list[DraftRow]:
    """Drafts (pending ones by default), of one inspection when `inspection_id` is given."""
    permissions.require(actor, "view")
    query = select(CaptureDraft).order_by(CaptureDraft.id)
    if status:
        query = query.where(CaptureDraft.status == status)
    if inspection_id is not None:
        query = query.where(CaptureDraft.inspection_id == inspection_id)
    return [_row(session, d) for d in session.execute(query).scalars()]


def inspection_brief(session: Session, inspection_id: int) -> InspectionToday:
    """The inspection a draft belongs to: its project and date (for the inbox's heading)."""
    row = session.execute(select(Inspection, Project.name).join(
        Project, Project.id == Inspection.project_id).where(Inspection.id == inspection_id)).first()
    if row is None:
        raise NotFound(msg("检查记录不存在。"))
    i, name = row
    return InspectionToday(i.id, i.project_id, name, i.kind, i.date)


def pending_count(session: Session, inspection_id: int) -> int:
    """How many drafts of the inspection wait for the office."""
    return session.execute(select(func.count()).select_from(CaptureDraft).where(
        CaptureDraft.inspection_id == inspection_id, CaptureDraft.status == PENDING)).scalar_one()


def get(session: Session, draft_id: int) -> DraftRow:
    return _row(session, _load(session, draft_id))


def _load(session: Session, draft_id: int, expected_version: int | None = None) -> CaptureDraft:
    draft = get_row(session, CaptureDraft, draft_id, msg("草稿不存在。"))
    if expected_version is not None and draft.version != expected_version:
        raise ConflictError(msg("草稿已被他人处理，请刷新后再试。"))
    if draft.status != PENDING:
        raise TransitionError(msg("草稿已处理（{status}）。", status=STATUS_LABELS[draft.status]))
    return draft


EDITABLE = ("location", "description", "level", "catalogue_item_id")


def edit(session: Session, actor: Actor, draft_id: int, *, expected_version: int,
         **changes: object) -> DraftRow:
    """Correct a pending draft before confirming it (location, description, level, item)."""
    permissions.require(actor, "hazard.edit")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    draft = _load(session, draft_id, expected_version)
    before = audit.snapshot(draft)
    errors: dict[str, str] = {}
    if "description" in changes and not str(changes["description"]).strip():
        errors["description"] = msg("请填写隐患描述")
    if "level" in changes and changes["level"] not in (1, 2, 3, 4):
        errors["level"] = msg("隐患等级须为一至四级")
    if errors:
        raise ValidationError(errors)
    for key, value in changes.items():
        setattr(draft, key, value.strip() if isinstance(value, str) else value)
    session.flush()
    audit.record_update(session, actor, draft, before)
    return _row(session, draft)


def confirm(session: Session, actor: Actor, draft_id: int, *, expected_version: int,
            form: hazards.HazardForm, store_dir: Path | str, drafts_dir: Path | str) -> hazards.HazardRow:
    """Record the hazard the draft describes and attach its photos (before-photos).

    `form` is what the office completed (measures, contingency, stop-work, deadline…); its
    project, inspection and found time are the draft's own.
    """
    draft = _load(session, draft_id, expected_version)
    form = dataclasses.replace(form, project_id=draft.project_id, inspection_id=draft.inspection_id,
                               found_at=draft.found_at)
    hazard = hazards.record(session, actor, form)
    for photo in _photos(draft):
        path = Path(drafts_dir) / photo["sha256"]
        if not path.is_file():
            raise NotFound(msg("草稿照片 {name} 已丢失，无法入台账。", name=photo["name"]))
        attachments.store_file(session, actor, store_dir=store_dir, path=path,
                               original_name=photo["name"], owner_type="hazard",
                               owner_id=hazard.id, role=AttachmentRole.BEFORE,
                               capture=photo_capture(photo))
    before = audit.snapshot(draft)
    draft.status, draft.hazard_id = CONFIRMED, hazard.id
    draft.decided_by_id, draft.decided_at = actor.user_id, clock.utc_now()
    session.flush()
    audit.record_update(session, actor, draft, before, note="现场采集草稿确认入台账")
    return hazard


def reject(session: Session, actor: Actor, draft_id: int, *, expected_version: int,
           reason: str) -> DraftRow:
    """Turn a draft away with a reason; nothing enters the register."""
    permissions.require(actor, "hazard.edit")
    draft = _load(session, draft_id, expected_version)
    if not reason.strip():
        raise ValidationError({"reason": msg("请填写退回原因")})
    before = audit.snapshot(draft)
    draft.status, draft.reject_reason = REJECTED, reason.strip()[:500]
    draft.decided_by_id, draft.decided_at = actor.user_id, clock.utc_now()
    session.flush()
    audit.record_update(session, actor, draft, before)
    return _row(session, draft)


@dataclass
class Looks:
    """Photo looks (dHash) computed while comparing because nothing kept them yet: stored
    photos' by SHA-256, and each draft's photo list with the looks added (drafts received
    before drafts kept them). `flag_near_duplicates` writes them so each is computed once, ever."""

    stored: dict[str, int] = field(default_factory=dict)
    drafts: dict[int, list[DraftPhoto]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.stored or self.drafts)


def _draft_looks(draft: DraftRow, drafts_dir: Path | None, computed: Looks) -> list[int]:
    """The looks of a draft's photos: kept in its photo list, else taken from the photo
    waiting in `drafts_dir` (and noted in `computed`); photos that cannot be read left out."""
    codes: list[int] = []
    photos = [p.copy() for p in draft.photos]
    added = False
    for photo in photos:
        if photo.get("dhash"):
            codes.append(int(photo["dhash"], 16))
            continue
        if drafts_dir is None:
            continue
        try:
            data = (drafts_dir / photo["sha256"]).read_bytes()
        except OSError:
            continue
        code = dhash_of_bytes(data)
        if code is not None:
            photo["dhash"] = f"{code:016x}"
            codes.append(code)
            added = True
    if added:
        computed.drafts[draft.id] = photos
    return codes


def near_duplicates(session: Session, drafts: Sequence[DraftRow], *, store_dir: Path | str,
                    drafts_dir: Path | str | None = None, max_distance: int = NEAR_DISTANCE,
                    computed: Looks | None = None) -> dict[int, tuple[str, ...]]:
    """For each draft with a photo that looks like a hazard photo already stored for its project,
    the numbers of those hazards (closest first). Drafts without such a photo are left out.

    Looks nothing kept yet (stored photos from before, draft photos from `drafts_dir`) are
    computed and added to `computed`; nothing is written here (`flag_near_duplicates` does)."""
    found: dict[int, tuple[str, ...]] = {}
    stored_by_project: dict[int, list[StoredPhoto]] = {}
    new = computed if computed is not None else Looks()
    folder = Path(drafts_dir) if drafts_dir is not None else None
    for draft in drafts:
        codes = _draft_looks(draft, folder, new)
        if not codes:
            continue
        if draft.project_id not in stored_by_project:
            stored_by_project[draft.project_id] = project_hazard_photos(
                session, draft.project_id, store_dir, computed=new.stored)
        best: dict[str, int] = {}
        for stored in stored_by_project[draft.project_id]:
            gap = min(distance(code, stored.dhash) for code in codes)
            if gap <= max_distance and gap < best.get(stored.hazard_number, 65):
                best[stored.hazard_number] = gap
        if best:
            found[draft.id] = tuple(sorted(best, key=lambda n: (best[n], n)))
    return found


def keep_draft_looks(session: Session, drafts: dict[int, list[DraftPhoto]]) -> int:
    """Write drafts' photo lists with their looks added, in one bulk update; how many drafts.

    Through the table, not the ORM object: a look derived from the photo is no edit of the
    draft, so its version (which the office's confirm or edit is checked against) stays."""
    if not drafts:
        return 0
    table = CaptureDraft.__table__
    session.execute(update(table).where(table.c.id == bindparam("draft_id"))
                    .values(photos=bindparam("with_looks")),
                    [{"draft_id": i, "with_looks": photos} for i, photos in sorted(drafts.items())])
    return len(drafts)


def flag_near_duplicates(db: Database, drafts: Sequence[DraftRow], *, store_dir: Path | str,
                         drafts_dir: Path | str,
                         max_distance: int = NEAR_DISTANCE) -> dict[int, tuple[str, ...]]:
    """`near_duplicates` as the inbox asks it: read, then keep the looks computed on the way
    (one short write, after the comparing). A database that refuses the write (read-only,
    busy) costs only the same computing next time."""
    computed = Looks()
    with db.read() as session:
        found = near_duplicates(session, drafts, store_dir=store_dir, drafts_dir=drafts_dir,
                                max_distance=max_distance, computed=computed)
    if computed:
        try:
            with db.session() as session:
                keep_looks(session, computed.stored)
                keep_draft_looks(session, computed.drafts)
        except DataError as exc:
            log.warning("photo looks not kept: %s", exc)
    return found


def near_note(numbers: Sequence[str]) -> str:
    """可能重复：与 YH-2026-0012、YH-2026-0015 的照片相似"""
    return msg("可能重复：与 {numbers} 的照片相似", numbers="、".join(numbers))


def sweep(session: Session, drafts_dir: Path | str) -> int:
    """Remove the waiting photos no pending draft names any more; how many were removed."""
    folder = Path(drafts_dir)
    if not folder.is_dir():
        return 0
    needed = {p["sha256"] for photos in session.execute(
        select(CaptureDraft.photos).where(CaptureDraft.status == PENDING)).scalars() for p in photos}
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and re.fullmatch(r"[0-9a-f]{64}", path.name) and path.name not in needed:
            fileutil.remove_file(path)
            removed += 1
    return removed


def _row(session: Session, d: CaptureDraft) -> DraftRow:
    user = session.get(User, d.user_id)
    project = session.get(Project, d.project_id)
    return DraftRow(d.id, d.client_id, d.device_id, d.user_id, user.display_name if user else "",
                    d.inspection_id, d.project_id, project.name if project else "", d.location,
                    d.description, d.level, d.catalogue_item_id, d.found_at,
                    _photos(d), d.status, d.reject_reason,
                    d.hazard_id, d.version, _found_source(session, d.id))


def _photos(d: CaptureDraft) -> tuple[DraftPhoto, ...]:
    """The draft's photo list; its JSON is written only by `receive`, in DraftPhoto's shape."""
    return tuple(cast(DraftPhoto, dict(p)) for p in d.photos or ())


def _found_source(session: Session, draft_id: int) -> str | None:
    after = session.execute(select(AuditEntry.after).where(
        AuditEntry.entity == "capture_drafts", AuditEntry.entity_id == draft_id,
        AuditEntry.action == "capture.draft").order_by(AuditEntry.id).limit(1)).scalar_one_or_none()
    source = after.get("found_source") if isinstance(after, dict) else None
    return source if source in FOUND_SOURCES else None
