"""Bulk inserts: dict rows or equal-length columns, with values fixed on every row, through
the driver's own parameter style or, for any other, SQLAlchemy Core's insert: the same rows.
On PostgreSQL a COPY, which stores exactly what executemany stores, in the transaction; a day
of real files imported on each backend stores the rows SQLite stores."""

from __future__ import annotations

import hashlib
import math
from datetime import date, datetime

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    select,
)

from models.db import bulk, schema
from models.db.bulk import COPY_MIN_ROWS, bulk_insert, bulk_insert_columns
from models.db.copy import row_digest
from models.imports.loader import import_files
from tests.models.db.backends import BACKENDS, created
from tests.paths import ELEXON_DATA

REGISTER = ELEXON_DATA / "reference" / "bmu_register_insights_2026.csv"

METADATA = MetaData()
VOLUME = Table(
    "metered volume",  # a name that needs quoting
    METADATA,
    Column("run_id", Integer, primary_key=True),
    Column("bm_unit_id", String, primary_key=True),
    Column("period", Integer, primary_key=True),
    Column("mwh", Float),
)
ROWS = [
    {"bm_unit_id": "T_GEN-1", "period": 27, "mwh": 74.0},
    {"bm_unit_id": "2__XSUP-1", "period": 27, "mwh": -73.0},
]
STORED = [(7, "2__XSUP-1", 27, -73.0), (7, "T_GEN-1", 27, 74.0)]


@pytest.fixture
def conn():
    engine = create_engine("sqlite://")
    METADATA.create_all(engine)
    with engine.begin() as connection:
        yield connection
    engine.dispose()


def stored(conn) -> list[tuple]:
    return [tuple(r) for r in conn.execute(select(VOLUME).order_by(VOLUME.c.bm_unit_id))]


def test_dict_rows_with_a_fixed_run_id(conn):
    assert bulk_insert(conn, VOLUME, ROWS, {"run_id": 7}) == 2
    assert stored(conn) == STORED


def test_rows_from_a_generator_and_no_rows_at_all(conn):
    assert bulk_insert(conn, VOLUME, (r | {"run_id": 7} for r in ROWS)) == 2
    assert bulk_insert(conn, VOLUME, []) == 0
    assert stored(conn) == STORED


def test_columns_with_a_fixed_run_id(conn):
    columns = {"bm_unit_id": ["T_GEN-1", "2__XSUP-1"], "period": [27, 27], "mwh": [74.0, -73.0]}
    assert bulk_insert_columns(conn, VOLUME, columns, {"run_id": 7}) == 2
    assert bulk_insert_columns(conn, VOLUME, {"mwh": []}, {"run_id": 8}) == 0
    assert stored(conn) == STORED


def test_another_parameter_style_goes_through_core_with_the_same_rows(conn, monkeypatch):
    # As for a driver whose parameter style the fast path does not write (e.g. "named").
    monkeypatch.setattr("models.db.bulk._PLACEHOLDER", {})
    assert bulk_insert(conn, VOLUME, ROWS[:1], {"run_id": 7}) == 1
    columns = {"bm_unit_id": ["2__XSUP-1"], "period": [27], "mwh": [-73.0]}
    assert bulk_insert_columns(conn, VOLUME, columns, {"run_id": 7}) == 1
    assert stored(conn) == STORED


def test_an_unknown_column_is_named(conn):
    with pytest.raises(KeyError, match="metered volume has no column 'tlm'"):
        bulk_insert(conn, VOLUME, [{"bm_unit_id": "A", "period": 1, "tlm": 1.0}], {"run_id": 1})


# PostgreSQL: COPY (issue 21). Values of every kind the tables hold, among them those text
# COPY escapes (tab, newline, backslash, \N) and the floats only an exact dump keeps.
KINDS = Table(
    "kinds",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("label", String),
    Column("figure", Float),
    Column("flag", Boolean),
    Column("day", Date),
    Column("at", DateTime),
    Column("blob", LargeBinary),
)
TEXTS = ["T_GEN-1", "tab\there", "new\nline", "back\\slash", "\\N", "", None, "£ é 日本"]
FIGURES = [0.1, -0.0, 1e-300, 123456.789012345, math.inf, -math.inf, math.nan, None]


def _kinds_rows(count: int) -> list[dict]:
    return [
        {
            "id": n + 1,
            "label": TEXTS[n % len(TEXTS)],
            "figure": FIGURES[n % len(FIGURES)],
            "flag": (True, False, None)[n % 3],
            "day": date(2024, 1, 1 + n % 28),
            "at": datetime(2024, 7, 4, 12, n % 60, 5, n % 1_000_000),
            "blob": bytes([n % 256, 0, 92, 10]) if n % 4 else None,
        }
        for n in range(count)
    ]


