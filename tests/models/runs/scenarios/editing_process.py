"""A process that edits a scenario, for the tests of optimistic locking: it runs on its own
engine and connection, as another analyst's workbench would, and says what happened."""

from __future__ import annotations

GEN = "T_GEN-1"


def edit_scenario(target, scenario, version, mwh, name, results, ready, written=None, hold=None):
    """Edit the scenario's metered volume of T_GEN-1 in period 27 on `version` (None: any) in
    one transaction, `ready` set just before; with `written` and `hold`, say when the edit is
    written and commit only when `hold` is set. Puts (name, "saved" | "conflict" | "failed",
    detail) on `results`."""
    from models.db.database import SettlementDatabase
    from models.runs.scenarios import store

    try:
        with SettlementDatabase.open(target) as db, db.engine.begin() as conn:
            ready.set()
            store.edit(conn, scenario, "metered_volume", {"bm_unit": GEN, "period": 27},
                       {"mwh": mwh}, author=name, expected_version=version)  # fmt: skip
            if written is not None:
                written.set()
            if hold is not None and not hold.wait(60):
                raise TimeoutError("never told to commit")
        results.put((name, "saved", ""))
    except store.ScenarioConflictError as exc:
        results.put((name, "conflict", str(exc)))
    except BaseException as exc:  # the test shows it; a process must always answer
        results.put((name, "failed", repr(exc)))
