"""`settlement-workbench dispute`: dispute cases on a run, with their raise-by dates (counted
from the run's settlement calendar day); scenarios attach to a case as its evidence."""

from __future__ import annotations

import json

from workbench.cli.args import add_db, add_periods, date_arg, id_arg, text_arg
from workbench.cli.common import EXIT_OK, open_db


def add_commands(commands) -> None:
    dispute = commands.add_parser(
        "dispute",
        help="dispute cases: create, list (with raise-by dates), add a scenario, set the status",
    )
    d_actions = dispute.add_subparsers(dest="dispute_command", metavar="ACTION", required=True)
    d_create = d_actions.add_parser("create", help="open a dispute case on a run")
    add_db(d_create)
    d_create.add_argument("--reference", required=True, type=text_arg)
    d_create.add_argument("--party", required=True, type=text_arg, help="raising party id")
    d_create.add_argument("--run-id", type=id_arg, required=True, help="the run concerned")
    d_create.add_argument(
        "--category", default="general", choices=["general", "sva", "profile", "market_domain"]
    )
    d_create.add_argument("--description", default="", type=text_arg)
    add_periods(d_create, "periods, e.g. 27,28 or 27-30")
    d_create.add_argument(
        "--run-date",
        type=date_arg,
        help="when the run concerned was carried out (default: its settlement calendar day, "
        "II 5, SF 16, R1 39, R2 84, R3 154, RF 292 working days after the settlement day; "
        "required for DF)",
    )
    d_create.set_defaults(handler=_dispute_create)
    d_list = d_actions.add_parser("list", help="all cases with their raise-by dates")
    add_db(d_list)
    d_list.add_argument("--json", action="store_true")
    d_list.set_defaults(handler=_dispute_list)
    d_add = d_actions.add_parser("add-scenario", help="attach a scenario to a case")
    add_db(d_add)
    d_add.add_argument("--case", required=True, help="case id or reference")
    d_add.add_argument("--scenario", type=id_arg, required=True)
    d_add.set_defaults(handler=_dispute_add)
    d_status = d_actions.add_parser("status", help="set a case's status")
    add_db(d_status)
    d_status.add_argument("--case", required=True)
    d_status.add_argument(
        "status", choices=["open", "raised", "upheld", "rejected", "withdrawn", "closed"]
    )
    d_status.set_defaults(handler=_dispute_status)


def _dispute_create(args) -> int:
    from models.disputes.dispute_cases import create_dispute_case, get_dispute_case

    with open_db(args.db) as db, db.engine.begin() as conn:
        case_id = create_dispute_case(
            conn,
            reference=args.reference,
            raising_party=args.party,
            run_id=args.run_id,
            category=args.category,
            description=args.description,
            periods=args.periods,
            run_date=args.run_date,
        )
        case = get_dispute_case(conn, case_id)
    print(f"case {case.id} {case.reference}: raise by {case.deadline} ({case.deadline_rule})")
    return EXIT_OK


def _dispute_list(args) -> int:
    from models.disputes.dispute_cases import list_dispute_cases

    with open_db(args.db) as db, db.engine.connect() as conn:
        cases = list_dispute_cases(conn)
    if args.json:
        print(json.dumps([c.as_json() for c in cases], indent=1, ensure_ascii=False))
        return EXIT_OK
    for c in cases:
        print(
            f"{c.id:4d} {c.reference:16s} {c.raising_party:10s} {c.status:9s} run {c.run_id} "
            f"raise by {c.deadline} scenarios {list(c.scenarios)}"
        )
    if not cases:
        print("no dispute cases")
    return EXIT_OK


def _dispute_add(args) -> int:
    from models.disputes.dispute_cases import add_scenario, get_dispute_case

    with open_db(args.db) as db, db.engine.begin() as conn:
        case = get_dispute_case(conn, args.case)
        add_scenario(conn, case.id, args.scenario)
    print(f"scenario {args.scenario} added to case {case.reference}")
    return EXIT_OK


def _dispute_status(args) -> int:
    from models.disputes.dispute_cases import get_dispute_case, set_status

    with open_db(args.db) as db, db.engine.begin() as conn:
        case = get_dispute_case(conn, args.case)
        set_status(conn, case.id, args.status)
    print(f"case {case.reference}: {args.status}")
    return EXIT_OK
