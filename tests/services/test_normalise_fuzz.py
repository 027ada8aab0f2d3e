"""Property tests of the importer's normalisation: any input gives a value or a CellError."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.services.exchange import xlsx_normalise as xn

CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=60),
    st.dates(min_value=dt.date(1, 1, 1)), st.datetimes(),
    st.decimals(allow_nan=True, allow_infinity=True),
)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _total(fn, value):  # type: ignore[no-untyped-def]
    """The parser either returns or raises CellError (a ValueError with a Chinese message)."""
    try:
        return fn(value)
    except xn.CellError as exc:
        assert str(exc) and any("\u4e00" <= ch <= "\u9fff" for ch in str(exc))
        return exc


@FAST
@given(CELLS)
def test_every_parser_is_total(value):
    for fn in (xn.parse_date, xn.parse_decimal, xn.parse_int, xn.parse_level, xn.parse_bool,
               xn.text, xn.ident, xn.header_key):
        _total(fn, value)


@FAST
@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_dates_in_every_written_form_agree(day):
    forms = [day, dt.datetime.combine(day, dt.time(9, 30)), day.isoformat(), f"{day.year}年{day.month}月{day.day}日",
             f"{day.year}.{day.month}.{day.day}", f"{day.year}/{day.month}/{day.day}",
             xn.half_width(day.isoformat()).translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))]
    for form in forms:
        assert xn.parse_date(form) == day, form


@FAST
@given(st.integers(0, 10**9), st.integers(0, 99))
def test_numbers_written_as_text(whole, cents):
    expected = Decimal(f"{whole}.{cents:02d}")
    for form in (f"{whole:,}.{cents:02d}", f" {whole}.{cents:02d}\u3000", f"￥{whole}.{cents:02d}",
                 f"{whole}.{cents:02d}元"):
        assert xn.parse_decimal(form) == expected, form


@FAST
@given(st.text(alphabet="0123456789 \u3000ABCxyz－．", max_size=30))
def test_half_width_is_idempotent(value):
    once = xn.half_width(value)
    assert xn.half_width(once) == once
    assert "\u3000" not in xn.text(value)
