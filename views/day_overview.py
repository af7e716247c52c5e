"""Day overview: SSP = SBP and NIV across the day's periods, and party charges for the day.

Hovering either chart reads out the period under the pointer (its local time, SSP = SBP,
NIV, and the published figures where imported); a click on either selects that period. The
Party charges end with a pinned totals row (views.totals_row), which balances as R-ACC-CASH says.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from engine.settle import SettlementResult
from engine.settlement_calendar import settlement_period
from models.published.prices import PublishedPrice, price_comparison
from models.runs.stored_check import StoredDifferences
from views.charts import COLOURS, Crosshair, PeriodAxis, show_key, styled_plot
from views.column_model import Column
from views.completeness_banner import CompletenessBanner
from views.data_table import DataTable
from views.steady_title import SteadyTitle
from views.totals_row import TotalsRow
from views.warnings_table import warnings_table


class DayOverview(QWidget):
    period_clicked = Signal(int)
    difference_activated = Signal(str, str)  # kind (party, period, BM unit), its id

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.title = SteadyTitle("Open a database and choose a run.")
        self.price_axis = PeriodAxis(orientation="bottom")
        self.niv_axis = PeriodAxis(orientation="bottom")
        self.charts = pg.GraphicsLayoutWidget()
        self.price_plot = styled_plot(
            self.charts.addPlot(row=0, col=0, axisItems={"bottom": self.price_axis}),
            "SSP = SBP £/MWh",
        )
        self.niv_plot = styled_plot(
            self.charts.addPlot(row=1, col=0, axisItems={"bottom": self.niv_axis}),
            "NIV MWh",
            "settlement period",
        )
        self.niv_plot.setXLink(self.price_plot)
        self.charts.ci.layout.setRowStretchFactor(0, 3)
        self.charts.ci.layout.setRowStretchFactor(1, 2)
        self.price_plot.scene().sigMouseClicked.connect(self._clicked)  # one scene for both
        self._shown: tuple | None = None  # (result, published) the read-outs describe
        self._open_period: tuple[int, str] | None = None  # a live day's open period, marked
        self._open_marks: list = []
        self.crosshairs = [Crosshair(p, self._describe) for p in (self.price_plot, self.niv_plot)]
        self.parties = DataTable("Filter parties…")
        self.party_totals = TotalsRow(self.parties, "parties", notes=self._total_notes)
        self.comparison = DataTable("Filter periods…")
        self.tables = QTabWidget()
        self.tables.addTab(self.parties, "Party charges")
        self.tables.addTab(self.comparison, "Published prices")
        self.tables.setTabToolTip(
            1, "Imported (published) SSP, SBP and NIV against the engine's, per period"
        )
        self.stored = DataTable("Filter differences…")
        self.stored.row_selected.connect(self._difference_selected)
        self._difference_keys: list[tuple[str, str]] = []
        self.tables.addTab(self.stored, "Stored results")
        self.tables.setTabToolTip(
            2,
            "Every value where the engine's results differ from the results stored with the "
            "run; select a row to go to its party, period or BM unit",
        )
        self.warnings = warnings_table([])
        # A warning about a BM unit (unregistered, id disagreement): double-click to go to it.
        self.warnings.value_activated.connect(
            lambda value: self.difference_activated.emit("BM unit", value)
        )
        self.warnings_tab = self.tables.addTab(self.warnings, "Data warnings (none)")
        self.tables.setTabToolTip(
            self.warnings_tab,
            "Quirks of the data the run was imported from, imported anyway: file, line or JSON "
            "path, field, value, what was assumed and the rule (unregistered units, id "
            "disagreements, the register snapshot used); double-click one about a BM unit to go "
            "to it",
        )
        splitter = QSplitter()
        splitter.setOrientation(pg.QtCore.Qt.Orientation.Vertical)
        splitter.addWidget(self.charts)
        splitter.addWidget(self.tables)
        splitter.setSizes([420, 300])
        self.banner = CompletenessBanner()
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.banner)
        layout.addWidget(splitter)

    def show_result(
        self,
        result: SettlementResult,
        label: str,
        published: dict[int, PublishedPrice] | None = None,
        differences: StoredDifferences | None = None,
    ) -> None:
        """Draw a settled day; `differences` (against the stored results) are highlighted."""
        inputs = result.inputs
        periods = np.asarray(inputs.periods)
        period_index = periods - 1
        prices = result.prices
        self._shown = (result, published or {})
        self.price_axis.set_day(inputs.bm.settlement_date)
        self.niv_axis.set_day(inputs.bm.settlement_date)
        self.price_plot.clear()
        self.niv_plot.clear()
        for crosshair in self.crosshairs:  # clear() took their items off: back, hidden
            crosshair.plot.addItem(crosshair.line, ignoreBounds=True)
            crosshair.plot.addItem(crosshair.label, ignoreBounds=True)
            crosshair.reset()
        self._draw_open_period()
        ssp = prices.ssp[period_index]
        # No price at all (a day without BOD): the curve stays, empty, without its symbols,
        # whose bounds pyqtgraph takes with nanmin (a warning on every paint).
        symbol = "o" if np.isfinite(ssp).any() else None
        self.price_plot.plot(
            periods, ssp, pen=pg.mkPen(COLOURS["price"], width=2), symbol=symbol, symbolSize=5
        )
        engine = [(COLOURS["price"], "●", "engine SSP = SBP")]
        show_key(self.price_plot, engine + _published_markers(self.price_plot, published, "ssp"))
        self._show_comparison(result, published or {})
        # The day's periods now, not when auto-range next runs (axes would paint stale labels).
        self.price_plot.setXRange(periods[0] - 0.5, periods[-1] + 0.5, padding=0)
        niv = prices.niv[period_index]
        brushes = [pg.mkBrush(COLOURS["niv_short"] if v > 0 else COLOURS["niv_long"]) for v in niv]
        self.niv_plot.addItem(pg.BarGraphItem(x=periods, height=niv, width=0.7, brushes=brushes))
        sides = [
            (COLOURS["niv_short"], "■", "short (NIV > 0)"),
            (COLOURS["niv_long"], "■", "long (NIV < 0)"),
        ]
        show_key(self.niv_plot, sides + _published_markers(self.niv_plot, published, "niv"))
        metered = bool(result.metered_available[period_index].all())
        total_csobm = np.nansum(result.csobm[period_index]) if metered else None
        # The key facts first: a narrow window leaves out the last (views.steady_title).
        self.title.set_facts(
            label,
            [
                f"CSOBM £{total_csobm:,.2f}"
                if metered
                else "no metered volumes: imbalance not settled",
                _price_range(prices.ssp[period_index]),
                f"{len(periods)} periods",
            ],
        )
        totals = result.parties
        self.parties.set_columns(
            [
                Column("party", list(inputs.parties)),
                Column("CBM £", totals.cbm, "money", "BM unit cashflows, paid to the party"),
                Column("CND £", totals.cnd, "money", "non-delivery charges, paid by the party"),
                Column(
                    "CAEI £", totals.caei, "money", "energy imbalance charges, paid by the party"
                ),
                Column(
                    "RCRC £",
                    totals.rcrc,
                    "money",
                    "residual cashflow reallocation, paid to the party",
                ),
                Column(
                    "net £",
                    totals.net,
                    "money",
                    "CBM − CND − CAEI + RCRC: positive, the party is paid",
                ),
            ],
            highlight=None if differences is None else _party_cells(differences),
            widths={"party": 110},
        )
        self._show_differences(differences, result)

    def mark_open_period(self, period: int | None, text: str = "open") -> None:
        """Mark a live day's open period on both charts (a dashed line, `text` above it); None
        takes the mark off. It stays through the next show_result."""
        self._open_period = None if period is None else (period, text)
        self._draw_open_period()

    def _draw_open_period(self) -> None:
        for plot, mark in self._open_marks:
            plot.removeItem(mark)
        self._open_marks = []
        if self._open_period is None:
            return
        period, text = self._open_period
        pen = pg.mkPen(COLOURS["published"], width=1, style=pg.QtCore.Qt.PenStyle.DashLine)
        # The label hangs from the chart's top, on the side of the line with more of the day:
        # pyqtgraph's own anchors centred it on the point, and at 1024×640 its top half was
        # cut by the chart's edge; late in the day it was cut on the right.
        late = period > len(self._shown[0].inputs.periods) / 2 if self._shown else False
        anchor = (1.0, 0.0) if late else (0.0, 0.0)
        for plot in (self.price_plot, self.niv_plot):
            mark = pg.InfiniteLine(
                pos=period,
                angle=90,
                pen=pen,
                label=f"P{period} {text}" if plot is self.price_plot else None,
                labelOpts={
                    "position": 0.98,
                    "anchors": [anchor, anchor],
                    "color": COLOURS["published"],
                },
            )
            plot.addItem(mark, ignoreBounds=True)
            self._open_marks.append((plot, mark))

    def show_completeness(self, completeness) -> None:
        """The run's completeness (models.runs.completeness.Completeness) as the banner; None
        hides it."""
        self.banner.show_completeness(completeness)

    def show_warnings(self, warnings) -> None:
        """The run's data warnings (models.runs.run_warnings.DataWarning), in their own tab."""
        self.warnings.show_warnings(warnings)
        self.tables.setTabText(
            self.warnings_tab,
            f"Data warnings ({len(warnings):,})" if warnings else "Data warnings (none)",
        )

    def _show_comparison(self, result: SettlementResult, published: dict) -> None:
        periods = list(result.inputs.periods)
        period_index = np.asarray(periods) - 1
        prices = result.prices
        rows = price_comparison(
            published,
            periods,
            prices.ssp[period_index],
            prices.sbp[period_index],
            prices.niv[period_index],
        )
        if not published:
            rows = []
        self.tables.setTabText(
            1,
            "Published prices"
            + (f" ({sum(r['differs'] for r in rows)} differ)" if published else " (none imported)"),
        )

        def column(name: str) -> np.ndarray:
            return np.array([np.nan if r[name] is None else r[name] for r in rows], dtype=float)

        self.comparison.set_columns(
            [
                Column("period", np.array([r["period"] for r in rows]), "int"),
                Column("engine SSP £/MWh", column("engine_ssp"), "price"),
                Column("published SSP £/MWh", column("published_ssp"), "price"),
                Column("Δ SSP", column("ssp_difference"), "price", "engine − published"),
                Column("engine SBP £/MWh", column("engine_sbp"), "price"),
                Column("published SBP £/MWh", column("published_sbp"), "price"),
                Column("Δ SBP", column("sbp_difference"), "price", "engine − published"),
                Column("engine NIV MWh", column("engine_niv"), "mwh"),
                Column("published NIV MWh", column("published_niv"), "mwh"),
                Column("Δ NIV", column("niv_difference"), "mwh", "engine − published"),
            ],
            highlight=np.array([r["differs"] for r in rows], dtype=bool),
        )

    def _show_differences(self, differences: StoredDifferences | None, result) -> None:
        """One row per value that differs: what, where, engine, stored, engine − stored."""
        kinds, keys, values, engine, stored = [], [], [], [], []

        def add(kind: str, ids, names: tuple[str, ...], mask, engine_values, stored_values):
            rows, columns = np.nonzero(mask)
            kinds.extend([kind] * len(rows))
            keys.extend(str(ids[r]) for r in rows)
            values.extend(names[c] for c in columns)
            engine.extend(engine_values[rows, columns])
            stored.extend(stored_values[rows, columns])

        d = differences
        if d is not None and d.settled:
            add(
                "party",
                result.inputs.parties,
                ("CBM £", "CND £", "CAEI £", "RCRC £", "net £"),
                d.party_differs,
                d.party_engine,
                d.party_stored,
            )
            add(
                "period",
                d.periods,
                ("SSP £/MWh", "SBP £/MWh", "NIV MWh"),
                d.period_differs,
                d.period_engine,
                d.period_stored,
            )
            add(
                "BM unit",
                result.inputs.bm.bm_units,
                ("CBM £ day", "CND £ day"),
                d.unit_differs,
                d.unit_engine,
                d.unit_stored,
            )
        self._difference_keys = list(zip(kinds, keys, strict=True))
        if d is None or not d.settled:
            title = "Stored results (none)"
        else:
            title = f"Stored results ({len(kinds):,} differ)" if kinds else "Stored results (agree)"
        self.tables.setTabText(2, title)
        engine_array = np.array(engine, dtype=float)
        stored_array = np.array(stored, dtype=float)
        self.stored.set_columns(
            [
                Column("kind", kinds),
                Column("id", keys),
                Column("value", values),
                Column("engine", engine_array, "value", "re-settled now in the workbench"),
                Column("stored", stored_array, "value", "stored when the run was last settled"),
                Column("engine − stored", engine_array - stored_array, "value"),
            ],
            widths={"kind": 80, "id": 110, "value": 100},
        )

    def _total_notes(self, _columns, totals: dict[str, float]) -> dict[str, str]:
        """What the party totals balance to (R-ACC-CASH): the parties' net is what the system
        operator pays them (CSOBM), their CAEI is handed back as RCRC."""
        if self._shown is None:
            return {}
        result = self._shown[0]
        period_index = np.asarray(result.inputs.periods) - 1
        csobm = float(np.nansum(result.csobm[period_index]))
        rcrc = "RCRC: what the parties pay as CAEI comes back to them (Σ CAEI = Σ RCRC)"
        return {
            "net £": f"Σ net = CSOBM £{csobm:,.2f}, paid by the system operator: with its "
            "−CSOBM the day's cash balances to £0 (R-ACC-CASH)",
            "CAEI £": rcrc,
            "RCRC £": rcrc,
        }

    def _difference_selected(self, row: int) -> None:
        if 0 <= row < len(self._difference_keys):
            self.difference_activated.emit(*self._difference_keys[row])

    def _describe(self, x: float) -> str:
        """The hover read-out of the period nearest the pointer."""
        if self._shown is None:
            return ""
        result, published = self._shown
        period = round(x)
        if period not in result.inputs.periods:
            return ""
        period_index = period - 1
        local = settlement_period(result.inputs.bm.settlement_date, period).local_label
        prices = result.prices
        lines = [
            f"period {period} ({local})",
            f"SSP = SBP {_money_per_mwh(prices.ssp[period_index])}",
            f"NIV {_mwh(prices.niv[period_index])}",
        ]
        figures = published.get(period)
        if figures is not None:
            lines.append(f"published SSP {_money_per_mwh(figures.ssp)}, NIV {_mwh(figures.niv)}")
        return "\n".join(lines)

    def _clicked(self, event) -> None:
        """A click on either chart selects the period under it."""
        position = event.scenePos()
        for plot in (self.price_plot, self.niv_plot):
            if plot.vb.sceneBoundingRect().contains(position):
                self.period_clicked.emit(round(plot.vb.mapSceneToView(position).x()))
                return


