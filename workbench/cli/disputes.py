"""Command line of disputes: scenarios, comparisons, dispute cases and Excel exports."""

from __future__ import annotations

import argparse
import getpass
import json
import re
import sys
from pathlib import Path

from workbench.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    date_arg,
    one_line,
    open_db,
    periods_arg,
    run_type_arg,
    text_arg,
    whole_number_arg,
)

# Run, scenario and case ids, and run numbers: whole numbers that fit a database integer.
_id = whole_number_arg(1, 2**63 - 1)


def _json_value(text: str):
    from models.casefiles.validate import JsonTooDeep, json_value_errors, loads_json, shown

    try:
        value = loads_json(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not JSON ({exc.msg}): {shown(text)}") from None
    except JsonTooDeep as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    for path, problem in json_value_errors(value):
        raise argparse.ArgumentTypeError(f"{path or shown(text)}: {problem}")
    return value


SHORTCUTS = {
    # flag: (kind, pattern, (target keys), value builder)
    "metered": (
        "metered_volume",
        r"^(?P<bm_unit>[^:=]+):(?P<period>\d+)=(?P<v>.+)$",
        lambda v: None if v == "none" else {"mwh": float(v)},
    ),
    "remove_acceptance": (
        "remove_acceptance",
        r"^(?P<bm_unit>[^:=]+):(?P<number>\d+)$",
        lambda v: None,
    ),
    "tlf": ("tlf", r"^(?P<bm_unit>[^:=]+)=(?P<v>.+)$", lambda v: {"tlf": float(v)}),
    "mip": ("mip", r"^(?P<period>\d+)=(?P<v>.+)$", lambda v: {"price": float(v)}),
}


def add_commands(commands) -> None:
    author = getpass.getuser()
    scenario = commands.add_parser(
        "scenario", help="what-if scenarios on a run: create, edit, undo, redo, settle, compare"
    )
    actions = scenario.add_subparsers(dest="scenario_command", metavar="ACTION", required=True)

    create = actions.add_parser("create", help="a new scenario on a run")
    create.add_argument("--db", required=True)
    create.add_argument("--date", type=date_arg, required=True, help="settlement date")
    create.add_argument("--run", type=run_type_arg, required=True, help="run type of the base")
    create.add_argument("--run-number", type=_id, help="run number (default: latest)")
    create.add_argument(
        "--name", required=True, type=text_arg, help="scenario name, unique on its base run"
    )
    create.add_argument("--author", default=author)
    create.add_argument("--reason", default="", type=text_arg)
    create.set_defaults(handler=_create)

    edit = actions.add_parser(
        "edit",
        help="apply one edit (recorded with who, when, old and new value, why)",
        description="Give one edit: --metered BMU:PERIOD=MWH (or =none), --remove-acceptance "
        "BMU:NUMBER, --tlf BMU=VALUE, --mip PERIOD=PRICE, or any kind with --kind, --target "
        "JSON and --value JSON (kinds: metered_volume, remove_acceptance, add_acceptance, "
        "acceptance_levels, acceptance_flags, bid_offer_price, tlf, ecvn, bsad, mip).",
    )
    edit.add_argument("--db", required=True)
    edit.add_argument("--scenario", type=_id, required=True, help="scenario run id")
    edit.add_argument("--metered", metavar="BMU:PERIOD=MWH")
    edit.add_argument("--remove-acceptance", metavar="BMU:NUMBER")
    edit.add_argument("--tlf", metavar="BMU=TLF")
    edit.add_argument("--mip", metavar="PERIOD=PRICE")
    edit.add_argument("--kind")
    edit.add_argument(
        "--target", type=_json_value, help='e.g. \'{"bm_unit": "T_X-1", "period": 3}\''
    )
    edit.add_argument("--value", type=_json_value, help="new value as JSON (null removes)")
    edit.add_argument("--author", default=author)
    edit.add_argument(
        "--reason", required=True, type=text_arg, help="why (kept in the audit trail)"
    )
    edit.set_defaults(handler=_edit)

    for name, helptext in (("undo", "undo the latest edit"), ("redo", "redo the undone edit")):
        action = actions.add_parser(name, help=helptext)
        action.add_argument("--db", required=True)
        action.add_argument("--scenario", type=_id, required=True)
        action.add_argument("--author", default=author)
        action.set_defaults(handler=_undo_redo, action=name)

    show = actions.add_parser("show", help="a scenario's edits and audit trail")
    show.add_argument("--db", required=True)
    show.add_argument("--scenario", type=_id, required=True)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)

    settle = actions.add_parser("settle", help="settle the scenario's date and store results")
    settle.add_argument("--db", required=True)
    settle.add_argument("--scenario", type=_id, required=True)
    settle.add_argument("--author", default=author)
    settle.set_defaults(handler=_settle)

    compare = actions.add_parser("compare", help="a scenario against its base, or two runs")
    compare.add_argument("--db", required=True)
    which = compare.add_mutually_exclusive_group(required=True)
    which.add_argument("--scenario", type=_id, help="compare with its base run")
    which.add_argument("--runs", type=_id, nargs=2, metavar=("RUN_A", "RUN_B"))
    compare.add_argument("--json", action="store_true")
    compare.set_defaults(handler=_compare)

    dispute = commands.add_parser(
        "dispute", help="dispute cases: create, list, show, add a scenario, set the status"
    )
    d_actions = dispute.add_subparsers(dest="dispute_command", metavar="ACTION", required=True)
    d_create = d_actions.add_parser("create", help="open a dispute case on a run")
    d_create.add_argument("--db", required=True)
    d_create.add_argument("--reference", required=True, type=text_arg)
    d_create.add_argument("--party", required=True, type=text_arg, help="raising party id")
    d_create.add_argument("--run-id", type=_id, required=True, help="the run concerned")
    d_create.add_argument(
        "--category", default="general", choices=["general", "sva", "profile", "market_domain"]
    )
    d_create.add_argument("--description", default="", type=text_arg)
    d_create.add_argument("--periods", type=periods_arg, help="periods, e.g. 27,28 or 27-30")
    d_create.add_argument(
        "--run-date",
        type=date_arg,
        help="when the run concerned was carried out (default: its settlement calendar day, "
        "II 5, SF 16, R1 39, R2 84, R3 154, RF 292 working days after the settlement day; "
        "required for DF)",
    )
    d_create.set_defaults(handler=_dispute_create)
    d_list = d_actions.add_parser("list", help="all cases with their raise-by dates")
    d_list.add_argument("--db", required=True)
    d_list.add_argument("--json", action="store_true")
    d_list.set_defaults(handler=_dispute_list)
    d_add = d_actions.add_parser("add-scenario", help="attach a scenario to a case")
    d_add.add_argument("--db", required=True)
    d_add.add_argument("--case", required=True, help="case id or reference")
    d_add.add_argument("--scenario", type=_id, required=True)
    d_add.set_defaults(handler=_dispute_add)
    d_status = d_actions.add_parser("status", help="set a case's status")
    d_status.add_argument("--db", required=True)
    d_status.add_argument("--case", required=True)
    d_status.add_argument(
        "status", choices=["open", "raised", "upheld", "rejected", "withdrawn", "closed"]
    )
    d_status.set_defaults(handler=_dispute_status)

    export = commands.add_parser(
        "export", help="Excel: a case's evidence pack, a comparison, or a whole run"
    )
    export.add_argument("--db", required=True)
    what = export.add_mutually_exclusive_group(required=True)
    what.add_argument("--case", help="dispute case id or reference")
    what.add_argument("--compare", type=_id, nargs=2, metavar=("RUN_A", "RUN_B"))
    what.add_argument("--run", type=run_type_arg, help="run type (with --date)")
    export.add_argument("--date", type=date_arg, help="settlement date (with --run)")
    export.add_argument("--run-number", type=_id)
    out = export.add_mutually_exclusive_group(required=True)
    out.add_argument("--xlsx", type=Path, help="workbook to write")
    out.add_argument(
        "--s0142", type=Path, metavar="OUT", help="the run's settlement as an S0142 (with --run)"
    )
    export.set_defaults(handler=_export)


