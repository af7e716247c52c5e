"""`settlement-workbench case` (workbench/cli/case.py): `run` (prices, parties, checks, step
traces), `export` and `import` of stored runs, `validate`."""

from __future__ import annotations

import json

import pytest

from tests.paths import CASES
from tests.workbench.cli.running import run
from workbench.cli.main import main

WORKED = str(CASES / "worked_example.json")


def test_case_run_prints_prices_parties_and_checks(capsys):
    code, out, _ = run(capsys, "case", "run", WORKED)
    assert code == 0
    assert "27  2024-06-12 12:00         100.00      24.667  stack" in out
    assert (
        "GEN              2,171.83         0.00         123.80       1,219.05       3,267.08" in out
    )
    assert "checks: 6 passed, 0 not applicable, 0 failed" in out


def test_case_run_json_has_the_case_format_output_keys(capsys):
    code, out, _ = run(capsys, "case", "run", WORKED, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["format"] == "settlement-result/1"
    assert set(doc) >= {"settlement_date", "engine", "periods", "bm_units", "accounts",
                        "parties", "system", "checks"}  # fmt: skip
    period = doc["periods"][0]
    assert set(period) >= {"period", "start", "ssp", "sbp", "niv", "price_source",
                           "replacement_price", "mip", "stack"}  # fmt: skip
    assert period["start"] == "2024-06-12T12:00:00Z"
    assert set(period["stack"][0]) >= {
        "side", "id", "acceptance", "pair", "so_flag", "cadl_flag", "stor_flag", "repriced",
        "original_price", "volume", "dmat_adjusted_volume", "arbitrage_adjusted_volume",
        "niv_adjusted_volume", "par_adjusted_volume", "final_price", "tlm",
        "tlm_adjusted_volume", "tlm_adjusted_cost",
    }  # fmt: skip
    unit = next(u for u in doc["bm_units"] if u["bm_unit"] == "T_GEN-1")
    assert set(unit) >= {"bm_unit", "period", "period_fpn", "qm", "tlm", "qme", "qii", "qndo",
                         "qndb", "cnd", "cbm", "pairs", "acceptances"}  # fmt: skip
    assert set(unit["pairs"][0]) >= {"pair", "po", "pb", "qao", "qab", "co", "cb"}
    assert set(doc["accounts"][0]) >= {"party", "account", "period", "qce", "qabs", "qabc",
                                       "qaei", "caei", "rcrp", "rcrc"}  # fmt: skip
    assert set(doc["parties"][0]) == {"party", "cbm", "cnd", "caei", "rcrc", "net"}
    assert set(doc["system"][0]) >= {"period", "csobm", "trc", "cash_balance_error"}


@pytest.mark.parametrize(
    ("what", "expected"),
    [
        ("T_GEN-1:27", "[R-VOL-INT · assumed] Acceptance 1, pair 1"),
        ("account:GEN:P:27", "[R-ACC-QAEI · confirmed] Energy imbalance charge"),
        ("price:27", "[R-PRC-MAIN · confirmed] System price SSP = SBP"),
    ],
)
def test_case_run_traces(capsys, what, expected):
    code, out, _ = run(capsys, "case", "run", WORKED, "--trace", what)
    assert code == 0 and expected in out


def test_case_run_trace_in_json(capsys):
    code, out, _ = run(capsys, "case", "run", WORKED, "--json", "--trace", "T_GEN-1:27")
    trace = json.loads(out)["trace"]
    assert code == 0 and trace["subject"] == "BM unit T_GEN-1, period 27"
    rules = [s["rule"] for s in trace["steps"]]
    assert rules[0] == "R-PROF-FPN" and "R-CBM" in rules and rules[-3:] == [
        "R-ND", "R-ND-ORDER", "R-ND-CHARGE"
    ]  # fmt: skip
    assert "R-TLM-PRIMARY" in rules


@pytest.mark.parametrize(
    ("what", "message"),
    [
        ("T_NOPE-1:27", "BM unit T_NOPE-1 is not in the inputs"),
        ("T_GEN-1:28", "period 28 was not settled"),
        ("nonsense", "expected BMU:PERIOD"),
    ],
)
def test_bad_traces_are_one_line_errors(capsys, what, message):
    code, _, err = run(capsys, "case", "run", WORKED, "--trace", what)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_a_case_with_bad_engine_input_is_a_one_line_error(tmp_path, capsys):
    case = json.loads((CASES / "worked_example.json").read_text())
    case["bid_offer"][1]["points"][1][0] = "2024-06-12T12:40Z"  # beyond period 27's end
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(case))
    code, _, err = run(capsys, "case", "run", str(path))
    assert code == 2
    assert (
        "BM unit T_GEN-1 pair 1 period 27 band: a band point lies outside its settlement period"
        in err
    )
    assert len(err.strip().splitlines()) == 1


def _worked_variant(tmp_path, name: str, **changes) -> str:
    case = json.loads((CASES / "worked_example.json").read_text())
    case.update(changes)
    path = tmp_path / name
    path.write_text(json.dumps(case))
    return str(path)


