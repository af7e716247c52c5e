"""Price stack view: a period's buy and sell stacks, coloured by the stage that tagged items
out, with the replacement and main prices marked; below, the stack with every stage column.

Buy items run right from 0 and sell items left, each stack outwards from its least expensive
item (the cheapest buy, the highest-priced sell), so the most expensive items, which set the
price, are at the outer ends; bar height is the price the stages ranked by. A red outline
marks items still flagged at the second stage, a star the items that set the price (left
untagged, R-PRC-PAR). The price scale frames the prices that matter (views.stack_scale): an
item priced far beyond (a £9,999 offer) is drawn to the edge with its price written there.
Hovering a bar describes its item; clicking it selects its row in the table, and selecting a
row outlines its bar. The key sits above the chart and the price marks on the right axis, so
that nothing covers the bars.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from engine.imbalance_price import TAGGED_BY_NAMES
from models.runs.run_view import RunView
from views.charts import STAGE_COLOURS, styled_plot
from views.column_model import Column
from views.data_table import DataTable
from views.stack_scale import off_scale, stack_frame
from views.steady_title import SteadyTitle

FLAGGED = "#d62728"
SETTER = "#000000"
SELECTED = "#1f3fff"
MAX_EDGE_LABELS = 8  # per edge; more off-scale items are counted in the title


def _money(value: float) -> str:
    return f"£{value:,.2f}" if value >= 0 else f"-£{-value:,.2f}"


class StackView(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.view: RunView | None = None
        self.period = 1
        self.title = SteadyTitle(lines=2)  # the period's prices, then what the chart leaves out
        self.robust = QCheckBox("Robust scale")
        self.robust.setChecked(True)
        self.robust.setToolTip(
            "On: the scale spans the bulk of the stack by volume and the price-setting items; "
            "items priced far beyond are drawn to the edge with their price. Off: every item "
            "to scale."
        )
        self.robust.toggled.connect(lambda _on: self.set_period(self.period))
        self.chart = pg.PlotWidget()
        self.plot = styled_plot(
            self.chart.getPlotItem(), "£/MWh", "MWh (sells to the left, buys to the right)"
        )
        # The key goes above the chart (self.key): a legend inside covered the outer bars,
        # where the price-setting items are.
        if self.plot.legend is not None:
            self.plot.legend.scene().removeItem(self.plot.legend)
            self.plot.legend = None
        self.plot.showAxis("right")
        self.plot.getAxis("right").setWidth(86)  # "repl. -1,234.56"
        self.plot.getAxis("right").setStyle(tickLength=0)
        self.table = DataTable("Filter stack items…")
        self.table.row_selected.connect(self._row_selected)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.chart)
        splitter.addWidget(self.table)
        splitter.setSizes([430, 300])
        # The key above the chart, as a label that wraps: in the chart's title row its text
        # set the chart's least width, and a narrow window cut the chart off.
        self.key = QLabel(self._key_text(), wordWrap=True)
        self.key.setTextFormat(Qt.TextFormat.RichText)
        self.key.setStyleSheet("font-size: 8pt;")
        above = QHBoxLayout()
        above.addWidget(self.key, 1)
        above.addWidget(self.robust, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(above)
        layout.addWidget(splitter)
        # Drawn bars, for hover and click: x extent, drawn top and the item of each.
        self.bar_left = self.bar_right = self.bar_top = np.zeros(0)
        self.bar_item = np.zeros(0, dtype=int)
        self.table_items = np.zeros(0, dtype=int)  # table row → item
        self.selected_item: int | None = None
        self.selection = pg.BarGraphItem(x=[], height=[], width=[], brush=None)
        self.edge_labels: list[pg.TextItem] = []
        self.frame = (0.0, 1.0)
        self.plot.scene().sigMouseMoved.connect(self._hovered)
        self.plot.scene().sigMouseClicked.connect(self._clicked)

    # -- scale ---------------------------------------------------------------------------

    def _frame(
        self, price: np.ndarray, extent: list[float], marks, volume=None, setting=None
    ) -> int:
        """Set the view to the prices that matter (views.stack_scale.stack_frame) and return
        how many items lie beyond it."""
        price = np.asarray(price, dtype=float)
        volume = np.ones(len(price)) if volume is None else volume
        if self.robust.isChecked():
            low, high = stack_frame(price, volume, setting, marks)
        else:
            shown = [*price[np.isfinite(price)], 0.0, *(m for m in marks if np.isfinite(m))]
            span = (max(shown) - min(shown)) or 1.0
            low, high = min(shown) - 0.08 * span, max(shown) + 0.08 * span
        self.frame = (low, high)
        self.plot.setYRange(low, high, padding=0)
        self.plot.setXRange(min(extent), max(extent), padding=0.02)
        return int(off_scale(price, low, high).sum())

    # -- filling -------------------------------------------------------------------------

    def show_run(self, view: RunView) -> None:
        self.view = view
        self.set_period(
            self.period
            if self.period in view.result.inputs.periods
            else view.result.inputs.periods[0]
        )

    def _price_text(self, period: int, ssp: float, source: str) -> str:
        """'SSP = SBP £x (source)', or why the period has none (never '£nan')."""
        if not np.isnan(ssp):
            return f"SSP = SBP £{ssp:,.2f} ({source})"
        completeness = self.view.completeness if self.view is not None else None
        reason = completeness.price_unavailable.get(period) if completeness else None
        return f"SSP = SBP unavailable: {reason or 'no system price'}"

    def set_period(self, period: int) -> None:
        self.period = period
        if self.view is None:
            return
        result = self.view.result
        if period not in result.inputs.periods:
            return
        items, stack, prices = result.items, result.stack, result.prices
        k = period - 1
        rows = np.flatnonzero(items.period == period)
        self.plot.clear()
        self.edge_labels = []
        order, left, right, extent = self._bar_extents(rows)
        fallback = np.nanmax(np.r_[stack.stack_price[rows], 0])
        price = np.nan_to_num(stack.stack_price[order], nan=fallback)
        setting = stack.tagged_by[order] == TAGGED_BY_NAMES.index("")
        main, replacement = prices.main_price[k], prices.replacement_price[k]
        beyond = self._frame(price, extent, (main, replacement), items.volume[order], setting)
        low, high = self.frame
        top = np.clip(price, low, high)
        self.bar_left, self.bar_right, self.bar_top, self.bar_item = left, right, top, order
        x, width = (left + right) / 2, right - left
        self._draw_bars(order, x, width, top)
        self._draw_price_setters(x, top, setting)
        self._edge_labels(x, price, top, off_scale(price, low, high))
        self._price_marks(main, replacement)
        self.plot.addItem(pg.InfiniteLine(0, angle=90, pen=pg.mkPen("#888")))
        self.plot.addItem(self.selection)
        text = self._title_text(period, len(rows), int(setting.sum()), beyond)
        self.title.setText(text)
        self.title.label.setToolTip(text)  # whole, when a narrow window cuts the title
        self._fill_table(rows)
        self.selected_item = None
        self._outline(None)

    def _bar_extents(self, rows: np.ndarray):
        """(items in drawing order, bar left and right edges in MWh, x extent): buys to the
        right of 0 and sells to the left, each from its least expensive item outwards."""
        items, stack = self.view.result.items, self.view.result.stack
        drawn, lefts, rights, extent = [], [], [], [0.0]
        for side in (1, -1):
            mine = rows[items.side[rows] == side]
            mine = mine[np.argsort(-stack.sequence[mine])]
            edges = np.concatenate([[0.0], np.cumsum(np.abs(items.volume[mine]))]) * side
            drawn.append(mine)
            lefts.append(np.minimum(edges[:-1], edges[1:]))
            rights.append(np.maximum(edges[:-1], edges[1:]))
            extent.append(edges[-1])
        order = np.concatenate(drawn).astype(int)
        return order, np.concatenate(lefts), np.concatenate(rights), extent

    def _draw_bars(self, order: np.ndarray, x, width, top) -> None:
        """One bar graph per tagging stage, in its colour; second-stage flagged items outlined
        in red."""
        stack = self.view.result.stack
        for stage, colour in STAGE_COLOURS.items():
            chosen = stack.tagged_by[order] == TAGGED_BY_NAMES.index(stage)
            if not chosen.any():
                continue
            pens = [
                pg.mkPen(FLAGGED, width=2) if f else pg.mkPen("#555", width=0.5)
                for f in stack.second_stage_flag[order][chosen]
            ]
            self.plot.addItem(
                pg.BarGraphItem(
                    x=x[chosen], height=top[chosen], width=width[chosen], brush=colour, pens=pens
                )
            )

    def _draw_price_setters(self, x, top, setting) -> None:
        """A star on each item left untagged, which sets the price (R-PRC-PAR)."""
        if setting.any():
            self.plot.addItem(
                pg.ScatterPlotItem(
                    x=x[setting],
                    y=top[setting],
                    symbol="star",
                    size=15,
                    brush=pg.mkBrush(SETTER),
                    pen=pg.mkPen("w", width=1),
                )
            )

    def _title_text(self, period: int, items: int, setting: int, beyond: int) -> str:
        """The period's prices, NIV and item counts, then what the chart leaves out."""
        prices = self.view.result.prices
        k = period - 1
        niv = prices.niv[k]
        state = "short" if niv > 0 else "long" if niv < 0 else "balanced"
        edge = (
            f"<br>{beyond} item{'s' if beyond != 1 else ''} off the scale: drawn to the edge, "
            "price written there"
            if beyond
            else ""
        )
        return (
            f"Period {period}: {self._price_text(period, prices.ssp[k], prices.price_source[k])}, "
            f"NIV {niv:+,.3f} MWh ({state}), {items} items, "
            f"{setting} setting the price (★)" + edge
        )

    def _edge_labels(self, x, price, top, beyond) -> None:
        """Each item beyond the frame drawn to its edge, its price written there (the most
        extreme ones when there are many). Items of one price share one label (two £9,999
        offers side by side drew two labels on top of each other); labels that would still
        touch are moved a row inwards."""
        low, high = self.frame
        (x_low, x_high), (y_low, y_high) = self.plot.viewRange()
        box = self.plot.vb.boundingRect()
        x_per_pixel = (x_high - x_low) / max(box.width(), 1.0)
        y_per_pixel = (y_high - y_low) / max(box.height(), 1.0)
        for at_top in (True, False):
            chosen = np.flatnonzero(beyond & ((price > high) if at_top else (price < low)))
            chosen = chosen[np.argsort(-np.abs(price[chosen]))]
            texts = [_money(float(price[i])) for i in chosen]
            groups: dict[str, list[int]] = {}
            for i, text in zip(chosen, texts, strict=True):
                groups.setdefault(text, []).append(int(i))
            placed: list[tuple[float, float, int]] = []  # (left, right, row) in pixels
            for text, members in list(groups.items())[:MAX_EDGE_LABELS]:
                where = float(np.mean(x[members]))
                count = f" ({len(members)} items)" if len(members) > 1 else ""
                label = pg.TextItem(
                    ("▲ " if at_top else "▼ ") + text + count,
                    color="#000",
                    fill=pg.mkBrush(255, 255, 220, 230),
                    border=pg.mkPen("#999"),
                    anchor=(self._label_anchor(where, x_low, x_high), 0.0 if at_top else 1.0),
                )
                width = label.boundingRect().width()
                height = label.boundingRect().height()
                left = (where - x_low) / x_per_pixel - label.anchor.x() * width
                row = 0
                while any(
                    r == row and left < right_ and left + width > left_
                    for left_, right_, r in placed
                ):
                    row += 1
                placed.append((left, left + width, row))
                inwards = (-1.0 if at_top else 1.0) * row * (height + 2) * y_per_pixel
                label.setPos(where, float(top[members[0]]) + inwards)
                self.plot.addItem(label, ignoreBounds=True)
                self.edge_labels.append(label)

    @staticmethod
    def _label_anchor(x: float, x_low: float, x_high: float) -> float:
        """Centred on its bar, or leaning inwards at the chart's ends (never cut off)."""
        where = (x - x_low) / ((x_high - x_low) or 1.0)
        return 0.0 if where < 0.15 else 1.0 if where > 0.85 else 0.5

    def _price_marks(self, main: float, replacement: float) -> None:
        """The main and replacement prices as lines, labelled on the right axis."""
        ticks = []
        if not np.isnan(main):
            self.plot.addItem(pg.InfiniteLine(main, angle=0, pen=pg.mkPen("#000", width=2)))
            ticks.append((float(main), f"main {main:,.2f}"))
        if not np.isnan(replacement):
            pen = pg.mkPen("#9467bd", width=2, style=Qt.PenStyle.DashLine)
            self.plot.addItem(pg.InfiniteLine(replacement, angle=0, pen=pen))
            low, high = self.frame
            # Next to the main price, its label would overlap (the lines do too).
            if not (ticks and abs(replacement - main) < 0.05 * (high - low)):
                ticks.append((float(replacement), f"repl. {replacement:,.2f}"))
        axis = self.plot.getAxis("right")
        axis.setTicks([ticks, []])

    @staticmethod
    def _key_text() -> str:
        """The key: every stage colour and mark, the same for every period (a new text
        would re-lay out the window at each period)."""
        entries = [
            (colour, "■", "sets the price" if stage == "" else stage)
            for stage, colour in STAGE_COLOURS.items()
        ]
        entries += [
            (FLAGGED, "□", "2nd-stage flagged"),
            (SETTER, "★", "price-setting item"),
            ("#000", "—", "main"),
            ("#9467bd", "╌", "replacement"),
        ]
        # One entry never breaks across lines; the key wraps between entries.
        return " &nbsp; ".join(
            f'<span style="color:{colour}">{mark}</span>&nbsp;'
            + html.escape(text).replace(" ", "&nbsp;").replace("-", "&#8209;")
            for colour, mark, text in entries
        )

    def _fill_table(self, rows: np.ndarray) -> None:
        result = self.view.result
        items, stack = result.items, result.stack
        order = rows[np.lexsort((stack.sequence[rows], -items.side[rows]))]
        self.table_items = order
        sets = stack.tagged_by[order] == TAGGED_BY_NAMES.index("")
        self.table.set_columns(
            [
                Column("side", np.where(items.side[order] > 0, "buy", "sell").tolist()),
                Column("rank", stack.sequence[order], "int", "1 = most expensive of its side"),
                Column("id", [str(x) for x in items.item_id[order]]),
                Column("sets price", sets, "bool", "left untagged: sets the price (★)", sets),
                Column("acc.", items.acceptance[order], "id", "acceptance number (−1: BSAD)"),
                Column("pair", items.pair[order], "id"),
                Column("SO", items.so_flag[order], "bool"),
                Column("CADL", items.cadl_flag[order], "bool"),
                Column("STOR", items.stor_flag[order], "bool"),
                Column("2nd-stage flag", stack.second_stage_flag[order], "bool"),
                Column("original £", items.price[order], "price"),
                Column("volume", items.volume[order], "mwh"),
                Column("DMAT adj.", stack.dmat_adjusted_volume[order], "mwh"),
                Column("arbitrage adj.", stack.arbitrage_adjusted_volume[order], "mwh"),
                Column("NIV adj.", stack.niv_adjusted_volume[order], "mwh"),
                Column("PAR adj.", stack.par_adjusted_volume[order], "mwh"),
                Column("repriced", stack.repriced[order], "bool"),
                Column("final £", stack.final_price[order], "price"),
                Column("TLM", items.tlm[order], "ratio"),
                Column("TLM adj. volume", stack.tlm_adjusted_volume[order], "mwh"),
                Column("TLM adj. cost £", stack.tlm_adjusted_cost[order], "money"),
                Column("tagged by", [TAGGED_BY_NAMES[t] for t in stack.tagged_by[order]]),
            ],
            widths={
                "side": 45,
                "rank": 50,
                "id": 110,
                "sets price": 75,
                "acc.": 55,
                "pair": 45,
                "SO": 40,
                "CADL": 50,
                "STOR": 50,
            },
        )

    # -- hover, click and selection -----------------------------------------------------

    def item_at(self, x: float, y: float) -> int | None:
        """The item whose bar is under the point (chart coordinates), or None."""
        hit = np.flatnonzero(
            (self.bar_left <= x)
            & (x <= self.bar_right)
            & (np.minimum(self.bar_top, 0) <= y)
            & (y <= np.maximum(self.bar_top, 0))
        )
        return int(self.bar_item[hit[0]]) if len(hit) else None

    def describe(self, item: int) -> str:
        """A bar's tooltip: what the item is and what each stage did to it."""
        result = self.view.result
        items, stack = result.items, result.stack
        flags = [
            name
            for name, on in (
                ("SO", items.so_flag[item]),
                ("CADL", items.cadl_flag[item]),
                ("STOR", items.stor_flag[item]),
                ("second-stage flagged", stack.second_stage_flag[item]),
                ("repriced", stack.repriced[item]),
            )
            if on
        ]
        tagged = TAGGED_BY_NAMES[stack.tagged_by[item]]
        acceptance = int(items.acceptance[item])
        lines = [
            f"<b>{html.escape(str(items.item_id[item]))}</b>: "
            f"{'buy' if items.side[item] > 0 else 'sell'} rank {int(stack.sequence[item])}",
            (f"acceptance {acceptance}" if acceptance >= 0 else "balancing services (BSAD)")
            + f", pair {int(items.pair[item])}",
            f"price {_money(float(items.price[item]))}/MWh → final "
            f"{_money(float(stack.final_price[item]))}/MWh"
            if np.isfinite(stack.final_price[item])
            else f"price {_money(float(items.price[item]))}/MWh",
            "volume MWh: "
            + " → ".join(
                f"{name} {value:,.3f}"
                for name, value in (
                    ("accepted", items.volume[item]),
                    ("DMAT", stack.dmat_adjusted_volume[item]),
                    ("arbitrage", stack.arbitrage_adjusted_volume[item]),
                    ("NIV", stack.niv_adjusted_volume[item]),
                    ("PAR", stack.par_adjusted_volume[item]),
                )
            ),
            f"TLM {float(items.tlm[item]):.6f}",
            "flags: " + (", ".join(flags) if flags else "none"),
            "★ sets the price (left untagged)" if tagged == "" else f"tagged out by {tagged}",
        ]
        low, high = self.frame
        shown = stack.stack_price[item]
        if np.isfinite(shown) and not (low <= shown <= high):
            lines.append(f"priced {_money(float(shown))}/MWh: drawn to the frame's edge")
        return "<br>".join(lines)

    def tooltip_at(self, x: float, y: float) -> str:
        item = self.item_at(x, y)
        return self.describe(item) if item is not None else ""

    def _hovered(self, position) -> None:
        if self.view is None or not self.plot.vb.sceneBoundingRect().contains(position):
            return
        point = self.plot.vb.mapSceneToView(position)
        text = self.tooltip_at(point.x(), point.y())
        if text:
            QToolTip.showText(QCursor.pos() + QPoint(12, 12), text, self.chart)
        else:
            QToolTip.hideText()

    def _clicked(self, event) -> None:
        if self.view is None or event.button() != Qt.MouseButton.LeftButton:
            return
        point = self.plot.vb.mapSceneToView(event.scenePos())
        item = self.item_at(point.x(), point.y())
        if item is not None:
            self.select_item(item)

    def select_item(self, item: int) -> None:
        """Outline the item's bar and select its row in the table."""
        self._outline(item)
        rows = np.flatnonzero(self.table_items == item)
        if len(rows):
            self.table.select_source_row(int(rows[0]))

    def _row_selected(self, row: int) -> None:
        if 0 <= row < len(self.table_items):
            self._outline(int(self.table_items[row]))

    def _outline(self, item: int | None) -> None:
        self.selected_item = item
        hit = np.flatnonzero(self.bar_item == item) if item is not None else []
        if not len(hit):
            self.selection.setOpts(x=[], height=[], width=[])
            return
        i = hit[0]
        self.selection.setOpts(
            x=[(self.bar_left[i] + self.bar_right[i]) / 2],
            height=[self.bar_top[i]],
            width=[self.bar_right[i] - self.bar_left[i]],
            brush=None,
            pen=pg.mkPen(SELECTED, width=3),
        )
