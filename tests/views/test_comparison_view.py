"""The Comparison tab: never a stale verdict (issue 20, item 1) and tables that read as an
analyst needs them (item 5): net Δ next to the frozen party, sorted by size, no £-0.00, only
units that moved, party labels that do not overlap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from PySide6.QtCore import Qt

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.disputes.compare import Comparison
from models.runs.case_store import import_case
from tests.paths import CASES
from tests.views.screens import save_screens
from tests.views.window_driver import LOAD_TIMEOUT_MS, open_database
from views.column_model import SORT_ROLE, format_value
from views.comparison_view import ComparisonView, money, moved_units


@pytest.fixture
def worked_db(tmp_path):
    path = tmp_path / "worked.sqlite"
    with SettlementDatabase.create(path) as db:
        import_case(db, load_case(CASES / "worked_example.json"))
    return path


def settle_down(qtbot, win) -> None:
    qtbot.waitUntil(lambda: win.view is not None and not win.jobs.busy(), timeout=LOAD_TIMEOUT_MS)


def compared(qtbot, win) -> None:
    disputes = win.disputes
    disputes.comparison.current = False
    disputes.comparisons.settle_and_compare()
    qtbot.waitUntil(lambda: disputes.comparison.current, timeout=LOAD_TIMEOUT_MS)
    settle_down(qtbot, win)


def scenario_compared(qtbot, win, db) -> int:
    """`db` open, a scenario with acceptance 2 of T_GEN-1 removed, settled and compared with
    its base (run 1); the scenario's run id."""
    assert win.open_database(str(db))
    settle_down(qtbot, win)
    scenarios = win.disputes.scenarios
    scenarios.create_scenario("acceptance 2 disputed")
    settle_down(qtbot, win)
    scenario = win.view.run.id
    scenarios.edit("remove_acceptance", {"bm_unit": "T_GEN-1", "number": 2}, None, "why")
    settle_down(qtbot, win)
    compared(qtbot, win)
    view = win.disputes.comparison
    assert view.current and "not material" in view.title.text() and view.splitter.isEnabled()
    assert view.charts.isVisible()
    return scenario


def assert_out_of_date(win, reason: str) -> None:
    """The verdict gone, its reason said, the charts hidden and the tables greyed; the
    selection holds the comparison as out of date for that reason."""
    view = win.disputes.comparison
    assert not view.current
    assert view.title.text().startswith(f"Out of date: {reason} — ")
    assert "material" not in view.title.text().lower()
    assert not view.splitter.isEnabled() and not view.charts.isVisible()
    assert win.selection.comparison.out_of_date == reason


def test_a_comparison_goes_out_of_date_on_undo_and_redo(
    qtbot,
    window,
    worked_db,
    tmp_path,
):
    scenario = scenario_compared(qtbot, window, worked_db)
    disputes = window.disputes
    view = disputes.comparison
    stack = disputes.scenarios.stacks[scenario]

    # Undo: the scenario changed, at once (before its reload), and the verdict goes.
    stack.undo()
    assert view.title.text() == (
        "Out of date: the scenario changed since (an edit, undo or redo) — Settle and compare (F6)"
    )
    assert_out_of_date(window, "the scenario changed since (an edit, undo or redo)")
    settle_down(qtbot, window)
    assert not view.current  # the reload does not bring the old verdict back

    # The pack must agree with the view: no pack of a comparison that no longer holds.
    pack = tmp_path / "stale.xlsx"
    disputes.exports.export_comparison(str(pack))
    assert not pack.exists() and "out of date" in window.status.text()

    # Redo is a change too (the inputs are as compared, but the audit moved on): F6 again.
    stack.redo()
    settle_down(qtbot, window)
    assert not view.current
    compared(qtbot, window)
    assert view.current and "not material" in view.title.text()
    save_screens(window, tmp_path, "comparison_current")
    # Up to date again: the pack says what the view says.
    disputes.exports.export_comparison(str(pack))
    qtbot.waitUntil(lambda: pack.exists() and not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS)
    rows = {r[0]: r[1] for r in load_workbook(pack)["Summary"].iter_rows(values_only=True) if r}
    assert rows["Verdict"] == view.comparison.verdict()
    assert f"net total {money(rows['Net total of party deltas £'])}" in view.title.text()

    # The base run shown: one of the two compared, so the comparison still holds.
    window.load_run(1)
    settle_down(qtbot, window)
    assert view.current


