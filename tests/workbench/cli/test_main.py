"""The command line as a whole (workbench/cli/main.py): one-line errors with exit code 2 for bad
input, an internal error logged, the module entry point."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from tests.paths import CASES
from tests.workbench.cli.running import one_line, run
from workbench.cli.main import main
from workbench.error_log import log_path


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


def test_an_internal_error_is_logged_in_the_users_state_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(sys, "platform", "linux")

    def broken(args):
        raise RuntimeError("a defect\nwith a second line")

    monkeypatch.setattr("workbench.cli.runs._cmd_runs", broken)  # looked up when parsing
    code, _, err = run(capsys, "runs", "--db", "x.sqlite")
    assert code == 1
    log = tmp_path / "state" / "settlement-workbench" / "error.log"
    assert one_line(err) == (
        f"settlement-workbench: internal error: RuntimeError: a defect (details in {log})"
    )
    assert "RuntimeError: a defect" in log.read_text()
    assert log_path() == log


def test_every_command_of_the_parser_is_known_before_parsing():
    # main() tells a command from a database path by COMMANDS, before the parser is built: a
    # command missing there would open the window on a database of that name.
    from workbench.cli.main import COMMANDS, build_parser

    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert sorted(commands.choices) == sorted(COMMANDS)
    assert sorted(COMMANDS) == [
        "case", "db", "demo", "dispute", "export", "fetch", "gui", "impact", "import", "listen",
        "reconcile", "register", "runs", "scenario", "settle", "show",
    ]  # fmt: skip
