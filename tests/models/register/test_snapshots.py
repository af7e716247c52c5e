"""Register snapshots (R-REG-DATED): the one in force on a date, a unit's history, the demo's
single snapshot, and a database from before dated registers (schema 0006) migrated forward."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, inspect, text

from models.db.database import SettlementDatabase
from models.register.snapshots import (
    REGISTER_COLUMNS,
    RegisterSnapshot,
    in_force,
    insert_snapshot,
    list_snapshots,
    register_entries,
    snapshot_in_force,
    unit_history,
)


def entry(**values) -> dict:
    row = dict.fromkeys(REGISTER_COLUMNS)
    row |= {"name": "", "interconnector": False}
    return row | values


@pytest.fixture
def three_snapshots(tmp_path):
    """Snapshots effective 2022-01-01, 2022-06-01 and (imported after it) 2022-03-01."""
    with SettlementDatabase.create(tmp_path / "r.sqlite") as db:
        with db.engine.begin() as conn:
            insert_snapshot(conn, date(2022, 1, 1), "a.csv", {"T_A-1": entry(tlf=0.01)})
            insert_snapshot(conn, date(2022, 6, 1), "c.csv", {"T_A-1": entry(tlf=0.03)})
            insert_snapshot(
                conn, date(2022, 3, 1), "b.csv", {"T_A-1": entry(tlf=0.02), "T_B-1": entry()}
            )
        yield db


@pytest.mark.parametrize(
    ("day", "source", "earliest"),
    [
        (date(2021, 12, 31), "a.csv", True),  # before every snapshot: the earliest, warn
        (date(2022, 1, 1), "a.csv", False),  # on its effective date
        (date(2022, 2, 28), "a.csv", False),  # between two
        (date(2022, 3, 1), "b.csv", False),  # imported last, effective in between
        (date(2022, 5, 31), "b.csv", False),
        (date(2022, 6, 1), "c.csv", False),
        (date(2030, 1, 1), "c.csv", False),  # after all: the latest
    ],
)
def test_snapshot_in_force_before_between_and_after(three_snapshots, day, source, earliest):
    with three_snapshots.engine.connect() as conn:
        snapshot, warn = snapshot_in_force(conn, day)
    assert (snapshot.source, warn) == (source, earliest)


def test_snapshots_are_listed_by_effective_date_and_history_follows_them(three_snapshots):
    with three_snapshots.engine.connect() as conn:
        snapshots = list_snapshots(conn)
        assert [(s.id, s.effective_from.month, s.units) for s in snapshots] == [
            (1, 1, 1),
            (3, 3, 2),
            (2, 6, 1),
        ]
        history = unit_history(conn, "T_B-1")
        assert [(s.id, e is not None) for s, e in history] == [(1, False), (3, True), (2, False)]
        assert [e["tlf"] for _, e in unit_history(conn, "T_A-1")] == [0.01, 0.02, 0.03]
        assert register_entries(conn, 3)["T_B-1"] == entry()


def test_no_snapshot_at_all(tmp_path):
    with SettlementDatabase.create(tmp_path / "e.sqlite") as db, db.engine.connect() as conn:
        assert snapshot_in_force(conn, date(2022, 1, 1)) == (None, False)


@given(
    dates=st.lists(st.dates(date(2020, 1, 1), date(2024, 12, 31)), min_size=1, max_size=8),
    day=st.dates(date(2019, 1, 1), date(2025, 12, 31)),
)
def test_in_force_is_the_latest_on_or_before_else_the_earliest(dates, day):
    snapshots = sorted(
        (RegisterSnapshot(i + 1, d, "", None, 0) for i, d in enumerate(dates)),
        key=lambda s: (s.effective_from, s.id),
    )
    chosen, earliest = in_force(snapshots, day)
    on_or_before = [s for s in snapshots if s.effective_from <= day]
    if on_or_before:
        assert not earliest and chosen.effective_from == max(s.effective_from for s in on_or_before)
        # of two snapshots on one date, the later import
        assert chosen.id == max(
            s.id for s in on_or_before if s.effective_from == chosen.effective_from
        )
    else:
        assert earliest and chosen == snapshots[0]


def test_the_demo_writes_one_snapshot_and_its_runs_use_it(tmp_path):
    from models.demo.generator import DemoSpec, generate_demo

    path = tmp_path / "demo.sqlite"
    generate_demo(path, DemoSpec(bmus=12, seed=3))
    with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
        (snapshot,) = list_snapshots(conn)
        assert snapshot.effective_from == date(2024, 6, 12) and snapshot.units == 12
        entries = register_entries(conn, snapshot.id)
        index = conn.execute(text("SELECT id, tlf, lead_party_id FROM bm_unit")).all()
        assert {u: (e["tlf"], e["lead_party_id"]) for u, e in entries.items()} == {
            u: (tlf, party) for u, tlf, party in index
        }
        used = conn.execute(
            text("SELECT DISTINCT register_snapshot_id, registered FROM run_bm_unit")
        ).all()
        assert used == [(snapshot.id, 1)]


def _downgrade_to_0006(path) -> None:
    """A demo database as the code of schema 0006 left it: no snapshots, and run input caches
    written without run_bm_unit's register_snapshot_id and registered."""
    from alembic import command

    from models.db.database import _alembic_config
    from models.db.dataset_cache import FORMAT, encode, query_frame
    from models.db.schema import RUN_INPUT_TABLES

    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        config = _alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0006")
        runs = [r for (r,) in conn.execute(text("SELECT run_id FROM run_input_cache"))]
        for run_id in runs:
            frames = {}
            for table in RUN_INPUT_TABLES:
                columns = [
                    c["name"]
                    for c in inspect(conn).get_columns(table.name)
                    if c["name"] != "run_id"
                ]
                order = ", ".join(c.name for c in table.primary_key.columns if c.name != "run_id")
                frames[table.name] = query_frame(
                    conn,
                    f"SELECT {', '.join(columns)} FROM {table.name} WHERE run_id = {run_id} "
                    f"ORDER BY {order}",
                )
            assert "registered" not in frames["run_bm_unit"].columns
            conn.execute(
                text("UPDATE run_input_cache SET payload = :p, format = :f WHERE run_id = :r"),
                {"p": encode(frames), "f": FORMAT, "r": run_id},
            )
    engine.dispose()


