"""Two analysts settling two different runs of one database at the same moment (issue 21), on
real PostgreSQL and MariaDB servers: each in an OS process of its own, both inside their
settle's transaction at once (inputs loaded, old results deleted) before either writes. Both
results are stored, none lost, and each is what settling that run alone stores."""

from __future__ import annotations

import pytest

from models.db.database import SettlementDatabase
from models.demo.generator import DemoSpec, generate_demo
from models.runs.results_store import read_result_frames, settle_run
from models.runs.run_store import list_runs
from tests.models.db.analysts import Analysts, overlapped, settle_in_process
from tests.models.db.backends import DIALECT, SERVERS


def _stored(db: SettlementDatabase, run_id: int) -> dict:
    with db.engine.connect() as conn:
        return read_result_frames(conn, run_id)


@pytest.mark.parametrize("settled_before", [False, True], ids=["first-settle", "re-settle"])
@pytest.mark.parametrize("backend", SERVERS)
def test_two_runs_settled_at_once_are_both_stored_as_each_alone(
    database_target, backend, settled_before
):
    target = database_target(backend, f"settle_together_{backend}")
    generate_demo(target, DemoSpec(bmus=30, seed=7))
    with SettlementDatabase.open(target) as db:
        assert db.engine.dialect.name == DIALECT[backend]
        with db.engine.connect() as conn:
            runs = {r.run_type: r.id for r in list_runs(conn)}
        if settled_before:  # replacing stored results (rows to delete) rather than none
            for run_id in runs.values():
                settle_run(db, run_id)
        untouched = _stored(db, runs["R1"])  # a third run, which neither settles
    analysts = Analysts()
    analysts.start("alice", settle_in_process, target, runs["II"])
    analysts.start("bob", settle_in_process, target, runs["SF"])
    analysts.wait_arrived("alice", "bob")  # both in their transactions, neither written
    answers = analysts.collect()
    failed = "\n".join(a.detail for a in answers.values() if a.outcome != "settled")
    assert {n: a.outcome for n, a in answers.items()} == {"alice": "settled", "bob": "settled"}, (
        failed
    )
    assert overlapped(answers)
    with SettlementDatabase.open(target) as db:
        together = {t: _stored(db, runs[t]) for t in ("II", "SF")}
        assert all(len(f["system_price_result"]["period"]) == 48 for f in together.values())
        assert together["II"] != together["SF"]
        for run_type in ("II", "SF"):
            settle_run(db, runs[run_type])  # alone
            assert _stored(db, runs[run_type]) == together[run_type], run_type
        assert _stored(db, runs["R1"]) == untouched
