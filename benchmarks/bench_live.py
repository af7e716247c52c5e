"""Live messages (issue 23): the cost of a message must not grow as its day fills.

The real 2022-01-01 files (../shared/data/elexon, BMRS data © Elexon Limited copyright and
database right 2026, used under the BMRS open data licence) with the 2026 Insights register:
300 IRIS-sized messages of one acceptance (BOALF record) each, in the file's order, each timed
from `handle` to its commit (SQLite, so each one's fsync is in it), three ways:
1. appended to the live run of an empty day (models.live.append);
2. the same, after the day's PN and BOD (9,027 and 14,964 records) arrived as two big
   messages: a well filled day;
3. as before the live run was appendable, on an empty day: each message an import into a new
   immutable II run carrying the day forward (models.imports.loader). On the filled day that
   costs over a second a message (BENCH_LIVE_BEFORE_FILLED=1 measures it: some 5 minutes).

Reported: the median cost of messages 1-10, 96-105 and 291-300 and their ratios to the first
(flat: about 1; the figure the issue asks for is message 1, 100 and 300), the rate over all
300, and closing the day (day-sized, once).

Then the indicative prices (models.live.indicative, settled by models.live.stream): the same
300 messages through a listener's stream, back to back (the worst case: IRIS pushes a few a
second), on the filled day, with and without settling the day as they arrive, in the same run:
messages/s each way and their ratio, the settles made, their median cost, and the median and
worst delay from a message's commit to the settle that priced it.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from engine.settlement_calendar import RunType
from models.db.database import SettlementDatabase
from models.imports.loader import import_files
from models.live.append import RegisterCache
from models.live.handler import WRITTEN, Message, handle
from models.live.live_run import close_day
from models.live.stream import Stream

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "elexon"
REGISTER = SHARED / "reference" / "bmu_register_insights_2026.csv"
DAY = date(2022, 1, 1)
FILES = {name: SHARED / "insights_json" / f"{name}_2022-01-01.json" for name in ("PN", "BOD")}
BOALF = SHARED / "insights_json" / "BOALF_2022-01-01.json"
MESSAGES = 300
WINDOWS = ((1, 10), (96, 105), (291, 300))  # 1-based message numbers, inclusive


def _records(path: Path) -> list[dict]:
    document = json.loads(path.read_text())
    return document["data"] if isinstance(document, dict) else document


def _acceptances() -> list[Message]:
    records = _records(BOALF)[:MESSAGES]
    return [Message("BOALF", f"BOALF#{n}", json.dumps([r])) for n, r in enumerate(records)]


def _live(db: SettlementDatabase, messages: list[Message], filled: bool) -> list[float]:
    cache = RegisterCache()
    for name, path in FILES.items() if filled else ():
        outcome = handle(db, Message(name, f"{name}-day", json.dumps(_records(path))), cache)
        assert outcome.status == WRITTEN, outcome.reason
    costs = []
    for message in messages:
        began = time.perf_counter()
        outcome = handle(db, message, cache)
        costs.append(time.perf_counter() - began)
        assert outcome.status == WRITTEN, outcome.reason
    return costs


def _as_before(
    db: SettlementDatabase, messages: list[Message], folder: Path, filled: bool
) -> list[float]:
    """Each message an import into a new II run carrying the whole day forward."""
    for path in FILES.values() if filled else ():
        import_files(db, [path], run_type=RunType.II)
    costs = []
    for n, message in enumerate(messages):
        path = folder / f"BOALF_{n}.json"
        path.write_text(message.body)
        began = time.perf_counter()
        import_files(db, [path], run_type=RunType.II)
        costs.append(time.perf_counter() - began)
    return costs


def _report(label: str, costs: list[float]) -> None:
    medians = [statistics.median(costs[a - 1 : b]) for a, b in WINDOWS]
    shown = ", ".join(
        f"msgs {a}-{b}: {m * 1000:.1f} ms ({m / medians[0]:.2f}×)"
        for (a, b), m in zip(WINDOWS, medians, strict=True)
    )
    total = sum(costs)
    print(f"{label}: {shown}; {len(costs)} in {total:.1f} s ({len(costs) / total:.1f}/s)")


def _streamed(db: SettlementDatabase, messages: list[Message], settle: bool):
    """(seconds for all, settles, their mean cost, delays commit → priced) through a stream,
    after the day's PN and BOD (settled once first when settling)."""
    stream = Stream(db, settle=settle, until_idle=0.0)
    for name, path in FILES.items():
        stream.take(Message(name, f"{name}-day", json.dumps(_records(path))))
    stream.settle_pending(force=True)
    committed: list[float] = []
    delays: list[float] = []

    def priced(day, changed) -> None:
        now = time.perf_counter()
        delays.extend(now - t for t in committed)
        committed.clear()

    stream.on_settled = priced
    stream.on_outcome = lambda message, outcome: committed.append(time.perf_counter())
    before = stream.settle_seconds, stream.settles
    began = time.perf_counter()
    for message in messages:
        assert stream.take(message).status == WRITTEN
    assert stream.done()  # idle: what is pending is settled
    seconds = time.perf_counter() - began
    settles = stream.settles - before[1]
    cost = (stream.settle_seconds - before[0]) / settles if settles else 0.0
    return seconds, settles, cost, delays


def run_settle(root: Path, registered: Path, messages: list[Message]) -> None:
    rates = {}
    for settle in (False, True):
        path = shutil.copy(registered, root / f"stream_{settle}.sqlite")
        with SettlementDatabase.open(path) as db:
            seconds, settles, cost, delays = _streamed(db, messages, settle)
        rates[settle] = len(messages) / seconds
        shown = f"stream, PN and BOD first, {'settling' if settle else 'no settle'}: "
        shown += f"{len(messages)} in {seconds:.1f} s ({rates[settle]:.1f}/s)"
        if settle:
            shown += (
                f"; {settles} settles, {cost * 1000:.0f} ms each on average; commit → "
                f"priced: median {statistics.median(delays) * 1000:.0f} ms, "
                f"worst {max(delays) * 1000:.0f} ms"
            )
        print(shown)
    print(f"  messages/s settling ÷ not settling: {rates[True] / rates[False]:.2f}")


def run() -> None:
    messages = _acceptances()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        registered = root / "registered.sqlite"
        with SettlementDatabase.create(registered) as db:
            import_files(db, [REGISTER], effective_from=date(2019, 1, 1))
        for filled in (False, True):
            path = shutil.copy(registered, root / f"live_{filled}.sqlite")
            with SettlementDatabase.open(path) as db:
                label = "live run, PN and BOD first" if filled else "live run, empty day"
                _report(label, _live(db, messages, filled))
                began = time.perf_counter()
                with db.engine.begin() as conn:
                    close_day(conn, DAY)
                seconds = time.perf_counter() - began
                print(f"  closing the day (caches, status loaded): {seconds:.2f} s")
        run_settle(root, registered, messages)
        for filled in (False, True) if os.environ.get("BENCH_LIVE_BEFORE_FILLED") else (False,):
            path = shutil.copy(registered, root / f"before_{filled}.sqlite")
            with SettlementDatabase.open(path) as db:
                label = "as before, " + ("PN and BOD first" if filled else "empty day")
                _report(label, _as_before(db, messages, root, filled))
