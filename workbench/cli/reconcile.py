"""`settlement-workbench reconcile`: the engine against the SAA's S0142 of a run (issue 18).

    settlement-workbench reconcile --db PATH --date D --run R [--run-number N] [--json]
        [--xlsx OUT] [--top N]

The run must have been imported from an S0142 (`import FILE.s0142`). The engine settles it
(nothing is stored) and every value both have is compared (models/reconcile/s0142.py): tolerances
from the IDD precision of each field, differences ranked by £ effect, fields the engine does
not model (rulebook §15) listed as "not modelled". Exit code 0 whether or not there are
differences (a difference is a finding, not a failure); 2 for bad input. A difference a known
gap of the day explains (a cell it changes) is listed with its gap, not counted as unexplained.
"""

from __future__ import annotations

import json
import sys

from workbench.cli.args import add_db, add_stored_run, whole_number_arg
from workbench.cli.common import EXIT_OK, open_db

SHOWN = 20
XLSX_ROWS = 1_000_000  # an Excel sheet holds 1,048,576 rows
KEY_COLUMNS = ("party_id", "account", "bm_unit_id", "pair", "period")


def add_commands(commands) -> None:
    reconcile = commands.add_parser(
        "reconcile",
        help="the engine against the SAA's S0142 of a run: differences ranked by £ effect",
        description="Settle a run imported from an S0142 and compare every value the engine "
        "and the SAA both have, within half a unit of the last decimal the SAA's field "
        "carries; differences are ranked by their £ effect, and what the engine does not "
        "model (rulebook §15) is listed as not modelled.",
    )
    add_db(reconcile)
    add_stored_run(reconcile, "run type (SF, R1…)")
    reconcile.add_argument("--json", action="store_true", help="print the reconciliation JSON")
    reconcile.add_argument("--xlsx", metavar="OUT", help="also write an Excel workbook")
    reconcile.add_argument(
        "--top",
        type=whole_number_arg(1, 10**7),
        default=SHOWN,
        help=f"differences shown in text (default {SHOWN}; JSON and Excel have all)",
    )
    reconcile.set_defaults(handler=_reconcile)


def _reconcile(args) -> int:
    from models.reconcile.s0142 import reconcile
    from models.runs.run_store import find_run

    with open_db(args.db) as db, db.engine.connect() as conn:
        run = find_run(conn, args.date, args.run, args.run_number)
        result = reconcile(conn, run.id)
    if args.xlsx:
        write_workbook(result, args.xlsx)
        print(f"wrote the reconciliation of {result.run_label} to {args.xlsx}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.as_json(), indent=1, ensure_ascii=False))
    else:
        print(text(result, args.top))
    return EXIT_OK


def _key_text(key: dict) -> str:
    return " ".join(f"{k}={key[k]}" for k in KEY_COLUMNS if k in key)


def _number(value) -> str:
    return "absent" if value is None else f"{value:,.7f}".rstrip("0").rstrip(".")


def text(result, top: int = SHOWN) -> str:
    from models.reconcile.s0142 import UNEXPLAINED

    report = result.report
    lines = [
        f"Reconciliation of run {result.run_id} ({result.run_label}) against "
        f"{report.get('file_name', 'its S0142')} (SAA run {report.get('saa_run_number')}, "
        f"CDCA run {report.get('saa_cdca_run_number')})",
        f"  {sum(result.compared.values()):,} values compared in "
        f"{len(result.compared)} fields, {result.equal_count:,} equal within tolerance; "
        f"{result.difference_count:,} difference(s), "
        f"{result.known_gap_count:,} explained by known gaps",
    ]
    lines += [f"  Note: {note}" for note in result.notes]
    if result.difference_count:
        lines.append(f"  total £ effect {result.total_effect_gbp:,.2f}; largest first:")
        for d in result.top(top, status=UNEXPLAINED):
            lines.append(
                f"  £{d.effect_gbp:>12,.2f}  {d.level}.{d.field} ({d.item})  {_key_text(d.key)}"
                f"  engine {_number(d.engine)}  SAA {_number(d.saa)}  (tolerance {d.tolerance:g})"
            )
        if result.difference_count > top:
            lines.append(f"  … and {result.difference_count - top:,} more (--top, --json)")
    elif result.known_gap_count:
        lines.append("  no unexplained differences: every one is explained by a known gap")
    else:
        lines.append("  no differences: the engine agrees with the SAA within its precision")
    summary = result.known_gap_summary()
    if summary:
        lines.append("Explained by known gaps (rulebook §15; each listed in --json and Excel):")
        for label, (count, effect) in summary.items():
            lines.append(f"  {label}: {count:,} difference(s), £ effect {effect:,.2f}")
    shown = [n for n in result.not_modelled if n.cells]
    if shown:
        lines.append("Not modelled by the engine (rulebook §15), not compared:")
        for n in shown:
            gap = f" [{n.gap}]" if n.gap else ""
            lines.append(
                f"  {n.level}.{n.field} ({n.item}){gap}: {n.cells:,} SAA value(s), "
                f"{n.nonzero:,} non-zero, Σ|value| {n.total_abs:,.3f}"
            )
    return "\n".join(lines)


def write_workbook(result, path) -> None:
    """Sheets: Differences (ranked), Compared (cells per field), Not modelled."""
    from models.exports.xlsx import Col, SheetWriter, new_workbook, save_workbook

    workbook = new_workbook()
    columns = [
        Col("£ effect", "gbp"),
        Col("level"),
        Col("field"),
        Col("IDD item", width=10),
        *(Col(k, "int" if k in ("pair", "period") else "text") for k in KEY_COLUMNS),
        Col("engine", "ratio"),
        Col("SAA", "ratio"),
        Col("difference", "ratio"),
        Col("tolerance", "ratio"),
        Col("status", width=40),
    ]
    sheet = SheetWriter(
        workbook,
        "Differences",
        columns,
        notes=[
            f"Run {result.run_label} against its S0142; largest £ effect first; "
            f"{result.difference_count:,} unexplained, {result.known_gap_count:,} explained "
            "by a known gap (status)"
            + (
                f"; the largest {XLSX_ROWS:,} of {result.listed_count:,} (a sheet's limit)"
                if result.listed_count > XLSX_ROWS
                else ""
            )
        ],
    )
    for d in result.top(XLSX_ROWS):
        sheet.append(
            [
                d.effect_gbp,
                d.level,
                d.field,
                d.item,
                *(d.key.get(k) for k in KEY_COLUMNS),
                d.engine,
                d.saa,
                d.difference,
                d.tolerance,
                d.status,
            ]
        )
    sheet.finish()
    compared = SheetWriter(workbook, "Compared", [Col("field", width=36), Col("cells", "int")])
    compared.extend([name, count] for name, count in result.compared.items())
    compared.finish()
    gaps = SheetWriter(
        workbook,
        "Not modelled",
        [
            Col("level"),
            Col("field", width=30),
            Col("IDD item", width=10),
            Col("known gap", width=28),
            Col("SAA values", "int"),
            Col("non-zero", "int"),
            Col("Σ|value|", "mwh"),
        ],
    )
    gaps.extend(
        [n.level, n.field, n.item, n.gap, n.cells, n.nonzero, n.total_abs]
        for n in result.not_modelled
    )
    gaps.finish()
    save_workbook(workbook, path)