def test_a_comparison_goes_out_of_date_when_another_run_is_loaded(
    qtbot,
    window,
    worked_db,
    tmp_path,
):
    scenario = scenario_compared(qtbot, window, worked_db)
    scenarios = window.disputes.scenarios
    window.load_run(1)
    settle_down(qtbot, window)
    scenarios.create_scenario("another idea")  # shown once made
    settle_down(qtbot, window)
    other = window.view.run.id
    assert_out_of_date(window, f"another run (run {other}) is shown since")
    # Loading the compared scenario again does not bring the old verdict back.
    window.load_run(scenario)
    settle_down(qtbot, window)
    assert_out_of_date(window, f"another run (run {other}) is shown since")

    # Compared again, then another run chosen in the Runs panel (loaded, not created).
    compared(qtbot, window)
    assert window.disputes.comparison.current
    window.load_run(other)
    settle_down(qtbot, window)
    assert_out_of_date(window, f"another run (run {other}) is shown since")
    window.tabs.setCurrentWidget(window.disputes.comparison)
    save_screens(window, tmp_path, "comparison_out_of_date")


def test_opening_another_database_puts_the_comparison_out_of_date(
    qtbot,
    window,
    worked_db,
    tmp_path,
):
    assert window.open_database(str(worked_db))
    settle_down(qtbot, window)
    disputes = window.disputes
    disputes.scenarios.create_scenario("s")
    settle_down(qtbot, window)
    scenario = window.view.run.id
    # Two runs compared as they stand (Compare with another run): no F6 to offer.
    disputes.comparison.current = False
    disputes.comparisons.compare(1, scenario)
    qtbot.waitUntil(lambda: disputes.comparison.current, timeout=LOAD_TIMEOUT_MS)
    settle_down(qtbot, window)
    window.load_run(1)
    settle_down(qtbot, window)
    disputes.scenarios.create_scenario("t")
    settle_down(qtbot, window)
    assert disputes.comparison.title.text().endswith(
        "is shown since — compare again (Scenario › Compare with another run…)"
    )
    compared(qtbot, window)
    other = tmp_path / "other.sqlite"
    with SettlementDatabase.create(other) as db:
        import_case(db, load_case(CASES / "worked_example.json"))
    assert open_database(qtbot, window, other)  # same run ids, another database
    assert_out_of_date(window, "another database was opened since")
    settle_down(qtbot, window)
    assert not disputes.comparison.current
    # Nothing of it is exported either.
    pack = tmp_path / "other.xlsx"
    disputes.exports.export_comparison(str(pack))
    assert not pack.exists()
    assert "out of date (another database was opened since)" in window.status.text()


def comparison(parties: dict[str, float], units=None) -> Comparison:
    """A hand-made comparison: net Δ per party (other charges 0), one period."""
    names = list(parties)
    deltas = np.array([parties[n] for n in names])
    frame = {"party": names}
    for charge in ("cbm", "cnd", "caei", "rcrc", "net"):
        delta = deltas if charge in ("cbm", "net") else np.zeros(len(names))
        frame |= {f"{charge}_first": np.zeros(len(names)), f"{charge}_second": delta}
        frame[f"{charge}_delta"] = delta
    period = pd.DataFrame(
        {
            "period": [1],
            **{f"{n}_{w}": [0.0] for n in ("ssp", "sbp", "niv") for w in ("first", "second")},
            **{f"{n}_delta": [0.0] for n in ("ssp", "sbp", "niv")},
            "csobm_delta": [0.0],
            "abs_party_net_delta": [float(np.abs(deltas).sum())],
        }
    )
    party_periods = pd.DataFrame(
        {
            "party": names,
            "period": [1] * len(names),
            "net_first": np.zeros(len(names)),
            "net_second": deltas,
            "net_delta": deltas,
        }
    )
    units = (
        units
        if units is not None
        else pd.DataFrame(
            {"bm_unit": [], "cbm_delta": [], "cnd_delta": [], "qm_delta": [], "periods_moved": []}
        )
    )
    return Comparison(
        "run 1", "run 2", [1], pd.DataFrame(frame), party_periods, period, units, None, 3000.0
    )


def column(table, title: str) -> int:
    return [c.title for c in table.model.columns].index(title)


