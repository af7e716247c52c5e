"""`settlement-workbench listen`: live data (issue 23) into the database as it is published.

From an AMQP 1.0 queue (`--broker amqp://HOST:PORT --queue NAME`, IRIS's protocol) or from the
folder Elexon's IRIS client writes (`--folder DIR`). Each message is one transaction into the
live run (type II) of its settlement date, acknowledged only after it committed; a repeat writes
nothing; a malformed one is dead-lettered and the stream goes on. One line per message; Ctrl+C
(or --until-idle SECONDS without a message) stops cleanly, with a summary.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

from workbench.cli.args import add_db, text_arg
from workbench.cli.common import EXIT_OK, open_db

JOIN_SECONDS = 0.2  # how often the main thread wakes to hear Ctrl+C
MAX_IDLE_SECONDS = 7 * 24 * 3600.0


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


def add_commands(commands) -> None:
    listen = commands.add_parser(
        "listen",
        help="take live Elexon data (IRIS: an AMQP 1.0 queue or its client's folder) as it comes",
        description="Each message (an Insights JSON publication; its subject names the dataset) "
        "is written in one transaction into the live run (type II) of its settlement date, "
        "acknowledged after the commit; a repeated message id writes nothing; a malformed "
        "message is kept as a dead letter with its reason; a dataset the workbench does not "
        "import is skipped. Ctrl+C stops cleanly.",
    )
    add_db(listen, help="settlement database to write the live data into (it must exist)")
    source = listen.add_mutually_exclusive_group(required=True)
    source.add_argument("--broker", type=broker_arg, help="AMQP 1.0 broker, amqp://HOST:PORT")
    source.add_argument(
        "--folder", type=Path, help="folder the IRIS client writes (DATASET/<message>.json)"
    )
    listen.add_argument("--queue", type=text_arg, help="queue on the broker (with --broker)")
    listen.add_argument(
        "--until-idle",
        type=idle_arg,
        metavar="SECONDS",
        help="stop after this long without a message (default: listen until Ctrl+C)",
    )
    listen.set_defaults(handler=_listen)


def _listen(args) -> int:
    from models.core.errors import WorkbenchInputError
    from models.live.stream import Stream

    if args.broker and not args.queue:
        raise WorkbenchInputError("--broker needs --queue NAME")
    if args.folder and args.queue:
        raise WorkbenchInputError("--queue goes with --broker, not --folder")
    if args.folder and not args.folder.is_dir():
        raise WorkbenchInputError(f"{args.folder} is not a folder")
    with open_db(args.db) as db:
        stream = Stream(db, until_idle=args.until_idle, on_outcome=_print_outcome)
        failure: list[BaseException] = []
        worker = threading.Thread(target=_run_source, args=(args, stream, failure), daemon=True)
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
    print(
        f"{'stopped' if interrupted else 'idle'}: {counts['written']:,} written, "
        f"{counts['repeated']:,} repeated (nothing written), "
        f"{counts['dead-lettered']:,} dead-lettered, "
        f"{counts['skipped']:,} skipped (datasets not imported)"
    )
    return EXIT_OK


def _run_source(args, stream, failure: list[BaseException]) -> None:
    try:
        if args.folder is not None:
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
