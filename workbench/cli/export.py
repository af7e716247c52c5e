"""`settlement-workbench export`: Excel workbooks (a dispute case's evidence pack, a
comparison of two runs, a whole run) and a run's settlement as an S0142 file."""

from __future__ import annotations

import sys
from pathlib import Path

from workbench.cli.args import add_date, add_db, add_run, add_run_number, id_arg
from workbench.cli.common import EXIT_BAD_INPUT, EXIT_OK, open_db


def add_commands(commands) -> None:
    export = commands.add_parser(
        "export", help="Excel: a case's evidence pack, a comparison, or a whole run"
    )
    add_db(export)
    what = export.add_mutually_exclusive_group(required=True)
    what.add_argument("--case", help="dispute case id or reference")
    what.add_argument("--compare", type=id_arg, nargs=2, metavar=("RUN_A", "RUN_B"))
    add_run(what, "run type (with --date)")
    add_date(export, "settlement date (with --run)")
    add_run_number(export, None)
    out = export.add_mutually_exclusive_group(required=True)
    out.add_argument("--xlsx", type=Path, help="workbook to write")
    out.add_argument(
        "--s0142", type=Path, metavar="OUT", help="the run's settlement as an S0142 (with --run)"
    )
    export.set_defaults(handler=_export)


def _export(args) -> int:
    from models.exports.packs import write_case_pack, write_comparison_pack, write_run_workbook
    from models.runs.run_store import find_run

    if args.s0142 is not None and (args.run is None or args.date is None):
        print("settlement-workbench: error: --s0142 needs --run and --date", file=sys.stderr)
        return EXIT_BAD_INPUT
    with open_db(args.db) as db:
        if args.s0142 is not None:
            from models.exports.s0142 import export_s0142

            with db.engine.connect() as conn:
                run = find_run(conn, args.date, args.run, args.run_number)
            records = export_s0142(db, run.id, args.s0142)
            print(f"wrote {run.label} as an S0142 of {records:,} records to {args.s0142}")
            return EXIT_OK
        if args.case is not None:
            path = write_case_pack(db, args.case, args.xlsx)
        elif args.compare is not None:
            path = write_comparison_pack(db, *args.compare, args.xlsx)
        else:
            if args.date is None:
                print("settlement-workbench: error: --run needs --date", file=sys.stderr)
                return EXIT_BAD_INPUT
            with db.engine.connect() as conn:
                run = find_run(conn, args.date, args.run, args.run_number)
            path = write_run_workbook(db, run.id, args.xlsx)
    print(f"wrote {path}")
    return EXIT_OK
