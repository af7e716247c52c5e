"""Calculation inspector: a step trace as a navigable tree.

Each step shows its rule id and status, the formula in words, the named inputs with their
values and sources, and the result. Steps that rest on an assumed rule are shaded, steps whose
result depends on a known gap (rulebook §15, not modelled) are marked red; above the steps,
each known gap and each assumed rule is listed with the traced numbers that depend on it
(select one to go to its step). Clicking an input emits `navigate` with its source ("BOD
T_GEN-1 pair 1 period 27", …) so the window can select that unit and period.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from engine.known_gaps import KNOWN_GAPS, GapUse
from engine.trace import Trace, TraceStep
from views.steady_title import SteadyTitle

ASSUMED = QBrush(QColor(255, 190, 60, 70))
GAP = QBrush(QColor(230, 70, 70, 60))
SOURCE_ROLE = Qt.ItemDataRole.UserRole + 2
STEP_ROLE = Qt.ItemDataRole.UserRole + 3  # the step (1-based) a summary line points to


def _short(value, limit: int = 160) -> str:
    # A trace value the engine could not compute (no MIP, no metered volumes) is None.
    text = "unavailable" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _steps_text(uses: dict[str, list[int]]) -> str:
    numbers = sorted({n for ns in uses.values() for n in ns})
    return ("step " if len(numbers) == 1 else "steps ") + ", ".join(str(n) for n in numbers)


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
        self.step_items: list[QTreeWidgetItem] = []  # the shown trace's steps, in order
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

    def resizeEvent(self, event) -> None:
        # The step column gives way in a narrow dock, so that the values stay in sight.
        self.tree.setColumnWidth(0, max(150, min(300, int(0.65 * self.tree.viewport().width()))))
        super().resizeEvent(event)

    def show_trace(self, trace: Trace, known_gaps: Sequence[GapUse] = ()) -> None:
        """`known_gaps`: the settled day's (SettlementResult.known_gaps), for why each applies."""
        self.tree.setUpdatesEnabled(False)
        try:
            self._fill(trace, {use.id: use.reason for use in known_gaps})
        finally:
            self.tree.setUpdatesEnabled(True)

    def _fill(self, trace: Trace, reasons: dict[str, str]) -> None:
        self.tree.clear()
        self.step_items: list[QTreeWidgetItem] = []
        assumed = [n for n, s in enumerate(trace.steps, 1) if s.status == "assumed"]
        gapped = [n for n, s in enumerate(trace.steps, 1) if s.gaps]
        self.title.setText(
            f"<b>{trace.subject}</b>: {len(trace.steps)} steps, {len(assumed)} resting on "
            "assumed rules (shaded)" + (f", {len(gapped)} on known gaps (red)" if gapped else "")
        )
        items = [*self._gap_summary(trace.steps, reasons), *self._assumed_summary(trace.steps)]
        summaries = len(items)
        for number, s in enumerate(trace.steps, 1):
            unit = f" {s.unit}" if s.unit and s.result is not None else ""
            top = QTreeWidgetItem(
                [f"{number}. {s.rule_id} · {s.status}: {s.title}", _short(s.result) + unit]
            )
            top.setToolTip(0, s.formula)
            top.setToolTip(1, str(s.result))
            # Both marks show on a step that is both: gap on the left, assumed on the right.
            if s.gaps or s.status == "assumed":
                top.setBackground(0, GAP if s.gaps else ASSUMED)
                top.setBackground(1, ASSUMED if s.status == "assumed" else GAP)
            if s.gaps:
                top.setToolTip(0, f"{s.formula}\nknown gaps (not modelled): {', '.join(s.gaps)}")
            formula = QTreeWidgetItem(["formula", s.formula])
            formula.setToolTip(1, s.formula)
            top.addChild(formula)
            for i in s.inputs:
                child = QTreeWidgetItem([i.name, _short(i.value)])
                child.setToolTip(1, f"{i.value}\nfrom: {i.source}" if i.source else str(i.value))
                child.setData(0, SOURCE_ROLE, i.source)
                top.addChild(child)
            items.append(top)
            self.step_items.append(top)
        self.tree.addTopLevelItems(items)
        for top in items:
            top.setExpanded(True)
        for top in items[:summaries]:  # one line per gap or assumed rule until opened
            for i in range(top.childCount()):
                top.child(i).setExpanded(False)

    @staticmethod
    def _pointer(number: int, s: TraceStep) -> QTreeWidgetItem:
        """A summary line naming a step and its result; selecting it goes to that step."""
        unit = f" {s.unit}" if s.unit and s.result is not None else ""
        item = QTreeWidgetItem([f"→ {number}. {s.rule_id}: {s.title}", _short(s.result) + unit])
        item.setData(0, STEP_ROLE, number)
        item.setToolTip(0, "Select to go to this step")
        return item

    def _gap_summary(self, steps, reasons: dict[str, str]) -> list[QTreeWidgetItem]:
        """One line per known gap the traced numbers depend on, with those numbers."""
        uses: dict[str, list[int]] = {}
        for number, s in enumerate(steps, 1):
            for gap in s.gaps:
                uses.setdefault(gap, []).append(number)
        if not uses:
            return []
        top = QTreeWidgetItem([f"Known gaps (§15): {len(uses)}", _steps_text(uses)])
        top.setToolTip(
            0,
            "Known gaps (rulebook §15): what the engine does not model; the numbers listed "
            "depend on them",
        )
        for column in (0, 1):
            top.setBackground(column, GAP)
        for gap_id, numbers in uses.items():
            gap = KNOWN_GAPS.get(gap_id)
            title = gap.title if gap else gap_id
            values = ", ".join(
                _short(steps[n - 1].result, 24)
                + (f" {steps[n - 1].unit}" if steps[n - 1].unit else "")
                for n in numbers
            )
            line = QTreeWidgetItem([f"{gap_id}: {title}", values])
            line.setToolTip(0, title)
            details = [("affects", gap.affects), ("S0142", gap.s0142)] if gap else []
            if gap_id in reasons:
                details.append(("on this day", reasons[gap_id]))
            for name, text in details:
                child = QTreeWidgetItem([name, text])
                child.setToolTip(1, text)
                line.addChild(child)
            for n in numbers:
                line.addChild(self._pointer(n, steps[n - 1]))
            top.addChild(line)
        return [top]

    def _assumed_summary(self, steps) -> list[QTreeWidgetItem]:
        """One line per step resting on an assumed rule, with the number it gives."""
        assumed = [(n, s) for n, s in enumerate(steps, 1) if s.status == "assumed"]
        if not assumed:
            return []
        rules = sorted({s.rule_id for _, s in assumed})
        top = QTreeWidgetItem(
            [f"Assumed rules: {len(rules)}", "steps " + ", ".join(str(n) for n, _ in assumed)]
        )
        top.setToolTip(0, "Rules the rulebook marks assumed; the numbers listed rest on them")
        for column in (0, 1):
            top.setBackground(column, ASSUMED)
        for n, s in assumed:
            top.addChild(self._pointer(n, s))
        return [top]

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        number = item.data(0, STEP_ROLE)
        if number:
            step_item = self.step_items[int(number) - 1]
            self.tree.setCurrentItem(step_item)
            self.tree.scrollToItem(step_item, QTreeWidget.ScrollHint.PositionAtTop)
            return
        source = item.data(0, SOURCE_ROLE)
        if source:
            self.navigate.emit(source)
