"""A loaded settlement run is immutable in the database itself, on SQLite, PostgreSQL and
MariaDB (migration 0009): SQL that goes round the code is refused too, and nothing changes;
what the workbench does to a loaded run (settle again, rename, delete it) still works."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from models.casefiles.case_file import load_case
from models.casefiles.results_json import result_document
from models.runs.case_store import import_case
from models.runs.results_store import settle_run, stored_document
from models.runs.run_store import delete_run
from models.runs.scenarios import store
from tests.models.db.backends import BACKENDS, created
from tests.paths import CASES

REFUSED = {
    "an input": "UPDATE metered_volume SET mwh = mwh + 1 WHERE run_id = 1",
    "an input row": "DELETE FROM market_index WHERE run_id = 1",
    "a unit's TLF": "UPDATE run_bm_unit SET tlf = 0.5 WHERE run_id = 1",
    "a unit's lead party": "UPDATE run_bm_unit SET lead_party_id = 'SUP' WHERE run_id = 1",
    "a price": "UPDATE bid_offer SET offer_price = offer_price + 1",
    "an acceptance level": "DELETE FROM acceptance_level",
    "an acceptance's flag": "UPDATE acceptance SET so_flag = NOT so_flag",
    "the date": "UPDATE settlement_run SET settlement_date = '2024-06-13' WHERE id = 1",
    "the dataset": "UPDATE settlement_run SET bm_dataset_id = 2 WHERE id = 1",
    "back to loading": "UPDATE settlement_run SET status = 'loading' WHERE id = 1",
    "the run itself": "DELETE FROM settlement_run WHERE id = 1",
}
FINGERPRINT = (
    "SELECT (SELECT SUM(mwh) FROM metered_volume), (SELECT COUNT(*) FROM market_index), "
    "(SELECT SUM(tlf) FROM run_bm_unit), (SELECT SUM(offer_price) FROM bid_offer), "
    "(SELECT COUNT(*) FROM acceptance_level), (SELECT MIN(settlement_date) FROM settlement_run), "
    "(SELECT MIN(status) FROM settlement_run), (SELECT COUNT(*) FROM settlement_run)"
)


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request, database_target):
    """A database on each backend holding the worked example as loaded run 1, settled."""
    db = created(database_target(request.param, "immutable"), request.param)
    run_id = import_case(db, load_case(CASES / "worked_example.json"))
    assert run_id == 1
    settle_run(db, run_id)
    yield db
    db.close()


def _fingerprint(db) -> tuple:
    with db.engine.connect() as conn:
        return tuple(conn.execute(text(FINGERPRINT)).one())


@pytest.mark.parametrize("what", REFUSED)
def test_sql_that_changes_a_loaded_run_is_refused_and_changes_nothing(loaded, what):
    before = _fingerprint(loaded)
    with pytest.raises(DBAPIError, match="immutable"), loaded.engine.begin() as conn:
        conn.execute(text(REFUSED[what]))
    assert _fingerprint(loaded) == before


def test_what_the_workbench_does_to_a_loaded_run_still_works(loaded):
    with loaded.engine.begin() as conn:
        # provenance filled in later (as migration 0007 did), labels, a scenario's edits
        conn.execute(text("UPDATE run_bm_unit SET register_snapshot_id = NULL WHERE run_id = 1"))
        conn.execute(text("UPDATE settlement_run SET name = 'renamed' WHERE id = 1"))
        scenario = store.create_scenario(conn, 1, "what if", author="analyst")
        store.edit(conn, scenario, "metered_volume", {"bm_unit": "T_GEN-1", "period": 27},
                   {"mwh": 80.0}, author="analyst")  # fmt: skip
    again = settle_run(loaded, 1)  # results are replaced, inputs untouched
    with loaded.engine.connect() as conn:
        assert stored_document(conn, 1) == result_document(again)
    settle_run(loaded, scenario)
    with loaded.engine.begin() as conn:
        delete_run(conn, scenario)
        delete_run(conn, 1)
    with loaded.engine.connect() as conn:
        left = conn.execute(
            text(
                "SELECT (SELECT COUNT(*) FROM settlement_run), (SELECT COUNT(*) FROM "
                "metered_volume), (SELECT COUNT(*) FROM bid_offer), (SELECT COUNT(*) FROM "
                "bm_unit_period_result)"
            )
        ).one()
    assert tuple(left) == (0, 0, 0, 0)
