"""Bulk inserts: dict rows or equal-length columns, with values fixed on every row, through
the driver's own parameter style or, for any other, SQLAlchemy Core's insert: the same rows."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, create_engine, select

from models.db.bulk import bulk_insert, bulk_insert_columns

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
