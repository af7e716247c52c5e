"""`settlement-workbench impact`: re-settle a date range with the rulebook's rules and with a
rule variant (a registered one, or `--set` parameter values) and report what changed: price
and NIV deltas, worst periods, price-setter changes, £ per party and charge (issue 22).

Runs in this process by default; `--processes N` uses a process pool, `--workers N` a local
Dask cluster on 127.0.0.1, `--scheduler tcp://host:port` an existing Dask cluster. A date
that fails every attempt is listed and the exit code is 1; Ctrl-C cancels what is not done.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from workbench.cli.args import add_db, date_arg, run_type_arg, whole_number_arg
from workbench.cli.common import EXIT_FAILURE, EXIT_OK

WORKERS = whole_number_arg(1, 256)
WORST_SHOWN = 5
PARTIES_SHOWN = 10


def _variant_arg(text: str):
    from engine.variants import VariantError, variant_named

    try:
        return variant_named(text)
    except VariantError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _setting_arg(text: str) -> str:
    from engine.variants import VariantError, parse_setting

    try:
        parse_setting(text)
    except VariantError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _run_types_arg(text: str) -> tuple:
    """'SF' or 'SF,R1' → run types, in the order given, each once."""
    return tuple(dict.fromkeys(run_type_arg(part) for part in text.split(",")))


def _scheduler_arg(text: str) -> str:
    from models.impact.cluster import scheduler_address_error

    problem = scheduler_address_error(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


def add_commands(commands) -> None:
    impact = commands.add_parser(
        "impact", help="re-settle a date range under a rule variant and report the deltas"
    )
    add_db(impact)
    impact.add_argument("--from", dest="first", type=date_arg, required=True, help="first date")
    impact.add_argument("--to", dest="last", type=date_arg, required=True, help="last date")
    rules = impact.add_mutually_exclusive_group(required=True)
    rules.add_argument("--variant", type=_variant_arg, help="a registered rule variant")
    rules.add_argument(
        "--set",
        dest="settings",
        action="append",
        type=_setting_arg,
        metavar="P=V",
        help="a parameter value, e.g. PAR=50 (PAR, RPAR, DMAT, CADL, VoLL, α); repeatable",
    )
    impact.add_argument(
        "--runs", type=_run_types_arg, default=(), help="only these run types, e.g. SF or SF,R1"
    )
    where = impact.add_mutually_exclusive_group()
    where.add_argument("--workers", type=WORKERS, help="start a local Dask cluster of N workers")
    where.add_argument(
        "--scheduler", type=_scheduler_arg, help="use the Dask scheduler at tcp://host:port"
    )
    where.add_argument("--processes", type=WORKERS, help="a plain process pool of N (no Dask)")
    impact.add_argument("--json", action="store_true", help="print the impact-report/1 JSON")
    impact.add_argument(
        "--xlsx", metavar="OUT", help="also write the report as an Excel workbook, with charts"
    )
    impact.set_defaults(handler=_cmd_impact)


def _executor(args: argparse.Namespace):
    from contextlib import nullcontext

    from models.impact.cluster import existing_scheduler, local_cluster
    from models.impact.execute import PoolExecutor, SerialExecutor

    if args.workers:
        return local_cluster(args.workers)
    if args.scheduler:
        return existing_scheduler(args.scheduler)
    if args.processes:
        return PoolExecutor(args.processes)
    return nullcontext(SerialExecutor())


def _cmd_impact(args: argparse.Namespace) -> int:
    from engine.variants import VariantError, variant_from_settings
    from models.core.errors import WorkbenchInputError
    from models.impact.execute import progress_text, run_days
    from models.impact.plan import impact_plan
    from models.impact.report import impact_report
    from workbench.cli.common import open_db
    from workbench.cli.progress_bar import ProgressBar

    try:
        variant = args.variant or variant_from_settings(args.settings)
    except VariantError as exc:
        raise WorkbenchInputError(str(exc)) from None
    if args.xlsx:
        from models.exports.impact_xlsx import workbook_target

        workbook_target(args.xlsx)  # a missing folder is said now, not after the days
    with open_db(args.db) as db, db.engine.connect() as conn:
        tasks = impact_plan(conn, args.first, args.last, args.runs)
    bar = ProgressBar()
    began = time.perf_counter()

    def progress(p) -> None:
        seconds = time.perf_counter() - began
        bar(p.done / p.total, progress_text(p.done, p.total, seconds, p.failed, p.retried))

    try:
        with _executor(args) as executor:
            done = run_days(executor, args.db, tasks, variant, progress=progress)
            where = executor.name
    finally:
        bar.close()
    seconds = time.perf_counter() - began
    report = impact_report(
        variant, args.first, args.last, done.impacts, done.failures, retries=done.retries
    )
    document = report.as_json()
    if args.xlsx:
        from models.exports.impact_xlsx import write_impact_workbook

        written = write_impact_workbook(report, args.xlsx, where=where)
        print(f"wrote {written}", file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False))
    else:
        _print_report(document, where, seconds)
    return EXIT_FAILURE if done.failures else EXIT_OK


def _money(value: float) -> str:
    return f"{value:+,.2f}"


def _print_report(document: dict, where: str, seconds: float) -> None:
    variant = document["variant"]
    print(f"Impact of {variant['name']}: {variant['description']}")
    print(f"  rules changed: {', '.join(variant['rule_ids']) or 'none'}")
    print(
        f"  {document['days']} day(s), {document['runs']} run(s) from {document['from']} to "
        f"{document['to']}; {where}, {seconds:.1f} s"
    )
    for run_type, section in document["run_types"].items():
        print(f"\n{run_type}: {section['runs']} run(s), {section['periods']} periods")
        for label, key, unit in (("price", "price_delta", "£/MWh"), ("NIV", "niv_delta", "MWh")):
            d = section[key]
            line = f"  {label} Δ ({unit}): {d['changed']} of {d['count']} periods changed"
            if d["count"]:
                line += (
                    f"; mean {d['mean']:+.2f}, mean |Δ| {d['mean_abs']:.2f}, min {d['min']:+.2f}, "
                    f"5% {d['p5']:+.2f}, median {d['p50']:+.2f}, 95% {d['p95']:+.2f}, "
                    f"max {d['max']:+.2f}"
                )
            if d["unavailable"]:
                line += f"; {d['unavailable']} unavailable"
            print(line)
        print(f"  price setter changed in {section['price_setter_changed']['count']} period(s)")
        if section["worst_periods"]:
            print("  worst periods (£/MWh):")
            for w in section["worst_periods"][:WORST_SHOWN]:
                print(
                    f"    {w['settlement_date']} P{w['period']:02d}  {w['price_base']:9.2f} → "
                    f"{w['price_variant']:9.2f}  Δ {w['price_delta']:+9.2f}  "
                    f"({w['setter_variant']})"
                )
        print("  £ per party (Δ variant − base; CBM, RCRC paid to, CND, CAEI paid by the party):")
        for p in section["parties"][:PARTIES_SHOWN]:
            print(
                f"    {p['party']:<12} net {_money(p['net_delta']):>14}  CAEI "
                f"{_money(p['caei_delta']):>14}  RCRC {_money(p['rcrc_delta']):>14}  CND "
                f"{_money(p['cnd_delta']):>12}  CBM {_money(p['cbm_delta']):>12}"
            )
        if len(section["parties"]) > PARTIES_SHOWN:
            print(f"    … {len(section['parties']) - PARTIES_SHOWN} more (--json lists all)")
        totals = section["totals"]
        print(
            "  totals Δ: " + ", ".join(f"{c.upper()} {_money(totals[c]['delta'])}" for c in totals)
        )
    for r in document["retried"]:
        print(f"\nretried {r['settlement_date']}: attempt {r['attempt']} failed: {r['error']}")
    for f in document["failures"]:
        print(f"\nFAILED {f['settlement_date']} after {f['attempts']} attempt(s): {f['error']}")
