"""The register query: every filter, Chinese search (long and short words), sort, rows by window."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.services import hazards, register
from desktop.services.register import RegisterFilter
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
