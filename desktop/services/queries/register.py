"""The hazard register query: filters and search in SQL, ids first, rows fetched by window."""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    Select,
    SQLColumnExpression,
    and_,
    bindparam,
    column,
    func,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.util import ClauseAdapter

from desktop.models import Hazard, Organisation, Policy, Project
from desktop.models.hazards import DONE_STATUS_VALUES
from desktop.services.context import now
from desktop.services.hazards import is_overdue

MIN_TRIGRAM = 3  # SQLite's trigram tokenizer finds nothing for 1–2 character queries


@dataclass(frozen=True)
class RegisterFilter:
    levels: frozenset[int] = frozenset()
    statuses: frozenset[str] = frozenset()
    open_only: bool = False
    overdue: bool = False
    major: bool | None = None
    escalated: bool | None = None
    project_id: int | None = None
    insurer_id: int | None = None
    authority_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    category: str = ""
    text: str = ""
    today: dt.date | None = None  # None: today; tests pin it


SORT_COLUMNS: dict[str, SQLColumnExpression[Any]] = {
    "found_date": Hazard.found_date,
    "number": Hazard.number,
    "level": Hazard.level,
    # no NULLs in a sort key: keyset paging compares (key, id) pairs
    "deadline": func.coalesce(Hazard.deadline, dt.date(9999, 12, 31)),
    "status": Hazard.status,
    "category": Hazard.category,
    "project": Hazard.project_id,
}


@dataclass(frozen=True)
class RegisterRow:
    id: int
    number: str
    project_id: int
    project_name: str
    found_date: dt.date
    location: str
    description: str
    category: str
    level: int
    is_major: bool
    deadline: dt.date | None
    status: str
    escalated: bool
    responsible_unit: str
    closed_at: dt.datetime | None
    overdue: bool = field(default=False)


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _text_clause(session: Session, words: str, *, indexed: bool = True) -> ColumnElement[bool] | None:
    """Description or location contains `words`. `indexed=False` gives the plain LIKE form,
    which costs little per row: right for a scan of a few thousand recent rows (the probe)."""
    words = " ".join(words.split())
    if not words:
        return None
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite" and len(words) >= MIN_TRIGRAM and indexed:
        phrase = '"' + words.replace('"', '""') + '"'
        matching = text("SELECT rowid FROM hazards_fts WHERE hazards_fts MATCH :q").bindparams(q=phrase)
        return Hazard.id.in_(matching.columns(column("rowid", Integer)))
    pattern = f"%{_escape_like(words)}%"
    if dialect == "postgresql":
        return or_(Hazard.description.ilike(pattern, escape="\\"), Hazard.location.ilike(pattern, escape="\\"))
    return or_(Hazard.description.like(pattern, escape="\\"), Hazard.location.like(pattern, escape="\\"))


def where_clauses(session: Session, flt: RegisterFilter, *,
                  indexed_text: bool = True) -> list[ColumnElement[bool]]:
    today = flt.today or now().date()
    clauses: list[ColumnElement[bool]] = [Hazard.deleted_at.is_(None)]
    if flt.levels:
        clauses.append(Hazard.level.in_(sorted(flt.levels)))
    if flt.statuses:
        clauses.append(Hazard.status.in_(sorted(flt.statuses)))
    if flt.open_only or flt.overdue:
        # not IN the final states, as literals: the WHERE of the open hazards' partial index
        # (migration 0017), so SQLite reads their ids from it in date order instead of
        # gathering them through the status index and sorting them for every page
        clauses.append(Hazard.status.not_in(bindparam(
            "done_states", list(DONE_STATUS_VALUES), expanding=True, literal_execute=True,
            unique=True)))
    if flt.overdue:
        clauses.append(Hazard.deadline < today)
    if flt.major is not None:
        clauses.append(Hazard.is_major.is_(flt.major))
    if flt.escalated is not None:
        clauses.append(Hazard.escalated.is_(flt.escalated))
    if flt.project_id is not None:
        clauses.append(Hazard.project_id == flt.project_id)
    if flt.insurer_id is not None:
        clauses.append(Hazard.project_id.in_(
            select(Policy.project_id).where(Policy.insurer_id == flt.insurer_id)))
    if flt.authority_id is not None:
        clauses.append(Hazard.project_id.in_(
            select(Project.id).where(Project.authority_id == flt.authority_id)))
    if flt.date_from is not None:
        clauses.append(Hazard.found_date >= flt.date_from)
    if flt.date_to is not None:
        clauses.append(Hazard.found_date <= flt.date_to)
    if flt.category:
        clauses.append(Hazard.category == flt.category)
    search = _text_clause(session, flt.text, indexed=indexed_text)
    if search is not None:
        clauses.append(search)
    return clauses


