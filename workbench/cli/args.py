"""What the command line accepts, declared and parsed one way for every command: the types
(dates, run types, run numbers, ids, periods, text, whole numbers) and the helpers that
declare the options many commands share (`--db`, `--date`, `--run`, `--run-number`,
`--periods`). A type refuses a value with `argparse.ArgumentTypeError`, which the parser
reports as one line with exit code 2."""

from __future__ import annotations

import argparse
from datetime import date

OPENS = "database file or SQLAlchemy URL"
CREATES = "database file (created if missing)"
RUN_TYPES = "run type (II, SF, R1…)"
LATEST = "run number (default: latest)"


def whole_number_arg(low: int, high: int):
    """An argparse type: a whole number from `low` to `high`."""

    def parse(text: str) -> int:
        stripped = text.strip()
        digits = stripped.lstrip("-")
        # isdecimal, not isdigit: "²" is a digit that int() refuses.
        if not (digits.isdecimal() and len(digits) <= 19 and low <= int(stripped) <= high):
            raise argparse.ArgumentTypeError(
                f"{text[:40]!r} is not a whole number from {low:,} to {high:,}"
            )
        return int(stripped)

    return parse


# Run, scenario and case ids: whole numbers that fit a database integer.
id_arg = whole_number_arg(1, 2**63 - 1)
# A run's number among the runs of its date and type (II #1, SF #2…).
run_number_arg = whole_number_arg(1, 10**9)


def date_arg(text: str) -> date:
    from models.casefiles.validate import settlement_date_error

    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; expected YYYY-MM-DD") from None
    problem = settlement_date_error(value)
    if problem:
        raise argparse.ArgumentTypeError(f"{text}: {problem}")
    return value


def run_type_arg(text: str):
    from engine.settlement_calendar import RunType

    try:
        return RunType.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def periods_arg(text: str) -> tuple[int, ...]:
    """'27', '27,28' or '27-30' → settlement period numbers, ascending, each once (1 to 50, a
    range low to high). Whether the day has them is for the command to check."""
    periods: list[int] = []
    wrong = argparse.ArgumentTypeError(
        f"{text!r} is not a list of periods; expected e.g. 27, 27,28 or 27-30 (periods 1 to 50)"
    )
    for part in text.split(","):
        bounds = [b.strip() for b in part.strip().split("-")]
        # isdecimal, not isdigit: "²" is a digit that int() refuses.
        if len(bounds) > 2 or not all(b.isdecimal() and len(b) <= 2 for b in bounds):
            raise wrong
        first, last = int(bounds[0]), int(bounds[-1])
        if not 1 <= first <= last <= 50:
            raise wrong
        periods += range(first, last + 1)
    return tuple(sorted(set(periods)))


def text_arg(text: str) -> str:
    """A name, id or reason given on the command line: one line of printable text."""
    from models.casefiles.validate import shown, text_error

    problem = text_error(text)
    if problem:
        raise argparse.ArgumentTypeError(f"{shown(text)}: {problem}")
    return text


def add_db(parser, help: str = OPENS, type=str) -> None:
    """--db, required: the settlement database the command reads or writes (a URL is text;
    `demo` takes a Path, as it creates a file)."""
    parser.add_argument("--db", required=True, type=type, help=help)


def add_date(parser, help: str = "settlement date", required: bool = False) -> None:
    parser.add_argument("--date", type=date_arg, required=required, help=help)


def add_run(parser, help: str = RUN_TYPES, required: bool = False) -> None:
    """--run: a run type; optional ones default to None (the command says what None means)."""
    parser.add_argument("--run", type=run_type_arg, required=required, help=help)


def add_run_number(parser, help: str | None = LATEST) -> None:
    parser.add_argument("--run-number", type=run_number_arg, help=help)


def add_stored_run(parser, run_help: str = RUN_TYPES) -> None:
    """--date, --run and --run-number: one stored run (the latest of its date and type)."""
    add_date(parser, required=True)
    add_run(parser, run_help, required=True)
    add_run_number(parser)


def add_periods(parser, help: str = "only these periods, e.g. 27-30") -> None:
    """--periods: a tuple of period numbers (periods_arg), None when not given (every period)."""
    parser.add_argument("--periods", type=periods_arg, help=help)
