"""The Excel workbook of a modification impact (`impact --xlsx`, the GUI's export): the report
of models.impact.report as sheets, with its plots as native Excel charts (openpyxl.chart), which
Excel and LibreOffice draw from the sheets' own cells: no image library, and the reader can
restyle or re-range them.

Sheets: Summary (the variant, its rules, the range, the executor, failures and retries, sign
conventions); Run types (per run type: price and NIV Δ distribution, setter changes, £ totals);
Periods (every settled period, base and variant, by run type then date); Worst periods;
Parties (£ per party and charge); Totals; Price setter changed; Failures (every failed attempt:
retried, or failed for good); and per run type a Charts sheet: the price Δ histogram, the
parties' net Δ bars and the price Δ time series. Deltas are variant − base.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef

from models.core.errors import WorkbenchInputError
from models.exports.xlsx import Col, SheetWriter, new_workbook, plain, save_workbook
from models.impact.day import CHARGES
from models.impact.report import ImpactReport, delta_histogram, price_deltas

CHARGE_TITLES = {"cbm": "CBM", "cnd": "CND", "caei": "CAEI", "rcrc": "RCRC", "net": "net"}
TOP_PARTIES = 20  # bars on the parties' chart (the Parties sheet lists all)
ATTRIBUTION = (
    "Contains BMRS data © Elexon Limited copyright and database right 2026 where the runs "
    "hold Elexon data."
)
SIGNS = (
    "deltas are variant − base; CBM and RCRC are paid to the party, CND and CAEI paid by it; "
    "net = CBM − CND − CAEI + RCRC (> 0: paid)."
)
# Chart sizes, cm (openpyxl's unit): wide enough for 48 periods a day to read.
CHART_WIDTH, CHART_HEIGHT = 24.0, 9.0
STATISTIC_TITLES = {"count": "periods", "unavailable": "unavailable", "changed": "changed",
                    "mean": "mean", "mean_abs": "mean |Δ|", "min": "min", "p5": "5%", "p25": "25%",
                    "p50": "median", "p75": "75%", "p95": "95%", "max": "max"}  # fmt: skip
STATISTICS = ("count", "unavailable", "changed", "mean", "mean_abs", "min", "p5", "p25", "p50",
              "p75", "p95", "max")  # fmt: skip


def write_impact_workbook(report: ImpactReport, path: str | Path, where: str = "") -> Path:
    """Write `report` as an Excel workbook at `path` (atomically: all or nothing).

    Parameters
    ----------
    report : ImpactReport
        The assessment.
    path : str or Path
        The .xlsx to write.
    where : str, default ""
        Where the days ran (executor name), for the Summary.

    Returns
    -------
    Path
        The file written.
    """
    path = workbook_target(path)
    document = report.as_json()
    workbook = new_workbook()
    _summary(workbook, report, document, where)
    _run_types(workbook, document)
    periods, spans = _periods(workbook, report)
    _worst(workbook, document)
    _parties(workbook, document)
    _totals(workbook, document)
    _setters(workbook, document)
    _failures(workbook, report)
    for run_type in report.run_types():
        first, last = spans[run_type]
        _charts(workbook, report, document, run_type, periods, first, last)
    save_workbook(workbook, path)
    return path


def workbook_target(path: str | Path) -> Path:
    """`path` as the workbook to write, checked before any work (the CLI asks first, so that
    an hour of settling does not end on a missing folder).

    Raises
    ------
    WorkbenchInputError
        When its folder is not there.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise WorkbenchInputError(f"{path.parent} is not a folder; cannot write {path.name}")
    return path


def _summary(workbook, report: ImpactReport, document: dict, where: str) -> None:
    variant = document["variant"]
    sheet = SheetWriter(workbook, "Summary", [Col("item", width=22), Col("value", width=100)],
                        freeze=False)  # fmt: skip
    rows = [
        ("Modification impact", f"{variant['name']}: {variant['description']}"),
        ("Rules changed", ", ".join(variant["rule_ids"]) or "none"),
        ("From", report.date_from),
        ("To", report.date_to),
        ("Days settled", report.days),
        ("Runs settled", len(report.impacts)),
        ("Run types", ", ".join(report.run_types()) or "none"),
        ("Settled on", where or "not recorded"),
        ("Days failed", len(report.failures)),
        ("Attempts retried", len(report.retries)),
    ]
    for f in report.failures:
        rows.append(("FAILED", f"{f.settlement_date.isoformat()} after {f.attempts} "
                               f"attempt(s): {f.error}"))  # fmt: skip
    rows += [
        ("Plots", "native Excel charts on the Charts sheets (drawn by Excel from the cells)"),
        ("Sign conventions", SIGNS),
        ("Attribution", ATTRIBUTION),
    ]
    for item, value in rows:
        sheet.append([item, plain(value) if not isinstance(value, str) else value])
    sheet.finish(autofilter=False)


