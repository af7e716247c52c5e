"""The columnar cache of BM datasets holds exactly what the segment tables hold."""

from __future__ import annotations

import io

import numpy as np
from sqlalchemy import text

from models.db.database import SettlementDatabase
from models.db.dataset_cache import pack, read_dataset_cache, unpack
from models.demo.generator import DemoSpec, generate_demo
from models.runs.inputs import load_settlement_inputs, read_run_frames
from tests.demo_databases import demo_with_caches


def test_small_datasets_are_not_cached(tmp_path):
    path = tmp_path / "d.sqlite"
    generate_demo(path, DemoSpec(bmus=12, seed=9))
    with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
        assert read_dataset_cache(conn, 1) is None  # read from the tables as fast
        assert load_settlement_inputs(conn, 2).bm.bm_units


def test_cached_and_stored_bm_data_are_identical_and_load_the_same_inputs(tmp_path, monkeypatch):
    path = demo_with_caches(tmp_path / "d.sqlite", monkeypatch, bmus=25, seed=9)
    with SettlementDatabase.open(path) as db:
        with db.engine.connect() as conn:
            cached = read_dataset_cache(conn, 1)
            assert cached is not None
            _, _, from_cache = read_run_frames(conn, 2)
            with_cache = load_settlement_inputs(conn, 2)
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM bm_dataset_cache"))  # as a database before 0003
            conn.execute(text("DELETE FROM run_input_cache"))  # … and before 0004
        with db.engine.connect() as conn:
            assert read_dataset_cache(conn, 1) is None
            _, _, from_tables = read_run_frames(conn, 2)
            without_cache = load_settlement_inputs(conn, 2)
    for table in ("physical_notification", "bid_offer", "acceptance", "acceptance_level"):
        a, b = from_cache[table], from_tables[table]
        assert a.keys() == b.keys(), table
        assert len(a["bm_unit_id"]) == len(b["bm_unit_id"]) > 0, table
        for column in a:
            left, right = a[column], b[column]
            if left.dtype.kind in "fiub":
                assert np.array_equal(left.astype(float), right.astype(float)), (table, column)
            else:
                assert left.tolist() == right.tolist(), (table, column)
    assert with_cache.bm.bm_units == without_cache.bm.bm_units
    for name in ("time_from", "level_from", "time_to", "level_to", "owner"):
        assert np.array_equal(
            getattr(with_cache.bm.bands, name), getattr(without_cache.bm.bands, name)
        )
        assert np.array_equal(
            getattr(with_cache.bm.acceptance_levels, name),
            getattr(without_cache.bm.acceptance_levels, name),
        )
    assert np.array_equal(with_cache.bm.pairs.offer_price, without_cache.bm.pairs.offer_price)
    # The run's own inputs (metering, contracts, BSAD with unpriced actions, MID, LoLP…).
    assert np.array_equal(with_cache.metered, without_cache.metered, equal_nan=True)
    assert np.array_equal(with_cache.contracts.mwh, without_cache.contracts.mwh)
    assert np.array_equal(with_cache.bsad.cost, without_cache.bsad.cost, equal_nan=True)
    assert with_cache.bsad.ids == without_cache.bsad.ids
    assert np.array_equal(with_cache.period_inputs.mip, without_cache.period_inputs.mip)
    assert np.array_equal(with_cache.units.tlf, without_cache.units.tlf)
    assert with_cache.parties == without_cache.parties
    assert with_cache.parameters == without_cache.parameters


def test_packed_arrays_read_back_in_place_with_their_types():
    arrays = {
        "rows": np.array([3]),
        "codes": np.array([0, -1, 1], dtype=np.int32),
        "labels": np.array(["T_A", "T_LONGER-1"]),
        "flags": np.array([True, False, True]),
        "mw": np.array([1.5, np.nan, -2.0]),
        "none": np.zeros(0),
    }
    payload = pack(arrays)
    back = unpack(payload)
    assert list(back) == list(arrays)
    for name, array in arrays.items():
        assert back[name].dtype == array.dtype, name
        assert np.array_equal(back[name], array, equal_nan=array.dtype.kind == "f"), name
    # Views of the payload, each aligned: nothing copied.
    assert all(a.base is not None and not a.flags.writeable for a in back.values())
    assert all(a.ctypes.data % 8 == 0 for a in back.values() if len(a))


