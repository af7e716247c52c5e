"""Failures the user can act on, told in one line with exit 2 (issue 16): locked, read-only,
crashed-during-write databases, rejected imports into new files, bad arguments; the error log
of internal errors in the user's own folder, never through a symbolic link."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from models.db.database import SettlementDatabase
from tests.models.db.crashes import killed_mid_write
from tests.paths import ELEXON_DATA, REPO
from tests.workbench.cli.running import one_line, run
from workbench.error_log import write_error_log


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
