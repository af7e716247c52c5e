"""Creating, opening and migrating a workbench database on SQLite, PostgreSQL and MariaDB: the
migrations build the declared schema on each, an older database is carried forward, and the
servers store numbers, instants, bytes and text as SQLite does (issue 21)."""

from __future__ import annotations

import socket
from datetime import date

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, insert, inspect, make_url, text

from models.core.errors import DatabaseOpenError
from models.db.database import SettlementDatabase, _alembic_config
from models.db.migrations import SCHEMA_HEAD
from models.db.schema import BmUnitRegisterSnapshot, metadata
from tests.models.db.backends import BACKENDS, DIALECT, SERVERS, created, url_of


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_build_exactly_the_declared_schema(database_target, backend):
    target = database_target(backend, "schema")
    with created(target, backend) as db, db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == SCHEMA_HEAD
        assert set(inspect(conn).get_table_names()) == {*metadata.tables, "alembic_version"}
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    with SettlementDatabase.open(target) as db:  # current: opened without migrating
        assert db.meta()["application"] == "settlement-workbench"
        assert db.engine.dialect.name == DIALECT[backend]


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_older_database_holding_units_is_migrated_forward(database_target, backend):
    """0006 → head: 0007 makes the units the first register snapshot, with an explicit id;
    the next snapshot must still get a new one (PostgreSQL's sequence is moved past it)."""
    target = database_target(backend, "older")
    engine = create_engine(url_of(target))
    assert engine.dialect.name == DIALECT[backend]
    with engine.begin() as conn:
        config = _alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "0006")
        meta, party, unit = (metadata.tables[n] for n in ("workbench_meta", "party", "bm_unit"))
        conn.execute(insert(meta).values(key="application", value="settlement-workbench"))
        conn.execute(insert(party).values(id="GEN", name="Generator"))
        conn.execute(
            insert(unit).values(id="T_GEN-1", name="", lead_party_id="GEN", pc_status="P",
                                trading_unit="T_GEN-1", tlf=0.01, interconnector=False)
        )  # fmt: skip
    engine.dispose()
    with SettlementDatabase.open(target) as db, db.engine.begin() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == SCHEMA_HEAD
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        first = conn.execute(text("SELECT id, units FROM bm_unit_register_snapshot")).one()
        assert tuple(first) == (1, 1)
        entry = conn.execute(text("SELECT bm_unit_id, tlf FROM bm_unit_register_entry")).one()
        assert tuple(entry) == ("T_GEN-1", 0.01)
        snapshot = BmUnitRegisterSnapshot.__table__
        added = conn.execute(
            insert(snapshot).values(effective_from=date(2024, 1, 1), source="next",
                                    imported_at=date(2024, 1, 2), units=0)
        )  # fmt: skip
        assert added.inserted_primary_key[0] == 2


# What each server's columns are, where its default type would keep less than SQLite does.
COLUMN_TYPES = {
    "postgresql": (
        "SELECT table_name, column_name, data_type, collation_name "
        "FROM information_schema.columns WHERE table_schema = current_schema()"
    ),
    "mariadb": (
        "SELECT table_name, column_name, column_type, collation_name "
        "FROM information_schema.columns WHERE table_schema = DATABASE()"
    ),
}
EXPECTED = {
    "postgresql": {
        ("bid_offer", "offer_price"): ("double precision", None),
        ("scenario_audit", "at"): ("timestamp without time zone", None),
        ("bm_dataset_cache", "payload"): ("bytea", None),
        ("bm_unit", "id"): ("character varying", "C"),
        ("check_result", "detail"): ("text", "C"),
    },
    "mariadb": {
        ("bid_offer", "offer_price"): ("double", None),
        ("scenario_audit", "at"): ("datetime(6)", None),
        ("bm_dataset_cache", "payload"): ("longblob", None),
        ("bm_unit", "id"): ("varchar(32)", "utf8mb4_nopad_bin"),
        ("check_result", "detail"): ("longtext", "utf8mb4_nopad_bin"),
    },
}