def _run_types(workbook, document: dict) -> None:
    columns = [Col("run type", width=9), Col("runs", "int"), Col("periods", "int")]
    for label, unit in (("price Δ", "price"), ("NIV Δ", "mwh")):
        columns += [Col(f"{label} {STATISTIC_TITLES[s]}", "int" if s in STATISTICS[:3] else unit)
                    for s in STATISTICS]  # fmt: skip
    columns.append(Col("price setter changed", "int"))
    columns += [Col(f"{CHARGE_TITLES[c]} Δ £", "gbp") for c in CHARGES]
    sheet = SheetWriter(workbook, "Run types", columns)
    for run_type, section in document["run_types"].items():
        row = [run_type, section["runs"], section["periods"]]
        for key in ("price_delta", "niv_delta"):
            row += [section[key].get(s) for s in STATISTICS]
        row.append(section["price_setter_changed"]["count"])
        row += [section["totals"][c]["delta"] for c in CHARGES]
        sheet.append(row)
    sheet.finish()


def _periods(workbook, report: ImpactReport) -> tuple[SheetWriter, dict[str, tuple[int, int]]]:
    columns = [
        Col("run type", width=9),
        Col("settlement date", "date"),
        Col("run", width=16),
        Col("period", "int"),
        Col("date and period", width=16),
        Col("price base £/MWh", "price"),
        Col("price variant £/MWh", "price"),
        Col("price Δ £/MWh", "price"),
        Col("NIV base MWh", "mwh"),
        Col("NIV variant MWh", "mwh"),
        Col("NIV Δ MWh", "mwh"),
        Col("price setter base", width=30),
        Col("price setter variant", width=30),
        Col("setter changed", width=10),
    ]
    sheet = SheetWriter(workbook, "Periods", columns)
    spans = {}
    for run_type in report.run_types():
        first = sheet.last_data_row + 1
        for r in report.runs_of(run_type):
            price = r.price_variant - r.price_base
            niv = r.niv_variant - r.niv_base
            changed = r.setter_changed
            for i, period in enumerate(r.periods.tolist()):
                sheet.append([
                    run_type, r.settlement_date, r.label, period,
                    f"{r.settlement_date.isoformat()} P{period:02d}",
                    float(r.price_base[i]), float(r.price_variant[i]), float(price[i]),
                    float(r.niv_base[i]), float(r.niv_variant[i]), float(niv[i]),
                    str(r.setter_base[i]), str(r.setter_variant[i]), bool(changed[i]),
                ])  # fmt: skip
        spans[run_type] = (first, sheet.last_data_row)
    sheet.finish()
    return sheet, spans


def _worst(workbook, document: dict) -> None:
    sheet = SheetWriter(workbook, "Worst periods", [
        Col("run type", width=9), Col("settlement date", "date"), Col("run", width=16),
        Col("period", "int"), Col("price base £/MWh", "price"), Col("price variant £/MWh", "price"),
        Col("price Δ £/MWh", "price"), Col("NIV base MWh", "mwh"), Col("NIV variant MWh", "mwh"),
        Col("price setter base", width=30), Col("price setter variant", width=30),
    ])  # fmt: skip
    for run_type, section in document["run_types"].items():
        for w in section["worst_periods"]:
            sheet.append([
                run_type, _date(w["settlement_date"]), w["run"], w["period"], w["price_base"],
                w["price_variant"], w["price_delta"], w["niv_base"], w["niv_variant"],
                w["setter_base"], w["setter_variant"],
            ])  # fmt: skip
    sheet.finish()


def _parties(workbook, document: dict) -> None:
    columns = [Col("run type", width=9), Col("party", width=16)]
    for title in ("Δ", "base", "variant"):
        columns += [Col(f"{CHARGE_TITLES[c]} {title} £", "gbp") for c in ("net", *CHARGES[:4])]
    sheet = SheetWriter(workbook, "Parties", columns)
    for run_type, section in document["run_types"].items():
        for p in section["parties"]:
            row = [run_type, p["party"]]
            for suffix in ("delta", "base", "variant"):
                row += [p[f"{c}_{suffix}"] for c in ("net", *CHARGES[:4])]
            sheet.append(row)
    sheet.finish()


def _totals(workbook, document: dict) -> None:
    sheet = SheetWriter(workbook, "Totals", [
        Col("run type", width=9), Col("charge", width=9), Col("base £", "gbp"),
        Col("variant £", "gbp"), Col("Δ £", "gbp"),
    ])  # fmt: skip
    for run_type, section in document["run_types"].items():
        for c in CHARGES:
            t = section["totals"][c]
            sheet.append([run_type, CHARGE_TITLES[c], t["base"], t["variant"], t["delta"]])
    sheet.finish()


def _setters(workbook, document: dict) -> None:
    sheet = SheetWriter(workbook, "Price setter changed", [
        Col("run type", width=9), Col("settlement date", "date"), Col("run", width=16),
        Col("period", "int"), Col("price setter base", width=34),
        Col("price setter variant", width=34),
    ])  # fmt: skip
    for run_type, section in document["run_types"].items():
        for s in section["price_setter_changed"]["periods"]:
            sheet.append([run_type, _date(s["settlement_date"]), s["run"], s["period"],
                          s["setter_base"], s["setter_variant"]])  # fmt: skip
    sheet.finish()


