"""Working days (issue 14 §10): the State Council's notices from chinesecalendar, admin overrides
per year for the newest notice, and a deadline that crosses a year without data flagged.

The 2027 and 2028 arrangements below are typed as an admin would from a notice; they are test
data (元旦 on 1 January is fixed by law; the Spring Festival days are illustrative), not a copy
of the official notices."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from desktop import clock
from desktop.models import AuditEntry
from desktop.services import complaints, compliance, holidays, periods, rules, workdays
from desktop.services.context import ValidationError
from desktop.services.workdays import UNLOADED, add_working_days, library_covers

RECEIVED = dt.date(2026, 12, 7)  # a Monday
NATIONAL_DAY_2027 = "2027-10-01/2027-10-07"
NEW_YEAR_2027 = {"2027": {"holidays": ["2027-01-01", NATIONAL_DAY_2027], "workdays": []}}
SPRING_2027 = {"2027": {"holidays": ["2027-01-01", "2027-02-06/2027-02-13", NATIONAL_DAY_2027],
                        "workdays": ["2027-02-20"]}}
YEAR_2028 = {"2028": {"holidays": ["2028-01-01/2028-01-03", "2028-10-01/2028-10-07"], "workdays": []}}


@pytest.fixture(autouse=True)
def _mid_december(monkeypatch):
    """The computer's clock at 2026-12-20 10:00 China time, so 7 December is in the past."""
    monkeypatch.setattr(clock, "system_time", lambda: dt.datetime(2026, 12, 20, 2, 0, tzinfo=dt.UTC))


def set_overrides(db, admin, value):
    with db.session() as s:
        holidays.set_overrides(s, admin, value)


def due(db, received=RECEIVED, checking=True):
    with db.read() as s:
        return complaints.reply_due(s, received, needs_checking=checking)


def test_the_pinned_library_holds_the_notices_up_to_2026():
    """chinesecalendar 1.11.0 (requirements.lock): 2004–2026. When it is upgraded with the 2027
    notice this test says so — then 2027 needs no override any more."""
    assert library_covers(2004) and library_covers(2025) and library_covers(2026)
    assert not library_covers(2027) and not library_covers(2030)


def test_library_days_include_make_up_working_days(db):
    with db.read() as s:
        cal = workdays.calendar(s)
    assert not cal.is_working_day(dt.date(2026, 1, 1))  # 元旦
    assert not cal.is_working_day(dt.date(2026, 2, 17))  # 春节, a Tuesday
    assert cal.is_working_day(dt.date(2026, 1, 4))  # Sunday worked in exchange (调休)
    assert cal.is_working_day(dt.date(2026, 2, 28))  # Saturday worked in exchange


def test_december_complaint_into_2027_without_data_is_flagged(db):
    result = due(db)
    assert result.flagged and result.unloaded == (2027,)
    assert result.day == dt.date(2027, 1, 18)  # Monday–Friday only: a guess, hence the flag


def test_december_complaint_into_2027_counts_new_years_day_once_loaded(db, admin):
    set_overrides(db, admin, NEW_YEAR_2027)
    result = due(db)
    assert result == workdays.Due(dt.date(2027, 1, 19))  # 元旦 skipped, nothing flagged
    assert not result.flagged


def test_2027_spring_festival_and_its_make_up_saturday(db, admin):
    set_overrides(db, admin, SPRING_2027)
    with db.read() as s:
        cal = workdays.calendar(s)
    friday = dt.date(2027, 2, 5)
    assert add_working_days(friday, 1, cal).day == dt.date(2027, 2, 15)  # 02-06 … 02-13 off
    assert add_working_days(friday, 5, cal).day == dt.date(2027, 2, 19)
    assert add_working_days(friday, 6, cal).day == dt.date(2027, 2, 20)  # Saturday worked
    assert add_working_days(friday, 7, cal).day == dt.date(2027, 2, 22)


def test_2028_uses_its_own_override_and_is_flagged_without_it(db, admin):
    received = dt.date(2027, 12, 29)  # a Wednesday
    set_overrides(db, admin, NEW_YEAR_2027)
    flagged = due(db, received, checking=False)
    assert flagged.unloaded == (2028,)
    set_overrides(db, admin, {**NEW_YEAR_2027, **YEAR_2028})
    loaded = due(db, received, checking=False)
    assert not loaded.flagged
    # 12-30, 12-31, then 2028-01-03 (Monday) is a holiday: 01-04 … 01-13 make the other eight
    assert loaded.day == dt.date(2028, 1, 13)
    assert flagged.day == dt.date(2028, 1, 12)


def test_a_year_without_data_is_flagged_on_the_complaint_and_in_the_self_check(db, admin):
    with db.session() as s:
        c = complaints.record_complaint(s, admin, received_at=RECEIVED, content="夜间施工噪声",
                                        needs_checking=True)
    assert c.unloaded == (2027,) and c.reply_due == dt.date(2027, 1, 18)
    with db.read() as s:
        listed = complaints.complaints(s)
        result = compliance.evaluate(s, period=periods.parse("2026Q4"), scope_type="agency",
                                     scope_id=None, as_of=dt.date(2026, 12, 31))
    assert [r.unloaded for r in listed] == [(2027,)]
    texts = [str(g.missing) for g in result.get("C-7d").gaps]
    assert any(UNLOADED in t and "2027年" in t for t in texts), texts
    set_overrides(db, admin, NEW_YEAR_2027)  # the notice typed in: the flag goes, the date moves
    with db.read() as s:
        assert [(r.unloaded, r.reply_due) for r in complaints.complaints(s)] == [((), dt.date(2027, 1, 19))]