def _money_per_mwh(value) -> str:
    if value is None or not np.isfinite(value):
        return "unavailable"
    return f"£{round(float(value), 2) + 0.0:,.2f}/MWh"  # + 0.0: never £-0.00


def _mwh(value) -> str:
    if value is None or not np.isfinite(value):
        return "unavailable"
    return f"{round(float(value), 3) + 0.0:,.3f} MWh"


def _price_range(ssp: np.ndarray) -> str:
    """The day's SSP range over the periods that have a price; never '£nan'."""
    priced = ssp[np.isfinite(ssp)]
    if not len(priced):
        return "SSP unavailable in every period (see the completeness banner)"
    text = f"SSP £{priced.min():,.2f} to £{priced.max():,.2f}"
    if len(priced) < len(ssp):
        text += f" (unavailable in {len(ssp) - len(priced)} period(s))"
    return text


def _party_cells(differences: StoredDifferences) -> np.ndarray:
    """Cells of the party table to highlight: the differing charges, and their party."""
    return np.column_stack([differences.parties_differing, differences.party_differs])


def _published_markers(plot, published: dict | None, field: str) -> list[tuple[str, str, str]]:
    """Published values of the day as crosses over the engine's (where imported); their
    entry in the chart's key, if any."""
    if not published:
        return []
    periods = np.array(sorted(published))
    values = np.array([getattr(published[p], field) for p in periods], dtype=float)  # None: NaN
    if not np.isfinite(values).any():
        return []
    plot.plot(
        periods,
        values,
        pen=None,
        symbol="x",
        symbolSize=9,
        symbolPen=pg.mkPen(COLOURS["published"], width=2),
    )
    return [(COLOURS["published"], "✕", f"published {field.upper()}")]
