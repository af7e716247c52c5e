"""`settlement-workbench`: the command line.

Every command that reads user input reports bad input as one line on stderr and exits 2;
an unexpected failure prints one line pointing at a log with the details and exits 1. No
traceback ever reaches the user's terminal.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from workbench import version
from workbench.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    EXIT_OK,
    OneLineParser,
    one_line,
    open_or_create,
    whole_number_arg,
)
from workbench.cli.common import date_arg as _date
from workbench.cli.common import periods_arg as _periods
from workbench.cli.common import run_type_arg as _run_type


def _positive(text: str) -> int:
    return whole_number_arg(1, 10**9)(text)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="settlement-workbench",
        description="Check Great Britain Balancing Mechanism settlement: open settlement run "
        "databases, re-run the settlement step by step, compare runs. Without a command (or "
        "with a database PATH) the desktop workbench opens.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help="create a demo settlement database")
    demo.add_argument("--db", required=True, type=Path, help="database file to create")
    demo.add_argument(
        "--bmus", type=whole_number_arg(12, 20_000), default=60, help="BM units (3000 = GB scale)"
    )
    demo.add_argument("--date", type=_date, help="first settlement date (default 2024-06-12)")
    demo.add_argument(
        "--days", type=whole_number_arg(1, 366), default=1, help="consecutive settlement dates"
    )
    demo.add_argument(
        "--seed",
        type=whole_number_arg(0, 2**32 - 1),
        default=1,
        help="random seed (same seed, same data)",
    )
    demo.add_argument("--force", action="store_true", help="replace the file if it exists")
    demo.set_defaults(handler=_cmd_demo)

    runs = commands.add_parser("runs", help="list the settlement runs in a database")
    runs.add_argument("--db", required=True, help="database file or SQLAlchemy URL")
    runs.add_argument("--date", type=_date, help="only this settlement date")
    runs.add_argument("--json", action="store_true", help="print JSON")
    runs.set_defaults(handler=_cmd_runs)

    case = commands.add_parser("case", help="case files: validate, export, import")
    case_commands = case.add_subparsers(dest="case_command", metavar="ACTION", required=True)
    validate = case_commands.add_parser("validate", help="check a case file")
    validate.add_argument("file", type=Path)
    validate.set_defaults(handler=_cmd_case_validate)
    export = case_commands.add_parser("export", help="write a stored run as a case file")
    export.add_argument("--db", required=True, help="database file or SQLAlchemy URL")
    export.add_argument("--date", type=_date, required=True, help="settlement date")
    export.add_argument("--run", type=_run_type, required=True, help="run type (II, SF, R1…)")
    export.add_argument("--run-number", type=_positive, help="run number (default: latest)")
    export.add_argument("--periods", type=_periods, help="only these periods, e.g. 27-30")
    export.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    export.set_defaults(handler=_cmd_case_export)
    run = case_commands.add_parser("run", help="settle a case file and print the results")
    run.add_argument("file", type=Path)
    run.add_argument("--json", action="store_true", help="print the settlement-result/1 JSON")
    run.add_argument(
        "--trace",
        metavar="WHAT",
        help="step trace: BMU:PERIOD (e.g. T_GEN-1:27), account:PARTY:P|C:PERIOD, price:PERIOD",
    )
    run.set_defaults(handler=_cmd_case_run)
    load = case_commands.add_parser("import", help="store a case file as a new run")
    load.add_argument("--db", required=True, help="database file or SQLAlchemy URL")
    load.add_argument("--run", type=_run_type, default=None, help="run type (default SF)")
    load.add_argument("--run-number", type=_positive, help="run number (default: next)")
    load.add_argument("file", type=Path)
    load.set_defaults(handler=_cmd_case_import)
    gui = commands.add_parser("gui", help="open the desktop workbench (also: no command, or PATH)")
    gui.add_argument("path", nargs="?", help="a settlement database to open")
    gui.add_argument(
        "--smoke-test", action="store_true", help="exit once the first run is loaded (checks)"
    )
    gui.set_defaults(handler=_cmd_gui)

    settle = commands.add_parser("settle", help="settle a stored run and store its results")
    settle.add_argument("--db", required=True, help="database file or SQLAlchemy URL")
    settle.add_argument("--date", type=_date, required=True, help="settlement date")
    settle.add_argument("--run", type=_run_type, required=True, help="run type (II, SF, R1…)")
    settle.add_argument("--run-number", type=_positive, help="run number (default: latest)")
    settle.add_argument("--periods", type=_periods, help="only these periods, e.g. 27-30")
    settle.add_argument(
        "--json", action="store_true", help="print the settlement-result/1 JSON (+ completeness)"
    )
    settle.set_defaults(handler=_cmd_settle)

    show = commands.add_parser("show", help="print a run's stored results")
    show.add_argument("--db", required=True, help="database file or SQLAlchemy URL")
    show.add_argument("--date", type=_date, required=True, help="settlement date")
    show.add_argument("--run", type=_run_type, required=True, help="run type (II, SF, R1…)")
    show.add_argument("--run-number", type=_positive, help="run number (default: latest)")
    show.add_argument("--json", action="store_true", help="print the settlement-result/1 JSON")
    show.set_defaults(handler=_cmd_show)

    load_files = commands.add_parser(
        "import",
        help="import Elexon data files (Insights JSON/CSV, legacy BMRS CSV, registers, prices)",
        description="Import Elexon data files into a settlement database in one transaction: "
        "every record of every file, or nothing and a report of each rejected record. Each "
        "settlement date gets a new run holding the imported records and what the latest run "
        "of that date and type already held.",
    )
    load_files.add_argument("--db", required=True, help="database file (created if missing)")
    load_files.add_argument("--date", type=_date, help="only records of this settlement date")
    load_files.add_argument("--run", type=_run_type, default=None, help="run type (default SF)")
    load_files.add_argument("--json", action="store_true", help="print the summary as JSON")
    load_files.add_argument(
        "--effective-from",
        type=_date,
        metavar="DATE",
        help="date a BM unit register without an Effective From column of its own "
        "(R-REG-DATED; default: the import date)",
    )
    load_files.add_argument(
        "--strict", action="store_true", help="refuse the import if there is any warning"
    )
    load_files.add_argument("files", nargs="+", type=Path, help="data files")
    load_files.set_defaults(handler=_cmd_import)
    from workbench.cli.disputes import add_commands
    from workbench.cli.register import add_commands as add_register_commands

    add_commands(commands)
    add_register_commands(commands)
    from workbench.cli.fetch import add_command as add_fetch_command

    add_fetch_command(commands)
    from workbench.cli.reconcile import add_command as add_reconcile_command

    add_reconcile_command(commands)
    return parser


def _open(target: str):
    from workbench.cli.common import open_db

    return open_db(target)


def _megabytes(size: int | None) -> str:
    return "n/a" if size is None else f"{size / 1e6:,.1f} MB"


def _cmd_gui(args: argparse.Namespace) -> int:
    # The database starts opening (and its run loading) before Qt and pyqtgraph are imported.
    from workbench.gui import preload, recent_files

    path, note = args.path, None
    if path:
        path = recent_files.absolute(path)
    else:  # no path: the database open last time, if it is still there
        path, note = recent_files.last_database(preload.default_settings())
    started = preload.start(path) if path else None
    from workbench.gui.app import run_gui

    return run_gui(path, smoke_test=args.smoke_test, preload=started, note=note)


def _cmd_demo(args: argparse.Namespace) -> int:
    from models.db.database import ELEXON_ATTRIBUTION
    from models.demo.generator import DEFAULT_DATE, DemoSpec, generate_demo

    spec = DemoSpec(
        bmus=args.bmus, start_date=args.date or DEFAULT_DATE, days=args.days, seed=args.seed
    )
    show_progress = sys.stderr.isatty()

    def progress(fraction: float, message: str) -> None:
        if show_progress:
            print(f"\r{fraction:4.0%} {message:<40}", end="", file=sys.stderr, flush=True)

    summary = generate_demo(args.db, spec, overwrite=args.force, progress=progress)
    if show_progress:
        print(file=sys.stderr)
    print(f"Created demo settlement database {summary.location}")
    print(
        f"  {summary.bm_units:,} BM units of {summary.parties:,} parties; "
        f"{spec.days} settlement date(s) from {spec.start_date.isoformat()}; seed {spec.seed}"
    )
    print(
        f"  {summary.runs} runs (II, SF, R1 per date); "
        f"{_megabytes(summary.size_bytes)} written in {summary.seconds:.1f} s"
    )
    rows = summary.rows_per_run
    print(
        "  per date: "
        f"{rows.get('acceptance', 0):,} acceptances, {rows.get('bid_offer', 0):,} bid-offer "
        f"records, {rows.get('metered_volume', 0):,} metered volumes, "
        f"{rows.get('ecvn', 0):,} ECVNs, {rows.get('bsad_action', 0):,} BSAD actions"
    )
    print(f"  {ELEXON_ATTRIBUTION}")
    return EXIT_OK


def _cmd_runs(args: argparse.Namespace) -> int:
    from models.runs.run_store import list_runs

    with _open(args.db) as db, db.engine.connect() as conn:
        runs = list_runs(conn, args.date)
    if args.json:
        print(json.dumps([r.as_json() for r in runs], indent=2))
        return EXIT_OK
    if not runs:
        print("no settlement runs" + (f" for {args.date}" if args.date else ""))
        return EXIT_OK
    header = (
        f"{'id':>4}  {'date':<10}  {'run':<5}  {'kind':<8}  {'status':<7}  {'units':>6}  "
        f"{'parties':>7}  {'accept.':>7}  {'BOD':>8}  {'metered':>8}  source"
    )
    print(header)
    print("-" * len(header))
    for r in runs:
        run = r.run_type + (f"#{r.run_number}" if r.run_number != 1 else "")
        print(
            f"{r.id:>4}  {r.settlement_date.isoformat():<10}  {run:<5}  {r.kind:<8}  "
            f"{r.status:<7}  {r.bm_units:>6,}  {r.parties:>7,}  {r.acceptances:>7,}  "
            f"{r.bid_offer_records:>8,}  {r.metered_volumes:>8,}  {r.source}"
        )
    return EXIT_OK


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

    with _open(args.db) as db:
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


def _cmd_settle(args: argparse.Namespace) -> int:
    import time

    from models.casefiles.results_json import result_document
    from models.runs.completeness import run_completeness
    from models.runs.results_store import settle_run
    from models.runs.run_store import find_run
    from workbench.cli.report import print_summary

    with _open(args.db) as db:
        with db.engine.connect() as conn:
            run = find_run(conn, args.date, args.run, args.run_number)
        began = time.perf_counter()
        result = settle_run(db, run.id, tuple(args.periods) if args.periods else None)
        seconds = time.perf_counter() - began
        with db.engine.connect() as conn:
            completeness = run_completeness(conn, run.id, result)
    document = result_document(result)
    if args.json:
        document["completeness"] = completeness.as_json()
        print(json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False))
        return EXIT_OK
    # The completeness report lists the known gaps: not twice.
    print_summary(document, f"run {run.label}", party_limit=15, known_gaps=False)
    print()
    print(completeness.text())
    print(f"\nresults stored in {args.db} ({seconds:.1f} s)")
    return EXIT_OK


def _cmd_show(args: argparse.Namespace) -> int:
    from models.runs.completeness import run_completeness
    from models.runs.results_store import stored_document
    from models.runs.run_store import find_run
    from workbench.cli.report import print_summary

    with _open(args.db) as db, db.engine.connect() as conn:
        run = find_run(conn, args.date, args.run, args.run_number)
        document = stored_document(conn, run.id)
        completeness = run_completeness(conn, run.id)
    if args.json:
        document["completeness"] = completeness.as_json()
        print(json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False))
    else:
        print_summary(document, f"run {run.label}", party_limit=15, known_gaps=False)
        print()
        print(completeness.text())
    return EXIT_OK


def _cmd_import(args: argparse.Namespace) -> int:
    from engine.settlement_calendar import RunType
    from models.imports.loader import import_files
    from models.imports.report import ImportRejected
    from workbench.cli.progress_bar import ProgressBar

    folders = [str(f) for f in args.files if f.is_dir()]
    if folders:
        print(
            f"settlement-workbench: error: {', '.join(folders)}: a folder, not a data file "
            "(give the files in it, e.g. FOLDER/*.json)",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    special = [str(f) for f in args.files if f.exists() and not f.is_file()]
    if special:
        print(
            f"settlement-workbench: error: {', '.join(special)}: not a regular file "
            "(a device or pipe); give a data file",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        print(f"settlement-workbench: error: no such file: {', '.join(missing)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    bar = ProgressBar()
    try:
        with open_or_create(args.db) as db:
            summary = import_files(
                db,
                args.files,
                run_type=args.run or RunType.SF,
                only_date=args.date,
                effective_from=args.effective_from,
                strict=args.strict,
                progress=bar,
            )
    except ImportRejected as exc:
        bar.close()
        if args.json:
            print(json.dumps(exc.report.as_json(), indent=1, ensure_ascii=False))
        print(exc.report.text(), file=sys.stderr)
        return EXIT_BAD_INPUT
    bar.close()
    if args.json:
        print(json.dumps(summary.as_json(), indent=1, ensure_ascii=False))
    else:
        print(summary.text())
    return EXIT_OK


COMMANDS = (
    "demo",
    "runs",
    "case",
    "settle",
    "show",
    "gui",
    "import",
    "fetch",
    "scenario",
    "dispute",
    "export",
    "register",
    "reconcile",
)


def _remember_verified_databases() -> None:
    """Databases found sound are remembered between runs (models.db.verified_files), in the
    user's private state folder: an unchanged 4 GB database is not scanned at every launch."""
    from models.db import verified_files
    from workbench.error_log import log_folder

    verified_files.STORE = log_folder() / "verified-databases.json"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _remember_verified_databases()
    # No command, or a database path: the desktop application.
    if not argv or (argv[0] not in COMMANDS and not argv[0].startswith("-")):
        return _cmd_gui(argparse.Namespace(path=argv[0] if argv else None, smoke_test=False))
    parser = build_parser()
    args = parser.parse_args(argv)
    from engine.errors import EngineInputError
    from models.core.errors import WorkbenchInputError

    try:
        return args.handler(args)
    except (WorkbenchInputError, EngineInputError) as exc:
        print(f"settlement-workbench: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("settlement-workbench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        from datetime import UTC, datetime

        from workbench.cli.common import failure_line, short_reason
        from workbench.error_log import write_error_log

        # Failures of the disk, the database file or memory are the user's to act on: one
        # line, exit 2. Anything else is a defect: one line, the details in the error log.
        line = failure_line(exc, getattr(args, "db", None))
        if line is not None:
            print(f"settlement-workbench: error: {one_line(line)}", file=sys.stderr)
            return EXIT_BAD_INPUT
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        log = write_error_log(f"--- {stamp} {' '.join(argv)[:500]}\n{traceback.format_exc()}\n")
        where = f"details in {log}" if log else "no error log could be written"
        print(
            f"settlement-workbench: internal error: {one_line(short_reason(exc))} ({where})",
            file=sys.stderr,
        )
        return EXIT_FAILURE
