"""The Known gaps sheet of evidence packs and run workbooks: per run, each rulebook §15 gap
its results depend on (engine.known_gaps): id, title, why here, what it affects and the
S0142 fields where Elexon's settlement report carries what the engine does not model."""

from __future__ import annotations

from collections.abc import Sequence

from engine.known_gaps import GapUse
from models.exports.xlsx import Col, SheetWriter

COLUMNS = [
    Col("run", width=28),
    Col("gap", width=26),
    Col("title", width=48),
    Col("why here", width=48),
    Col("affects", width=60),
    Col("S0142 fields", width=60),
]
NOTE = (
    "Known gaps (rulebook §15): what the engine does not model and these results depend on; "
    "a difference from Elexon's S0142 in these fields is 'not modelled', not an error"
)


def write_known_gaps_sheet(workbook, runs: Sequence[tuple[str, Sequence[GapUse]]]) -> None:
    """One sheet: for each (run label, its known gaps) one row per gap, or a row saying the
    run depends on none."""
    sheet = SheetWriter(workbook, "Known gaps", COLUMNS, notes=[NOTE])
    for label, uses in runs:
        if not uses:
            sheet.append([label, "none", "no known gap applies to these results", "", "", ""])
        for use in uses:
            gap = use.gap
            sheet.append([label, gap.id, gap.title, use.reason, gap.affects, gap.s0142])
    sheet.finish()
