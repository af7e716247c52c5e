"""Failures the user can act on, told in one line with exit 2 (issue 16): locked, read-only,
crashed-during-write databases, rejected imports into new files, bad arguments; the error log
of internal errors in the user's own folder, never through a symbolic link."""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from models.db.database import SettlementDatabase
from tests.conftest import CASES, ELEXON_DATA
from tests.models.test_database import killed_mid_write
from workbench.cli.common import periods_arg, whole_number_arg
from workbench.cli.main import main
from workbench.error_log import log_path, write_error_log

REPO = Path(__file__).resolve().parents[2]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and "SELECT" not in err and "INSERT" not in err
    return lines[0]


@pytest.fixture(scope="module")
def case_db(tmp_path_factory):
    """A database holding the worked example as run 1."""
    path = tmp_path_factory.mktemp("common") / "case.sqlite"
    assert main(["case", "import", "--db", str(path), str(CASES / "worked_example.json")]) == 0
    return path


def test_a_crash_during_a_commit_does_not_lock_the_user_out(case_db, tmp_path, capsys):
    path = tmp_path / "crashed.sqlite"
    shutil.copy(case_db, path)
    killed_mid_write(path)
    code, out, err = run(capsys, "runs", "--db", str(path))
    assert code == 0, err
    assert one_line(err) == (
        f"settlement-workbench: {path}: a write interrupted earlier (a crash or kill) was rolled "
        "back; the database is as it was after its last completed change"
    )
    assert "2024-06-12" in out
    code, _, err = run(capsys, "settle", "--db", str(path), "--date", "2024-06-12", "--run", "SF")
    assert code == 0 and err == ""


def test_a_database_another_program_holds_is_one_line_without_sql(
    case_db, tmp_path, capsys, monkeypatch
):
    import models.db.database as database

    monkeypatch.setattr(database, "BUSY_TIMEOUT_SECONDS", 0.2)
    path = tmp_path / "held.sqlite"
    shutil.copy(case_db, path)
    SettlementDatabase.open(path).close()  # checked once: the next opening reads no pages
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a writer, as a second import would be
    try:
        code, _, err = run(
            capsys, "settle", "--db", str(path), "--date", "2024-06-12", "--run", "SF"
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 2
    assert one_line(err) == (
        f"settlement-workbench: error: {path}: it is in use by another program (database is "
        "locked); wait for that program to finish or close it, then try again"
    )


def _without_write_permission(argv: list[str], home: Path) -> subprocess.CompletedProcess:
    """Run the command line unable to write what its permission bits forbid (as root too)."""
    prefix: list[str] = []
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]
    env = dict(os.environ, HOME=str(home), XDG_STATE_HOME=str(home / "state"))
    return subprocess.run(
        [*prefix, sys.executable, "-m", "workbench", *argv],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_a_read_only_file_or_folder_is_one_line_and_exit_2(case_db, tmp_path):
    read_only = tmp_path / "ro.sqlite"
    shutil.copy(case_db, read_only)
    read_only.chmod(0o444)
    folder = tmp_path / "locked-folder"
    folder.mkdir()
    inside = folder / "w.sqlite"
    shutil.copy(case_db, inside)
    folder.chmod(0o555)
    try:
        for path, expected in (
            (read_only, "it cannot be written: the file (or its folder) is read-only"),
            (inside, "it cannot be written: the file (or its folder) is read-only"),
        ):
            before = path.read_bytes()
            done = _without_write_permission(
                ["settle", "--db", str(path), "--date", "2024-06-12", "--run", "SF"], tmp_path
            )
            assert done.returncode == 2, done.stderr
            assert one_line(done.stderr).startswith(f"settlement-workbench: error: {path}: ")
            assert expected in done.stderr
            assert path.read_bytes() == before
        done = _without_write_permission(["demo", "--db", str(folder / "new.sqlite")], tmp_path)
        assert done.returncode == 2
        assert "it cannot be opened for writing: check that its folder exists and is writable" in (
            one_line(done.stderr)
        )
        assert sorted(p.name for p in folder.iterdir()) == ["w.sqlite"]
        workbook = folder / "run.xlsx"
        done = _without_write_permission(
            [
                "export",
                "--db",
                str(read_only),
                "--run",
                "SF",
                "--date",
                "2024-06-12",
                "--xlsx",
                str(workbook),
            ],
            tmp_path,
        )
        assert done.returncode == 2
        assert one_line(done.stderr) == (
            f"settlement-workbench: error: {workbook}: permission denied; ask for access or "
            "choose another folder"
        )
        assert sorted(p.name for p in folder.iterdir()) == ["w.sqlite"]
    finally:
        folder.chmod(0o755)


def test_a_rejected_import_into_a_new_path_leaves_no_file(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"data": [{"dataset": "PN", "settlementDate": "9999-12-31"}]}')
    target = tmp_path / "new.sqlite"
    code, _, err = run(capsys, "import", "--db", str(target), str(bad))
    assert code == 2 and err.startswith("Import rejected")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]


