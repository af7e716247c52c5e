"""Scenarios in the database: create, edit (with undo and redo), read their inputs, audit.

A scenario is a run of kind ``scenario`` pointing at its base run; it stores no inputs of its
own, only overrides. Its inputs are read as the base run's frames with the active overrides
applied in order, so the base run stays exactly as it was. Every edit, undo, redo and settle
is written to the scenario's audit trail with who (the author given, the database user and
the OS user), when, the old and new value and why.

Optimistic locking: a scenario's version is the seq of its latest audit entry that changed its
inputs (`scenario_version`; a settle is not a change of inputs). Whoever read the scenario at
a version passes it as `expected_version` to `edit`, `undo` or `redo`; if another process has
changed the scenario since, the change is refused with `ScenarioConflictError` (who changed it,
when and how) and nothing is written, never a silent overwrite. Each change first locks the
scenario's run row (a row lock on PostgreSQL and MariaDB, the database's write lock on SQLite),
so two writers of one scenario take turns and the second sees the first's entry; the audit
trail's primary key (run_id, seq) refuses a second entry of one number should any write get
past it. Different scenarios lock different rows and do not wait for each other on a server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from models.core.errors import RunImmutableError, WorkbenchInputError
from models.db.schema import ScenarioAudit, ScenarioOverride, SettlementRun
from models.db.session_user import database_user, os_user
from models.runs.run_frames import read_stored_frames
from models.runs.run_store import run_row

if TYPE_CHECKING:
    # Overrides edit pandas frames: imported where edits are read or applied, so that the
    # workbench's launch (which lists scenarios) does not import pandas.
    from models.runs.scenarios.overrides import EditableTables, Override

RUN = SettlementRun.__table__
OVERRIDE = ScenarioOverride.__table__
AUDIT = ScenarioAudit.__table__


class ScenarioConflictError(WorkbenchInputError):
    """Another process changed the scenario since it was read: nothing was written."""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class OverrideRecord:
    seq: int
    kind: str
    target: dict
    old_value: dict | None
    new_value: dict | None
    reason: str
    author: str
    created_at: datetime
    active: bool

    @property
    def override(self) -> Override:
        from models.runs.scenarios.overrides import Override

        return Override(self.kind, self.target, self.new_value)

    def describe(self) -> str:
        return self.override.describe()


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    action: str
    override_seq: int | None
    what: str
    old_value: str | None
    new_value: str | None
    author: str
    at: datetime
    reason: str
    db_user: str = ""
    os_user: str = ""

    def who(self) -> str:
        """The author, and the OS and database users when they say more."""
        extra = [
            f"{label} {name}"
            for label, name in (("OS user", self.os_user), ("database user", self.db_user))
            if name and name != self.author
        ]
        return f"{self.author} ({', '.join(extra)})" if extra else self.author


def _check_values(target, value, texts: dict[str, str], kind: str = "") -> None:
    """casefiles.validate: finite numbers in range, storable text (one line but the reason)."""
    from models.casefiles.validate import edit_errors

    problems = edit_errors(target, value, texts)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise WorkbenchInputError(f"{kind + ' edit: ' if kind else ''}{problems[0]}{more}")


def create_scenario(
    conn: Connection, base_run_id: int, name: str, *, author: str, reason: str = ""
) -> int:
    """A new, empty scenario on `base_run_id` (a loaded run); return its run id."""
    _check_values(None, None, {"name": name, "author": author, "reason": reason})
    base = run_row(conn, base_run_id)
    if base["kind"] != "run":
        raise RunImmutableError(
            f"run {base_run_id} is a scenario: base a scenario on a settlement run"
        )
    if base["status"] != "loaded":
        # A live run still open (models.live.live_run): its inputs change under the scenario.
        raise RunImmutableError(
            f"run {base_run_id} is still {base['status']} (a live run until its day is "
            "complete): base a scenario on it once it is closed"
        )
    if not name.strip():
        raise RunImmutableError("a scenario needs a name")
    taken = conn.execute(
        select(func.count()).where(
            RUN.c.kind == "scenario", RUN.c.base_run_id == base_run_id, RUN.c.name == name
        )
    ).scalar()
    if taken:
        raise RunImmutableError(f"run {base_run_id} already has a scenario named {name!r}")
    run_id = conn.execute(
        RUN.insert().values(
            settlement_date=base["settlement_date"],
            run_type=base["run_type"],
            run_number=base["run_number"],
            kind="scenario",
            base_run_id=base_run_id,
            bm_dataset_id=base["bm_dataset_id"],
            name=name,
            source=f"scenario on run {base_run_id}",
            created_at=_now(),
            status="loaded",
            periods=base["periods"],
            notes=None,
        )
    ).inserted_primary_key[0]
    _audit(
        conn,
        run_id,
        "create",
        None,
        f"scenario {name!r} on run {base_run_id}",
        None,
        None,
        author,
        reason,
    )
    return int(run_id)


def require_scenario(conn: Connection, run_id: int) -> dict:
    run = run_row(conn, run_id)
    if run["kind"] != "scenario":
        raise RunImmutableError(
            f"run {run_id} is a settlement run and cannot change; create a scenario on it"
        )
    return dict(run)


def scenario_version(conn: Connection, run_id: int) -> int:
    """The scenario's version: the seq of its latest audit entry that changed its inputs
    (create, apply, undo, redo, discard; not settle). The same number as
    disputes.comparison_key.edit_revision, which the GUI keeps for the scenario it shows."""
    return int(
        conn.execute(
            select(func.coalesce(func.max(AUDIT.c.seq), 0)).where(
                AUDIT.c.run_id == run_id, AUDIT.c.action != "settle"
            )
        ).scalar()
    )


def _lock(conn: Connection, run_id: int) -> None:
    """Hold the scenario for this transaction: other writers of it wait until it ends. An
    UPDATE that changes nothing: a row lock on a server, the write lock on SQLite (whose
    reads are not locked), and no immutability trigger refuses a run's name (0009)."""
    conn.execute(RUN.update().where(RUN.c.id == run_id).values(name=RUN.c.name))


