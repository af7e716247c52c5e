"""`settlement-workbench import FILE.s0142` then `reconcile` (workbench/cli/reconcile.py)."""

import gzip
import json
import shutil

import openpyxl
import pytest

from models.p114.from_settlement import ReportRun
from models.p114.writer import trailer_for
from workbench.cli.main import main


@pytest.fixture(scope="module")
def made(tmp_path_factory, settled_s0142):
    folder = tmp_path_factory.mktemp("cli_reconcile")
    return settled_s0142(folder, 5, "S0142_R1.gz", ReportRun("R1", saa_run_number=3))[:3]


@pytest.fixture
def db_path(made, tmp_path):
    path = tmp_path / "db.sqlite"
    shutil.copy(made[0], path)
    return path


def _planted_penny(source, target):
    """The 5th PPC record's CBM (position 2) £0.01 higher, the trailer recomputed."""
    lines = gzip.decompress(source.read_bytes()).decode().splitlines()[:-1]
    ppc = [n for n, line in enumerate(lines) if line.startswith("PPC|")][4]
    fields = lines[ppc].split("|")
    fields[2] = f"{float(fields[2]) + 0.01:.2f}"
    lines[ppc] = "|".join(fields)
    target.write_text("\n".join([*lines, trailer_for(lines)]) + "\n")
    return target


def test_import_then_reconcile_the_round_trip_text(made, db_path, capsys):
    assert main(["import", "--db", str(db_path), str(made[1])]) == 0
    assert "2024-06-12 R1" in capsys.readouterr().out
    code = main(["reconcile", "--db", str(db_path), "--date", "2024-06-12", "--run", "R1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "0 difference(s)" in out and "no differences" in out
    assert "Not modelled by the engine" in out and "party.bssc_cost (N0048)" in out


def test_a_planted_penny_in_json_and_excel(made, db_path, tmp_path, capsys):
    planted = _planted_penny(made[1], tmp_path / "planted.s0142")
    assert main(["import", "--db", str(db_path), str(planted)]) == 0
    capsys.readouterr()
    out = tmp_path / "rec.xlsx"
    args = ["reconcile", "--db", str(db_path), "--date", "2024-06-12", "--run", "R1"]
    assert main([*args, "--json", "--xlsx", str(out)]) == 0
    document = json.loads(capsys.readouterr().out)
    (d,) = document["differences"]
    assert (d["level"], d["field"], d["item"]) == ("party", "cbm", "N0031")
    assert (d["party_id"], d["period"]) == (made[2].inputs.parties[0], 5)
    assert 0.005 < d["effect_gbp"] < 0.015
    assert document["saa_report"]["saa_run_number"] == 3
    sheet = openpyxl.load_workbook(out)["Differences"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("£ effect", "level", "field")
    assert rows[2][1:3] == ("party", "cbm") and rows[2][0] == pytest.approx(d["effect_gbp"])


def test_a_run_without_an_s0142_is_one_line_and_exit_2(db_path, capsys):
    code = main(["reconcile", "--db", str(db_path), "--date", "2024-06-12", "--run", "SF"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "holds no SAA figures" in err


def test_export_s0142_then_import_and_reconcile_round_trip(db_path, tmp_path, capsys):
    out = tmp_path / "shadow_SF.s0142.gz"
    args = ["--db", str(db_path), "--date", "2024-06-12", "--run", "SF"]
    assert main(["export", *args, "--s0142", str(out)]) == 0
    assert "as an S0142 of" in capsys.readouterr().out
    assert gzip.decompress(out.read_bytes()).startswith(b"AAA|S0142013|")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    assert main(["import", "--db", str(db_path), str(out)]) == 0
    capsys.readouterr()
    assert main(["reconcile", *args, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["differences"] == [] and document["cells_compared"] > 35_000
    assert document["saa_report"]["saa_run_number"] == 1  # the exported run's number


def test_export_s0142_needs_a_run_and_date(db_path, tmp_path, capsys):
    code = main(["export", "--db", str(db_path), "--run", "SF", "--s0142", str(tmp_path / "x")])
    assert code == 2 and "--s0142 needs --run and --date" in capsys.readouterr().err


def test_a_difference_a_known_gap_explains_is_told_apart(made, db_path, tmp_path, capsys):
    # QME (BP7 position 7) 1 MWh higher for the first BM unit that may be baselined (not T_
    # or I_): the demo day is after P376 went live, so GAP-P376-BASELINING explains it
    lines = gzip.decompress(made[1].read_bytes()).decode().splitlines()[:-1]
    baselinable = [n for n, line in enumerate(lines) if line[:6] not in ("BP7|T_", "BP7|I_")]
    n = next(n for n in baselinable if lines[n].startswith("BP7|"))
    fields = lines[n].split("|")
    fields[7] = f"{float(fields[7]) + 1:.3f}".rstrip("0").rstrip(".")  # IDD: no trailing zero
    lines[n] = "|".join(fields)
    planted = tmp_path / "gap.s0142"
    planted.write_text("\n".join([*lines, trailer_for(lines)]) + "\n")
    assert main(["import", "--db", str(db_path), str(planted)]) == 0
    capsys.readouterr()
    out = tmp_path / "gap.xlsx"
    args = ["reconcile", "--db", str(db_path), "--date", "2024-06-12", "--run", "R1"]
    assert main([*args, "--xlsx", str(out)]) == 0
    text = capsys.readouterr().out
    assert "0 difference(s), 1 explained by known gaps" in text
    assert "no unexplained differences: every one is explained by a known gap" in text
    assert "  GAP-P376-BASELINING: 1 difference(s), £ effect " in text
    rows = list(openpyxl.load_workbook(out)["Differences"].iter_rows(values_only=True))
    assert rows[1][-1] == "status"
    assert rows[2][1:3] == ("bm_unit", "qme") and rows[2][-1] == "known gap GAP-P376-BASELINING"
    assert rows[2][6] == fields[1]  # bm_unit_id: the BM unit planted
