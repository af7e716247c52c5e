"""`settlement-workbench export` (workbench/cli/export.py): a run's settlement as an S0142, and
the options each output needs. Excel packs of a case, a comparison and a run: test_disputes."""

from __future__ import annotations

import pytest

from tests.workbench.cli.running import one_line, run


def test_a_run_as_an_s0142_says_how_many_records_it_wrote(demo_db, tmp_path, capsys):
    out = tmp_path / "sf.s0142"
    code, printed, err = run(capsys, "export", "--db", str(demo_db), "--run", "SF", "--date",
                             "2024-06-12", "--s0142", str(out))  # fmt: skip
    assert code == 0, err
    lines = out.read_text().splitlines()
    assert printed == f"wrote 2024-06-12 SF as an S0142 of {len(lines):,} records to {out}\n"
    assert lines[1].startswith("SRH|20240612|SF|")  # the header names the date and run type


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--run", "SF", "--s0142", "{out}"], "--s0142 needs --run and --date"),
        (["--case", "TD-1", "--s0142", "{out}"], "--s0142 needs --run and --date"),
        (["--run", "SF", "--xlsx", "{out}"], "--run needs --date"),
    ],
)
def test_an_output_without_the_run_it_needs_is_one_line(demo_db, tmp_path, capsys, argv, message):
    out = tmp_path / "out"
    argv = [a.format(out=out) for a in argv]
    code, _, err = run(capsys, "export", "--db", str(demo_db), *argv)
    assert code == 2
    assert one_line(err) == f"settlement-workbench: error: {message}"
    assert not out.exists()
