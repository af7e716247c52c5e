"""`settlement-workbench scenario` (workbench/cli/scenario.py): edits refused in one line with
exit code 2, whatever their values."""

from __future__ import annotations

import shutil

import pytest

from tests.workbench.cli.running import one_line, run
from workbench.cli.main import main


def test_bad_edits_exit_2_with_one_line(db, capsys):
    run(
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
        "x",
    )
    for argv, message in (
        (["--scenario", "1", "--tlf", "T_GEN-1=0.1"], "settlement run and cannot change"),
        (["--scenario", "2", "--tlf", "T_NOPE=0.1"], "BM unit T_NOPE is not in the run"),
        (["--scenario", "2", "--metered", "T_GEN-1=3"], "not in the form"),
        (["--scenario", "2"], "give exactly one edit"),
    ):
        code, _, err = run(capsys, "scenario", "edit", "--db", db, *argv, "--reason", "r")
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "export", "--db", db, "--case", "NOPE", "--xlsx", "x.xlsx")
    assert code == 2 and "no dispute case NOPE" in err


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (["--metered", "T_GEN-1:27=nan"], "metered_volume edit: value.mwh: NaN is not a number"),
        (["--mip", "27=1e308"], "mip edit: value.price: 1e+308 is out of range"),
        (
            ["--kind", "tlf", "--target", '{"bm_unit": "T_GEN-1"}', "--value", '{"tlf": Infinity}'],
            "argument --value: tlf: Infinity is not a number",
        ),
        (
            ["--kind", "tlf", "--target", "[" * 50_000 + "]" * 50_000],
            "argument --target: JSON nested too deeply",
        ),
    ],
)
def test_scenario_edits_with_hostile_values_are_one_line(case_db, tmp_path, capsys, edit, message):
    path = tmp_path / "s.sqlite"
    shutil.copy(case_db, path)
    code, _, err = run(
        capsys,
        "scenario",
        "create",
        "--db",
        str(path),
        "--date",
        "2024-06-12",
        "--run",
        "SF",
        "--name",
        "what if",
    )
    assert code == 0, err
    before = path.read_bytes()
    argv = ["scenario", "edit", "--db", str(path), "--scenario", "2", "--reason", "r", *edit]
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    assert code == 2
    assert message in one_line(capsys.readouterr().err)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (["--mip", "27=abc"], "--mip '27=abc': 'abc' is not a number"),
        (["--metered", "T_GEN-1:27=lots"], "--metered 'T_GEN-1:27=lots': 'lots' is not a number"),
        (["--tlf", "T_GEN-1=0,98"], "--tlf 'T_GEN-1=0,98': '0,98' is not a number"),
    ],
)
def test_an_edit_whose_value_is_not_a_number_is_one_line_not_an_internal_error(
    db, capsys, edit, message
):
    # float() of the value raised ValueError: "internal error", exit code 1, before.
    assert run(capsys, "scenario", "create", "--db", db, "--date", "2024-06-12", "--run", "SF",
               "--name", "x")[0] == 0  # fmt: skip
    code, _, err = run(capsys, "scenario", "edit", "--db", db, "--scenario", "2", *edit,
                       "--reason", "r")  # fmt: skip
    assert code == 2
    assert one_line(err) == f"settlement-workbench: error: {message}"


def test_show_names_the_os_user_of_each_audit_entry(db, capsys):
    import getpass
    import json

    create = ["scenario", "create", "--db", db, "--date", "2024-06-12", "--run", "SF"]
    assert run(capsys, *create, "--name", "x", "--author", "analyst")[0] == 0
    code, out, err = run(capsys, "scenario", "show", "--db", db, "--scenario", "2", "--json")
    assert code == 0, err
    ((entry),) = json.loads(out)["audit"]
    assert (entry["author"], entry["os_user"], entry["db_user"]) == (
        "analyst", getpass.getuser(), ""  # SQLite has no database users
    )  # fmt: skip
    code, out, _ = run(capsys, "scenario", "show", "--db", db, "--scenario", "2")
    assert f" analyst (OS user {getpass.getuser()}) create: scenario 'x' on run 1" in out
