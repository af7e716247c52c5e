"""Sorting and filtering the unit × period table at GB scale (issue 20, item 9).

A DataTable of 3,000 BM units × 48 periods (144,000 rows; unit, period, four £ and MWh
columns and a flag), as the comparison's party × period and unit tables are. Timed, each the
best of 3: a sort by a £ column (by size), a sort by the unit, and one keystroke of the
filter (the first, which also makes each row's text, then a second letter). Targets: ≤ 200 ms
per sort, ≤ 50 ms per keystroke after the first. Baseline in the same run: the same table
numpy's own argsort of the £ column (the floor of any sort of it; the QSortFilterProxyModel
the table had before took 40 s here, reading every cell through Python).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

UNITS, PERIODS = 3000, 48


def unit_period_columns(units: int = UNITS, periods: int = PERIODS, seed: int = 20):
    """The columns of a units × periods table of deltas, deterministic."""
    import numpy as np

    from views.column_model import Column

    rng = np.random.default_rng(seed)
    rows = units * periods
    names = np.array([f"T_UNIT-{u:04d}" for u in range(units)], dtype=object)
    return [
        Column("BM unit", names.repeat(periods).tolist()),
        Column("period", np.tile(np.arange(1, periods + 1), units), "int"),
        Column("Δ CBM £", rng.normal(0, 500, rows), "money", by_size=True),
        Column("Δ CND £", rng.normal(0, 50, rows), "money", by_size=True),
        Column("Δ QBMij MWh", rng.normal(0, 20, rows), "mwh", by_size=True),
        Column("TLM", 1 + rng.normal(0, 0.01, rows), "ratio"),
        Column("SO", rng.random(rows) < 0.1, "bool"),
    ]


def _timed(action) -> float:
    import time

    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def run() -> None:
    import numpy as np
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from benchmarks.timing import best_of
    from views.data_table import DataTable

    app = QApplication.instance() or QApplication([])
    columns = unit_period_columns()
    table = DataTable()
    table.resize(1200, 700)
    table.show()
    table.set_columns(columns)
    app.processEvents()
    view = table.view
    descending, ascending = Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder
    money_sort = best_of(3, lambda: (view.sortByColumn(2, descending), app.processEvents()))
    unit_sort = best_of(3, lambda: (view.sortByColumn(0, ascending), app.processEvents()))

    def keystrokes():
        table.set_columns(columns)  # a new content: the row texts are made again
        first = _timed(lambda: (table.filter.setText("7"), app.processEvents()))
        second = _timed(lambda: (table.filter.setText("77"), app.processEvents()))
        table.filter.clear()
        return first, second

    strokes = [keystrokes() for _ in range(3)]
    first_key, next_key = min(s[0] for s in strokes), min(s[1] for s in strokes)

    cbm = np.abs(columns[2].values)
    baseline = best_of(3, lambda: np.argsort(-cbm, kind="stable"))
    rows = len(columns[0].values)
    print(f"table: {rows:,} rows × {len(columns)} columns")
    print(f"baseline, numpy argsort of the £ column: {baseline * 1e3:.1f} ms")
    print(
        f"sort by a £ column (by size): {money_sort * 1e3:.0f} ms "
        f"({money_sort / baseline:.1f} × the baseline; target ≤ 200 ms)"
    )
    print(f"sort by BM unit (text): {unit_sort * 1e3:.0f} ms (target ≤ 200 ms)")
    print(f"filter, first keystroke (makes the row texts): {first_key * 1e3:.0f} ms")
    print(f"filter, next keystroke: {next_key * 1e3:.0f} ms (target ≤ 50 ms)")
