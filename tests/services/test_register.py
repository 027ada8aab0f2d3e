"""The register query: every filter, Chinese search (long and short words), sort, rows by window."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.services import hazards
from desktop.services.queries import register
from desktop.services.queries.register import RegisterFilter
from tests.factories import make_project

TEXTS = [
    ("三层东侧临边防护栏杆缺失", "3#楼三层", 3, "高处作业"),
    ("配电箱未设置漏电保护器", "生活区配电房", 2, "临时用电"),
    ("基坑边堆载超过设计值", "基坑北侧", 1, "基坑工程"),
    ("脚手架连墙件设置不足", "2#楼外架", 3, "脚手架"),
    ("塔吊限位装置失效", "1#塔吊", 1, "起重机械"),
    ("50%_special 字符", "仓库", 4, "其他"),
]


@pytest.fixture
def data(db, admin):
    with db.session() as s:
        p1 = make_project(s, admin)
        p2 = make_project(s, admin, district="柯桥区")
        ids = []
        for n, (desc, loc, level, cat) in enumerate(TEXTS):
            h = hazards.record(s, admin, hazards.HazardForm(
                project_id=p1.project if n % 2 == 0 else p2.project, description=desc, location=loc,
                level=level, category=cat, measures="立即整改", contingency="设置警戒",
                stop_work="partial" if level == 1 else "none",
                found_at=dt.datetime(2026, 3, 1 + n, 9, 0), deadline=dt.date(2026, 3, 10 + n)))
            ids.append(h.id)
    return p1, p2, ids


def ids(db, **kw):
    with db.read() as s:
        return list(register.hazard_ids(s, RegisterFilter(today=dt.date(2026, 3, 13), **kw)))


def test_default_order_is_newest_first(db, data):
    assert ids(db) == list(reversed(data[2]))


def test_filters(db, data):
    p1, p2, hz = data
    assert set(ids(db, levels=frozenset({1}))) == {hz[2], hz[4]}
    assert set(ids(db, project_id=p2.project)) == {hz[1], hz[3], hz[5]}
    assert set(ids(db, authority_id=p2.authority)) == {hz[1], hz[3], hz[5]}
    assert set(ids(db, insurer_id=p1.insurer)) == set(hz)
    assert set(ids(db, insurer_id=p1.insurer + 999)) == set()
    assert set(ids(db, category="基坑工程")) == {hz[2]}
    assert set(ids(db, date_from=dt.date(2026, 3, 2), date_to=dt.date(2026, 3, 3))) == {hz[1], hz[2]}
    assert set(ids(db, major=True)) == set()
    # deadlines are 3-10..3-15; "today" is 3-13 → the first three are overdue
    assert set(ids(db, overdue=True)) == {hz[0], hz[1], hz[2]}
    assert set(ids(db, statuses=frozenset({"closed"}))) == set()


@pytest.mark.parametrize(("words", "index"), [
    ("临边防护", 0), ("漏电保护器", 1), ("基坑", 2), ("外架", 3), ("塔", 4), ("50%_", 5), ("生活区", 1),
])
def test_chinese_search_long_and_short(db, data, words, index):
    assert ids(db, text=words) == [data[2][index]]


def test_search_is_injection_safe(db, data):
    for evil in ["' OR 1=1 --", '" OR "1"="1', "x; DROP TABLE hazards", "*", "NEAR(a b)"]:
        assert ids(db, text=evil) == []
    for wildcard in ["%", "_"]:  # matched literally, not as LIKE wildcards
        assert ids(db, text=wildcard) == [data[2][5]]
    assert len(ids(db)) == len(TEXTS)


def test_sort_by_level_and_rows_keep_order(db, data):
    with db.read() as s:
        order = list(register.hazard_ids(s, RegisterFilter(), sort="level", descending=False))
        rows = register.rows_by_ids(s, order, today=dt.date(2026, 3, 13))
    assert [r.level for r in rows] == sorted(r.level for r in rows)
    assert [r.id for r in rows] == order
    assert rows[0].project_name.startswith("绍兴市越城区某安置房项目")
    assert rows[0].responsible_unit == "浙江某建设集团有限公司"


def test_count_matches_ids(db, data):
    with db.read() as s:
        flt = RegisterFilter(levels=frozenset({1, 3}))
        assert register.count(s, flt) == len(register.hazard_ids(s, flt)) == 4


def test_search_follows_edits(db, data, admin):
    from desktop.models import Hazard

    with db.session() as s:
        s.get(Hazard, data[2][0]).description = "安全网破损严重"
    assert ids(db, text="安全网破损") == [data[2][0]]
    assert ids(db, text="临边防护") == []


@pytest.mark.parametrize(("sort", "descending"), [
    ("found_date", True), ("found_date", False), ("level", True), ("deadline", False),
    ("number", True), ("category", False), ("status", True), ("project", False),
])
def test_keyset_pages_equal_full_list(db, data, sort, descending):
    with db.read() as s:
        full = list(register.hazard_ids(s, RegisterFilter(), sort=sort, descending=descending))
    loader = register.IdLoader(db.read, RegisterFilter(), sort=sort, descending=descending,
                               first_page=2, page=2)
    assert loader.total == len(full)
    assert list(loader.ids) == full[:2]
    loader.ensure(5)
    assert list(loader.ids)[:5] == full[:5]
    loader.ensure(10_000)
    assert loader.complete and list(loader.ids) == full


def test_short_search_total_unknown_until_complete(db, data):
    loader = register.IdLoader(db.read, RegisterFilter(text="塔"), first_page=1, page=1)
    assert not loader.total_known
    loader.ensure(100)
    assert loader.complete and loader.total_known and loader.total == 1
    long = register.IdLoader(db.read, RegisterFilter(text="临边防护"))
    assert long.total_known and long.total == 1


@pytest.fixture
def many(db, admin):
    """30 hazards over 30 days in two projects, every third one a 临边 hazard, deadlines 0–10
    days after finding, so the overdue ones on 3-20 sit among the others."""
    with db.session() as s:
        p1 = make_project(s, admin)
        p2 = make_project(s, admin, district="柯桥区")
        for n in range(30):
            hazards.record(s, admin, hazards.HazardForm(
                project_id=(p1 if n % 2 else p2).project, level=1 + n % 4,
                description=("楼层临边防护缺失" if n % 3 == 0 else f"配电箱第{n}处漏电保护"),
                location=f"{n}#楼", category="高处作业" if n % 3 == 0 else "临时用电",
                measures="整改", contingency="警戒", stop_work="partial" if n % 4 == 0 else "none",
                found_at=dt.datetime(2026, 3, 1) + dt.timedelta(days=n, hours=n % 5),
                deadline=dt.date(2026, 3, 1) + dt.timedelta(days=n + n * 2 % 11)))
    return p1, p2


@pytest.mark.parametrize("descending", [True, False])
@pytest.mark.parametrize("kw", [
    {"text": "临边防护"}, {"text": "临边"}, {"text": "漏电保护"}, {"overdue": True},
    {"open_only": True}, {"category": "高处作业"}, {"major": False}, {"text": "没有这样的字"},
    {"overdue": True, "text": "漏电"}, {"insurer": True},
])
def test_probed_first_page_then_keyset_pages_equal_full_list(db, many, monkeypatch, kw, descending):
    """The first page read from recent batches (the probe) is the full list's start, whatever
    the batch size, and the keyset pages after it give back the rest exactly once."""
    if kw.pop("insurer", False):
        kw["insurer_id"] = many[0].insurer
    flt = RegisterFilter(today=dt.date(2026, 3, 20), **kw)
    probed = []
    real_probe = register._probe_recent
    monkeypatch.setattr(register, "_probe_recent",
                        lambda *a, **k: probed.append(real_probe(*a, **k)) or probed[-1])
    for batch, enough, budget in ((2, 1, 6), (3, 2, 1000), (7, 100, 14)):
        monkeypatch.setattr(register, "PROBE_BATCH", batch)
        monkeypatch.setattr(register, "PROBE_ENOUGH", enough)
        monkeypatch.setattr(register, "PROBE_ROWS", budget)
        with db.read() as s:
            full = list(register.hazard_ids(s, flt, descending=descending))
            got, after = register.page_ids(s, flt, descending=descending, limit=4)
            while after is not None:
                more, after = register.page_ids(s, flt, descending=descending, after=after, limit=5)
                got += more
        assert got == full, (batch, enough, budget)
    # only a search long enough for the trigram index is probed (the rest have indexes)
    assert bool(probed) == (len(flt.text) >= register.MIN_TRIGRAM)
    if flt.text in ("临边防护", "漏电保护"):
        assert any(p is not None for p in probed)  # it answered at least once


def test_probe_gives_way_to_sql_when_matches_are_rare(db, many, monkeypatch):
    monkeypatch.setattr(register, "PROBE_BATCH", 2)
    monkeypatch.setattr(register, "PROBE_ROWS", 4)
    flt = RegisterFilter(text="第5处")  # one hazard, the 6th oldest: beyond the 4 newest rows
    with db.read() as s:
        assert register._probe_recent(s, flt, descending=True, limit=10) is None
        ids_, after = register.page_ids(s, flt, limit=10)
    assert len(ids_) == 1 and after is None


def test_overdue_ids_come_from_the_open_hazards_index_in_order(db, data):
    """The open states as the partial index names them, and SQLite reading the overdue ids from
    it in display order (no temporary B-tree) once the index has statistics."""
    from desktop.models.enums import HazardStatus
    from desktop.models.hazards import DONE_STATUS_VALUES

    assert set(DONE_STATUS_VALUES) == {s.value for s in HazardStatus} - {s.value for s in hazards.OPEN_STATES}
    flt = RegisterFilter(overdue=True, today=dt.date(2026, 3, 13))
    assert ids(db, overdue=True) == [data[2][2], data[2][1], data[2][0]]  # deadlines 10–12 March
    if not db.is_sqlite:
        return
    with db.session() as s:
        s.connection().exec_driver_sql("ANALYZE")
    with db.read() as s:
        stmt = register.ids_query(s, flt).compile(
            s.get_bind(), compile_kwargs={"render_postcompile": True})
        plan = " ".join(str(r[3]) for r in s.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {stmt}", tuple(stmt.params[k] for k in stmt.positiontup)))
    assert "ix_hazards_open_found_date" in plan and "TEMP B-TREE" not in plan, plan
