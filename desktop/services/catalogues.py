"""Regulatory catalogues as data: each edition file is loaded once, never changed, and searched."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NotRequired, TypedDict

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from desktop.models import Catalogue, CatalogueItem, CatalogueItemLink, User
from desktop.paths import catalogues_dir
from desktop.services import audit, permissions
from desktop.services.context import Actor, NotFound, ServiceError, get_row, msg, now

FORMAT = 1
KINDS = {
    "major_hazard": "重大事故隐患判定标准",
    "danda": "危大工程范围",
    "chaowei": "超危大工程范围",
    "risk_source": "风险源清单",
}
VERIFICATIONS = {"verified": "已核对", "knowledge_unverified": "待核对原文",
                 "transcribed": "据转录本，待核对原文", "example": "示例"}
UNCHECKED = msg("未核对原文")  # an imported edition until an administrator has checked it
_LIKE_ESCAPE = "!"


class CatalogueFileError(ServiceError):
    """A catalogue file that cannot be loaded: malformed, or a changed edition."""


@dataclass(frozen=True)
class LoadResult:
    code: str
    title: str
    file: str
    items: int
    status: str  # "loaded" or "unchanged"


@dataclass(frozen=True)
class CatalogueRow:
    id: int
    code: str
    kind: str
    edition: str
    title: str
    doc_no: str
    issued: dt.date | None
    superseded_by: str
    official: bool
    items: int
    in_force: dt.date | None = None
    text_checked: bool = True
    checked_by: str = ""
    checked_at: dt.datetime | None = None

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def check_label(self) -> str:
        """未核对原文 for an imported edition nobody has checked yet; who checked it otherwise."""
        if not self.text_checked:
            return UNCHECKED
        if self.checked_at is not None:
            return msg("已核对原文（{who}，{day}）", who=self.checked_by or "管理员",
                       day=self.checked_at.date().isoformat())
        return msg("随软件提供")


@dataclass(frozen=True)
class CatalogueItemRow:
    id: int
    code: str
    category_code: str
    category: str
    article: str
    text: str
    sub_items: tuple[str, ...]
    threshold: dict[str, Any] | None
    verification: str
    default_level: int | None
    catalogue_id: int
    catalogue_code: str
    kind: str
    edition: str
    doc_no: str
    catalogue_title: str
    official: bool
    in_force: dt.date | None = None
    text_checked: bool = True

    @property
    def verified(self) -> bool:
        """The wording may be relied on: checked item by item, in an edition checked as a whole."""
        return self.verification == "verified" and self.text_checked

    @property
    def clause(self) -> str:
        """The article and item as the standard numbers them, e.g. 第五条（三）."""
        return clause_of(self.article, self.code)

    @property
    def edition_label(self) -> str:
        """The edition as people name it, e.g. 2024版（建质规〔2024〕5号）."""
        return msg("{edition}版（{doc_no}）", edition=self.edition, doc_no=self.doc_no) \
            if self.doc_no else msg("{edition}版", edition=self.edition)

    @property
    def verification_label(self) -> str:
        return VERIFICATIONS.get(self.verification, self.verification)

    @property
    def reference(self) -> str:
        """Where the item comes from, e.g. 建质规〔2022〕2号 第五条 基坑工程 05-3."""
        source = self.doc_no or self.catalogue_title
        return " ".join(p for p in (source, self.article, self.category, self.code) if p)


_NUMERALS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1–99 in Chinese numerals as article and item numbers are written (十一, 二十三)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else "十" if tens == 1 else _NUMERALS[tens] + "十"
    return head + (_NUMERALS[ones] if ones else "")


def clause_of(article: str, code: str) -> str:
    """第五条 + 05-3 → 第五条（三）; an item code without a number is the whole article."""
    found = re.fullmatch(r"[0-9A-Za-z]+-(\d+)", code)
    return f"{article}（{chinese_number(int(found.group(1)))}）" if found and article else article


# -- reading and checking a file ----------------------------------------------------------


class Replaces(TypedDict):
    """An item of another edition this item carries on."""

    catalogue: str  # that edition's code
    code: str


class FileItem(TypedDict):
    """An item of a catalogue file (JSON), as `_check_item` accepts it."""

    code: str
    text: str
    verification: str  # a key of VERIFICATIONS
    category_code: NotRequired[str]
    category: NotRequired[str]
    article: NotRequired[str]
    sub_items: NotRequired[list[str] | None]
    threshold: NotRequired[dict[str, Any] | None]  # free-form, kept as written
    default_level: NotRequired[int | None]  # 1–4
    replaces: NotRequired[list[Replaces] | None]


class CatalogueFile(TypedDict):
    """An edition in the catalogue file format (JSON), as `_check` accepts it."""

    format: int  # FORMAT
    code: str
    kind: str  # a key of KINDS
    edition: str
    title: str
    official: bool
    items: list[FileItem]
    doc_no: NotRequired[str]
    superseded_by: NotRequired[str]
    issued: NotRequired[str | None]  # YYYY-MM-DD
    in_force: NotRequired[str | None]


def content_sha256(data: Any) -> str:
    """Hash of the parsed content, so line endings or indentation of a checkout do not count."""
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_file(path: Path) -> tuple[CatalogueFile, str]:
    """Parse and check one catalogue file; returns (data, content hash)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CatalogueFileError(msg("目录文件 {name} 无法读取：{reason}", name=path.name,
                                     reason=str(exc))) from exc
    problems = _check(data)
    if problems:
        # the problems name JSON keys for whoever edits the file: they stay as written
        raise CatalogueFileError(msg("目录文件 {name} 格式有误：{problems}", name=path.name,
                                     problems=problems[:5]))
    return typing.cast(CatalogueFile, data), content_sha256(data)  # _check found it in that shape


