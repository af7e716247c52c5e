"""Copying a whole database (issue 21): SQLite → PostgreSQL → MariaDB → SQLite of a demo day
with settled results, a scenario and its audit trail, a dispute case and the BM data cache,
on the real servers of tests/servers.py, with the same rows and checksums in every table at
every step; a destination holding data is refused unless replaced; a failed or unverified copy
leaves nothing of itself."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from models.db import copy
from models.db.copy import DatabaseCopyError, copy_database, database_figures, row_digest
from models.db.database import SettlementDatabase
from models.db.schema import SettlementRun
from models.demo.generator import DemoSpec, generate_demo
from models.disputes import dispute_cases as cases
from models.runs.results_store import settle_run, stored_document
from models.runs.run_store import list_runs
from models.runs.scenarios import store
from tests.models.db.backends import DIALECT

UNIT_PERIOD = {"period": 27}


def _demo(path, seed: int) -> None:
    """A demo day, its SF run settled, a scenario on it (an edit, an undo, a redo, a settle)
    and a dispute case."""
    generate_demo(path, DemoSpec(bmus=30, seed=seed))
    with SettlementDatabase.open(path) as db:
        with db.engine.connect() as conn:
            sf = next(r.id for r in list_runs(conn) if r.run_type == "SF")
        settle_run(db, sf)
        with db.engine.begin() as conn:
            scenario = store.create_scenario(conn, sf, "what if", author="analyst")
            store.edit(conn, scenario, "mip", UNIT_PERIOD, {"price": 123.5}, author="analyst",
                       reason="index price disputed")  # fmt: skip
            store.undo(conn, scenario, author="analyst")
            store.redo(conn, scenario, author="analyst")
        settle_run(db, scenario)
        with db.engine.begin() as conn:
            store.record_settle(conn, scenario, author="analyst", summary="settled")
            case = cases.create_dispute_case(conn, reference="TD-1", raising_party="SO",
                                             run_id=sf, periods=[27], description="MIP",
                                             run_date=date(2024, 7, 4))  # fmt: skip
            cases.add_scenario(conn, case, scenario)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("copy") / "demo.sqlite"
    _demo(path, seed=5)
    return path


@pytest.fixture(scope="module")
def other_demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("copy-other") / "other.sqlite"
    _demo(path, seed=6)
    return path


def figures(target) -> dict:
    with SettlementDatabase.open(target) as db, db.engine.connect() as conn:
        return {f.table: (f.rows, f.checksum) for f in database_figures(conn)}


def dialect(target) -> str:
    with SettlementDatabase.open(target) as db:
        return db.engine.dialect.name


def test_a_round_trip_through_both_servers_keeps_every_row_of_every_table(
    demo_file, database_target, tmp_path
):
    postgresql = database_target("postgresql", "copy_pg")
    mariadb = database_target("mariadb", "copy_my")
    back = tmp_path / "back.sqlite"
    hops = [(demo_file, postgresql), (postgresql, mariadb), (mariadb, back)]
    reports = [copy_database(source, destination) for source, destination in hops]
    assert [dialect(t) for t in (postgresql, mariadb, back)] == [
        DIALECT["postgresql"], DIALECT["mariadb"], DIALECT["sqlite"]
    ]  # fmt: skip
    original = figures(demo_file)
    held = {name: rows for name, (rows, _) in original.items() if rows}
    # What the demo holds: results, the scenario's trail, the case, the columnar cache.
    assert {"bid_offer", "bm_unit_period_result", "scenario_audit", "scenario_override",
            "dispute_case_scenario", "bm_dataset_cache", "workbench_meta"} <= set(held)  # fmt: skip
    assert original["scenario_audit"][0] == 5  # create, apply, undo, redo, settle
    for target in (postgresql, mariadb, back):
        assert figures(target) == original, target
    for report in reports:
        assert {f.table: (f.rows, f.checksum) for f in report.tables} == original
        assert report.rows == sum(rows for rows, _ in original.values())
    # The copy is a working database: the stored results read back alike, and new rows
    # get new ids (PostgreSQL's sequences were moved past the copied ids).
    with SettlementDatabase.open(demo_file) as db, db.engine.connect() as conn:
        stored = stored_document(conn, 2)
    for target in (postgresql, mariadb):
        with SettlementDatabase.open(target) as db:
            with db.engine.connect() as conn:
                assert stored_document(conn, 2) == stored
            with db.engine.begin() as conn:
                another = store.create_scenario(conn, 2, "another", author="analyst")
            with db.engine.connect() as conn:
                ids = conn.execute(select(SettlementRun.id)).scalars().all()
            assert sorted(ids) == [1, 2, 3, 4, 5]  # three runs, the scenario, the new one
            assert another == 5


def test_a_destination_holding_data_is_refused_unless_replaced(
    demo_file, other_demo, database_target, tmp_path
):
    server = database_target("postgresql", "copy_refused")
    copy_database(demo_file, server)
    before = figures(server)
    with pytest.raises(DatabaseCopyError, match=r"already holds [\d,]+ rows.*--replace"):
        copy_database(other_demo, server)
    assert figures(server) == before
    copy_database(other_demo, server, replace=True)
    assert figures(server) == figures(other_demo) != before
    file = tmp_path / "copy.sqlite"
    copy_database(demo_file, file)
    with pytest.raises(DatabaseCopyError, match="--replace"):
        copy_database(other_demo, file)
    assert figures(file) == figures(demo_file)
    copy_database(other_demo, file, replace=True)
    assert figures(file) == figures(other_demo)


def test_an_empty_workbench_database_is_not_data(demo_file, tmp_path):
    made = tmp_path / "made.sqlite"
    SettlementDatabase.create(made).close()  # as `db init` leaves it
    copy_database(demo_file, made)
    assert figures(made) == figures(demo_file)


def test_only_a_workbench_database_is_replaced(demo_file, tmp_path):
    stranger = tmp_path / "notes.sqlite"
    stranger.write_bytes(b"not a database")
    with pytest.raises(Exception, match="not a settlement database"):
        copy_database(demo_file, stranger, replace=True)
    assert stranger.read_bytes() == b"not a database"


def test_a_database_is_not_copied_onto_itself(demo_file):
    with pytest.raises(DatabaseCopyError, match="is the source itself"):
        copy_database(demo_file, f"sqlite:///{demo_file}", replace=True)


def test_a_server_database_is_the_same_whatever_password_names_it():
    # Checked before connecting: the same user, host and database with two passwords.
    one = "postgresql+psycopg://analyst:first@127.0.0.1:1/team"
    with pytest.raises(DatabaseCopyError, match="is the source itself"):
        copy_database(one, one.replace(":first@", ":second@"), replace=True)
    assert not copy._same(one, one.replace("/team", "/other"))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mariadb"])
def test_a_failed_copy_leaves_the_destination_as_it_was(
    demo_file, other_demo, database_target, backend, monkeypatch
):
    target = database_target(backend, f"copy_failed_{backend}")
    copy_database(other_demo, target)
    before = figures(target)
    real = copy._copy_table

    def failing(source, destination, table):
        if table.name == "metered_volume":  # after runs, units and BM data were written
            raise OSError(28, "No space left on device")
        return real(source, destination, table)

    monkeypatch.setattr(copy, "_copy_table", failing)
    with pytest.raises(OSError, match="No space"):
        copy_database(demo_file, target, replace=True)
    assert figures(target) == before


def test_a_copy_that_does_not_verify_is_not_kept(demo_file, tmp_path, monkeypatch):
    real = copy.database_figures

    def one_row_short(conn):
        return tuple(
            copy.TableFigures(f.table, f.rows - 1, f.checksum) if f.table == "ecvn" else f
            for f in real(conn)
        )

    monkeypatch.setattr(copy, "database_figures", one_row_short)
    target = tmp_path / "unverified.sqlite"
    with pytest.raises(DatabaseCopyError, match=r"table ecvn did not copy exactly.*nothing"):
        copy_database(demo_file, target)
    assert list(tmp_path.iterdir()) == []  # no file, no temporary left


def test_the_row_digest_tells_types_and_values_apart():
    digests = {
        row_digest(row)
        for row in [(1,), (1.0,), (True,), ("1",), (b"1",), (None,), ("",), ("", ""),
                    (date(2024, 6, 12),), (datetime(2024, 6, 12),), ("ab", "c"), ("a", "bc")]
    }  # fmt: skip
    assert len(digests) == 12
    assert row_digest((0.1 + 0.2,)) != row_digest((0.3,))  # every bit of a double counts
    assert row_digest((1, "x")) == row_digest((1, "x"))