@pytest.mark.parametrize("backend", SERVERS)
def test_a_server_keeps_what_sqlite_keeps(database_target, backend):
    """Double precision, microseconds, blobs beyond 64 KiB, text compared byte by byte."""
    with created(database_target(backend, "types"), backend) as db, db.engine.begin() as conn:
        columns = {(r[0], r[1]): (r[2], r[3]) for r in conn.execute(text(COLUMN_TYPES[backend]))}
        for key, expected in EXPECTED[backend].items():
            assert columns[key] == expected, key
        floats = {k for k, (kind, _) in columns.items() if kind in ("real", "float", "float4")}
        assert floats == set()  # no single-precision column anywhere
        party = metadata.tables["party"]
        # Case and trailing spaces make different keys, and sort as SQLite sorts them (bytes).
        ids = ["t_gen-1", "T_GEN-1", "T_GEN-1 ", "T_GEN_1", "T_GEN1", "É"]
        conn.execute(insert(party), [{"id": i, "name": ""} for i in ids])
        assert conn.execute(text("SELECT id FROM party ORDER BY id")).scalars().all() == sorted(ids)
        third = 1 / 3
        conn.execute(text("UPDATE party SET name = 'x' WHERE id = 'T_GEN-1'"))
        assert conn.execute(text("SELECT count(*) FROM party WHERE id = 'T_GEN-1'")).scalar() == 1
        conn.execute(
            insert(metadata.tables["bm_unit"]).values(
                id="T_GEN-1", name="", lead_party_id="T_GEN-1", tlf=third, interconnector=False
            )
        )
        assert conn.execute(text("SELECT tlf FROM bm_unit")).scalar() == third


def test_postgresql_stores_the_columnar_caches_uncompressed(database_target):
    """Migration 0014: a cache's blob is kept out of line but not compressed (a format 3
    cache is narrow already; undoing pglz was a third of a GB day's fetch), the SAA cache as
    before; a downgrade puts bytea's default back."""
    storage = (
        "SELECT c.relname, a.attstorage FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "WHERE a.attname = 'payload' AND c.relnamespace = current_schema()::regnamespace"
    )
    sizes = "SELECT pg_column_size(payload), octet_length(payload) FROM bm_dataset_cache"
    target = database_target("postgresql", "storage")
    with created(target, "postgresql") as db, db.engine.begin() as conn:
        assert dict(conn.execute(text(storage)).all()) == {
            "bm_dataset_cache": "e", "run_input_cache": "e", "saa_report_cache": "x",
        }  # fmt: skip
        table = metadata.tables["bm_dataset"]
        conn.execute(insert(table).values(id=1, settlement_date=date(2024, 6, 12), source="",
                                          created_at=date(2024, 6, 13)))  # fmt: skip
        payload = bytes(range(256)) * 4096  # 1 MiB that pglz would make a few kilobytes
        conn.execute(insert(metadata.tables["bm_dataset_cache"]).values(
            dataset_id=1, format=3, payload=payload))  # fmt: skip
        assert conn.execute(text(sizes)).one() == (len(payload), len(payload))
        assert bytes(conn.execute(text("SELECT payload FROM bm_dataset_cache")).scalar()) == payload
    engine = create_engine(url_of(target))
    with engine.begin() as conn:
        config = _alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0013")
        assert set(dict(conn.execute(text(storage)).all()).values()) == {"x"}
    engine.dispose()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


@pytest.mark.parametrize("scheme", ["postgresql+psycopg", "mysql+pymysql"])
def test_a_server_that_cannot_be_reached_is_told_in_one_line_without_the_password(scheme):
    url = f"{scheme}://analyst:s3cret@127.0.0.1:{_closed_port()}/settlement"
    for action in (SettlementDatabase.open, SettlementDatabase.create):
        with pytest.raises(DatabaseOpenError, match="cannot connect to the server") as caught:
            action(url)
        message = str(caught.value)
        assert "\n" not in message and "s3cret" not in message and "analyst:***@" in message


@pytest.mark.parametrize("backend", SERVERS)
def test_a_server_database_that_is_not_ours_is_refused(database_target, backend):
    url = database_target(backend, "theirs")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE ledger (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    with pytest.raises(DatabaseOpenError, match="not a Settlement Workbench database"):
        SettlementDatabase.open(url)
    with pytest.raises(DatabaseOpenError, match="already has tables"):
        SettlementDatabase.create(url)


@pytest.mark.parametrize(("backend", "said"), [("postgresql", "does not exist"),
                                               ("mariadb", "Unknown database")])  # fmt: skip
def test_a_database_the_server_does_not_have_is_told_in_one_line(database_target, backend, said):
    url = make_url(database_target(backend, "exists")).set(database="no_such_database")
    with pytest.raises(DatabaseOpenError, match="cannot connect to the server") as caught:
        SettlementDatabase.open(url.render_as_string(hide_password=False))
    assert said in str(caught.value) and "\n" not in str(caught.value)
