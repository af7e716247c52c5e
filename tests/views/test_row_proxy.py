"""The rows a DataTable shows: sorted and filtered on the numpy columns as Qt's proxy did
(ties in the model's order, NaN lowest, by size for a Δ column, a case-insensitive fixed
string in any column's text), the selection following; and the GUI thread never held up by
a sort of a 144,000-row table for more than a few bare argsorts, nor a typed letter, the
first on a new content included, kept from showing its rows for longer."""

from __future__ import annotations

import gc
import sys
import time

import numpy as np
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtWidgets import QApplication

from benchmarks.bench_table import first_and_next_letter, unit_period_columns
from views.column_model import Column, format_value
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
    # Each cell's flags are its source cell's (answered without mapping to it).
    source = table.model.flags(table.model.index(4, 1))
    assert table.proxy.flags(table.proxy.index(4, 1)) == source
    assert table.proxy.flags(table.proxy.index(9, 1)) == Qt.ItemFlag.NoItemFlags


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


def test_a_filter_never_spans_two_cells_and_finds_a_new_contents_texts(qtbot):
    table = _table(qtbot)
    table.filter.setText("b-5")  # "b" then "-5.00" in the next cell: not a text shown
    assert _shown(table) == []
    table.filter.setText("7")
    assert _shown(table) == ["n/a"]
    table.set_columns([Column("n", np.array([7.5, 17.0]), "mw")])
    assert _shown(table) == ["7.5", "17.0"]


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


def _big_table(qtbot) -> DataTable:
    table = DataTable()
    qtbot.addWidget(table)
    table.resize(1200, 700)
    table.show()
    qtbot.waitExposed(table)
    return table


def _argsort_seconds(columns) -> float:
    """The baseline: the bare numpy argsort of the £ column, best of five."""
    size = np.abs(columns[2].values)
    return min(_seconds(lambda: np.argsort(-size, kind="stable")) for _ in range(5))


@pytest.mark.usefixtures("as_the_application_runs")
def test_a_sort_of_a_144000_row_table_holds_the_gui_thread_briefly(qtbot):
    """Measured against this machine: the bare numpy argsort of the same £ column. The
    QSortFilterProxyModel this replaced held the thread 2,000 times that (40 s)."""
    app = QApplication.instance()
    columns = unit_period_columns()
    table = _big_table(qtbot)
    table.set_columns(columns)
    argsort = _argsort_seconds(columns)
    table.filter.setText("7")  # a sort keeps the filter: the filtered rows are sorted
    # Best of three for each: a busy machine only ever lengthens a gap, so the shortest of
    # several is the one that says what the code costs (a shared CI box ran this test slow).
    gaps: dict[str, list[float]] = {"sort by a £ column": [], "sort by BM unit": []}
    for _ in range(3):
        gaps["sort by a £ column"].append(
            _longest_gap(app, lambda: table.view.sortByColumn(2, DESC))
        )
        gaps["sort by BM unit"].append(_longest_gap(app, lambda: table.view.sortByColumn(0, ASC)))
    for what, tries in gaps.items():
        gap = min(tries)
        assert gap <= 12 * argsort + 0.02, f"{what}: {gap * 1e3:.0f} ms ({argsort * 1e3:.1f})"


@pytest.mark.usefixtures("as_the_application_runs")
def test_the_first_letter_typed_on_a_new_144000_row_table_shows_its_rows_at_once(qtbot):
    """Keys typed into the box of a new content: from the end of the typing pause to the
    filtered rows painted, and the GUI thread's longest wait, within 10 bare argsorts of the
    £ column (about 110 ms here; it takes about 35). The row texts a thread made before kept
    the first letter's rows 280-300 ms from showing (25 argsorts), the GUI thread waiting
    meanwhile for the GIL up to 280 ms."""
    app = QApplication.instance()
    columns = unit_period_columns()
    table = _big_table(qtbot)
    # Each try against an argsort measured just before it (a load that comes and goes
    # slows both alike), the best of five tries kept (a busy machine only lengthens them).
    names = ("first letter, rows shown", "first letter, GUI thread held",
             "next letter, rows shown", "next letter, GUI thread held")  # fmt: skip
    ratios: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(5):
        argsort = _argsort_seconds(columns)
        for name, seconds in zip(names, first_and_next_letter(app, table, columns), strict=True):
            ratios[name].append(seconds / argsort)
    shown = {row for row in table.proxy.source_rows().tolist() if row < 2000}
    texts = [[format_value(table.model.raw(r, c), columns[c].kind) for c in range(7)]
             for r in range(2000)]  # fmt: skip
    assert shown == {r for r, cells in enumerate(texts) if any("77" in t for t in cells)}
    for name, tries in ratios.items():
        assert min(tries) <= 10, f"{name}: {min(tries):.1f} argsorts (of {tries})"
