"""The S0142 layout as data against S0142_LAYOUT.md §1: the record tree (parents, order among
siblings, cardinalities, what is inferred) and the fields version 014 adds to 013."""

from __future__ import annotations

import pytest

from models.p114.layout import ROOT, ROOT_CHILDREN, S0142_RECORDS


def test_the_file_holds_srh_then_the_system_block_then_the_party_blocks():
    assert ROOT_CHILDREN == ("SRH", "SPI", "BPH")
    assert [S0142_RECORDS[c].rank for c in ROOT_CHILDREN] == [0, 1, 2]


@pytest.mark.parametrize(
    ("code", "parents", "minimum", "maximum"),
    [
        ("SRH", {ROOT}, 1, 1),
        ("SPI", {ROOT}, 46, 50),  # one per settlement period: 46, 48 or 50 a day
        ("BPH", {ROOT}, 0, None),  # one per BSC party
        ("APC", {"BPH"}, 1, 1),
        ("SP7", {"BPH"}, 46, 50),  # per party, per period
        ("PPC", {"SP7"}, 1, 1),
        ("SSD", {"SP7"}, 1, 1),
        ("APD", {"SP7"}, 0, 2),  # the P and/or C account
        ("BP7", {"SP7"}, 0, None),  # the lead party's BM units
    ],
)
def test_the_record_tree_and_its_cardinalities(code, parents, minimum, maximum):
    spec = S0142_RECORDS[code]
    assert (set(spec.parents), spec.minimum, spec.maximum) == (parents, minimum, maximum)


def test_records_whose_place_is_not_determinable_may_sit_under_either_parent():
    # §1: MEL, MIL, RUE, RUI, RDE, RDI, BO3 and BO4 sit under BPI or BP7; BO6 and BO7, like
    # S0141's BO5 and BO8 (§2.11), under the acceptance BO3. All of it is inferred.
    for code in ("MEL", "MIL", "RUE", "RUI", "RDE", "RDI", "BO3", "BO4"):
        spec = S0142_RECORDS[code]
        assert set(spec.parents) == {"BPI", "BP7"} and spec.inferred, code
    for code in ("BO6", "BO7"):
        assert set(S0142_RECORDS[code].parents) == {"BO3"} and S0142_RECORDS[code].inferred
    assert S0142_RECORDS["APC"].inferred and not S0142_RECORDS["SSD"].inferred


def test_version_014_adds_its_fields_at_the_end():
    # §1 version note: BP7 positions 26–27 and APC 13 (P444); PPC 11 and SSD 80 (inferred).
    codes = ("BP7", "APC", "PPC", "SSD", "SPI")
    added = {c: tuple(len(S0142_RECORDS[c].fields_of(v)) for v in ("013", "014")) for c in codes}
    assert added == {"BP7": (25, 27), "APC": (12, 13), "PPC": (10, 11), "SSD": (79, 80),
                     "SPI": (53, 53)}  # fmt: skip
    bp7_013 = [f.key for f in S0142_RECORDS["BP7"].fields_of("013")]
    assert [f.key for f in S0142_RECORDS["BP7"].fields_of("014")][:25] == bp7_013
