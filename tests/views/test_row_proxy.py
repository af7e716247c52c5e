"""The rows a DataTable shows: sorted and filtered on the numpy columns as Qt's proxy did
(ties in the model's order, NaN lowest, by size for a Δ column, a case-insensitive fixed
string in any column's text), the selection following; a big table's row texts made in a
thread, the typed filter waiting for them; and the GUI thread never held up by a sort or a
keystroke of a 144,000-row table, the first included, for more than a few bare argsorts."""

from __future__ import annotations

import gc
import sys
import time

import numpy as np
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtWidgets import QApplication

from benchmarks.bench_table import unit_period_columns
from benchmarks.heartbeat import Heartbeat, spin
from views import row_proxy
from views.column_model import Column
from views.data_table import DataTable

pytestmark = pytest.mark.timing  # GUI-thread bounds: run alone (see pyproject's markers)

ASC, DESC = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder


def _table(qtbot) -> DataTable:
    table = DataTable()
    qtbot.addWidget(table)
    table.set_columns(
        [
            Column("party", ["b", "A", "c", None, "a"]),
            Column("net Δ £", np.array([-5.0, 3.0, np.nan, 5.0, -1.0]), "money", by_size=True),
            Column("n", np.array([1500, 2, 2, 7, 1]), "int"),
        ]
    )
    return table


def _shown(table: DataTable, column: int = 0) -> list:
    return [table.proxy.index(r, column).data() for r in range(table.proxy.rowCount())]


def test_sorting_by_size_by_number_and_by_text(qtbot):
    table = _table(qtbot)
    table.view.sortByColumn(1, DESC)  # |Δ|: 5 and -5 tie, the model's order kept; NaN last
    assert _shown(table) == ["b", "n/a", "A", "a", "c"]
    table.view.sortByColumn(1, ASC)
    assert _shown(table) == ["c", "a", "A", "b", "n/a"]
    table.view.sortByColumn(2, ASC)  # 2 and 2 tie: A before c as in the model
    assert _shown(table, 2) == ["1", "2", "2", "7", "1,500"]
    assert _shown(table) == ["a", "A", "c", "n/a", "b"]
    table.view.sortByColumn(0, ASC)  # None first, then by code point (upper case first)
    assert _shown(table) == ["n/a", "A", "a", "b", "c"]
    table.view.sortByColumn(-1, ASC)  # the model's own order
    assert _shown(table) == ["b", "A", "c", "n/a", "a"]


def test_the_filter_finds_the_text_shown_in_any_column_case_insensitively(qtbot):
    table = _table(qtbot)
    table.filter.setText("a")
    assert _shown(table) == ["A", "c", "n/a", "a"]  # "n/a": the text of NaN (c) and None
    table.filter.setText("1,5")  # the formatted number, with its separator
    assert _shown(table) == ["b"]
    table.filter.setText("5.00")  # -5.00 and 5.00
    assert _shown(table) == ["b", "n/a"]
    table.view.sortByColumn(0, DESC)  # a sort keeps the filter
    assert _shown(table) == ["b", "n/a"]
    table.filter.clear()
    assert table.proxy.rowCount() == 5


