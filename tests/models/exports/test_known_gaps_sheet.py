"""The Known gaps sheet (models.exports.known_gaps_sheet): one row per gap a run depends on,
a 'none' row for a run depending on none."""

from __future__ import annotations

from datetime import date

from openpyxl import load_workbook

from engine.known_gaps import gaps_affecting
from models.exports.known_gaps_sheet import write_known_gaps_sheet
from models.exports.xlsx import new_workbook, save_workbook


def test_a_row_per_gap_and_a_none_row(tmp_path):
    # 2024-06-12 (after P376) with a secondary unit: the P376, P415 and VLP gaps; a 2022
    # day of primary units only: none.
    uses = gaps_affecting(date(2024, 6, 12), ["T_G-1", "V__V001"])
    workbook = new_workbook()
    write_known_gaps_sheet(workbook, [("run 1", uses), ("run 2", ())])
    save_workbook(workbook, tmp_path / "g.xlsx")
    values = [list(r) for r in load_workbook(tmp_path / "g.xlsx")["Known gaps"].values]
    assert [r[:2] for r in values[2:]] == [
        ["run 1", "GAP-P376-BASELINING"],
        ["run 1", "GAP-P415-VIRTUAL-TRADING"],
        ["run 1", "GAP-VLP-VIRTUAL-ACCOUNTS"],
        ["run 2", "none"],
    ]
    assert values[3][3] == (
        "may apply: P415 compensation is not modelled; this day has secondary BM units "
        "(1, e.g. V__V001)"
    )
    assert values[3][5].startswith("BP7 positions 19–25: N0665")
    assert values[5][2] == "no known gap applies to these results"
    assert gaps_affecting(date(2022, 3, 19), ["T_G-1"]) == ()
