"""The totals row of the party charges (issue 20: "a totals row on party charges"): the Day
overview's Party charges and the comparison's Parties, pinned under the table whatever the
sort and filter, bold, the column sums in the table's £ format, kept under their columns as
the table scrolls; the day's sums balance as the rulebook's cash balance says (R-ACC-CASH)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.disputes.compare import compare
from models.runs.case_store import import_case
from models.runs.run_view import load_run_view
from tests.paths import CASES
from tests.views.screens import save_screens
from views.column_model import MARKED, Column, format_value
from views.comparison_view import ComparisonView
from views.data_table import DataTable
from views.day_overview import DayOverview
from views.totals_row import TotalsRow

CHARGES = ("CBM £", "CND £", "CAEI £", "RCRC £", "net £")


@pytest.fixture(scope="module")
def demo_runs(demo_path):
    with SettlementDatabase.open(demo_path) as db:
        return load_run_view(db, 1), load_run_view(db, 2)  # the II and SF runs


def overview_of(qtbot, run_view, size=(1024, 640)) -> DayOverview:
    overview = DayOverview()
    qtbot.addWidget(overview)
    overview.resize(*size)
    overview.show()
    overview.show_result(run_view.result, run_view.label, run_view.published_prices)
    qtbot.waitExposed(overview)
    return overview


def footer_texts(totals: TotalsRow) -> list[str]:
    return [totals.model.index(0, c).data() for c in range(totals.model.columnCount())]


def assert_under_the_columns(totals: TotalsRow) -> None:
    """Each total under its column: the same widths and positions as the table's."""
    table = totals.table.view
    QApplication.processEvents()
    assert totals.view.viewport().width() == table.viewport().width()
    for c in range(table.model().columnCount()):
        assert totals.view.columnWidth(c) == table.columnWidth(c)
        assert totals.view.columnViewportPosition(c) == table.columnViewportPosition(c), c


def test_day_overview_party_totals_are_the_column_sums_and_balance(qtbot, demo_runs, tmp_path):
    run_view = demo_runs[0]
    overview = overview_of(qtbot, run_view)
    totals = overview.party_totals
    parties = run_view.result.parties
    sums = {t: float(np.sum(getattr(parties, t.split()[0].lower()))) for t in CHARGES}
    assert totals.totals == pytest.approx(sums, abs=1e-6)
    n = len(run_view.result.inputs.parties)
    assert footer_texts(totals) == [
        f"Total ({n})",
        *(format_value(sums[t], "money") for t in CHARGES),
    ]
    # R-ACC-CASH: what the parties pay as CAEI comes back as RCRC; their net is CSOBM, paid by
    # the system operator (the demo day is metered in every period: nothing n/a).
    assert run_view.result.metered_available.all()
    assert sums["CAEI £"] == pytest.approx(sums["RCRC £"], abs=0.01)
    assert sums["net £"] == pytest.approx(float(np.sum(run_view.result.csobm)), abs=0.01)
    net = [c.title for c in overview.parties.model.columns].index("net £")
    assert "Σ net = CSOBM" in totals.model.index(0, net).data(Qt.ItemDataRole.ToolTipRole)
    # Pinned: bold, under the table's view, and sorting or filtering leave it as it was.
    assert totals.view.font().bold() and totals.view.isVisible()
    assert totals.view.geometry().top() >= overview.parties.view.geometry().bottom()
    before = footer_texts(totals)
    overview.parties.view.sortByColumn(net, Qt.SortOrder.DescendingOrder)
    assert footer_texts(totals) == before
    party = run_view.result.inputs.parties[0]
    overview.parties.filter.setText(party)
    assert overview.parties.proxy.rowCount() < n
    assert footer_texts(totals) == before  # all parties, as its label says
    tip = totals.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == f"the sum over all {n} parties, whatever the filter shows"
    assert totals.view.geometry().top() >= overview.parties.view.geometry().bottom()
    assert_under_the_columns(totals)
    overview.tables.setCurrentWidget(overview.parties)
    for path in save_screens(overview, tmp_path, "day_overview_party_totals"):
        assert path.exists()


def test_worked_example_totals_by_hand(qtbot, tmp_path):
    """Rulebook §12: GEN's T_GEN-1 earns CBM £2,171.83 in period 27; CAEI GEN £123.80, SUP
    £2,314.30 (Σ £2,438.10) handed back as RCRC £1,219.05 each; net GEN £3,267.08, SUP
    −£1,095.25: Σ £2,171.83, the CSOBM."""
    path = tmp_path / "worked.sqlite"
    with SettlementDatabase.create(path) as db:
        import_case(db, load_case(CASES / "worked_example.json"))
    with SettlementDatabase.open(path) as db:
        run_view = load_run_view(db, 1)
    overview = overview_of(qtbot, run_view)
    assert footer_texts(overview.party_totals) == [
        "Total (2)",
        "2,171.83",
        "0.00",
        "2,438.10",
        "2,438.10",
        "2,171.83",
    ]


