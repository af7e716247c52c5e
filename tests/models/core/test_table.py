"""Tables as numpy columns: typed as pandas types them, factorized and looked up as pandas
does (the run loader used pandas before; settled results must not change)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from models.core.table import (
    codes_in,
    column_array,
    factorize,
    sort_rows,
    table_from_records,
    table_from_rows,
    take,
)


def test_columns_are_typed_as_pandas_types_them():
    assert column_array([3, 1, 2]).dtype == np.int64
    assert column_array([1, 2.5]).dtype == np.float64
    with_null = column_array([1, None, 3])
    assert with_null.dtype == np.float64 and np.isnan(with_null[1])
    text = column_array(["T_A", None, "T_B"])
    assert text.dtype == object and text.tolist() == ["T_A", None, "T_B"]
    assert column_array([None, None]).tolist() == [None, None]
    assert column_array([True, False]).dtype == bool
    # A text column whose first value is a number stays text (SQLite types by value).
    assert column_array([1, "a"]).tolist() == [1, "a"]
    assert column_array([]).dtype == object
    for values in ([3, 1, 2], [1, None, 3], ["T_A", None], [None, None], [1.5, None]):
        expected = pd.DataFrame({"c": values})["c"].to_numpy()
        got = column_array(values)
        assert got.dtype == expected.dtype, values
        assert pd.Series(got).equals(pd.Series(expected)), values


def test_tables_from_rows_and_records():
    table = table_from_rows([("T_A", 1, 0.5), ("T_B", 2, None)], ["unit", "period", "mwh"])
    assert table["unit"].tolist() == ["T_A", "T_B"]
    assert table["period"].tolist() == [1, 2]
    assert table["mwh"][0] == 0.5 and np.isnan(table["mwh"][1])
    empty = table_from_rows([], ["unit", "period"])
    assert list(empty) == ["unit", "period"] and len(empty["unit"]) == 0
    records = table_from_records([{"unit": "T_A"}, {"unit": "T_B", "mwh": 2.0}], ["unit", "mwh"])
    assert np.isnan(records["mwh"][0]) and records["mwh"][1] == 2.0  # a missing key is NULL


def test_rows_are_taken_and_sorted_stably_by_text_then_number():
    table = {
        "unit": np.array(["T_B", "T_A", "T_B", "T_A"], dtype=object),
        "seq": np.array([2, 1, 1, 1]),
        "row": np.array([0, 1, 2, 3]),
    }
    ordered = sort_rows(table, ["unit", "seq"])
    assert ordered["row"].tolist() == [1, 3, 2, 0]  # T_A rows keep their order (stable)
    assert take(table, table["seq"] == 2)["unit"].tolist() == ["T_B"]


@given(st.lists(st.one_of(st.none(), st.sampled_from(["A", "B", "C", "D"]))))
def test_factorize_is_pandas_factorize(values):
    array = np.array(values, dtype=object)
    codes, labels = factorize(array)
    expected_codes, expected_labels = pd.factorize(array)
    assert codes.tolist() == expected_codes.tolist()
    assert labels == list(expected_labels)


@given(
    st.lists(st.sampled_from(["T_A", "T_B", "T_C", "E_X"]), max_size=60),
    st.booleans(),
)
def test_codes_in_equal_a_lookup_of_every_value(values, sort):
    lookup = {"T_A": 0, "T_B": 1, "T_C": 2}  # E_X is not in it
    array = np.array(sorted(values) if sort else values, dtype=object)
    expected = [lookup.get(v, -1) for v in array]
    assert codes_in(lookup, array).tolist() == expected


def test_codes_in_look_up_each_run_of_equal_values_once():
    looked_up = []

    class Lookup(dict):
        def get(self, key, default=None):
            looked_up.append(key)
            return super().get(key, default)

    values = np.array(["T_A"] * 1000 + ["T_B"] * 1000 + ["T_A"], dtype=object)
    codes = codes_in(Lookup(T_A=0, T_B=1), values)
    assert codes.tolist() == [0] * 1000 + [1] * 1000 + [0]
    assert looked_up == ["T_A", "T_B", "T_A"]
