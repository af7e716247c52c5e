"""`settlement-workbench case`: settlement-case/1 files (CASE_FORMAT.md). `validate` checks
one, `run` settles one and prints the results (or a step trace), `export` writes a stored run
(or some of its periods) as one, `import` stores one as a new run."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workbench.cli.args import add_db, add_periods, add_run, add_run_number, add_stored_run
from workbench.cli.common import EXIT_OK, open_db, open_or_create


def add_commands(commands) -> None:
    case = commands.add_parser("case", help="case files: validate, export, import")
    actions = case.add_subparsers(dest="case_command", metavar="ACTION", required=True)
    validate = actions.add_parser("validate", help="check a case file")
    validate.add_argument("file", type=Path)
    validate.set_defaults(handler=_cmd_case_validate)
    export = actions.add_parser("export", help="write a stored run as a case file")
    add_db(export)
    add_stored_run(export)
    add_periods(export)
    export.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    export.set_defaults(handler=_cmd_case_export)
    run = actions.add_parser("run", help="settle a case file and print the results")
    run.add_argument("file", type=Path)
    run.add_argument("--json", action="store_true", help="print the settlement-result/1 JSON")
    run.add_argument(
        "--trace",
        metavar="WHAT",
        help="step trace: BMU:PERIOD (e.g. T_GEN-1:27), account:PARTY:P|C:PERIOD, price:PERIOD",
    )
    run.set_defaults(handler=_cmd_case_run)
    load = actions.add_parser("import", help="store a case file as a new run")
    add_db(load)
    add_run(load, "run type (default SF)")
    add_run_number(load, "run number (default: next)")
    load.add_argument("file", type=Path)
    load.set_defaults(handler=_cmd_case_import)


def _cmd_case_validate(args: argparse.Namespace) -> int:
    from models.casefiles.case_file import load_case

    case = load_case(args.file)
    print(
        f"{args.file}: valid settlement-case/1 for {case['settlement_date']}: "
        f"{len(case['bm_units'])} BM units, {len(case.get('acceptances', []))} acceptances, "
        f"{len(case.get('metered_volumes', []))} metered volumes"
    )
    return EXIT_OK


def _cmd_case_export(args: argparse.Namespace) -> int:
    from models.casefiles.case_file import dumps_case
    from models.runs.case_store import export_case
    from models.runs.run_store import find_run

    with open_db(args.db) as db:
        with db.engine.connect() as conn:
            run = find_run(conn, args.date, args.run, args.run_number)
        text = dumps_case(export_case(db, run.id, args.periods))
    if args.output:
        from models.core.atomic_write import write_text_atomic

        write_text_atomic(args.output, text)
        print(f"wrote {run.label} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _cmd_case_import(args: argparse.Namespace) -> int:
    from engine.settlement_calendar import RunType
    from models.casefiles.case_file import load_case
    from models.runs.case_store import import_case
    from models.runs.run_store import get_run

    case = load_case(args.file)
    with open_or_create(args.db) as db:
        run_id = import_case(
            db,
            case,
            args.run or RunType.SF,
            run_number=args.run_number,
            source=f"case file {args.file.name}",
        )
        with db.engine.connect() as conn:
            run = get_run(conn, run_id)
    print(
        f"imported {args.file} as run {run.id}: {run.label}, {run.bm_units} BM units, "
        f"{run.acceptances} acceptances, {run.metered_volumes} metered volumes"
    )
    return EXIT_OK


def _trace(result, what: str):
    from engine.settlement_trace import trace_account, trace_price, trace_unit
    from models.core.errors import WorkbenchInputError

    parts = what.split(":")
    try:
        if parts[0] == "price" and len(parts) == 2:
            return trace_price(result, int(parts[1]))
        if parts[0] == "account" and len(parts) == 4:
            return trace_account(result, parts[1], parts[2].upper(), int(parts[3]))
        if len(parts) == 2:
            return trace_unit(result, parts[0], int(parts[1]))
    except ValueError as exc:
        if "invalid literal" not in str(exc):
            raise WorkbenchInputError(f"--trace {what}: {exc}") from None
    raise WorkbenchInputError(
        f"--trace {what!r}: expected BMU:PERIOD, account:PARTY:P|C:PERIOD or price:PERIOD"
    )


def _cmd_case_run(args: argparse.Namespace) -> int:
    import numpy as np

    from engine.settle import settle_day
    from models.casefiles.case_file import load_case
    from models.casefiles.results_json import result_document
    from models.casefiles.validate import non_finite_path
    from models.core.errors import WorkbenchInputError
    from models.runs.inputs import case_settlement_inputs
    from workbench.cli.report import print_summary, print_trace

    case = load_case(args.file)
    # Validated inputs keep every intermediate finite; numpy's warnings are not the user's
    # business, and a non-finite result is refused below rather than printed.
    with np.errstate(all="ignore"):
        result = settle_day(case_settlement_inputs(case))
    trace = _trace(result, args.trace) if args.trace else None
    document = result_document(result)
    bad = non_finite_path(document)
    if bad is not None:
        raise WorkbenchInputError(
            f"{args.file}: settling it gave a number that is not finite at {bad}; its inputs "
            "are beyond what the engine can settle exactly (nothing was printed)"
        )
    if args.json:
        if trace is not None:
            document["trace"] = trace.as_json()
        print(json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False))
        return EXIT_OK
    print_summary(document, f"case {args.file.name}")
    if trace is not None:
        print()
        print_trace(trace)
    return EXIT_OK