def _bits(array: np.ndarray) -> bytes:
    return array.tobytes() if array.dtype.kind != "U" else "|".join(array).encode()


def test_compact_packing_gives_back_every_array_bit_for_bit_at_its_type():
    rng = np.random.default_rng(5)
    rows = 5_000
    floats = rng.choice([1.5, -0.0, 0.0, np.inf, -np.inf, 12.25, 1e300], rows)
    floats[::7] = np.nan
    floats[3] = np.frombuffer(np.array([0x7FF8_0000_0000_0001], "<u8").tobytes(), "<f8")[0]
    arrays = {
        "rows": np.array([rows]),  # short: stored as it is
        "period": rng.integers(1, 51, rows),  # one byte
        "codes": rng.integers(-1, 3_000, rows).astype(np.int32),  # −1 for NULL; two bytes
        "extremes": rng.choice([-(2**63), 2**63 - 1], rows),  # no difference fits: 2 values
        "wide": rng.integers(0, 2**40, rows),  # as many distinct values as rows
        "instants": rng.choice(1_718_146_800 + 1_800 * np.arange(48), rows),
        "unsigned": rng.integers(2**64 - 300, 2**64 - 1, rows, dtype=np.uint64),
        "price": np.round(rng.uniform(-250, 250, 300), 2)[rng.integers(0, 300, rows)],
        "few": floats,  # NaN (two payloads), both zeros, both infinities: told apart by bits
        "distinct": rng.standard_normal(rows),  # nothing to gain
        "flags": rng.integers(0, 2, rows).astype(bool),
        "labels": np.array(["T_A", "T_LONGER-1", ""]),
        "none": np.zeros(0),
    }
    payload = pack(arrays, compact=True)
    back = unpack(payload)
    assert list(back) == list(arrays)
    for name, array in arrays.items():
        assert back[name].dtype == array.dtype, name
        assert _bits(back[name]) == _bits(array), name
    plain = pack(arrays)
    assert len(payload) < len(plain) * 0.6
    assert unpack(plain).keys() == back.keys()
    # Stored as they are, so read in place: what nothing narrower holds, or not worth it.
    for name in ("rows", "wide", "distinct", "flags", "labels", "none"):
        assert back[name].base is not None and not back[name].flags.writeable, name
    for name in ("period", "codes", "extremes", "instants", "unsigned", "price", "few"):
        assert back[name].flags.writeable, name


def test_caches_of_the_second_format_are_still_read(tmp_path, monkeypatch):
    """Format 2 (every array as it is) is read as before, to the same tables as format 3."""
    path = demo_with_caches(tmp_path / "d.sqlite", monkeypatch, bmus=40, seed=4)
    with SettlementDatabase.open(path) as db:
        with db.engine.connect() as conn:
            current = read_dataset_cache(conn, 1)
            inputs = load_settlement_inputs(conn, 2)
            (payload, format) = conn.execute(
                text("SELECT payload, format FROM bm_dataset_cache")
            ).one()
        assert format == 3
        with db.engine.begin() as conn:
            conn.execute(
                text("UPDATE bm_dataset_cache SET format = 2, payload = :p"),
                {"p": pack(unpack(payload))},
            )
        with db.engine.connect() as conn:
            old = read_dataset_cache(conn, 1)
            old_inputs = load_settlement_inputs(conn, 2)
    assert len(pack(unpack(payload))) > 2 * len(payload)
    for table, columns in current.items():
        for column, values in columns.items():
            assert old[table][column].dtype == values.dtype, (table, column)
            assert old[table][column].tolist() == values.tolist(), (table, column)
    assert np.array_equal(old_inputs.bm.bands.level_from, inputs.bm.bands.level_from)
    assert np.array_equal(old_inputs.bm.pairs.offer_price, inputs.bm.pairs.offer_price)


