"""`settlement-workbench fetch`: a date range from the Elexon Insights API, cached, into runs.

Every answer is checked (whole JSON, the dataset, date and periods asked for) and cached on
arrival; the dates are then imported one all-or-nothing import each, through the same
importer as downloaded files. Nothing is imported unless every request succeeded.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date, timedelta
from pathlib import Path

from workbench.cli.args import CREATES, add_db, add_run, date_arg
from workbench.cli.common import EXIT_BAD_INPUT, EXIT_OK, open_or_create

BASE_URL_SETTING = "SETTLEMENT_WORKBENCH_INSIGHTS_URL"
BACKOFF_SETTING = "SETTLEMENT_WORKBENCH_FETCH_BACKOFF"  # seconds of the first retry's wait
MAX_DAYS = 62


def _datasets(text: str) -> tuple[str, ...]:
    from models.fetch.endpoints import parse_datasets

    try:
        return parse_datasets(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parallel(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 16:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number from 1 to 16")
    return value


def add_commands(commands) -> None:
    from models.fetch.endpoints import DEFAULT_BASE_URL, DEFAULT_DATASETS

    fetch = commands.add_parser(
        "fetch",
        help="fetch settlement dates from the Elexon Insights API and import them",
        description="Fetch everything a settlement of the dates needs from the public Insights "
        "API (BM data, BSAD, market index, LoLP, system prices, the settlement stack and the BM "
        "unit register), cache every answer, and import each date in one transaction. A "
        "second fetch of the same dates asks the server nothing.",
    )
    add_db(fetch, CREATES)
    fetch.add_argument(
        "--from", dest="first", required=True, type=date_arg, metavar="DATE", help="first date"
    )
    fetch.add_argument("--to", dest="last", type=date_arg, metavar="DATE", help="default: --from")
    fetch.add_argument(
        "--datasets",
        type=_datasets,
        default=DEFAULT_DATASETS,
        metavar="LIST",
        help=f"comma-separated, default all: {','.join(DEFAULT_DATASETS)}",
    )
    add_run(fetch, "run type (default SF)")
    fetch.add_argument(
        "--base-url",
        default=os.environ.get(BASE_URL_SETTING) or DEFAULT_BASE_URL,
        help=f"Insights API base URL (setting {BASE_URL_SETTING}; default {DEFAULT_BASE_URL})",
    )
    fetch.add_argument("--cache", type=Path, help="cache directory (default: the user cache)")
    cached = fetch.add_mutually_exclusive_group()
    cached.add_argument(
        "--offline", action="store_true", help="use only the cache: no request at all"
    )
    cached.add_argument(
        "--refresh", action="store_true", help="ask again for answers already in the cache"
    )
    fetch.add_argument(
        "--parallel", type=_parallel, default=4, help="requests in flight at once (default 4)"
    )
    fetch.add_argument(
        "--effective-from",
        type=date_arg,
        metavar="DATE",
        help="date the fetched BM unit register (R-REG-DATED; default: the day it was fetched)",
    )
    fetch.add_argument("--json", action="store_true", help="print the summary as JSON")
    fetch.set_defaults(handler=_cmd_fetch)


def _days(first: date, last: date | None) -> list[date]:
    from models.core.errors import WorkbenchInputError

    last = last or first
    if last < first:
        raise WorkbenchInputError(f"--to {last} is before --from {first}")
    count = (last - first).days + 1
    if count > MAX_DAYS:
        raise WorkbenchInputError(
            f"--from {first} --to {last} is {count} days; fetch at most {MAX_DAYS} at a time"
        )
    return [first + timedelta(days=n) for n in range(count)]


def _client(args):
    from models.fetch.client import ClientSettings, InsightsClient

    settings = ClientSettings(base_url=args.base_url, parallel=args.parallel)
    backoff = os.environ.get(BACKOFF_SETTING)
    if backoff:
        settings.backoff = float(backoff)
        settings.max_retry_after = min(settings.max_retry_after, 100 * float(backoff))
    return InsightsClient(settings)


def _cmd_fetch(args: argparse.Namespace) -> int:
    from engine.settlement_calendar import RunType
    from models.fetch.cache import ResponseCache, default_cache_dir
    from models.fetch.session import fetch_dates, import_dates
    from models.imports.report import ImportRejected
    from workbench.cli.progress_bar import ProgressBar

    days = _days(args.first, args.last)
    cache = ResponseCache(args.cache or default_cache_dir())
    bar = ProgressBar()
    client = None if args.offline else _client(args)
    try:
        fetch = fetch_dates(
            days,
            args.datasets,
            cache,
            args.base_url,
            client,
            refresh=args.refresh,
            effective_from=args.effective_from,
            progress=lambda p: bar(0.7 * p.fraction(), p.text()),
        )
    finally:
        bar.close()
        if client is not None:
            client.close()
    results = []
    try:
        with open_or_create(args.db) as db:
            import_dates(
                db,
                fetch,
                args.run or RunType.SF,
                lambda f, t: bar(0.7 + 0.3 * f, t),
                results,
            )
    except ImportRejected as exc:
        bar.close()
        failed = fetch.staged[len(results)].day.isoformat()
        done = ", ".join(r.day.isoformat() for r in results)
        before = f"; dates imported before it: {done}" if done else ""
        if args.json:
            print(json.dumps(exc.report.as_json(), indent=1, ensure_ascii=False))
        print(exc.report.text(), file=sys.stderr)
        first = exc.report.rejections[0] if exc.report.rejections else None
        origin = first and fetch.staged[len(results)].origin(first.file, first.location)
        if origin:
            print(f"The first refused record is {origin}.", file=sys.stderr)
        print(
            f"settlement-workbench: error: {failed} was not imported{before} (its answers stay "
            "in the cache; --refresh asks for them again)",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    bar.close()
    _print(args, fetch.fetched, results, cache)
    return EXIT_OK


def _print(args, fetched, results, cache) -> None:
    from models.db.database import ELEXON_ATTRIBUTION

    if args.json:
        document = {
            "requests": fetched.requested,
            "from_cache": fetched.from_cache,
            "cache": str(cache.root),
            "dates": [
                {
                    "settlement_date": r.day.isoformat(),
                    "manifest": r.manifest,
                    "files": r.files,
                    "import": r.summary.as_json() if r.summary else None,
                }
                for r in results
            ],
        }
        print(json.dumps(document, indent=1, ensure_ascii=False))
        return
    print(
        f"Fetched {fetched.requested:,} answer(s) from the server, {fetched.from_cache:,} from "
        f"the cache {cache.root}"
    )
    for r in results:
        print(f"{r.day.isoformat()}: manifest {r.manifest}")
        if r.summary is None:
            print("  no records for this date")
        else:
            print("  " + r.summary.text().replace("\n", "\n  "))
    print(ELEXON_ATTRIBUTION)
