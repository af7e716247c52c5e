"""`settlement-workbench dispute` (workbench/cli/disputes.py), and the round of a scenario, a
dispute case and its exports on the worked example."""

from __future__ import annotations

import json
import shutil

import pytest
from openpyxl import load_workbook

from tests.paths import CASES
from tests.workbench.cli.running import run


def test_scenario_dispute_and_export_round(db, tmp_path, capsys):
    code, out, _ = run(
        capsys,
        "scenario",
        "create",
        "--db",
        db,
        "--date",
        "2024-06-12",
        "--run",
        "SF",
        "--name",
        "no acc 2",
        "--author",
        "ana",
    )
    assert code == 0 and out.startswith("scenario 2 'no acc 2' on run 1")
    code, out, _ = run(
        capsys,
        "scenario",
        "edit",
        "--db",
        db,
        "--scenario",
        "2",
        "--remove-acceptance",
        "T_GEN-1:2",
        "--reason",
        "never instructed",
    )
    assert code == 0 and "Remove acceptance: bm_unit T_GEN-1, number 2" in out
    code, out, _ = run(
        capsys,
        "scenario",
        "edit",
        "--db",
        db,
        "--scenario",
        "2",
        "--metered",
        "T_GEN-1:27=80",
        "--reason",
        "meter",
    )
    assert code == 0 and '{"mwh": 74.0} → {"mwh": 80.0}' in out
    assert run(capsys, "scenario", "undo", "--db", db, "--scenario", "2")[1].startswith(
        "undo: edit 2"
    )
    code, out, _ = run(capsys, "scenario", "compare", "--db", db, "--scenario", "2", "--json")
    document = json.loads(out)
    nets = {p["party"]: p["net_delta"] for p in document["parties"]}
    assert nets["GEN"] == pytest.approx(152.62, abs=0.005)
    assert document["materiality"]["material"] is False
    code, out, _ = run(capsys, "scenario", "settle", "--db", db, "--scenario", "2")
    assert code == 0 and "0 failed check(s)" in out
    code, out, _ = run(
        capsys,
        "dispute",
        "create",
        "--db",
        db,
        "--reference",
        "TD-1",
        "--party",
        "GEN",
        "--run-id",
        "1",
        "--run-date",
        "2024-07-04",
    )
    assert code == 0 and "raise by 2024-08-01" in out
    assert (
        run(capsys, "dispute", "add-scenario", "--db", db, "--case", "TD-1", "--scenario", "2")[0]
        == 0
    )
    cases = json.loads(run(capsys, "dispute", "list", "--db", db, "--json")[1])
    assert cases[0]["scenarios"] == [2] and cases[0]["raise_by"] == "2024-08-01"
    for args, name in (
        (["--case", "TD-1"], "case.xlsx"),
        (["--compare", "1", "2"], "cmp.xlsx"),
        (["--run", "SF", "--date", "2024-06-12"], "run.xlsx"),
    ):
        path = tmp_path / name
        code, out, err = run(capsys, "export", "--db", db, *args, "--xlsx", str(path))
        assert code == 0, err
        assert load_workbook(path).sheetnames[0] in ("Summary", "Prices")
    code, out, _ = run(capsys, "scenario", "show", "--db", db, "--scenario", "2", "--json")
    assert [a["action"] for a in json.loads(out)["audit"]] == [
        "create",
        "apply",
        "apply",
        "undo",
        "settle",
    ]


def test_a_case_counts_from_the_runs_calendar_day_and_a_df_needs_its_date(tmp_path, capsys):
    path = str(tmp_path / "d.sqlite")
    case = str(CASES / "worked_example.json")
    assert run(capsys, "case", "import", "--db", path, case)[0] == 0  # run 1, SF
    assert run(capsys, "case", "import", "--db", path, "--run", "DF", case)[0] == 0  # run 2
    create = ("dispute", "create", "--db", path, "--party", "GEN")
    code, out, _ = run(capsys, *create, "--reference", "TD-1", "--run-id", "1")
    # SF of Wed 12 Jun 2024 ran on Thu 4 Jul (16 working days), + 20 working days.
    assert code == 0 and "raise by 2024-08-01" in out
    code, _, err = run(capsys, *create, "--reference", "TD-2", "--run-id", "2")
    assert code == 2
    assert err.strip() == (
        "settlement-workbench: error: a DF run is held ad hoc, on no fixed day of the settlement "
        "calendar: give the date it was carried out (--run-date)"
    )
    code, out, _ = run(
        capsys, *create, "--reference", "TD-2", "--run-id", "2", "--run-date", "2026-11-02"
    )
    assert code == 0 and "raise by 2026-11-30" in out  # 20 working days after Mon 2 Nov 2026


def test_a_dispute_on_periods_27_to_30(case_db, tmp_path, capsys):
    path = tmp_path / "d.sqlite"
    shutil.copy(case_db, path)
    code, out, err = run(
        capsys,
        "dispute",
        "create",
        "--db",
        str(path),
        "--reference",
        "TD-1",
        "--party",
        "GEN",
        "--run-id",
        "1",
        "--periods",
        "27-30",
    )
    assert code == 0, err
    assert out.startswith("case 1 TD-1: raise by ")


def test_the_commands_help_names_only_actions_it_has():
    """It offered "show", which `dispute show` refused ("invalid choice: 'show'")."""
    import argparse

    from workbench.cli.main import build_parser

    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    (line,) = [c.help for c in commands._choices_actions if c.dest == "dispute"]
    actions = next(
        a for a in commands.choices["dispute"]._actions if isinstance(a, argparse._SubParsersAction)
    )
    assert "show" not in line and sorted(actions.choices) == [
        "add-scenario",
        "create",
        "list",
        "status",
    ]