def test_comparison_party_totals_add_to_zero_and_follow_the_scroll(qtbot, demo_runs, tmp_path):
    first, second = demo_runs
    c = compare(first.result, second.result, first.label, second.label)
    view = ComparisonView()
    qtbot.addWidget(view)
    view.resize(1024, 640)
    view.show()
    view.show_comparison(c, first.result.inputs.bm.settlement_date)
    view.tables.setCurrentWidget(view.parties)
    qtbot.waitExposed(view)
    totals = view.party_totals
    for title in ("net Δ £", "CND Δ £", "net before £", "net after £", "CAEI after £"):
        key = {"net Δ £": "net_delta", "CND Δ £": "cnd_delta"}.get(title)
        if key is None:
            charge, side = title.split()[:2]
            key = f"{charge.lower()}_{'first' if side == 'before' else 'second'}"
        assert totals.totals[title] == pytest.approx(float(np.sum(c.parties[key])), abs=1e-6)
    # With the system operator (SO, −CSOBM) listed, a cash-balanced day's net adds up to £0.
    assert "SO" in list(c.parties["party"])
    for title in ("net Δ £", "net before £", "net after £"):
        assert abs(totals.totals[title]) < 0.005
        assert (
            totals.model.index(0, [x.title for x in totals.model.columns].index(title)).data()
            == "0.00"
        )
    assert totals.totals["CND Δ £"] == pytest.approx(713.77, abs=0.01)  # the SF run's CND moved
    # The table scrolled sideways: each total still under its column, the label in view.
    bar = view.parties.view.horizontalScrollBar()
    QApplication.processEvents()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum())
    assert_under_the_columns(totals)
    assert view.parties.view.columnViewportPosition(0) < 0
    frozen = totals.frozen
    assert frozen.isVisible() and frozen.width() == view.parties.view.columnWidth(0)
    assert frozen.model().index(0, 0).data() == f"Total ({len(c.parties)})"
    view.parties.view.horizontalHeader().resizeSection(1, 200)
    assert_under_the_columns(totals)
    for path in save_screens(view, tmp_path, "comparison_party_totals"):
        assert path.exists()


def test_n_a_values_are_left_out_and_said_and_none_is_n_a(qtbot):
    table = DataTable()
    qtbot.addWidget(table)
    totals = TotalsRow(table, "parties")
    table.set_columns(
        [
            Column("party", ["A", "B", "C"]),
            Column("CBM £", np.array([1.25, np.nan, -0.25]), "money"),
            Column("CAEI £", np.array([np.nan, np.nan, np.nan]), "money"),
            Column("periods", np.array([1, 2, 3]), "int"),  # not a sum anyone reads
        ]
    )
    assert footer_texts(totals) == ["Total (3)", "1.00", "n/a", ""]
    tip = totals.model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == "the sum of the 2 parties with a value; 1 n/a left out"
    assert totals.model.index(0, 1).data(Qt.ItemDataRole.BackgroundRole) == MARKED
    assert totals.model.index(0, 2).data(Qt.ItemDataRole.BackgroundRole) is None
    assert "none of the 3 parties" in totals.model.index(0, 2).data(Qt.ItemDataRole.ToolTipRole)
    # New values of the same rows in place (a live run): the totals follow.
    table.update_columns(
        [
            Column("party", ["A", "B", "C"]),
            Column("CBM £", np.array([1.0, 2.0, 3.0]), "money"),
            Column("CAEI £", np.array([np.nan, 4.0, np.nan]), "money"),
            Column("periods", np.array([1, 2, 3]), "int"),
        ]
    )
    assert footer_texts(totals)[1:3] == ["6.00", "4.00"]


def test_ctrl_c_on_the_totals_copies_them_under_the_titles(qtbot):
    table = DataTable()
    qtbot.addWidget(table)
    totals = TotalsRow(table, "parties")
    table.set_columns(
        [Column("party", ["A", "B"]), Column("net £", np.array([1234.5, 0.25]), "money")]
    )
    table.show()
    totals.view.selectRow(0)
    totals.view.setFocus()
    QApplication.clipboard().clear()
    qtbot.keyClick(totals.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "party\tnet £\nTotal (2)\t1234.75"
