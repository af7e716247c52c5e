"""`settlement-workbench`: the command line. This module assembles the parser from the command
modules (one per command group, in the order `--help` lists them) and dispatches to them.

Every command that reads user input reports bad input as one line on stderr and exits 2;
an unexpected failure prints one line pointing at a log with the details and exits 1. No
traceback ever reaches the user's terminal.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from workbench import version
from workbench.cli import (
    case,
    db,
    demo,
    disputes,
    export,
    fetch,
    gui,
    impact,
    imports,
    listen,
    reconcile,
    register,
    runs,
    scenario,
    settle,
)
from workbench.cli.common import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, OneLineParser, one_line

# Each adds its commands (`add_commands(commands)`); settle adds `settle` and `show`.
GROUPS = (demo, runs, case, gui, settle, imports, scenario, disputes, export, register, fetch,
          reconcile, impact, listen, db)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="settlement-workbench",
        description="Check Great Britain Balancing Mechanism settlement: open settlement run "
        "databases, re-run the settlement step by step, compare runs. Without a command (or "
        "with a database PATH) the desktop workbench opens.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in GROUPS:
        group.add_commands(commands)
    return parser


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
    "impact",
    "listen",
    "db",
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
    if not argv:
        return gui.open_gui(None)
    if argv[0] not in COMMANDS and not argv[0].startswith("-"):
        argv = ["gui", *argv]  # PATH [--smoke-test]: the gui command's arguments
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
