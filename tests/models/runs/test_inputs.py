"""A run's settlement inputs as the engine takes them, from a case file and from the stored
run alike, checked against the rulebook's worked example (§12) field by field."""

from __future__ import annotations

import numpy as np
import pytest

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.runs.case_store import import_case
from models.runs.inputs import case_settlement_inputs, load_settlement_inputs, read_run_frames
from tests.paths import CASES


@pytest.fixture(scope="module")
def case():
    return load_case(CASES / "worked_example.json")


def check_worked_example(inputs) -> None:
    assert inputs.parties == ("GEN", "SUP")
    assert inputs.bm.bm_units == ("2__XSUP-1", "T_GEN-1")
    assert inputs.periods == (27,)
    # QM 2__XSUP-1 −73, T_GEN-1 74 MWh in period 27; nothing loaded for other periods.
    assert inputs.metered[:, 26].tolist() == [-73.0, 74.0]
    assert np.isnan(np.delete(inputs.metered, 26, axis=1)).all()
    # The ECVN: GEN's Production account (0) sells 50 MWh to SUP's Consumption account (3).
    c = inputs.contracts
    assert (c.period.tolist(), c.from_account.tolist(), c.to_account.tolist(), c.mwh.tolist()) == (
        [27], [0], [3], [50.0]
    )  # fmt: skip
    units = inputs.units
    assert units.lead_party.tolist() == [1, 0] and units.consumption.tolist() == [True, False]
    assert units.tlf.tolist() == [0.0, -0.01] and not units.interconnector.any()
    p = inputs.parameters
    assert (p.par, p.rpar, p.dmat, p.cadl_minutes, p.voll, p.alpha) == (
        1.0, 1.0, 0.1, 10.0, 6000.0, 0.45
    )  # fmt: skip
    assert inputs.period_inputs.mip[26] == 95.0 and np.isnan(inputs.period_inputs.mip[25])
    assert inputs.bm.acceptances.number.tolist() == [1, 2]
    assert len(inputs.bsad.ids) == 0


def test_a_case_file_gives_the_worked_examples_inputs(case):
    check_worked_example(case_settlement_inputs(case))


def test_the_stored_run_gives_the_same_inputs(case, tmp_path):
    with SettlementDatabase.create(tmp_path / "w.sqlite") as db:
        run = import_case(db, case)
        with db.engine.connect() as conn:
            check_worked_example(load_settlement_inputs(conn, run))
            day, periods, frames = read_run_frames(conn, run)
    assert day.isoformat() == "2024-06-12" and periods == (27,)
    assert len(frames["acceptance_level"]["number"]) == 4  # 2 segments of each acceptance


def test_a_stored_runs_frames_read_its_run_row_once(tmp_path):
    """read_run_frames looks the run up and hands the row on: the launch path asks for a
    run's row once, not once to tell a scenario and again to read its frames."""
    from sqlalchemy import event

    with SettlementDatabase.create(tmp_path / "w.sqlite") as db:
        run = import_case(db, load_case(CASES / "worked_example.json"))
        statements: list[str] = []

        def seen(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            with db.engine.connect() as conn:
                day, periods, frames = read_run_frames(conn, run)
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
    assert (day.isoformat(), periods) == ("2024-06-12", (27,))
    assert sorted(frames["metered_volume"]["mwh"].tolist()) == [-73.0, 74.0]
    assert sum("FROM settlement_run" in s for s in statements) == 1
