"""Columnar caches of many megabytes on the servers: stored and read back bit-identical, and
never past MariaDB's max_allowed_packet (16 MiB by default), which would drop the connection
and fail the whole import; such a cache is left out (runs then read their rows)."""

from __future__ import annotations

import os
from datetime import date, datetime

import pytest
from sqlalchemy import insert, select, text

from models.db.dataset_cache import _STATEMENT, server_takes, write_dataset_cache
from models.db.schema import BmDataset, BmDatasetCache
from tests.models.db.backends import SERVERS, created

MiB = 2**20


def _stored(conn) -> list[bytes]:
    return [bytes(p) for p in conn.execute(select(BmDatasetCache.payload)).scalars()]


def _dataset(conn, dataset_id: int) -> None:
    conn.execute(
        insert(BmDataset.__table__).values(id=dataset_id, settlement_date=date(2024, 6, 12),
                                           source="test", created_at=datetime(2024, 6, 13))
    )  # fmt: skip


@pytest.mark.parametrize("backend", SERVERS)
def test_a_cache_of_many_megabytes_reads_back_bit_identical(database_target, backend):
    payload = os.urandom(7 * MiB)  # under MariaDB's default limit as sent (twice its size)
    with created(database_target(backend, "big_cache"), backend) as db, db.engine.begin() as conn:
        _dataset(conn, 1)
        write_dataset_cache(conn, 1, payload)
        assert _stored(conn) == [payload]


def test_mariadb_leaves_out_a_cache_past_its_packet_limit_and_goes_on(database_target):
    with created(database_target("mariadb", "packet"), "mariadb") as db:
        with db.engine.begin() as conn:
            limit = int(conn.execute(text("SELECT @@max_allowed_packet")).scalar())
            assert limit == 16 * MiB  # the server's default, as a team's may well be
            for dataset_id in (1, 2, 3):
                _dataset(conn, dataset_id)
            # A blob travels as text, two characters a byte: 9 MiB is 18 MiB on the wire.
            over = os.urandom(9 * MiB)
            assert not server_takes(conn, over)
            write_dataset_cache(conn, 1, over)
            # At the estimate's very edge the server still takes it: never too optimistic.
            edge = os.urandom((limit - _STATEMENT) // 2)
            assert server_takes(conn, edge) and not server_takes(conn, edge + b"\0")
            write_dataset_cache(conn, 2, edge)
            write_dataset_cache(conn, 3, b"small")
        with db.engine.connect() as conn:  # the import's transaction was committed
            kept = select(BmDatasetCache.dataset_id).order_by(BmDatasetCache.dataset_id)
            assert conn.execute(kept).scalars().all() == [2, 3]
            assert _stored(conn) == [edge, b"small"]


def test_postgresql_takes_a_cache_mariadb_would_refuse(database_target):
    target = database_target("postgresql", "packet")
    with created(target, "postgresql") as db, db.engine.begin() as conn:
        _dataset(conn, 1)
        large = os.urandom(40 * MiB)  # a GB-scale day's cache is some 46 MB
        assert server_takes(conn, large)
        write_dataset_cache(conn, 1, large)
        assert _stored(conn) == [large]


@pytest.mark.parametrize("backend", SERVERS)
def test_an_s0142_runs_saa_cache_holds_what_its_rows_hold_on_the_servers(database_target, backend):
    """The SAA figures of a small synthetic S0142 (every saa_* table, APB and MVR among them)
    written on a server: its cache reads back as the rows do (key order in the servers'
    binary collation, NaN, signs), and is made again from the rows where it is missing."""
    from sqlalchemy import delete

    from models.casefiles.case_file import load_case
    from models.db.saa_cache import build_missing_saa_caches, read_saa_cache, read_saa_rows
    from models.db.schema import SaaReportCache
    from models.p114.synthetic import SyntheticSpec, synthetic_s0142
    from models.published.saa_store import saa_columns, write_saa
    from models.runs.case_store import import_case
    from tests.models.db.saa_figures import REPORT, assert_same
    from tests.paths import CASES

    content = synthetic_s0142(SyntheticSpec(parties=4, bm_units=16, limit_units=3,
                                            rate_units=2, offer_units=4))  # fmt: skip
    with created(database_target(backend, "saa_cache"), backend) as db:
        run = import_case(db, load_case(CASES / "worked_example.json"))
        with db.engine.begin() as conn:
            write_saa(conn, run, REPORT, saa_columns(content))
        with db.engine.connect() as conn:
            rows = read_saa_rows(conn, run)
            assert_same(read_saa_cache(conn, run), rows)
        assert len(rows["saa_account_bm_unit_period"]["qce"]) > 0
        assert len(rows["saa_bm_unit_mvr"]["qce"]) > 0
        assert (rows["saa_bm_unit_period"]["qm"] < 0).any()
        with db.engine.begin() as conn:
            conn.execute(delete(SaaReportCache.__table__))
            assert build_missing_saa_caches(conn) == [run]
        with db.engine.connect() as conn:
            assert_same(read_saa_cache(conn, run), rows)


def test_mariadb_leaves_out_an_saa_cache_past_its_packet_limit(database_target):
    """A GB-scale day's SAA cache (some 60 MB) does not fit MariaDB's default packet: the
    figures' rows are written, the cache left out, and the run reads its rows."""
    import numpy as np

    from models.casefiles.case_file import load_case
    from models.db.saa_cache import COLUMNS, canonical, read_saa_cache, write_saa_cache
    from models.runs.case_store import import_case
    from tests.paths import CASES

    rows = 80_000  # 16 numbers a row: some 10 MiB, 20 MiB on the wire
    units = {c: np.arange(rows, dtype=float) / 8 for c in COLUMNS["saa_bm_unit_period"]}
    units |= {
        "bm_unit_id": np.array([f"T_U-{n:05d}" for n in range(rows)]),
        "period": np.ones(rows, dtype=np.int64),
        "party_id": np.full(rows, "GEN"),
        "trading_unit": np.full(rows, "TU"),
    }
    with created(database_target("mariadb", "saa_packet"), "mariadb") as db:
        run = import_case(db, load_case(CASES / "worked_example.json"))
        with db.engine.begin() as conn:
            assert not write_saa_cache(conn, run, canonical({"saa_bm_unit_period": units}))
        with db.engine.connect() as conn:
            assert read_saa_cache(conn, run) is None