def ids_query(session: Session, flt: RegisterFilter, *, sort: str = "found_date",
              descending: bool = True) -> Select[int]:
    column = SORT_COLUMNS.get(sort)
    if column is None:
        raise ValueError(f"unknown sort column {sort!r}")
    order = [column.desc(), Hazard.id.desc()] if descending else [column.asc(), Hazard.id.asc()]
    return select(Hazard.id).where(and_(*where_clauses(session, flt))).order_by(*order)


def hazard_ids(session: Session, flt: RegisterFilter, *, sort: str = "found_date",
               descending: bool = True) -> array[int]:
    """Every matching id in display order, as a compact array (8 bytes a row)."""
    return array("q", _raw_ids(session, ids_query(session, flt, sort=sort, descending=descending)))


def page_ids(session: Session, flt: RegisterFilter, *, sort: str = "found_date",
             descending: bool = True, after: tuple[Any, int] | None = None,
             limit: int = 500) -> tuple[list[int], tuple[Any, int] | None]:
    """One page of ids in display order, starting after the (sort key, id) pair `after`.

    Keyset paging: each page is an index range scan, however deep into the list it is.
    Returns the ids and the key to pass for the next page (None at the end).
    """
    key = SORT_COLUMNS.get(sort)
    if key is None:
        raise ValueError(f"unknown sort column {sort!r}")
    if after is None and sort == "found_date" and _worth_probing(flt):
        found = _probe_recent(session, flt, descending=descending, limit=limit)
        if found is not None:
            return found
    clauses = where_clauses(session, flt)
    if after is not None:
        pair = tuple_(key, Hazard.id)
        clauses.append(pair < tuple_(*after) if descending else pair > tuple_(*after))
    order = [key.desc(), Hazard.id.desc()] if descending else [key.asc(), Hazard.id.asc()]
    ids = _raw_ids(session, select(Hazard.id).where(and_(*clauses)).order_by(*order).limit(limit))
    if len(ids) < limit:
        return ids, None
    last_key = session.execute(select(key).where(Hazard.id == ids[-1])).scalar_one()
    return ids, (last_key, ids[-1])


PROBE_ROWS = 20_000  # recent rows the first page's probe reads before giving up
PROBE_ENOUGH = 100  # matches in the probe that fill the first screens
PROBE_BATCH = 2_000  # recent ids read, then filtered, per step of the probe


def _worth_probing(flt: RegisterFilter) -> bool:
    """A search through the trigram index gathers every match before it can sort them (55,000
    for a common four-character word: a quarter of a second); the probe needs a few thousand
    rows. Other filters have indexes that serve their first page directly, and a search too
    short for the index already reads recent rows first."""
    return len(" ".join(flt.text.split())) >= MIN_TRIGRAM and flt.project_id is None


def _probe_recent(session: Session, flt: RegisterFilter, *, descending: bool,
                  limit: int) -> tuple[list[int], tuple[Any, int] | None] | None:
    """The first page read from the newest (or oldest) hazards, a batch at a time in date order.

    Matches among a prefix of the date order are a prefix of the matching list itself, so
    whatever the probe finds is exactly the list's start. Common matches (a frequent search
    word, the overdue hazards) fill a page from a few thousand rows in milliseconds, where
    SQL would gather and sort every match first. None: too few in PROBE_ROWS, ask SQL.
    """
    order = (Hazard.found_date.desc(), Hazard.id.desc()) if descending else (
        Hazard.found_date.asc(), Hazard.id.asc())
    pair = tuple_(Hazard.found_date, Hazard.id)
    clauses = where_clauses(session, flt, indexed_text=False)
    # the batch carries only the columns the filters read (every column costs per row)
    table = Hazard.__table__
    wanted = {table.c.id, table.c.found_date} | {
        node for clause in clauses for node in visitors.iterate(clause)
        if isinstance(node, Column) and node.table is table}
    columns = [c for c in table.c if c in wanted]
    found: list[tuple[int, dt.date]] = []
    after: tuple[dt.date, int] | None = None
    scanned = 0
    while scanned < PROBE_ROWS:
        keys: list[ColumnElement[bool]] = [Hazard.deleted_at.is_(None)]
        if after is not None:
            keys.append(pair < tuple_(*after) if descending else pair > tuple_(*after))
        step = select(*columns).where(*keys).order_by(*order).limit(PROBE_BATCH)
        edge = session.connection().execute(
            select(Hazard.id, Hazard.found_date).where(*keys).order_by(*order)
            .offset(PROBE_BATCH - 1).limit(1)).first()
        # the filters test the batch's own columns: no index of theirs can take over the plan
        batch = step.subquery()
        adapt = ClauseAdapter(batch).traverse
        hits = sorted(session.connection().execute(
            select(batch.c.id, batch.c.found_date).where(*[adapt(c) for c in clauses])),
            key=lambda r: (r[1], r[0]), reverse=descending)
        for row in hits:
            found.append(row)
            if len(found) == limit:
                return [r[0] for r in found], (found[-1][1], found[-1][0])
        if edge is None:  # the probe saw every hazard: the list is complete
            return [r[0] for r in found], None
        if len(found) >= PROBE_ENOUGH:  # a screenful and more: the worker reads on from here
            break
        scanned += PROBE_BATCH
        after = (edge[1], edge[0])
    if len(found) < min(limit, PROBE_ENOUGH):
        return None
    return [r[0] for r in found], (found[-1][1], found[-1][0])


