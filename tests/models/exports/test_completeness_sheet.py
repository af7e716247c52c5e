"""The Completeness sheet of run workbooks and evidence packs, on the hand-checked case of
tests/models/runs/completeness_case.py (period 28: no metered volumes, no MID, price
unavailable)."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from models.db.database import SettlementDatabase
from models.exports.packs import write_comparison_pack, write_run_workbook
from models.runs.case_store import import_case
from tests.models.runs.completeness_case import completeness_case


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    folder = tmp_path_factory.mktemp("completeness-sheet")
    with SettlementDatabase.create(folder / "c.sqlite") as db:
        first = import_case(db, completeness_case())
        second = import_case(db, completeness_case())
        run = write_run_workbook(db, first, folder / "run.xlsx")
        pack = write_comparison_pack(db, first, second, folder / "pack.xlsx")
    return load_workbook(run), load_workbook(pack)


def _rows(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_run_workbook_has_the_completeness_of_its_run(books):
    run, _ = books
    rows = _rows(run["Completeness"])
    assert rows[1] == ["run", "kind", "item", "periods", "detail", "affects settlement"]
    table = {(r[1], r[2]): r for r in rows[2:]}
    assert table[("summary", "complete for settlement")][4] == "NO"
    assert table[("register", "coverage")][4] == (
        "PN for 2 of 2 registered units; fuel types present: unknown"
    )
    metered = table[("gap", "no metered volumes in some periods")]
    assert metered[3] == "28" and metered[5] == "yes" and "TLM = 1 + TLF" in metered[4]
    assert table[("gap", "no published prices")][3:] == [
        "27-28",
        "the engine's SSP, SBP and NIV cannot be compared with Elexon's",
        "no",
    ]
    assert table[("gap", "system price unavailable")][3] == "28"
    p28 = table[("period", "period 28")][4]
    assert p28.startswith("present: physical notifications (PN); missing: metered volumes, BSAD")
    assert "price unavailable: NIV is 0 MWh" in p28
    assert (
        "present: physical notifications (PN), metered volumes, BSAD"
        in (table[("period", "period 27")][4])
    )
    assert ("known gap", "GAP-P376-BASELINING: P376 baselining: since 2023-02-23 a baselined "
            "BM unit's expected volume uses its baseline, not its FPN") in table  # fmt: skip


def test_no_nan_in_any_sheet_and_an_unavailable_price_is_an_empty_cell(books):
    run, pack = books
    for book in (run, pack):
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                for value in row:
                    assert not (isinstance(value, float) and value != value), sheet.title
                    assert not (isinstance(value, str) and "nan" in value.lower().split()), (
                        sheet.title
                    )
    prices = {r[0]: r for r in _rows(run["Prices"])[2:]}
    assert prices[28][1] is None and prices[28][4] == "unavailable"


def test_evidence_pack_has_both_runs(books):
    _, pack = books
    assert pack.sheetnames[-1] == "Completeness"
    runs = {r[0] for r in _rows(pack["Completeness"])[2:]}
    assert runs == {"2024-06-12 SF", "2024-06-12 SF #2"}


def test_thousands_of_unregistered_units_fit_excel_cells(tmp_path):
    """Excel holds at most 32,767 characters a cell: the register row names the first 50
    unregistered units and how many more; each has a row of its own."""
    from dataclasses import replace

    from models.exports.completeness_sheet import _rows
    from models.runs.completeness import run_completeness

    with SettlementDatabase.create(tmp_path / "c.sqlite") as db:
        run_id = import_case(db, completeness_case())
        with db.engine.connect() as conn:
            report = run_completeness(conn, run_id)
    units = tuple(f"2__UNREGISTERED-{n:05d}" for n in range(3000))  # 66,000 characters joined
    report = replace(report, register=replace(report.register, unregistered=units))
    rows = _rows(report)
    (cell,) = [r[4] for r in rows if r[2] == "unregistered units (R-REG-UNREGISTERED)"]
    assert len(cell) < 32_767
    assert cell.startswith("2__UNREGISTERED-00000, 2__UNREGISTERED-00001")
    assert "2__UNREGISTERED-00049 … and 2,950 more" in cell and "-00050" not in cell
    assert [r[2] for r in rows if r[1] == "unregistered unit"] == list(units)
    assert all(len(str(c)) < 32_767 for r in rows for c in r)
