"""What the impact tests share besides the demo database (conftest.py): its first and last
date, and how two runs of the same days are checked to give the same results."""

from datetime import date

import numpy as np

FIRST = date(2024, 6, 12)
LAST = date(2024, 6, 14)

FIELDS = ("price_base", "price_variant", "niv_base", "niv_variant", "setter_base",
          "setter_variant", "charges_base", "charges_variant")  # fmt: skip


def assert_same(first, second):
    """The same days' results, in the same order, equal in every array (labels and all)."""
    assert [r.label for r in first] == [r.label for r in second]
    for a, b in zip(first, second, strict=True):
        for name in FIELDS:
            assert np.array_equal(getattr(a, name), getattr(b, name)), (a.label, name)