def _check_version(conn: Connection, run_id: int, expected: int | None) -> None:
    if expected is None:
        return
    current = scenario_version(conn, run_id)
    if current == expected:
        return
    latest = (
        conn.execute(
            select(AUDIT)
            .where(AUDIT.c.run_id == run_id, AUDIT.c.action != "settle")
            .order_by(AUDIT.c.seq.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    name = run_row(conn, run_id)["name"]
    by = AuditRecord(**{k: v for k, v in latest.items() if k != "run_id"}) if latest else None
    change = (
        f" (entry {by.seq}, {by.action}: {by.what}, by {by.who()} at {by.at:%Y-%m-%d %H:%M:%S} UTC)"
        if by is not None
        else ""
    )
    raise ScenarioConflictError(
        f"scenario {run_id} ({name!r}) was changed by someone else since you read it at "
        f"version {expected}; it is at version {current}{change}. Nothing was saved: reload "
        "the scenario and make the change again"
    )


# A unique key, deadlock or serialization failure on writing an entry: another writer got
# there first (PostgreSQL SQLSTATEs; MariaDB error numbers).
_RACE_STATES = {"23505", "40001", "40P01"}
_RACE_ERRORS = {1062, 1213, 1205}


def _raced(exc: DBAPIError) -> bool:
    original = exc.orig
    if getattr(original, "sqlstate", None) in _RACE_STATES:
        return True
    args = getattr(original, "args", ())
    if args and isinstance(args[0], int) and args[0] in _RACE_ERRORS:
        return True
    return isinstance(exc, IntegrityError) and "UNIQUE constraint failed" in str(original)


def _changing(conn: Connection, run_id: int, expected: int | None, change):
    """Lock the scenario, check it is still at `expected` (None: any version), make the
    change; a write that lost a race with another writer is a conflict too."""
    try:
        _lock(conn, run_id)
        require_scenario(conn, run_id)
        _check_version(conn, run_id, expected)
        return change()
    except DBAPIError as exc:
        if not _raced(exc):
            raise
        raise ScenarioConflictError(
            f"scenario {run_id} was changed by someone else at the same moment; nothing was "
            "saved: reload the scenario and make the change again"
        ) from None


def _audit(conn, run_id, action, override_seq, what, old, new, author, reason) -> None:
    seq = (
        conn.execute(
            select(func.coalesce(func.max(AUDIT.c.seq), 0)).where(AUDIT.c.run_id == run_id)
        ).scalar()
        + 1
    )
    conn.execute(
        AUDIT.insert().values(
            run_id=run_id,
            seq=seq,
            action=action,
            override_seq=override_seq,
            what=what,
            old_value=old,
            new_value=new,
            author=author,
            at=_now(),
            reason=reason,
            db_user=database_user(conn)[:200],
            os_user=os_user()[:100],
        )
    )


def overrides(conn: Connection, run_id: int, *, active_only: bool = True) -> list[OverrideRecord]:
    query = select(OVERRIDE).where(OVERRIDE.c.run_id == run_id).order_by(OVERRIDE.c.seq)
    if active_only:
        query = query.where(OVERRIDE.c.active)
    return [
        OverrideRecord(
            seq=r["seq"],
            kind=r["kind"],
            target=json.loads(r["target"]),
            old_value=json.loads(r["old_value"]),
            new_value=json.loads(r["new_value"]),
            reason=r["reason"],
            author=r["author"],
            created_at=r["created_at"],
            active=bool(r["active"]),
        )
        for r in conn.execute(query).mappings()
    ]


def audit_trail(conn: Connection, run_id: int) -> list[AuditRecord]:
    rows = conn.execute(select(AUDIT).where(AUDIT.c.run_id == run_id).order_by(AUDIT.c.seq))
    return [AuditRecord(**{k: v for k, v in r.items() if k != "run_id"}) for r in rows.mappings()]


@dataclass(frozen=True)
class ScenarioHistory:
    """What the workbench shows of a scenario beside its inputs, read with them: its version
    (None before any entry that changed its inputs, as disputes.comparison_key.edit_revision
    has it), every edit in order (undone ones too: its undo stack) and its audit trail."""

    revision: int | None
    overrides: list[OverrideRecord]
    audit: list[AuditRecord]


def scenario_history(conn: Connection, run_id: int) -> ScenarioHistory:
    return ScenarioHistory(
        scenario_version(conn, run_id) or None,
        overrides(conn, run_id, active_only=False),
        audit_trail(conn, run_id),
    )


def apply_overrides(frames: EditableTables, records: list[OverrideRecord]) -> EditableTables:
    from models.runs.scenarios.overrides import apply_override

    for record in records:
        apply_override(frames, record.kind, record.target, record.new_value)
    return frames


def scenario_frames(conn: Connection, run_id: int) -> EditableTables:
    """The scenario's input frames: its base run's, with its active overrides applied."""
    from models.runs.scenarios.overrides import as_frames

    run = require_scenario(conn, run_id)
    _, _, tables = read_stored_frames(conn, run["base_run_id"])
    return apply_overrides(as_frames(tables), overrides(conn, run_id))


def edit(
    conn: Connection,
    run_id: int,
    kind: str,
    target: dict,
    new_value: dict | None,
    *,
    author: str,
    reason: str = "",
    frames: EditableTables | None = None,
    expected_version: int | None = None,
) -> OverrideRecord:
    """Record and apply one edit; `frames` (the scenario's current frames) is updated in place
    when given, saving a reload. Undone edits are dropped from the redo history (audited).
    `expected_version`: the version the edit was made on (ScenarioConflictError if the
    scenario has changed since; the frames given must be that version's)."""
    _check_values(target, new_value, {"author": author, "reason": reason}, kind)
    return _changing(
        conn,
        run_id,
        expected_version,
        lambda: _edit(conn, run_id, kind, target, new_value, author, reason, frames),
    )


def _edit(conn, run_id, kind, target, new_value, author, reason, frames) -> OverrideRecord:
    from models.runs.scenarios.overrides import apply_override, read_value

    if frames is None:
        frames = scenario_frames(conn, run_id)
    old_value = read_value(frames, kind, target)
    apply_override(frames, kind, target, new_value)  # validates before anything is stored
    dropped = (
        conn.execute(select(OVERRIDE.c.seq).where(OVERRIDE.c.run_id == run_id, ~OVERRIDE.c.active))
        .scalars()
        .all()
    )
    for seq in dropped:
        _audit(
            conn,
            run_id,
            "discard",
            seq,
            "undone edit dropped from the redo history",
            None,
            None,
            author,
            "",
        )
    if dropped:
        # By key, not by `NOT active`: on MariaDB a range delete locks the gap after the
        # scenario's rows, and another scenario's first edit would wait for this transaction.
        conn.execute(
            OVERRIDE.delete().where(OVERRIDE.c.run_id == run_id, OVERRIDE.c.seq.in_(dropped))
        )
    seq = (
        conn.execute(
            select(func.coalesce(func.max(OVERRIDE.c.seq), 0)).where(OVERRIDE.c.run_id == run_id)
        ).scalar()
        + 1
    )
    record = OverrideRecord(
        seq, kind, dict(target), old_value, new_value, reason, author, _now(), True
    )
    conn.execute(
        OVERRIDE.insert().values(
            run_id=run_id,
            seq=seq,
            kind=kind,
            target=_json(record.target),
            old_value=_json(old_value),
            new_value=_json(new_value),
            reason=reason,
            author=author,
            created_at=record.created_at,
            active=True,
        )
    )
    _audit(
        conn,
        run_id,
        "apply",
        seq,
        record.describe(),
        _json(old_value),
        _json(new_value),
        author,
        reason,
    )
    return record


def _switch(conn: Connection, run_id: int, record: OverrideRecord, action: str, author: str):
    """Undo (deactivate) or redo (reactivate) one edit, and audit it."""
    redoing = action == "redo"
    conn.execute(
        OVERRIDE.update()
        .where(OVERRIDE.c.run_id == run_id, OVERRIDE.c.seq == record.seq)
        .values(active=redoing)
    )
    before, after = (record.old_value, record.new_value)[:: 1 if redoing else -1]
    _audit(
        conn, run_id, action, record.seq, record.describe(), _json(before), _json(after), author, ""
    )
    return record


def undo(
    conn: Connection, run_id: int, *, author: str, expected_version: int | None = None
) -> OverrideRecord | None:
    """Deactivate the latest active edit (kept for redo); None if there is nothing to undo.
    `expected_version` as for `edit`."""

    def change():
        active = overrides(conn, run_id)
        return _switch(conn, run_id, active[-1], "undo", author) if active else None

    return _changing(conn, run_id, expected_version, change)


def redo(
    conn: Connection, run_id: int, *, author: str, expected_version: int | None = None
) -> OverrideRecord | None:
    """Reactivate the earliest undone edit; None if there is nothing to redo.
    `expected_version` as for `edit`."""

    def change():
        undone = [r for r in overrides(conn, run_id, active_only=False) if not r.active]
        return _switch(conn, run_id, undone[0], "redo", author) if undone else None

    return _changing(conn, run_id, expected_version, change)


def record_settle(conn: Connection, run_id: int, *, author: str, summary: str) -> None:
    """Audit a settle of the scenario (any version: a settle changes no input)."""
    _changing(
        conn,
        run_id,
        None,
        lambda: _audit(conn, run_id, "settle", None, summary, None, None, author, ""),
    )


def list_scenarios(conn: Connection, base_run_id: int | None = None) -> list[dict]:
    query = select(RUN).where(RUN.c.kind == "scenario").order_by(RUN.c.id)
    if base_run_id is not None:
        query = query.where(RUN.c.base_run_id == base_run_id)
    return [dict(r) for r in conn.execute(query).mappings()]