def _failures(workbook, report: ImpactReport) -> None:
    sheet = SheetWriter(workbook, "Failures", [
        Col("settlement date", "date"), Col("attempt", "int"), Col("outcome", width=26),
        Col("error", width=90),
    ], notes=["Every failed attempt at a date: retried (the date may then have settled), "
              "or the last, after which the date was reported as failed."])  # fmt: skip
    failed = {f.settlement_date: f for f in report.failures}
    for r in report.retries:
        sheet.append([r.settlement_date, r.attempt, "retried", r.error])
    for f in failed.values():
        sheet.append([f.settlement_date, f.attempts, "failed every attempt", f.error])
    sheet.finish()


def _charts(workbook, report, document, run_type, periods, first, last) -> None:
    """The run type's Charts sheet: the data of the histogram and of the parties' bars in its
    own cells, the time series read from the Periods sheet's rows of the run type."""
    deltas = price_deltas(report.runs_of(run_type))
    centres, counts = delta_histogram(deltas)
    parties = document["run_types"][run_type]["parties"][:TOP_PARTIES]
    sheet = SheetWriter(workbook, f"Charts {run_type}", [
        Col("price Δ bin centre £/MWh", "price", 14), Col("periods", "int", 10), Col("", width=3),
        Col("party", width=16), Col("net Δ £", "gbp"),
    ], notes=[f"{run_type}: plots of the impact (native Excel charts, drawn from these cells "
              "and the Periods sheet)"])  # fmt: skip
    rows = max(len(centres), len(parties))
    for i in range(rows):
        bin_cells = [float(centres[i]), int(counts[i])] if i < len(centres) else [None, None]
        party_cells = [parties[i]["party"], parties[i]["net_delta"]] if i < len(parties) else [
            None, None]  # fmt: skip
        sheet.append([*bin_cells, None, *party_cells])
    top = sheet.first_data_row
    ws = sheet.sheet

    histogram = BarChart()
    histogram.title = f"{run_type}: distribution of price Δ (variant − base), periods"
    histogram.y_axis.title = "periods"
    histogram.x_axis.title = "price Δ £/MWh (bin centre)"
    histogram.gapWidth = 10
    histogram.legend = None
    histogram.add_data(Reference(ws, min_col=2, min_row=top - 1, max_row=top + len(centres) - 1),
                       titles_from_data=True)  # fmt: skip
    histogram.set_categories(Reference(ws, min_col=1, min_row=top, max_row=top + len(centres) - 1))
    histogram.x_axis.number_format = "0.00"
    _place(ws, histogram, "H2")

    bars = BarChart()
    bars.type = "bar"  # across: one party per row, names readable
    bars.title = f"{run_type}: net Δ £ per party (largest |Δ| first, top {TOP_PARTIES})"
    bars.x_axis.title = "party"
    bars.y_axis.title = "net Δ £"
    bars.legend = None
    if parties:
        bars.add_data(Reference(ws, min_col=5, min_row=top - 1, max_row=top + len(parties) - 1),
                      titles_from_data=True)  # fmt: skip
        _text_categories(
            bars, Reference(ws, min_col=4, min_row=top, max_row=top + len(parties) - 1)
        )
    bars.x_axis.scaling.orientation = "maxMin"  # the largest at the top
    bars.x_axis.tickLblPos = "low"  # names at the left edge, clear of negative bars
    _place(ws, bars, "H21")

    series = LineChart()
    series.title = f"{run_type}: price Δ £/MWh by settlement period"
    series.y_axis.title = "price Δ £/MWh"
    series.x_axis.title = "settlement date and period"
    series.legend = None
    series.x_axis.tickLblPos = "low"  # dates along the bottom, not across the zero line
    series.add_data(Reference(periods.sheet, min_col=8, min_row=first, max_row=last))
    _text_categories(series, Reference(periods.sheet, min_col=5, min_row=first, max_row=last))
    for line in series.series:
        line.smooth = False  # a spline would draw prices between periods that never were
    series.x_axis.tickLblSkip = max(1, (last - first + 1) // 12)
    _place(ws, series, "H40")
    sheet.finish(autofilter=False)


def _text_categories(chart, labels: Reference) -> None:
    """Categories that are text (party names, "2024-06-12 P01"): a string reference, which
    Excel labels with the cells' texts (set_categories makes a number reference)."""
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(labels)))


def _place(ws, chart, anchor: str) -> None:
    chart.width, chart.height = CHART_WIDTH, CHART_HEIGHT
    # openpyxl ≥ 3.1 hides axes unless told (delete = True by default): show them.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    ws.add_chart(chart, anchor)


def _date(text: str):
    from datetime import date

    return date.fromisoformat(text)
