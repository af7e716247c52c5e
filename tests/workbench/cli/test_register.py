"""`settlement-workbench register list|show`: snapshots, and a unit's history with its runs."""

from __future__ import annotations

import json

import pytest

from tests.paths import elexon
from tests.workbench.cli.running import run


@pytest.fixture
def db(tmp_path, capsys):
    """The CRA export (effective 2022-06-01, its own column), the 2026 register dated
    2026-01-01, and the legacy 2022-03-19 samples (before both: the earliest is used)."""
    path = str(tmp_path / "r.sqlite")
    cra = str(elexon("reference/bmu_register_cra_2022-06.csv"))
    insights = str(elexon("reference/bmu_register_insights_2026.csv"))
    legacy = [str(elexon(f"legacy_bmrs_csv/{n}_sample_legacy.csv")) for n in ("BOD", "PHYBMDATA")]
    assert run(capsys, "import", "--db", path, cra)[0] == 0
    assert run(capsys, "import", "--db", path, "--effective-from", "2026-01-01", insights)[0] == 0
    assert run(capsys, "import", "--db", path, *legacy)[0] == 0
    return path


def test_list(db, capsys):
    code, out, _ = run(capsys, "register", "list", "--db", db)
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == [
        "id", "effective", "from", "units", "imported", "(UTC)", "source"
    ]  # fmt: skip
    assert lines[2].split()[:3] == ["1", "2022-06-01", "5,387"]
    assert lines[2].endswith("bmu_register_cra_2022-06.csv (effective date: Effective From column)")
    assert lines[3].split()[:3] == ["2", "2026-01-01", "2,871"]
    code, out, _ = run(capsys, "register", "list", "--db", db, "--json")
    snapshots = json.loads(out)
    assert [(s["id"], s["effective_from"], s["units"]) for s in snapshots] == [
        (1, "2022-06-01", 5387),
        (2, "2026-01-01", 2871),
    ]


def test_show_a_unit_whose_tlf_changed(db, capsys):
    """T_CARR-1: TLF .007674 in the CRA export, 0.0071527 in the 2026 register; the
    2022-03-19 run used snapshot 1 (the earliest: nothing was in force yet)."""
    code, out, _ = run(capsys, "register", "show", "T_CARR-1", "--db", db)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "BM unit T_CARR-1 across 2 register snapshot(s):"
    assert lines[3].split()[:4] == ["1", "2022-06-01", "CARRINGT", "P"]
    assert lines[3].split()[4] == "0.007674" and lines[4].split()[4] == "0.0071527"
    assert "Runs holding T_CARR-1: 1" in out
    assert lines[-1].split() == ["run", "1", "2022-03-19", "SF", "snapshot", "1"]
    code, out, _ = run(capsys, "register", "show", "T_CARR-1", "--db", db, "--json")
    document = json.loads(out)
    assert [s["entry"]["tlf"] for s in document["snapshots"]] == [0.007674, 0.0071527]
    assert document["runs"] == [
        {
            "run_id": 1,
            "run": "2022-03-19 SF",
            "settlement_date": "2022-03-19",
            "register_snapshot_id": 1,
            "registered": True,
        }
    ]


def test_show_a_unit_in_one_snapshot_only(db, capsys):
    # 2__ACNDL001 is in the CRA export, not in the 2026 register.
    code, out, _ = run(capsys, "register", "show", "2__ACNDL001", "--db", db)
    assert code == 0
    assert out.splitlines()[4].split() == ["2", "2026-01-01", "(not", "listed)"]


def test_an_unknown_unit_is_one_line_and_exit_2(db, capsys):
    code, out, err = run(capsys, "register", "show", "T_NOPE-1", "--db", db)
    assert code == 2 and out == ""
    assert err.strip().startswith("settlement-workbench: error: T_NOPE-1 is in no register")