def _scenario_label(conn, scenario_id: int) -> str:
    from models.runs.run_store import get_run

    return get_run(conn, scenario_id, light=True).label


def _create(args) -> int:
    from models.runs.run_store import find_run
    from models.runs.scenarios.store import create_scenario

    with open_db(args.db) as db, db.engine.begin() as conn:
        base = find_run(conn, args.date, args.run, args.run_number)
        scenario = create_scenario(conn, base.id, args.name, author=args.author, reason=args.reason)
    print(f"scenario {scenario} {args.name!r} on run {base.id} ({base.label})")
    return EXIT_OK


def _edit_request(args) -> tuple[str, dict, dict | None]:
    chosen = [(flag, getattr(args, flag)) for flag in SHORTCUTS if getattr(args, flag)]
    if args.kind:
        chosen.append(("kind", args.kind))
    if len(chosen) != 1:
        raise argparse.ArgumentTypeError(
            "give exactly one edit: --metered, --remove-acceptance, --tlf, --mip or --kind"
        )
    flag, text = chosen[0]
    if flag == "kind":
        if args.target is None:
            raise argparse.ArgumentTypeError("--kind needs --target JSON (and --value JSON)")
        return args.kind, args.target, args.value
    kind, pattern, build = SHORTCUTS[flag]
    match = re.match(pattern, text)
    if match is None:
        raise argparse.ArgumentTypeError(
            f"--{flag.replace('_', '-')} {text!r}: not in the form of the help"
        )
    groups = match.groupdict()
    value = build(groups.pop("v", None))
    target = {k: int(v) if k in ("period", "number") else v for k, v in groups.items()}
    return kind, target, value


