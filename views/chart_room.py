"""Charts first on a short window: the stacked charts above a view's tables keep room for
their data.

At 1024×640 the day overview's price and NIV charts had 43 px of data each, and the BM
unit charts 118 and 74 px: the tables below held their minimum height and the charts took
what was left. A ChartRoom watches the splitter between the charts and the tables:

- the tables give way first: down to their own minimum, so that each chart keeps
  `least` px of data area as the charts are normally arranged;
- when even that is too little, the tables collapse to the splitter's handle (a drag
  brings them back), and come back by themselves, at the height they had, once the window
  has room again;
- when the charts' pane is still short of what their normal arrangement needs, the charts
  share its height equally and only the lowest one labels the time axis (the charts are
  x-linked, so the labels of the others only repeated it).
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QSplitter

LEAST_DATA_HEIGHT = 120  # px: a chart's data area at which its points and bars can be told apart
REDRAW_MS = 100  # the charts' layout and view ranges have settled by then
TITLE_ROW = 30  # px: pyqtgraph's height for a chart's title row, one line of key
KEY_LEAST_WIDTH = 120  # px: narrower, a key would be a word a line
COLLAPSED_TIP = "The tables gave the charts room: drag this handle up to show them"


class ChartRoom(QObject):
    """Keeps the room of `plots` (a column of x-linked charts in `charts`, the lowest last),
    which a splitter holds above the tables."""

    def __init__(
        self, charts: pg.GraphicsLayoutWidget, plots: list, least: int = LEAST_DATA_HEIGHT
    ) -> None:
        splitter = charts.parentWidget()
        if not isinstance(splitter, QSplitter):
            raise TypeError("the charts are not in a splitter")
        super().__init__(splitter)  # lives as long as the splitter
        self.splitter = splitter
        self.charts = charts
        self.plots = plots
        self.least = least
        self.layout = charts.ci.layout
        self.rows = [charts.ci.items[p][0][0] for p in plots]
        self.stretch = [max(1, self.layout.rowStretchFactor(r)) for r in self.rows]
        self.compact = False
        self.normal_chrome: list[float] = []
        self.axis_heights: dict = {}  # the upper charts' time axes' own fixed heights
        self.tables_height: int | None = None  # what the tables had before they collapsed
        self.later = QTimer(self, singleShot=True, interval=0)
        self.later.timeout.connect(self.arrange)
        # A chart given another height kept pieces of its axes' labels drawn where they were
        # (pyqtgraph draws an axis when painted after its resize, with the view's range not
        # yet updated for it): the axes are drawn again once the charts have settled, after
        # a resize or a drag of the splitter (which did the same before the tables gave way).
        self.redraw = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self.redraw.timeout.connect(self._redraw_axes)
        splitter.splitterMoved.connect(lambda *_: self.redraw.start())
        splitter.installEventFilter(self)
        # A key (a chart's title row) is one line of HTML, as wide as its text: the BM unit
        # charts' keys held the charts 570 px wide in a 322 px pane at 1024×640, cutting off
        # the day's second half. Wrapped to the charts' width, on a resize or a new key.
        charts.installEventFilter(self)
        for plot in plots:
            plot.titleLabel.item.document().contentsChanged.connect(self._wrap_keys)
        self._wrap_keys()
        self.arrange()

    # -- what the charts need ------------------------------------------------------------

    def _slack(self) -> int:
        """Px of the charts' widget that no chart has: margins and spacing."""
        _, top, _, bottom = self.layout.getContentsMargins()
        spacing = self.layout.verticalSpacing() * (len(self.plots) - 1)
        return math.ceil(top + bottom + spacing) + 2 * self.charts.frameWidth()

    def _chrome(self, plot) -> float:
        """Px a chart takes besides its data area (title and key, axis and its labels): its
        least height, as the data area's own least is nothing."""
        return plot.effectiveSizeHint(Qt.SizeHint.MinimumSize).height()

    def need(self) -> int:
        """The charts' pane height at which, arranged as normally (their row stretch, each
        one's time labels), every chart has `least` px of data."""
        if not self.compact:  # compact, the upper charts' chrome is less: the last normal one
            self.normal_chrome = [self._chrome(p) for p in self.plots]
        chrome = self.normal_chrome
        total = sum(self.stretch)
        tallest = max(
            (self.least + c) * total / s for c, s in zip(chrome, self.stretch, strict=True)
        )
        return math.ceil(tallest) + self._slack()

    # -- arranging -------------------------------------------------------------------------

    def eventFilter(self, watched, event) -> bool:
        # Arranged once the resize is done with: sizes set while the splitter and the charts
        # were still being resized left pieces of the charts' last drawing on the new.
        if watched is self.splitter and event.type() == QEvent.Type.Resize:
            self.later.start()
        elif watched is self.charts and event.type() == QEvent.Type.Resize:
            self._wrap_keys(event.size().width())
        return False

    def _wrap_keys(self, width: int | None = None) -> None:
        width = self.charts.width() if width is None else width
        for plot in self.plots:
            label = plot.titleLabel
            if not label.isVisible() or width <= 0:
                continue
            left = plot.getAxis("left")
            room = width - self._slack_width() - (left.width() if left.isVisible() else 0)
            document = label.item.document()
            with _quiet(document):
                label.item.setTextWidth(-1)  # its own width, unwrapped
                if label.item.boundingRect().width() > room:
                    label.item.setTextWidth(max(KEY_LEAST_WIDTH, room))
            label.updateMin()
            height = max(TITLE_ROW, math.ceil(label.item.boundingRect().height()))
            label.setMaximumHeight(height)
            plot.layout.setRowFixedHeight(0, height)  # pyqtgraph's title row: 30 px, fixed

    def _slack_width(self) -> int:
        left, _, right, _ = self.layout.getContentsMargins()
        return math.ceil(left + right) + 2 * self.charts.frameWidth() + 10

    def arrange(self, height: int | None = None) -> None:
        splitter = self.splitter
        index = splitter.indexOf(self.charts)
        sizes = splitter.sizes()
        if not splitter.isVisible() or len(sizes) != 2 or sum(sizes) <= 0:
            return  # not laid out yet (its sizes mean nothing), or not charts over tables
        handle = splitter.handleWidth() if splitter.handle(1).isVisible() else 0
        room = (height if height is not None else splitter.height()) - handle
        if room <= 0:
            return
        tables = splitter.widget(1 - index)
        least_tables = max(tables.minimumHeight(), tables.minimumSizeHint().height())
        need = self.need()
        charts_now = sizes[index] * room // sum(sizes)  # as the splitter would share it
        collapsed = sizes[1 - index] == 0
        if room - least_tables < need:
            if not collapsed:
                self.tables_height = sizes[1 - index]
            charts, rest = room, 0  # the tables collapse: the charts have it all
        elif collapsed and self.tables_height is not None:
            rest = max(least_tables, min(self.tables_height, room - need))
            charts = room - rest
            self.tables_height = None
        elif not collapsed and charts_now < need:
            charts, rest = need, room - need
        else:
            charts, rest = None, None
        if charts is not None:
            new = [charts, rest] if index == 0 else [rest, charts]
            splitter.setSizes(new)
        self.redraw.start()
        shown = charts if charts is not None else charts_now
        self._arrange_charts(shown < need)
        splitter.handle(1).setToolTip(COLLAPSED_TIP if rest == 0 else "")

    def _redraw_axes(self) -> None:
        for plot in self.plots:
            for name in ("bottom", "left"):
                axis = plot.getAxis(name)
                axis.picture = None  # pyqtgraph's drawing of it, made again when next painted
                axis.update()

    def show_tables(self) -> None:
        """The tables back at their least height if they collapsed (their filter box asked
        for), the charts left with the rest."""
        index = self.splitter.indexOf(self.charts)
        sizes = self.splitter.sizes()
        if len(sizes) != 2 or sizes[1 - index] > 0:
            return
        tables = self.splitter.widget(1 - index)
        rest = max(tables.minimumHeight(), tables.minimumSizeHint().height())
        charts = max(0, sum(sizes) - rest)
        self.splitter.setSizes([charts, rest] if index == 0 else [rest, charts])
        self.tables_height = None
        self._arrange_charts(charts < self.need())
        self.splitter.handle(1).setToolTip("")
        self.redraw.start()

    def _arrange_charts(self, compact: bool) -> None:
        if compact == self.compact:
            return
        self.compact = compact
        for row, stretch in zip(self.rows, self.stretch, strict=True):
            self.layout.setRowStretchFactor(row, 1 if compact else stretch)
        for plot in self.plots[:-1]:
            axis = plot.getAxis("bottom")
            if compact:
                # An axis sized for its labels (the day overview's two-line periods) keeps
                # that height without them: only its ticks, then, until normal again.
                self.axis_heights[axis] = axis.fixedHeight
                axis.setStyle(showValues=False)
                axis.setHeight(None)
            else:
                axis.setStyle(showValues=True)
                axis.setHeight(self.axis_heights.pop(axis, None))


@contextmanager
def _quiet(document):
    """The key's document re-laid out without telling _wrap_keys, which is doing it."""
    blocked = document.blockSignals(True)
    try:
        yield
    finally:
        document.blockSignals(blocked)
