"""What the command line accepts (workbench/cli/args.py): each type refuses a bad value in one
line with exit code 2, naming the option."""

from __future__ import annotations

import argparse

import pytest

from tests.workbench.cli.running import one_line
from workbench.cli.args import periods_arg, whole_number_arg
from workbench.cli.main import main


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
    assert periods_arg("27") == (27,)
    assert periods_arg("27-30") == (27, 28, 29, 30)
    assert periods_arg("3,1,2-3") == (1, 2, 3)
    for text in ("0", "51", "30-27", "1-999999999", "a", "1--2", ""):
        with pytest.raises(argparse.ArgumentTypeError):
            periods_arg(text)
    assert whole_number_arg(1, 5)("5") == 5
    with pytest.raises(argparse.ArgumentTypeError):
        whole_number_arg(1, 5)("9" * 5000)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        # "²" is a digit to str.isdigit but not to int(): the ValueError escaped the type and
        # argparse said "invalid periods_arg value", naming no expected form.
        (
            ["settle", "--db", "x", "--date", "2024-06-12", "--run", "SF", "--periods", "1²"],
            "argument --periods: '1²' is not a list of periods; expected e.g. 27, 27,28 or "
            "27-30 (periods 1 to 50)",
        ),
        (
            ["dispute", "create", "--db", "x", "--reference", "R", "--party", "P", "--run-id",
             "1", "--periods", "27-²"],
            "argument --periods: '27-²' is not a list of periods",
        ),
        (
            ["show", "--db", "x", "--date", "2024-06-12", "--run", "SF", "--run-number", "²"],
            "argument --run-number: '²' is not a whole number from 1 to 1,000,000,000",
        ),
    ],
)  # fmt: skip
def test_a_digit_that_is_no_decimal_digit_is_refused_as_the_others(capsys, argv, message):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    line = one_line(capsys.readouterr().err)
    assert message in line
    assert "invalid" not in line


def test_decimal_digits_of_other_scripts_are_numbers_as_before():
    # int() reads any Unicode decimal digit (category Nd): fullwidth 27 is period 27.
    assert periods_arg("\uff12\uff17") == (27,)
    assert whole_number_arg(1, 50)("\u0662\u0667") == 27  # Arabic-Indic 27


def test_every_run_number_and_id_is_parsed_alike(capsys):
    # --run-number: 1 to 10^9 wherever it is given; ids (runs, scenarios): a database integer.
    for argv in (
        ["settle", "--db", "x", "--date", "2024-06-12", "--run", "SF"],
        ["reconcile", "--db", "x", "--date", "2024-06-12", "--run", "SF"],
        ["scenario", "create", "--db", "x", "--date", "2024-06-12", "--run", "SF", "--name", "n"],
        ["export", "--db", "x", "--run", "SF", "--date", "2024-06-12", "--xlsx", "o.xlsx"],
    ):
        with pytest.raises(SystemExit) as caught:
            main([*argv, "--run-number", str(10**9 + 1)])
        assert caught.value.code == 2
        assert "is not a whole number from 1 to 1,000,000,000" in one_line(capsys.readouterr().err)
    with pytest.raises(SystemExit):
        main(["scenario", "show", "--db", "x", "--scenario", str(2**63)])
    assert "from 1 to 9,223,372,036,854,775,807" in one_line(capsys.readouterr().err)
