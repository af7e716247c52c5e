"""Price stack view: a period's buy and sell stacks, coloured by the stage that tagged items
out, with the replacement and main prices marked; below, the stack with every stage column.

Buy items run right from 0 and sell items left, each stack outwards from its least expensive
item (the cheapest buy, the highest-priced sell), so the most expensive items, which set the
price, are at the outer ends; bar height is the price the stages ranked by. A red outline
marks items still flagged at the second stage.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from engine.imbalance_price import TAGGED_BY_NAMES
from models.run_view import RunView
from views.charts import STAGE_COLOURS, styled_plot
from views.column_model import Column
from views.data_table import DataTable
from views.steady_title import SteadyTitle


class StackView(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.view: RunView | None = None
        self.period = 1
        self.title = SteadyTitle(lines=2)  # the period's prices, then what the chart leaves out
        self.chart = pg.PlotWidget()
        self.plot = styled_plot(
            self.chart.getPlotItem(), "£/MWh", "MWh (sells to the left, buys to the right)"
        )
        self.table = DataTable("Filter stack items…")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.chart)
        splitter.addWidget(self.table)
        splitter.setSizes([430, 300])
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(splitter)

    def _frame(self, price: np.ndarray, extent: list[float], marks) -> int:
        """Show the prices that matter: a few items (a £6,000 VoLL reprice, a £-9,999 bid)
        would otherwise flatten the stack into a line. The y range spans the middle 90 % of
        item prices, the main and replacement prices and zero; returns how many items lie
        beyond it."""
        price = price[np.isfinite(price)]
        marks = [m for m in marks if np.isfinite(m)]
        if len(price) >= 20:
            low, high = np.percentile(price, [5, 95])
        elif len(price):
            low, high = price.min(), price.max()
        else:
            low = high = 0.0
        low, high = min(low, 0.0, *marks), max(high, 0.0, *marks)
        span = (high - low) or 1.0
        self.plot.setYRange(low - 0.08 * span, high + 0.08 * span, padding=0)
        self.plot.setXRange(min(extent), max(extent), padding=0.02)
        return int(((price < low) | (price > high)).sum())

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
        drawn_prices, extent = [], [0.0]
        for side in (1, -1):
            mine = rows[items.side[rows] == side]
            # From the cheapest buy (dearest sell) outwards.
            mine = mine[np.argsort(-stack.sequence[mine])]
            width = np.abs(items.volume[mine])
            edges = np.concatenate([[0.0], np.cumsum(width)]) * side
            price = np.nan_to_num(
                stack.stack_price[mine], nan=np.nanmax(np.r_[stack.stack_price[rows], 0])
            )
            drawn_prices.append(price)
            extent.append(edges[-1])
            for stage, colour in STAGE_COLOURS.items():
                code = TAGGED_BY_NAMES.index(stage)
                chosen = stack.tagged_by[mine] == code
                if not chosen.any():
                    continue
                x = (edges[:-1][chosen] + edges[1:][chosen]) / 2
                pens = [
                    pg.mkPen("#d62728", width=2) if f else pg.mkPen("#555", width=0.5)
                    for f in stack.second_stage_flag[mine][chosen]
                ]
                self.plot.addItem(
                    pg.BarGraphItem(
                        x=x, height=price[chosen], width=width[chosen], brush=colour, pens=pens
                    )
                )
        for stage, colour in STAGE_COLOURS.items():
            label = "sets the price (PAR)" if stage == "" else f"tagged out: {stage}"
            self.plot.plot([], [], pen=pg.mkPen(colour, width=8), name=label)
        self.plot.plot([], [], pen=pg.mkPen("#d62728", width=2), name="second-stage flagged")
        main = prices.main_price[k]
        if not np.isnan(main):
            self.plot.addItem(
                pg.InfiniteLine(
                    main,
                    angle=0,
                    pen=pg.mkPen("#000", width=2),
                    label=f"main price £{main:,.2f}",
                    labelOpts={
                        "position": 0.99,
                        "anchors": [(1, 1), (1, 1)],  # right-aligned, above the line
                        "color": "#000",
                        "fill": (255, 255, 255, 210),
                    },
                )
            )
        replacement = prices.replacement_price[k]
        if not np.isnan(replacement):
            self.plot.addItem(
                pg.InfiniteLine(
                    replacement,
                    angle=0,
                    pen=pg.mkPen("#9467bd", style=Qt.PenStyle.DashLine),
                    label=f"replacement £{replacement:,.2f}",
                    labelOpts={
                        "position": 0.99,
                        "anchors": [(1, 0), (1, 0)],  # right-aligned, below the line
                        "color": "#5b3c8c",
                        "fill": (255, 255, 255, 210),
                    },
                )
            )
        self.plot.addItem(pg.InfiniteLine(0, angle=90, pen=pg.mkPen("#888")))
        beyond = self._frame(np.concatenate(drawn_prices), extent, (main, replacement))
        niv = prices.niv[k]
        state = "short" if niv > 0 else "long" if niv < 0 else "balanced"
        self.title.setText(
            f"Period {period}: {self._price_text(period, prices.ssp[k], prices.price_source[k])}, "
            f"NIV {niv:+,.3f} MWh ({state}), {len(rows)} items"
            + (
                f"<br>{beyond} items priced beyond the chart's range (right-click › View All)"
                if beyond
                else ""
            )
        )
        order = rows[np.lexsort((stack.sequence[rows], -items.side[rows]))]
        self.table.set_columns(
            [
                Column("side", np.where(items.side[order] > 0, "buy", "sell").tolist()),
                Column("rank", stack.sequence[order], "int", "1 = most expensive of its side"),
                Column("id", [str(x) for x in items.item_id[order]]),
                Column("acc.", items.acceptance[order], "int", "acceptance number (−1: BSAD)"),
                Column("pair", items.pair[order], "int"),
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
                "acc.": 55,
                "pair": 45,
                "SO": 40,
                "CADL": 50,
                "STOR": 50,
            },
        )