def test_case_run_counts_not_applicable_checks_apart_with_their_reasons(tmp_path, capsys):
    # Period 26 holds nothing (R-PRC-MIP not applicable); in period 27 the supplier's meter
    # reads 0, so the metering is one-sided (R-TLM not applicable, R-TLM-ONESIDED).
    case = json.loads((CASES / "worked_example.json").read_text())
    path = _worked_variant(
        tmp_path,
        "na.json",
        periods=[26, 27],
        metered_volumes=[
            {**m, "mwh": 0.0} if m["bm_unit"] == "2__XSUP-1" else m for m in case["metered_volumes"]
        ],
    )
    code, out, _ = run(capsys, "case", "run", path)
    assert code == 0 and "checks: 7 passed, 3 not applicable, 0 failed" in out
    assert "FAILED" not in out
    assert "  not applicable R-PRC-MIP period 26: no data for this period: nothing to price" in out
    assert "  not applicable R-TLM period 27: R-TLM-ONESIDED: no offtaking primary" in out
    assert "  not applicable metered-volumes period 26: no metered volumes: imbalance not" in out
    assert "    26  2024-06-12 11:30            n/a       0.000  unavailable" in out
    code, out, _ = run(capsys, "case", "run", path, "--json")
    (p26,) = [p for p in json.loads(out)["periods"] if p["period"] == 26]
    assert p26["ssp"] is None and p26["sbp"] is None  # unavailable: null, never 0 or NaN


def test_case_run_shows_a_failed_tlm_range_with_the_charges_it_makes_implausible(tmp_path, capsys):
    # A nearly one-sided period (R-TLM-ONESIDED does not apply above 1e-6 MWh): T_GEN-1
    # meters 0.001 MWh against the supplier's −500: TLM 225,000.54 (TLF −0.01), plainly
    # wrong, so tlm-range fails and says which charges that makes implausible.
    case = json.loads((CASES / "worked_example.json").read_text())
    meters = [
        {**m, "mwh": 0.001 if m["bm_unit"] == "T_GEN-1" else -500.0}
        for m in case["metered_volumes"]
    ]
    path = _worked_variant(tmp_path, "near.json", metered_volumes=meters)
    code, out, _ = run(capsys, "case", "run", path)
    assert code == 0 and "checks: 5 passed, 0 not applicable, 1 failed" in out
    assert (
        "  FAILED tlm-range period 27: TLM outside 0.5–1.5: charges depending on TLM in this "
        "period are implausible (2 BM unit(s), e.g. T_GEN-1 225000.5445; " in out
    )


def test_case_run_prints_the_known_gaps_and_the_unallocated_residual(tmp_path, capsys):
    # Every meter reads 0: no RCRC denominator, so the TRC stays unallocated
    # (R-ACC-RCRC-NODENOM); 2024-06-12 is after P376, a known gap.
    case = json.loads((CASES / "worked_example.json").read_text())
    zero = [{**m, "mwh": 0.0} for m in case["metered_volumes"]]
    path = _worked_variant(tmp_path, "zero.json", metered_volumes=zero)
    _, out, _ = run(capsys, "case", "run", path, "--json")
    (system,) = json.loads(out)["system"]
    residual = system["unallocated_residual"]
    assert residual and residual == system["trc"]
    code, out, _ = run(capsys, "case", "run", path)
    assert code == 0
    assert (
        "unallocated residual (R-ACC-RCRC-NODENOM, no RCRC denominator): "
        f"£{residual:,.2f} in 1 period(s): period 27 £{residual:,.2f}" in out
    )
    assert "known gaps (rulebook §15: not modelled) these results depend on:" in out
    assert "  GAP-P376-BASELINING: P376 baselining" in out
    assert "    why here: 2024-06-12 is on or after 2023-02-23 (P376)" in out
    assert "    S0142: BP7 position 18, N0645 Period BM Unit Settlement Expected Volume" in out
    _, out, _ = run(capsys, "case", "run", WORKED)
    assert "unallocated residual" not in out  # 0 in the worked example: not shown


def test_case_export_import_round_trip_through_files(demo_db, tmp_path, capsys):
    out_file = tmp_path / "sf.json"
    code, _, err = run(
        capsys,
        "case", "export", "--db", str(demo_db), "--date", "2024-06-12", "--run", "sf",
        "--output", str(out_file),
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = run(capsys, "case", "validate", str(out_file))
    assert code == 0 and "valid settlement-case/1 for 2024-06-12: 20 BM units" in out
    target = tmp_path / "copy.sqlite"
    assert main(["demo", "--db", str(target), "--bmus", "12"]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "case", "import", "--db", str(target), str(out_file), "--run", "R1")
    assert code == 0 and "2024-06-12 R1 #2" in out
    code, exported, _ = run(
        capsys, "case", "export", "--db", str(target), "--date", "2024-06-12", "--run", "R1"
    )
    assert json.loads(exported) == json.loads(out_file.read_text())


def test_case_export_of_periods_to_stdout(demo_db, capsys):
    code, out, _ = run(
        capsys,
        "case", "export", "--db", str(demo_db), "--date", "2024-06-12", "--run", "R1",
        "--periods", "27-28",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["periods"] == [27, 28]
