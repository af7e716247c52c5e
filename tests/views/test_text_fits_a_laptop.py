"""Issue 20 item 4, text at 1024×640 with the docks shown: the day overview's title keeps its
key facts (the run, CSOBM, the SSP range) whole and leaves out what does not fit, never cut at
the edge; the Inspector's names and values wrap onto the lines their cells need, nothing cut
or elided, and its columns stay resizable. Before, the title was cut ("CSOBM £286,109.1") and
the Inspector's cells were one line each, elided ("volume-weig", "R-PRC-DM…")."""

from __future__ import annotations

import re

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QLabel, QStyle, QTreeWidgetItem

from tests.views.screens import save_screens
from tests.views.window_driver import open_demo

NARROW, WIDE = (1024, 640), (1600, 1000)


def _resize(qtbot, window, size: tuple[int, int]) -> None:
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size)
    qtbot.wait(150)  # the chart rooms and docks arrange after the resize
    QApplication.processEvents()


def _show_a_unit(qtbot, window) -> None:
    """The busiest BM unit at period 30, as a user would pick it: its trace in the Inspector."""
    window.tabs.setCurrentWidget(window.explorer)
    result = window.view.result
    busiest = result.inputs.bm.bm_units[int(result.bm.cashflows.cbm.sum(axis=1).argmax())]
    assert window.explorer.select_unit(busiest)
    window.period.setValue(30)
    qtbot.waitUntil(lambda: window.inspector.trace is not None)
    window.tabs.setCurrentWidget(window.overview)


def _lines(label: QLabel, text: str, width: int) -> int:
    """The lines `text` takes in a label like `label` wrapped at `width` (its padding and a
    rich text's margins taken off: one line of "X" is the unit)."""
    probe = QLabel()
    probe.setStyleSheet(label.styleSheet())
    probe.setWordWrap(True)
    probe.ensurePolished()
    probe.setText("X")
    one = probe.heightForWidth(width)
    probe.setText(text)
    return 1 + round((probe.heightForWidth(width) - one) / probe.fontMetrics().lineSpacing())


def _visible_items(tree) -> list[QTreeWidgetItem]:
    found, item = [], tree.itemAt(5, 5)
    while item is not None and tree.visualItemRect(item).top() < tree.viewport().height():
        found.append(item)
        item = tree.itemBelow(item)
    return found


def _cut_cells(tree) -> list[str]:
    """The shown cells whose text does not fit its cell, wrapped at words: too many lines for
    the row's height, or a word wider than the cell (which Qt elides). The first column's
    cell (visualRect) starts after the branch indentation."""
    margin = tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, tree) + 1
    metrics = tree.fontMetrics()
    cut = []
    for item in _visible_items(tree):
        for column in (0, 1):
            text = item.text(column)
            cell = tree.visualRect(tree.indexFromItem(item, column))
            width = cell.width() - 2 * margin
            bounds = QRect(0, 0, width, 1 << 20)
            needed = metrics.boundingRect(bounds, int(Qt.TextFlag.TextWordWrap), text)
            # Lines break at spaces and after hyphens ("volume-" "weighted").
            words = [w for w in re.split(r"\s+|(?<=-)", text) if w]
            widest = max((metrics.horizontalAdvance(w) for w in words), default=0)
            if needed.height() > cell.height() or widest > width:
                cut.append(f"{text!r} in {cell.width()}×{cell.height()} px")
    return cut


def test_the_title_and_the_inspector_are_read_whole_at_1024_by_640(
    qtbot, window, demo_path, tmp_path
):
    open_demo(qtbot, window, demo_path)
    _show_a_unit(qtbot, window)
    title, inspector = window.overview.title, window.inspector
    _resize(qtbot, window, WIDE)
    assert window.runs_dock.isVisible() and window.inspector_dock.isVisible()
    whole = title.text()
    assert whole.startswith("2024-06-12 II: CSOBM £") and whole.endswith("; 48 periods")
    assert title.label.text() == whole  # room for every fact
    save_screens(window, tmp_path, "text_fits_window")
    _resize(qtbot, window, NARROW)
    assert window.runs_dock.isVisible() and window.inspector_dock.isVisible()
    shown = title.label.text()
    # The shown title fits its box (it ran 12 px past it, cut mid-figure), its key facts
    # first and whole; what it leaves out is said ("…") and in the tooltip.
    assert title.label.sizeHint().width() <= title.width(), (shown, title.width())
    assert shown.startswith("2024-06-12 II: CSOBM £286,109.18; SSP £")
    assert shown.endswith(" …") and title.label.toolTip() == whole
    # The Inspector's title: the traced subject whole, in its two lines.
    head = inspector.title.label
    assert head.text().startswith(f"<b>{inspector.trace.subject}</b>")
    assert _lines(head, head.text(), inspector.title.width()) <= 2
    tree = inspector.tree
    assert tree.topLevelItemCount() > 5 and len(_visible_items(tree)) > 5
    assert _cut_cells(tree) == []
    # Resizable columns: a width the user drags stays when the dock changes, and the rows
    # wrap again to it (a narrower step column: a wider value, in fewer lines).
    _resize(qtbot, window, WIDE)
    assert _cut_cells(tree) == []
    formulas = [i for i in _visible_items(tree) if i.text(0) == "formula"]
    tallest = max(formulas, key=lambda i: tree.visualItemRect(i).height())
    before = tree.visualItemRect(tallest).height()
    tree.header().resizeSection(0, tree.columnWidth(0) - 60)
    QApplication.processEvents()
    dragged = tree.columnWidth(0)
    assert tree.visualItemRect(tallest).height() < before
    assert _cut_cells(tree) == []
    _resize(qtbot, window, NARROW)
    assert tree.columnWidth(0) == dragged


def test_the_bm_unit_title_leaves_out_its_last_facts_not_cuts_them_at_1024_by_640(
    qtbot, window, demo_path, tmp_path
):
    """The BM units view's three-line title: under a real X server, "…lead party INNOGY01,
    P, TL" was cut at the box's edge at 1380 and 1024 px wide. Each line now shows the
    facts it has room for, the unit's name first, and says ("…") when it left some out."""
    open_demo(qtbot, window, demo_path)
    _show_a_unit(qtbot, window)
    window.tabs.setCurrentWidget(window.explorer)
    title = window.explorer.title
    _resize(qtbot, window, WIDE)
    whole = title.text()
    assert whole.count("<br>") == 2 and "lead party " in whole and ", TLF " in whole
    assert title.label.text().split("<br>")[0] == whole.split("<br>")[0]  # the unit whole
    _resize(qtbot, window, NARROW)
    assert window.runs_dock.isVisible() and window.inspector_dock.isVisible()
    shown = title.label.text().split("<br>")
    unit = window.selection.bm_unit
    assert len(shown) == 3 and shown[0].startswith(f"{unit}&nbsp;&nbsp;")
    probe = QLabel()
    probe.setTextFormat(Qt.TextFormat.RichText)
    probe.setStyleSheet(title.label.styleSheet())
    for line in shown:
        probe.setText(line)
        probe.ensurePolished()
        assert probe.sizeHint().width() <= title.width(), (line, title.width())
    assert shown != whole.split("<br>") and any(line.endswith(" …") for line in shown)
    assert title.label.toolTip().startswith(unit)  # the whole title, as text
    save_screens(window, tmp_path, "unit_title")
