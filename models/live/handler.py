"""One live message into the database: its records through the import framework, in one
transaction with the record of its id, or into the dead letters with the reason.

A message is what IRIS pushes: the dataset as its subject, an id, and a JSON body of Insights
records. Its records are imported as a file of them would be (models.imports.loader), into the
date's live run: a run of type II, the BSC's interim information run, the one that is never
invoiced. Runs are immutable, so each message that brings something new writes the next II run
of its date carrying the earlier data forward; a message bringing nothing new writes none.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, select

from engine.settlement_calendar import RunType
from models.core.errors import WorkbenchInputError
from models.db.database import SettlementDatabase
from models.db.schema import LiveDeadLetter, LiveMessage
from models.imports.datasets import DATASETS
from models.imports.loader import import_files

LIVE_RUN_TYPE = RunType.II
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


def handle(db: SettlementDatabase, message: Message) -> Outcome:
    """Write `message` once: its data and its id in one transaction; a message already written
    is left alone (REPEATED); one that cannot be written goes to the dead letters (DEAD). IRIS
    pushes every dataset Elexon publishes: one the workbench does not import is SKIPPED (not
    an error of the message; nothing is written)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    if message.dataset and message.dataset.upper() not in DATASETS:
        return Outcome(SKIPPED, reason=f"{message.dataset} is not a dataset the workbench imports")
    reason = _malformed(message)
    if reason is None:
        try:
            with db.engine.begin() as conn:
                if _written(conn, message.message_id):
                    return Outcome(REPEATED)
                runs, records = _import(_InTransaction(conn), message)
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


def _import(db: _InTransaction, message: Message) -> tuple[tuple[int, ...], int]:
    """The message's body as a file of the import framework (its formats tell the dataset from
    the records, as for a downloaded file); the runs written and the records read."""
    with tempfile.TemporaryDirectory(prefix="wb-live-") as folder:
        # The name says where a refusal comes from: the dataset and the message id.
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in message.message_id)
        path = Path(folder) / f"{message.dataset}_{safe[:80]}.json"
        path.write_text(message.body, encoding="utf-8")
        summary = import_files(db, [path], run_type=LIVE_RUN_TYPE)  # type: ignore[arg-type]
    others = sorted(set(summary.records) - {DATASETS[message.dataset.upper()].name})
    if others:  # raised inside the transaction: nothing of it stays
        raise _SubjectMismatch(
            f"the subject says {message.dataset} but the records are {', '.join(others)}"
        )
    runs = tuple(p.run_id for p in summary.dates if p.run_id is not None and not p.attached)
    return runs, sum(summary.records.values())