def _text(value: Any, limit: int, *, required: bool = False) -> bool:
    return isinstance(value, str) and len(value) <= limit and (bool(value.strip()) or not required)


def _check(data: Any) -> list[str]:
    if not isinstance(data, dict):
        return ["顶层须为对象"]
    problems: list[str] = []
    if data.get("format") != FORMAT:
        problems.append(f"format 须为 {FORMAT}")
    if not _text(data.get("code"), 50, required=True):
        problems.append("code 须为 1–50 个字符")
    if data.get("kind") not in KINDS:
        problems.append("kind 须为 " + "、".join(KINDS))
    for key, limit, required in (("edition", 30, True), ("title", 200, True), ("doc_no", 100, False),
                                 ("superseded_by", 100, False)):
        if not _text(data.get(key, ""), limit, required=required):
            problems.append(f"{key} 须为不超过 {limit} 个字符的文字")
    if not isinstance(data.get("official"), bool):
        problems.append("official 须为 true 或 false")
    for key in ("issued", "in_force"):
        if data.get(key) is not None:
            try:
                dt.date.fromisoformat(data[key])
            except (TypeError, ValueError):
                problems.append(f"{key} 须为 YYYY-MM-DD 日期或 null")
    items = data.get("items")
    if not isinstance(items, list) or not items:
        return problems + ["items 须为非空列表"]
    seen: set[str] = set()
    for n, item in enumerate(items, 1):
        problems.extend(f"第 {n} 条：{p}" for p in _check_item(item, seen))
    return problems


def _check_item(item: Any, seen: set[str]) -> list[str]:
    if not isinstance(item, dict):
        return ["条目须为对象"]
    problems: list[str] = []
    code = item.get("code")
    if not _text(code, 30, required=True):
        problems.append("code 须为 1–30 个字符")
    elif code in seen:
        problems.append(f"code {code} 重复")
    else:
        seen.add(str(code))
    if not _text(item.get("text"), 4000, required=True):
        problems.append("text 不能为空")
    for key, limit in (("category_code", 20), ("category", 100), ("article", 30)):
        if not _text(item.get(key, ""), limit):
            problems.append(f"{key} 须为不超过 {limit} 个字符的文字")
    subs = item.get("sub_items")
    if subs is not None and not (isinstance(subs, list) and all(_text(s, 1000, required=True) for s in subs)):
        problems.append("sub_items 须为文字列表或 null")
    if item.get("threshold") is not None and not isinstance(item.get("threshold"), dict):
        problems.append("threshold 须为对象或 null")
    if item.get("verification") not in VERIFICATIONS:
        problems.append("verification 须为 " + "、".join(VERIFICATIONS))
    level = item.get("default_level")
    if level is not None and (isinstance(level, bool) or level not in (1, 2, 3, 4)):
        problems.append("default_level 须为 1–4 或 null")
    replaces = item.get("replaces")
    if replaces is not None and not (isinstance(replaces, list) and all(
            isinstance(r, dict) and _text(r.get("catalogue"), 50, required=True)
            and _text(r.get("code"), 30, required=True) for r in replaces)):
        problems.append("replaces 须为 {catalogue, code} 对象的列表或 null")
    return problems


