"""The hazard register query: filters and search in SQL, ids first, rows fetched by window."""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Integer, Select, and_, column, func, or_, select, text, tuple_
from sqlalchemy.orm import Session, aliased

from desktop.models import Hazard, Organisation, Policy, Project
from desktop.services.hazards import OPEN_STATES, is_overdue
from desktop.services.context import now

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


SORT_COLUMNS = {
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


def _text_clause(session: Session, words: str):  # type: ignore[no-untyped-def]
    words = " ".join(words.split())
    if not words:
        return None
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite" and len(words) >= MIN_TRIGRAM:
        phrase = '"' + words.replace('"', '""') + '"'
        matching = text("SELECT rowid FROM hazards_fts WHERE hazards_fts MATCH :q").bindparams(q=phrase)
        return Hazard.id.in_(matching.columns(column("rowid", Integer)))
    pattern = f"%{_escape_like(words)}%"
    if dialect == "postgresql":
        return or_(Hazard.description.ilike(pattern, escape="\\"), Hazard.location.ilike(pattern, escape="\\"))
    return or_(Hazard.description.like(pattern, escape="\\"), Hazard.location.like(pattern, escape="\\"))


def where_clauses(session: Session, flt: RegisterFilter) -> list:  # type: ignore[type-arg]
    today = flt.today or now().date()
    clauses: list = [Hazard.deleted_at.is_(None)]
    if flt.levels:
        clauses.append(Hazard.level.in_(sorted(flt.levels)))
    if flt.statuses:
        clauses.append(Hazard.status.in_(sorted(flt.statuses)))
    if flt.open_only or flt.overdue:
        clauses.append(Hazard.status.in_([s.value for s in OPEN_STATES]))
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
    search = _text_clause(session, flt.text)
    if search is not None:
        clauses.append(search)
    return clauses


def ids_query(session: Session, flt: RegisterFilter, *, sort: str = "found_date",
              descending: bool = True) -> Select:
    column = SORT_COLUMNS.get(sort)
    if column is None:
        raise ValueError(f"unknown sort column {sort!r}")
    order = [column.desc(), Hazard.id.desc()] if descending else [column.asc(), Hazard.id.asc()]
    return select(Hazard.id).where(and_(*where_clauses(session, flt))).order_by(*order)


def hazard_ids(session: Session, flt: RegisterFilter, *, sort: str = "found_date",
               descending: bool = True) -> array:
    """Every matching id in display order, as a compact array (8 bytes a row)."""
    return array("q", _raw_ids(session, ids_query(session, flt, sort=sort, descending=descending)))


def page_ids(session: Session, flt: RegisterFilter, *, sort: str = "found_date",
             descending: bool = True, after: tuple | None = None,
             limit: int = 500) -> tuple[list[int], tuple | None]:
    """One page of ids in display order, starting after the (sort key, id) pair `after`.

    Keyset paging: each page is an index range scan, however deep into the list it is.
    Returns the ids and the key to pass for the next page (None at the end).
    """
    key = SORT_COLUMNS.get(sort)
    if key is None:
        raise ValueError(f"unknown sort column {sort!r}")
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


def _raw_ids(session: Session, stmt: Select) -> list[int]:
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

    def __init__(self, read, flt: RegisterFilter, *, sort: str = "found_date",  # type: ignore[no-untyped-def]
                 descending: bool = True, first_page: int = 500, page: int = 250_000) -> None:
        self._read = read
        self.filter = flt
        self.sort = sort
        self.descending = descending
        self._page = page
        self.ids = array("q")
        self._after: tuple | None = None
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
    for r in session.execute(stmt):
        by_id[r[0]] = RegisterRow(*r, overdue=is_overdue(r[11], r[10], today))
    return [by_id[i] for i in ids if i in by_id]


def categories(session: Session) -> list[str]:
    return [c for c in session.execute(
        select(Hazard.category).where(Hazard.category != "").group_by(Hazard.category)
        .order_by(Hazard.category)).scalars()]
