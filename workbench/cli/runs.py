"""`settlement-workbench runs`: the settlement runs a database holds, one line each (or JSON)."""

from __future__ import annotations

import argparse
import json

from workbench.cli.args import add_date, add_db
from workbench.cli.common import EXIT_OK, open_db


def add_commands(commands) -> None:
    runs = commands.add_parser("runs", help="list the settlement runs in a database")
    add_db(runs)
    add_date(runs, "only this settlement date")
    runs.add_argument("--json", action="store_true", help="print JSON")
    runs.set_defaults(handler=_cmd_runs)


def _cmd_runs(args: argparse.Namespace) -> int:
    from models.runs.run_store import list_runs

    with open_db(args.db) as db, db.engine.connect() as conn:
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