def test_the_selection_follows_its_rows_through_a_sort_and_a_filter(qtbot):
    table = _table(qtbot)
    chosen = table.proxy.index(2, 0)  # "c"
    table.view.selectionModel().setCurrentIndex(
        chosen, QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    table.view.sortByColumn(0, DESC)
    assert table.view.currentIndex().data() == "c" and table.view.currentIndex().row() == 0
    table.filter.setText("c")
    assert table.view.currentIndex().data() == "c"
    assert table.proxy.mapToSource(table.view.currentIndex()).row() == 2
    table.filter.setText("zzz")
    assert not table.view.currentIndex().isValid()


def test_a_new_content_keeps_the_filter_and_shows_the_models_order(qtbot):
    table = _table(qtbot)
    table.filter.setText("a")
    table.view.sortByColumn(0, DESC)
    table.set_columns([Column("party", ["xa", "y", "za"])])
    assert _shown(table) == ["xa", "za"]


def test_a_longer_filter_searches_only_the_rows_the_last_one_found(qtbot):
    table = _table(qtbot)
    table.filter.setText("1")  # "1,500" (b) and "1.00", "1" (a)
    assert _shown(table) == ["b", "a"]
    # Were every row searched again, this altered text of a row "1" did not find would show.
    table.proxy._texts[1] = "1,a"
    table.filter.setText("1,")
    assert _shown(table) == ["b"]
    table.filter.setText(",")  # not a longer filter: every row again
    assert _shown(table) == ["b", "A"]  # "1,500" and the altered text


def test_a_big_tables_typed_filter_waits_for_the_texts_a_thread_makes(qtbot, monkeypatch):
    monkeypatch.setattr(row_proxy, "BACKGROUND_ROWS", 2)  # five rows are "big" here
    table = _table(qtbot)
    told = []
    table.proxy.filter_pending.connect(told.append)
    table.proxy.filter_typed("a")
    assert table.proxy.pending and told == [True]
    assert table.proxy.rowCount() == 5  # the rows shown meanwhile stay
    qtbot.waitUntil(lambda: not table.proxy.pending, timeout=5000)
    assert _shown(table) == ["A", "c", "n/a", "a"] and told == [True, False]
    table.proxy.filter_typed("a,")  # the texts are made: at once
    assert not table.proxy.pending and _shown(table) == []


def test_a_new_content_cancels_the_build_of_the_last_ones_texts(qtbot, monkeypatch):
    monkeypatch.setattr(row_proxy, "BACKGROUND_ROWS", 2)
    table = _table(qtbot)
    table.proxy.filter_typed("a")
    first = table.proxy._build
    table.set_columns([Column("party", ["xa", "y", "za"])])
    assert first._work.stop.is_set()  # the last content's build: cancelled
    assert table.proxy.pending and table.proxy.rowCount() == 0  # none until the new texts
    qtbot.waitUntil(lambda: not table.proxy.pending, timeout=5000)
    assert _shown(table) == ["xa", "za"]


def test_filtering_now_takes_the_texts_the_thread_is_making(qtbot, monkeypatch):
    monkeypatch.setattr(row_proxy, "BACKGROUND_ROWS", 2)
    table = _table(qtbot)
    table.proxy.prepare_filter()
    assert table.proxy._build is not None
    table.proxy.setFilterFixedString("c")  # Qt's call: the answer now
    assert _shown(table) == ["c"] and table.proxy._build is None


def _seconds(action) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def _longest_gap(app, action) -> float:
    """The longest wait between two ticks of a 2 ms heartbeat on the GUI thread while
    `action` runs from the event loop."""
    ticks: list[float] = []
    heartbeat = QTimer(interval=2)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    heartbeat.start()
    deadline = time.perf_counter() + 0.05
    while time.perf_counter() < deadline:  # beating before the action
        app.processEvents()
    QTimer.singleShot(0, action)
    deadline = time.perf_counter() + 0.3
    while time.perf_counter() < deadline:
        app.processEvents()
    heartbeat.stop()
    return float(np.diff(ticks).max())


@pytest.fixture
def as_the_application_runs():
    """The GIL handed back as the application hands it (workbench.gui.app), and what exists
    before the table out of the collector's full sweeps, as the main window puts its startup
    objects (here they are the whole test session's, whose sweeps the app does not make)."""
    from workbench.gui.app import GIL_SWITCH_SECONDS

    interval = sys.getswitchinterval()
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    gc.freeze()
    yield
    gc.unfreeze()
    sys.setswitchinterval(interval)


@pytest.mark.usefixtures("as_the_application_runs")
def test_a_sort_or_keystroke_of_a_144000_row_table_holds_the_gui_thread_briefly(qtbot):
    """Measured against this machine: the bare numpy argsort of the same £ column. The
    QSortFilterProxyModel this replaced held the thread 2,000 times that (40 s)."""
    app = QApplication.instance()
    columns = unit_period_columns()
    table = DataTable()
    qtbot.addWidget(table)
    table.resize(1200, 700)
    table.show()
    qtbot.waitExposed(table)
    table.set_columns(columns)
    size = np.abs(columns[2].values)
    argsort = min(_seconds(lambda: np.argsort(-size, kind="stable")) for _ in range(5))
    table.filter.setText("7")  # makes the rows' texts once (the first keystroke)
    # Best of three for each: a busy machine only ever lengthens a gap, so the shortest of
    # several is the one that says what the code costs (a shared CI box ran this test slow).
    gaps: dict[str, list[float]] = {"sort by a £ column": [], "sort by BM unit": [],
                                    "a keystroke": []}  # fmt: skip
    for _ in range(3):
        gaps["sort by a £ column"].append(
            _longest_gap(app, lambda: table.view.sortByColumn(2, DESC))
        )
        gaps["sort by BM unit"].append(_longest_gap(app, lambda: table.view.sortByColumn(0, ASC)))
        gaps["a keystroke"].append(_longest_gap(app, lambda: table.filter.setText("77")))
        table.filter.setText("7")
    table.filter.setText("77")
    assert table.proxy.rowCount() == sum("77" in t for t in table.proxy._texts)
    # The first letter typed on a new content: the texts made in a thread (half a second
    # of the GUI thread's when they were made on the first keystroke).
    rows = len(columns[0].values)
    for _ in range(3):
        table.filter.clear()
        # No filter left on the proxy (the last "7" was given to it, not typed in the box):
        # with one, new content makes its texts at once, and a quick machine has them before
        # the first letter (CI did), which then waits for nothing.
        table.proxy.setFilterFixedString("")
        table.set_columns(columns)
        with Heartbeat() as beat:
            spin(app, lambda: True, 1.0, at_least=0.05)
            assert table.proxy._texts is None, "the texts were made before the first letter"
            beat.mark()
            table.proxy.filter_typed("7")
            assert table.proxy.pending
            spin(app, lambda: not table.proxy.pending and table.proxy.rowCount() < rows, 30.0)
            spin(app, lambda: True, 1.0, at_least=0.05)  # the rows painted
        gaps.setdefault("the first letter typed", []).append(beat.longest)
    for what, tries in gaps.items():
        gap = min(tries)
        assert gap <= 12 * argsort + 0.02, f"{what}: {gap * 1e3:.0f} ms ({argsort * 1e3:.1f})"
