"""`settlement-workbench scenario`: what-if scenarios on a run. Create one, apply recorded
edits (who, when, old and new value, why), undo and redo them, show the audit trail, settle
the scenario and compare it with its base run (or any two runs)."""

from __future__ import annotations

import argparse
import getpass
import json
import re
import sys

from workbench.cli.args import add_date, add_db, add_run, add_run_number, id_arg, text_arg
from workbench.cli.common import EXIT_BAD_INPUT, EXIT_OK, one_line, open_db


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
    add_db(create)
    add_date(create, required=True)
    add_run(create, "run type of the base", required=True)
    add_run_number(create)
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
    add_db(edit)
    edit.add_argument("--scenario", type=id_arg, required=True, help="scenario run id")
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
        add_db(action)
        action.add_argument("--scenario", type=id_arg, required=True)
        action.add_argument("--author", default=author)
        action.set_defaults(handler=_undo_redo, action=name)

    show = actions.add_parser("show", help="a scenario's edits and audit trail")
    add_db(show)
    show.add_argument("--scenario", type=id_arg, required=True)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)

    settle = actions.add_parser("settle", help="settle the scenario's date and store results")
    add_db(settle)
    settle.add_argument("--scenario", type=id_arg, required=True)
    settle.add_argument("--author", default=author)
    settle.set_defaults(handler=_settle)

    compare = actions.add_parser("compare", help="a scenario against its base, or two runs")
    add_db(compare)
    which = compare.add_mutually_exclusive_group(required=True)
    which.add_argument("--scenario", type=id_arg, help="compare with its base run")
    which.add_argument("--runs", type=id_arg, nargs=2, metavar=("RUN_A", "RUN_B"))
    compare.add_argument("--json", action="store_true")
    compare.set_defaults(handler=_compare)


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
    option = f"--{flag.replace('_', '-')}"
    match = re.match(pattern, text)
    if match is None:
        raise argparse.ArgumentTypeError(f"{option} {text!r}: not in the form of the help")
    groups = match.groupdict()
    given = groups.pop("v", None)
    try:
        value = build(given)
    except ValueError:  # float() of a value that is not a number
        raise argparse.ArgumentTypeError(f"{option} {text!r}: {given!r} is not a number") from None
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
                            "os_user": a.os_user,
                            "db_user": a.db_user,
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
        print(f"  {a.at:%Y-%m-%d %H:%M:%S} {a.who()} {a.action}: {a.what}")
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
