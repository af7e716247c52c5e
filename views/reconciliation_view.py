"""The engine against the SAA's S0142: every difference of a reconciliation, largest £ first.

A summary line counts what was compared, what agreed within tolerance, the unexplained
differences, those a known gap explains and the fields not modelled; the table lists each
difference (filters by level and status, and the table's own text filter), known-gap rows
marked in their status cell with the gap's title on hover. Activating a row (double-click,
Enter) emits `difference_activated` with it, for its step trace. The view is given a
Reconciliation (models/reconcile/s0142.py) and never computes one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from engine.known_gaps import KNOWN_GAPS
from views.column_model import Column, format_value
from views.data_table import DataTable

if TYPE_CHECKING:
    from models.reconcile.s0142 import Difference, Reconciliation

ROW_LIMIT = 100_000  # rows the table holds: the largest £ effects (JSON and Excel have all)
LEVELS = (
    ("All levels", None),
    ("Party (PPC)", "party"),
    ("Energy account (APD)", "account"),
    ("BM unit (BP7)", "bm_unit"),
    ("Bid-offer pair (BO4)", "pair"),
    ("System (SSD)", "system"),
    ("Credited energy (APB)", "account_bm_unit"),
    ("Reallocated energy (MVR)", "bm_unit_mvr"),
)
STATUSES = (
    ("All differences", None),
    ("Unexplained only", "difference"),
    ("Known gaps only", "known gap"),
)
TITLE_STYLE = "font-weight: bold; padding: 2px;"
# What differs, where, and both values within 650 pixels: the tab's width between the
# window's docks at 1600 (the status, level and item follow).
WIDTHS = {
    "£ effect": 85,
    "where": 130,
    "period": 50,
    "field": 95,
    "engine": 95,
    "SAA": 95,
    "difference": 90,
    "status": 80,
    "tolerance": 80,
    "level": 65,
    "IDD item": 65,
    "known gap": 300,
}
IDLE = (
    "Run › Reconcile with S0142… compares the run shown with the SAA's figures it was "
    "imported with (a run imported from an S0142, or a scenario of one)."
)


def _money(value: float) -> str:
    return f"£{format_value(float(value), 'money')}"


def where(key: dict) -> str:
    """A difference's cell in a few characters: "DRAX", "DRAX P", "T_HEYM12", "T_HEYM12 pair
    -1", "T_HEYM12 → DRAX P" (its credited energy to that account), "system"."""
    if "bm_unit_id" in key and "account" in key:
        return f"{key['bm_unit_id']} → {key['party_id']} {key['account']}"
    if "pair" in key:
        return f"{key['bm_unit_id']} pair {key['pair']}"
    if "bm_unit_id" in key:
        return str(key["bm_unit_id"])
    if "account" in key:
        return f"{key['party_id']} {key['account']}"
    return str(key.get("party_id", "system"))


def _gap_note(gap: str) -> str:
    """A known-gap row's tooltip: what each of its gaps leaves out."""
    titles = [f"{g}: {KNOWN_GAPS[g].title}" for g in gap.split(", ") if g in KNOWN_GAPS]
    return "Explained by a known gap (rulebook §15), not counted as a difference. " + "; ".join(
        titles
    )