def shown(table, col: int) -> list[str]:
    proxy = table.proxy
    return [proxy.index(r, col).data() for r in range(proxy.rowCount())]


def test_party_table_net_delta_first_sorted_by_size_no_negative_zero(qtbot, tmp_path):
    view = ComparisonView()
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    c = comparison({"A": 10.0, "B": -250.0, "C": -0.001, "D": 40.0, "E": 200.001})
    view.show_comparison(c, pd.Timestamp("2024-06-12").date())
    titles = [t.title for t in view.parties.model.columns]
    assert titles[:2] == ["party", "net Δ £"]
    # Largest change first, whatever its sign: B (−250), E, D, A, C.
    assert shown(view.parties, 0) == ["B", "E", "D", "A", "C"]
    net = column(view.parties, "net Δ £")
    assert shown(view.parties, net) == ["-250.00", "200.00", "40.00", "10.00", "0.00"]
    # A header click sorts by |Δ| too: descending is the largest first.
    view.parties.view.sortByColumn(net, Qt.SortOrder.DescendingOrder)
    assert shown(view.parties, 0) == ["B", "E", "D", "A", "C"]
    view.parties.view.sortByColumn(net, Qt.SortOrder.AscendingOrder)
    assert shown(view.parties, 0) == ["C", "A", "D", "E", "B"]
    assert view.parties.proxy.index(0, net).data(SORT_ROLE) == pytest.approx(0.001)
    # £-0.00 nowhere: the net total here is −0.000 (hand sum 10 − 250 − 0.001 + 40 + 200.001).
    assert "£-0.00" not in view.title.text() and "net total £0.00" in view.title.text()
    assert "£-0.00" not in c.verdict() and "net total £0.00" in c.verdict()
    assert money(-0.004) == "£0.00" and money(-0.005001) == "£-0.01"
    assert format_value(-0.0004, "mwh") == "0.000" and format_value(-1234.5, "money") == "-1,234.50"


def test_the_party_column_stays_in_view_when_the_table_scrolls(qtbot):
    view = ComparisonView()
    qtbot.addWidget(view)
    view.resize(700, 700)
    view.show()
    view.show_comparison(comparison({"A": 1.0, "B": 2.0}), pd.Timestamp("2024-06-12").date())
    table = view.parties.view
    frozen = view.frozen[0].view
    qtbot.waitExposed(view)
    qtbot.waitUntil(table.isVisible)
    bar = table.horizontalScrollBar()
    assert bar.maximum() > 0  # the table is wider than the window
    bar.setValue(bar.maximum())
    assert table.columnViewportPosition(0) < 0  # the table's own party column scrolled away
    assert frozen.isVisible() and frozen.geometry().left() <= table.frameWidth() + 1
    assert frozen.width() == table.columnWidth(0)
    assert frozen.model().index(0, 0).data() == "B"
    assert all(frozen.isColumnHidden(c) for c in range(1, table.model().columnCount()))
    # Its header sorts the table by party, and the table's header says so.
    frozen.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
    assert table.horizontalHeader().sortIndicatorSection() == 0
    assert [table.model().index(r, 0).data() for r in range(2)] == ["A", "B"]
    table.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # net Δ, largest first
    assert frozen.horizontalHeader().sortIndicatorSection() == 1
    assert frozen.model().index(0, 0).data() == "B"


def test_only_units_that_moved_are_listed(qtbot):
    units = pd.DataFrame(
        {
            "bm_unit": ["U1", "U2", "U3", "U4", "U5"],
            "cbm_delta": [0.0, 0.004, -12.5, 0.0, 0.0],
            "cnd_delta": [0.0, 0.0, 0.0, 0.006, 0.0],
            "qm_delta": [0.0, 0.0004, 0.0, 0.0, -0.0006],
            "periods_moved": [3, 1, 1, 1, 1],  # U1: TLM only, U2: below what shows
        }
    )
    c = comparison({"A": 1.0}, units)
    assert moved_units(c)["bm_unit"].tolist() == ["U3", "U4", "U5"]
    view = ComparisonView()
    qtbot.addWidget(view)
    view.show_comparison(c, pd.Timestamp("2024-06-12").date())
    assert shown(view.units, 0) == ["U3", "U4", "U5"]
    assert view.tables.tabText(2) == "BM units (3)"
    assert "2 more moved only their TLM" in view.tables.tabToolTip(2)


