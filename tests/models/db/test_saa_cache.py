"""The columnar cache of a run's SAA figures (models/db/saa_cache.py): the same columns as the
rows, value for value (NaN for an empty field, signs kept, rows in key order), written with the
figures, made from the rows where a database imported before schema 0011 has none."""

from __future__ import annotations

import numpy as np
import pytest
from alembic import command
from sqlalchemy import delete, func, select

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase, _alembic_config
from models.db.saa_cache import (
    CACHED,
    COLUMNS,
    build_missing_saa_caches,
    canonical,
    decode_saa,
    encode_saa,
    read_saa_cache,
    read_saa_rows,
)
from models.db.schema import SaaReportCache
from models.p114.synthetic import SyntheticSpec, synthetic_s0142
from models.published.saa_store import read_saa, saa_columns, write_saa
from models.runs.case_store import import_case
from tests.models.db.saa_figures import REPORT, assert_same
from tests.paths import CASES

SPEC = SyntheticSpec(parties=5, bm_units=24, limit_units=4, rate_units=3, offer_units=6)


def _hand_figures() -> dict:
    """Three BM unit rows out of key order, a consumption unit's negative volumes, an empty
    optional field (NaN), a negative zero and a NULL trading unit."""
    units = {
        "bm_unit_id": np.array(["T_B-1", "E_A-2", "T_B-1"], dtype=object),
        "period": np.array([2, 1, 1]),
        "party_id": np.array(["GEN", "SUP", "GEN"], dtype=object),
        "trading_unit": np.array(["TU1", None, "TU1"], dtype=object),
    }
    for n, column in enumerate(c for c in COLUMNS["saa_bm_unit_period"] if c not in units):
        units[column] = np.array([n + 0.5, -(n + 0.125), n + 0.25])
    units["qm"] = np.array([101.125, -12.345, -0.0])
    units["settlement_expected_volume"] = np.array([np.nan, -3.5, np.nan])
    system = {c: np.array([1.5, -2.25]) for c in COLUMNS["saa_system_period"]}
    system["period"] = np.array([2, 1])
    return {"saa_bm_unit_period": units, "saa_system_period": system}


def test_canonical_figures_are_in_key_order_with_nan_for_empty_fields():
    figures = canonical(_hand_figures())
    units = figures["saa_bm_unit_period"]
    # key order: (bm_unit_id, period) in code point order
    assert units["bm_unit_id"].tolist() == ["E_A-2", "T_B-1", "T_B-1"]
    assert units["period"].tolist() == [1, 1, 2]
    assert units["party_id"].tolist() == ["SUP", "GEN", "GEN"]
    assert units["trading_unit"].tolist() == ["", "TU1", "TU1"]  # NULL text: ""
    # the consumption unit's metered volume keeps its sign; −0.0 is 0.0 (SQLite keeps none)
    assert units["qm"].tolist() == [-12.345, 0.0, 101.125]
    assert not np.signbit(units["qm"][1])
    assert np.isnan(units["settlement_expected_volume"][[1, 2]]).all()
    assert units["settlement_expected_volume"][0] == -3.5
    assert units["period"].dtype == np.int64 and units["qm"].dtype == np.float64
    assert figures["saa_system_period"]["period"].tolist() == [1, 2]
    assert figures["saa_system_period"]["ssp"].tolist() == [-2.25, 1.5]
    # tables not given are there, empty
    assert len(figures["saa_bm_unit_mvr"]["qce"]) == 0
    assert set(figures) == set(CACHED)


def test_the_cache_reads_back_exactly_what_was_encoded():
    figures = canonical(_hand_figures())
    back = decode_saa(encode_saa(figures))
    assert_same(back, figures)
    assert back["saa_bm_unit_period"]["qm"][0] == -12.345  # bit for bit, not rounded
    assert not back["saa_bm_unit_period"]["qm"].flags.writeable  # read in place, no copy


@pytest.fixture
def saa_run(tmp_path):
    """(database path, run id) of a run holding the SAA figures of a small synthetic S0142."""
    path = tmp_path / "s.sqlite"
    content = synthetic_s0142(SPEC)
    with SettlementDatabase.create(path) as db:
        run = import_case(db, load_case(CASES / "worked_example.json"))
        with db.engine.begin() as conn:
            write_saa(conn, run, REPORT, saa_columns(content))
    return path, run


def test_the_cache_written_with_the_figures_holds_what_the_rows_hold(saa_run):
    path, run = saa_run
    with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
        cached, rows = read_saa_cache(conn, run), read_saa_rows(conn, run)
        assert cached is not None
        assert_same(cached, rows)
        assert_same(read_saa(conn, run), rows)
        cached["saa_bm_unit_period"]["qm"][0] += 1.0  # the caller's own copy, to edit
        assert (
            read_saa_cache(conn, run)["saa_bm_unit_period"]["qm"][0]
            == rows["saa_bm_unit_period"]["qm"][0]
        )
    units = rows["saa_bm_unit_period"]
    assert len(units["qm"]) == 24 * 48
    assert (units["qm"] < 0).any() and (units["qm"] > 0).any()  # both signs survive
    assert len(rows["saa_account_bm_unit_period"]["qce"]) > 0
    assert len(rows["saa_bm_unit_mvr"]["qce"]) > 0


def test_without_a_cache_the_rows_are_read_and_the_cache_can_be_made_again(saa_run):
    path, run = saa_run
    with SettlementDatabase.open(path) as db:
        with db.engine.begin() as conn:
            conn.execute(delete(SaaReportCache.__table__))
        with db.engine.connect() as conn:
            assert read_saa_cache(conn, run) is None
            rows = read_saa(conn, run)
        with db.engine.begin() as conn:
            assert build_missing_saa_caches(conn) == [run]
            assert build_missing_saa_caches(conn) == []  # made once
        with db.engine.connect() as conn:
            assert_same(read_saa_cache(conn, run), rows)


def test_a_cache_lacking_a_column_this_version_reads_is_not_used(saa_run):
    path, run = saa_run
    with SettlementDatabase.open(path) as db:
        with db.engine.connect() as conn:
            rows = read_saa_rows(conn, run)
        partial = {
            name: {c: v for c, v in table.items() if c != "qm"} for name, table in rows.items()
        }
        cache = SaaReportCache.__table__
        with db.engine.begin() as conn:
            conn.execute(
                cache.update().where(cache.c.run_id == run).values(payload=encode_saa(partial))
            )
        with db.engine.connect() as conn:
            assert read_saa_cache(conn, run) is None
            assert_same(read_saa(conn, run), rows)


def test_a_database_imported_before_0011_gets_its_caches_on_opening(saa_run):
    path, run = saa_run
    with SettlementDatabase.open(path) as db, db.engine.begin() as conn:
        config = _alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0010")  # as it was before 0011: no cache, APB or MVR
    with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(SaaReportCache.__table__))
        assert count.scalar() == 1
        cached, rows = read_saa_cache(conn, run), read_saa_rows(conn, run)
        assert cached is not None
        assert_same(cached, rows)
        # the rows of before are there; APB and MVR were not stored then
        assert len(rows["saa_bm_unit_period"]["qm"]) == 24 * 48
        assert len(rows["saa_account_bm_unit_period"]["qce"]) == 0
