"""Exporting the register view: the filter and sort on screen become a real workbook, cancellable."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from desktop.reports.registers import HEADERS, SHEET_NAME, read_hazard_xlsx
from desktop.services import hazards
from desktop.services.context import Cancelled, ValidationError, now
from desktop.services.exchange import register_export
from desktop.services.queries.register import RegisterFilter
from tests.factories import make_project

LEVELS = [3, 1, 4, 2, 3, 2, 4, 3, 1, 3]


@pytest.fixture
def data(db, admin):
    with db.session() as session:
        ids = make_project(session, admin)
        for n, level in enumerate(LEVELS):
            hazards.record(
                session,
                admin,
                hazards.HazardForm(
                    project_id=ids.project,
                    description=f"隐患{n:02d} 临边防护缺失" if n % 2 else f"隐患{n:02d} 电箱未上锁",
                    level=level,
                    location=f"{n}#楼",
                    category="高处坠落" if n % 2 else "触电",
                    measures=f"措施{n}",
                    contingency="警戒" if level <= 2 else "",
                    stop_work="partial" if level == 1 else "none",
                    found_at=now() - dt.timedelta(days=30 - n),
                ),
            )
    return ids


def export(db, admin, tmp_path, flt=None, **kwargs):  # type: ignore[no-untyped-def]
    path = tmp_path / "view.xlsx"
    with db.read() as session:
        result = register_export.export_view(
            session, flt or RegisterFilter(), actor=admin, path=path, **kwargs
        )
    return result, path


def test_the_view_is_written_in_its_sort_order(db, admin, data, tmp_path):
    result, path = export(db, admin, tmp_path, sort="level", descending=False)
    assert result.rows == len(LEVELS) and result.path == path
    wb = load_workbook(path, read_only=True)
    sheet = wb[SHEET_NAME]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert [r[HEADERS.index("等级")] for r in rows[1:]] == ["一级"] * 2 + ["二级"] * 2 + [
        "三级"
    ] * 4 + ["四级"] * 2
    assert [r[0] for r in rows[1:]] == list(range(1, 11))
    about = dict(r[:2] for r in wb["说明"].iter_rows(values_only=True) if r[0])
    assert about["统计范围"] == "全部隐患" and "隐患共10项" in about["汇总"]
    wb.close()
    lines = read_hazard_xlsx(path)  # the importer's round trip reads it back
    assert {line["measures"] for line in lines} == {f"措施{n}" for n in range(10)}


def test_filters_and_search_are_applied_and_described(db, admin, data, tmp_path):
    flt = RegisterFilter(levels=frozenset({3}), text="临边防护", date_from=dt.date(2000, 1, 1))
    result, path = export(db, admin, tmp_path, flt)
    lines = read_hazard_xlsx(path)
    assert result.rows == len(lines) == 2  # level 3 with odd n: 7 and 9
    assert all("临边防护" in line["description"] and line["level"] == 3 for line in lines)
    wb = load_workbook(path, read_only=True)
    about = dict(r[:2] for r in wb["说明"].iter_rows(values_only=True) if r[0])
    assert "三级（一般）" in about["统计范围"] and "“临边防护”" in about["统计范围"]
    assert about["统计期间"].startswith("发现日期 2000-01-01 至")
    wb.close()


def test_rows_stream_in_windows_with_progress(db, admin, data, tmp_path, monkeypatch):
    monkeypatch.setattr(register_export, "WINDOW", 3)
    seen = []
    calls = []
    real = register_export.hazard_rows

    def counting(session, ids, **kw):  # type: ignore[no-untyped-def]
        calls.append(len(ids))
        return real(session, ids, **kw)

    monkeypatch.setattr(register_export, "hazard_rows", counting)
    result, _ = export(db, admin, tmp_path, progress=lambda d, t, s: seen.append((d, t)) or True)
    assert result.rows == 10
    assert max(calls) == 3  # never more than one window at a time
    assert sum(calls) == 10  # read once: the summary is made from what the first pass saw
    assert seen[0] == (0, 10) and seen[-1] == (10, 10)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_cancel_leaves_no_file(db, admin, data, tmp_path, monkeypatch):
    monkeypatch.setattr(register_export, "WINDOW", 2)
    with pytest.raises(Cancelled):
        export(db, admin, tmp_path, progress=lambda d, t, s: d < 4)
    assert not (tmp_path / "view.xlsx").exists()
    assert not [p for p in tmp_path.iterdir() if "view" in p.name]


def test_too_many_rows_for_excel_is_refused(db, admin, data, tmp_path, monkeypatch):
    monkeypatch.setattr(register_export, "MAX_ROWS", 5)
    with pytest.raises(ValidationError, match="超过 Excel 单表上限"):
        export(db, admin, tmp_path)


def test_an_empty_view_still_writes_the_header(db, admin, data, tmp_path):
    result, path = export(db, admin, tmp_path, RegisterFilter(text="没有这样的隐患"))
    assert result.rows == 0 and read_hazard_xlsx(path) == []