def test_an_accepted_import_into_a_new_path_creates_it(tmp_path, capsys):
    register = ELEXON_DATA / "reference" / "bmu_register_insights_2026.csv"
    if not register.exists():
        pytest.skip("real Elexon data not found")
    target = tmp_path / "new.sqlite"
    code, _, err = run(capsys, "import", "--db", str(target), str(register))
    assert code == 0, err
    assert f"created {target}" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.sqlite"]


def test_demo_force_keeps_the_old_file_until_the_new_one_is_complete(tmp_path, capsys, monkeypatch):
    path = tmp_path / "d.sqlite"
    assert run(capsys, "demo", "--db", str(path), "--bmus", "12")[0] == 0
    before = path.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr("models.demo.generator.write_demo_day", disk_full)
    code, _, err = run(capsys, "demo", "--db", str(path), "--bmus", "12", "--force")
    assert code == 2
    assert one_line(err) == (
        f"settlement-workbench: error: {path}: the disk is full; free some space and try again"
    )
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.sqlite"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["demo", "--db", "x.sqlite", "--bmus", "10"],
            "argument --bmus: '10' is not a whole number from 12 to 20,000",
        ),
        (
            ["settle", "--db", "x", "--date", "2024-06-12", "--run", "SF", "--periods", "30-27"],
            "argument --periods: '30-27' is not a list of periods",
        ),
        (
            ["settle", "--db", "x", "--date", "9999-12-31", "--run", "SF"],
            "argument --date: "
            "9999-12-31: 9999-12-31 is outside the settlement dates the workbench holds",
        ),
        (
            [
                "scenario",
                "create",
                "--db",
                "x",
                "--date",
                "2024-06-12",
                "--run",
                "SF",
                "--name",
                "a\x07b",
            ],
            "argument --name: 'a\\x07b': text holds a control character (U+0007)",
        ),
        (
            ["scenario", "show", "--db", "x", "--scenario", "9" * 23],
            "argument --scenario: '99999999999999999999999' is not a whole number from 1 to "
            "9,223,372,036,854,775,807",
        ),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(capsys, argv, message):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    line = one_line(capsys.readouterr().err)
    assert message in line
    assert line.endswith(" --help)")


def test_periods_are_one_to_fifty_low_to_high():
    assert periods_arg("27") == [27]
    assert periods_arg("27-30") == [27, 28, 29, 30]
    assert periods_arg("3,1,2-3") == [1, 2, 3]
    for text in ("0", "51", "30-27", "1-999999999", "a", "1--2", ""):
        with pytest.raises(argparse.ArgumentTypeError):
            periods_arg(text)
    assert whole_number_arg(1, 5)("5") == 5
    with pytest.raises(argparse.ArgumentTypeError):
        whole_number_arg(1, 5)("9" * 5000)


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


