"""Two settlements side by side: materiality, what moved, delta charts and delta tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from views.charts import COLOURS, PeriodAxis, styled_plot
from views.column_model import Column
from views.data_table import DataTable

if TYPE_CHECKING:
    # Comparisons are pandas frames, built in a worker: the launch imports neither.
    from models.compare import Comparison

TOP_PARTIES = 20


class ComparisonView(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.comparison: Comparison | None = None
        self.title = QLabel(
            "Settle a scenario and compare it with its base (F6), or compare two runs of a date."
        )
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold; padding: 2px;")
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.charts: pg.GraphicsLayoutWidget | None = None  # with the first comparison
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.title)
        self._layout.addWidget(self.explanation)
        self._layout.addStretch()

    def _build(self) -> None:
        """The charts and tables, made for the first comparison: most sessions compare
        nothing, and making them took 30 ms of every launch."""
        self._layout.takeAt(self._layout.count() - 1)  # the stretch
        self.charts = pg.GraphicsLayoutWidget()
        self.party_plot = styled_plot(
            self.charts.addPlot(row=0, col=0), "net Δ £", "party (largest movers)"
        )
        self.period_axis = PeriodAxis(orientation="bottom")
        self.period_plot = styled_plot(
            self.charts.addPlot(row=0, col=1, axisItems={"bottom": self.period_axis}),
            "Σ |party net Δ| £",
            "settlement period",
        )
        self.tables = QTabWidget()
        self.parties = DataTable("Filter parties…")
        self.periods = DataTable("Filter periods…")
        self.units = DataTable("Filter BM units…")
        self.party_periods = DataTable("Filter…")
        for table, name in (
            (self.parties, "Parties"),
            (self.periods, "Periods"),
            (self.units, "BM units"),
            (self.party_periods, "Party × period"),
        ):
            self.tables.addTab(table, name)
        splitter = QSplitter()
        splitter.setOrientation(pg.QtCore.Qt.Orientation.Vertical)
        splitter.addWidget(self.charts)
        splitter.addWidget(self.tables)
        splitter.setSizes([300, 420])
        self._layout.addWidget(splitter)

    def show_comparison(self, c: Comparison, settlement_date) -> None:
        from models.compare import SYSTEM_OPERATOR

        if self.charts is None:
            self._build()
        self.comparison = c
        verdict = "MATERIAL" if c.material else "not material"
        self.title.setText(
            f"{c.second_label} against {c.first_label}: {verdict} (net total "
            f"£{c.net_total:,.2f}; Σ|per-party net Δ| £{c.absolute_total:,.2f}; threshold "
            f"£{c.threshold:,.0f})"
        )
        self.title.setStyleSheet(
            "font-weight: bold; padding: 2px;" + (" color: #b00000;" if c.material else "")
        )
        self.explanation.setText("\n".join(f"• {line}" for line in c.explanation[:-1]))
        p = c.parties
        trading = p[p["party"] != SYSTEM_OPERATOR]
        top = trading.reindex(trading["net_delta"].abs().sort_values(ascending=False).index)
        top = top.head(TOP_PARTIES)
        self.party_plot.clear()
        x = np.arange(len(top))
        deltas = top["net_delta"].to_numpy()
        brushes = [
            pg.mkBrush(COLOURS["niv_long"] if v >= 0 else COLOURS["niv_short"]) for v in deltas
        ]
        self.party_plot.addItem(pg.BarGraphItem(x=x, height=deltas, width=0.7, brushes=brushes))
        self.party_plot.getAxis("bottom").setTicks([list(zip(x, top["party"], strict=True))])
        s = c.period_summary
        self.period_axis.set_day(settlement_date)
        self.period_plot.clear()
        self.period_plot.addItem(
            pg.BarGraphItem(
                x=s["period"].to_numpy(),
                height=s["abs_party_net_delta"].to_numpy(),
                width=0.7,
                brush=pg.mkBrush(COLOURS["price"]),
            )
        )
        self.period_plot.setXRange(s["period"].min() - 0.5, s["period"].max() + 0.5, padding=0)
        self._fill_tables(c)

    def _fill_tables(self, c: Comparison) -> None:
        p = c.parties
        columns = [Column("party", p["party"].tolist())]
        for charge, title in (
            ("cbm", "CBM"),
            ("cnd", "CND"),
            ("caei", "CAEI"),
            ("rcrc", "RCRC"),
            ("net", "net"),
        ):
            columns += [
                Column(f"{title} before £", p[f"{charge}_first"].to_numpy(), "money"),
                Column(f"{title} after £", p[f"{charge}_second"].to_numpy(), "money"),
                Column(f"{title} Δ £", p[f"{charge}_delta"].to_numpy(), "money", "after − before"),
            ]
        moved = (p["net_delta"].abs() > 0.005).to_numpy()
        self.parties.set_columns(columns, highlight=moved, widths={"party": 90})
        s = c.period_summary
        self.periods.set_columns(
            [
                Column("period", s["period"].to_numpy(), "int"),
                Column("SSP before", s["ssp_first"].to_numpy(), "price"),
                Column("SSP after", s["ssp_second"].to_numpy(), "price"),
                Column("Δ SSP", s["ssp_delta"].to_numpy(), "price"),
                Column("NIV before", s["niv_first"].to_numpy(), "mwh"),
                Column("NIV after", s["niv_second"].to_numpy(), "mwh"),
                Column("Δ NIV", s["niv_delta"].to_numpy(), "mwh"),
                Column("Δ CSOBM £", s["csobm_delta"].to_numpy(), "money"),
                Column("Σ|party net Δ| £", s["abs_party_net_delta"].to_numpy(), "money"),
            ],
            highlight=(s["abs_party_net_delta"] > 0.005).to_numpy(),
        )
        u = c.units
        self.units.set_columns(
            [
                Column("BM unit", u["bm_unit"].tolist()),
                Column("CBM Δ £", u["cbm_delta"].to_numpy(), "money"),
                Column("CND Δ £", u["cnd_delta"].to_numpy(), "money"),
                Column("QM Δ MWh", u["qm_delta"].to_numpy(), "mwh"),
                Column("periods moved", u["periods_moved"].to_numpy(), "int"),
            ],
            widths={"BM unit": 110},
        )
        pp = c.party_periods
        self.party_periods.set_columns(
            [
                Column("party", pp["party"].tolist()),
                Column("period", pp["period"].to_numpy(), "int"),
                Column("net before £", pp["net_first"].to_numpy(), "money"),
                Column("net after £", pp["net_second"].to_numpy(), "money"),
                Column("net Δ £", pp["net_delta"].to_numpy(), "money"),
            ],
            widths={"party": 90},
        )