def test_party_chart_labels_never_overlap(qtbot, tmp_path):
    view = ComparisonView()
    qtbot.addWidget(view)
    parties = {f"PARTY{i:02d}": float((-1) ** i * (100 + i)) for i in range(30)}
    view.resize(1024, 640)
    view.show()
    view.show_comparison(comparison(parties), pd.Timestamp("2024-06-12").date())
    qtbot.waitExposed(view)
    for width, height in ((1600, 1000), (1024, 640)):
        view.resize(width, height)
        qtbot.wait(20)
        ticks = view.party_plot.getAxis("left")._tickLevels[0]
        positions = sorted(p for p, _ in ticks)
        rows = view.party_plot.vb.height() / len(positions)
        assert rows >= 18, f"{len(positions)} labels in {view.party_plot.vb.height()} px"
        assert len(positions) <= 20
        assert positions == [-i for i in range(len(positions) - 1, -1, -1)]
    save_screens(view, tmp_path, "comparison_party_chart")


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_no_value_shows_as_a_negative_zero(value):
    for kind, half in (("money", 0.005), ("mwh", 0.0005), ("price", 0.005), ("mw", 0.05)):
        text = format_value(value, kind)
        assert not (text.startswith("-") and not text.strip("-0.,")), text
        assert float(text.replace(",", "")) == pytest.approx(value, abs=half * 1.0001, rel=1e-12)
    assert not money(value).startswith("£-0.00")


def test_the_period_chart_reads_out_and_a_click_selects_the_period(qtbot):
    from PySide6.QtCore import QPointF

    view = ComparisonView()
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    view.show_comparison(comparison({"A": 12.5, "B": -2.5}), pd.Timestamp("2024-06-12").date())
    qtbot.wait(50)
    plot = view.period_plot
    (_, _), (bottom, top) = plot.vb.viewRange()
    where = plot.vb.mapViewToScene(QPointF(1.0, (bottom + top) / 2))
    view.period_crosshair.move_to(where)
    text = view.period_crosshair.label.textItem.toPlainText()
    assert text.startswith("period 1\nΣ|party net Δ| £15.00")  # |12.5| + |−2.5|

    class Click:
        def scenePos(self):
            return where

    with qtbot.waitSignal(view.period_clicked) as clicked:
        view._clicked(Click())
    assert clicked.args == [1]
    view.mark_out_of_date("the scenario changed since")
    view.period_crosshair.move_to(where)
    assert not view.period_crosshair.label.isVisible()  # nothing read out of a stale one


def test_the_party_chart_reads_out_the_party_under_the_pointer(qtbot, tmp_path):
    from PySide6.QtCore import QPointF

    view = ComparisonView()
    qtbot.addWidget(view)
    view.resize(1024, 640)
    view.show()
    view.show_comparison(comparison({"A": 12.5, "B": -2.5}), pd.Timestamp("2024-06-12").date())
    qtbot.wait(50)
    crosshair = view.party_crosshair

    def read_out(x: float, y: float) -> str:
        crosshair.move_to(view.party_plot.vb.mapViewToScene(QPointF(x, y)))
        return crosshair.label.textItem.toPlainText() if crosshair.label.isVisible() else ""

    # Bars across, the largest mover on top (y = 0): A, then B at y = −1.
    assert read_out(5.0, 0.2) == (
        "A\nnet Δ £12.50 (£0.00 → £12.50)\nCBM Δ £12.50, CND Δ £0.00\nCAEI Δ £0.00, RCRC Δ £0.00"
    )
    assert crosshair.line.angle == 0 and crosshair.line.value() == pytest.approx(0.2)
    assert read_out(5.0, -0.8).startswith("B\nnet Δ £-2.50 (£0.00 → £-2.50)\n")
    save_screens(view, tmp_path, "comparison_party_hover")
    # A new comparison redraws the chart: its read-out hidden, then of the new parties.
    view.show_comparison(comparison({"C": 7.0}), pd.Timestamp("2024-06-12").date())
    qtbot.wait(20)
    assert not crosshair.label.isVisible()
    assert read_out(1.0, -1.0) == ""  # one party now: no second row
    assert read_out(1.0, 0.0).startswith("C\nnet Δ £7.00")
    view.mark_out_of_date("the scenario changed since")
    assert read_out(1.0, 0.0) == ""  # nothing read out of a stale comparison
