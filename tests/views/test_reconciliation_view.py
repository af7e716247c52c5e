"""The Reconciliation tab (views/reconciliation_view.py): differences ranked by £ effect, known
gaps marked and not counted, filters by level and status, a row opens its difference."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import Qt

from models.reconcile.s0142 import Difference, NotModelled
from tests.views.screens import save_screens
from views.column_model import MARKED
from views.reconciliation_view import ReconciliationView, where

ROWS = [  # hand-made: effects £40.00, £12.50, £0.02; one known gap
    Difference("bm_unit", {"bm_unit_id": "E_FAWN-1", "period": 3}, "qme", "N0173", 100.0,
               99.5, 0.0005, 40.0, "GAP-P376-BASELINING"),
    Difference("account", {"party_id": "DRAX", "account": "P", "period": 7}, "caei", "N0086",
               -1000.0, -1012.5, 0.005, 12.5),
    Difference("party", {"party_id": "EGL", "period": 7}, "cbm", "N0031", 5.0, 5.02, 0.005,
               0.02),
]  # fmt: skip


@dataclass
class Shown:
    """What the view reads of a Reconciliation, with hand-counted numbers."""

    run_id: int = 4
    run_label: str = "2024-06-12 R2"
    report: dict = field(
        default_factory=lambda: {
            "file_name": "S0142_R2.gz",
            "saa_run_number": 5,
            "saa_cdca_run_number": 3,
        }
    )
    compared: dict = field(default_factory=lambda: {"party.cbm": 1000, "bm_unit.qme": 2000})
    equal_count: int = 2997
    difference_count: int = 2
    total_effect_gbp: float = 12.52
    known_gap_count: int = 1
    known_gap_effect_gbp: float = 40.0
    listed_count: int = 3
    notes: list = field(default_factory=list)
    not_modelled: list = field(
        default_factory=lambda: [
            NotModelled("party", "bssc_cost", "N0048", "", 1000, 990, 2345.5),
            NotModelled("party", "rr_cashflow", "N0593", "GAP-RR-CASHFLOWS", 0, 0, 0.0),
        ]
    )

    def top(self, count=None, status=None):
        return ROWS[:count]


@pytest.fixture
def view(qtbot):
    v = ReconciliationView()
    qtbot.addWidget(v)
    v.resize(1400, 800)
    v.show()
    v.show_reconciliation(Shown())
    return v


def _cell(view, row, title):
    table = view.table
    column = [c.title for c in table.model.columns].index(title)
    return table.proxy.index(row, column)


def test_the_summary_counts_and_the_rows_rank_by_pound_effect(view):
    assert view.title.text() == (
        "Run 4 (2024-06-12 R2) against S0142_R2.gz (SAA run 5, CDCA run 3)"
    )
    assert view.summary.text() == (
        "Compared 3,000 values in 2 fields · equal within tolerance 2,997 · differences 2 "
        "(£12.52) · known gaps 1 (£40.00) · not modelled 1 field(s)"
    )
    effects = [_cell(view, r, "£ effect").data() for r in range(3)]
    assert effects == ["40.00", "12.50", "0.02"]
    assert [_cell(view, r, "status").data() for r in range(3)] == [
        "known gap",
        "difference",
        "difference",
    ]
    assert [_cell(view, r, "known gap").data() for r in range(3)] == [
        "GAP-P376-BASELINING",
        "",
        "",
    ]
    assert [_cell(view, r, "where").data() for r in range(3)] == ["E_FAWN-1", "DRAX P", "EGL"]
    assert view.count.text() == "3 row(s)"
    # only the fields the SAA has values for are listed as not modelled
    assert view.not_modelled.model.rowCount() == 1


def test_a_known_gap_row_is_marked_with_the_gap_on_hover(view):
    gap = _cell(view, 0, "status")
    assert gap.data(Qt.ItemDataRole.BackgroundRole) == MARKED
    assert "P376 baselining" in gap.data(Qt.ItemDataRole.ToolTipRole)
    assert _cell(view, 0, "£ effect").data(Qt.ItemDataRole.BackgroundRole) == MARKED
    assert _cell(view, 1, "status").data(Qt.ItemDataRole.BackgroundRole) != MARKED
    assert _cell(view, 1, "£ effect").data(Qt.ItemDataRole.BackgroundRole) != MARKED
    assert _cell(view, 0, "difference").data() == "0.500"  # engine − SAA


def test_where_names_the_cell_in_a_few_characters():
    assert where({"bm_unit_id": "T_HEYM12", "period": 1, "pair": -1}) == "T_HEYM12 pair -1"
    assert where({"period": 5}) == "system"
    credited = {"party_id": "DRAX", "account": "P", "period": 2, "bm_unit_id": "T_DRAXX-1"}
    assert where(credited) == "T_DRAXX-1 → DRAX P"  # APB or MVR: credited to that account


def test_filters_by_level_and_status(view):
    view.status.setCurrentIndex(1)  # unexplained only
    assert [d.field for d in view.shown] == ["caei", "cbm"]
    assert view.count.text() == "2 of 3 row(s)"
    view.level.setCurrentIndex(1)  # party
    assert [d.field for d in view.shown] == ["cbm"]
    view.status.setCurrentIndex(2)  # known gaps only, at party level: none
    assert view.shown == [] and view.table.model.rowCount() == 0
    view.level.setCurrentIndex(0)
    assert [d.field for d in view.shown] == ["qme"]


def test_activating_a_row_emits_its_difference_whatever_the_sort(qtbot, view):
    period = [c.title for c in view.table.model.columns].index("period")
    view.table.view.sortByColumn(period, Qt.SortOrder.AscendingOrder)  # qme (3) comes first
    with qtbot.waitSignal(view.difference_activated) as caught:
        view.table.view.activated.emit(view.table.proxy.index(0, 0))
    assert caught.args[0] is ROWS[0]
    with qtbot.waitSignal(view.difference_activated) as caught:
        view.table.view.activated.emit(view.table.proxy.index(2, 0))
    assert caught.args[0].field in ("caei", "cbm") and caught.args[0].key["period"] == 7


def test_a_message_replaces_the_reconciliation_and_out_of_date_says_so(view):
    view.mark_out_of_date("the run shown has changed since")
    assert view.title.text().startswith("Out of date: the run shown has changed since.")
    view.show_message("run 1 (2024-06-12 SF) holds no SAA figures")
    assert view.title.text() == "run 1 (2024-06-12 SF) holds no SAA figures"
    assert view.table.model.rowCount() == 0 and view.summary.text() == ""


def test_screens(view, tmp_path):
    assert len(save_screens(view, tmp_path, "reconciliation")) == 2