def test_caches_of_the_first_format_are_still_read(tmp_path, monkeypatch):
    """Databases written before format 2 keep their .npz caches: read, not ignored."""
    path = demo_with_caches(tmp_path / "d.sqlite", monkeypatch, bmus=15, seed=3)
    with SettlementDatabase.open(path) as db:
        with db.engine.connect() as conn:
            current = read_dataset_cache(conn, 1)
            inputs = load_settlement_inputs(conn, 2)
        with db.engine.begin() as conn:
            (payload,) = conn.execute(text("SELECT payload FROM bm_dataset_cache")).one()
            buffer = io.BytesIO()
            np.savez(buffer, **unpack(payload))  # the same arrays, as format 1 stored them
            conn.execute(
                text("UPDATE bm_dataset_cache SET format = 1, payload = :p"),
                {"p": buffer.getvalue()},
            )
        with db.engine.connect() as conn:
            old = read_dataset_cache(conn, 1)
            old_inputs = load_settlement_inputs(conn, 2)
    for table, columns in current.items():
        for column, values in columns.items():
            assert old[table][column].tolist() == values.tolist(), (table, column)
    assert np.array_equal(old_inputs.bm.bands.level_from, inputs.bm.bands.level_from)
    assert old_inputs.bm.bm_units == inputs.bm.bm_units


def test_a_run_is_cached_from_exactly_run_cache_min_rows_input_rows(tmp_path, monkeypatch):
    import models.db.dataset_cache as dataset_cache
    from models.db.schema import RUN_INPUT_TABLES

    path = tmp_path / "d.sqlite"
    generate_demo(path, DemoSpec(bmus=12, seed=9))
    with SettlementDatabase.open(path) as db, db.engine.begin() as conn:
        rows = sum(
            conn.execute(text(f"SELECT count(*) FROM {t.name} WHERE run_id = 2")).scalar()
            for t in RUN_INPUT_TABLES
        )
        assert 0 < rows < dataset_cache.RUN_CACHE_MIN_ROWS  # the demo's run 2 is not cached
        assert conn.execute(text("SELECT count(*) FROM run_input_cache")).scalar() == 0
        for threshold, cached in ((rows + 1, 0), (rows, 1)):
            monkeypatch.setattr(dataset_cache, "RUN_CACHE_MIN_ROWS", threshold)
            dataset_cache.write_run_cache(conn, 2)
            count = "SELECT count(*) FROM run_input_cache WHERE run_id = 2"
            assert conn.execute(text(count)).scalar() == cached
        assert dataset_cache.read_run_cache(conn, 2)["run_bm_unit"]["bm_unit_id"].size > 0


def test_a_run_cache_built_without_pandas_is_the_one_pandas_builds(tmp_path, monkeypatch):
    """Every run of a demo (metered volumes, contracts, BSAD with unpriced actions, MID, LoLP)
    and the worked example case: the payload made with numpy alone is pandas' byte for byte,
    empty tables and NULL columns included; a column of another kind is left to pandas."""
    from decimal import Decimal

    import pandas as pd

    import models.db.dataset_cache as dataset_cache
    from models.casefiles.case_file import load_case
    from models.runs.case_store import import_case
    from tests.paths import CASES

    def by_pandas(tables):
        frames = {n: pd.DataFrame(rows, columns=c) for n, (rows, c) in tables.items()}
        return dataset_cache.encode(frames)

    demo = demo_with_caches(tmp_path / "d.sqlite", monkeypatch, bmus=25, seed=9)
    with SettlementDatabase.create(tmp_path / "case.sqlite") as db:
        import_case(db, load_case(CASES / "worked_example.json"))
    kinds = set()
    for path in (demo, tmp_path / "case.sqlite"):
        with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
            for run_id in conn.execute(text("SELECT id FROM settlement_run")).scalars():
                tables = dataset_cache._run_tables(conn, run_id)
                payload = dataset_cache._run_payload_without_pandas(tables)
                assert payload == by_pandas(tables), (path.name, run_id)
                for rows, _ in tables.values():
                    kinds |= {frozenset(map(type, c)) for c in zip(*rows, strict=True)}
                    kinds |= {"empty"} if not rows else set()
    assert {"empty", frozenset({int}), frozenset({float}), frozenset({str})} <= kinds
    assert any(type(None) in k for k in kinds if k != "empty")  # a NULL in some column
    odd = {"run_parameter": ([("x", Decimal("1.5")), ("y", None)], ["name", "value"])}
    assert dataset_cache._run_payload_without_pandas(odd) is None
    nulls = {"t": ([(None, 1), (None, 2)], ["a", "b"]), "u": ([], ["c"])}
    assert dataset_cache._run_payload_without_pandas(nulls) == by_pandas(nulls)


