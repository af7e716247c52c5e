"""`settlement-workbench db`: team databases. `db init URL` creates the workbench schema in an
empty database (a server's, or a new SQLite file), `db copy SRC DST` copies every table from
one database to another and verifies the copy by row counts and checksums (all or nothing),
`db check URL` says what a database holds and lacks (schema revision and pending migrations,
immutability triggers, rows, the privileges the workbench needs), changing nothing."""

from __future__ import annotations

import argparse
import sys

from workbench.cli.args import OPENS
from workbench.cli.common import EXIT_BAD_INPUT, EXIT_OK, one_line
from workbench.cli.progress_bar import ProgressBar


def add_commands(commands) -> None:
    db = commands.add_parser(
        "db", help="team databases: create the schema, copy a database, check one"
    )
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)

    init = actions.add_parser(
        "init", help="create the workbench schema in an empty database or a new SQLite file"
    )
    init.add_argument("url", metavar="URL", help=OPENS)
    init.set_defaults(handler=_init)

    copy = actions.add_parser(
        "copy",
        help="copy every table from SRC into DST, verified by row counts and checksums",
        description="Copy every run, scenario, result and cache from SRC into DST (SQLite to a "
        "server and back). The copy is kept only when every table's row count and checksum "
        "read back from DST equal SRC's; otherwise nothing of it is. DST must hold no data "
        "unless --replace is given.",
    )
    copy.add_argument("source", metavar="SRC", help=OPENS)
    copy.add_argument("destination", metavar="DST", help=f"{OPENS} (a new file is created)")
    copy.add_argument(
        "--replace", action="store_true", help="replace what DST holds (a workbench database)"
    )
    copy.set_defaults(handler=_copy)

    check = actions.add_parser(
        "check",
        help="schema revision, pending migrations, immutability triggers, rows and privileges",
    )
    check.add_argument("url", metavar="URL", help=OPENS)
    check.set_defaults(handler=_check)


def _init(args: argparse.Namespace) -> int:
    from models.db.database import SettlementDatabase, head_revision
    from models.db.schema import metadata

    with SettlementDatabase.create(args.url) as db:
        location = db.location
    print(f"created the workbench schema in {location}")
    print(f"  schema revision {head_revision()}: {len(metadata.tables)} tables")
    return EXIT_OK


def _copy(args: argparse.Namespace) -> int:
    from models.db.copy import copy_database

    bar = ProgressBar()
    try:
        report = copy_database(args.source, args.destination, replace=args.replace, progress=bar)
    finally:
        bar.close()
    print(f"copied {report.source} to {report.destination} in {report.seconds:.1f} s")
    print(f"  {report.rows:,} rows in {len(report.tables)} tables, each verified:")
    width = max(len(t.table) for t in report.tables)
    for figures in report.tables:
        if figures.rows:
            print(f"  {figures.table:<{width}} {figures.rows:>10,}  sha256 {figures.checksum}")
    empty = [t.table for t in report.tables if not t.rows]
    if empty:
        print(f"  empty: {', '.join(empty)}")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from models.db.check import check_database

    report = check_database(args.url)
    who = f", user {report.user}" if report.user else ""
    print(f"{report.location}: {report.backend} {report.server_version}{who}")
    if report.pending:
        print(
            f"  schema: revision {report.revision}, this version's is {report.head}: "
            f"{len(report.pending)} migration(s) pending ({', '.join(report.pending)}); "
            "opening it applies them"
        )
    else:
        print(f"  schema: revision {report.revision}, up to date")
    if not report.triggers_visible:
        print("  immutability triggers: not visible to this user (see the note)")
    elif report.triggers_expected:
        present = report.triggers_expected - len(report.triggers_missing)
        print(f"  immutability triggers: {present} of {report.triggers_expected} present")
    else:
        print("  immutability triggers: created by a pending migration")
    if report.privileges_missing:
        for missing in report.privileges_missing:
            print(f"  privileges: lacks {missing}")
    else:
        print("  privileges: all the workbench needs here")
    if report.rows:
        held = {name: count for name, count in report.rows.items() if count}
        print(f"  rows: {sum(report.rows.values()):,} in {len(held)} of {len(report.rows)} tables")
        width = max(map(len, held), default=0)
        for name, count in held.items():
            print(f"    {name:<{width}} {count:>10,}")
    for note in report.notes:
        print(f"  note: {note}")
    problems = report.problems
    if problems:
        line = f"{report.location}: {'; '.join(problems)}"
        print(f"settlement-workbench: error: {one_line(line)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print("  fit for use")
    return EXIT_OK
