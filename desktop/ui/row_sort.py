"""Sorting rows held in memory by one column, as a person expects: numbers by size, dates in
order, Chinese text by pinyin (QCollator for zh_CN), empty cells last either way."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from numbers import Number
from typing import Any, TypeVar

from PySide6.QtCore import QCollator, QLocale

from desktop.ui.lazy_model import display

R = TypeVar("R")


@functools.cache
def _collator() -> QCollator:
    collator = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    collator.setNumericMode(True)  # 第2项 before 第10项
    return collator


def _compare(a: tuple[int, Any], b: tuple[int, Any]) -> int:
    if a[0] != b[0]:
        return -1 if a[0] < b[0] else 1
    if a[0] == 1:  # both text
        order: int = _collator().compare(a[1], b[1])
        return order
    return int(a[1] > b[1]) - int(a[1] < b[1])


def sorted_rows(rows: Sequence[R], value: Callable[[R], Any], *,
                descending: bool = False) -> list[R]:
    """`rows` ordered by `value(row)`; empty values stay at the end in both directions."""
    def rank(row: R) -> tuple[int, Any]:
        v = value(row)
        if v is None or v == "":
            return (2, "")
        if isinstance(v, Number) and not isinstance(v, bool):
            return (0, v)
        return (1, display(v))  # dates as ISO text sort in date order

    ranked = [(rank(r), r) for r in rows]
    full = [x for x in ranked if x[0][0] != 2]
    empty = [r for k, r in ranked if k[0] == 2]
    if any(k[0] == 0 for k, _ in full) and any(k[0] == 1 for k, _ in full):
        full = [((1, display(value(r))), r) for _, r in full]  # mixed: compare as text
    key = functools.cmp_to_key(_compare)
    full.sort(key=lambda x: key(x[0]), reverse=descending)
    return [r for _, r in full] + empty