def _column_kind(kind: str):
    from hypothesis import strategies as st

    return {
        "int": st.integers(-(2**40), 2**40),
        "float": st.floats(-1e6, 1e6),
        "number": st.one_of(st.integers(-5, 5), st.floats(-5, 5)),
        "number or null": st.one_of(st.none(), st.integers(-5, 5), st.floats(-5, 5)),
        "null": st.none(),
        "bool": st.booleans(),
        "text or null": st.one_of(st.none(), st.sampled_from(["T_A-1", "E_B", "Ω"])),
        "bool or null": st.one_of(st.none(), st.booleans()),  # left to pandas
        "beyond int64": st.just(2**64),  # left to pandas
    }[kind]


KINDS = (
    "int",
    "float",
    "number",
    "number or null",
    "null",
    "bool",
    "text or null",
    "bool or null",
    "beyond int64",
)


def _bm_tables(draw):
    from hypothesis import strategies as st

    from models.db.dataset_cache import COLUMNS, ORDER

    kinds = KINDS if draw(st.booleans()) else KINDS[:-2]  # half the tables pandas-free
    tables = {}
    for table, columns in COLUMNS.items():
        rows = draw(st.integers(0, 6))
        data = {}
        for column in columns:
            if column in ORDER[table]:
                kind = (
                    st.sampled_from(["T_B-1", "T_A-1", "B"])
                    if "_id" in column or (column == "notification")
                    else st.integers(-3, 3)
                )
            else:
                kind = _column_kind(draw(st.sampled_from(kinds)))
            data[column] = draw(st.lists(kind, min_size=rows, max_size=rows))
        tables[table] = data
    return tables


def test_the_cache_built_without_pandas_is_the_one_pandas_builds():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    import models.db.dataset_cache as dataset_cache
    from models.db.dataset_cache import encode, frames_from_columns, payload_from_columns

    @settings(max_examples=150, deadline=None)
    @given(st.composite(lambda draw: _bm_tables(draw))())
    def check(tables):
        assert payload_from_columns(tables) == encode(frames_from_columns(tables))
        if 2**64 not in {v for data in tables.values() for c in data.values() for v in c} and (
            not any(
                {type(v) for v in c} == {bool, type(None)}
                for data in tables.values()
                for c in data.values()
            )
        ):
            assert dataset_cache._payload_without_pandas(tables) is not None

    check()


def test_the_cache_is_built_without_pandas_for_the_columns_importers_give():
    import models.db.dataset_cache as dataset_cache

    tables = {
        "bid_offer": {
            "bm_unit_id": ["T_B-1", "T_A-1", "T_A-1"],
            "period": [1, 2, 1],
            "pair": [1, 1, 1],
            "seq": [0, 0, 0],
            "time_from": [0, 60, 0],
            "time_to": [30, 90, 30],
            "offer_price": [10.0, 12, 11.5],
            "bid_price": [5.0, None, 4],
            "level_from": [1.0, 2.0, 3.0],
            "level_to": [1.0, 2.0, 3.0],
        }
    }
    tables["bid_offer"] = {
        c: tables["bid_offer"].get(c, [None] * 3) for c in dataset_cache.COLUMNS["bid_offer"]
    }
    arrays = dataset_cache.unpack(dataset_cache._payload_without_pandas(tables))
    assert arrays["bid_offer/rows"].tolist() == [3]
    assert arrays["bid_offer/period"].tolist() == [1, 2, 1]  # sorted: T_A-1 1, T_A-1 2, T_B-1
    assert arrays["bid_offer/bm_unit_id/codes"].tolist() == [0, 0, 1]
    assert arrays["bid_offer/bm_unit_id/labels"].tolist() == ["T_A-1", "T_B-1"]
    assert np.array_equal(arrays["bid_offer/bid_price"], [4.0, np.nan, 5.0], equal_nan=True)
    assert arrays["bid_offer/offer_price"].dtype == float
    assert arrays["bid_offer/time_from"].dtype == np.int64
    tables["bid_offer"]["period"][0] = True  # a boolean among whole numbers: left to pandas
    assert dataset_cache._payload_without_pandas(tables) is None
