"""Calculation inspector: a step trace as a navigable tree.

Each step shows its rule id and status, the formula in words, the named inputs with their
values and sources, and the result. Steps that rest on an assumed rule are marked. Clicking
an input emits `navigate` with its source ("BOD T_GEN-1 pair 1 period 27", …) so the window
can select that unit and period.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from engine.trace import Trace
from views.steady_title import SteadyTitle

ASSUMED = QBrush(QColor(255, 190, 60, 70))
SOURCE_ROLE = Qt.ItemDataRole.UserRole + 2


def _short(value, limit: int = 160) -> str:
    # A trace value the engine could not compute (no MIP, no metered volumes) is None.
    text = "unavailable" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Inspector(QWidget):
    navigate = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.title = SteadyTitle(
            "Select a BM unit, account or period to see how its numbers were made.",
            lines=2,
            word_wrap=True,
        )
        self.title.label.setStyleSheet("padding: 2px;")  # bold only where the text says so
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["step", "value"])
        self.tree.setColumnWidth(0, 300)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)  # no per-row size query: refills stay cheap
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemClicked.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.title)
        layout.addWidget(self.tree)

    def show_trace(self, trace: Trace) -> None:
        self.tree.setUpdatesEnabled(False)
        try:
            self._fill(trace)
        finally:
            self.tree.setUpdatesEnabled(True)

    def _fill(self, trace: Trace) -> None:
        self.tree.clear()
        assumed = sum(1 for s in trace.steps if s.status == "assumed")
        self.title.setText(
            f"<b>{trace.subject}</b>: {len(trace.steps)} steps, {assumed} resting on assumed rules "
            "(shaded)"
        )
        items = []
        for number, s in enumerate(trace.steps, 1):
            unit = f" {s.unit}" if s.unit and s.result is not None else ""
            top = QTreeWidgetItem(
                [f"{number}. {s.rule_id} · {s.status}: {s.title}", _short(s.result) + unit]
            )
            top.setToolTip(0, s.formula)
            top.setToolTip(1, str(s.result))
            if s.status == "assumed":
                for column in (0, 1):
                    top.setBackground(column, ASSUMED)
            formula = QTreeWidgetItem(["formula", s.formula])
            formula.setToolTip(1, s.formula)
            top.addChild(formula)
            for i in s.inputs:
                child = QTreeWidgetItem([i.name, _short(i.value)])
                child.setToolTip(1, f"{i.value}\nfrom: {i.source}" if i.source else str(i.value))
                child.setData(0, SOURCE_ROLE, i.source)
                top.addChild(child)
            items.append(top)
        self.tree.addTopLevelItems(items)
        for top in items:
            top.setExpanded(True)

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        source = item.data(0, SOURCE_ROLE)
        if source:
            self.navigate.emit(source)
