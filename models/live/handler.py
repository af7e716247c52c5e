"""One live message into the database: its records appended to the live run of their date, in
one transaction with the record of its id, or into the dead letters with the reason.

A message is what IRIS pushes: the dataset as its subject, an id, and a JSON body of Insights
records. Its records are read and checked by the import framework, as a file of them would
be, and appended to the date's live run (models.live.live_run: a run of type II, the BSC's
interim information run, open until the day is complete): a message costs what its records
cost, not what the day holds so far (models.live.append). A register message (the BM unit
reference data) is imported as a file is: it writes a register snapshot.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, select

from models.core.errors import WorkbenchInputError
from models.db.database import SettlementDatabase
from models.db.schema import LiveDeadLetter, LiveMessage
from models.imports.datasets import DATASETS
from models.imports.loader import import_files
from models.live.append import RegisterCache, append_message
from models.live.live_run import LIVE_RUN_TYPE

MAX_ID = 200  # live_message.message_id
WRITTEN, REPEATED, DEAD, SKIPPED = "written", "repeated", "dead-lettered", "skipped"


@dataclass(frozen=True)
class Message:
    """A pushed message: dataset (the subject), its id, and its JSON text."""

    dataset: str
    message_id: str
    body: str


@dataclass(frozen=True)
class Outcome:
    status: str  # WRITTEN, REPEATED, DEAD or SKIPPED
    run_ids: tuple[int, ...] = ()
    reason: str = ""


class _SubjectMismatch(WorkbenchInputError):
    """The message's records are of another dataset than its subject names."""


class _InTransaction:
    """A database whose engine's begin() is the handler's open transaction: the import's rows
    and the message's id commit together, or neither does."""

    def __init__(self, conn: Connection) -> None:
        self.engine = self
        self._conn = conn

    @contextlib.contextmanager
    def begin(self):
        yield self._conn


def handle(db: SettlementDatabase, message: Message, cache: RegisterCache | None = None) -> Outcome:
    """Write `message` once: its data and its id in one transaction; a message already written
    is left alone (REPEATED); one that cannot be written goes to the dead letters (DEAD). IRIS
    pushes every dataset Elexon publishes: one the workbench does not import is SKIPPED (not
    an error of the message; nothing is written). `cache` keeps the register's ids between the
    messages of one listener."""
    now = datetime.now(UTC).replace(tzinfo=None)
    if message.dataset and message.dataset.upper() not in DATASETS:
        return Outcome(SKIPPED, reason=f"{message.dataset} is not a dataset the workbench imports")
    reason = _malformed(message)
    if reason is None:
        try:
            with db.engine.begin() as conn:
                if _written(conn, message.message_id):
                    return Outcome(REPEATED)
                runs, records = _write(conn, message, cache or RegisterCache())
                conn.execute(
                    LiveMessage.__table__.insert().values(
                        message_id=message.message_id,
                        dataset=message.dataset,
                        received_at=now,
                        records=records,
                        run_ids=",".join(map(str, runs)),
                    )
                )
            return Outcome(WRITTEN, runs)
        except WorkbenchInputError as exc:  # the import refused it: rolled back
            reason = str(exc).strip().replace("\n", " | ")
    with db.engine.begin() as conn:
        conn.execute(
            LiveDeadLetter.__table__.insert().values(
                message_id=message.message_id[:MAX_ID] or None,
                dataset=message.dataset[:16] or None,
                received_at=now,
                reason=reason,
                body=message.body,
            )
        )
    return Outcome(DEAD, reason=reason)


def _malformed(message: Message) -> str | None:
    if not message.message_id:
        return "the message has no id: a redelivery could not be told from a new message"
    if len(message.message_id) > MAX_ID:
        return f"the message id is longer than {MAX_ID} characters"
    if not message.dataset:
        return "the message has no subject naming its dataset"
    return None


def _written(conn: Connection, message_id: str) -> bool:
    table = LiveMessage.__table__
    found = conn.execute(select(table.c.message_id).where(table.c.message_id == message_id))
    return found.first() is not None


def _write(conn: Connection, message: Message, cache: RegisterCache) -> tuple[tuple[int, ...], int]:
    """The message's records written in `conn`'s transaction; (live runs written, records)."""
    # The name says where a refusal comes from: the dataset and the message id.
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in message.message_id)
    name = f"{message.dataset}_{safe[:80]}.json"
    expected = DATASETS[message.dataset.upper()]
    if expected.target == "register":
        return _import_register(conn, name, message)

    def same_dataset(typed) -> None:  # checked before anything is written
        others = sorted({b.dataset.name for b in typed} - {expected.name})
        if others:
            raise _SubjectMismatch(
                f"the subject says {message.dataset} but the records are {', '.join(others)}"
            )

    appended = append_message(conn, name, message.body, cache, check=same_dataset)
    return appended.run_ids, appended.records


def _import_register(conn: Connection, name: str, message: Message) -> tuple[tuple[int, ...], int]:
    """A register message imported as a file (a register snapshot; no run)."""
    with tempfile.TemporaryDirectory(prefix="wb-live-") as folder:
        path = Path(folder) / name
        path.write_text(message.body, encoding="utf-8")
        summary = import_files(_InTransaction(conn), [path], run_type=LIVE_RUN_TYPE)  # type: ignore[arg-type]
    others = sorted(set(summary.records) - {DATASETS[message.dataset.upper()].name})
    if others:  # raised inside the transaction: nothing of it stays
        raise _SubjectMismatch(
            f"the subject says {message.dataset} but the records are {', '.join(others)}"
        )
    return (), sum(summary.records.values())
