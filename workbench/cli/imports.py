"""`settlement-workbench import`: Elexon data files into a database, in one transaction:
every record of every file, or nothing and a report of each rejected record (exit code 2)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workbench.cli.args import CREATES, add_date, add_db, add_run, date_arg, id_arg
from workbench.cli.common import EXIT_BAD_INPUT, EXIT_OK, open_or_create


def add_commands(commands) -> None:
    load_files = commands.add_parser(
        "import",
        help="import Elexon data files (Insights JSON/CSV, legacy BMRS CSV, registers, prices)",
        description="Import Elexon data files into a settlement database in one transaction: "
        "every record of every file, or nothing and a report of each rejected record. Each "
        "settlement date gets a new run holding the imported records and what the latest run "
        "of that date and type already held.",
    )
    add_db(load_files, CREATES)
    add_date(load_files, "only records of this settlement date")
    add_run(load_files, "run type (default SF, or the type of the run given to --attach-to-run)")
    load_files.add_argument("--json", action="store_true", help="print the summary as JSON")
    load_files.add_argument(
        "--effective-from",
        type=date_arg,
        metavar="DATE",
        help="date a BM unit register without an Effective From column of its own "
        "(R-REG-DATED; default: the import date)",
    )
    load_files.add_argument(
        "--strict", action="store_true", help="refuse the import if there is any warning"
    )
    load_files.add_argument(
        "--attach-to-run",
        type=id_arg,
        metavar="RUN_ID",
        help="the run to build on instead of the latest of the date and type (ids: runs list): "
        "published figures alone (system prices, the stack) join it; other data makes a new "
        "run carrying it forward. Only its date's records are imported; --run and --date, if "
        "given, must be its own",
    )
    load_files.add_argument("files", nargs="+", type=Path, help="data files")
    load_files.set_defaults(handler=_cmd_import)


def _unreadable(files: list[Path]) -> str | None:
    """Why the files cannot be imported (a folder, a device, a missing file), else None."""
    folders = [str(f) for f in files if f.is_dir()]
    if folders:
        return (
            f"{', '.join(folders)}: a folder, not a data file (give the files in it, e.g. "
            "FOLDER/*.json)"
        )
    special = [str(f) for f in files if f.exists() and not f.is_file()]
    if special:
        return f"{', '.join(special)}: not a regular file (a device or pipe); give a data file"
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        return f"no such file: {', '.join(missing)}"
    return None


def _cmd_import(args: argparse.Namespace) -> int:
    from models.imports.loader import import_files
    from models.imports.report import ImportRejected
    from workbench.cli.progress_bar import ProgressBar

    problem = _unreadable(args.files)
    if problem:
        print(f"settlement-workbench: error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    bar = ProgressBar()
    try:
        with open_or_create(args.db) as db:
            summary = import_files(
                db,
                args.files,
                run_type=args.run,
                only_date=args.date,
                effective_from=args.effective_from,
                strict=args.strict,
                attach_to=args.attach_to_run,
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
