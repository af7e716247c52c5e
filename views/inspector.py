"""Calculation inspector: a step trace as a navigable tree.

Each step shows its rule id and status, the formula in words, the named inputs with their
values and sources, and the result. Steps that rest on an assumed rule are shaded, steps whose
result depends on a known gap (rulebook §15, not modelled) are marked red; above the steps,
each known gap and each assumed rule is listed with the traced numbers that depend on it
(select one to go to its step). Clicking an input emits `navigate` with its source ("BOD
T_GEN-1 pair 1 period 27", …) so the window can select that unit and period. Names and
values wrap onto the lines their cells need (a narrow dock at 1024×640 cut them), and the
title keeps the traced subject, leaving out the counts the summary rows repeat if need be.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QMimeData, QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.known_gaps import KNOWN_GAPS, GapUse
from engine.trace import Trace, TraceStep
from views.data_table import take_copy_key
from views.steady_title import SteadyTitle
from views.trace_values import Clock, Shown, kind_of, show

ASSUMED = QBrush(QColor(255, 190, 60, 70))
GAP = QBrush(QColor(230, 70, 70, 60))
SOURCE_ROLE = Qt.ItemDataRole.UserRole + 2
STEP_ROLE = Qt.ItemDataRole.UserRole + 3  # the step (1-based) a summary line points to
COPY_ROLE = Qt.ItemDataRole.UserRole + 4  # the row as copied: (step, rule, status, item, raw,
# unit, from)
COPY_HEADER = ("step", "rule", "status", "item", "value", "unit", "from")
STEP_LEAST = 110  # px: the step column's least width that the dock's width sets


def _result(s: TraceStep, clock: Clock | None = None) -> Shown:
    """A step's result for a person, in the step's unit."""
    return show("result", s.result, kind_of(s.title, s.unit), clock, s.title)


def _cell(value) -> str:
    """A copied cell: numbers in full without separators (a spreadsheet adds them), no tab
    or line break inside (it would split the cell), nothing for a missing value."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value + 0.0) if value == value else ""  # -0.0 + 0.0 is 0.0
    return " ".join(str(value).split())


class TraceTree(QTreeWidget):
    """The steps' tree; Ctrl+C copies the selected rows (QTreeWidget's own copied one cell).
    Its text wraps at words onto as many lines as the column's width needs (WrappingRows)."""

    copy_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)  # drawn wrapped; the rows' heights are WrappingRows'
        self.setUniformRowHeights(False)
        self.setItemDelegate(WrappingRows(self))
        # A narrow step: each level indented less than Qt's 20 px leaves a sub-row's name
        # room for its longest word (a rule id, "replacement") at 1024×640.
        self.setIndentation(14)
        # A column's new width changes how many lines its cells need.
        self.header().sectionResized.connect(lambda *_: self.scheduleDelayedItemsLayout())

    def keyPressEvent(self, event) -> None:
        if not take_copy_key(event, self.copy_requested):
            super().keyPressEvent(event)

    def text_width(self, index: QModelIndex) -> int:
        """The width a cell's text has: its column's, less the branch indentation in the
        first column and the item's margins."""
        width = self.columnWidth(index.column())
        if index.column() == 0:
            depth, parent = 1 if self.rootIsDecorated() else 0, index.parent()
            while parent.isValid():
                depth, parent = depth + 1, parent.parent()
            width -= depth * self.indentation()
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1
        return max(1, width - 2 * margin)


