"""What a comparison was computed from, to tell when one on show has gone out of date.

A comparison of two runs holds while the same database is open, one of its two runs is the
one shown, and neither run's edits changed (a settlement run never changes; a scenario changes
with every edit, undo and redo). `ComparisonKey` is that identity; `out_of_date` says, in
words, what changed since.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from models.db.schema import ScenarioAudit

AUDIT = ScenarioAudit.__table__


@dataclass(frozen=True)
class ComparisonKey:
    database: str  # the database's location
    first_run: int  # the base (or first) run
    second_run: int  # the scenario (or other run)
    revision: tuple[tuple[int, int], ...]  # (run, last input-changing audit entry) per run


def edit_revision(conn: Connection, run_ids) -> tuple[tuple[int, int], ...]:
    """Per scenario among the runs, the sequence number of its last audit entry that changed
    its inputs (an edit, undo, redo or discarded redo; not a settle). The audit trail only
    grows, so any change of inputs changes this, even an edit that reuses an undone edit's
    number; settlement runs have no audit trail and never change."""
    ids = sorted(set(run_ids))
    rows = conn.execute(
        select(AUDIT.c.run_id, func.max(AUDIT.c.seq))
        .where(AUDIT.c.run_id.in_(ids), AUDIT.c.action != "settle")
        .group_by(AUDIT.c.run_id)
        .order_by(AUDIT.c.run_id)
    )
    return tuple((int(r), int(s)) for r, s in rows)


def comparison_key(conn: Connection, database: str, first: int, second: int) -> ComparisonKey:
    return ComparisonKey(database, first, second, edit_revision(conn, (first, second)))


def out_of_date(
    shown: ComparisonKey, now: ComparisonKey | None, shown_run: int | None
) -> str | None:
    """Why the comparison computed for `shown` no longer holds, or None while it does.

    `now`: the same two runs' key in the database open now (None when no database is open or
    another one is); `shown_run`: the run the views show now."""
    if now is None or now.database != shown.database:
        return "another database was opened since"
    if shown_run not in (shown.first_run, shown.second_run):
        return f"another run (run {shown_run}) is shown since"
    if now.revision != shown.revision:
        return "the scenario changed since (an edit, undo or redo)"
    return None
