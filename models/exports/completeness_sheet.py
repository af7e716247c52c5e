"""The Completeness sheet of evidence packs and run workbooks: for each run, which inputs of a
full settlement it lacks, what each gap does to which result, and per period what is present
and missing (models.runs.completeness). One filterable table: run, kind, item, periods, detail."""

from __future__ import annotations

from collections.abc import Sequence

from models.exports.xlsx import Col, SheetWriter
from models.runs.completeness import Completeness, period_ranges

SHOWN_UNITS = 50
COLUMNS = [
    Col("run", width=24),
    Col("kind", width=12),
    Col("item", width=48),
    Col("periods", width=18),
    Col("detail", width=100),
    Col("affects settlement", width=10),
]


def _rows(c: Completeness) -> list[list]:
    r = c.register
    run = c.run_label
    rows: list[list] = [
        [run, "summary", "complete for settlement", "", "yes" if c.complete else "NO", ""],
        [run, "register", "register in force", "", r.register, ""],
        [run, "register", "coverage", "", r.line(), ""],
        [run, "register", "units of the run", "", f"{r.run_units:,}", ""],
    ]
    if r.fuel_types_missing:
        missing = ", ".join(f"{f} {n:,}" for f, n in r.fuel_types_missing.items())
        rows.append([run, "register", "registered units without PN", "", missing, ""])
    if r.unregistered:
        rows.append(
            [run, "register", "unregistered units (R-REG-UNREGISTERED)", "",
             unit_list(r.unregistered), ""]
        )  # fmt: skip
    rows.append([run, "warnings", "import warnings of the run", "", f"{c.warnings:,}", ""])
    for kind, gaps in (("gap", c.gaps), ("known gap", c.known_gaps)):
        for g in gaps:
            rows.append(
                [run, kind, g.what, period_ranges(g.periods), g.effect,
                 "yes" if g.settlement else "no"]
            )  # fmt: skip
    for p in c.periods:
        detail = f"present: {', '.join(p.present) or 'nothing'}; "
        detail += f"missing: {', '.join(p.missing) or 'nothing'}"
        if p.price_unavailable:
            detail += f"; price unavailable: {p.price_unavailable}"
        if p.one_sided:
            detail += f"; one-sided metering: {p.one_sided}"
        rows.append([run, "period", f"period {p.period}", str(p.period), detail, ""])
    # Every unregistered unit on a row of its own (the register row names the first only).
    rows += [[run, "unregistered unit", u, "", "R-REG-UNREGISTERED", ""] for u in r.unregistered]
    return rows


def unit_list(units, shown: int = SHOWN_UNITS) -> str:
    """The first `shown` units and how many more: a whole market's unregistered units would
    pass Excel's 32,767 characters a cell; the rows of kind "unregistered unit" list all."""
    text = ", ".join(units[:shown])
    if len(units) > shown:
        text += f" … and {len(units) - shown:,} more (one row each below)"
    return text


def write_completeness_sheet(workbook, reports: Sequence[Completeness]) -> None:
    """One Completeness sheet holding each run's report, in the order given."""
    sheet = SheetWriter(
        workbook,
        "Completeness",
        COLUMNS,
        notes=["Which inputs of a full settlement each run lacks, and what that does"],
    )
    for report in reports:
        sheet.extend(_rows(report))
    sheet.finish()