def test_a_database_from_before_dated_registers_opens_its_runs(tmp_path, monkeypatch):
    """Migration 0007: the register becomes snapshot 1, effective from the earliest date held;
    every run's units point at it; runs cached before the columns existed still open and
    settle exactly as before."""
    from engine.settle import settle_day
    from models.runs.inputs import load_settlement_inputs, read_run_frames
    from tests.demo_databases import demo_with_caches

    path = demo_with_caches(tmp_path / "old.sqlite", monkeypatch, bmus=12, seed=5)
    with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
        run_id = conn.execute(text("SELECT min(id) FROM settlement_run")).scalar()
        before = settle_day(load_settlement_inputs(conn, run_id))
        register = conn.execute(text("SELECT id, tlf FROM bm_unit ORDER BY id")).all()
    _downgrade_to_0006(path)
    with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
        (snapshot,) = list_snapshots(conn)
        assert snapshot.id == 1 and snapshot.effective_from == date(2024, 6, 12)
        assert snapshot.units == len(register) == 12
        assert sorted((u, e["tlf"]) for u, e in register_entries(conn, 1).items()) == register
        assert conn.execute(text("SELECT count(*) FROM run_input_cache")).scalar() == 3
        _, _, frames = read_run_frames(conn, run_id)
        units = frames["run_bm_unit"]
        assert set(units["register_snapshot_id"].tolist()) == {1}
        assert set(units["registered"].tolist()) == {1}
        after = settle_day(load_settlement_inputs(conn, run_id))
    assert after.prices.ssp.tolist() == before.prices.ssp.tolist()


UNITS = ["T_A-1", "T_B-1", "T_C-1"]
SNAPSHOT_PLANS = st.lists(
    st.tuples(
        st.integers(0, 3),  # effective 2022-01-01 + months
        st.dictionaries(st.sampled_from(UNITS), st.integers(0, 9), min_size=1),
    ),
    min_size=1,
    max_size=6,
)


@given(SNAPSHOT_PLANS)
@settings(max_examples=10, deadline=None)  # a database each: about 1 s an example
def test_the_index_updated_from_each_new_snapshot_is_the_newest_word_on_each_unit(plan):
    """refresh_unit_index(conn, [new]) after each snapshot (in any date order) leaves bm_unit
    as each unit's newest listing gives it (latest effective date, then latest import), the
    same as computing it from every snapshot."""
    from models.register.snapshots import refresh_unit_index

    expected: dict[str, tuple] = {}
    with (
        tempfile.TemporaryDirectory() as folder,
        SettlementDatabase.create(Path(folder) / "r.sqlite") as db,
        db.engine.begin() as conn,
    ):
        for n, (months, units) in enumerate(plan):
            effective = date(2022, 1 + months, 1)
            entries = {u: entry(tlf=tlf / 100) for u, tlf in units.items()}
            new = insert_snapshot(conn, effective, f"s{n}.csv", entries)
            refresh_unit_index(conn, [new])
            for u, tlf in units.items():
                if u not in expected or expected[u][:2] <= (effective, new):
                    expected[u] = (effective, new, tlf / 100)
        held = dict(conn.execute(text("SELECT id, tlf FROM bm_unit")).all())
    assert held == {u: tlf for u, (_, _, tlf) in expected.items()}


def test_same_snapshot_compares_content_hashes_of_that_date_only(three_snapshots):
    from models.register.snapshots import entries_hash, same_snapshot

    with three_snapshots.engine.connect() as conn:
        b = register_entries(conn, 3)
        assert same_snapshot(conn, b, date(2022, 3, 1)).source == "b.csv"
        assert same_snapshot(conn, b, date(2022, 6, 1)) is None  # same units, other date
        assert same_snapshot(conn, b, None).source == "b.csv"  # any date
        changed = {u: dict(r) for u, r in b.items()} | {"T_B-1": entry(tlf=0.5)}
        assert same_snapshot(conn, changed, date(2022, 3, 1)) is None
    # Numbers hash as floats however they were read; a different value hashes differently.
    assert entries_hash({"T_A-1": entry(tlf=1)}) == entries_hash({"T_A-1": entry(tlf=1.0)})
    assert entries_hash({"T_A-1": entry(tlf=1)}) != entries_hash({"T_A-1": entry(tlf=1.5)})


def test_same_snapshot_sees_a_difference_outside_its_sample(tmp_path):
    """200 units: the sample is every 3rd; a change in unit 1 (not sampled) is still seen by
    the full comparison, and the identical entries are found."""
    from models.register.snapshots import same_snapshot

    entries = {f"T_U-{n:03d}": entry(tlf=n / 1000) for n in range(200)}
    with SettlementDatabase.create(tmp_path / "r.sqlite") as db, db.engine.begin() as conn:
        held = insert_snapshot(conn, date(2022, 1, 1), "a.csv", entries)
        changed = dict(entries) | {"T_U-001": entry(tlf=0.5)}
        assert same_snapshot(conn, changed, date(2022, 1, 1)) is None
        assert same_snapshot(conn, dict(entries), date(2022, 1, 1)).id == held