def test_2030_has_no_data_and_is_flagged():
    cal = workdays.Calendar({})
    result = add_working_days(dt.date(2029, 12, 20), 10, cal)
    assert result.unloaded == (2029, 2030)
    inside = add_working_days(dt.date(2026, 3, 2), 10, cal)
    assert not inside.flagged  # 2026 is in the library


@pytest.mark.parametrize(("value", "words"), [
    ({"2027": {"holidays": ["2027-13-01"]}}, "日期无效：2027-13-01"),
    ({"2027": {"holidays": ["2027-12-31/2028-01-02"]}}, "不属于2027年"),
    ({"2027": {"holidays": ["2027-02-13/2027-02-06"]}}, "区间无效"),
    ({"2027": {"holidays": ["2027-01-01"], "workdays": ["2027-02-17"]}}, "不是周末"),
    ({"2027": {"holidays": ["2027-02-06"], "workdays": ["2027-02-06"]}}, "既是放假日又是调休上班日"),
    ({"2027": {"holidays": []}}, "未填写放假日期"),
    ({"27": {"holidays": ["2027-01-01"]}}, "年份无效"),
    ({"2027": {"holiday": ["2027-01-01"]}}, "须包含"),
    (["2027-01-01"], "须按年份填写"),
])
def test_an_invalid_override_is_refused_when_saved(db, admin, value, words):
    set_overrides(db, admin, NEW_YEAR_2027)
    with db.session() as s, pytest.raises(ValidationError, match=words) as refused:
        rules.set_value(s, admin, "calendar.overrides", value)
    assert "calendar.overrides" in refused.value.fields
    assert not due(db).flagged  # the last good arrangement still counts every complaint


def test_saving_an_override_is_audited(db, admin):
    set_overrides(db, admin, NEW_YEAR_2027)
    with db.read() as s:
        after = s.execute(select(AuditEntry.after).where(AuditEntry.entity == "app_settings")
                          .order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
    assert after == {"calendar.overrides": NEW_YEAR_2027}


def test_loading_a_year_keeps_each_deadlines_number_of_working_days(db, admin):
    with db.session() as s:
        normal = complaints.record_complaint(s, admin, received_at=dt.date(2026, 12, 18), content="扬尘")
        checking = complaints.record_complaint(s, admin, received_at=RECEIVED, content="噪声",
                                               needs_checking=True)
        # the agency shortens its rule afterwards: old complaints keep the days they were given
        rules.set_value(s, admin, "complaint.reply_working_days", {"normal": 5, "checking": 20})
    assert (normal.reply_due, checking.reply_due) == (dt.date(2027, 1, 1), dt.date(2027, 1, 18))
    set_overrides(db, admin, NEW_YEAR_2027)
    with db.read() as s:
        dues = {r.id: r.reply_due for r in complaints.complaints(s)}
    assert dues == {normal.id: dt.date(2027, 1, 4), checking.id: dt.date(2027, 1, 19)}
    assert workdays.count_working_days(RECEIVED, dt.date(2027, 1, 19), workdays.Calendar({})) == 31


def test_a_built_in_year_is_listed_with_its_days_and_a_correction_keeps_them(db, admin):
    with db.read() as s:
        row = next(r for r in workdays.years(s) if r.year == 2026)
    assert row.source == "library"
    assert "2026-02-15/2026-02-23" in row.holidays and "2026-10-01/2026-10-07" in row.holidays
    assert "2026-02-28" in row.workdays  # a Saturday worked in exchange
    spring = dt.date(2026, 2, 10)  # 10 working days run through the Spring Festival
    before = due(db, spring, checking=False)
    # the admin corrects the year by adding one day to what the tab shows: nothing else moves
    set_overrides(db, admin, {"2026": {"holidays": [*row.holidays, "2026-12-31"], "workdays": list(row.workdays)}})
    assert due(db, spring, checking=False) == before


@pytest.mark.parametrize("typed", [["2026-12-31"], ["2026-01-01", "2026-12-31"]])
def test_a_year_without_its_fixed_statutory_holidays_is_refused(db, admin, typed):
    with db.session() as s, pytest.raises(ValidationError, match="缺少(元旦|国庆节)"):
        holidays.save_year(s, admin, 2026, holidays=typed, workdays=[])
    with db.read() as s:
        assert rules.get(s, "calendar.overrides") == {}


def test_a_full_width_or_out_of_range_year_is_refused(db, admin):
    for year in ("２０２７", "0999"):
        with db.session() as s, pytest.raises(ValidationError, match="年份无效"):
            rules.set_value(s, admin, "calendar.overrides", {year: {"holidays": ["2027-01-01"]}})
