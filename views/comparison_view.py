"""Two settlements side by side: materiality, what moved, delta charts and delta tables.

Tables put the party (or unit) first, frozen, then the net Δ; Δ columns sort by size and
the rows come largest change first. Units are listed only when they moved by what shows
(half a penny, half a thousandth of an MWh). A comparison whose inputs changed since is marked
out of date (mark_out_of_date, as the selection it follows says) instead of showing its old
verdict. Both charts read out what is under the pointer (the party chart its row); the Parties
table ends with a pinned totals row (views.totals_row): with the SO listed, net adds to £0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from views.charts import COLOURS, Crosshair, PeriodAxis, styled_plot
from views.column_model import Column, format_value
from views.data_table import DataTable
from views.frozen_column import FrozenFirstColumn
from views.money_axis import money_axis
from views.totals_row import TotalsRow

if TYPE_CHECKING:
    # Comparisons are pandas frames, built in a worker: the launch imports neither.
    from models.disputes.compare import Comparison

TOP_PARTIES = 20
PENNY = 0.005  # half a penny: less shows as £0.00
MWH = 0.0005  # half a thousandth of an MWh: less shows as 0.000
PARTY_ROW_PIXELS = 18  # one party name on the chart's left axis without touching the next
CHARGE_TITLES = (("cbm", "CBM"), ("cnd", "CND"), ("caei", "CAEI"), ("rcrc", "RCRC"))
TITLE_STYLE = "font-weight: bold; padding: 2px;"


def money(value: float) -> str:
    """£ to the penny; a tiny negative is £0.00, never £-0.00."""
    return f"£{format_value(float(value), 'money')}"


class ComparisonView(QWidget):
    period_clicked = Signal(int)  # a click on the period chart, as on the day overview

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.comparison: Comparison | None = None
        self.current = False  # the comparison on show still holds (see mark_out_of_date)
        self._top = None  # the parties charted, largest |net Δ| first
        self._charted: int | None = None  # how many of them the chart shows
        self.title = QLabel(
            "Settle a scenario and compare it with its base (F6), or compare two runs of a date."
        )
        self.title.setWordWrap(True)
        self.title.setStyleSheet(TITLE_STYLE)
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
        # Bars across, one party per row: names on the left axis never overlap as ticks
        # under upright bars did; as many parties as there are rows of room.
        self.party_plot = styled_plot(
            self.charts.addPlot(row=0, col=0, axisItems={"bottom": money_axis("bottom")}),
            "party",
            "net Δ £",
        )
        self.party_plot.showGrid(x=True, y=False, alpha=0.2)
        self.party_plot.getAxis("left").setWidth(90)
        self.party_crosshair = Crosshair(self.party_plot, self._describe_party, across=True)
        self.party_plot.vb.sigResized.connect(self._chart_parties)
        self.period_axis = PeriodAxis(orientation="bottom")
        self.period_plot = styled_plot(
            self.charts.addPlot(
                row=0, col=1, axisItems={"bottom": self.period_axis, "left": money_axis("left")}
            ),
            "Σ |party net Δ| £",
            "settlement period",
        )
        self.period_crosshair = Crosshair(self.period_plot, self._describe_period)
        self.charts.scene().sigMouseClicked.connect(self._clicked)
        self.tables = QTabWidget()
        self.parties = DataTable("Filter parties…")
        self.periods = DataTable("Filter periods…")
        self.units = DataTable("Filter BM units…")
        self.party_periods = DataTable("Filter…")
        self.frozen = [
            FrozenFirstColumn(t.view) for t in (self.parties, self.units, self.party_periods)
        ]
        self.party_totals = TotalsRow(
            self.parties, "parties", frozen_first=True, notes=_total_notes
        )
        for table, name in (
            (self.parties, "Parties"),
            (self.periods, "Periods"),
            (self.units, "BM units"),
            (self.party_periods, "Party × period"),
        ):
            self.tables.addTab(table, name)
        self.splitter = splitter = QSplitter()
        splitter.setOrientation(pg.QtCore.Qt.Orientation.Vertical)
        splitter.addWidget(self.charts)
        splitter.addWidget(self.tables)
        splitter.setSizes([300, 420])
        self._layout.addWidget(splitter)

    def follow(self, selection) -> None:
        """Listen to `selection` (views.selection.Selection): a comparison gone out of date
        is said in place of its verdict; a click on the period chart selects its period."""
        selection.events.comparison.connect(self._comparison_changed)
        self.period_clicked.connect(lambda period: setattr(selection, "period", period))

    def _comparison_changed(self, compared) -> None:
        if compared is not None and compared.out_of_date is not None:
            self.mark_out_of_date(compared.out_of_date, compared.again)

    def mark_out_of_date(self, reason: str, again: str = "Settle and compare (F6)") -> None:
        """What the comparison was computed from changed: say so, instead of its verdict, and
        hide its charts and grey its tables until it is compared again (`again`: how)."""
        self.current = False
        self.title.setText(f"Out of date: {reason} — {again}")
        self.title.setStyleSheet(TITLE_STYLE + " color: #8a6d00;")
        self.title.setToolTip(
            "The verdict, charts and tables below were computed before the change; "
            "F6 settles the scenario and compares it with its base again."
        )
        self.explanation.setText("")
        if self.charts is not None:
            self.splitter.setEnabled(False)
            self.charts.hide()  # a chart does not grey when disabled: no stale bars on show

    def show_comparison(self, c: Comparison, settlement_date) -> None:
        from models.disputes.compare import SYSTEM_OPERATOR

        if self.charts is None:
            self._build()
        self.comparison = c
        self.current = True
        self.splitter.setEnabled(True)
        self.charts.show()
        verdict = "MATERIAL" if c.material else "not material"
        self.title.setText(
            f"{c.second_label} against {c.first_label}: {verdict} (net total "
            f"{money(c.net_total)}; Σ|per-party net Δ| {money(c.absolute_total)}; threshold "
            f"£{c.threshold:,.0f})"
        )
        self.title.setToolTip("")
        self.title.setStyleSheet(TITLE_STYLE + (" color: #b00000;" if c.material else ""))
        self.explanation.setText("\n".join(f"• {line}" for line in c.explanation[:-1]))
        p = c.parties
        trading = p[p["party"] != SYSTEM_OPERATOR]
        moved = trading[trading["net_delta"].abs() > PENNY]
        self._top = moved.reindex(moved["net_delta"].abs().sort_values(ascending=False).index)
        self._charted = None
        self._chart_parties()
        s = c.period_summary
        self.period_axis.set_day(settlement_date)
        self.period_plot.clear()
        self.period_crosshair.restore()  # clear() took its items off: back, hidden
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

    def _chart_parties(self) -> None:
        """The parties that moved most, as many as the chart has rows for, largest on top."""
        top = self._top
        if top is None:
            return
        rows = max(1, int(self.party_plot.vb.height() // PARTY_ROW_PIXELS))
        shown = top.head(min(TOP_PARTIES, rows))
        if self._charted is not None and len(shown) == self._charted:
            return
        self._charted = len(shown)
        self.party_plot.clear()
        self.party_crosshair.restore()
        y = -np.arange(len(shown), dtype=float)  # the largest mover at the top
        deltas = shown["net_delta"].to_numpy(dtype=float)
        brushes = [
            pg.mkBrush(COLOURS["niv_long"] if v >= 0 else COLOURS["niv_short"]) for v in deltas
        ]
        self.party_plot.addItem(
            pg.BarGraphItem(x0=0.0, y=y, width=deltas, height=0.7, brushes=brushes)
        )
        self.party_plot.getAxis("left").setTicks([list(zip(y, shown["party"], strict=True))])
        self.party_plot.setYRange(-max(len(shown), 1) + 0.5, 0.5, padding=0)
        span = float(np.abs(deltas).max()) if len(deltas) else 1.0
        low, high = (
            min(0.0, float(deltas.min(initial=0.0))),
            max(0.0, float(deltas.max(initial=0.0))),
        )
        self.party_plot.setXRange(low - 0.05 * span, high + 0.05 * span, padding=0)
        more = len(top) - len(shown)
        self.party_plot.setLabel(
            "bottom", "net Δ £" + (f" ({more} more in the Parties table)" if more > 0 else "")
        )

    def _describe_party(self, y: float) -> str:
        """The hover read-out of the party bar under the pointer (row i at y = −i)."""
        if self._top is None or not self.current or not self._charted:
            return ""
        row = round(-y)
        if not 0 <= row < self._charted:
            return ""
        r = self._top.iloc[row]
        charges = [f"{t} Δ {money(r[f'{k}_delta'])}" for k, t in CHARGE_TITLES]
        return (
            f"{r['party']}\nnet Δ {money(r['net_delta'])} "
            f"({money(r['net_first'])} → {money(r['net_second'])})\n"
            f"{', '.join(charges[:2])}\n{', '.join(charges[2:])}"  # two a line: half a window
        )

    def _describe_period(self, x: float) -> str:
        """The hover read-out of the period under the pointer."""
        if self.comparison is None or not self.current:
            return ""
        s = self.comparison.period_summary
        row = s[s["period"] == round(x)]
        if not len(row):
            return ""
        r = row.iloc[0]
        return (
            f"period {int(r['period'])}\nΣ|party net Δ| {money(r['abs_party_net_delta'])}\n"
            f"Δ SSP £{format_value(float(r['ssp_delta']), 'price')}/MWh\n"
            f"Δ NIV {format_value(float(r['niv_delta']), 'mwh')} MWh"
        )

    def _clicked(self, event) -> None:
        if self.comparison is None or not self.current:
            return
        if self.period_plot.vb.sceneBoundingRect().contains(event.scenePos()):
            x = self.period_plot.vb.mapSceneToView(event.scenePos()).x()
            if round(x) in set(self.comparison.period_summary["period"]):
                self.period_clicked.emit(round(x))

    def _fill_tables(self, c: Comparison) -> None:
        p = c.parties
        p = p.reindex(p["net_delta"].abs().sort_values(ascending=False, kind="stable").index)
        delta_tip = "after − before; sorts by size"
        columns = [
            Column("party", p["party"].tolist()),
            Column("net Δ £", p["net_delta"].to_numpy(), "money", delta_tip, by_size=True),
        ]
        columns += [
            Column(f"{t} Δ £", p[f"{k}_delta"].to_numpy(), "money", delta_tip, by_size=True)
            for k, t in CHARGE_TITLES
        ]
        for charge, title in (("net", "net"), *CHARGE_TITLES):
            columns += [
                Column(f"{title} before £", p[f"{charge}_first"].to_numpy(), "money"),
                Column(f"{title} after £", p[f"{charge}_second"].to_numpy(), "money"),
            ]
        moved = (p["net_delta"].abs() > PENNY).to_numpy()
        self.parties.set_columns(columns, highlight=moved, widths={"party": 90})
        s = c.period_summary
        self.periods.set_columns(
            [
                Column("period", s["period"].to_numpy(), "int"),
                Column("SSP before", s["ssp_first"].to_numpy(), "price"),
                Column("SSP after", s["ssp_second"].to_numpy(), "price"),
                Column("Δ SSP", s["ssp_delta"].to_numpy(), "price", by_size=True),
                Column("NIV before", s["niv_first"].to_numpy(), "mwh"),
                Column("NIV after", s["niv_second"].to_numpy(), "mwh"),
                Column("Δ NIV", s["niv_delta"].to_numpy(), "mwh", by_size=True),
                Column("Δ CSOBM £", s["csobm_delta"].to_numpy(), "money", by_size=True),
                Column("Σ|party net Δ| £", s["abs_party_net_delta"].to_numpy(), "money"),
            ],
            highlight=(s["abs_party_net_delta"] > PENNY).to_numpy(),
        )
        u = moved_units(c)
        self.units.set_columns(
            [
                Column("BM unit", u["bm_unit"].tolist()),
                Column("CBM Δ £", u["cbm_delta"].to_numpy(), "money", by_size=True),
                Column("CND Δ £", u["cnd_delta"].to_numpy(), "money", by_size=True),
                Column("QM Δ MWh", u["qm_delta"].to_numpy(), "mwh", by_size=True),
                Column("periods moved", u["periods_moved"].to_numpy(), "int"),
            ],
            widths={"BM unit": 110},
        )
        only_losses = len(c.units) - len(u)
        self.tables.setTabText(2, f"BM units ({len(u)})")
        self.tables.setTabToolTip(
            2,
            f"{len(u)} BM units whose CBM, CND or metered volume moved"
            + (
                f"; {only_losses} more moved only their TLM (losses), by less than shows"
                if only_losses
                else ""
            ),
        )
        pp = c.party_periods
        pp = pp.reindex(pp["net_delta"].abs().sort_values(ascending=False, kind="stable").index)
        self.party_periods.set_columns(
            [
                Column("party", pp["party"].tolist()),
                Column("net Δ £", pp["net_delta"].to_numpy(), "money", by_size=True),
                Column("period", pp["period"].to_numpy(), "int"),
                Column("net before £", pp["net_first"].to_numpy(), "money"),
                Column("net after £", pp["net_second"].to_numpy(), "money"),
            ],
            widths={"party": 90},
        )


def _total_notes(_columns, _totals) -> dict[str, str]:
    """The Parties table lists the system operator (SO, net −CSOBM) with the parties: a
    cash-balanced settlement's net, before, after and Δ, adds up to £0 over them all."""
    balanced = "with the system operator's −CSOBM (SO): £0 when the settlement balances"
    return {"net Δ £": balanced, "net before £": balanced, "net after £": balanced}


def moved_units(c: Comparison):
    """The BM units whose day's CBM or CND moved by half a penny or more, or their metered
    volume by half a thousandth of an MWh: what shows as a change at the tables' precision.
    (Losses move every unit's TLM when one metered volume changes; those alone are no move
    here.) Largest |CBM Δ| + |CND Δ| first."""
    u = c.units
    moved = (
        (u["cbm_delta"].abs() > PENNY)
        | (u["cnd_delta"].abs() > PENNY)
        | (u["qm_delta"].abs() > MWH)
    )
    u = u[moved]
    size = u["cbm_delta"].abs() + u["cnd_delta"].abs()
    return u.reindex(size.sort_values(ascending=False, kind="stable").index).reset_index(drop=True)
