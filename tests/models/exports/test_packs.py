"""Workbooks from the database, on the rulebook's worked example (§12) and its dispute variant
(acceptance 2 omitted): the two runs compared as stored now, a comparison pack, and a run's
workbook sheet by sheet."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook

from models.casefiles.case_file import load_case
from models.core.errors import WorkbenchInputError
from models.db.database import SettlementDatabase
from models.exports.packs import compare_runs, write_comparison_pack, write_run_workbook
from models.runs.case_store import import_case
from models.runs.scenarios.store import create_scenario, edit
from tests.paths import CASES


@pytest.fixture(scope="module")
def worked(tmp_path_factory):
    """(database path, base run, scenario without acceptance 2)."""
    path = tmp_path_factory.mktemp("packs") / "w.sqlite"
    with SettlementDatabase.create(path) as db:
        base = import_case(db, load_case(CASES / "worked_example.json"))
        with db.engine.begin() as conn:
            scenario = create_scenario(conn, base, "dispute variant", author="analyst")
            target = {"bm_unit": "T_GEN-1", "number": 2}
            edit(conn, scenario, "remove_acceptance", target, None, author="analyst",
                 reason="instructed after gate closure")  # fmt: skip
    return path, base, scenario


def rows(sheet):
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_runs_compare_as_stored_now_with_the_dispute_variants_deltas(worked):
    path, base, scenario = worked
    with SettlementDatabase.open(path) as db:
        comparison, first, second = compare_runs(db, base, scenario)
    # Rulebook §12: GEN +£152.62, SUP +£308.88, the system operator −£461.50.
    deltas = comparison.parties.set_index("party")["net_delta"]
    assert deltas["GEN"] == pytest.approx(152.62, abs=0.005)
    assert deltas["SUP"] == pytest.approx(308.88, abs=0.005)
    assert deltas["SO"] == pytest.approx(-461.50, abs=0.005)
    assert comparison.first_label.startswith(f"run {base}: ")
    assert first.prices.ssp[26] == second.prices.ssp[26] == pytest.approx(100.0)


def test_runs_of_two_dates_do_not_compare(worked, tmp_path):
    path, base, _ = worked
    other = load_case(CASES / "worked_example.json") | {"settlement_date": "2024-06-13"}
    copy = tmp_path / "two.sqlite"
    copy.write_bytes(path.read_bytes())
    with SettlementDatabase.open(copy) as db:
        later = import_case(db, other)
        with pytest.raises(WorkbenchInputError, match="only runs of one settlement date compare"):
            compare_runs(db, base, later)


def test_a_comparison_pack_has_both_runs_and_the_scenarios_edits(worked, tmp_path):
    path, base, scenario = worked
    with SettlementDatabase.open(path) as db:
        written = write_comparison_pack(db, base, scenario, tmp_path / "compare.xlsx")
    book = load_workbook(written)
    assert book.sheetnames[0] == "Summary"
    summary = " ".join(str(c) for r in rows(book["Summary"]) for c in r if c is not None)
    assert f"run {base}" in summary and f"run {scenario}" in summary
    assert "instructed after gate closure" in " ".join(
        str(c) for name in book.sheetnames for r in rows(book[name]) for c in r if c is not None
    )


def test_a_run_workbook_sheet_by_sheet(worked, tmp_path):
    path, base, _ = worked
    with SettlementDatabase.open(path) as db:
        run = load_workbook(write_run_workbook(db, base, tmp_path / "run.xlsx"))
    assert run.sheetnames == [
        "Prices",
        "Parties",
        "Units x period",
        "Stack",
        "Checks",
        "Known gaps",
        "Completeness",
    ]
    prices = rows(run["Prices"])
    assert prices[2][:4] == [27, 100, 100, pytest.approx(24.666667, abs=1e-5)]
    parties = {r[0]: r for r in rows(run["Parties"])[1:]}
    assert parties["GEN"][5] == pytest.approx(3267.08, abs=0.005)  # CBM − CND − CAEI + RCRC
    checks = rows(run["Checks"])
    assert checks[0][0] == "checks: 6 passed, 0 not applicable, 0 failed"
    assert checks[1] == ["rule", "period", "outcome", "detail"]
    assert [r[2] for r in checks[2:]] == ["passed"] * 6
    assert prices[1][6] == "unallocated residual £ (R-ACC-RCRC-NODENOM)"
    assert prices[2][6] is None  # 0 in the worked example: blank
    assert date(2024, 6, 12).isoformat() in " ".join(str(c) for c in prices[0] if c)
