"""The Excel evidence pack, reopened with openpyxl and checked cell by cell."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.disputes.dispute_cases import add_scenario, create_dispute_case
from models.exports.packs import (
    settle_stored,
    write_case_pack,
    write_comparison_pack,
    write_run_workbook,
)
from models.exports.xlsx import FORMATS
from models.runs.case_store import import_case
from models.runs.scenarios.store import create_scenario, edit
from tests.paths import CASES

RISKY = ['=HYPERLINK("http://x")', "+SUM(1,2)", "-2+3", "@cmd", "=1+1"]


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pack")
    with SettlementDatabase.create(folder / "w.sqlite") as db:
        import_case(db, load_case(CASES / "worked_example.json"))
        with db.engine.begin() as conn:
            scenario = create_scenario(conn, 1, RISKY[4], author=RISKY[3])
            edit(
                conn,
                scenario,
                "remove_acceptance",
                {"bm_unit": "T_GEN-1", "number": 2},
                None,
                author=RISKY[1],
                reason=RISKY[2],
            )
            case = create_dispute_case(
                conn,
                reference="TD-9",
                raising_party="GEN",
                run_id=1,
                description=RISKY[0],
                run_date=date(2024, 7, 4),
            )
            add_scenario(conn, case, scenario)
        path = write_case_pack(db, "TD-9", folder / "pack.xlsx")
        run_path = write_run_workbook(db, 1, folder / "run.xlsx")
    return load_workbook(path), load_workbook(run_path)


def rows(sheet):
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_sheets_in_order(pack):
    book, _ = pack
    assert book.sheetnames == [
        "Summary",
        "Party deltas",
        "Period deltas",
        "Party x period",
        "Unit deltas",
        "Unit x period",
        "Overrides",
        "Audit trail",
        "Price stack",
        "Step traces",
        "Inputs changed",
        "Known gaps",
        "Completeness",
    ]


def test_summary_states_case_deadline_and_verdict(pack):
    summary = {r[0]: r[1] for r in rows(pack[0]["Summary"]) if r[0]}
    assert summary["Case reference"] == "TD-9" and summary["Raising party"] == "GEN"
    assert summary["Raise by"].date() == date(2024, 8, 1)
    assert summary["Net total of party deltas £"] == pytest.approx(461.50, abs=0.005)
    assert summary["Σ |per-party net delta| £"] == pytest.approx(461.50, abs=0.005)
    assert summary["Materiality threshold £"] == 3000
    assert summary["Verdict"].startswith("not material")
    check = summary["Check: Σ party net deltas (formula, SO excluded)"]
    assert check.startswith("=SUMIF('Party deltas'!A2:A4,\"<>SO\",'Party deltas'!P2:P4")


def test_party_deltas_are_numbers_with_formats_filters_and_checks(pack):
    sheet = pack[0]["Party deltas"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:Q4"
    assert [c.value for c in sheet[1]][:4] == ["party", "CBM before £", "CBM after £", "CBM Δ £"]
    assert [sheet.cell(r, 1).value for r in (2, 3, 4)] == ["SUP", "GEN", "SO"]  # SO last
    gen = {sheet.cell(1, c).value: sheet.cell(3, c) for c in range(1, 18)}
    assert gen["CBM before £"].value == pytest.approx(2171.8333333, abs=1e-6)
    assert gen["CBM after £"].value == pytest.approx(2633.3333333, abs=1e-6)
    assert gen["net Δ £"].value == pytest.approx(152.619088, abs=1e-6)
    assert gen["CBM Δ £"].number_format == FORMATS["gbp"]
    assert gen["check: net Δ − (CBM Δ − CND Δ − CAEI Δ + RCRC Δ)"].value == "=P3-(D3-G3-J3+M3)"
    assert sheet.cell(5, 1).value == "total (formula)" and sheet.cell(5, 16).value == "=SUM(P2:P4)"
    assert sheet.column_dimensions["A"].width == 12


def test_periods_stack_and_traces(pack):
    book, _ = pack
    period = rows(book["Period deltas"])
    assert period[1][0] == 27 and period[1][3] == 0  # the price did not move
    assert period[1][9] == pytest.approx(30.916667 - 24.666667, abs=1e-5)  # NIV +6.25
    assert book["Period deltas"]["H2"].number_format == FORMATS["mwh"]
    stack = rows(book["Price stack"])
    assert stack[1][:4] == ["run", "period", "side", "sequence"]
    assert {r[0] for r in stack[2:]} == {
        "run 1: 2024-06-12 SF",
        "run 2: 2024-06-12 SF scenario '=1+1'",
    }
    traces = rows(book["Step traces"])
    assert any(r[3] == "R-PRC-MAIN" or r[3] == "R-CBM" for r in traces[2:])
    assert any(r[4] == "ASSUMED" for r in traces[2:])


def test_text_that_looks_like_a_formula_stays_text(pack):
    book, _ = pack
    cells = [
        c
        for sheet in book
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value in RISKY
    ]
    assert {c.value for c in cells} == set(RISKY[:4])  # the name only inside run labels
    for cell in cells:
        assert cell.data_type == "s" and cell.quotePrefix, (cell.parent.title, cell.coordinate)
    # Formulas written on purpose are formulas.
    assert book["Party deltas"]["P5"].data_type == "f"


def test_the_known_gaps_of_both_runs_with_why_here_and_the_s0142_fields(pack):
    book, run = pack
    summary = {r[0]: r[1] for r in rows(book["Summary"]) if r[0]}
    for when in ("before", "after"):
        assert summary[f"Checks, {when}"] == "6 passed, 0 not applicable, 0 failed"
        assert summary[f"Known gaps (rulebook §15), {when}"] == (
            "GAP-P376-BASELINING (sheet Known gaps)"
        )
        assert f"Unallocated residual (R-ACC-RCRC-NODENOM), {when}" not in summary  # 0
    gaps = rows(book["Known gaps"])
    assert gaps[0][0].startswith("Known gaps (rulebook §15)")
    assert gaps[1] == ["run", "gap", "title", "why here", "affects", "S0142 fields"]
    assert [(r[0], r[1]) for r in gaps[2:]] == [
        ("run 1: 2024-06-12 SF", "GAP-P376-BASELINING"),
        ("run 2: 2024-06-12 SF scenario '=1+1'", "GAP-P376-BASELINING"),
    ]
    assert gaps[2][3] == (
        "2024-06-12 is on or after 2023-02-23 (P376); 1 BM unit(s) may be baselined (not T_ or "
        "I_), e.g. 2__XSUP-1"
    )
    assert gaps[2][5] == "BP7 position 18, N0645 Period BM Unit Settlement Expected Volume"
    assert rows(run["Known gaps"])[2][:2] == ["run 1: 2024-06-12 SF", "GAP-P376-BASELINING"]


@pytest.fixture(scope="module")
def not_applicable(tmp_path_factory):
    """The worked example over periods 26 and 27 with every meter reading 0: period 26 holds
    nothing (R-PRC-MIP not applicable), period 27 is one-sided (R-TLM not applicable) and
    has no RCRC denominator (its TRC stays unallocated, R-ACC-RCRC-NODENOM)."""
    folder = tmp_path_factory.mktemp("na")
    case = load_case(CASES / "worked_example.json")
    case["periods"] = [26, 27]
    case["metered_volumes"] = [{**m, "mwh": 0.0} for m in case["metered_volumes"]]
    with SettlementDatabase.create(folder / "w.sqlite") as db:
        run_id = import_case(db, case)
        with db.engine.begin() as conn:
            scenario = create_scenario(conn, run_id, "same", author="tester")
        pack = write_comparison_pack(db, run_id, scenario, folder / "pack.xlsx")
        workbook = write_run_workbook(db, run_id, folder / "run.xlsx")
        result = settle_stored(db, run_id)
    return load_workbook(pack), load_workbook(workbook), result


def test_not_applicable_checks_are_neither_passed_nor_failed(not_applicable):
    book, run, result = not_applicable
    residual = float(result.unallocated_residual[26])
    assert residual != 0 and residual == pytest.approx(float(result.imbalance.trc[26]))
    checks = rows(run["Checks"])
    assert checks[0][0] == "checks: 7 passed, 3 not applicable, 0 failed"
    outcome = {(r[0], r[1]): r[2] for r in checks[2:]}
    assert outcome[("R-PRC-MIP", 26)] == "not applicable"
    assert outcome[("R-TLM", 27)] == "not applicable"
    assert outcome[("metered-volumes", 26)] == "not applicable"
    assert set(outcome.values()) == {"passed", "not applicable"}
    prices = {r[0]: r for r in rows(run["Prices"])[2:]}
    assert prices[26][1] is None and prices[26][4] == "unavailable"  # no price: blank, not 0
    assert prices[26][6] is None and prices[27][6] == pytest.approx(residual)
    summary = {r[0]: r[1] for r in rows(book["Summary"]) if r[0]}
    for when in ("before", "after"):
        assert summary[f"Checks, {when}"] == "7 passed, 3 not applicable, 0 failed"
        assert summary[f"Unallocated residual (R-ACC-RCRC-NODENOM), {when}"] == (
            f"£{residual:,.2f} in 1 period(s): period 27 £{residual:,.2f}"
        )
