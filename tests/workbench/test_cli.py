"""The command line: each command's output, exit codes, and one-line errors for bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import CASES
from workbench.cli.main import main


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "demo.sqlite"
    assert main(["demo", "--db", str(path), "--bmus", "20", "--seed", "4"]) == 0
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_demo_prints_a_summary_with_the_attribution(tmp_path, capsys):
    code, out, err = run(capsys, "demo", "--db", str(tmp_path / "d.sqlite"), "--bmus", "15")
    assert code == 0, err
    assert "15 BM units" in out and "3 runs (II, SF, R1 per date)" in out
    assert "© Elexon Limited" in out


def test_demo_refuses_to_replace_a_file_without_force(tmp_path, capsys):
    path = tmp_path / "d.sqlite"
    path.write_text("precious")
    code, _, err = run(capsys, "demo", "--db", str(path), "--bmus", "15")
    assert code == 2 and "already exists" in err and path.read_text() == "precious"
    assert len(err.strip().splitlines()) == 1


def test_runs_lists_ii_sf_r1_as_text_and_json(demo_db, capsys):
    code, out, _ = run(capsys, "runs", "--db", str(demo_db))
    assert code == 0
    assert [line.split()[2] for line in out.splitlines()[2:]] == ["II", "SF", "R1"]
    code, out, _ = run(capsys, "runs", "--db", str(demo_db), "--json")
    runs = json.loads(out)
    assert [r["run_type"] for r in runs] == ["II", "SF", "R1"]
    assert runs[0]["bm_units"] == 20 and runs[0]["settlement_date"] == "2024-06-12"


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


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["runs", "--db", "{missing}"], "no such file"),
        (["runs", "--db", "{text}"], "not a SQLite file"),
        (["case", "validate", "{bad_case}"], "bm_units[0].tlf: 'high' is not of type 'number'"),
        (["case", "validate", "{text}"], "line 1 column 1: not valid JSON"),
        (
            ["case", "export", "--db", "{db}", "--date", "2024-06-13", "--run", "SF"],
            "no SF run for 2024-06-13; runs of that date: none",
        ),
        (
            ["case", "export", "--db", "{db}", "--date", "2024-06-12", "--run", "SF",
             "--periods", "49"],
            "period(s) 49 do not exist on 2024-06-12 (1 to 48)",
        ),
    ],
)  # fmt: skip
def test_bad_input_gives_one_line_and_exit_code_2(argv, message, demo_db, tmp_path, capsys):
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not json, not sqlite\n")
    bad_case = tmp_path / "bad.json"
    case = json.loads((CASES / "worked_example.json").read_text())
    case["bm_units"][0]["tlf"] = "high"
    bad_case.write_text(json.dumps(case))
    values = {
        "missing": str(tmp_path / "missing.sqlite"),
        "text": str(text_file),
        "bad_case": str(bad_case),
        "db": str(demo_db),
    }
    code, out, err = run(capsys, *(a.format(**values) for a in argv))
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert message in err
    assert "Traceback" not in err + out


def test_argument_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["case", "export", "--db", "x", "--date", "12/06/2024", "--run", "SF"])
    assert exit_info.value.code == 2
    assert "expected YYYY-MM-DD" in capsys.readouterr().err


def test_the_module_entry_point_runs():
    result = subprocess.run(
        [sys.executable, "-m", "workbench", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("settlement-workbench ")
