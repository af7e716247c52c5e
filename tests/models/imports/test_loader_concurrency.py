"""Two analysts importing into one database at the same moment (issue 21), on real PostgreSQL
and MariaDB servers, with real Elexon files (a wind day's PN, BOD and BOALF, 2022-01-01, and
the next day's PN and BOALF), each import in an OS process of its own.

Two dates at once: both imports hold everything written, uncommitted, at the same moment;
both runs are then there, complete, with no row twice and nothing half-written: the database
holds what importing the dates one after the other gives. One date twice at once: one import
writes its run while the other is in the middle of its own; no second run is made, and the
other says the date has nothing new, as importing the same files again always has.
"""

from __future__ import annotations

import time
from datetime import date

import pytest
from sqlalchemy import select

from models.db.check import row_counts
from models.db.database import SettlementDatabase
from models.db.schema import SettlementRun
from models.imports.assemble import read_previous
from models.imports.loader import import_files
from tests.models.db.analysts import Analysts, import_in_process, overlapped
from tests.models.db.backends import SERVERS, created
from tests.paths import ELEXON_DATA

REGISTER = ELEXON_DATA / "reference" / "bmu_register_insights_2026.csv"
DAYS = {
    date(2022, 1, 1): [ELEXON_DATA / "insights_json" / f"{n}_2022-01-01.json"
                       for n in ("PN", "BOD", "BOALF")],
    date(2022, 1, 2): [ELEXON_DATA / "insights_json" / f"{n}_2022-01-02.json"
                       for n in ("PN", "BOALF")],
}  # fmt: skip


def _with_register(database_target, backend: str, name: str) -> str:
    target = database_target(backend, name)
    with created(target, backend) as db:
        import_files(db, [REGISTER], effective_from=date(2019, 1, 1))
    return target


def _runs(target) -> list[tuple]:
    run = SettlementRun.__table__
    with SettlementDatabase.open(target) as db, db.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(run.c.settlement_date, run.c.run_type, run.c.run_number, run.c.status)
                .where(run.c.kind == "run")
                .order_by(run.c.settlement_date, run.c.run_number)
            )
        ]


def _content(target) -> tuple[dict, dict]:
    """(rows of every table, each date's run as its records) of the database at `target`."""
    with SettlementDatabase.open(target) as db, db.engine.connect() as conn:
        run = SettlementRun.__table__
        ids = dict(conn.execute(select(run.c.settlement_date, run.c.id)).all())
        runs = {}
        for day, run_id in ids.items():
            _row, keyed, carried = read_previous(conn, run_id)
            runs[day] = (keyed, carried)
        return row_counts(conn), runs


def _failures(answers) -> str:
    return "\n".join(f"{n}: {a.detail}" for n, a in answers.items() if a.outcome != "imported")


@pytest.mark.parametrize("backend", SERVERS)
def test_two_dates_imported_at_once_are_both_stored_whole(database_target, backend):
    target = _with_register(database_target, backend, f"import_two_{backend}")
    analysts = Analysts()
    first, second = DAYS
    analysts.start("alice", import_in_process, target, DAYS[first])
    analysts.start("bob", import_in_process, target, DAYS[second])
    analysts.wait_arrived("alice", "bob")  # both written, neither committed
    assert _runs(target) == []  # nothing of either seen before its commit
    answers = analysts.collect()
    assert {n: a.outcome for n, a in answers.items()} == {
        "alice": "imported", "bob": "imported"
    }, _failures(answers)  # fmt: skip
    assert overlapped(answers)
    assert f"{first}: run " in answers["alice"].detail
    assert f"{second}: run " in answers["bob"].detail
    assert _runs(target) == [(first, "SF", 1, "loaded"), (second, "SF", 1, "loaded")]
    # The same as the two dates imported one after the other, row for row.
    alone = _with_register(database_target, backend, f"import_alone_{backend}")
    with SettlementDatabase.open(alone) as db:
        for paths in DAYS.values():
            import_files(db, paths)
    together_counts, together_runs = _content(target)
    alone_counts, alone_runs = _content(alone)
    assert together_counts == alone_counts
    assert together_counts["bid_offer"] > 0 and together_counts["acceptance"] > 0
    assert together_runs == alone_runs


@pytest.mark.parametrize("backend", SERVERS)
def test_one_date_imported_twice_at_once_makes_one_run(database_target, backend):
    target = _with_register(database_target, backend, f"import_twice_{backend}")
    day = date(2022, 1, 1)
    analysts = Analysts()
    writing = analysts.event()
    analysts.start("alice", import_in_process, target, DAYS[day])
    analysts.wait_arrived("alice")  # alice's run written, not committed
    analysts.start("bob", import_in_process, target, DAYS[day], writing=writing)
    assert writing.wait(120), "bob never started writing"
    time.sleep(1.0)  # bob's transaction is writing the same date while alice's is open
    answers = analysts.collect()
    assert {n: a.outcome for n, a in answers.items()} == {
        "alice": "imported", "bob": "imported"
    }, _failures(answers)  # fmt: skip
    assert overlapped(answers)
    assert f"{day}: run " in answers["alice"].detail
    assert f"{day}: nothing new (already imported)" in answers["bob"].detail
    assert "another import" in answers["bob"].detail
    assert _runs(target) == [(day, "SF", 1, "loaded")]
    counts, _ = _content(target)
    alone = _with_register(database_target, backend, f"import_once_{backend}")
    with SettlementDatabase.open(alone) as db:
        import_files(db, DAYS[day])
    assert counts == _content(alone)[0]