def _kinds_stored(conn) -> list[bytes]:
    return [row_digest(r) for r in conn.execute(select(KINDS).order_by(KINDS.c.id))]


@pytest.fixture
def postgresql(database_target):
    engine = create_engine(database_target("postgresql", "bulk"))
    METADATA.create_all(engine)
    yield engine
    engine.dispose()


def test_postgresql_copies_the_rows_executemany_stores(postgresql, monkeypatch):
    rows = _kinds_rows(2 * COPY_MIN_ROWS)
    copies = []
    copy = bulk._copy
    monkeypatch.setattr(bulk, "_copy", lambda *a: copies.append(a[1].name) or copy(*a))
    with postgresql.begin() as conn:
        assert bulk_insert(conn, KINDS, rows[:COPY_MIN_ROWS]) == COPY_MIN_ROWS
    # Columns, with a value fixed on every row.
    columns = {k: [r[k] for r in rows[COPY_MIN_ROWS:]] for k in rows[0] if k != "flag"}
    with postgresql.begin() as conn:
        assert bulk_insert_columns(conn, KINDS, columns, {"flag": True}) == COPY_MIN_ROWS
        copied = _kinds_stored(conn)
        conn.execute(KINDS.delete())
    assert copies == ["kinds", "kinds"]
    monkeypatch.setattr(bulk, "COPY_MIN_ROWS", 10**9)
    with postgresql.begin() as conn:
        bulk_insert(conn, KINDS, rows[:COPY_MIN_ROWS])
        bulk_insert_columns(conn, KINDS, columns, {"flag": True})
        assert _kinds_stored(conn) == copied
    assert copies == ["kinds", "kinds"]  # executemany this time
    assert len(copied) == 2 * COPY_MIN_ROWS


def test_a_copy_is_part_of_the_transaction_and_rolled_back_with_it(postgresql):
    with pytest.raises(RuntimeError), postgresql.begin() as conn:
        bulk_insert(conn, KINDS, _kinds_rows(COPY_MIN_ROWS))
        assert len(_kinds_stored(conn)) == COPY_MIN_ROWS  # seen in its own transaction
        raise RuntimeError("the import failed")
    with postgresql.connect() as conn:
        assert _kinds_stored(conn) == []


def test_a_copy_names_an_unknown_column(postgresql):
    rows = [{"id": n, "tlm": 1.0} for n in range(COPY_MIN_ROWS)]
    with pytest.raises(KeyError, match="kinds has no column 'tlm'"), postgresql.begin() as conn:
        bulk_insert(conn, KINDS, rows)


def _figures(conn) -> dict[str, tuple[int, str]]:
    """Each table's rows and checksum, its UTC instants left out (when a row was written), and
    the database's own facts (workbench_meta: its identity, made when it was created)."""
    figures = {}
    for table in schema.metadata.sorted_tables:
        if table.name == "workbench_meta":
            continue
        columns = [c for c in table.c if not isinstance(c.type, DateTime)]
        rows = conn.execute(select(*columns).order_by(*table.primary_key.columns))
        digests = sorted(row_digest(r) for r in rows)
        figures[table.name] = (len(digests), hashlib.sha256(b"".join(digests)).hexdigest())
    return figures


@pytest.mark.slow  # some 8 s: the register and a day of real files on each backend
def test_real_files_imported_on_each_backend_store_the_rows_sqlite_stores(database_target):
    """The import's bulk paths (SQLite's executemany, PostgreSQL's COPY, PyMySQL's multi-row
    INSERTs) store the same rows, to the last bit of every figure."""
    day = [ELEXON_DATA / "insights_json" / f"{n}_2022-01-01.json" for n in ("PN", "BOD", "BOALF")]
    found = {}
    for backend in BACKENDS:
        with created(database_target(backend, f"bulk_import_{backend}"), backend) as db:
            import_files(db, [REGISTER], effective_from=date(2019, 1, 1))
            import_files(db, day)
            with db.engine.connect() as conn:
                found[backend] = _figures(conn)
    assert found["sqlite"]["bid_offer"][0] == 14_964
    assert found["sqlite"]["bm_dataset_cache"][0] == 1
    assert found["postgresql"] == found["sqlite"]
    assert found["mariadb"] == found["sqlite"]