class ReconciliationView(QWidget):
    difference_activated = Signal(object)  # the Difference of the row
    reconcile_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.reconciliation: Reconciliation | None = None
        self.listed: list[Difference] = []  # the rows held, largest £ effect first
        self.shown: list[Difference] = []  # the rows the level and status filters let through
        self.title = QLabel(IDLE)
        self.title.setWordWrap(True)
        self.title.setStyleSheet(TITLE_STYLE)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.level = QComboBox(toolTip="Level of the S0142 record: party, account, BM unit…")
        self.status = QComboBox(toolTip="Unexplained differences, known gaps, or both")
        for text, _ in LEVELS:
            self.level.addItem(text)
        for text, _ in STATUSES:
            self.status.addItem(text)
        for box in (self.level, self.status):  # narrow: the window's docks need the room
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.setMinimumContentsLength(2)
            box.setMaximumWidth(200)
        self.level.currentIndexChanged.connect(self._refilter)
        self.status.currentIndexChanged.connect(self._refilter)
        self.again = QPushButton("Reconcile again")
        self.again.setEnabled(False)
        self.again.clicked.connect(self.reconcile_requested)
        self.count = QLabel()
        self.count.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        filters = QHBoxLayout()
        filters.addWidget(self.level, 1)  # the room there is, down to a few letters
        filters.addWidget(self.status, 1)
        filters.addWidget(self.count, 1)
        filters.addWidget(self.again)
        self.table = DataTable("Filter differences (party, BM unit, field, gap…)")
        self.table.view.activated.connect(self._activated)  # double-click or Enter
        self.table.view.setToolTip("Double-click or Enter: the step trace of the difference")
        self.not_modelled = DataTable("Filter fields not modelled…")
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 4, 0, 0)
        caption = QLabel("Not modelled by the engine (rulebook §15): not compared")
        caption.setStyleSheet(TITLE_STYLE)
        caption.setWordWrap(True)
        lower_layout.addWidget(caption)
        lower_layout.addWidget(self.not_modelled)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)
        self._fill_table([])

    # what the controller tells it

    def show_busy(self, text: str) -> None:
        self.title.setText(text)
        self.again.setEnabled(False)

    def show_message(self, text: str) -> None:
        """No reconciliation to show (a run without SAA figures, a failure): why."""
        self.reconciliation = None
        self.listed = []
        self.title.setText(text)
        self.summary.setText("")
        self._fill_table([])
        self.not_modelled.set_columns([])
        self.again.setEnabled(True)

    def mark_out_of_date(self, reason: str) -> None:
        if self.reconciliation is not None:
            self.title.setText(
                f"Out of date: {reason}. Reconcile again for the run shown. "
                f"(Shown: {self._title_text(self.reconciliation)})"
            )

    def show_reconciliation(self, rec: Reconciliation, listed: list | None = None) -> None:
        """`listed`: rec.top(ROW_LIMIT), when made already (in a worker)."""
        self.reconciliation = rec
        self.listed = rec.top(ROW_LIMIT) if listed is None else listed
        self.title.setText(self._title_text(rec))
        self.summary.setText(self.summary_text(rec))
        self.again.setEnabled(True)
        self._refilter()
        self._fill_not_modelled(rec)

    # text

    @staticmethod
    def _title_text(rec: Reconciliation) -> str:
        report = rec.report
        return (
            f"Run {rec.run_id} ({rec.run_label}) against {report.get('file_name', 'its S0142')}"
            f" (SAA run {report.get('saa_run_number')}, CDCA run "
            f"{report.get('saa_cdca_run_number')})"
        )

    @staticmethod
    def summary_text(rec: Reconciliation) -> str:
        compared = sum(rec.compared.values())
        fields = [n for n in rec.not_modelled if n.cells]
        parts = [
            f"Compared {compared:,} values in {len(rec.compared)} fields",
            f"equal within tolerance {rec.equal_count:,}",
            f"differences {rec.difference_count:,} ({_money(rec.total_effect_gbp)})",
            f"known gaps {rec.known_gap_count:,} ({_money(rec.known_gap_effect_gbp)})",
            f"not modelled {len(fields)} field(s)",
        ]
        text = " · ".join(parts)
        text += "".join(f". Note: {note}" for note in rec.notes)
        if rec.listed_count > ROW_LIMIT:
            text += f". The table holds the {ROW_LIMIT:,} largest of {rec.listed_count:,}."
        return text

    # the table

    def _refilter(self, _index: int = 0) -> None:
        level = LEVELS[self.level.currentIndex()][1]
        status = STATUSES[self.status.currentIndex()][1]
        rows = [
            d
            for d in self.listed
            if (level is None or d.level == level)
            and (status is None or (d.gap != "") == (status == "known gap"))
        ]
        self._fill_table(rows)

    def _fill_table(self, rows: list[Difference]) -> None:
        self.shown = rows
        key = [d.key for d in rows]

        def number(values) -> np.ndarray:
            return np.array([np.nan if v is None else v for v in values], dtype=float)

        gap = np.array([d.gap != "" for d in rows], dtype=bool)
        notes = [_gap_note(d.gap) if d.gap else "" for d in rows]
        columns = [
            Column("£ effect", np.array([d.effect_gbp for d in rows]), "money",
                   "the difference's effect in £: its own for a £ field; a volume's at the "
                   "period's |SSP|; a price's on Σ|QAEI|; a TLM's on |QM| × |SSP| (red: "
                   "explained by a known gap)", marked=gap, notes=notes),
            Column("where", [where(k) for k in key], "text",
                   "party, energy account (party P/C), BM unit, BM unit and pair, or system"),
            Column("period", np.array([k["period"] for k in key], dtype=np.int64), "id"),
            Column("field", [d.field for d in rows], "text", "the S0142 field"),
            Column("engine", number([d.engine for d in rows]), "value",
                   "the engine's value (n/a: the engine has no such cell)"),
            Column("SAA", number([d.saa for d in rows]), "value",
                   "the SAA's S0142 value (n/a: the S0142 has no such cell)"),
            Column("difference", number([d.difference for d in rows]), "value",
                   "engine − SAA", by_size=True),
            Column("status", ["known gap" if d.gap else "difference" for d in rows], "text",
                   "difference: unexplained; known gap: a gap of the day (rulebook §15) "
                   "changes this cell, so it is not counted", marked=gap, notes=notes),
            Column("tolerance", np.array([d.tolerance for d in rows]), "ratio",
                   "half a unit of the last decimal the SAA's field carries"),
            Column("level", [d.level for d in rows]),
            Column("IDD item", [d.item for d in rows], "text", "the S0142 field's IDD item id"),
            Column("known gap", [d.gap for d in rows], "text",
                   "the known gap(s) of the day that change this cell",
                   notes=notes),
        ]  # fmt: skip
        self.table.set_columns(columns, widths=WIDTHS)
        total = len(self.listed)
        self.count.setText(
            f"{len(rows):,} of {total:,} row(s)" if len(rows) != total else f"{total:,} row(s)"
        )

    def _fill_not_modelled(self, rec: Reconciliation) -> None:
        rows = [n for n in rec.not_modelled if n.cells]
        self.not_modelled.set_columns(
            [
                Column("level", [n.level for n in rows]),
                Column("field", [n.field for n in rows]),
                Column("IDD item", [n.item for n in rows]),
                Column("known gap", [n.gap for n in rows]),
                Column("SAA values", np.array([n.cells for n in rows]), "int"),
                Column("non-zero", np.array([n.nonzero for n in rows]), "int"),
                Column("Σ|value|", np.array([n.total_abs for n in rows], dtype=float), "value"),
            ],
            widths={"field": 230, "known gap": 220},
        )

    def _activated(self, index) -> None:
        if index.isValid():
            row = self.table.proxy.mapToSource(index).row()
            self.difference_activated.emit(self.shown[row])
