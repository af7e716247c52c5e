"""`settlement-workbench register`: the database's dated BM unit register snapshots.

`register list` prints the snapshots (R-REG-DATED: each in force from its effective date
until the next one's); `register show UNIT` prints the unit's history across snapshots and
which snapshot each run holding it was settled with.
"""

from __future__ import annotations

import json

from workbench.cli.args import add_db
from workbench.cli.common import EXIT_BAD_INPUT, EXIT_OK, open_db

SHOWN_COLUMNS = (
    ("lead_party_id", "party"),
    ("pc_status", "P/C"),
    ("tlf", "TLF"),
    ("national_grid_id", "NGC id"),
    ("trading_unit", "trading unit"),
    ("bmu_type", "type"),
)


def add_commands(commands) -> None:
    register = commands.add_parser(
        "register",
        help="BM unit register snapshots: list them, or show one unit's history",
        description="Each imported BM unit register is a snapshot with the date it is "
        "effective from; a settlement date uses the latest snapshot effective on or before it "
        "(else the earliest, with a warning).",
    )
    actions = register.add_subparsers(dest="register_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the register snapshots, by effective date")
    add_db(listing)
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=_list)
    show = actions.add_parser("show", help="a unit across snapshots, and the runs that used them")
    show.add_argument("unit", help="Elexon BM unit id, e.g. T_DRAXX-1")
    add_db(show)
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=_show)


def _list(args) -> int:
    from models.register.snapshots import list_snapshots

    with open_db(args.db) as db, db.engine.connect() as conn:
        snapshots = list_snapshots(conn)
    if args.json:
        print(json.dumps([s.as_json() for s in snapshots], indent=1, ensure_ascii=False))
        return EXIT_OK
    if not snapshots:
        print("no BM unit register snapshots: import a register (settlement-workbench import)")
        return EXIT_OK
    header = f"{'id':>4}  {'effective from':<14}  {'units':>6}  {'imported (UTC)':<16}  source"
    print(header)
    print("-" * len(header))
    for s in snapshots:
        print(
            f"{s.id:>4}  {s.effective_from.isoformat():<14}  {s.units:>6,}  "
            f"{s.imported_at:%Y-%m-%d %H:%M}  {s.source}"
        )
    return EXIT_OK


def _value(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _show(args) -> int:
    import sys

    from models.register.snapshots import unit_history, unit_runs

    with open_db(args.db) as db, db.engine.connect() as conn:
        history = unit_history(conn, args.unit)
        runs = unit_runs(conn, args.unit)
    if not runs and all(entry is None for _, entry in history):
        print(
            f"settlement-workbench: error: {args.unit} is in no register snapshot and no run "
            f"of {args.db}",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    if args.json:
        document = {
            "bm_unit": args.unit,
            "snapshots": [{"snapshot": s.as_json(), "entry": entry} for s, entry in history],
            "runs": [r.as_json() for r in runs],
        }
        print(json.dumps(document, indent=1, ensure_ascii=False))
        return EXIT_OK
    print(f"BM unit {args.unit} across {len(history)} register snapshot(s):")
    header = (
        f"{'id':>4}  {'effective from':<14}  "
        + "  ".join(f"{label:<12}" for _, label in SHOWN_COLUMNS).rstrip()
    )
    print(header)
    print("-" * len(header))
    for snapshot, entry in history:
        start = f"{snapshot.id:>4}  {snapshot.effective_from.isoformat():<14}  "
        if entry is None:
            print(start + "(not listed)")
        else:
            print((start + "  ".join(f"{_value(entry[c]):<12}" for c, _ in SHOWN_COLUMNS)).rstrip())
    print(f"\nRuns holding {args.unit}: {len(runs)}")
    for r in runs:
        if r.register_snapshot_id is None:
            source = "not from a register (case file)" if r.registered else "no register"
        else:
            source = f"snapshot {r.register_snapshot_id}"
        state = "" if r.registered else ", unregistered (R-REG-UNREGISTERED)"
        print(f"  run {r.run_id:>4}  {r.run_label:<20}  {source}{state}")
    return EXIT_OK