class WrappingRows(QStyledItemDelegate):
    """Row heights for wrapped text: QTreeView measures a cell without its column's width, so
    wrapped text would keep one line and be cut; here each cell is measured at that width."""

    def __init__(self, tree: TraceTree) -> None:
        super().__init__(tree)
        self.tree = tree

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        hint = super().sizeHint(option, index)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not text:
            return hint
        metrics = option.fontMetrics
        bounds = QRect(0, 0, self.tree.text_width(index), 1 << 20)
        flags = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft
        needed = metrics.boundingRect(bounds, int(flags), str(text)).height()
        extra = max(0, hint.height() - metrics.height())  # the style's padding around a line
        return QSize(hint.width(), max(hint.height(), needed + extra))


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
        self.trace: Trace | None = None
        self.clock = Clock()
        self.tree = TraceTree()
        self.tree.setHeaderLabels(["step", "value"])
        self.tree.setColumnWidth(0, 300)
        self.tree.setAlternatingRowColors(True)
        # Long names and values wrap onto more lines of their row rather than being cut at a
        # narrow dock's edge (TraceTree); the tooltips still give the value's UTC time.
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # Ctrl+A
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self._fitting = False
        self._user_width = False  # once the step column is dragged, it keeps its width
        header.sectionResized.connect(self._section_resized)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemClicked.connect(self._activated)
        self.tree.copy_requested.connect(self.copy_selection)
        copy = QAction("Copy selected rows", self.tree)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_selection)
        select_all = QAction("Select all", self.tree)
        select_all.triggered.connect(self.tree.selectAll)
        copy_trace = QAction("Copy trace (a table for a spreadsheet)", self.tree)
        copy_trace.triggered.connect(self.copy_trace)
        self.tree.addActions([copy, select_all, copy_trace])
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.copy_button = QPushButton("Copy trace")
        self.copy_button.setToolTip(
            "The whole trace as a table (step, rule, status, item, value, unit, from) that "
            "pastes into a spreadsheet with numbers as numbers; Ctrl+C copies the selected rows"
        )
        self.copy_button.clicked.connect(self.copy_trace)
        self.copy_button.setEnabled(False)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.title, 1)
        top.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.tree)

    def _section_resized(self, index: int, _old: int, _new: int) -> None:
        if index == 0 and not self._fitting:
            self._user_width = True

    def resizeEvent(self, event) -> None:
        # The step column gives way in a narrow dock (55 %, at most 300 px), so that the
        # values stay in sight, until the user sets its width; both columns wrap their text.
        if not self._user_width:
            self._fitting = True
            width = max(STEP_LEAST, min(300, int(0.55 * self.tree.viewport().width())))
            self.tree.setColumnWidth(0, width)
            self._fitting = False
        super().resizeEvent(event)

    def show_trace(
        self,
        trace: Trace,
        known_gaps: Sequence[GapUse] = (),
        settlement_date: date | None = None,
        period: int | None = None,
    ) -> None:
        """`known_gaps`: the settled day's (SettlementResult.known_gaps), for why each applies;
        `settlement_date` (and `period`, else read from the subject) puts the trace's UTC
        times in local time."""
        if period is None:
            found = re.search(r"period (\d+)", trace.subject)
            period = int(found.group(1)) if found else None
        self.clock = Clock(settlement_date, period)
        self.trace = trace
        self.tree.setUpdatesEnabled(False)
        try:
            self._fill(trace, {use.id: use.reason for use in known_gaps})
        finally:
            self.tree.setUpdatesEnabled(True)
        self.copy_button.setEnabled(True)

    def _fill(self, trace: Trace, reasons: dict[str, str]) -> None:
        self.tree.clear()
        self.step_items: list[QTreeWidgetItem] = []
        assumed = [n for n, s in enumerate(trace.steps, 1) if s.status == "assumed"]
        gapped = [n for n, s in enumerate(trace.steps, 1) if s.gaps]
        # What is traced first; the counts, which the summary rows repeat, give way in a
        # narrow dock (the tooltip has them all).
        self.title.set_facts(
            f"<b>{html.escape(trace.subject)}</b>",
            [
                f"{len(trace.steps)} steps",
                f"{len(assumed)} resting on assumed rules (shaded)",
                *([f"{len(gapped)} on known gaps (red)"] if gapped else []),
            ],
            ", ",
        )
        items = [*self._gap_summary(trace.steps, reasons), *self._assumed_summary(trace.steps)]
        summaries = len(items)
        for number, s in enumerate(trace.steps, 1):
            result = _result(s, self.clock)
            top = QTreeWidgetItem([f"{number}. {s.rule_id} · {s.status}: {s.title}", result.text])
            # The whole title on hover: a narrow dock cuts it off.
            top.setToolTip(0, f"{top.text(0)}\n{s.formula}")
            top.setToolTip(1, result.tooltip or result.text)
            where = (number, s.rule_id, s.status)
            top.setData(0, COPY_ROLE, (*where, s.title, result.raw, result.unit, ""))
            # Both marks show on a step that is both: gap on the left, assumed on the right.
            if s.gaps or s.status == "assumed":
                top.setBackground(0, GAP if s.gaps else ASSUMED)
                top.setBackground(1, ASSUMED if s.status == "assumed" else GAP)
            if s.gaps:
                top.setToolTip(
                    0, f"{top.toolTip(0)}\nknown gaps (not modelled): {', '.join(s.gaps)}"
                )
            self._add_rows(top, result.children, where, "result", "")
            formula = QTreeWidgetItem(["formula", s.formula])
            formula.setToolTip(1, s.formula)
            formula.setData(0, COPY_ROLE, (*where, "formula", s.formula, "", ""))
            top.addChild(formula)
            for i in s.inputs:
                shown = show(i.name, i.value, kind_of(i.name), self.clock)
                child = self._row(shown, where, "", i.source)
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

    def _row(self, shown: Shown, where: tuple, path: str, source: str = "") -> QTreeWidgetItem:
        """A tree row for a shown value (its items as sub-rows, collapsed beyond the first
        level when there are many)."""
        name = f"{path} › {shown.label}" if path else shown.label
        item = QTreeWidgetItem([shown.label, shown.text])
        tip = shown.tooltip or (shown.text if len(shown.text) > 30 else "")
        if source:
            tip = f"{tip}\nfrom: {source}" if tip else f"from: {source}"
        if tip:
            item.setToolTip(1, tip)
        item.setToolTip(0, name)
        item.setData(0, COPY_ROLE, (*where, name, shown.raw, shown.unit, source))
        self._add_rows(item, shown.children, where, name, source)
        return item

    def _add_rows(self, parent, rows: list[Shown], where, path: str, source: str) -> None:
        for shown in rows:
            parent.addChild(self._row(shown, where, path, source))

    # -- copying -------------------------------------------------------------------------

    @staticmethod
    def _copy_row(item: QTreeWidgetItem) -> tuple:
        row = item.data(0, COPY_ROLE)
        return tuple(row) if row else ("", "", "", item.text(0), item.text(1), "", "")

    def _put(self, rows: list[tuple]) -> None:
        """Rows under COPY_HEADER on the clipboard as tab-separated text and an HTML table:
        both paste into a spreadsheet as cells, numbers as numbers."""
        cells = [list(COPY_HEADER)] + [[_cell(v) for v in row] for row in rows]
        mime = QMimeData()
        mime.setText("\n".join("\t".join(r) for r in cells))
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in cells
        )
        mime.setHtml(f"<table>{body}</table>")
        QGuiApplication.clipboard().setMimeData(mime)

    def _all_items(self) -> list[QTreeWidgetItem]:
        found: list[QTreeWidgetItem] = []

        def walk(item: QTreeWidgetItem) -> None:
            found.append(item)
            for i in range(item.childCount()):
                walk(item.child(i))

        for i in range(self.tree.topLevelItemCount()):
            walk(self.tree.topLevelItem(i))
        return found

    def copy_selection(self) -> None:
        """The selected rows (Ctrl+C; Ctrl+A selects them all), in the tree's order."""
        chosen = {id(i) for i in self.tree.selectedItems()}
        rows = [self._copy_row(i) for i in self._all_items() if id(i) in chosen]
        if rows:
            self._put(rows)

    def copy_trace(self) -> None:
        """Every step of the shown trace, with its inputs and their items, as a table."""
        rows = [self._copy_row(i) for i in self._all_items() if i.data(0, COPY_ROLE)]
        if rows:
            self._put(rows)

    def _pointer(self, number: int, s: TraceStep) -> QTreeWidgetItem:
        """A summary line naming a step and its result; selecting it goes to that step."""
        result = _result(s, self.clock)
        item = QTreeWidgetItem([f"→ {number}. {s.rule_id}: {s.title}", result.text])
        item.setToolTip(1, result.tooltip or result.text)
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
            values = ", ".join(_result(steps[n - 1], self.clock).text for n in numbers)
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
