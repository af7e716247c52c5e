"""The modification impact of a rule variant over a date range (models.impact.report), one run
type at a time: the verdict line, the distribution of price Δ (histogram), £ net Δ per party
(bars across, the largest mover on top), price Δ period by period over the range (time
series), and tables of the worst periods, parties, price-setter changes and failed attempts.
Deltas are variant − base. Each chart reads out what is under the pointer, and a click on the
time series selects its period (period_clicked). The view is given a report; running one is
the controller's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.settlement_calendar import settlement_period
from views.charts import COLOURS, Crosshair, styled_plot
from views.column_model import Column
from views.data_table import DataTable
from views.money_axis import money_axis
from views.totals_row import TotalsRow

if TYPE_CHECKING:
    from models.impact.report import ImpactReport

TOP_PARTIES = 20
PARTY_ROW_PIXELS = 18  # one party name on the left axis without touching the next
TITLE_STYLE = "font-weight: bold; padding: 2px;"
CHARGE_TITLES = (("net", "net"), ("cbm", "CBM"), ("cnd", "CND"), ("caei", "CAEI"), ("rcrc", "RCRC"))
WIDTHS = {"date": 95, "setter base": 210, "setter variant": 210, "error": 600}
DELTA_TIP = "variant − base; sorts by size"
LABEL_OVERHANG = 50  # pixels: half a "2024-06-12" label, and some


class DateAxis(pg.AxisItem):
    """The time series' x axis: position i is the i-th settled period of the range; ticks at
    the first period of a date are labelled with the date."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.starts: dict[int, str] = {}
        # Room for the date labels from the first paint: pyqtgraph sizes an axis from the
        # labels it last drew and drops text that does not fit, so a report shown once had
        # no dates under its time series (the day overview's PeriodAxis does the same).
        self.setStyle(autoExpandTextSpace=False)
        self.setHeight(30)

    def boundingRect(self):  # pyqtgraph's name
        """Wider than the axis by a label's half width: the first date's label, centred on
        the first period at the chart's left edge, reaches into the value axis's room, and
        pyqtgraph drops a label its axis does not hold (with the grid on, whatever the
        style's hideOverlappingLabels says)."""
        return super().boundingRect().adjusted(-LABEL_OVERHANG, 0, LABEL_OVERHANG, 0)

    def set_starts(self, starts: dict[int, str]) -> None:
        self.starts = starts
        self.picture = None
        self.update()

    def tickValues(self, minVal, maxVal, size):
        inside = [i for i in self.starts if minVal <= i <= maxVal]
        room = max(1, int(size // 80))  # a date label needs ~80 px
        step = max(1, -(-len(inside) // room))
        return [(1.0, inside[::step])]

    def tickStrings(self, values, scale, spacing):
        return [self.starts.get(round(v), "") for v in values]


class ImpactView(QWidget):
    export_requested = Signal()  # Export to Excel… pressed
    # A click on the time series: (settlement date, period), as a click on the day
    # overview selects the period (the Impact room follows it when that date's run is shown).
    period_clicked = Signal(object, int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.report: ImpactReport | None = None
        self.document: dict | None = None
        self._parties_shown: list[dict] = []  # the parties that moved, largest |net Δ| first
        self._charted: int | None = None  # how many of them the chart shows
        self._bins: tuple[np.ndarray, np.ndarray, float] | None = None  # centres, counts, width
        # The time series' positions: (date, period, base £/MWh, variant £/MWh) of each.
        self._points: list[tuple] = []
        self.title = QLabel("Tools › Modification impact… re-settles a date range under a rule "
                            "variant and shows what changed.")  # fmt: skip
        self.title.setWordWrap(True)
        self.title.setStyleSheet(TITLE_STYLE)
        self.run_type = QComboBox()
        self.run_type.setToolTip("Run type shown (each date's latest run of it)")
        self.run_type.currentTextChanged.connect(self._show_run_type)
        self.export_button = QPushButton("Export to Excel…")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export_requested)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.run_type)
        top.addWidget(self.export_button)

        self.charts = pg.GraphicsLayoutWidget()
        self.histogram = styled_plot(self.charts.addPlot(row=0, col=0), "periods", "price Δ £/MWh")
        self.histogram.setTitle("Distribution of price Δ", size="9pt")
        self.party_plot = styled_plot(
            self.charts.addPlot(row=0, col=1, axisItems={"bottom": money_axis("bottom")}),
            "party",
            "net Δ £",
        )
        self.party_plot.setTitle("£ net Δ per party", size="9pt")
        self.party_plot.getAxis("left").setWidth(90)
        self.date_axis = DateAxis(orientation="bottom")
        self.series = styled_plot(
            self.charts.addPlot(row=1, col=0, colspan=2, axisItems={"bottom": self.date_axis}),
            "price Δ £/MWh",
        )
        self.series.setTitle("Price Δ by settlement period", size="9pt")
        self.crosshairs = [
            Crosshair(self.histogram, self._describe_bin),
            Crosshair(self.party_plot, self._describe_party, across=True),
            Crosshair(self.series, self._describe_point),
        ]
        pen = pg.mkPen(COLOURS["published"], width=1, style=Qt.PenStyle.DashLine)
        self.selected_mark = pg.InfiniteLine(angle=90, movable=False, pen=pen)
        self.selected_mark.hide()
        self.charts.scene().sigMouseClicked.connect(self._clicked)
        self.party_plot.vb.sigResized.connect(self._chart_parties)  # its crosshair made

        self.tables = QTabWidget()
        self.worst = DataTable("Filter periods…")
        self.parties = DataTable("Filter parties…")
        self.party_totals = TotalsRow(self.parties, "parties")  # the summary's "Totals Δ"
        self.setters = DataTable("Filter…")
        self.failures = DataTable("Filter…")
        for table, name in (
            (self.worst, "Worst periods"),
            (self.parties, "Parties"),
            (self.setters, "Price setter changed"),
            (self.failures, "Failures and retries"),
        ):
            self.tables.addTab(table, name)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.charts)
        self.splitter.addWidget(self.tables)
        self.splitter.setSizes([520, 300])

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.splitter, 1)

    def show_report(self, report: ImpactReport, where: str = "", seconds: float = 0.0) -> None:
        """Show `report`, its SF runs first when it has them (the run type most assessed)."""
        self.report = report
        self.document = report.as_json()
        variant = self.document["variant"]
        ran = f"; {where}, {seconds:.1f} s" if where else ""
        self.title.setText(
            f"{variant['name']}: {report.days} day(s), {len(report.impacts)} run(s) from "
            f"{report.date_from.isoformat()} to {report.date_to.isoformat()}{ran}"
        )
        self.title.setToolTip(
            f"{variant['description']}\nRules changed: {', '.join(variant['rule_ids']) or 'none'}"
        )
        self.export_button.setEnabled(True)
        types = report.run_types()
        self.run_type.blockSignals(True)
        self.run_type.clear()
        self.run_type.addItems(types)
        self.run_type.blockSignals(False)
        self._fill_failures(report)
        if types:
            self.run_type.setCurrentText("SF" if "SF" in types else types[0])
            self._show_run_type(self.run_type.currentText())
        else:
            self.summary.setText("No date settled: every one failed (see Failures and retries).")
            self._bins, self._points, self._parties_shown = None, [], []
            for plot in (self.histogram, self.party_plot, self.series):
                plot.clear()
            for crosshair in self.crosshairs:
                crosshair.restore()
            self.tables.setCurrentWidget(self.failures)

    def _show_run_type(self, run_type: str) -> None:
        from models.impact.report import delta_histogram, price_deltas

        if self.report is None or run_type not in self.document["run_types"]:
            return
        section = self.document["run_types"][run_type]
        runs = self.report.runs_of(run_type)
        deltas = price_deltas(runs)
        self.summary.setText(_summary_text(run_type, section, self.document))

        centres, counts = delta_histogram(deltas)
        self.histogram.clear()
        self.crosshairs[0].restore()
        width = float(centres[1] - centres[0]) if len(centres) > 1 else 1.0
        self._bins = (centres, counts, width)
        self.histogram.addItem(pg.BarGraphItem(x=centres, height=counts, width=width * 0.9,
                                               brush=pg.mkBrush(COLOURS["price"])))  # fmt: skip
        self.histogram.setXRange(centres[0] - width, centres[-1] + width, padding=0)

        self._parties_shown = [p for p in section["parties"] if abs(p["net_delta"]) >= 0.005]
        self._charted = None
        self._chart_parties()

        self.series.clear()
        self.crosshairs[2].restore()
        self.series.addItem(self.selected_mark, ignoreBounds=True)
        self.selected_mark.hide()  # a period of the last run type is no period of this one
        self._points = [
            (r.settlement_date, int(p), float(base), float(variant))
            for r in runs
            for p, base, variant in zip(r.periods, r.price_base, r.price_variant, strict=True)
        ]
        x = np.arange(len(deltas), dtype=float)
        self.series.addItem(pg.InfiniteLine(0, angle=0, pen=pg.mkPen("#999999")))
        # A period whose price is unavailable either way is a gap in the line, not a 0.
        self.series.plot(x, deltas, pen=pg.mkPen(COLOURS["price"]), connect="finite")  # fmt: skip
        starts, position = {}, 0
        for r in runs:
            starts[position] = r.settlement_date.isoformat()
            position += len(r.periods)
        self.date_axis.set_starts(starts)
        if len(x):
            self.series.setXRange(-0.5, len(x) - 0.5, padding=0)
        self._fill_tables(run_type, section)

    def _chart_parties(self) -> None:
        """The parties that moved most, as many as the chart has rows for, largest on top."""
        rows = max(1, int(self.party_plot.vb.height() // PARTY_ROW_PIXELS))
        shown = self._parties_shown[: min(TOP_PARTIES, rows)]
        if self._charted is not None and len(shown) == self._charted:
            return
        self._charted = len(shown)
        self.party_plot.clear()
        self.crosshairs[1].restore()
        if not shown:
            self.party_plot.getAxis("left").setTicks([[]])
            self.party_plot.setLabel("bottom", "net Δ £ (no party moved)")
            return
        y = -np.arange(len(shown), dtype=float)
        deltas = np.array([p["net_delta"] for p in shown])
        brushes = [pg.mkBrush(COLOURS["niv_long"] if v >= 0 else COLOURS["niv_short"])
                   for v in deltas]  # fmt: skip
        self.party_plot.addItem(
            pg.BarGraphItem(x0=0.0, y=y, width=deltas, height=0.7, brushes=brushes)
        )
        names = [p["party"] for p in shown]
        self.party_plot.getAxis("left").setTicks([list(zip(y, names, strict=True))])
        self.party_plot.setYRange(-len(shown) + 0.5, 0.5, padding=0)
        span = float(np.abs(deltas).max()) or 1.0
        low, high = min(0.0, float(deltas.min())), max(0.0, float(deltas.max()))
        self.party_plot.setXRange(low - 0.05 * span, high + 0.05 * span, padding=0)
        more = len(self._parties_shown) - len(shown)
        self.party_plot.setLabel(
            "bottom", "net Δ £" + (f" ({more} more in the Parties table)" if more > 0 else "")
        )

    def _describe_bin(self, x: float) -> str:
        """The hover read-out of the histogram bar under the pointer."""
        if self._bins is None:
            return ""
        centres, counts, width = self._bins
        i = int(np.argmin(np.abs(centres - x))) if len(centres) else -1
        if i < 0 or abs(centres[i] - x) > width / 2:
            return ""
        low, high = centres[i] - width / 2, centres[i] + width / 2
        return (
            f"price Δ {_number(low, signed=True)} to {_number(high, signed=True)} £/MWh\n"
            f"{int(counts[i]):,} period(s)"
        )

    def _describe_party(self, y: float) -> str:
        """The hover read-out of the party bar under the pointer (row i at y = −i)."""
        row = round(-y)
        if not self._charted or not 0 <= row < self._charted:
            return ""
        p = self._parties_shown[row]
        charges = [f"{t} Δ £{_number(p[f'{c}_delta'], True)}" for c, t in CHARGE_TITLES[1:]]
        return (
            f"{p['party']}\nnet Δ £{_number(p['net_delta'], True)} "
            f"(£{_number(p['net_base'])} → £{_number(p['net_variant'])})\n"
            f"{', '.join(charges[:2])}\n{', '.join(charges[2:])}"  # two a line: half a window
        )

    def _describe_point(self, x: float) -> str:
        """The hover read-out of the settlement period under the pointer."""
        i = round(x)
        if not 0 <= i < len(self._points):
            return ""
        day, period, base, variant = self._points[i]
        local = settlement_period(day, period).local_label
        if not (np.isfinite(base) and np.isfinite(variant)):
            delta = "price Δ n/a (a price unavailable)"
        else:
            delta = f"price Δ {_number(variant - base, signed=True)} £/MWh"

        def price(value: float) -> str:
            return f"£{_number(value)}/MWh" if np.isfinite(value) else "n/a"

        return (
            f"{day.isoformat()} period {period} ({local})\n{delta}\n"
            f"base {price(base)}, variant {price(variant)}"
        )

    def _clicked(self, event) -> None:
        """A click on the time series selects the period under it (period_clicked)."""
        position = event.scenePos()
        if not self.series.vb.sceneBoundingRect().contains(position):
            return
        i = round(self.series.vb.mapSceneToView(position).x())
        if 0 <= i < len(self._points):
            self.selected_mark.setPos(i)
            self.selected_mark.show()
            day, period = self._points[i][:2]
            self.period_clicked.emit(day, period)

    def _fill_tables(self, run_type: str, section: dict) -> None:
        worst = section["worst_periods"]
        self.worst.set_columns([
            Column("date", [w["settlement_date"] for w in worst]),
            Column("period", np.array([w["period"] for w in worst]), "int"),
            Column("price Δ £/MWh", np.array([w["price_delta"] for w in worst]), "price",
                   DELTA_TIP, by_size=True),
            Column("base £/MWh", np.array([w["price_base"] for w in worst]), "price"),
            Column("variant £/MWh", np.array([w["price_variant"] for w in worst]), "price"),
            Column("NIV base MWh", np.array([w["niv_base"] for w in worst]), "mwh"),
            Column("setter base", [w["setter_base"] for w in worst]),
            Column("setter variant", [w["setter_variant"] for w in worst]),
        ], widths=WIDTHS)  # fmt: skip
        parties = section["parties"]
        self.parties.set_columns(
            [Column("party", [p["party"] for p in parties])]
            + [Column(f"{title} Δ £", np.array([p[f"{c}_delta"] for p in parties]), "money",
                      DELTA_TIP, by_size=True) for c, title in CHARGE_TITLES]
            + [Column(f"net {side} £", np.array([p[f"net_{side}"] for p in parties]), "money")
               for side in ("base", "variant")]
        )  # fmt: skip
        changed = section["price_setter_changed"]["periods"]
        self.setters.set_columns([
            Column("date", [s["settlement_date"] for s in changed]),
            Column("period", np.array([s["period"] for s in changed]), "int"),
            Column("setter base", [s["setter_base"] for s in changed]),
            Column("setter variant", [s["setter_variant"] for s in changed]),
        ], widths=WIDTHS)  # fmt: skip

    def _fill_failures(self, report: ImpactReport) -> None:
        rows = [(r.settlement_date.isoformat(), r.attempt, "retried", r.error)
                for r in report.retries]  # fmt: skip
        rows += [(f.settlement_date.isoformat(), f.attempts, "FAILED every attempt", f.error)
                 for f in report.failures]  # fmt: skip
        self.failures.set_columns([
            Column("date", [r[0] for r in rows]),
            Column("attempt", np.array([r[1] for r in rows], dtype=float), "int"),
            Column("outcome", [r[2] for r in rows]),
            Column("error", [r[3] for r in rows]),
        ], widths=WIDTHS)  # fmt: skip
        label = "Failures and retries" + (f" ({len(rows)})" if rows else "")
        self.tables.setTabText(self.tables.indexOf(self.failures), label)


def _number(value: float, signed: bool = False) -> str:
    """To the penny with thousands separators; never -0.00 (+0.00 when `signed`)."""
    return f"{round(float(value), 2) + 0.0:{'+' if signed else ''},.2f}"


def _summary_text(run_type: str, section: dict, document: dict) -> str:
    price, niv, totals = section["price_delta"], section["niv_delta"], section["totals"]
    lines = [
        f"{run_type}: {section['runs']} run(s), {section['periods']:,} periods. Price Δ in "
        f"{price['changed']:,} of {price['count']:,} periods"
        + (
            f" (mean {price['mean']:+,.2f}, 5% {price['p5']:+,.2f}, median {price['p50']:+,.2f}, "
            f"95% {price['p95']:+,.2f}, min {price['min']:+,.2f}, max {price['max']:+,.2f} £/MWh)"
            if price["count"]
            else ""
        )
        + f"; NIV Δ in {niv['changed']:,}; price setter changed in "
        f"{section['price_setter_changed']['count']:,}.",
        "Totals Δ: "
        + ", ".join(f"{name} £{totals[c]['delta']:+,.2f}" for c, name in CHARGE_TITLES[1:])
        + " (the rulebook's signs: CBM and RCRC paid to the parties, CND and CAEI paid by them).",
    ]
    failed = len(document["failures"])
    retried = len(document["retried"])
    if failed or retried:
        lines.append(
            (f"{failed} date(s) FAILED every attempt (not in these figures); " if failed else "")
            + f"{retried} attempt(s) retried: see Failures and retries."
        )
    return "\n".join(lines)
