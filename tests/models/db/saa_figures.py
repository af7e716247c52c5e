"""What the SAA cache tests share: an S0142 report row, and figures compared column for column."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from models.db.saa_cache import COLUMNS

REPORT = {
    "flow": "S0142", "version": "013", "file_name": "synthetic.s0142", "file_sha256": "0" * 64,
    "created": datetime(2026, 9, 22, 22, 44, 32), "from_participant": "UKDC", "sequence": 1,
    "test_flag": "OPER", "run_type": "R1", "saa_run_number": 2, "saa_cdca_run_number": 1,
    "svaa_cdca_run_number": 1, "svaa_ssr_run_number": 0, "record_count": 10, "checksum": 7,
}  # fmt: skip


def assert_same(a: dict, b: dict) -> None:
    """Two sets of figures hold the same tables, columns, dtypes and values (NaN = NaN)."""
    assert a.keys() == b.keys()
    for name in a:
        assert list(a[name]) == list(b[name]) == COLUMNS[name], name
        for column in a[name]:
            x, y = a[name][column], b[name][column]
            assert x.dtype == y.dtype, (name, column, x.dtype, y.dtype)
            np.testing.assert_array_equal(x, y, err_msg=f"{name}.{column}")
            if x.dtype.kind == "f":  # −0.0 == 0.0 for assert_array_equal: the signs too
                np.testing.assert_array_equal(np.signbit(x), np.signbit(y))
