"""`settlement-workbench listen`: live data (issue 23) into the database as it is published.

From an AMQP 1.0 queue (`--broker amqp://HOST:PORT --queue NAME`, IRIS's protocol) or from the
folder Elexon's IRIS client writes (`--folder DIR`), or from IRIS itself on Azure Service Bus
(`--iris`: models.live.iris; the client id, queue, namespace and tenant from the options or
the workbench settings, `--remember-iris` keeps them there; the client secret only from
IRIS_CLIENT_SECRET or asked at the terminal, never in the settings). Each message is one
transaction appending to the live run (type II) of its settlement date, acknowledged only after
it committed; a repeat writes nothing; a malformed one is dead-lettered and the stream goes on.
One line per message (--quiet: none); Ctrl+C (or --until-idle SECONDS without a message) stops
cleanly, with a summary.

The live run of a message's day is settled as its data arrives (models.live.indicative; without
metered volumes: volumes, stack and the indicative price), and a line tells each period whose
indicative price, NIV or acceptances changed ("2022-01-01 P17 indicative SSP £90.16/MWh NIV
+7.2 MWh (1 acceptance; stack (R-PRC-MAIN))"), with Elexon's published price once it arrived.
--no-settle leaves the live runs unsettled.

A live run is closed (an ordinary immutable run from then on) when its day is complete: by the
clock, --close-after HOURS after the day's last period ended (default 2; `never`: only by
hand), or by hand with `listen --db D --close-day DATE`.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

from workbench.cli.args import add_db, date_arg, text_arg
from workbench.cli.common import EXIT_OK, open_db

JOIN_SECONDS = 0.2  # how often the main thread wakes to hear Ctrl+C
MAX_IDLE_SECONDS = 7 * 24 * 3600.0
DEFAULT_CLOSE_HOURS = 2.0
MAX_CLOSE_HOURS = 7 * 24.0


def broker_arg(text: str) -> str:
    """amqp://HOST:PORT or amqps://HOST:PORT, optionally with USER:PASSWORD@."""
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a broker address: {exc}") from None
    if parts.scheme not in ("amqp", "amqps") or not parts.hostname or port is None:
        raise argparse.ArgumentTypeError(f"{text!r}: give the broker as amqp://HOST:PORT")
    if parts.path not in ("", "/") or parts.query:
        raise argparse.ArgumentTypeError(f"{text!r}: the queue goes in --queue, not the address")
    return text