def test_an_internal_error_is_logged_in_the_users_state_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(sys, "platform", "linux")

    def broken(args):
        raise RuntimeError("a defect\nwith a second line")

    monkeypatch.setattr("workbench.cli.main._cmd_runs", broken)  # looked up when parsing
    code, _, err = run(capsys, "runs", "--db", "x.sqlite")
    assert code == 1
    log = tmp_path / "state" / "settlement-workbench" / "error.log"
    assert one_line(err) == (
        f"settlement-workbench: internal error: RuntimeError: a defect (details in {log})"
    )
    assert "RuntimeError: a defect" in log.read_text()
    assert log_path() == log


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="needs O_NOFOLLOW")
def test_the_error_log_never_follows_a_symbolic_link(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(sys, "platform", "linux")
    folder = tmp_path / "state" / "settlement-workbench"
    folder.mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (folder / "error.log").symlink_to(victim)
    assert write_error_log("details") is None
    assert victim.read_text() == "precious"
    (folder / "error.log").unlink()
    assert write_error_log("details") == folder / "error.log"
    assert (folder / "error.log").stat().st_mode & 0o077 == 0  # private to the user


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


def test_messages_are_one_printable_line_whatever_they_quote():
    from workbench.cli.common import one_line

    assert one_line("plain £ text") == "plain £ text"
    shown = one_line("key \x85 and \u2028 and \x07 and \ud800")
    assert shown == "key \\x85 and \\u2028 and \\x07 and \\ud800"
    assert len(shown.splitlines()) == 1


def test_a_case_file_key_with_a_line_separator_is_refused_in_one_line(tmp_path, capsys):
    path = tmp_path / "c.json"
    path.write_text('{"\\u0085": "\\b"}')
    code, _, err = run(capsys, "case", "run", str(path))
    assert code == 2
    assert one_line(err).endswith(
        "c.json: (top level): key '\\x85': text holds a control character (U+0085) at "
        "character 1; expected printable text (and 1 more)"
    )


def test_an_id_beyond_64_bits_reaching_the_database_is_one_line(case_db, tmp_path, capsys):
    path = tmp_path / "d.sqlite"
    shutil.copy(case_db, path)
    code, _, err = run(
        capsys, "dispute", "add-scenario", "--db", str(path), "--case", "9" * 23, "--scenario", "1"
    )
    assert code == 2
    assert one_line(err) == (
        "settlement-workbench: error: a number given is beyond what a database integer holds "
        "(64 bits); expected a whole number within ±9,223,372,036,854,775,807 (nothing was "
        "written)"
    )


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_an_interrupted_write_in_a_read_only_file_is_told_then_recovered(case_db, tmp_path):
    path = tmp_path / "h.sqlite"
    shutil.copy(case_db, path)
    killed_mid_write(path)
    path.chmod(0o444)
    before = path.read_bytes()
    done = _without_write_permission(["runs", "--db", str(path)], tmp_path)
    assert done.returncode == 2
    assert one_line(done.stderr) == (
        f"settlement-workbench: error: {path}: a write was interrupted and must be rolled back, "
        "but the file or its folder is read-only; make both writable and open it again "
        "(nothing was changed)"
    )
    assert path.read_bytes() == before
    path.chmod(0o644)
    done = _without_write_permission(["runs", "--db", str(path)], tmp_path)
    assert done.returncode == 0 and "was rolled back" in done.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_is_not_read_forever(tmp_path, capsys):
    code, _, err = run(capsys, "case", "run", "/dev/zero")
    assert code == 2
    assert one_line(err).endswith("/dev/zero is not a regular file; expected a case file")
    code, _, err = run(capsys, "import", "--db", str(tmp_path / "x.sqlite"), "/dev/zero")
    assert code == 2 and "not a regular file (a device or pipe)" in one_line(err)
    assert list(tmp_path.iterdir()) == []