# -- loading --------------------------------------------------------------------------------

def load_file(session: Session, path: Path, *, actor: Actor | None = None) -> LoadResult:
    """Load one edition; an edition already loaded with the same content is left alone."""
    actor = actor or Actor.system()
    permissions.require(actor, "import")
    data, sha = read_file(path)
    return _load(session, actor, path, data, sha, bundled=True)


def _load(session: Session, actor: Actor, path: Path, data: CatalogueFile, sha: str, *,
          bundled: bool) -> LoadResult:
    existing = session.execute(select(Catalogue).where(Catalogue.code == data["code"])).scalar_one_or_none()
    if existing is not None:
        if existing.source_sha256 != sha:
            raise CatalogueFileError(
                msg("目录“{title}”（{code}）已载入的版本与文件 {name} 的内容不同。"
                    "已载入的版本不可修改；新版本请另建文件并使用新的代码。",
                    title=existing.title, code=existing.code, name=path.name)
            )
        count = session.execute(
            select(func.count(CatalogueItem.id)).where(CatalogueItem.catalogue_id == existing.id)
        ).scalar_one()
        return LoadResult(existing.code, existing.title, path.name, count, "unchanged")
    issued_text, in_force_text = data.get("issued"), data.get("in_force")
    issued = dt.date.fromisoformat(issued_text) if issued_text else None
    catalogue = Catalogue(
        code=data["code"], kind=data["kind"], edition=data["edition"], title=data["title"],
        doc_no=data.get("doc_no", ""), superseded_by=data.get("superseded_by", ""),
        issued=issued, official=data["official"], source_sha256=sha, loaded_at=now(),
        in_force=dt.date.fromisoformat(in_force_text) if in_force_text else issued,
        text_checked=bundled, imported_by_id=None if bundled else actor.user_id,
    )
    session.add(catalogue)
    session.flush()
    session.add_all(
        CatalogueItem(
            catalogue_id=catalogue.id, seq=seq, code=item["code"],
            category_code=item.get("category_code", ""), category=item.get("category", ""),
            article=item.get("article", ""), text=item["text"], sub_items=item.get("sub_items"),
            threshold=item.get("threshold"), verification=item["verification"],
            default_level=item.get("default_level"),
        )
        for seq, item in enumerate(data["items"], 1)
    )
    session.flush()
    links = _link_editions(session, catalogue, data)
    audit.record(session, actor, action="load" if bundled else "import", entity="catalogues",
                 entity_id=catalogue.id,
                 after={"code": catalogue.code, "title": catalogue.title, "edition": catalogue.edition,
                        "items": len(data["items"]), "sha256": sha, "file": path.name,
                        "in_force": catalogue.in_force, "text_checked": catalogue.text_checked,
                        "links": links})
    return LoadResult(catalogue.code, catalogue.title, path.name, len(data["items"]), "loaded")


def _same_text(text: str) -> str:
    return "".join(text.split())


def _link_editions(session: Session, catalogue: Catalogue, data: CatalogueFile) -> int:
    """Keep which item of another edition of the same list each item carries on: as the file
    says (`replaces`), else where the wording is the same (white space aside). Never guessed."""
    mine = {i.code: i for i in session.execute(select(CatalogueItem).where(
        CatalogueItem.catalogue_id == catalogue.id)).scalars()}
    others = session.execute(select(CatalogueItem, Catalogue).join(
        Catalogue, CatalogueItem.catalogue_id == Catalogue.id).where(
        Catalogue.kind == catalogue.kind, Catalogue.id != catalogue.id)).all()
    by_ref = {(cat.code, item.code): (item, cat) for item, cat in others}
    pairs: dict[tuple[int, int], str] = {}
    for entry in data["items"]:
        for ref in entry.get("replaces") or ():
            found = by_ref.get((ref["catalogue"], ref["code"]))
            if found is not None:
                pairs[(found[0].id, mine[entry["code"]].id)] = "file"
    if not any(entry.get("replaces") for entry in data["items"]):
        texts: dict[str, list[CatalogueItem]] = {}
        for item in mine.values():
            texts.setdefault(_same_text(item.text), []).append(item)
        def newer(cat: Catalogue) -> bool:
            return (catalogue.in_force or dt.date.min) >= (cat.in_force or dt.date.min)

        for item, cat in others:
            for match in texts.get(_same_text(item.text), ()):
                pair = (item.id, match.id) if newer(cat) else (match.id, item.id)
                pairs.setdefault(pair, "same_text")
    # the items are new: no link to them exists yet
    session.add_all(CatalogueItemLink(from_item_id=a, to_item_id=b, basis=basis)
                    for (a, b), basis in pairs.items())
    return len(pairs)


