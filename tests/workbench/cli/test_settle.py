"""`settle` and `show` (workbench/cli/settle.py): a stored run settled, stored and shown with
its completeness."""

from __future__ import annotations

import json

from tests.paths import CASES
from tests.paths import ELEXON_DATA as ELEXON
from tests.workbench.cli.running import run
from workbench.cli.main import main

WORKED = str(CASES / "worked_example.json")


def test_settle_then_show_prints_the_case_run_document(tmp_path, capsys):
    db = str(tmp_path / "w.sqlite")
    assert main(["demo", "--db", db, "--bmus", "12"]) == 0
    assert main(["case", "import", "--db", db, WORKED, "--run", "R2"]) == 0
    capsys.readouterr()
    code, _, err = run(capsys, "show", "--db", db, "--date", "2024-06-12", "--run", "R2")
    assert code == 2 and "settle it first" in err
    code, out, _ = run(capsys, "settle", "--db", db, "--date", "2024-06-12", "--run", "R2")
    assert (
        code == 0
        and "results stored in" in out
        and "checks: 6 passed, 0 not applicable, 0 failed" in out
    )
    code, shown, _ = run(
        capsys, "show", "--db", db, "--date", "2024-06-12", "--run", "R2", "--json"
    )
    _, direct, _ = run(capsys, "case", "run", WORKED, "--json")
    shown = json.loads(shown)
    # show adds the run's completeness (models.runs.completeness) to the case run document.
    completeness = shown.pop("completeness")
    assert code == 0 and shown == json.loads(direct)
    assert completeness["run"] == "2024-06-12 R2" and completeness["settled"]


def test_settle_a_demo_run_and_some_periods(tmp_path, capsys):
    db = str(tmp_path / "d.sqlite")
    assert main(["demo", "--db", db, "--bmus", "20"]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "settle", "--db", db, "--date", "2024-06-12", "--run", "SF",
                       "--periods", "16-18")  # fmt: skip
    assert code == 0 and ", 0 failed" in out
    code, out, _ = run(capsys, "show", "--db", db, "--date", "2024-06-12", "--run", "SF", "--json")
    assert [p["period"] for p in json.loads(out)["periods"]] == [16, 17, 18]


def test_settle_and_show_list_the_known_gaps_once(tmp_path, capsys):
    db = str(tmp_path / "w.sqlite")
    assert main(["case", "import", "--db", db, WORKED]) == 0
    capsys.readouterr()
    _, settled, _ = run(capsys, "settle", "--db", db, "--date", "2024-06-12", "--run", "SF")
    _, shown, _ = run(capsys, "show", "--db", db, "--date", "2024-06-12", "--run", "SF")
    for out in (settled, shown):
        # In the completeness report, with why here and the S0142 fields; not again above.
        assert out.count("GAP-P376-BASELINING") == 1, out
        assert "S0142 carries it in BP7 position 18" in out


def test_a_real_period_alone_leaves_the_other_periods_not_applicable(tmp_path, capsys):
    # The legacy BMRS samples of 2022-03-19 hold period 27 (13:00–13:30Z) only; their BOALF
    # levels reach 12:46–13:50Z, into periods 26 and 28. No MID: period 27 needs MIP_j and
    # fails R-PRC-MIP; 26 and 28 hold only acceptance levels (no FPN, no bid-offer data: no
    # accepted volume) and the other 45 nothing: not applicable.
    db = str(tmp_path / "l.sqlite")
    files = [
        ELEXON / "legacy_bmrs_csv/PHYBMDATA_sample_legacy.csv",
        ELEXON / "legacy_bmrs_csv/BOD_sample_legacy.csv",
        ELEXON / "reference/bmu_register_insights_2026.csv",
    ]
    assert main(["import", "--db", db, *map(str, files)]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "settle", "--db", db, "--date", "2022-03-19", "--run", "SF")
    # 96 passed: stack-complete and R-PRC-NIV in every period; the metered-volumes notes
    # (no metered volumes anywhere) are not applicable, not passes.
    assert code == 0 and "checks: 96 passed, 95 not applicable, 1 failed" in out
    assert "  not applicable metered-volumes periods 1-48: no metered volumes: imbalance" in out
    assert "  not applicable R-PRC-MIP periods 1-25, 29-48: no data for this period" in out
    assert (
        "  not applicable R-PRC-MIP periods 26, 28: no data for this period but acceptance" in out
    )
    assert "  FAILED R-PRC-MIP period 27: " in out and "(it holds: FPN, bid-offer data" in out
    code, out, _ = run(capsys, "show", "--db", db, "--date", "2022-03-19", "--run", "SF", "--json")
    doc = json.loads(out)
    mip = {c["period"]: (c["ok"], c["status"]) for c in doc["checks"] if c["rule"] == "R-PRC-MIP"}
    assert mip == {j: (False, None) if j == 27 else (True, "not applicable") for j in range(1, 49)}
    assert {p["ssp"] for p in doc["periods"]} == {None}  # unavailable everywhere, never 0
    assert {p["price_source"] for p in doc["periods"]} == {"unavailable"}
