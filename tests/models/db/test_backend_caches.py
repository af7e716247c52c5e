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