# -- editions an administrator adds --------------------------------------------------------


def import_edition(session: Session, actor: Actor, path: Path) -> LoadResult:
    """An administrator loads a further edition from its file; it shows 未核对原文 until an
    administrator has compared it with the official text (mark_checked)."""
    permissions.require(actor, "settings.edit")  # administrators only
    data, _sha = read_file(Path(path))
    return import_edition_data(session, actor, data, Path(path).name)


def import_edition_data(session: Session, actor: Actor, data: Mapping[str, Any],
                        file_name: str) -> LoadResult:
    """An edition read from a file of another form (an Excel workbook), in the JSON format's
    shape: checked by the same rules, loaded unchecked (未核对原文)."""
    permissions.require(actor, "settings.edit")  # administrators only
    problems = _check(data)
    if problems:
        raise CatalogueFileError(msg("目录文件 {name} 格式有误：{problems}", name=file_name,
                                     problems=problems[:5]))
    checked = typing.cast(CatalogueFile, data)  # _check found it in that shape
    existing = session.execute(select(Catalogue).where(Catalogue.code == checked["code"])).scalar_one_or_none()
    if existing is not None:
        raise CatalogueFileError(msg("目录“{title}”（{code}）已载入，不能重复导入；新版本请使用新的代码。",
                                     title=existing.title, code=existing.code))
    return _load(session, actor, Path(file_name), checked, content_sha256(checked), bundled=False)


def mark_checked(session: Session, actor: Actor, catalogue_id: int) -> CatalogueRow:
    """An administrator confirms an edition's text against the official one (audited)."""
    permissions.require(actor, "settings.edit")  # administrators only
    catalogue = get_row(session, Catalogue, catalogue_id, msg("目录不存在。"))
    if catalogue.text_checked:
        raise ServiceError(msg("目录“{title}”已核对原文，无需再次标记。", title=catalogue.title))
    before = audit.snapshot(catalogue)
    catalogue.text_checked = True
    catalogue.checked_by_id = actor.user_id
    catalogue.checked_at = now()
    audit.record_update(session, actor, catalogue, before, action="check", note="已核对原文")
    return next(c for c in list_catalogues(session, catalogue.kind) if c.id == catalogue.id)


def edition_for(session: Session, kind: str, day: dt.date) -> CatalogueRow | None:
    """The edition in force on that day: the latest in force by then, else the oldest there is.
    A hazard found on or after 2024-12-13 is judged against 建质规〔2024〕5号 by default."""
    rows = [c for c in list_catalogues(session, kind) if c.official] or list_catalogues(session, kind)
    dated = sorted(rows, key=lambda c: (c.in_force or dt.date.min, c.id))
    current = [c for c in dated if (c.in_force or dt.date.min) <= day]
    if current:
        return current[-1]
    return dated[0] if dated else None


def linked_items(session: Session, item_id: int) -> tuple[list[CatalogueItemRow], list[CatalogueItemRow]]:
    """(earlier-edition items this one carries on, later-edition items that carry it on)."""
    def rows(column: InstrumentedAttribute[int], other: InstrumentedAttribute[int]) -> list[CatalogueItemRow]:
        ids = select(other).where(column == item_id)
        found = session.execute(select(CatalogueItem, Catalogue).join(
            Catalogue, CatalogueItem.catalogue_id == Catalogue.id).where(CatalogueItem.id.in_(ids))
            .order_by(Catalogue.in_force, CatalogueItem.seq)).all()
        return [_item_row(i, c) for i, c in found]
    return (rows(CatalogueItemLink.to_item_id, CatalogueItemLink.from_item_id),
            rows(CatalogueItemLink.from_item_id, CatalogueItemLink.to_item_id))


def load_all(session: Session, folder: Path | None = None, *, actor: Actor | None = None) -> list[LoadResult]:
    """Load every *.json edition in the folder (default: the bundled resources/catalogues)."""
    folder = Path(folder) if folder is not None else catalogues_dir()
    if not folder.is_dir():
        raise CatalogueFileError(msg("目录文件夹不存在：{folder}", folder=folder))
    return [load_file(session, path, actor=actor) for path in sorted(folder.glob("*.json"))]