def idle_arg(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < seconds <= MAX_IDLE_SECONDS:
        raise argparse.ArgumentTypeError(f"{text}: give more than 0 and at most a week of seconds")
    return seconds


def close_after_arg(text: str) -> float | None:
    """Hours after a day's end its live run closes; `never`: None (closed by hand only)."""
    if text.strip().lower() == "never":
        return None
    try:
        hours = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of hours or never") from None
    if not 0 <= hours <= MAX_CLOSE_HOURS:
        raise argparse.ArgumentTypeError(f"{text}: give 0 to {MAX_CLOSE_HOURS:g} hours, or never")
    return hours


def add_commands(commands) -> None:
    listen = commands.add_parser(
        "listen",
        help="take live Elexon data (IRIS on Azure Service Bus, an AMQP 1.0 queue or the IRIS "
        "client's folder) as it comes",
        description="Each message (an Insights JSON publication; its subject names the dataset) "
        "is written in one transaction into the live run (type II) of its settlement date, "
        "acknowledged after the commit; a repeated message id writes nothing; a malformed "
        "message is kept as a dead letter with its reason; a dataset the workbench does not "
        "import is skipped. A date's live run is closed (immutable from then on) when the day "
        "is complete: --close-after HOURS after its last period, or by --close-day. "
        "Ctrl+C stops cleanly.",
    )
    add_db(listen, help="settlement database to write the live data into (it must exist)")
    source = listen.add_mutually_exclusive_group(required=True)
    source.add_argument("--broker", type=broker_arg, help="AMQP 1.0 broker, amqp://HOST:PORT")
    source.add_argument(
        "--folder", type=Path, help="folder the IRIS client writes (DATASET/<message>.json)"
    )
    source.add_argument(
        "--iris",
        action="store_true",
        help="Elexon's IRIS on Azure Service Bus (Entra ID app registration; the client secret "
        "from IRIS_CLIENT_SECRET)",
    )
    source.add_argument(
        "--close-day",
        type=date_arg,
        metavar="DATE",
        help="close the live run of this settlement date now (the day is complete) and stop",
    )
    listen.add_argument(
        "--queue", type=text_arg, help="queue on the broker (with --broker), or IRIS's (--iris)"
    )
    iris = listen.add_argument_group(
        "IRIS (--iris)", "default: the workbench settings (iris/client_id, iris/queue_name, …)"
    )
    iris.add_argument("--iris-client-id", type=text_arg, metavar="GUID", help="app client id")
    iris.add_argument(
        "--iris-namespace",
        type=text_arg,
        metavar="NAME",
        help="Service Bus namespace (default elexon-insights-iris)",
    )
    iris.add_argument(
        "--iris-tenant", type=text_arg, metavar="GUID", help="Entra ID tenant (default Elexon's)"
    )
    iris.add_argument(
        "--remember-iris",
        action="store_true",
        help="keep the IRIS client id, queue, namespace and tenant in the workbench settings "
        "(never the secret)",
    )
    listen.add_argument(
        "--close-after",
        type=close_after_arg,
        default=DEFAULT_CLOSE_HOURS,
        metavar="HOURS",
        help="close a day's live run this many hours after its last period ended "
        f"(default {DEFAULT_CLOSE_HOURS:g}; never: only --close-day closes it)",
    )
    listen.add_argument(
        "--quiet", action="store_true", help="no line per message (prices and summary only)"
    )
    listen.add_argument(
        "--no-settle",
        action="store_true",
        help="do not settle the live runs as data arrives (no indicative prices)",
    )
    listen.add_argument(
        "--until-idle",
        type=idle_arg,
        metavar="SECONDS",
        help="stop after this long without a message (default: listen until Ctrl+C)",
    )
    listen.set_defaults(handler=_listen)


def _listen(args) -> int:
    from datetime import timedelta

    from models.core.errors import WorkbenchInputError
    from models.live.stream import Stream

    given_iris = [
        option
        for option, value in (
            ("--iris-client-id", args.iris_client_id),
            ("--iris-namespace", args.iris_namespace),
            ("--iris-tenant", args.iris_tenant),
            ("--remember-iris", args.remember_iris or None),
        )
        if value is not None
    ]
    if given_iris and not args.iris:
        raise WorkbenchInputError(f"{given_iris[0]} goes with --iris")
    if args.close_day is not None:
        return _close_day(args)
    iris = _iris_config(args) if args.iris else None
    if args.broker and not args.queue:
        raise WorkbenchInputError("--broker needs --queue NAME")
    if args.folder and args.queue:
        raise WorkbenchInputError("--queue goes with --broker or --iris, not --folder")
    if args.folder and not args.folder.is_dir():
        raise WorkbenchInputError(f"{args.folder} is not a folder")
    with open_db(args.db) as db:
        close_after = None if args.close_after is None else timedelta(hours=args.close_after)
        stream = Stream(
            db,
            until_idle=args.until_idle,
            on_outcome=None if args.quiet else _print_outcome,
            close_after=close_after,
            on_close=lambda runs: _print_closed(db, runs),
            settle=not args.no_settle,
            on_settled=_print_settled,
            on_settle_failed=_print_settle_failed,
            # IRIS: a namespace or network that does not answer is retried without end, so
            # the user is told each loss and each reconnection.
            on_connection=_print_connection if iris is not None else None,
        )
        failure: list[BaseException] = []
        worker = threading.Thread(
            target=_run_source, args=(args, stream, failure, iris), daemon=True
        )
        worker.start()
        interrupted = False
        try:
            while worker.is_alive():
                worker.join(JOIN_SECONDS)
        except KeyboardInterrupt:
            # Clean stop: the message being written commits (or rolls back) and is
            # acknowledged or left for redelivery; nothing is half-written.
            interrupted = True
            print("stopping…", file=sys.stderr)
            stream.stop.set()
            worker.join()
        if failure:
            raise failure[0]
    counts = stream.counts
    if stream.settles:
        print(
            f"settled: {stream.settles:,} time{'' if stream.settles == 1 else 's'} "
            f"({stream.settle_seconds:.1f} s), prices indicative (no metered volumes)"
        )
    print(
        f"{'stopped' if interrupted else 'idle'}: {counts['written']:,} written, "
        f"{counts['repeated']:,} repeated (nothing written), "
        f"{counts['dead-lettered']:,} dead-lettered, "
        f"{counts['skipped']:,} skipped (datasets not imported)"
    )
    return EXIT_OK


def _close_day(args) -> int:
    from models.core.errors import WorkbenchInputError
    from models.live.live_run import close_day

    if args.queue:
        raise WorkbenchInputError("--queue goes with --broker or --iris, not --close-day")
    with open_db(args.db) as db:
        with db.engine.begin() as conn:
            run_id = close_day(conn, args.close_day)
        _print_closed(db, [run_id])
    return EXIT_OK


def _print_closed(db, runs: list[int]) -> None:
    from models.runs.run_store import get_run

    with db.engine.connect() as conn:
        for run_id in runs:
            print(f"closed: run {run_id} ({get_run(conn, run_id, light=True).label}), immutable")
    sys.stdout.flush()


def _user_settings():
    """The workbench settings (QSettings under the names the GUI's preload.default_settings
    uses: the command line does not import the GUI)."""
    from PySide6.QtCore import QSettings

    return QSettings("Settlement Workbench", "Settlement Workbench")


def _client_secret() -> str:
    """IRIS_CLIENT_SECRET, else asked at a terminal (not echoed); "" when neither."""
    import getpass
    import os

    from models.live.iris import SECRET_VARIABLE

    secret = os.environ.get(SECRET_VARIABLE, "")
    if secret:
        return secret
    try:
        interactive = sys.stdin is not None and sys.stdin.isatty()
    except (OSError, ValueError):
        interactive = False
    return getpass.getpass("IRIS client secret: ") if interactive else ""


def _iris_config(args):
    """The IRIS configuration: the options over the workbench settings, checked before
    anything connects (WorkbenchInputError: one line, exit 2)."""
    from models.live.iris import config_from, remember

    settings = _user_settings()
    config = config_from(
        settings,
        _client_secret(),
        client_id=args.iris_client_id,
        queue_name=args.queue,
        service_bus_namespace=args.iris_namespace,
        tenant_id=args.iris_tenant,
    )
    if args.remember_iris:
        remember(settings, config)
        settings.sync()
    return config


def _run_source(args, stream, failure: list[BaseException], iris=None) -> None:
    try:
        if iris is not None:
            from models.live.iris import listen_iris

            listen_iris(iris, stream)
        elif args.folder is not None:
            from models.live.folder import watch_folder

            watch_folder(args.folder, stream)
        else:
            from models.live.amqp import listen_amqp

            listen_amqp(args.broker, args.queue, stream)
    except BaseException as exc:  # told by the main thread, as any command's error
        failure.append(exc)
        stream.stop.set()


def _print_outcome(message, outcome) -> None:
    runs = ", ".join(f"run {r}" for r in outcome.run_ids)
    detail = outcome.reason if outcome.reason else (runs or "nothing new")
    shown = message.message_id or "(no id)"
    print(f"{message.dataset or '?':8s} {shown}  {outcome.status}: {detail}")
    sys.stdout.flush()


def _print_settled(day, changed) -> None:
    from models.live.indicative import period_line

    for period in changed:
        print(period_line(day.settlement_date, period))
    sys.stdout.flush()


def _print_connection(connected: bool, detail: str) -> None:
    print(f"{'connected' if connected else 'connection lost'}: {detail}")
    sys.stdout.flush()


def _print_settle_failed(run_id: int, reason: str) -> None:
    print(f"not settled: run {run_id}: {reason}")
    sys.stdout.flush()