def _raw_ids(session: Session, stmt: Select[int]) -> list[int]:
    """Run a one-column id query and read the driver's cursor directly: for a million ids
    SQLAlchemy's row objects cost four times the query itself."""
    result = session.connection().execute(stmt)
    try:
        ids: list[int] = []
        cursor = result.cursor
        while rows := cursor.fetchmany(50_000):
            ids.extend(r[0] for r in rows)
        return ids
    finally:
        result.close()


class IdLoader:
    """The ids of one register view, loaded page by page as the view scrolls.

    `read` opens a read-only session (Database.read). The count comes first so the view
    can size its scroll bar; the ids follow in keyset pages, so the first rows show
    after one small query whatever the size of the register.
    """

    def __init__(self, read: Callable[[], AbstractContextManager[Session]], flt: RegisterFilter, *,
                 sort: str = "found_date",
                 descending: bool = True, first_page: int = 500, page: int = 250_000) -> None:
        self._read = read
        self.filter = flt
        self.sort = sort
        self.descending = descending
        self._page = page
        self.ids = array("q")
        self._after: tuple[Any, int] | None = None
        # A 1–2 character search cannot use the trigram index: counting it means reading
        # every row, so the total stays unknown until the pages reach the end.
        self.total_known = not (0 < len(" ".join(flt.text.split())) < MIN_TRIGRAM)
        with read() as session:
            self.total = count(session, flt) if self.total_known else 0
            self._load(session, first_page)

    @property
    def complete(self) -> bool:
        return self._after is None

    def _load(self, session: Session, limit: int) -> None:
        ids, self._after = page_ids(session, self.filter, sort=self.sort,
                                    descending=self.descending, after=self._after if self.ids else None,
                                    limit=limit)
        self.ids.extend(ids)
        if self._after is None or not self.total_known:
            # at the end the true number is known (rows may have changed since the count)
            self.total = len(self.ids)
            self.total_known = self._after is None or self.total_known

    def ensure(self, n: int) -> None:
        """Load pages until at least n ids are known (or the list is complete)."""
        if len(self.ids) >= n or self.complete:
            return
        with self._read() as session:
            while len(self.ids) < n and not self.complete:
                self._load(session, self._page)


def count(session: Session, flt: RegisterFilter) -> int:
    return session.execute(
        select(func.count(Hazard.id)).where(and_(*where_clauses(session, flt)))
    ).scalar_one()


def rows_by_ids(session: Session, ids: Sequence[int], *, today: dt.date | None = None) -> list[RegisterRow]:
    """The rows for these ids, in the order given (ids missing from the database are skipped)."""
    if not ids:
        return []
    today = today or now().date()
    unit = aliased(Organisation)
    stmt = (
        select(Hazard.id, Hazard.number, Hazard.project_id, Project.name, Hazard.found_date,
               Hazard.location, Hazard.description, Hazard.category, Hazard.level,
               Hazard.is_major, Hazard.deadline, Hazard.status, Hazard.escalated,
               func.coalesce(unit.name, ""), Hazard.closed_at)
        .join(Project, Project.id == Hazard.project_id)
        .outerjoin(unit, unit.id == Hazard.responsible_unit_id)
        .where(Hazard.id.in_(list(ids)))
    )
    by_id = {}
    for (hid, number, project_id, project_name, found_date, location, description, category, level,
         is_major, deadline, status, escalated, unit_name, closed_at) in session.execute(stmt):
        by_id[hid] = RegisterRow(hid, number, project_id, project_name, found_date, location, description,
                                 category, level, is_major, deadline, status, escalated, unit_name,
                                 closed_at, overdue=is_overdue(status, deadline, today))
    return [by_id[i] for i in ids if i in by_id]


def categories(session: Session) -> list[str]:
    return [c for c in session.execute(
        select(Hazard.category).where(Hazard.category != "").group_by(Hazard.category)
        .order_by(Hazard.category)).scalars()]
