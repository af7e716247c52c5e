"""`settlement-workbench settle` and `show`: settle a stored run and store its results, or
print the results stored, both with the run's completeness report."""

from __future__ import annotations

import argparse
import json

from workbench.cli.args import add_db, add_periods, add_stored_run
from workbench.cli.common import EXIT_OK, open_db


def add_commands(commands) -> None:
    settle = commands.add_parser("settle", help="settle a stored run and store its results")
    add_db(settle)
    add_stored_run(settle)
    add_periods(settle)
    settle.add_argument(
        "--json", action="store_true", help="print the settlement-result/1 JSON (+ completeness)"
    )
    settle.set_defaults(handler=_cmd_settle)

    show = commands.add_parser("show", help="print a run's stored results")
    add_db(show)
    add_stored_run(show)
    show.add_argument("--json", action="store_true", help="print the settlement-result/1 JSON")
    show.add_argument(
        "--provenance",
        action="store_true",
        help="list instead the Insights responses a fetched run's records came from",
    )
    show.set_defaults(handler=_cmd_show)


def _cmd_settle(args: argparse.Namespace) -> int:
    import time

    from models.casefiles.results_json import result_document
    from models.runs.completeness import run_completeness
    from models.runs.results_store import settle_run
    from models.runs.run_store import find_run
    from workbench.cli.report import print_summary

    with open_db(args.db) as db:
        with db.engine.connect() as conn:
            run = find_run(conn, args.date, args.run, args.run_number)
        began = time.perf_counter()
        result = settle_run(db, run.id, args.periods)
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

    with open_db(args.db) as db, db.engine.connect() as conn:
        run = find_run(conn, args.date, args.run, args.run_number)
        if args.provenance:
            from workbench.cli.provenance import print_provenance

            print_provenance(conn, run, args.json)
            return EXIT_OK
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
