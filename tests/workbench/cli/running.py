"""The command line run in-process, as from a terminal: exit code, stdout, stderr."""

from __future__ import annotations

from workbench.cli.main import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line(err: str) -> str:
    """The single line of an error message, which quotes no traceback and no SQL."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and "SELECT" not in err and "INSERT" not in err
    return lines[0]
