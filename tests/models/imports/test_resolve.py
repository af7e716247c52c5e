"""R-REG-ID: ids resolved with the snapshot in force on the record's date."""

from __future__ import annotations

from datetime import date

from models.imports.resolve import UnitResolver
from models.register.snapshots import RegisterSnapshot

OLD = RegisterSnapshot(1, date(2022, 1, 1), "old.csv", None, 2)
NEW = RegisterSnapshot(2, date(2023, 1, 1), "new.csv", None, 2)
# ABC-1 passed from T_A-1 (old) to T_B-1 (new); T_C-1 is in the old snapshot only.
RESOLVER = UnitResolver(
    [OLD, NEW],
    {1: {"T_A-1": "ABC-1", "T_C-1": "CCC-1"}, 2: {"T_A-1": None, "T_B-1": "ABC-1"}},
)


def test_a_national_grid_id_alone_resolves_through_the_snapshot_in_force():
    assert RESOLVER.resolve(None, "ABC-1", date(2022, 6, 1)).unit == "T_A-1"
    assert RESOLVER.resolve(None, "ABC-1", date(2023, 6, 1)).unit == "T_B-1"
    before = RESOLVER.resolve(None, "ABC-1", date(2021, 6, 1))  # the earliest is in force
    assert (before.unit, before.warning) == ("T_A-1", "")


def test_else_through_another_snapshot_with_a_warning_else_an_error():
    found = RESOLVER.resolve(None, "CCC-1", date(2023, 6, 1))
    assert found.unit == "T_C-1"
    assert found.warning == (
        "the register in force on 2023-06-01 (snapshot 2, effective 2023-01-01) does not list "
        "national grid id CCC-1; snapshot 1, effective 2022-01-01 gives it to T_C-1: assumed T_C-1"
    )
    missing = RESOLVER.resolve(None, "ZZZ-1", date(2023, 6, 1))
    assert missing.unit is None and "in no register snapshot" in missing.error
    assert RESOLVER.resolve(None, None, date(2023, 6, 1)).error.startswith("no BM unit id")


def test_the_elexon_id_wins_over_a_disagreeing_national_grid_id():
    found = RESOLVER.resolve("T_A-1", "ABC-1", date(2023, 6, 1))
    assert found.unit == "T_A-1"
    assert "gives national grid id ABC-1 to T_B-1, not T_A-1" in found.warning
    agreed = RESOLVER.resolve("T_A-1", "ABC-1", date(2022, 6, 1))
    assert (agreed.unit, agreed.warning) == ("T_A-1", "")
    both = RESOLVER.resolve("T_C-1", "ABC-1", date(2022, 6, 1))
    assert both.warning.count(" and ") == 1
    assert "gives T_C-1 the national grid id CCC-1, not ABC-1" in both.warning
    # A unit no snapshot knows, with an id no snapshot knows: no disagreement to report.
    assert RESOLVER.resolve("T_Z-1", "ZZZ-1", date(2023, 6, 1)).warning == ""


def test_a_snapshot_s_ids_are_read_only_when_a_record_needs_them():
    """Elexon ids alone need no register; a National Grid id reads the snapshot in force on
    its date; the others only when that one does not list it (the fallback)."""
    read: list[int] = []
    ids = {1: {"T_A-1": "ABC-1", "T_C-1": "CCC-1"}, 2: {"T_A-1": None, "T_B-1": "ABC-1"}}
    resolver = UnitResolver([OLD, NEW], lambda s: read.append(s) or ids[s])
    assert resolver.resolve("T_A-1", None, date(2023, 6, 1)).unit == "T_A-1"
    assert read == []
    assert resolver.resolve(None, "ABC-1", date(2023, 6, 1)).unit == "T_B-1"
    assert read == [2]
    assert resolver.resolve(None, "CCC-1", date(2023, 6, 1)).unit == "T_C-1"
    assert read == [2, 1] and resolver.read_snapshots == {1, 2}
    resolver.resolve(None, "ABC-1", date(2022, 6, 1))
    assert read == [2, 1]  # each read once