# -- queries --------------------------------------------------------------------------------

def _item_row(item: CatalogueItem, cat: Catalogue) -> CatalogueItemRow:
    return CatalogueItemRow(
        id=item.id, code=item.code, category_code=item.category_code, category=item.category,
        article=item.article, text=item.text, sub_items=tuple(item.sub_items or ()),
        threshold=dict(item.threshold) if item.threshold else None,
        verification=item.verification, default_level=item.default_level,
        catalogue_id=cat.id, catalogue_code=cat.code, kind=cat.kind, edition=cat.edition,
        doc_no=cat.doc_no, catalogue_title=cat.title, official=cat.official,
        in_force=cat.in_force, text_checked=cat.text_checked,
    )


def _like(word: str) -> str:
    escaped = word.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2).replace("%", "!%").replace("_", "!_")
    return f"%{escaped}%"


def search_items(session: Session, kind: str | None = None, words: str = "", limit: int = 50, *,
                 catalogue_code: str | None = None) -> list[CatalogueItemRow]:
    """Items whose text, category, article, code or sub-items contain every word.

    Newest official editions come first, then each catalogue in its own order.
    """
    query = select(CatalogueItem, Catalogue).join(Catalogue, CatalogueItem.catalogue_id == Catalogue.id)
    if kind:
        query = query.where(Catalogue.kind == kind)
    if catalogue_code:
        query = query.where(Catalogue.code == catalogue_code)
    for word in words.split():
        pattern = _like(word)
        # sub_items is stored as JSON with non-ASCII escaped; match the escaped form there
        json_pattern = _like(json.dumps(word)[1:-1])
        query = query.where(or_(
            CatalogueItem.text.like(pattern, escape=_LIKE_ESCAPE),
            CatalogueItem.category.like(pattern, escape=_LIKE_ESCAPE),
            CatalogueItem.article.like(pattern, escape=_LIKE_ESCAPE),
            CatalogueItem.code == word,
            cast(CatalogueItem.sub_items, String).like(json_pattern, escape=_LIKE_ESCAPE),
        ))
    query = query.order_by(
        Catalogue.official.desc(), Catalogue.issued.desc().nulls_last(), Catalogue.id, CatalogueItem.seq
    ).limit(limit)
    return [_item_row(item, cat) for item, cat in session.execute(query).all()]


def get_item(session: Session, item_id: int) -> CatalogueItemRow:
    row = session.execute(
        select(CatalogueItem, Catalogue).join(Catalogue, CatalogueItem.catalogue_id == Catalogue.id)
        .where(CatalogueItem.id == item_id)
    ).first()
    if row is None:
        raise NotFound(msg("目录条目不存在。"))
    return _item_row(row[0], row[1])


def find_item(session: Session, catalogue_code: str, item_code: str) -> CatalogueItemRow:
    """An item by its catalogue and item codes, e.g. ("major_hazard@2022", "05-3")."""
    row = session.execute(
        select(CatalogueItem, Catalogue).join(Catalogue, CatalogueItem.catalogue_id == Catalogue.id)
        .where(Catalogue.code == catalogue_code, CatalogueItem.code == item_code)
    ).first()
    if row is None:
        raise NotFound(msg("目录 {catalogue} 中没有条目 {item}。", catalogue=catalogue_code,
                           item=item_code))
    return _item_row(row[0], row[1])


def list_catalogues(session: Session, kind: str | None = None) -> list[CatalogueRow]:
    counts = (
        select(CatalogueItem.catalogue_id, func.count(CatalogueItem.id).label("n"))
        .group_by(CatalogueItem.catalogue_id).subquery()
    )
    query = select(Catalogue, func.coalesce(counts.c.n, 0), func.coalesce(User.display_name, "")).outerjoin(
        counts, counts.c.catalogue_id == Catalogue.id
    ).outerjoin(User, User.id == Catalogue.checked_by_id)
    if kind:
        query = query.where(Catalogue.kind == kind)
    query = query.order_by(Catalogue.kind, Catalogue.issued.desc().nulls_last(), Catalogue.id)
    return [
        CatalogueRow(c.id, c.code, c.kind, c.edition, c.title, c.doc_no, c.issued, c.superseded_by,
                     c.official, int(n), c.in_force, c.text_checked, who, c.checked_at)
        for c, n, who in session.execute(query).all()
    ]
