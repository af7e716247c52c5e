"""`settlement-workbench demo`: a deterministic GB-like demo database (runs II, SF and R1 of
each date), generated beside its target and renamed into place when complete."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.cli.args import add_date, add_db, whole_number_arg
from workbench.cli.common import EXIT_OK


def add_commands(commands) -> None:
    demo = commands.add_parser("demo", help="create a demo settlement database")
    add_db(demo, "database file to create", type=Path)
    demo.add_argument(
        "--bmus", type=whole_number_arg(12, 20_000), default=60, help="BM units (3000 = GB scale)"
    )
    add_date(demo, "first settlement date (default 2024-06-12)")
    demo.add_argument(
        "--days", type=whole_number_arg(1, 366), default=1, help="consecutive settlement dates"
    )
    demo.add_argument(
        "--seed",
        type=whole_number_arg(0, 2**32 - 1),
        default=1,
        help="random seed (same seed, same data)",
    )
    demo.add_argument("--force", action="store_true", help="replace the file if it exists")
    demo.set_defaults(handler=_cmd_demo)


def _megabytes(size: int | None) -> str:
    return "n/a" if size is None else f"{size / 1e6:,.1f} MB"


def _cmd_demo(args: argparse.Namespace) -> int:
    from models.db.database import ELEXON_ATTRIBUTION
    from models.demo.generator import DEFAULT_DATE, DemoSpec, generate_demo

    spec = DemoSpec(
        bmus=args.bmus, start_date=args.date or DEFAULT_DATE, days=args.days, seed=args.seed
    )
    show_progress = sys.stderr.isatty()

    def progress(fraction: float, message: str) -> None:
        if show_progress:
            print(f"\r{fraction:4.0%} {message:<40}", end="", file=sys.stderr, flush=True)

    summary = generate_demo(args.db, spec, overwrite=args.force, progress=progress)
    if show_progress:
        print(file=sys.stderr)
    print(f"Created demo settlement database {summary.location}")
    print(
        f"  {summary.bm_units:,} BM units of {summary.parties:,} parties; "
        f"{spec.days} settlement date(s) from {spec.start_date.isoformat()}; seed {spec.seed}"
    )
    print(
        f"  {summary.runs} runs (II, SF, R1 per date); "
        f"{_megabytes(summary.size_bytes)} written in {summary.seconds:.1f} s"
    )
    rows = summary.rows_per_run
    print(
        "  per date: "
        f"{rows.get('acceptance', 0):,} acceptances, {rows.get('bid_offer', 0):,} bid-offer "
        f"records, {rows.get('metered_volume', 0):,} metered volumes, "
        f"{rows.get('ecvn', 0):,} ECVNs, {rows.get('bsad_action', 0):,} BSAD actions"
    )
    print(f"  {ELEXON_ATTRIBUTION}")
    return EXIT_OK
