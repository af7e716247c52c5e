"""The synthetic S0142 of the tests and benchmarks: its record tree has the cardinalities of
S0142_LAYOUT.md §1 (48 SPI a day, one BPH and APC per party, an SP7 and SSD per party and
period, a BP7 per BM unit and period), and one spec always gives the same file."""

from __future__ import annotations

import numpy as np

from models.p114.synthetic import SyntheticSpec, synthetic_s0142

# 7 parties and 40 BM units on 2026-02-17, a 48-period day.
SMALL = SyntheticSpec(parties=7, bm_units=40, limit_units=6, rate_units=5, offer_units=8)


def counts(content) -> dict[str, int]:
    return {code: len(table) for code, table in content.tables.items()}


def test_the_record_tree_has_the_layouts_cardinalities():
    content = synthetic_s0142(SMALL)
    got = counts(content)
    assert got["SRH"] == 1
    assert got["SPI"] == 48
    assert got["BPH"] == got["APC"] == 7
    assert got["SP7"] == got["SSD"] == got["PPC"] == 7 * 48
    assert got["BP7"] == 40 * 48
    bp7 = content.table("BP7").columns
    assert len(set(bp7["bm_unit_id"])) == 40
    assert content.header.file_type == "S0142013"


def test_the_same_spec_gives_the_same_file_and_another_seed_another():
    first, again = synthetic_s0142(SMALL), synthetic_s0142(SMALL)
    assert counts(first) == counts(again)
    for code, table in first.tables.items():
        for name, column in table.columns.items():
            np.testing.assert_array_equal(column, again.table(code).columns[name], err_msg=name)
    other = synthetic_s0142(SyntheticSpec(**{**SMALL.__dict__, "seed": 7}))
    assert not np.array_equal(other.table("BP7").columns["qm"], first.table("BP7").columns["qm"])


def test_version_014_is_said_in_the_header():
    content = synthetic_s0142(SyntheticSpec(**{**SMALL.__dict__, "version": "014"}))
    assert content.header.file_type == "S0142014"