def _edit(args) -> int:
    from models.runs.scenarios.store import edit

    try:
        kind, target, value = _edit_request(args)
    except argparse.ArgumentTypeError as exc:
        print(f"settlement-workbench: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    with open_db(args.db) as db, db.engine.begin() as conn:
        record = edit(
            conn, args.scenario, kind, target, value, author=args.author, reason=args.reason
        )
    print(
        f"edit {record.seq}: {record.describe()}: {json.dumps(record.old_value)} → "
        f"{json.dumps(record.new_value)}"
    )
    return EXIT_OK


def _undo_redo(args) -> int:
    from models.runs.scenarios import store

    with open_db(args.db) as db, db.engine.begin() as conn:
        record = getattr(store, args.action)(conn, args.scenario, author=args.author)
    if record is None:
        print(f"nothing to {args.action}")
    else:
        print(f"{args.action}: edit {record.seq}, {record.describe()}")
    return EXIT_OK


def _show(args) -> int:
    from models.runs.scenarios.store import audit_trail, overrides

    with open_db(args.db) as db, db.engine.connect() as conn:
        label = _scenario_label(conn, args.scenario)
        edits = overrides(conn, args.scenario, active_only=False)
        trail = audit_trail(conn, args.scenario)
    if args.json:
        print(
            json.dumps(
                {
                    "scenario": args.scenario,
                    "label": label,
                    "edits": [
                        {
                            "seq": e.seq,
                            "kind": e.kind,
                            "target": e.target,
                            "old": e.old_value,
                            "new": e.new_value,
                            "reason": e.reason,
                            "author": e.author,
                            "at": e.created_at.isoformat(),
                            "active": e.active,
                        }
                        for e in edits
                    ],
                    "audit": [
                        {
                            "seq": a.seq,
                            "action": a.action,
                            "what": a.what,
                            "author": a.author,
                            "at": a.at.isoformat(),
                            "reason": a.reason,
                        }
                        for a in trail
                    ],
                },
                indent=1,
                ensure_ascii=False,
            )
        )
        return EXIT_OK
    print(label)
    for e in edits:
        state = "" if e.active else " (undone)"
        print(
            f"  {e.seq}. {e.describe()}{state}: {json.dumps(e.old_value)} → "
            f"{json.dumps(e.new_value)}; {e.author}: {e.reason}"
        )
    print("audit trail:")
    for a in trail:
        print(f"  {a.at:%Y-%m-%d %H:%M:%S} {a.author} {a.action}: {a.what}")
    return EXIT_OK


def _settle(args) -> int:
    from models.runs.results_store import settle_run
    from models.runs.scenarios.store import record_settle, require_scenario

    with open_db(args.db) as db:
        with db.engine.connect() as conn:
            require_scenario(conn, args.scenario)
        result = settle_run(db, args.scenario)
        failed = sum(not c.ok for c in result.checks)
        summary = (
            f"settled {result.inputs.bm.settlement_date}: {len(result.inputs.periods)} "
            f"periods, {failed} failed check(s)"
        )
        with db.engine.begin() as conn:
            record_settle(conn, args.scenario, author=args.author, summary=summary)
    print(summary)
    return EXIT_OK


def _compare(args) -> int:
    from models.exports.packs import compare_runs
    from models.runs.run_store import get_run

    with open_db(args.db) as db:
        if args.scenario is not None:
            with db.engine.connect() as conn:
                scenario = get_run(conn, args.scenario, light=True)
            if scenario.base_run_id is None:
                print(
                    f"settlement-workbench: error: run {args.scenario} is not a scenario; "
                    "use --runs",
                    file=sys.stderr,
                )
                return EXIT_BAD_INPUT
            first, second = scenario.base_run_id, args.scenario
        else:
            first, second = args.runs
        comparison, _, _ = compare_runs(db, first, second)
    if args.json:
        print(json.dumps(comparison_json(comparison), indent=1, ensure_ascii=False))
        return EXIT_OK
    print(f"{comparison.second_label} against {comparison.first_label}")
    print(
        f"{'party':12s} {'CBM Δ £':>14s} {'CND Δ £':>12s} {'CAEI Δ £':>14s} {'RCRC Δ £':>14s} "
        f"{'net Δ £':>14s}"
    )
    frame = comparison.parties
    moved = frame[
        frame[[f"{c}_delta" for c in ("cbm", "cnd", "caei", "rcrc", "net")]].abs().max(axis=1)
        > 0.005
    ]
    for row in moved.itertuples(index=False):
        print(
            f"{row.party:12s} {row.cbm_delta:14,.2f} {row.cnd_delta:12,.2f} "
            f"{row.caei_delta:14,.2f} {row.rcrc_delta:14,.2f} {row.net_delta:14,.2f}"
        )
    print()
    for line in comparison.explanation:
        print(f"- {line}")
    return EXIT_OK


def comparison_json(c) -> dict:
    def records(frame):
        return json.loads(frame.to_json(orient="records", double_precision=10))

    return {
        "first": c.first_label,
        "second": c.second_label,
        "periods": c.periods,
        "materiality": {
            "net_total": c.net_total,
            "absolute_total": c.absolute_total,
            "threshold": c.threshold,
            "material": c.material,
            "verdict": c.verdict(),
        },
        "explanation": c.explanation,
        "parties": records(c.parties),
        "periods_summary": records(c.period_summary),
        "units": records(c.units),
        "party_periods": records(c.party_periods),
    }


def _dispute_create(args) -> int:
    from models.disputes.cases import create_case, get_case

    periods = args.periods or None
    with open_db(args.db) as db, db.engine.begin() as conn:
        case_id = create_case(
            conn,
            reference=args.reference,
            raising_party=args.party,
            run_id=args.run_id,
            category=args.category,
            description=args.description,
            periods=periods,
            run_date=args.run_date,
        )
        case = get_case(conn, case_id)
    print(f"case {case.id} {case.reference}: raise by {case.deadline} ({case.deadline_rule})")
    return EXIT_OK


def _dispute_list(args) -> int:
    from models.disputes.cases import list_cases

    with open_db(args.db) as db, db.engine.connect() as conn:
        cases = list_cases(conn)
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
    from models.disputes.cases import add_scenario, get_case

    with open_db(args.db) as db, db.engine.begin() as conn:
        case = get_case(conn, args.case)
        add_scenario(conn, case.id, args.scenario)
    print(f"scenario {args.scenario} added to case {case.reference}")
    return EXIT_OK


def _dispute_status(args) -> int:
    from models.disputes.cases import get_case, set_status

    with open_db(args.db) as db, db.engine.begin() as conn:
        case = get_case(conn, args.case)
        set_status(conn, case.id, args.status)
    print(f"case {case.reference}: {args.status}")
    return EXIT_OK


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
