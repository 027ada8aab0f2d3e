"""The lazy table model: Qt's model checks over 100,000 ids, paging, colours, sorting, failures."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QTableView

from desktop.db import DataError
from desktop.ui.lazy_model import CENTER, ID_ROLE, LEVEL_TINTS, ROW_ROLE, Column, LazyTableModel
from desktop.vocabulary import HAZARD_LEVEL_COLOURS


@dataclass(frozen=True)
class FakeRow:
    id: int
    title: str
    level: int
    closed: bool


class FakeColumn(IntEnum):
    TITLE = 0
    LEVEL = 1
    CLOSED = 2


SPECS = {
    FakeColumn.TITLE: Column("描述", lambda r: r.title, sort_key="title"),
    FakeColumn.LEVEL: Column("等级", lambda r: r.level, CENTER, sort_key="level"),
    FakeColumn.CLOSED: Column("已销项", lambda r: r.closed),
}


class FakeService:
    """Stands in for a service call: rows made from ids, every call recorded."""

    def __init__(self) -> None:
        self.calls: list[list[int]] = []
        self.fail = False

    def fetch(self, ids):  # type: ignore[no-untyped-def]
        if self.fail:
            raise DataError("数据库正被其他程序占用（已锁定），请稍后重试。")
        self.calls.append(list(ids))
        return [FakeRow(i, f"隐患 {i}", i % 4 + 1, i % 3 == 0) for i in reversed(ids)]


def make_model(count: int = 100_000, **kwargs):  # type: ignore[no-untyped-def]
    service = FakeService()
    model = LazyTableModel(FakeColumn, SPECS, fetch_rows=service.fetch,
                           level_of=lambda r: r.level, **kwargs)
    model.set_ids(range(1, count + 1))
    return model, service


@pytest.mark.slow
def test_qt_model_checks_pass_over_100k_ids(qtmodeltester):
    model, _service = make_model()
    qtmodeltester.check(model)
    assert model.rowCount() == 100_000


def test_rows_are_fetched_a_page_at_a_time(qapp):
    model, service = make_model(page_size=200)
    assert model.data(model.index(0, 0)) == "隐患 1"
    assert model.data(model.index(199, 0)) == "隐患 200"
    assert model.data(model.index(99_999, 0)) == "隐患 100000"
    assert [len(c) for c in service.calls] == [200, 200]
    assert model.data(model.index(5, 0, QModelIndex()), ID_ROLE) == 6
    assert model.data(model.index(5, 0), ROW_ROLE).title == "隐患 6"


def test_the_page_cache_is_bounded_and_least_recently_used(qapp):
    model, service = make_model(page_size=100, cache_pages=3)
    for page in (0, 1, 2, 0, 3):  # page 1 is now the oldest and is evicted
        model.row_at(page * 100)
    assert len(service.calls) == 4
    model.row_at(0)
    assert len(service.calls) == 4
    model.row_at(100)
    assert len(service.calls) == 5


def test_vanished_rows_show_empty(qapp):
    service = FakeService()
    model = LazyTableModel(FakeColumn, SPECS, fetch_rows=lambda ids: service.fetch(ids[1:]))
    model.set_ids([10, 11, 12])
    assert model.data(model.index(0, 0)) is None
    assert model.data(model.index(1, 0)) == "隐患 11"


def test_roles_display_alignment_and_level_tints(qapp):
    model, _ = make_model(10)
    row = 2  # id 3 -> level 4, closed
    assert model.data(model.index(row, FakeColumn.CLOSED)) == "是"
    assert model.data(model.index(1, FakeColumn.CLOSED)) == "否"
    align = model.data(model.index(row, FakeColumn.LEVEL), Qt.ItemDataRole.TextAlignmentRole)
    assert align == int(CENTER)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "等级"
    for level in (1, 2, 3, 4):
        tint = LEVEL_TINTS[level]
        assert tint.lightness() > 200  # a light background, so black text stays readable
        strong = HAZARD_LEVEL_COLOURS[level]
        assert tint.name() != strong
    colour = model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole)  # id 1 -> level 2
    assert colour == LEVEL_TINTS[2]
    assert LEVEL_TINTS[1].red() > LEVEL_TINTS[1].blue()
    assert LEVEL_TINTS[4].blue() > LEVEL_TINTS[4].red()


def test_sort_requests_go_to_the_page(qapp):
    requests = []
    model, _ = make_model(50, on_sort=lambda column, order: requests.append((column, order)))
    model.sort(FakeColumn.LEVEL, Qt.SortOrder.DescendingOrder)
    model.sort(FakeColumn.CLOSED)  # no sort key: not sortable
    assert requests == [(FakeColumn.LEVEL, Qt.SortOrder.DescendingOrder)]
    assert model.sort_key(FakeColumn.LEVEL) == "level"


def test_set_ids_resets_and_invalidate_refetches(qtbot):
    model, service = make_model(1000)
    model.row_at(0)
    with qtbot.waitSignal(model.modelReset):
        model.set_ids([5, 6, 7])
    assert model.rowCount() == 3
    assert model.row_of(6) == 1 and model.row_of(999) == -1
    model.row_at(0)
    calls = len(service.calls)
    with qtbot.waitSignal(model.dataChanged):
        model.invalidate([6])
    model.row_at(0)
    assert len(service.calls) == calls + 1


def test_a_database_failure_is_reported_not_raised(qtbot):
    model, service = make_model(10)
    service.fail = True
    with qtbot.waitSignal(model.fetch_failed) as blocker:
        assert model.data(model.index(0, 0)) is None
    assert "锁定" in blocker.args[0]
    service.fail = False
    assert model.data(model.index(0, 0)) == "隐患 1"  # a failed page is not cached


def test_columns_must_all_have_a_spec():
    with pytest.raises(ValueError, match="CLOSED"):
        LazyTableModel(FakeColumn, {FakeColumn.TITLE: SPECS[FakeColumn.TITLE],
                                    FakeColumn.LEVEL: SPECS[FakeColumn.LEVEL]}, fetch_rows=list)


def test_a_view_scrolls_to_the_end_fetching_only_what_it_shows(qtbot):
    model, service = make_model(100_000)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(600, 400)
    view.show()
    view.scrollToBottom()
    qtbot.wait(20)
    fetched = sum(len(c) for c in service.calls)
    assert fetched <= 1000
    assert view.grab().isNull() is False


class FakeSource:
    """Behaves like services.register.IdLoader: a count first, then ids in keyset pages."""

    def __init__(self, count: int, *, known: bool = True, page: int = 1000,
                 claimed: int | None = None) -> None:
        from array import array

        self.all = list(range(1, count + 1))
        self.ids = array("q", self.all[:page])
        self.page = page
        self.total_known = known
        self.total = (claimed if claimed is not None else count) if known else len(self.ids)
        self.loads = 1

    @property
    def complete(self) -> bool:
        return len(self.ids) >= len(self.all)

    def ensure(self, n: int) -> None:
        while len(self.ids) < n and not self.complete:
            self.loads += 1
            self.ids.extend(self.all[len(self.ids):len(self.ids) + self.page])
        if self.complete:
            self.total = len(self.ids)


def source_model(source: FakeSource):  # type: ignore[no-untyped-def]
    service = FakeService()
    model = LazyTableModel(FakeColumn, SPECS, fetch_rows=service.fetch)
    model.set_source(source)
    return model


@pytest.mark.slow
def test_a_source_with_a_known_total_sizes_the_view_at_once(qtmodeltester):
    source = FakeSource(20_000, page=5000)
    model = source_model(source)
    assert model.rowCount() == 20_000 and len(source.ids) == 5000
    assert model.data(model.index(19_999, 0)) == "隐患 20000"
    assert source.complete
    qtmodeltester.check(model)


def test_a_source_with_an_unknown_total_grows_as_the_view_scrolls(qtbot):
    source = FakeSource(2500, known=False, page=1000)
    model = source_model(source)
    assert model.rowCount() == 1000 and model.canFetchMore(QModelIndex())
    with qtbot.waitSignal(model.rowsInserted):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 2000
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2500 and not model.canFetchMore(QModelIndex())
    assert model.id_at(2499) == 2500


def test_a_count_that_proved_too_high_is_corrected(qtbot):
    source = FakeSource(1000, page=400, claimed=1010)  # 10 hazards deleted after the count
    model = source_model(source)
    assert model.rowCount() == 1010
    with qtbot.waitSignal(model.rowsRemoved):
        assert model.data(model.index(1005, 0)) is None
    assert model.rowCount() == 1000


def test_a_count_arriving_after_the_first_page_grows_the_view(qtbot, qtmodeltester):
    source = FakeSource(5000, known=False, page=500)  # the first page, total not yet counted
    model = source_model(source)
    assert model.rowCount() == 500 and model.canFetchMore(QModelIndex())
    model.source_counted()  # nothing learnt yet: nothing changes
    assert model.rowCount() == 500
    source.total, source.total_known = 5000, True
    with qtbot.waitSignal(model.rowsInserted) as inserted:
        model.source_counted()
    assert inserted.args[1:] == [500, 4999]
    assert model.rowCount() == 5000 and not model.canFetchMore(QModelIndex())
    assert model.data(model.index(4999, 0)) == "隐患 5000"  # read on demand as before
    qtmodeltester.check(model)
