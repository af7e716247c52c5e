"""pyqtgraph helpers: local-time axes, a crosshair, colours shared by the charts."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsItem

from engine.settlement_calendar import LONDON, settlement_periods

# Light charts by default; the application switches them to dark with a dark system palette.
pg.setConfigOptions(antialias=False, useOpenGL=False, background="w", foreground="#333333")

COLOURS = {
    "fpn": "#1f77b4",
    "metered": "#2ca02c",
    "expected": "#7f7f7f",
    "offer": "#d62728",
    "bid": "#1f9bd6",
    "price": "#ff7f0e",
    "niv_short": "#d62728",
    "niv_long": "#2ca02c",
    "band": "#9467bd",
    "published": "#444444",
}
ACCEPTANCE_COLOURS = ["#e377c2", "#8c564b", "#bcbd22", "#17becf", "#ff9896", "#98df8a", "#c5b0d5"]
# Stack items by the stage that tagged them out ("" = they set the price).
STAGE_COLOURS = {
    "": "#d62728",
    "PAR": "#ffbb78",
    "NIV": "#c7c7c7",
    "arbitrage": "#9edae5",
    "DMAT": "#e7e7e7",
}


LEFT_AXIS_WIDTH = 72  # pixels: "−12,345.6" and the axis title
TICK_LABEL_PIXELS = 45  # room for one "HH:MM" time label and a gap


class LocalTimeAxis(pg.AxisItem):
    """Epoch seconds labelled as Europe/London clock time (settlement periods are local),
    with ticks on whole local hours (half hours when zoomed in)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.enableAutoSIPrefix(False)

    def tickValues(self, minVal, maxVal, size):  # pyqtgraph's name
        span = maxVal - minVal
        if not (0 < span < 40 * 86400):
            return super().tickValues(minVal, maxVal, size)
        hours = span / 3600
        major_step = (
            1800 if hours <= 3 else 3600 if hours <= 8 else 3 * 3600 if hours <= 30 else 6 * 3600
        )
        # A narrow chart (a 1024-pixel window) spaces its labels wider: "HH:MM" needs ~45 px.
        for wider in (3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400):
            if size <= 0 or major_step * size / span >= TICK_LABEL_PIXELS:
                break
            major_step = max(major_step, wider)
        minor_step = major_step / 2 if major_step <= 3600 else 3600
        # Local hours are whole UTC hours plus the offset (0 or 1 hour in GB).
        offset = datetime.fromtimestamp(minVal, UTC).astimezone(LONDON).utcoffset().total_seconds()
        first = ((minVal + offset) // major_step + 1) * major_step - offset
        major = [
            first + i * major_step
            for i in range(int(span // major_step) + 1)
            if first + i * major_step <= maxVal
        ]
        first_minor = ((minVal + offset) // minor_step + 1) * minor_step - offset
        minor = [first_minor + i * minor_step for i in range(int(span // minor_step) + 1)]
        return [
            (major_step, major),
            (minor_step, [m for m in minor if m <= maxVal and m not in major]),
        ]

    def tickStrings(self, values, scale, spacing):  # pyqtgraph's name
        labels = []
        for value in values:
            try:
                local = datetime.fromtimestamp(value, UTC).astimezone(LONDON)
            except (OverflowError, OSError, ValueError):
                labels.append("")
                continue
            labels.append(local.strftime("%H:%M"))
        return labels


class PeriodAxis(pg.AxisItem):
    """Period numbers labelled with the period and its local start time."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.labels: dict[int, str] = {}
        # Period numbers, never scaled: an empty chart's 0–1 range read "(x0.001)".
        self.enableAutoSIPrefix(False)
        # Two lines of text from the first paint: pyqtgraph sizes an axis from the labels it
        # last drew, and drops text that does not fit (so the first paint had none).
        self.setStyle(autoExpandTextSpace=False)
        self.setHeight(40)

    def set_day(self, settlement_date: date) -> None:
        self.labels = {
            p.period: f"{p.period}\n{p.local_label[:5]}"
            for p in settlement_periods(settlement_date)
        }
        self.picture = None  # pyqtgraph caches the painted axis: draw the new labels
        self.update()

    def tickStrings(self, values, scale, spacing):
        return [self.labels.get(round(v), "") if abs(v - round(v)) < 1e-6 else "" for v in values]


def styled_plot(plot: pg.PlotItem, left: str, bottom: str = "") -> pg.PlotItem:
    plot.showGrid(x=True, y=False, alpha=0.2)
    plot.setLabel("left", left)
    if bottom:
        plot.setLabel("bottom", bottom)
    plot.setClipToView(True)
    plot.setDownsampling(mode="peak", auto=True)
    plot.addLegend(offset=(5, 5), labelTextSize="8pt")
    # A fixed width for the value axis: pyqtgraph otherwise widens it to the longest tick
    # label just drawn, so each new unit or period re-laid out and repainted its chart twice.
    plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
    cache_axes(plot)
    return plot


def show_key(plot: pg.PlotItem, entries: list[tuple[str, str, str]]) -> None:
    """A key to the plot's series in its title row, above the data: a legend inside the
    chart covered its first values, at any size of window. `entries`: (colour, mark, text)."""
    key = " &nbsp;&nbsp; ".join(
        f'<span style="color:{colour}">{mark}</span>&nbsp;{html.escape(text)}'
        for colour, mark, text in entries
    )
    plot.setTitle(key, size="8pt", justify="left")


def fit_y(plot: pg.PlotItem, curves, include_zero: bool = False, padding: float = 0.06) -> None:
    """Set the value range to the curves' data now, instead of auto-range: pyqtgraph works
    auto-range out while painting, and the new range then asks for a second paint."""
    parts = [np.asarray(c.yData, dtype=float) for c in curves if c.yData is not None]
    values = np.concatenate(parts) if parts else np.zeros(0)
    values = values[np.isfinite(values)]
    if include_zero:
        values = np.append(values, 0.0)
    if not len(values):
        plot.setYRange(0.0, 1.0, padding=padding)
        return
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-9:
        low, high = low - 1.0, high + 1.0
    plot.setYRange(low, high, padding=padding)


def cache_axes(plot: pg.PlotItem) -> None:
    """Keep each axis (labels and grid) as a pixmap until its range changes: replaying the
    axis pictures was most of the cost of repainting a chart when another unit is chosen."""
    for name in ("left", "bottom", "right", "top"):
        plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


class Crosshair:
    """A vertical line following the mouse with a text of values at that x (the hover
    read-out). Shown only while the mouse is over the plot's data area, the text hung from its
    top on the side of the line with more room; `reset()` hides it when the data change
    (another unit or run), so that no read-out of the last data stays on the new.

    `across`: a chart of bars across, one row per y (a party), reads out the row under the
    pointer: a horizontal line and `describe(y)`, the text beside the pointer on the side
    with more room (a row at the top has room only below it)."""

    def __init__(self, plot: pg.PlotItem, describe, across: bool = False) -> None:
        self.plot = plot
        self.describe = describe
        self.across = across
        self.line = pg.InfiniteLine(
            angle=0 if across else 90,
            movable=False,
            pen=pg.mkPen("#888", style=Qt.PenStyle.DashLine),
        )
        self.label = pg.TextItem(
            anchor=(0, 1), color="#333", fill=pg.mkBrush(255, 255, 255, 240), border="#aaa"
        )
        # Above the data, whatever is drawn after it (bars, curves).
        self.line.setZValue(1000)
        self.label.setZValue(1001)
        plot.addItem(self.line, ignoreBounds=True)
        plot.addItem(self.label, ignoreBounds=True)
        self.reset()
        self.proxy = pg.SignalProxy(plot.scene().sigMouseMoved, rateLimit=30, slot=self._moved)

    def reset(self) -> None:
        self.line.hide()
        self.label.hide()
        self.label.setText("")

    def restore(self) -> None:
        """Back on the plot, hidden, after plot.clear() took the line and text off."""
        for item in (self.line, self.label):
            if item.scene() is None:
                self.plot.addItem(item, ignoreBounds=True)
        self.reset()

    def _moved(self, event) -> None:
        self.move_to(event[0])

    def move_to(self, position) -> None:
        """The read-out at a scene position (the mouse's)."""
        if not self.plot.vb.sceneBoundingRect().contains(position):
            self.reset()  # over another plot of the same scene, or an axis
            return
        point = self.plot.vb.mapSceneToView(position)
        text = self.describe(point.y() if self.across else point.x())
        if not text:
            self.reset()
            return
        (left, right), (bottom, top) = self.plot.vb.viewRange()
        self.label.setText(text)
        if self.across:
            self.label.setAnchor(
                (
                    1 if point.x() > (left + right) / 2 else 0,
                    1 if point.y() < (bottom + top) / 2 else 0,
                )
            )
            self.line.setPos(point.y())
            self.label.setPos(point.x(), point.y())
        else:
            # Hung from the top of the data area (a low chart at 1024×640 has room for its
            # lines only there), on the side of the line with more room.
            self.label.setAnchor((1 if point.x() > (left + right) / 2 else 0, 0))
            self.line.setPos(point.x())
            self.label.setPos(point.x(), top)
        self.line.show()
        self.label.show()
